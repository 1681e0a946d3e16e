package dev.basin.server.auth;

import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Verifies AWS Signature Version 4 on requests to Basin's AWS-compatible endpoints, in both forms:
 * the {@code Authorization: AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…} header,
 * and the query string of a presigned URL ({@code X-Amz-Algorithm}, {@code X-Amz-Credential},
 * {@code X-Amz-Date}, {@code X-Amz-Expires}, {@code X-Amz-SignedHeaders}, {@code X-Amz-Signature}).
 *
 * <p>The service is taken from the credential scope. For {@code s3} the canonical URI is encoded
 * once and the payload line is the {@code x-amz-content-sha256} header ({@code UNSIGNED-PAYLOAD}
 * and the {@code STREAMING-…} markers are taken as they are, a digest is checked against the body);
 * for every other service the path segments are encoded twice, dot segments removed, and the
 * payload line is the SHA-256 of the body. Any region is accepted. The request time ({@code
 * X-Amz-Date}, else {@code Date}) must be within 15 minutes of the clock, the scope date must be
 * the request's date, and {@code host} must be signed.
 *
 * <p>Thread-safe if {@code secretForAccessKey} is; it is called at most once per request.
 */
public final class SigV4Verifier {
  private static final String CREDENTIAL_FORMAT =
      "\"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\"";
  private static final String S3_HEADER_THREE_COMPONENTS =
      "The authorization header is malformed; the authorization header requires three components:"
          + " Credential, SignedHeaders, and Signature.";
  private static final String S3_QUERY_PARAMETERS =
      "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential,"
          + " X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.";
  private static final String S3_NEEDS_DATE =
      "AWS authentication requires a valid Date or x-amz-date header";
  private static final String S3_UNSUPPORTED_MECHANISM =
      "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.";
  private static final String CONTENT_SHA256_VALUES =
      "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD,"
          + " STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER or a"
          + " valid sha256 value.";

  private final Function<String, Optional<String>> secretForAccessKey;
  private final Clock clock;

