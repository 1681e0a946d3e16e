package dev.basin.server.auth;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Signs requests with AWS Signature Version 4, for Basin's own clients (CLI, data generator,
 * benchmark producers) talking to Basin or to AWS. Immutable and thread-safe.
 */
public final class SigV4Signer {
  /**
   * Headers that are not signed even when passed to {@link #sign}: they are set or changed by HTTP
   * clients and proxies on the way, or are produced by the signer itself.
   */
  private static final Set<String> UNSIGNED_HEADERS =
      Set.of(
          "authorization",
          "connection",
          "expect",
          "keep-alive",
          "proxy-authorization",
          "te",
          "trailer",
          "transfer-encoding",
          "upgrade",
          "user-agent",
          "x-amzn-trace-id",
          "host",
          "x-amz-date");

  private final Credentials credentials;
  private final String region;
  private final String service;

  /**
   * @param credentials the key pair to sign with
   * @param region the region of the credential scope, e.g. {@code us-east-1}
   * @param service the service of the credential scope, e.g. {@code kinesis} or {@code s3}
   */
  public SigV4Signer(Credentials credentials, String region, String service) {
    this.credentials = Objects.requireNonNull(credentials, "credentials");
    this.region = requireScopePart(region, "region");
    this.service = requireScopePart(service, "service");
  }

  private static String requireScopePart(String value, String what) {
    Objects.requireNonNull(value, what);
    if (value.isBlank() || value.indexOf('/') >= 0) {
      throw new IllegalArgumentException(
          what + " must be non-blank and must not contain '/', got '" + value + "'");
    }
    return value;
  }

  /**
   * Signs a request in the header form. Every header in {@code headers} is signed except those an
   * HTTP client may rewrite ({@code Connection}, {@code Transfer-Encoding}, {@code Expect}, {@code
   * User-Agent}, …), together with {@code host} (taken from {@code uri}: host, plus the port when
   * it is not the scheme's default) and {@code x-amz-date}. For service {@code s3} the payload line
   * is {@code headers}' {@code x-amz-content-sha256} when given (e.g. {@code UNSIGNED-PAYLOAD}),
   * else the SHA-256 of the body; for other services it is the SHA-256 of the body.
   *
   * @param headers the headers the request will be sent with; {@code Authorization}, {@code Host}
   *     and {@code X-Amz-Date} in it are ignored
   * @param body the body, {@code null} for none
   * @return the headers to add, in this order: {@code Authorization}, {@code X-Amz-Date}, and for
   *     {@code s3} {@code x-amz-content-sha256} unless {@code headers} has it
   */
  public Map<String, String> sign(
      String method, URI uri, Map<String, String> headers, byte[] body, Instant now) {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(uri, "uri");
    Objects.requireNonNull(now, "now");
    boolean s3 = SigV4.isS3(service);
    String amzDate = SigV4.AMZ_DATE.format(now);

    TreeMap<String, List<String>> signed = new TreeMap<>();
    if (headers != null) {
      headers.forEach(
          (name, value) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (!UNSIGNED_HEADERS.contains(lower) && value != null) {
              signed.computeIfAbsent(lower, n -> new ArrayList<>()).add(value);
            }
          });
    }
    signed.put("host", List.of(hostHeader(uri)));
    signed.put("x-amz-date", List.of(amzDate));

    Map<String, String> result = new LinkedHashMap<>();
    String payloadHash;
    if (s3) {
      List<String> given = signed.get(SigV4.CONTENT_SHA256);
      if (given != null) {
        payloadHash = SigV4.normalizeHeaderValue(given.get(0));
      } else {
        payloadHash = SigV4.sha256Hex(body);
        signed.put(SigV4.CONTENT_SHA256, List.of(payloadHash));
      }
    } else {
      payloadHash = SigV4.sha256Hex(body);
    }

    List<String> names = new ArrayList<>(signed.keySet());
    String signedHeaders = String.join(";", names);
    String date = amzDate.substring(0, 8);
    String scope = SigV4.scope(date, region, service);
    String canonicalRequest =
        SigV4.canonicalRequest(
            method,
            SigV4.canonicalUri(uri.getRawPath(), s3),
            SigV4.canonicalQuery(uri.getRawQuery(), false),
            SigV4.canonicalHeaders(names, signed),
            signedHeaders,
            payloadHash);
    String signature =
        SigV4.signature(
            SigV4.signingKey(credentials.secretAccessKey(), date, region, service),
            SigV4.stringToSign(amzDate, scope, canonicalRequest));

