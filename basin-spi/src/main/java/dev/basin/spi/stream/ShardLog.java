package dev.basin.spi.stream;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The durable, append-only record log of one shard.
 *
 * <p>Offsets start at 0 and grow by one per record with no gaps. Arrival timestamps are assigned by
 * the log and never decrease along the shard. A record is <em>readable</em> only once it is
 * acknowledged, so a reader never sees a record that a crash could take back.
 *
 * <p>Implementations are thread-safe: appends from many threads are serialized in an order the log
 * chooses, and reads may run concurrently with appends.
 */
public interface ShardLog extends AutoCloseable {

  /**
   * Appends records as one batch. The returned future completes once the batch is durable in the
   * sense the log was configured for (for the local log with group commit: written and fsynced),
   * and only then is the batch visible to {@link #read}. If the future completes exceptionally, the
   * batch may or may not have been persisted, and callers must treat the outcome as unknown.
   *
   * @throws IllegalArgumentException if {@code records} is empty
   * @throws IllegalStateException if the log is closed
   */
  CompletableFuture<AppendResult> append(List<LogRecord> records);

  /**
   * Reads acknowledged records starting at {@code fromOffset}, stopping at whichever limit comes
   * first. At least one record is returned when one is readable, even if it alone exceeds {@code
   * maxBytes}.
   *
   * @param fromOffset first offset to return; must be within [{@link #startOffset()}, {@link
   *     #endOffset()}]
   * @param maxRecords at most this many records (at least 1)
   * @param maxBytes stop before the total of {@link StoredRecord#size()} exceeds this
   * @throws OffsetOutOfRangeException if {@code fromOffset} is outside the retained range
   */
  ReadResult read(long fromOffset, int maxRecords, long maxBytes);

  /** The first offset still retained (records before it were removed by retention). */
  long startOffset();

  /** The offset the next acknowledged record will get; all offsets below it are readable. */
  long endOffset();

  /**
   * The first retained offset whose arrival time is at or after {@code epochMillis}, or {@link
   * #endOffset()} if there is none.
   */
  long offsetAt(long epochMillis);

  /** Arrival time of the newest acknowledged record, or -1 when no record was ever appended. */
  long lastTimestamp();

  /**
   * Removes whole segments whose records all arrived before {@code cutoffMillis}. The log end
   * offset never moves backwards; {@link #startOffset()} may advance.
   *
   * @return the number of records removed
   */
  long deleteBefore(long cutoffMillis);

  /**
   * Flushes and closes the log. Appends still waiting for durability complete before it returns.
   */
  @Override
  void close();
}
