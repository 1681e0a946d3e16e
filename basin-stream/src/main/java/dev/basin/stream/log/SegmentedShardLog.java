package dev.basin.stream.log;

import dev.basin.common.io.DurableFiles;
import dev.basin.spi.stream.AppendResult;
import dev.basin.spi.stream.LogRecord;
import dev.basin.spi.stream.OffsetOutOfRangeException;
import dev.basin.spi.stream.ReadResult;
import dev.basin.spi.stream.ShardLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ShardLog} stored as a directory of {@link Segment segment files}, the newest of which
 * (the active segment) takes appends.
 *
 * <p><b>Appending.</b> An appender encodes its batch outside any lock, then under the append lock
 * assigns offsets and the arrival timestamp ({@code max(clock, previous batch timestamp)}), seals
 * the CRC and writes the batch with one positional write, without fsync. In {@link
 * LocalStreamLogConfig.FsyncMode#GROUP GROUP} mode it then asks the shared flusher pool to run this
 * log's flush, which repeatedly takes everything written so far, fsyncs it once, publishes the new
 * readable end and completes every future whose batch it covered; appends that arrive during an
 * fsync share the next one. In {@link LocalStreamLogConfig.FsyncMode#INTERVAL INTERVAL} mode the
 * future completes and the batch becomes readable right after the write, and a timer fsyncs.
 *
 * <p><b>Durability.</b> A future completes normally only after its batch is durable in the
 * configured sense; in GROUP mode the segment's data has been fsynced and, for a new segment, its
 * directory entry too. Segments roll when full or old: the old segment is fsynced and its index
 * file written before the new one takes appends. An fsync failure makes the log unusable (appends
 * fail until it is reopened) because the kernel may have dropped the unsynced pages.
 *
 * <p><b>Recovery.</b> On open the last segment is scanned and cut at the first torn or corrupt
 * batch; the other segments are loaded from their index files, which are rebuilt by scanning when
 * missing or inconsistent.
 *
 * <p>Futures complete on a flusher thread (or the appender's own thread): dependent stages should
 * be short or use the {@code *Async} variants. Thread-safe.
 */
final class SegmentedShardLog implements ShardLog {
  private static final Logger LOG = LoggerFactory.getLogger(SegmentedShardLog.class);
  private static final Pattern SEGMENT_FILE = Pattern.compile("(\\d{20})\\.(log|idx)");
  static final int OPEN_CLOSED_SEGMENTS = 4;

  private record Durable(long endOffset, long lastTimestamp) {}

  private record Pending(
      long endOffset, AppendResult result, CompletableFuture<AppendResult> future) {}

  private final Path dir;
  private final LocalStreamLogConfig config;
  private final Clock clock;
  private final ScheduledExecutorService flusher;
  private final boolean groupCommit;
  private final long segmentAgeMillis;
  private final ReadHandleCache cache = new ReadHandleCache(OPEN_CLOSED_SEGMENTS);
  private final ConcurrentSkipListMap<Long, Segment> segments = new ConcurrentSkipListMap<>();

  private final ReentrantLock lock = new ReentrantLock();
  private final ReentrantLock flushLock = new ReentrantLock();
  private final AtomicBoolean flushScheduled = new AtomicBoolean();
  private final ArrayDeque<Pending> pending = new ArrayDeque<>();
  private Segment active;
  private volatile long nextOffset;
  private long lastWrittenTimestamp;
  private volatile long forcedOffset;
  private volatile Durable durable;
  private volatile boolean closed;
  private volatile boolean released;
  private volatile IOException failure;
  private ScheduledFuture<?> intervalTask;

  private SegmentedShardLog(
      Path dir, LocalStreamLogConfig config, Clock clock, ScheduledExecutorService flusher) {
    this.dir = dir;
    this.config = config;
    this.clock = clock;
    this.flusher = flusher;
    this.groupCommit = config.fsyncMode() == LocalStreamLogConfig.FsyncMode.GROUP;
    this.segmentAgeMillis = config.segmentAge().toMillis();
  }

  /**
   * Opens the log stored in {@code dir}, creating the directory durably if absent, and recovers it.
   *
   * @param flusher runs flushes and, in INTERVAL mode, the periodic fsync; owned by the caller
   * @throws UncheckedIOException if the directory cannot be read or a closed segment is corrupt
   */
  static SegmentedShardLog open(
      Path dir, LocalStreamLogConfig config, Clock clock, ScheduledExecutorService flusher) {
    SegmentedShardLog log = new SegmentedShardLog(dir, config, clock, flusher);
    try {
      log.recover();
    } catch (IOException e) {
      log.segments.values().forEach(Segment::close);
      throw new UncheckedIOException("cannot open shard log " + dir + ": " + e.getMessage(), e);
    }
    if (!log.groupCommit) {
      long interval = config.fsyncInterval().toMillis();
      log.intervalTask =
          flusher.scheduleWithFixedDelay(
              log::flushQuietly, interval, Math.max(1, interval), TimeUnit.MILLISECONDS);
    }
    return log;
  }

  private void recover() throws IOException {
    Uninterruptible.run(() -> DurableFiles.createDirectories(dir));
    List<Long> bases = new ArrayList<>();
    List<Path> orphans = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        String name = file.getFileName().toString();
        var m = SEGMENT_FILE.matcher(name);
        if (m.matches() && m.group(2).equals("log")) {
          bases.add(Long.parseLong(m.group(1)));
        } else if (name.endsWith(".tmp")) {
          orphans.add(file);
        }
      }
    }
    bases.sort(null);
    int indexInterval = config.indexIntervalBytes();
    if (bases.isEmpty()) {
      active = Segment.create(dir, 0, -1, indexInterval, cache);
    } else {
      for (int i = 0; i < bases.size() - 1; i++) {
        Segment s = Segment.loadClosed(dir, bases.get(i), indexInterval, cache);
        segments.put(s.baseOffset(), s);
      }
      active = Segment.recoverActive(dir, bases.get(bases.size() - 1), indexInterval, cache);
    }
    segments.put(active.baseOffset(), active);
    dropSegmentsBeforeGap();
    try (Stream<Path> files = Files.list(dir)) {
      files.filter(f -> isOrphanIndex(f.getFileName().toString())).forEach(orphans::add);
    }
    for (Path orphan : orphans) {
      Files.deleteIfExists(orphan);
    }
    nextOffset = active.endOffset();
    forcedOffset = nextOffset;
    lastWrittenTimestamp = lastTimestampOf(segments.descendingMap().values());
    durable = new Durable(nextOffset, lastWrittenTimestamp);
  }

  private boolean isOrphanIndex(String name) {
    var m = SEGMENT_FILE.matcher(name);
    return m.matches()
        && m.group(2).equals("idx")
        && !segments.containsKey(Long.parseLong(m.group(1)));
  }

  /**
   * Segments must continue each other's offsets. A crash while retention deleted old segments may
   * leave an older one behind a gap; it was meant to be deleted, so the deletion is finished here.
   */
  private void dropSegmentsBeforeGap() throws IOException {
    List<Segment> ordered = new ArrayList<>(segments.values());
    int keepFrom = 0;
    for (int i = ordered.size() - 1; i > 0; i--) {
      Segment prev = ordered.get(i - 1);
      Segment next = ordered.get(i);
      if (prev.endOffset() > next.baseOffset()) {
        throw new IOException(
            "segment " + prev + " overlaps " + next + " (ends at offset " + prev.endOffset() + ")");
      }
      if (prev.endOffset() < next.baseOffset()) {
        keepFrom = i;
        break;
      }
    }
    for (int i = 0; i < keepFrom; i++) {
      Segment s = ordered.get(i);
      LOG.warn("deleting segment {} left behind a gap by an interrupted retention run", s);
      segments.remove(s.baseOffset());
      s.delete();
    }
    if (keepFrom > 0) {
      Uninterruptible.run(() -> DurableFiles.fsyncDirectory(dir));
    }
  }

  private static long lastTimestampOf(Iterable<Segment> newestFirst) {
    for (Segment s : newestFirst) {
      if (!s.isEmpty()) {
        return s.lastTimestamp();
      }
      if (s.carriedTimestamp() >= 0) {
        return s.carriedTimestamp();
      }
    }
    return -1;
  }

  /**
   * {@inheritDoc}
   *
   * <p>Encodes and writes the batch in the calling thread; never fsyncs in it except when the
   * append rolls a segment.
   *
   * @throws UncheckedIOException if rolling to a new segment fails (nothing was written) or the log
   *     failed earlier
   */
  @Override
  public CompletableFuture<AppendResult> append(List<LogRecord> records) {
    Objects.requireNonNull(records, "records");
    if (records.isEmpty()) {
      throw new IllegalArgumentException("records must not be empty");
    }
    ByteBuffer batch = RecordBatch.encode(records);
    int count = records.size();
    List<Pending> acked = List.of();
    CompletableFuture<AppendResult> future;
    lock.lock();
    try {
      checkWritable();
      long now = clock.millis();
      if (shouldRoll(now, batch.limit())) {
        acked = roll();
      }
      long base = nextOffset;
      long timestamp = Math.max(now, lastWrittenTimestamp);
      RecordBatch.seal(batch, base, timestamp);
      long position = active.size();
      try {
        active.append(batch, base, count, timestamp);
      } catch (IOException e) {
        active.discardAfter(position);
        return CompletableFuture.failedFuture(
            new UncheckedIOException(
                "append to " + active.logFile() + " failed; the batch may or may not be stored",
                e));
      }
      nextOffset = base + count;
      lastWrittenTimestamp = timestamp;
      AppendResult result = new AppendResult(base, count, timestamp);
      if (groupCommit) {
        future = new CompletableFuture<>();
        pending.add(new Pending(nextOffset, result, future));
      } else {
        durable = new Durable(nextOffset, timestamp);
        future = CompletableFuture.completedFuture(result);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot roll a new segment in " + dir, e);
    } finally {
      lock.unlock();
      complete(acked, null);
    }
    if (groupCommit) {
      requestFlush();
    }
    return future;
  }

  private void checkWritable() {
    if (closed) {
      throw new IllegalStateException("shard log " + dir + " is closed");
    }
    IOException f = failure;
    if (f != null) {
      throw new UncheckedIOException(
          "shard log " + dir + " failed to fsync and accepts no appends; reopen it", f);
    }
  }

  private boolean shouldRoll(long now, int batchBytes) {
    long size = active.size();
    if (size == 0) {
      return false;
    }
    return size + batchBytes > config.segmentBytes()
        || now - active.firstTimestamp() >= segmentAgeMillis;
  }

  /**
   * Fsyncs the active segment, writes its index, starts a new segment at the end offset, and
   * publishes everything written as durable. Caller holds the lock.
   *
   * @return pending appends now acknowledged, to be completed after the lock is released
   */
  private List<Pending> roll() throws IOException {
    Segment old = active;
    try {
      old.log().force();
    } catch (IOException e) {
      List<Pending> failed = fail(e);
      completeLater(failed, e);
      throw e;
    }
    old.writeIndex();
    forcedOffset = nextOffset;
    Segment fresh =
        Segment.create(dir, nextOffset, lastWrittenTimestamp, config.indexIntervalBytes(), cache);
    segments.put(fresh.baseOffset(), fresh);
    active = fresh;
    old.seal();
    return publish(nextOffset, lastWrittenTimestamp);
  }

  /**
   * Makes {@code endOffset} readable and takes the pending appends it covers. Caller holds lock.
   */
  private List<Pending> publish(long endOffset, long lastTimestamp) {
    if (endOffset > durable.endOffset()) {
      durable = new Durable(endOffset, lastTimestamp);
    }
    if (pending.isEmpty() || pending.peekFirst().endOffset() > endOffset) {
      return List.of();
    }
    List<Pending> done = new ArrayList<>();
    while (!pending.isEmpty() && pending.peekFirst().endOffset() <= endOffset) {
      done.add(pending.pollFirst());
    }
    return done;
  }

  /** Records an fsync failure and takes every pending append to fail. Caller holds the lock. */
  private List<Pending> fail(IOException e) {
    LOG.error("fsync of shard log {} failed; it accepts no more appends", dir, e);
    if (failure == null) {
      failure = e;
    }
    List<Pending> failed = new ArrayList<>(pending);
    pending.clear();
    return failed;
  }

  private static void complete(List<Pending> done, Throwable error) {
    for (Pending p : done) {
      if (error == null) {
        p.future().complete(p.result());
      } else {
        p.future()
            .completeExceptionally(
                new UncheckedIOException(
                    "fsync failed; the batch at offset "
                        + p.result().firstOffset()
                        + " may or may not be stored",
                    error instanceof IOException io ? io : new IOException(error)));
      }
    }
  }

  /** Completes {@code done} on a flusher thread, for callers that hold the lock. */
  private void completeLater(List<Pending> done, Throwable error) {
    if (done.isEmpty()) {
      return;
    }
    try {
      flusher.execute(() -> complete(done, error));
    } catch (RejectedExecutionException e) {
      complete(done, error);
    }
  }

  private void requestFlush() {
    if (!flushScheduled.compareAndSet(false, true)) {
      return;
    }
    try {
      flusher.execute(this::flushTask);
    } catch (RejectedExecutionException e) {
      flushScheduled.set(false);
      flush();
    }
  }

  private void flushTask() {
    try {
      flush();
    } catch (RuntimeException e) {
      LOG.error("flush of shard log {} failed", dir, e);
    } finally {
      flushScheduled.set(false);
      if (nextOffset > forcedOffset && failure == null && !released) {
        requestFlush();
      }
    }
  }

  private void flushQuietly() {
    try {
      flush();
    } catch (RuntimeException e) {
      LOG.error("periodic fsync of shard log {} failed", dir, e);
    }
  }

  /**
   * Fsyncs everything written so far and, in GROUP mode, makes it readable and completes its
   * futures. Only one flush runs at a time, and {@link #close()} waits for it, so a future is
   * complete when close returns; appends continue during the fsync.
   */
  private void flush() {
    flushLock.lock();
    try {
      long target;
      long timestamp;
      Segment segment;
      lock.lock();
      try {
        if (released || failure != null || nextOffset <= forcedOffset) {
          return;
        }
        target = nextOffset;
        timestamp = lastWrittenTimestamp;
        segment = active;
      } finally {
        lock.unlock();
      }
      IOException error = null;
      try {
        segment.force();
      } catch (IOException e) {
        error = e;
      }
      List<Pending> done;
      lock.lock();
      try {
        if (error != null) {
          done = fail(error);
        } else {
          if (target > forcedOffset) {
            forcedOffset = target;
          }
          done = groupCommit ? publish(target, timestamp) : List.of();
        }
      } finally {
        lock.unlock();
      }
      complete(done, error);
    } finally {
      flushLock.unlock();
    }
  }

  @Override
  public ReadResult read(long fromOffset, int maxRecords, long maxBytes) {
    if (maxRecords < 1) {
      throw new IllegalArgumentException("maxRecords must be at least 1: " + maxRecords);
    }
    if (maxBytes < 0) {
      throw new IllegalArgumentException("maxBytes must not be negative: " + maxBytes);
    }
    checkOpen();
    Durable d = durable;
    long start = startOffset();
    if (fromOffset < start || fromOffset > d.endOffset()) {
      throw new OffsetOutOfRangeException(fromOffset, start, d.endOffset());
    }
    if (fromOffset == d.endOffset()) {
      return new ReadResult(List.of(), fromOffset, d.endOffset(), d.lastTimestamp());
    }
    ReadBudget budget = new ReadBudget(maxRecords, maxBytes, d.endOffset() - fromOffset);
    long next = fromOffset;
    while (next < d.endOffset() && !budget.full()) {
      Map.Entry<Long, Segment> entry = segments.floorEntry(next);
      if (entry == null) {
        return removedWhileReading(fromOffset, next, budget, d);
      }
      Segment segment = entry.getValue();
      long after;
      try {
        after = segment.read(next, d.endOffset(), budget);
      } catch (IOException e) {
        if (segment.isDeleted()) {
          return removedWhileReading(fromOffset, next, budget, d);
        }
        checkOpen();
        throw new UncheckedIOException(
            "cannot read offset " + next + " from " + segment.logFile() + ": " + e.getMessage(), e);
      }
      if (after <= next && !budget.full()) {
        throw new IllegalStateException(
            "shard log " + dir + " has no record at offset " + next + " in " + segment);
      }
      next = after;
    }
    return new ReadResult(
        Collections.unmodifiableList(budget.records()), next, d.endOffset(), d.lastTimestamp());
  }

  private ReadResult removedWhileReading(long from, long next, ReadBudget budget, Durable d) {
    if (budget.isEmpty()) {
      throw new OffsetOutOfRangeException(from, startOffset(), d.endOffset());
    }
    return new ReadResult(
        Collections.unmodifiableList(budget.records()), next, d.endOffset(), d.lastTimestamp());
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("shard log " + dir + " is closed");
    }
  }

  @Override
  public long startOffset() {
    return segments.firstKey();
  }

  @Override
  public long endOffset() {
    return durable.endOffset();
  }

  @Override
  public long offsetAt(long epochMillis) {
    checkOpen();
    Durable d = durable;
    for (Segment segment : segments.values()) {
      if (segment.baseOffset() >= d.endOffset()) {
        break;
      }
      if (segment.isEmpty() || segment.lastTimestamp() < epochMillis) {
        continue;
      }
      try {
        long offset = segment.offsetAt(epochMillis, d.endOffset());
        return offset >= 0 ? offset : d.endOffset();
      } catch (IOException e) {
        if (!segment.isDeleted()) {
          checkOpen();
          throw new UncheckedIOException(
              "cannot search " + segment.logFile() + ": " + e.getMessage(), e);
        }
      }
    }
    return d.endOffset();
  }

  @Override
  public long lastTimestamp() {
    return durable.lastTimestamp();
  }

  /**
   * {@inheritDoc}
   *
   * <p>If the active segment qualifies too, the log first rolls to an empty segment at the end
   * offset, so a fully expired log has {@code startOffset() == endOffset()}. The removal is durable
   * (files deleted, directory fsynced) when this returns.
   *
   * @throws IllegalStateException if the log is closed
   */
  @Override
  public long deleteBefore(long cutoffMillis) {
    List<Segment> victims = new ArrayList<>();
    List<Pending> acked = List.of();
    lock.lock();
    try {
      checkWritable();
      for (Segment s : segments.values()) {
        if (s == active || s.lastTimestamp() >= cutoffMillis) {
          break;
        }
        victims.add(s);
      }
      if (victims.size() == segments.size() - 1
          && !active.isEmpty()
          && active.lastTimestamp() < cutoffMillis) {
        Segment expired = active;
        acked = roll();
        active.writeIndex();
        victims.add(expired);
      }
      for (Segment s : victims) {
        segments.remove(s.baseOffset());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot roll a new segment in " + dir, e);
    } finally {
      lock.unlock();
      complete(acked, null);
    }
    long removed = 0;
    for (Segment s : victims) {
      removed += s.endOffset() - s.baseOffset();
      s.delete();
    }
    if (!victims.isEmpty()) {
      try {
        Uninterruptible.run(() -> DurableFiles.fsyncDirectory(dir));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot fsync " + dir + " after deleting segments", e);
      }
    }
    return removed;
  }

  /**
   * {@inheritDoc}
   *
   * <p>Waits for appends already accepted to become durable, writes the active segment's index and
   * closes all files. Idempotent; appends and reads after it throw {@link IllegalStateException}.
   *
   * @throws UncheckedIOException if the final fsync fails; pending appends then fail too
   */
  @Override
  public void close() {
    lock.lock();
    try {
      closed = true;
      if (intervalTask != null) {
        intervalTask.cancel(false);
      }
    } finally {
      lock.unlock();
    }
    List<Pending> done = new ArrayList<>();
    IOException error = null;
    flushLock.lock();
    try {
      if (released) {
        return;
      }
      lock.lock();
      try {
        if (failure == null) {
          try {
            active.log().force();
            forcedOffset = nextOffset;
            done.addAll(publish(nextOffset, lastWrittenTimestamp));
          } catch (IOException e) {
            error = e;
            done.addAll(fail(e));
          }
        }
        if (error == null && failure == null) {
          try {
            active.writeIndex();
          } catch (IOException e) {
            // Recovery scans the last segment and never trusts its index file.
            LOG.warn("could not write the index of {} on close", active, e);
          }
        }
        done.addAll(pending);
        pending.clear();
        released = true;
        segments.values().forEach(Segment::close);
      } finally {
        lock.unlock();
      }
      complete(done, error != null ? error : failure);
    } finally {
      flushLock.unlock();
    }
    if (error != null) {
      throw new UncheckedIOException("cannot flush shard log " + dir + " on close", error);
    }
  }

  boolean isClosed() {
    return closed;
  }

  /** Offset below which every written record has been fsynced. */
  long fsyncedOffset() {
    return forcedOffset;
  }

  /** Number of segments whose files are open, the active one included. */
  int openSegmentFiles() {
    return (int) segments.values().stream().filter(Segment::isOpen).count();
  }
}
