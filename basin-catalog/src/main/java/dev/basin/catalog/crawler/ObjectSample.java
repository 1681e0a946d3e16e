package dev.basin.catalog.crawler;

import java.io.IOException;
import java.util.Arrays;
import java.util.Objects;

/**
 * What a classifier sees of one object: its name, its first bytes and its size, and a way to read
 * any byte range (needed for Parquet, whose schema is at the end).
 */
public final class ObjectSample {

  /** Reads {@code length} bytes at {@code offset}; may return fewer only at the end. */
  @FunctionalInterface
  public interface RangeReader {
    byte[] read(long offset, int length) throws IOException;
  }

  private final String name;
  private final byte[] head;
  private final long size;
  private final RangeReader reader;

  private ObjectSample(String name, byte[] head, long size, RangeReader reader) {
    this.name = Objects.requireNonNull(name, "name");
    this.head = Objects.requireNonNull(head, "head");
    if (size < head.length) {
      throw new IllegalArgumentException(
          "size " + size + " of '" + name + "' is smaller than its head of " + head.length);
    }
    this.size = size;
    this.reader = reader;
  }

  /** A whole object held in memory. */
  public static ObjectSample of(String name, byte[] bytes) {
    byte[] copy = bytes.clone();
    return new ObjectSample(name, copy, copy.length, (off, len) -> slice(copy, off, len));
  }

  /**
   * The first bytes of a larger object.
   *
   * @param reader reads other ranges of the object, or null if only the head is available (then a
   *     Parquet object cannot be classified unless the head is the whole object)
   */
  public static ObjectSample of(String name, byte[] head, long size, RangeReader reader) {
    return new ObjectSample(name, head.clone(), size, reader);
  }

  public String name() {
    return name;
  }

  /** The first bytes (not a copy; do not modify). */
  byte[] head() {
    return head;
  }

  public long size() {
    return size;
  }

  /** Whether the head is the whole object. */
  public boolean complete() {
    return head.length == size;
  }

  byte[] read(long offset, int length) throws IOException {
    if (offset + length <= head.length) {
      return slice(head, offset, length);
    }
    if (reader == null) {
      throw new IOException("only the first " + head.length + " bytes of '" + name + "' are known");
    }
    return reader.read(offset, length);
  }

  private static byte[] slice(byte[] bytes, long offset, int length) {
    int from = (int) Math.min(offset, bytes.length);
    int to = (int) Math.min(offset + length, bytes.length);
    return Arrays.copyOfRange(bytes, from, to);
  }
}
