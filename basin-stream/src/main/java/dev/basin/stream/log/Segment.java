package dev.basin.stream.log;

import dev.basin.common.io.DurableFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One segment of a shard log: the file {@code <base>.log} holding consecutive {@link RecordBatch
 * batches} that start at offset {@code base}, and, once closed, its {@link IndexFile} {@code
 * <base>.idx}.
 *
 * <p>Memory use is a fixed summary (offsets, timestamps, size) plus, for the active segment only,
 * its {@link SegmentIndex}. Closed segments look up positions in their index file and keep their
 * channels open only while {@link ReadHandleCache} retains them.
 *
 * <p>Appends and state changes happen under the owning log's append lock; reads may run
 * concurrently from any thread and see every batch written before they started.
 */
final class Segment {
  private static final Logger LOG = LoggerFactory.getLogger(Segment.class);
  static final String LOG_SUFFIX = ".log";
  static final String INDEX_SUFFIX = ".idx";
  private static final int RECOVERY_CHUNK = 1 << 20;
  private static final int READ_CHUNK = 256 << 10;

  private final long baseOffset;
  private final Path logFile;
  private final Path indexFile;
  private final FileHandle log;
  private final FileHandle index;
  private final ReadHandleCache cache;
  private volatile SegmentIndex activeIndex;
  private volatile int indexEntries;
  private volatile long endOffset;
  private volatile long firstTimestamp = -1;
  private volatile long lastTimestamp = -1;
  private volatile long size;
  private volatile long carriedTimestamp = -1;
  private volatile boolean deleted;

  private Segment(Path dir, long baseOffset, boolean writable, ReadHandleCache cache) {
    this.baseOffset = baseOffset;
    this.logFile = dir.resolve(fileName(baseOffset, LOG_SUFFIX));
    this.indexFile = dir.resolve(fileName(baseOffset, INDEX_SUFFIX));
    this.cache = cache;
    this.log = new FileHandle(logFile, writable, h -> touch());
    this.index = new FileHandle(indexFile, false, h -> touch());
    this.endOffset = baseOffset;
  }

  static String fileName(long baseOffset, String suffix) {
    return String.format("%020d%s", baseOffset, suffix);
  }

  /**
   * Creates an empty active segment; its directory entry is durable when this returns.
   *
   * @param carriedTimestamp the log's newest arrival time before this segment, or -1
   */
  static Segment create(
      Path dir,
      long baseOffset,
      long carriedTimestamp,
      int indexIntervalBytes,
      ReadHandleCache cache)
      throws IOException {
    Segment s = new Segment(dir, baseOffset, true, cache);
    s.carriedTimestamp = carriedTimestamp;
    s.activeIndex = new SegmentIndex(indexIntervalBytes);
    // A file left by an earlier attempt that failed before the roll completed holds no records.
    Uninterruptible.run(
        () -> {
          Files.newByteChannel(
                  s.logFile,
                  StandardOpenOption.CREATE,
                  StandardOpenOption.TRUNCATE_EXISTING,
                  StandardOpenOption.WRITE)
              .close();
          DurableFiles.fsyncDirectory(dir);
        });
    return s;
  }

  /**
   * Opens the last segment of a log as the active one: scans it from the start, truncates it at the
   * first batch that is incomplete, fails its CRC or does not continue the offsets, and fsyncs it.
   */
  static Segment recoverActive(
      Path dir, long baseOffset, int indexIntervalBytes, ReadHandleCache cache) throws IOException {
    Segment s = new Segment(dir, baseOffset, true, cache);
    SegmentIndex index = new SegmentIndex(indexIntervalBytes);
    s.activeIndex = index;
    long fileSize = s.log.size();
    long valid = s.scan(index, fileSize);
    if (valid < fileSize) {
      LOG.warn(
          "truncating {} from {} to {} bytes: the tail after the last complete batch is torn or"
              + " corrupt",
          s.logFile,
          fileSize,
          valid);
      s.log.truncate(valid);
    }
    s.log.force();
    if (s.isEmpty()) {
      IndexFile.Summary summary = IndexFile.load(s.indexFile, baseOffset, 0);
      if (summary != null && summary.endOffset() == baseOffset) {
        s.carriedTimestamp = summary.lastTimestamp();
      }
    }
    return s;
  }

