package dev.basin.spi.storage;

/**
 * A listing request.
 *
 * @param prefix only keys starting with this (empty for all)
 * @param delimiter roll keys up to common prefixes at the first occurrence after the prefix, or
 *     null
 * @param startAfter return keys (and common prefixes) strictly after this; when it is a common
 *     prefix returned by an earlier page, every key under it is skipped. Null to start at the
 *     beginning.
 * @param maxKeys the most keys plus common prefixes to return (1–1000)
 */
public record ListRequest(String prefix, String delimiter, String startAfter, int maxKeys) {

  public ListRequest {
    prefix = prefix == null ? "" : prefix;
    delimiter = delimiter == null || delimiter.isEmpty() ? null : delimiter;
    if (maxKeys < 0) {
      throw new IllegalArgumentException("maxKeys must be >= 0, was " + maxKeys);
    }
  }

  public static ListRequest prefix(String prefix) {
    return new ListRequest(prefix, null, null, 1000);
  }
}
