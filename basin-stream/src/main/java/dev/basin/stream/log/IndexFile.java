package dev.basin.stream.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * The {@code <base>.idx} file of a closed segment: a summary of the segment followed by its sparse
 * index entries. Written once, atomically, when the segment rolls (and for the active segment on
 * close). All integers are big-endian.
 *
 * <pre>
 * offset size field
 *  0     4    magic           0x42494458 ("BIDX")
 *  4     1    version         1
 *  5     8    baseOffset      first offset of the segment
 * 13     8    endOffset       offset after the segment's last record
 * 21     8    firstTimestamp  arrival time of the first batch, -1 if empty
 * 29     8    lastTimestamp   arrival time of the last batch; if empty, of the log's newest
 *                             record before the segment, or -1
 * 37     8    logSize         size of the .log file this index describes
 * 45     4    entryCount
 * 49     4    entriesCrc      CRC32C of the entries
 * 53     4    headerCrc       CRC32C of bytes 0 to 52
 * 57          entries         entryCount times: offset (8), position (8), timestamp (8)
 * </pre>
 *
 * An index whose CRCs, sizes or entries do not agree with its segment is ignored and rebuilt by
 * scanning the segment.
 */
final class IndexFile {
  static final int MAGIC = 0x42494458;
  static final byte VERSION = 1;
  static final int HEADER_SIZE = 57;
  static final int ENTRY_SIZE = 24;

  /** What a valid index file says about its segment. */
  record Summary(
      long baseOffset,
      long endOffset,
      long firstTimestamp,
      long lastTimestamp,
      long logSize,
      int entryCount) {}

  private IndexFile() {}

  static byte[] serialize(Summary summary, SegmentIndex index) {
    int n = index.size();
    ByteBuffer buf = ByteBuffer.allocate(HEADER_SIZE + n * ENTRY_SIZE);
    buf.position(HEADER_SIZE);
    for (int i = 0; i < n; i++) {
      buf.putLong(index.offset(i)).putLong(index.position(i)).putLong(index.timestamp(i));
    }
    buf.putInt(0, MAGIC)
        .put(4, VERSION)
        .putLong(5, summary.baseOffset())
        .putLong(13, summary.endOffset())
        .putLong(21, summary.firstTimestamp())
        .putLong(29, summary.lastTimestamp())
        .putLong(37, summary.logSize())
        .putInt(45, n)
        .putInt(49, crc(buf, HEADER_SIZE, n * ENTRY_SIZE));
    buf.putInt(53, crc(buf, 0, 53));
    return buf.array();
  }

  /**
   * Reads and checks the index of the segment at {@code baseOffset} whose log file has {@code
   * logSize} bytes.
   *
   * @return the summary, or null if the file is missing or does not match the segment
   */
  static Summary load(Path file, long baseOffset, long logSize) throws IOException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return null;
    }
    ByteBuffer buf = ByteBuffer.wrap(bytes);
    if (bytes.length < HEADER_SIZE
        || buf.getInt(0) != MAGIC
        || buf.get(4) != VERSION
        || buf.getInt(53) != crc(buf, 0, 53)) {
      return null;
    }
    Summary s =
        new Summary(
            buf.getLong(5),
            buf.getLong(13),
            buf.getLong(21),
            buf.getLong(29),
            buf.getLong(37),
            buf.getInt(45));
    int n = s.entryCount();
    if (s.baseOffset() != baseOffset
        || s.logSize() != logSize
        || s.endOffset() < baseOffset
        || n < 0
        || (long) bytes.length != HEADER_SIZE + (long) n * ENTRY_SIZE
        || buf.getInt(49) != crc(buf, HEADER_SIZE, n * ENTRY_SIZE)) {
      return null;
    }
    long prevOffset = baseOffset;
    long prevPosition = 0;
    long prevTimestamp = s.endOffset() > baseOffset ? s.firstTimestamp() : Long.MIN_VALUE;
    for (int i = 0; i < n; i++) {
      int p = HEADER_SIZE + i * ENTRY_SIZE;
      long offset = buf.getLong(p);
      long position = buf.getLong(p + 8);
      long timestamp = buf.getLong(p + 16);
      if (offset <= prevOffset
          || offset >= s.endOffset()
          || position <= prevPosition
          || position >= logSize
          || timestamp < prevTimestamp
          || timestamp > s.lastTimestamp()) {
        return null;
      }
      prevOffset = offset;
      prevPosition = position;
      prevTimestamp = timestamp;
    }
    return s;
  }

  /** Position of the last entry whose offset is at most {@code offset}, or 0; see {@link #load}. */
  static long positionFor(FileHandle file, int entryCount, long offset) throws IOException {
    return search(file, entryCount, 0, offset);
  }

  /** Position of the last entry whose timestamp is before {@code timestamp}, or 0. */
  static long positionBefore(FileHandle file, int entryCount, long timestamp) throws IOException {
    if (timestamp == Long.MIN_VALUE) {
      return 0;
    }
    return search(file, entryCount, 16, timestamp - 1);
  }

  private static long search(FileHandle file, int n, int field, long key) throws IOException {
    ByteBuffer entry = ByteBuffer.allocate(ENTRY_SIZE);
    int lo = 0;
    int hi = n - 1;
    long found = 0;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      entry.clear();
      file.readFully(entry, HEADER_SIZE + (long) mid * ENTRY_SIZE);
      if (entry.getLong(field) <= key) {
        found = entry.getLong(8);
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  private static int crc(ByteBuffer buf, int start, int length) {
    CRC32C crc = new CRC32C();
    crc.update(buf.slice(start, length));
    return (int) crc.getValue();
  }
}
