package dev.basin.spi.storage;

/**
 * Lists versions.
 *
 * @param prefix only keys with this prefix
 * @param delimiter roll keys up to common prefixes, or null
 * @param keyMarker start after this key, or (with {@code versionIdMarker}) after that version of it
 * @param versionIdMarker see {@code keyMarker}
 * @param maxKeys the most versions plus common prefixes to return (1–1000)
 */
public record VersionListRequest(
    String prefix, String delimiter, String keyMarker, String versionIdMarker, int maxKeys) {

  public VersionListRequest {
    prefix = prefix == null ? "" : prefix;
    delimiter = delimiter == null || delimiter.isEmpty() ? null : delimiter;
  }
}
