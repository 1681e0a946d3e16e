package dev.basin.spi.storage;

import java.io.InputStream;

/**
 * An open object (or a range of it). Close it to release the file or connection behind it.
 *
 * @param info the object version read
 * @param range the bytes the stream yields, or null when it yields the whole object
 * @param stream the bytes
 */
public record ObjectContent(ObjectInfo info, ByteRange.Resolved range, InputStream stream)
    implements AutoCloseable {

  /** How many bytes {@link #stream()} yields. */
  public long length() {
    return range == null ? info.size() : range.length();
  }

  @Override
  public void close() {
    try {
      stream.close();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
