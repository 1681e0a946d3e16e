package dev.basin.spi.storage;

/**
 * Lists uploads in progress.
 *
 * @param prefix only keys with this prefix
 * @param keyMarker start after this key (with {@code uploadIdMarker}, after that upload of it)
 * @param uploadIdMarker see {@code keyMarker}
 * @param maxUploads the most to return (1–1000)
 */
public record UploadsRequest(
    String prefix, String keyMarker, String uploadIdMarker, int maxUploads) {

  public UploadsRequest {
    prefix = prefix == null ? "" : prefix;
  }
}
