package dev.basin.spi.storage;

/**
 * A requested byte range in HTTP's three forms: {@code first-last}, {@code first-} (to the end) and
 * {@code -n} (the last n bytes). {@link #resolve} turns it into concrete offsets for an object
 * size.
 *
 * @param first the first byte, or -1 for a suffix range
 * @param last the last byte (inclusive), or -1 for "to the end"; for a suffix range, the suffix
 *     length
 */
public record ByteRange(long first, long last) {

  public static ByteRange of(long first, long lastInclusive) {
    if (first < 0 || lastInclusive < first) {
      throw new IllegalArgumentException("invalid range " + first + "-" + lastInclusive);
    }
    return new ByteRange(first, lastInclusive);
  }

  public static ByteRange from(long first) {
    if (first < 0) {
      throw new IllegalArgumentException("invalid range start " + first);
    }
    return new ByteRange(first, -1);
  }

  public static ByteRange suffix(long length) {
    if (length < 0) {
      throw new IllegalArgumentException("invalid suffix length " + length);
    }
    return new ByteRange(-1, length);
  }

  /**
   * The concrete range for an object of {@code size} bytes, clamped to the end as HTTP does.
   *
   * @throws ObjectStoreException {@code INVALID_RANGE} if no byte of the object is in the range
   */
  public Resolved resolve(long size) {
    long start;
    long end;
    if (first < 0) {
      if (last == 0 || size == 0) {
        throw unsatisfiable(size);
      }
      start = Math.max(0, size - last);
      end = size - 1;
    } else {
      if (first >= size) {
        throw unsatisfiable(size);
      }
      start = first;
      end = last < 0 ? size - 1 : Math.min(last, size - 1);
    }
    return new Resolved(start, end, size);
  }

  private ObjectStoreException unsatisfiable(long size) {
    return new ObjectStoreException(
        ObjectStoreException.Reason.INVALID_RANGE,
        "the range " + this + " is not satisfiable for an object of " + size + " bytes");
  }

  @Override
  public String toString() {
    if (first < 0) {
      return "bytes=-" + last;
    }
    return "bytes=" + first + "-" + (last < 0 ? "" : Long.toString(last));
  }

  /** A range resolved against an object: bytes {@code start..end} inclusive of {@code size}. */
  public record Resolved(long start, long end, long size) {
    public long length() {
      return end - start + 1;
    }
  }
}
