package dev.basin.server.auth;

import dev.basin.common.error.BasinException;
import dev.basin.common.error.CommonErrorCode;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A request failed SigV4 authentication. It carries the answer for both protocol families, so that
 * each adapter picks its own without re-deciding:
 *
 * <ul>
 *   <li>{@link #awsCode()}, {@link #httpStatus()} and {@link #getMessage()} are what the AWS JSON
 *       protocols (Kinesis, Firehose, Glue, Athena) answer, e.g. {@code
 *       {"__type":"InvalidSignatureException","message":"…"}} with status 400;
 *   <li>{@link #s3Code()}, {@link #s3HttpStatus()}, {@link #s3Message()} and {@link #s3Details()}
 *       are the S3 REST answer: {@code <Error><Code>…</Code><Message>…</Message>} followed by one
 *       element per detail, e.g. {@code <RequestTime>} and {@code <ServerTime>} for {@code
 *       RequestTimeTooSkewed};
 *   <li>{@link #reason()} is the protocol-neutral cause, for adapters of other protocols and for
 *       metrics.
 * </ul>
 *
 * <p>No message or detail ever contains a secret access key or the signature the server expected;
 * it may contain the canonical request and string to sign the server computed, as AWS does, which
 * are derived from the request alone.
 */
public final class SigV4Exception extends BasinException {
  private static final long serialVersionUID = 1L;

  private static final String SIGNATURE_MISMATCH =
      "The request signature we calculated does not match the signature you provided.";
  private static final DateTimeFormatter ISO_SECONDS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'").withZone(java.time.ZoneOffset.UTC);

  /** The protocol-neutral cause of an authentication failure. */
  public enum Reason {
    /** Neither an {@code Authorization} header nor {@code X-Amz-Algorithm} query parameter. */
    MISSING,
    /** The signature information is incomplete, malformed or contradicts itself. */
    MALFORMED,
    /** A header that must be signed ({@code host}) is not among the signed headers. */
    UNSIGNED_HEADERS,
    /** The access key id is not known. */
    UNKNOWN_KEY,
    /** The signature does not match: wrong secret, or the request was changed after signing. */
    BAD_SIGNATURE,
    /** S3: the body does not hash to the signed {@code x-amz-content-sha256}. */
    PAYLOAD_HASH_MISMATCH,
    /** The request time is more than 15 minutes from the server's clock. */
    SKEWED,
    /** A presigned request is used after {@code X-Amz-Date + X-Amz-Expires}. */
    EXPIRED
  }

  private final Reason reason;
  private final String awsCode;
  private final int httpStatus;
  private final String s3Code;
  private final int s3HttpStatus;
  private final String s3Message;
  private final Map<String, String> s3Details;

  private SigV4Exception(
      Reason reason,
      String awsCode,
      int httpStatus,
      String message,
      String s3Code,
      int s3HttpStatus,
      String s3Message,
      Map<String, String> s3Details) {
    super(CommonErrorCode.UNAUTHENTICATED, message);
    this.reason = Objects.requireNonNull(reason, "reason");
    this.awsCode = awsCode;
    this.httpStatus = httpStatus;
    this.s3Code = s3Code;
    this.s3HttpStatus = s3HttpStatus;
    this.s3Message = s3Message;
    this.s3Details = Collections.unmodifiableMap(new LinkedHashMap<>(s3Details));
  }

  /** The protocol-neutral cause. */
  public Reason reason() {
    return reason;
  }

  /** The error code a JSON-protocol AWS service (Kinesis) returns, e.g. {@code __type}. */
  public String awsCode() {
    return awsCode;
  }

  /** The HTTP status a JSON-protocol AWS service (Kinesis) returns with {@link #awsCode()}. */
  public int httpStatus() {
    return httpStatus;
  }

  /** The S3 error code, e.g. {@code SignatureDoesNotMatch}. */
  public String s3Code() {
    return s3Code;
  }

  /** The HTTP status S3 returns with {@link #s3Code()}. */
  public int s3HttpStatus() {
    return s3HttpStatus;
  }

  /** The S3 error message, which often differs in wording from {@link #getMessage()}. */
  public String s3Message() {
    return s3Message;
  }

  /** Extra elements of the S3 {@code <Error>} document, in order; element name to text. */
  public Map<String, String> s3Details() {
    return s3Details;
  }

  // ---------------------------------------------------------------- factories

  static SigV4Exception missing() {
    return new SigV4Exception(
        Reason.MISSING,
        "MissingAuthenticationTokenException",
        400,
        "Missing Authentication Token",
        "AccessDenied",
        403,
        "Access Denied",
        Map.of());
  }

  static SigV4Exception bothMechanisms() {
    return new SigV4Exception(
        Reason.MALFORMED,
        "InvalidSignatureException",
        400,
        "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.",
        "InvalidArgument",
        400,
        "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query"
            + " string parameter or the Authorization header should be specified",
        Map.of());
  }

  /**
   * The signature information is incomplete or malformed. JSON services answer {@code
   * IncompleteSignatureException}; S3 answers {@code AuthorizationHeaderMalformed} for the header
   * form and {@code AuthorizationQueryParametersError} for presigned URLs unless told otherwise.
   */
  static SigV4Exception incomplete(String message, boolean query, String s3Message) {
    return new SigV4Exception(
        Reason.MALFORMED,
        "IncompleteSignatureException",
        400,
        message,
        query ? "AuthorizationQueryParametersError" : "AuthorizationHeaderMalformed",
        400,
        s3Message,
        Map.of());
  }

  /** Like {@link #incomplete} with an explicit S3 code and status. */
  static SigV4Exception incomplete(
      String message, String s3Code, int s3HttpStatus, String s3Message) {
    return new SigV4Exception(
        Reason.MALFORMED,
        "IncompleteSignatureException",
        400,
        message,
        s3Code,
        s3HttpStatus,
        s3Message,
        Map.of());
  }

  static SigV4Exception scopeDateMismatch(
      String scopeDate, String requestDate, String amzDate, boolean query) {
    return new SigV4Exception(
        Reason.MALFORMED,
        "InvalidSignatureException",
        400,
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '"
            + scopeDate
            + "' != '"
            + requestDate
            + "', from '"
            + amzDate
            + "'.",
        query ? "AuthorizationQueryParametersError" : "AuthorizationHeaderMalformed",
        400,
        query
            ? "Invalid credential date \""
                + scopeDate
                + "\". This date is not the same as X-Amz-Date: \""
                + requestDate
                + "\"."
            : "The authorization header is malformed; Invalid credential date. Date is not the same"
                + " as X-Amz-Date.",
        Map.of());
  }

  static SigV4Exception hostNotSigned() {
    return new SigV4Exception(
        Reason.UNSIGNED_HEADERS,
        "IncompleteSignatureException",
        400,
        "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
        "AccessDenied",
        403,
        "There were headers present in the request which were not signed",
        Map.of("HeadersNotSigned", "host"));
  }

  static SigV4Exception unknownKey(String accessKeyId) {
    return new SigV4Exception(
        Reason.UNKNOWN_KEY,
        "UnrecognizedClientException",
        400,
        "The security token included in the request is invalid.",
        "InvalidAccessKeyId",
        403,
        "The AWS Access Key Id you provided does not exist in our records.",
        Map.of("AWSAccessKeyId", accessKeyId));
  }

  static SigV4Exception badSignature(
      String accessKeyId, String canonicalRequest, String stringToSign, String provided) {
    Map<String, String> details = new LinkedHashMap<>();
    details.put("AWSAccessKeyId", accessKeyId);
    details.put("StringToSign", stringToSign);
    details.put("SignatureProvided", provided);
    details.put("CanonicalRequest", canonicalRequest);
    return new SigV4Exception(
        Reason.BAD_SIGNATURE,
        "InvalidSignatureException",
        400,
        SIGNATURE_MISMATCH
            + " Check your AWS Secret Access Key and signing method. Consult the service"
            + " documentation for details.\n\nThe Canonical String for this request should have"
            + " been\n'"
            + canonicalRequest
            + "'\n\nThe String-to-Sign should have been\n'"
            + stringToSign
            + "'\n",
        "SignatureDoesNotMatch",
        403,
        SIGNATURE_MISMATCH + " Check your key and signing method.",
        details);
  }

  static SigV4Exception payloadHashMismatch(String claimed, String computed) {
    Map<String, String> details = new LinkedHashMap<>();
    details.put("ClientComputedContentSHA256", claimed);
    details.put("S3ComputedContentSHA256", computed);
    return new SigV4Exception(
        Reason.PAYLOAD_HASH_MISMATCH,
        "InvalidSignatureException",
        400,
        "The provided 'x-amz-content-sha256' header does not match what was computed.",
        "XAmzContentSHA256Mismatch",
        400,
        "The provided 'x-amz-content-sha256' header does not match what was computed.",
        details);
  }

  /**
   * The request time is outside the 15-minute window around the server clock. The JSON message
   * follows AWS: {@code Signature expired: 20240101T000000Z is now earlier than 20240101T000500Z
   * (20240101T002000Z - 15 min.)}, or {@code Signature not yet current: … is still later than … (…
   * + 15 min.)} for a request from the future.
   */
  static SigV4Exception skewed(Instant requestTime, Instant now, boolean query) {
    boolean future = requestTime.isAfter(now);
    String message =
        future
            ? "Signature not yet current: "
                + SigV4.AMZ_DATE.format(requestTime)
                + " is still later than "
                + SigV4.AMZ_DATE.format(now.plus(SigV4.MAX_SKEW))
                + " ("
                + SigV4.AMZ_DATE.format(now)
                + " + 15 min.)"
            : "Signature expired: "
                + SigV4.AMZ_DATE.format(requestTime)
                + " is now earlier than "
                + SigV4.AMZ_DATE.format(now.minus(SigV4.MAX_SKEW))
                + " ("
                + SigV4.AMZ_DATE.format(now)
                + " - 15 min.)";
    Map<String, String> details = new LinkedHashMap<>();
    details.put("RequestTime", SigV4.AMZ_DATE.format(requestTime));
    details.put("ServerTime", ISO_SECONDS.format(now));
    if (query) {
      return new SigV4Exception(
          Reason.SKEWED,
          "InvalidSignatureException",
          400,
          message,
          "AccessDenied",
          403,
          future ? "Request is not valid yet" : "Request has expired",
          details);
    }
    details.put("MaxAllowedSkewMilliseconds", Long.toString(SigV4.MAX_SKEW.toMillis()));
    return new SigV4Exception(
        Reason.SKEWED,
        "InvalidSignatureException",
        400,
        message,
        "RequestTimeTooSkewed",
        403,
        "The difference between the request time and the current time is too large.",
        details);
  }

  /**
   * A presigned request is used after {@code X-Amz-Date + X-Amz-Expires}. The JSON message has the
   * shape of AWS's skew message: {@code Signature expired: 20240101T000000Z is now earlier than
   * 20240101T000500Z (20240101T001000Z - 300 sec.)}.
   */
  static SigV4Exception expired(Instant requestTime, long expiresSeconds, Instant now) {
    Instant expiry = requestTime.plusSeconds(expiresSeconds);
    Map<String, String> details = new LinkedHashMap<>();
    details.put("X-Amz-Expires", Long.toString(expiresSeconds));
    details.put("Expires", ISO_SECONDS.format(expiry));
    details.put("ServerTime", ISO_SECONDS.format(now));
    return new SigV4Exception(
        Reason.EXPIRED,
        "InvalidSignatureException",
        400,
        "Signature expired: "
            + SigV4.AMZ_DATE.format(requestTime)
            + " is now earlier than "
            + SigV4.AMZ_DATE.format(now.minusSeconds(expiresSeconds))
            + " ("
            + SigV4.AMZ_DATE.format(now)
            + " - "
            + expiresSeconds
            + " sec.)",
        "AccessDenied",
        403,
        "Request has expired",
        details);
  }
}
