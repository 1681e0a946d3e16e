package dev.basin.stream.log;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.basin.spi.stream.LogRecord;
import dev.basin.spi.stream.StoredRecord;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The on-disk format of one appended batch. All integers are big-endian.
 *
 * <pre>
 * offset size field
 *  0     4    length      bytes that follow this field (total batch size - 4)
 *  4     4    crc         CRC32C of every byte after this field (offset 8 to the batch end)
 *  8     1    magic       format version, 1
 *  9     8    baseOffset  offset of the first record
 * 17     8    timestamp   arrival time in epoch millis, shared by all records of the batch
 * 25     4    count       number of records, at least 1
 * 29          records     count times: keyLength (4), key (UTF-8), dataLength (4), data
 * </pre>
 *
 * A batch is valid only if its length covers exactly the header and its records, its CRC matches
 * and its base offset continues the previous batch; recovery truncates a segment at the first batch
 * that is not.
 */
final class RecordBatch {
  static final byte MAGIC = 1;
  static final int LENGTH_OFFSET = 0;
  static final int CRC_OFFSET = 4;
  static final int MAGIC_OFFSET = 8;
  static final int BASE_OFFSET_OFFSET = 9;
  static final int TIMESTAMP_OFFSET = 17;
  static final int COUNT_OFFSET = 25;
  static final int HEADER_SIZE = 29;
  static final int RECORD_OVERHEAD = 8;
  static final int MIN_BATCH_SIZE = HEADER_SIZE + RECORD_OVERHEAD;

  private RecordBatch() {}

  /**
   * Encodes {@code records} into a new buffer positioned at 0 whose base offset, timestamp and CRC
   * are left for {@link #seal}.
   *
   * @throws IllegalArgumentException if the batch would exceed 2 GiB
   */
  static ByteBuffer encode(List<LogRecord> records) {
    int n = records.size();
    byte[][] keys = new byte[n][];
    long size = HEADER_SIZE;
    for (int i = 0; i < n; i++) {
      LogRecord r = records.get(i);
      keys[i] = r.key().getBytes(UTF_8);
      size += RECORD_OVERHEAD + keys[i].length + r.data().length;
    }
    if (size > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("batch of " + size + " bytes exceeds the 2 GiB limit");
    }
    ByteBuffer buf = ByteBuffer.allocate((int) size);
    buf.putInt(LENGTH_OFFSET, (int) size - 4);
    buf.put(MAGIC_OFFSET, MAGIC);
    buf.putInt(COUNT_OFFSET, n);
    buf.position(HEADER_SIZE);
    for (int i = 0; i < n; i++) {
      byte[] data = records.get(i).data();
      buf.putInt(keys[i].length).put(keys[i]).putInt(data.length).put(data);
    }
    buf.flip();
    return buf;
  }

  /** Sets the base offset and timestamp of an encoded batch and computes its CRC. */
  static void seal(ByteBuffer batch, long baseOffset, long timestamp) {
    batch.putLong(BASE_OFFSET_OFFSET, baseOffset);
    batch.putLong(TIMESTAMP_OFFSET, timestamp);
    batch.putInt(CRC_OFFSET, crc(batch, 0, batch.limit()));
  }

  /** CRC of the batch starting at {@code start} and {@code size} bytes long. */
  static int crc(ByteBuffer buf, int start, int size) {
    CRC32C crc = new CRC32C();
    crc.update(buf.slice(start + MAGIC_OFFSET, size - MAGIC_OFFSET));
    return (int) crc.getValue();
  }

  /** Total size of the batch at {@code start}, from its length field; may be garbage. */
  static long totalSize(ByteBuffer buf, int start) {
    return 4L + buf.getInt(start + LENGTH_OFFSET);
  }

  static long baseOffset(ByteBuffer buf, int start) {
    return buf.getLong(start + BASE_OFFSET_OFFSET);
  }

  static long timestamp(ByteBuffer buf, int start) {
    return buf.getLong(start + TIMESTAMP_OFFSET);
  }

  static int count(ByteBuffer buf, int start) {
    return buf.getInt(start + COUNT_OFFSET);
  }

  /**
   * Whether the {@code size} bytes at {@code start} (size taken from the length field) form a valid
   * batch: known magic, matching CRC, at least one record, and records that fill the batch exactly.
   */
  static boolean isValid(ByteBuffer buf, int start, int size) {
    if (size < MIN_BATCH_SIZE
        || buf.get(start + MAGIC_OFFSET) != MAGIC
        || buf.getInt(start + CRC_OFFSET) != crc(buf, start, size)) {
      return false;
    }
    int count = count(buf, start);
    if (count < 1) {
      return false;
    }
    int end = start + size;
    int p = start + HEADER_SIZE;
    for (int i = 0; i < count; i++) {
      for (int field = 0; field < 2; field++) {
        if (end - p < 4) {
          return false;
        }
        int len = buf.getInt(p);
        p += 4;
        if (len < 0 || len > end - p) {
          return false;
        }
        p += len;
      }
    }
    return p == end;
  }

  /**
   * Decodes the records at or after {@code fromOffset} of a batch whose CRC was checked, adding
   * them to {@code budget} until it is full.
   */
  static void decode(ByteBuffer buf, int start, long fromOffset, ReadBudget budget) {
    long base = baseOffset(buf, start);
    long timestamp = timestamp(buf, start);
    int count = count(buf, start);
    int p = start + HEADER_SIZE;
    for (int i = 0; i < count && !budget.full(); i++) {
      int keyLength = buf.getInt(p);
      int keyStart = p + 4;
      int dataLength = buf.getInt(keyStart + keyLength);
      int dataStart = keyStart + keyLength + 4;
      p = dataStart + dataLength;
      long offset = base + i;
      if (offset < fromOffset) {
        continue;
      }
      String key =
          buf.hasArray()
              ? new String(buf.array(), buf.arrayOffset() + keyStart, keyLength, UTF_8)
              : new String(bytes(buf, keyStart, keyLength), UTF_8);
      if (!budget.fits(key.length() + dataLength)) {
        budget.markFull();
        return;
      }
      budget.add(new StoredRecord(offset, timestamp, key, bytes(buf, dataStart, dataLength)));
    }
  }

  private static byte[] bytes(ByteBuffer buf, int start, int length) {
    byte[] out = new byte[length];
    buf.get(start, out);
    return out;
  }
}