  /**
   * Opens a closed segment from its index file, rebuilding the index by scanning the segment if it
   * is missing or inconsistent.
   *
   * @throws IOException if the segment itself is corrupt: closed segments were fsynced whole, so a
   *     bad batch there is damage, not a torn write, and is not silently dropped
   */
  static Segment loadClosed(
      Path dir, long baseOffset, int indexIntervalBytes, ReadHandleCache cache) throws IOException {
    Segment s = new Segment(dir, baseOffset, false, cache);
    long fileSize = Files.size(s.logFile);
    IndexFile.Summary summary = IndexFile.load(s.indexFile, baseOffset, fileSize);
    if (summary != null) {
      s.endOffset = summary.endOffset();
      if (s.isEmpty()) {
        s.carriedTimestamp = summary.lastTimestamp();
      } else {
        s.firstTimestamp = summary.firstTimestamp();
        s.lastTimestamp = summary.lastTimestamp();
      }
      s.size = summary.logSize();
      s.indexEntries = summary.entryCount();
      return s;
    }
    LOG.warn("rebuilding missing or inconsistent index {}", s.indexFile);
    SegmentIndex index = new SegmentIndex(indexIntervalBytes);
    long valid = s.scan(index, fileSize);
    if (valid < fileSize) {
      throw new IOException(
          "closed segment "
              + s.logFile
              + " is corrupt at byte "
              + valid
              + " of "
              + fileSize
              + "; restore it from a backup or move it and every later segment away to serve the"
              + " records before it");
    }
    s.log.release();
    s.writeIndex(index);
    s.indexEntries = index.size();
    return s;
  }

  /**
   * Scans batches from the start up to {@code limit}, filling {@code index} and the summary.
   * Returns the file position after the last valid batch.
   */
  private long scan(SegmentIndex index, long limit) throws IOException {
    BatchScanner scanner = new BatchScanner(log, 0, limit, RECOVERY_CHUNK);
    long expected = baseOffset;
    while (scanner.next() == BatchScanner.Status.BATCH) {
      if (scanner.baseOffset() != expected || !scanner.loadAndValidate()) {
        break;
      }
      long timestamp = scanner.timestamp();
      index.onBatch(expected, scanner.position(), timestamp);
      if (expected == baseOffset) {
        firstTimestamp = timestamp;
      }
      lastTimestamp = timestamp;
      expected += scanner.count();
      scanner.advance();
    }
    endOffset = expected;
    size = scanner.position();
    return scanner.position();
  }

  /**
   * Writes a sealed batch at the end of the file (no fsync) and updates the summary and index.
   * Caller holds the log's append lock.
   */
  void append(ByteBuffer batch, long base, int count, long timestamp) throws IOException {
    long position = size;
    log.writeFully(batch, position);
    activeIndex.onBatch(base, position, timestamp);
    if (base == baseOffset) {
      firstTimestamp = timestamp;
    }
    lastTimestamp = timestamp;
    endOffset = base + count;
    size = position + batch.limit();
  }

  /** Best effort to cut off the bytes of a failed write so the file ends at the last batch. */
  void discardAfter(long position) {
    try {
      log.truncate(position);
    } catch (IOException e) {
      LOG.warn("could not truncate {} to {} after a failed write", logFile, position, e);
    }
  }

  /** Makes the data written so far durable. A no-op once the segment was sealed (and forced). */
  void force() throws IOException {
    if (activeIndex == null) {
      return;
    }
    try {
      log.force();
    } catch (IOException e) {
      if (activeIndex != null) {
        throw e;
      }
    }
  }

  FileHandle log() {
    return log;
  }

  /**
   * Turns the active segment into a closed one that uses its index file, which must have been
   * written after the last append.
   */
  void seal() {
    indexEntries = activeIndex.size();
    activeIndex = null;
    cache.touch(this);
  }

  /**
   * Writes the index file now, so that an empty active segment that is the whole log remembers the
   * log's newest arrival time across a crash.
   */
  void writeIndex() throws IOException {
    writeIndex(activeIndex);
  }

  /**
   * Writes the index file; for an empty segment its last timestamp is the carried one, the newest
   * arrival time of the log before the segment.
   */
  private void writeIndex(SegmentIndex entries) throws IOException {
    IndexFile.Summary summary =
        new IndexFile.Summary(
            baseOffset,
            endOffset,
            firstTimestamp,
            isEmpty() ? carriedTimestamp : lastTimestamp,
            size,
            entries.size());
    byte[] bytes = IndexFile.serialize(summary, entries);
    Uninterruptible.run(() -> DurableFiles.writeAtomically(indexFile, bytes));
    index.release();
  }

