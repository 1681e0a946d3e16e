package dev.basin.spi.storage;

/**
 * Options of a get.
 *
 * @param versionId the version to read, or null for the current one
 * @param range the bytes to read, or null for the whole object
 */
public record GetOptions(String versionId, ByteRange range) {

  public static GetOptions current() {
    return new GetOptions(null, null);
  }

  public static GetOptions range(ByteRange range) {
    return new GetOptions(null, range);
  }
}