    result.put(
        "Authorization",
        SigV4.ALGORITHM
            + " Credential="
            + credentials.accessKeyId()
            + '/'
            + scope
            + ", SignedHeaders="
            + signedHeaders
            + ", Signature="
            + signature);
    result.put("X-Amz-Date", amzDate);
    if (s3 && (headers == null || !containsIgnoreCase(headers, SigV4.CONTENT_SHA256))) {
      result.put(SigV4.CONTENT_SHA256, payloadHash);
    }
    return result;
  }

  /**
   * A presigned URL: {@code uri} with {@code X-Amz-Algorithm}, {@code X-Amz-Credential}, {@code
   * X-Amz-Date}, {@code X-Amz-Expires}, {@code X-Amz-SignedHeaders=host} and {@code
   * X-Amz-Signature} appended to its query. Only {@code host} is signed. The payload line is {@code
   * UNSIGNED-PAYLOAD} for {@code s3} and the hash of an empty body otherwise.
   *
   * @param expires how long the URL is valid, 1 second to 7 days
   * @throws IllegalArgumentException if {@code expires} is out of range
   */
  public URI presign(String method, URI uri, Duration expires, Instant now) {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(uri, "uri");
    Objects.requireNonNull(expires, "expires");
    Objects.requireNonNull(now, "now");
    long seconds = expires.getSeconds();
    if (seconds < 1 || seconds > SigV4.MAX_EXPIRES_SECONDS || expires.getNano() != 0) {
      throw new IllegalArgumentException(
          "expires must be a whole number of seconds from 1 to "
              + SigV4.MAX_EXPIRES_SECONDS
              + " (7 days), got "
              + expires);
    }
    boolean s3 = SigV4.isS3(service);
    String amzDate = SigV4.AMZ_DATE.format(now);
    String date = amzDate.substring(0, 8);
    String scope = SigV4.scope(date, region, service);

    String existing = uri.getRawQuery();
    StringBuilder query = new StringBuilder();
    if (existing != null && !existing.isEmpty()) {
      query.append(existing).append('&');
    }
    query
        .append("X-Amz-Algorithm=")
        .append(SigV4.ALGORITHM)
        .append("&X-Amz-Credential=")
        .append(SigV4.uriEncode(credentials.accessKeyId() + '/' + scope, false))
        .append("&X-Amz-Date=")
        .append(amzDate)
        .append("&X-Amz-Expires=")
        .append(seconds)
        .append("&X-Amz-SignedHeaders=host");

    List<String> names = List.of("host");
    String canonicalRequest =
        SigV4.canonicalRequest(
            method,
            SigV4.canonicalUri(uri.getRawPath(), s3),
            SigV4.canonicalQuery(query.toString(), false),
            SigV4.canonicalHeaders(names, Map.of("host", List.of(hostHeader(uri)))),
            "host",
            s3 ? SigV4.UNSIGNED_PAYLOAD : SigV4.EMPTY_SHA256);
    String signature =
        SigV4.signature(
            SigV4.signingKey(credentials.secretAccessKey(), date, region, service),
            SigV4.stringToSign(amzDate, scope, canonicalRequest));
    query.append("&X-Amz-Signature=").append(signature);

    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    return URI.create(uri.getScheme() + "://" + uri.getRawAuthority() + path + '?' + query);
  }

  /** The {@code Host} header an HTTP client sends for {@code uri}. */
  static String hostHeader(URI uri) {
    String host = uri.getHost();
    if (host == null) {
      throw new IllegalArgumentException("uri must be absolute with a host, got " + uri);
    }
    int port = uri.getPort();
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    boolean defaultPort =
        port == -1
            || (scheme.equals("http") && port == 80)
            || (scheme.equals("https") && port == 443);
    return defaultPort ? host : host + ':' + port;
  }

  private static boolean containsIgnoreCase(Map<String, String> headers, String name) {
    for (String key : headers.keySet()) {
      if (key.equalsIgnoreCase(name)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return "SigV4Signer[accessKeyId="
        + credentials.accessKeyId()
        + ", region="
        + region
        + ", service="
        + service
        + "]";
  }
}
