package dev.basin.server.auth;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An HTTP request as {@link SigV4Verifier} needs to see it, independent of the HTTP framework.
 *
 * @param method the request method, e.g. {@code POST}
 * @param rawPath the path exactly as it arrived, still percent-encoded, e.g. {@code /bucket/a%20b}
 * @param rawQuery the query string exactly as it arrived, without the {@code ?}; {@code null} or
 *     empty when there is none
 * @param headers the request headers; names in any case, repeated names allowed
 * @param body the request body. {@code null} is an empty body, except for S3 requests whose {@code
 *     x-amz-content-sha256} is a digest: there {@code null} means "not buffered", and the caller
 *     must check the digest itself while it streams the body. The array is not copied.
 */
public record SignedRequest(
    String method,
    String rawPath,
    String rawQuery,
    Map<String, List<String>> headers,
    byte[] body) {
  public SignedRequest {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(rawPath, "rawPath");
    Objects.requireNonNull(headers, "headers");
  }

  /** Shows header names but not values, which may carry tokens, and the body's length only. */
  @Override
  public String toString() {
    return "SignedRequest["
        + method
        + " "
        + rawPath
        + (rawQuery == null || rawQuery.isEmpty() ? "" : "?" + rawQuery)
        + ", headers="
        + headers.keySet()
        + ", body="
        + (body == null ? "null" : body.length + " bytes")
        + "]";
  }
}