  /**
   * Adds records from {@code from} onwards to {@code budget}, stopping at the first batch at or
   * after {@code endLimit}. Returns the offset a continuing read starts from: after the last added
   * record if the budget filled up, otherwise after the last batch scanned.
   */
  long read(long from, long endLimit, ReadBudget budget) throws IOException {
    touch();
    long limit = size;
    long start = positionFor(from);
    BatchScanner scanner =
        new BatchScanner(log, start, limit, BatchScanner.chunkFor(limit - start, READ_CHUNK));
    long next = from;
    while (!budget.full()) {
      BatchScanner.Status status = scanner.next();
      if (status == BatchScanner.Status.END) {
        break;
      }
      if (status == BatchScanner.Status.INVALID) {
        throw corrupt(scanner.position());
      }
      long base = scanner.baseOffset();
      int count = scanner.count();
      if (base >= endLimit) {
        break;
      }
      if (base + count > from) {
        if (!scanner.loadAndValidate()) {
          throw corrupt(scanner.position());
        }
        RecordBatch.decode(scanner.buffer(), scanner.offsetInBuffer(), from, budget);
      }
      next = Math.max(next, base + count);
      scanner.advance();
    }
    return budget.full() ? budget.nextOffset(from) : next;
  }

  /**
   * The base offset of the first batch below {@code endLimit} that arrived at or after {@code
   * timestamp}, or -1 if there is none.
   */
  long offsetAt(long timestamp, long endLimit) throws IOException {
    touch();
    long limit = size;
    long start = positionBefore(timestamp);
    BatchScanner scanner =
        new BatchScanner(log, start, limit, BatchScanner.chunkFor(limit - start, READ_CHUNK));
    while (true) {
      BatchScanner.Status status = scanner.next();
      if (status == BatchScanner.Status.END) {
        return -1;
      }
      if (status == BatchScanner.Status.INVALID) {
        throw corrupt(scanner.position());
      }
      long base = scanner.baseOffset();
      if (base >= endLimit) {
        return -1;
      }
      if (scanner.timestamp() >= timestamp) {
        return base;
      }
      scanner.advance();
    }
  }

  private long positionFor(long offset) throws IOException {
    SegmentIndex mem = activeIndex;
    return mem != null
        ? mem.positionFor(offset)
        : IndexFile.positionFor(index, indexEntries, offset);
  }

  private long positionBefore(long timestamp) throws IOException {
    SegmentIndex mem = activeIndex;
    return mem != null
        ? mem.positionBefore(timestamp)
        : IndexFile.positionBefore(index, indexEntries, timestamp);
  }

  private void touch() {
    if (activeIndex == null) {
      cache.touch(this);
    }
  }

  private IOException corrupt(long position) {
    return new IOException("corrupt batch in " + logFile + " at byte " + position);
  }

  /** Closes the file channels; a later read reopens them. */
  void release() {
    log.release();
    index.release();
  }

  /** Closes the file channels for good. */
  void close() {
    cache.remove(this);
    log.close();
    index.close();
  }

  /** Closes the segment and removes its files; the caller fsyncs the directory. */
  void delete() {
    deleted = true;
    close();
    try {
      Files.deleteIfExists(logFile);
      Files.deleteIfExists(indexFile);
    } catch (IOException e) {
      throw new UncheckedIOException("could not delete segment " + logFile, e);
    }
  }

  long baseOffset() {
    return baseOffset;
  }

  long endOffset() {
    return endOffset;
  }

  boolean isEmpty() {
    return endOffset == baseOffset;
  }

  long firstTimestamp() {
    return firstTimestamp;
  }

  long lastTimestamp() {
    return lastTimestamp;
  }

  /** The log's newest arrival time before this segment, if known, else -1. */
  long carriedTimestamp() {
    return carriedTimestamp;
  }

  boolean isOpen() {
    return log.isOpen() || index.isOpen();
  }

  long size() {
    return size;
  }

  boolean isDeleted() {
    return deleted;
  }

  Path logFile() {
    return logFile;
  }

  @Override
  public String toString() {
    return logFile.toString();
  }
}