  /**
   * @param secretForAccessKey the secret access key of an access key id, empty when the id is not
   *     known
   * @param clock the clock requests' times are checked against
   */
  public SigV4Verifier(Function<String, Optional<String>> secretForAccessKey, Clock clock) {
    this.secretForAccessKey = Objects.requireNonNull(secretForAccessKey, "secretForAccessKey");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** A verifier that knows exactly one key pair. */
  public static SigV4Verifier forCredentials(Credentials credentials, Clock clock) {
    Objects.requireNonNull(credentials, "credentials");
    return new SigV4Verifier(
        id ->
            credentials.accessKeyId().equals(id)
                ? Optional.of(credentials.secretAccessKey())
                : Optional.empty(),
        clock);
  }

  /**
   * Verifies the header form ({@code Authorization: AWS4-HMAC-SHA256 …}) or the query-string form
   * ({@code X-Amz-Algorithm … X-Amz-Signature}) of a request.
   *
   * @return the authenticated principal
   * @throws SigV4Exception if the request is not signed, or not signed correctly by a known key, or
   *     was signed too long ago
   */
  public Principal verify(SignedRequest request) throws SigV4Exception {
    return verifyDetailed(request).principal();
  }

  /**
   * Like {@link #verify} and also returns what is needed to check the chunk signatures of an S3
   * {@code aws-chunked} body.
   *
   * @throws SigV4Exception as {@link #verify} does
   */
  public VerifiedSignature verifyDetailed(SignedRequest request) throws SigV4Exception {
    Objects.requireNonNull(request, "request");
    Map<String, List<String>> headers = SigV4.caseInsensitive(request.headers());
    Map<String, String> query = SigV4.queryParameters(request.rawQuery());
    String authorization = first(headers, "authorization");
    boolean presigned = query.containsKey("X-Amz-Algorithm");
    if (authorization != null && presigned) {
      throw SigV4Exception.bothMechanisms();
    }
    if (authorization == null && !presigned) {
      if (query.containsKey("AWSAccessKeyId") && query.containsKey("Signature")) {
        // A Signature Version 2 presigned URL, which the AWS CLI still makes for custom endpoints.
        String message =
            "Signature Version 2 presigned URLs are not supported; sign with AWS Signature Version"
                + " 4 (AWS4-HMAC-SHA256). With the AWS CLI: aws configure set"
                + " default.s3.signature_version s3v4";
        throw SigV4Exception.incomplete(message, "InvalidRequest", 400, message);
      }
      throw SigV4Exception.missing();
    }
    Auth auth = presigned ? parseQuery(query) : parseHeader(authorization, headers);
    return check(request, headers, auth);
  }

  /** What a request claims about its signature, before it is checked. */
  private record Auth(
      boolean presigned,
      String accessKeyId,
      String scopeDate,
      String region,
      String service,
      List<String> signedHeaders,
      String signature,
      Instant time,
      long expiresSeconds) {}

  private static Auth parseHeader(String authorization, Map<String, List<String>> headers) {
    String trimmed = authorization.strip();
    int space = 0;
    while (space < trimmed.length() && !Character.isWhitespace(trimmed.charAt(space))) {
      space++;
    }
    String scheme = trimmed.substring(0, space);
    if (!scheme.equals(SigV4.ALGORITHM)) {
      // Other schemes (Bearer, Basic, SigV2) carry tokens; never echo them.
      throw SigV4Exception.incomplete(
          "The authorization mechanism '"
              + scheme
              + "' is not supported. Sign requests with AWS Signature Version 4"
              + " (AWS4-HMAC-SHA256).",
          "InvalidRequest",
          400,
          S3_UNSUPPORTED_MECHANISM);
    }
    Map<String, String> params = new HashMap<>();
    // Like AWS, commas and whitespace both separate the parameters.
    for (String piece : trimmed.substring(space).split("[,\\s]+")) {
      String pair = piece.strip();
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      if (eq < 0) {
        throw SigV4Exception.incomplete(
            "'"
                + pair
                + "' not a valid key=value pair (missing equal-sign) in Authorization header: '"
                + trimmed
                + "'.",
            false,
            S3_HEADER_THREE_COMPONENTS);
      }
      params.putIfAbsent(pair.substring(0, eq).strip(), pair.substring(eq + 1).strip());
    }

    String amzDate = first(headers, "x-amz-date");
    String date = first(headers, "date");
    StringBuilder missing = new StringBuilder();
    for (String name : List.of("Credential", "Signature", "SignedHeaders")) {
      if (params.getOrDefault(name, "").isEmpty()) {
        missing.append("Authorization header requires '").append(name).append("' parameter. ");
      }
    }
    boolean paramsMissing = missing.length() > 0;
    if (amzDate == null && date == null) {
      missing.append(
          "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ");
    }
    if (missing.length() > 0) {
      String message = missing + "Authorization=" + trimmed;
      throw paramsMissing
          ? SigV4Exception.incomplete(message, false, S3_HEADER_THREE_COMPONENTS)
          : SigV4Exception.incomplete(message, "AccessDenied", 403, S3_NEEDS_DATE);
    }

    Instant time;
    String dateValue = amzDate != null ? amzDate.strip() : date.strip();
    try {
      time = amzDate != null ? SigV4.parseAmzDate(dateValue) : SigV4.parseHttpDate(dateValue);
    } catch (DateTimeParseException e) {
      throw SigV4Exception.incomplete(
          "Date must be in ISO-8601 'basic format'. Got '"
              + dateValue
              + "'. See http://en.wikipedia.org/wiki/ISO_8601",
          "AccessDenied",
          403,
          S3_NEEDS_DATE);
    }
    String[] scope = parseCredential(params.get("Credential"), false);
    return new Auth(
        false,
        scope[0],
        scope[1],
        scope[2],
        scope[3],
        parseSignedHeaders(params.get("SignedHeaders")),
        params.get("Signature"),
        time,
        0);
  }

  private static Auth parseQuery(Map<String, String> query) {
    StringBuilder missing = new StringBuilder();
    for (String name :
        List.of(
            "X-Amz-Algorithm",
            "X-Amz-Credential",
            "X-Amz-Signature",
            "X-Amz-SignedHeaders",
            "X-Amz-Date")) {
      if (query.getOrDefault(name, "").isEmpty()) {
        missing.append("AWS query-string parameters must include '").append(name).append("'. ");
      }
    }
    if (missing.length() > 0) {
      throw SigV4Exception.incomplete(
          missing + "Re-examine the query-string parameters.", true, S3_QUERY_PARAMETERS);
    }
    String algorithm = query.get("X-Amz-Algorithm");
    if (!algorithm.equals(SigV4.ALGORITHM)) {
      throw SigV4Exception.incomplete(
          "Unsupported AWS 'algorithm': '"
              + algorithm
              + "'. Sign requests with AWS Signature Version 4 (AWS4-HMAC-SHA256).",
          true,
          "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"");
    }
    String[] scope = parseCredential(query.get("X-Amz-Credential"), true);

    String dateValue = query.get("X-Amz-Date");
    Instant time;
    try {
      time = SigV4.parseAmzDate(dateValue);
    } catch (DateTimeParseException e) {
      throw SigV4Exception.incomplete(
          "Date must be in ISO-8601 'basic format'. Got '"
              + dateValue
              + "'. See http://en.wikipedia.org/wiki/ISO_8601",
          true,
          "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"");
    }

    String expires = query.get("X-Amz-Expires");
    long expiresSeconds;
    if (expires == null || expires.isEmpty()) {
      if (SigV4.isS3(scope[3])) {
        throw SigV4Exception.incomplete(
            "AWS query-string parameters must include 'X-Amz-Expires'. Re-examine the query-string"
                + " parameters.",
            true,
            S3_QUERY_PARAMETERS);
      }
      // Other services treat a presigned URL without an expiry like a signed header.
      expiresSeconds = SigV4.MAX_SKEW.toSeconds();
    } else {
      expiresSeconds = parseExpires(expires);
    }
    return new Auth(
        true,
        scope[0],
        scope[1],
        scope[2],
        scope[3],
        parseSignedHeaders(query.get("X-Amz-SignedHeaders")),
        query.get("X-Amz-Signature"),
        time,
        expiresSeconds);
  }

  private static long parseExpires(String expires) {
    long seconds;
    try {
      seconds = Long.parseLong(expires);
    } catch (NumberFormatException e) {
      throw SigV4Exception.incomplete(
          "X-Amz-Expires should be a number, got '" + expires + "'.",
          true,
          "X-Amz-Expires should be a number");
    }
    if (seconds < 1) {
      String message =
          seconds < 0
              ? "X-Amz-Expires must be non-negative"
              : "X-Amz-Expires must be at least 1 second";
      throw SigV4Exception.incomplete(message + ", got '" + expires + "'.", true, message);
    }
    if (seconds > SigV4.MAX_EXPIRES_SECONDS) {
      String message =
          "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires"
              + " must be less than 604800 seconds";
      throw SigV4Exception.incomplete(message + ", got '" + expires + "'.", true, message);
    }
    return seconds;
  }

  /** Splits {@code AKID/YYYYMMDD/REGION/SERVICE/aws4_request}. */
  private static String[] parseCredential(String credential, boolean query) {
    String[] parts = credential.split("/", -1);
    boolean wellFormed =
        parts.length == 5
            && !parts[0].isEmpty()
            && !parts[1].isEmpty()
            && !parts[2].isEmpty()
            && !parts[3].isEmpty();
    String s3Message =
        query
            ? "Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; expecting "
                + CREDENTIAL_FORMAT
                + "."
            : "The authorization header is malformed; the Credential is mal-formed; expecting "
                + CREDENTIAL_FORMAT
                + ".";
    if (!wellFormed) {
      throw SigV4Exception.incomplete(
          "Credential is malformed; expecting " + CREDENTIAL_FORMAT + ", got '" + credential + "'.",
          query,
          s3Message);
    }
    if (!parts[4].equals(SigV4.TERMINATOR)) {
      throw SigV4Exception.incomplete(
          "Credential should be scoped with a valid terminator: 'aws4_request', not '"
              + parts[4]
              + "'.",
          query,
          s3Message);
    }
    return parts;
  }

  private static List<String> parseSignedHeaders(String signedHeaders) {
    List<String> names = new ArrayList<>();
    for (String name : signedHeaders.split(";")) {
      String trimmed = name.strip();
      if (!trimmed.isEmpty()) {
        names.add(trimmed.toLowerCase(Locale.ROOT));
      }
    }
    return names;
  }

  private VerifiedSignature check(
      SignedRequest request, Map<String, List<String>> headers, Auth auth) {
    String amzDate = SigV4.AMZ_DATE.format(auth.time());
    String requestDate = amzDate.substring(0, 8);
    if (!auth.scopeDate().equals(requestDate)) {
      throw SigV4Exception.scopeDateMismatch(
          auth.scopeDate(), requestDate, amzDate, auth.presigned());
    }
    if (!auth.signedHeaders().contains("host")) {
      throw SigV4Exception.hostNotSigned();
    }

    Instant now = clock.instant();
    if (auth.presigned()) {
      if (auth.time().isAfter(now.plus(SigV4.MAX_SKEW))) {
        throw SigV4Exception.skewed(auth.time(), now, true);
      }
      if (now.isAfter(auth.time().plusSeconds(auth.expiresSeconds()))) {
        throw SigV4Exception.expired(auth.time(), auth.expiresSeconds(), now);
      }
    } else if (auth.time().isBefore(now.minus(SigV4.MAX_SKEW))
        || auth.time().isAfter(now.plus(SigV4.MAX_SKEW))) {
      throw SigV4Exception.skewed(auth.time(), now, false);
    }

    Optional<String> secret = secretForAccessKey.apply(auth.accessKeyId());
    if (secret == null || secret.isEmpty()) {
      throw SigV4Exception.unknownKey(auth.accessKeyId());
    }

    boolean s3 = SigV4.isS3(auth.service());
    List<String> payloadHashes = payloadHashes(request, headers, auth, s3);
    String canonicalPrefix =
        request.method()
            + '\n'
            + SigV4.canonicalUri(request.rawPath(), s3)
            + '\n'
            + SigV4.canonicalQuery(request.rawQuery(), auth.presigned())
            + '\n'
            + SigV4.canonicalHeaders(auth.signedHeaders(), headers)
            + '\n'
            + String.join(";", auth.signedHeaders())
            + '\n';
    String scope = SigV4.scope(auth.scopeDate(), auth.region(), auth.service());
    byte[] signingKey =
        SigV4.signingKey(secret.get(), auth.scopeDate(), auth.region(), auth.service());

    String matched = null;
    for (String payloadHash : payloadHashes) {
      String stringToSign = SigV4.stringToSign(amzDate, scope, canonicalPrefix + payloadHash);
      if (SigV4.sameSignature(SigV4.signature(signingKey, stringToSign), auth.signature())) {
        matched = payloadHash;
        break;
      }
    }
    if (matched == null) {
      String canonicalRequest = canonicalPrefix + payloadHashes.get(0);
      throw SigV4Exception.badSignature(
          auth.accessKeyId(),
          canonicalRequest,
          SigV4.stringToSign(amzDate, scope, canonicalRequest),
          auth.signature());
    }
    if (s3 && SigV4.isSha256Hex(matched) && request.body() != null) {
      String computed = SigV4.sha256Hex(request.body());
      if (!computed.equalsIgnoreCase(matched)) {
        throw SigV4Exception.payloadHashMismatch(matched, computed);
      }
    }
    return new VerifiedSignature(
        new Principal(auth.accessKeyId(), auth.region(), auth.service()),
        amzDate,
        scope,
        matched,
        auth.signature(),
        signingKey);
  }

  /** The payload lines to try, the most likely first. */
  private static List<String> payloadHashes(
      SignedRequest request, Map<String, List<String>> headers, Auth auth, boolean s3) {
    if (!s3) {
      String bodyHash = SigV4.sha256Hex(request.body());
      // A presigned URL cannot know its body: accept the body's hash or UNSIGNED-PAYLOAD.
      return auth.presigned() ? List.of(bodyHash, SigV4.UNSIGNED_PAYLOAD) : List.of(bodyHash);
    }
    String contentSha256 = first(headers, SigV4.CONTENT_SHA256);
    if (contentSha256 == null) {
      if (auth.presigned()) {
        return List.of(SigV4.UNSIGNED_PAYLOAD);
      }
      String message = "Missing required header for this request: x-amz-content-sha256";
      throw SigV4Exception.incomplete(message, "InvalidRequest", 400, message);
    }
    String value = contentSha256.strip();
    if (!value.equals(SigV4.UNSIGNED_PAYLOAD)
        && !value.startsWith(SigV4.STREAMING_PREFIX)
        && !SigV4.isSha256Hex(value)) {
      throw SigV4Exception.incomplete(
          CONTENT_SHA256_VALUES, "InvalidArgument", 400, CONTENT_SHA256_VALUES);
    }
    return List.of(value);
  }

  private static String first(Map<String, List<String>> headers, String name) {
    List<String> values = headers.get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }
}
