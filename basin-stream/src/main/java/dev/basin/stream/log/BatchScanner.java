package dev.basin.stream.log;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Walks the batches of a segment file forward from a batch boundary, reading the file in chunks so
 * that small batches cost no extra system calls. Not thread-safe; one scanner serves one scan.
 */
final class BatchScanner {
  enum Status {
    /** A batch header is loaded; its length fits the scanned range. */
    BATCH,
    /** The scan reached its limit exactly at a batch boundary. */
    END,
    /** The bytes at the current position cannot be a complete batch. */
    INVALID
  }

  private final FileHandle file;
  private final long limit;
  private final int chunkSize;
  private ByteBuffer buf = ByteBuffer.allocate(0);
  private long bufStart;
  private long position;
  private int size;

  /**
   * @param position file position of a batch boundary to start from
   * @param limit file position where the scan stops; batches must end at or before it
   * @param chunkSize bytes read at once when a batch fits
   */
  BatchScanner(FileHandle file, long position, long limit, int chunkSize) {
    this.file = file;
    this.position = position;
    this.limit = limit;
    this.chunkSize = chunkSize;
  }

  /**
   * Chunk size for a scan over {@code bytes} bytes: small for a short tail, capped for a long one.
   */
  static int chunkFor(long bytes, int max) {
    return (int) Math.max(RecordBatch.HEADER_SIZE, Math.min(bytes, max));
  }

  /** Loads the header of the batch at the current position. */
  Status next() throws IOException {
    size = 0;
    long remaining = limit - position;
    if (remaining == 0) {
      return Status.END;
    }
    if (remaining < RecordBatch.HEADER_SIZE) {
      return Status.INVALID;
    }
    load(RecordBatch.HEADER_SIZE);
    long total = RecordBatch.totalSize(buf, offsetInBuffer());
    if (total < RecordBatch.MIN_BATCH_SIZE || total > remaining) {
      return Status.INVALID;
    }
    size = (int) total;
    return Status.BATCH;
  }

  /** Reads the whole current batch and checks its CRC and structure. */
  boolean loadAndValidate() throws IOException {
    load(size);
    return RecordBatch.isValid(buf, offsetInBuffer(), size);
  }

  /** Moves to the batch after the current one. */
  void advance() {
    position += size;
    size = 0;
  }

  long position() {
    return position;
  }

  int size() {
    return size;
  }

  long baseOffset() {
    return RecordBatch.baseOffset(buf, offsetInBuffer());
  }

  long timestamp() {
    return RecordBatch.timestamp(buf, offsetInBuffer());
  }

  int count() {
    return RecordBatch.count(buf, offsetInBuffer());
  }

  /** The buffer holding the current batch (after {@link #loadAndValidate}). */
  ByteBuffer buffer() {
    return buf;
  }

  /** Where the current batch starts in {@link #buffer()}. */
  int offsetInBuffer() {
    return (int) (position - bufStart);
  }

  private void load(int bytes) throws IOException {
    if (position >= bufStart && position + bytes <= bufStart + buf.limit()) {
      return;
    }
    int want = (int) Math.min(Math.max(bytes, chunkSize), limit - position);
    if (buf.capacity() < want) {
      buf = ByteBuffer.allocate(want);
    }
    buf.clear().limit(want);
    file.readFully(buf, position);
    buf.flip();
    bufStart = position;
  }
}
