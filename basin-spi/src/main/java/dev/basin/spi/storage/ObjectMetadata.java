package dev.basin.spi.storage;

import java.util.Map;

/**
 * What a writer attaches to an object besides its bytes.
 *
 * @param contentType the MIME type, {@code binary/octet-stream} when none was given (as S3)
 * @param contentEncoding {@code Content-Encoding}, or null
 * @param contentDisposition {@code Content-Disposition}, or null
 * @param cacheControl {@code Cache-Control}, or null
 * @param contentLanguage {@code Content-Language}, or null
 * @param user user metadata ({@code x-amz-meta-*}), names lower-case without the prefix
 * @param tags object tags (lifecycle rules can filter on them)
 */
public record ObjectMetadata(
    String contentType,
    String contentEncoding,
    String contentDisposition,
    String cacheControl,
    String contentLanguage,
    Map<String, String> user,
    Map<String, String> tags) {

  public static final String DEFAULT_CONTENT_TYPE = "binary/octet-stream";

  public ObjectMetadata {
    contentType = contentType == null || contentType.isBlank() ? DEFAULT_CONTENT_TYPE : contentType;
    user = user == null ? Map.of() : Map.copyOf(user);
    tags = tags == null ? Map.of() : Map.copyOf(tags);
  }

  /** No metadata: the default content type and nothing else. */
  public static ObjectMetadata empty() {
    return new ObjectMetadata(null, null, null, null, null, Map.of(), Map.of());
  }

  /** Only a content type. */
  public static ObjectMetadata ofContentType(String contentType) {
    return new ObjectMetadata(contentType, null, null, null, null, Map.of(), Map.of());
  }
}
