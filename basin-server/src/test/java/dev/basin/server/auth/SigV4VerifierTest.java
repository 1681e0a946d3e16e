package dev.basin.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.basin.server.auth.SigV4Exception.Reason;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The verifier against the examples AWS publishes (the SigV4 documentation, the SigV4 test suite,
 * the S3 signing documentation) and against every way a request can fail.
 */
class SigV4VerifierTest {
  // The example key pairs of the AWS documentation.
  static final Credentials IAM_EXAMPLE =
      new Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
  static final Credentials S3_EXAMPLE =
      new Credentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");

  static final Instant SUITE_TIME = Instant.parse("2015-08-30T12:36:00Z");
  static final Instant S3_TIME = Instant.parse("2013-05-24T00:00:00Z");
  static final String EMPTY_SHA256 =
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

  static SigV4Verifier verifier(Credentials credentials, Instant now) {
    return SigV4Verifier.forCredentials(credentials, Clock.fixed(now, ZoneOffset.UTC));
  }

  /** Headers from name, value pairs, keeping order and case. */
  static Map<String, List<String>> headers(String... nameValues) {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (int i = 0; i < nameValues.length; i += 2) {
      headers
          .computeIfAbsent(nameValues[i], n -> new java.util.ArrayList<>())
          .add(nameValues[i + 1]);
    }
    return headers;
  }

  static SigV4Exception failure(SigV4Verifier verifier, SignedRequest request) {
    try {
      verifier.verify(request);
    } catch (SigV4Exception e) {
      return e;
    }
    return fail("expected the request to be rejected: " + request);
  }

  // ---------------------------------------------------------------- published examples

  /** The IAM ListUsers GET of the SigV4 documentation ("Create a signed AWS API request"). */
  static SignedRequest listUsers(String signature) {
    return new SignedRequest(
        "GET",
        "/",
        "Action=ListUsers&Version=2010-05-08",
        headers(
            "Host", "iam.amazonaws.com",
            "Content-Type", "application/x-www-form-urlencoded; charset=utf-8",
            "X-Amz-Date", "20150830T123600Z",
            "Authorization",
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request,"
                    + " SignedHeaders=content-type;host;x-amz-date, Signature="
                    + signature),
        new byte[0]);
  }

  static final String LIST_USERS_SIGNATURE =
      "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7";

  @Test
  void acceptsTheDocumentedIamListUsersRequest() {
    Principal principal = verifier(IAM_EXAMPLE, SUITE_TIME).verify(listUsers(LIST_USERS_SIGNATURE));

    assertThat(principal).isEqualTo(new Principal("AKIDEXAMPLE", "us-east-1", "iam"));
  }

  @Test
  void acceptsTheSigV4TestSuiteVectors() {
    SigV4Verifier verifier = verifier(IAM_EXAMPLE, SUITE_TIME);
    // name, method, path, query, signature (aws-sig-v4-test-suite, service "service")
    String[][] vectors = {
      {
        "get-vanilla",
        "GET",
        "/",
        null,
        "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
      },
      {
        "post-vanilla",
        "POST",
        "/",
        null,
        "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"
      },
      {
        "get-vanilla-query-order-key-case",
        "GET",
        "/",
        "Param2=value2&Param1=value1",
        "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"
      },
      {
        "get-unreserved",
        "GET",
        "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
        null,
        "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f"
      },
    };
    for (String[] v : vectors) {
      SignedRequest request =
          new SignedRequest(
              v[1],
              v[2],
              v[3],
              headers(
                  "Host", "example.amazonaws.com",
                  "X-Amz-Date", "20150830T123600Z",
                  "Authorization",
                      "AWS4-HMAC-SHA256"
                          + " Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request,"
                          + " SignedHeaders=host;x-amz-date, Signature="
                          + v[4]),
              null);
      assertThat(verifier.verify(request).service()).as(v[0]).isEqualTo("service");
    }
  }

  static SignedRequest s3GetObject(String path) {
    return new SignedRequest(
        "GET",
        path,
        null,
        headers(
            "Host", "examplebucket.s3.amazonaws.com",
            "Range", "bytes=0-9",
            "x-amz-content-sha256", EMPTY_SHA256,
            "x-amz-date", "20130524T000000Z",
            "Authorization",
                "AWS4-HMAC-SHA256"
                    + " Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
                    + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
                    + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"),
        new byte[0]);
  }

  static SignedRequest s3PutObject(String path, String body) {
    return new SignedRequest(
        "PUT",
        path,
        null,
        headers(
            "Host", "examplebucket.s3.amazonaws.com",
            "Date", "Fri, 24 May 2013 00:00:00 GMT",
            "x-amz-date", "20130524T000000Z",
            "x-amz-storage-class", "REDUCED_REDUNDANCY",
            "x-amz-content-sha256",
                "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072",
            "Authorization",
                "AWS4-HMAC-SHA256"
                    + " Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
                    + "SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class,"
                    + "Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"),
        body == null ? null : body.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void acceptsTheDocumentedS3Examples() {
    SigV4Verifier verifier = verifier(S3_EXAMPLE, S3_TIME);

    assertThat(verifier.verify(s3GetObject("/test.txt")))
        .isEqualTo(new Principal("AKIAIOSFODNN7EXAMPLE", "us-east-1", "s3"));
    assertThat(verifier.verify(s3PutObject("/test%24file.text", "Welcome to Amazon S3.")))
        .isNotNull();
    // A client that leaves '$' unescaped on the wire signed the same canonical URI.
    assertThat(verifier.verify(s3PutObject("/test$file.text", "Welcome to Amazon S3.")))
        .isNotNull();

    String[][] bucketRequests = {
      {"lifecycle", "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543"},
      {"max-keys=2&prefix=J", "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"},
    };
    for (String[] r : bucketRequests) {
      SignedRequest request =
          new SignedRequest(
              "GET",
              "/",
              r[0],
              headers(
                  "Host",
                  "examplebucket.s3.amazonaws.com",
                  "x-amz-content-sha256",
                  EMPTY_SHA256,
                  "x-amz-date",
                  "20130524T000000Z",
                  "Authorization",
                  "AWS4-HMAC-SHA256"
                      + " Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
                      + "SignedHeaders=host;x-amz-content-sha256;x-amz-date,Signature="
                      + r[1]),
              new byte[0]);
      assertThat(verifier.verify(request).service()).as(r[0]).isEqualTo("s3");
    }
  }

  static SignedRequest s3Presigned(String signature) {
    return new SignedRequest(
        "GET",
        "/test.txt",
        "X-Amz-Algorithm=AWS4-HMAC-SHA256"
            + "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
            + "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
            + "&X-Amz-Signature="
            + signature,
        headers("Host", "examplebucket.s3.amazonaws.com"),
        null);
  }

  static final String PRESIGNED_SIGNATURE =
      "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404";

  @Test
  void acceptsTheDocumentedS3PresignedUrlUntilItExpires() {
    SignedRequest request = s3Presigned(PRESIGNED_SIGNATURE);

    assertThat(verifier(S3_EXAMPLE, S3_TIME).verify(request).service()).isEqualTo("s3");
    assertThat(verifier(S3_EXAMPLE, S3_TIME.plusSeconds(86_400)).verify(request)).isNotNull();

    SigV4Exception e = failure(verifier(S3_EXAMPLE, S3_TIME.plusSeconds(86_401)), request);
    assertThat(e.reason()).isEqualTo(Reason.EXPIRED);
    assertThat(e.awsCode()).isEqualTo("InvalidSignatureException");
    assertThat(e.httpStatus()).isEqualTo(400);
    assertThat(e.s3Code()).isEqualTo("AccessDenied");
    assertThat(e.s3HttpStatus()).isEqualTo(403);
    assertThat(e.s3Message()).isEqualTo("Request has expired");
    assertThat(e.s3Details())
        .containsEntry("X-Amz-Expires", "86400")
        .containsEntry("Expires", "2013-05-25T00:00:00Z")
        .containsEntry("ServerTime", "2013-05-25T00:00:01Z");
    assertThat(e.getMessage())
        .isEqualTo(
            "Signature expired: 20130524T000000Z is now earlier than 20130524T000001Z"
                + " (20130525T000001Z - 86400 sec.)");
  }

  /** The streaming upload of "Signature Calculations … Transferring Payload in Multiple Chunks". */
  @Test
  void exposesWhatIsNeededToCheckTheDocumentedChunkSignatures() {
    SignedRequest request =
        new SignedRequest(
            "PUT",
            "/examplebucket/chunkObject.txt",
            null,
            headers(
                "Host", "s3.amazonaws.com",
                "x-amz-date", "20130524T000000Z",
                "x-amz-storage-class", "REDUCED_REDUNDANCY",
                "x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
                "Content-Encoding", "aws-chunked",
                "x-amz-decoded-content-length", "66560",
                "Content-Length", "66824",
                "Authorization",
                    "AWS4-HMAC-SHA256"
                        + " Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
                        + "SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;"
                        + "x-amz-date;x-amz-decoded-content-length;x-amz-storage-class,"
                        + "Signature=4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"),
            null);

    VerifiedSignature verified = verifier(S3_EXAMPLE, S3_TIME).verifyDetailed(request);

    assertThat(verified.chunkSignaturesRequired()).isTrue();
    assertThat(verified.payloadHash()).isEqualTo("STREAMING-AWS4-HMAC-SHA256-PAYLOAD");
    assertThat(verified.amzDate()).isEqualTo("20130524T000000Z");
    assertThat(verified.credentialScope()).isEqualTo("20130524/us-east-1/s3/aws4_request");
    assertThat(verified.toString()).doesNotContain(SigV4.hex(verified.signingKey()));

    byte[] first = new byte[65_536];
    Arrays.fill(first, (byte) 'a');
    String s1 = verified.chunkSignature(verified.seedSignature(), first, 0, first.length);
    assertThat(s1).isEqualTo("ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648");
    String s2 = verified.chunkSignature(s1, first, 0, 1024);
    assertThat(s2).isEqualTo("0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497");
    assertThat(
            verified.chunkSignatureMatches(
                s2,
                new byte[0],
                0,
                0,
                "b6c6ea8a5354eaf15b3cb764" + "6744f4275b71ea724fed81ceb9323e279d449df9"))
        .isTrue();
    first[10] = 'b';
    assertThat(verified.chunkSignatureMatches(verified.seedSignature(), first, 0, 65_536, s1))
        .isFalse();
  }

  // ---------------------------------------------------------------- header-form failures

  @Test
  void rejectsARequestWithoutAuthentication() {
    SignedRequest request =
        new SignedRequest("POST", "/", null, headers("Host", "localhost:4580"), new byte[0]);

    SigV4Exception e = failure(verifier(IAM_EXAMPLE, SUITE_TIME), request);

    assertThat(e.reason()).isEqualTo(Reason.MISSING);
    assertThat(e.awsCode()).isEqualTo("MissingAuthenticationTokenException");
    assertThat(e.httpStatus()).isEqualTo(400);
    assertThat(e.getMessage()).isEqualTo("Missing Authentication Token");
    assertThat(e.s3Code()).isEqualTo("AccessDenied");
    assertThat(e.s3HttpStatus()).isEqualTo(403);
  }

  @Test
  void rejectsAnAuthorizationHeaderWithoutSignatureOrSignedHeaders() {
    String authorization =
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request";
    SignedRequest request =
        new SignedRequest(
            "GET",
            "/",
            null,
            headers(
                "Host", "iam.amazonaws.com",
                "X-Amz-Date", "20150830T123600Z",
                "Authorization", authorization),
            null);

    SigV4Exception e = failure(verifier(IAM_EXAMPLE, SUITE_TIME), request);

    assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
    assertThat(e.awsCode()).isEqualTo("IncompleteSignatureException");
    assertThat(e.httpStatus()).isEqualTo(400);
    assertThat(e.getMessage())
        .isEqualTo(
            "Authorization header requires 'Signature' parameter. Authorization header requires"
                + " 'SignedHeaders' parameter. Authorization="
                + authorization);
    assertThat(e.s3Code()).isEqualTo("AuthorizationHeaderMalformed");
    assertThat(e.s3HttpStatus()).isEqualTo(400);
  }

  @Test
  void rejectsARequestWithoutADate() {
    SignedRequest request = listUsers(LIST_USERS_SIGNATURE);
    request.headers().remove("X-Amz-Date");

    SigV4Exception e = failure(verifier(IAM_EXAMPLE, SUITE_TIME), request);

    assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
    assertThat(e.getMessage())
        .startsWith(
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date'"
                + " header. Authorization=AWS4-HMAC-SHA256");
    assertThat(e.s3Code()).isEqualTo("AccessDenied");
    assertThat(e.s3Message())
        .isEqualTo("AWS authentication requires a valid Date or x-amz-date header");
  }

  @Test
  void takesTheRequestTimeFromTheDateHeaderWhenThereIsNoXAmzDate() {
    Credentials credentials = new Credentials("BASINTESTKEY0000001", "secret/+key");
    String date = "Sun, 30 Aug 2015 12:36:00 GMT";
    String canonicalRequest =
        SigV4.canonicalRequest(
            "POST", "/", "", "date:" + date + "\nhost:localhost:4580\n", "date;host", EMPTY_SHA256);
    String scope = "20150830/us-east-1/kinesis/aws4_request";
    String signature =
        SigV4.signature(
            SigV4.signingKey(credentials.secretAccessKey(), "20150830", "us-east-1", "kinesis"),
            SigV4.stringToSign("20150830T123600Z", scope, canonicalRequest));
    SignedRequest request =
        new SignedRequest(
            "POST",
            "/",
            null,
            headers(
                "Host",
                "localhost:4580",
                "Date",
                date,
                "Authorization",
                "AWS4-HMAC-SHA256 Credential=BASINTESTKEY0000001/"
                    + scope
                    + ", SignedHeaders=date;host, Signature="
                    + signature),
            new byte[0]);

    assertThat(verifier(credentials, SUITE_TIME).verify(request).service()).isEqualTo("kinesis");
    SigV4Exception e = failure(verifier(credentials, SUITE_TIME.plusSeconds(901)), request);
    assertThat(e.reason()).isEqualTo(Reason.SKEWED);
  }

  @Test
  void rejectsAnUnparseableDate() {
    SignedRequest request = listUsers(LIST_USERS_SIGNATURE);
    request.headers().put("X-Amz-Date", List.of("2015-08-30T12:36:00Z"));

    SigV4Exception e = failure(verifier(IAM_EXAMPLE, SUITE_TIME), request);

    assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
    assertThat(e.awsCode()).isEqualTo("IncompleteSignatureException");
    assertThat(e.getMessage())
        .isEqualTo(
            "Date must be in ISO-8601 'basic format'. Got '2015-08-30T12:36:00Z'. See"
                + " http://en.wikipedia.org/wiki/ISO_8601");
  }

  @Test
  void neverEchoesTheTokenOfAnotherAuthorizationScheme() {
    SignedRequest request =
        new SignedRequest(
            "POST",
            "/",
            null,
            headers("Host", "localhost", "Authorization", "Bearer s3cr3t-t0ken"),
            null);

    SigV4Exception e = failure(verifier(IAM_EXAMPLE, SUITE_TIME), request);

    assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
    assertThat(e.awsCode()).isEqualTo("IncompleteSignatureException");
    assertThat(e.getMessage()).contains("'Bearer'").doesNotContain("s3cr3t-t0ken");
    assertThat(e.s3Code()).isEqualTo("InvalidRequest");
    assertThat(e.s3Message())
        .isEqualTo(
            "The authorization mechanism you have provided is not supported. Please use"
                + " AWS4-HMAC-SHA256.");
  }

  @Test
  void rejectsAPairWithoutAnEqualSign() {
    String authorization =
        "AWS4-HMAC-SHA256 Credential= AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request,"
            + " SignedHeaders=host;x-amz-date, Signature=abc";
    SignedRequest request = listUsers(LIST_USERS_SIGNATURE);
    request.headers().put("Authorization", List.of(authorization));

    SigV4Exception e = failure(verifier(IAM_EXAMPLE, SUITE_TIME), request);

    assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
    assertThat(e.getMessage())
        .isEqualTo(
            "'AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request' not a valid key=value pair (missing"
                + " equal-sign) in Authorization header: '"
                + authorization
                + "'.");
  }

  @Test
  void rejectsAMalformedCredential() {
    SigV4Verifier verifier = verifier(IAM_EXAMPLE, SUITE_TIME);
    SignedRequest request = listUsers(LIST_USERS_SIGNATURE);
    request
        .headers()
        .put(
            "Authorization",
            List.of(
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/aws4_request,"
                    + " SignedHeaders=content-type;host;x-amz-date, Signature=abc"));

    SigV4Exception e = failure(verifier, request);
    assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
    assertThat(e.getMessage())
        .isEqualTo(
            "Credential is malformed; expecting"
                + " \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\", got"
                + " 'AKIDEXAMPLE/20150830/us-east-1/aws4_request'.");
    assertThat(e.s3Message())
        .isEqualTo(
            "The authorization header is malformed; the Credential is mal-formed; expecting"
                + " \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".");

    request
        .headers()
        .put(
            "Authorization",
            List.of(
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws5_request,"
                    + " SignedHeaders=content-type;host;x-amz-date, Signature=abc"));
    e = failure(verifier, request);
    assertThat(e.getMessage())
        .isEqualTo(
            "Credential should be scoped with a valid terminator: 'aws4_request', not"
                + " 'aws5_request'.");
  }

  @Test
  void rejectsAScopeDateThatIsNotTheRequestDate() {
    SignedRequest request = listUsers(LIST_USERS_SIGNATURE);
    request.headers().put("X-Amz-Date", List.of("20150831T000100Z"));

    SigV4Exception e =
        failure(verifier(IAM_EXAMPLE, Instant.parse("2015-08-31T00:01:00Z")), request);

    assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
    assertThat(e.awsCode()).isEqualTo("InvalidSignatureException");
    assertThat(e.getMessage())
        .isEqualTo(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from"
                + " HTTP: '20150830' != '20150831', from '20150831T000100Z'.");
    assertThat(e.s3Code()).isEqualTo("AuthorizationHeaderMalformed");
    assertThat(e.s3Message())
        .isEqualTo(
            "The authorization header is malformed; Invalid credential date. Date is not the"
                + " same as X-Amz-Date.");
  }

  @Test
  void rejectsARequestWhoseHostIsNotSigned() {
    Credentials credentials = new Credentials("BASINTESTKEY0000001", "secret");
    SignedRequest request =
        new SignedRequest(
            "POST",
            "/",
            null,
            headers(
                "Host", "localhost:4580",
                "X-Amz-Date", "20150830T123600Z",
                "Authorization",
                    "AWS4-HMAC-SHA256"
                        + " Credential=BASINTESTKEY0000001/20150830/us-east-1/kinesis/aws4_request,"
                        + " SignedHeaders=x-amz-date, Signature="
                        + "0".repeat(64)),
            new byte[0]);

    SigV4Exception e = failure(verifier(credentials, SUITE_TIME), request);

    assertThat(e.reason()).isEqualTo(Reason.UNSIGNED_HEADERS);
    assertThat(e.awsCode()).isEqualTo("IncompleteSignatureException");
    assertThat(e.httpStatus()).isEqualTo(400);
    assertThat(e.getMessage())
        .isEqualTo("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
    assertThat(e.s3Code()).isEqualTo("AccessDenied");
    assertThat(e.s3Details()).containsEntry("HeadersNotSigned", "host");
  }

  @Test
  void rejectsARequestSignedMoreThanFifteenMinutesAgo() {
    SignedRequest request = listUsers(LIST_USERS_SIGNATURE);

    assertThat(verifier(IAM_EXAMPLE, SUITE_TIME.plusSeconds(900)).verify(request)).isNotNull();
    SigV4Exception e = failure(verifier(IAM_EXAMPLE, SUITE_TIME.plusSeconds(901)), request);

    assertThat(e.reason()).isEqualTo(Reason.SKEWED);
    assertThat(e.awsCode()).isEqualTo("InvalidSignatureException");
    assertThat(e.httpStatus()).isEqualTo(400);
    assertThat(e.getMessage())
        .isEqualTo(
            "Signature expired: 20150830T123600Z is now earlier than 20150830T123601Z"
                + " (20150830T125101Z - 15 min.)");
    assertThat(e.s3Code()).isEqualTo("RequestTimeTooSkewed");
    assertThat(e.s3HttpStatus()).isEqualTo(403);
    assertThat(e.s3Message())
        .isEqualTo("The difference between the request time and the current time is too large.");
    assertThat(e.s3Details())
        .containsEntry("RequestTime", "20150830T123600Z")
        .containsEntry("ServerTime", "2015-08-30T12:51:01Z")
        .containsEntry("MaxAllowedSkewMilliseconds", "900000");
  }

  @Test
  void rejectsARequestFromMoreThanFifteenMinutesInTheFuture() {
    SignedRequest request = listUsers(LIST_USERS_SIGNATURE);

    assertThat(verifier(IAM_EXAMPLE, SUITE_TIME.minusSeconds(900)).verify(request)).isNotNull();
    SigV4Exception e = failure(verifier(IAM_EXAMPLE, SUITE_TIME.minusSeconds(901)), request);

    assertThat(e.reason()).isEqualTo(Reason.SKEWED);
    assertThat(e.getMessage())
        .isEqualTo(
            "Signature not yet current: 20150830T123600Z is still later than 20150830T123559Z"
                + " (20150830T122059Z + 15 min.)");
  }

  @Test
  void rejectsAnUnknownAccessKey() {
    SigV4Verifier verifier =
        new SigV4Verifier(id -> Optional.empty(), Clock.fixed(SUITE_TIME, ZoneOffset.UTC));

    SigV4Exception e = failure(verifier, listUsers(LIST_USERS_SIGNATURE));

    assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_KEY);
    assertThat(e.awsCode()).isEqualTo("UnrecognizedClientException");
    assertThat(e.httpStatus()).isEqualTo(400);
    assertThat(e.getMessage()).isEqualTo("The security token included in the request is invalid.");
    assertThat(e.s3Code()).isEqualTo("InvalidAccessKeyId");
    assertThat(e.s3HttpStatus()).isEqualTo(403);
    assertThat(e.s3Message())
        .isEqualTo("The AWS Access Key Id you provided does not exist in our records.");
    assertThat(e.s3Details()).containsEntry("AWSAccessKeyId", "AKIDEXAMPLE");
  }

  @Test
  void rejectsTheWrongSecretWithoutRevealingTheSecretOrTheExpectedSignature() {
    Credentials other = new Credentials("AKIDEXAMPLE", "another-secret-entirely");

    SigV4Exception e = failure(verifier(other, SUITE_TIME), listUsers(LIST_USERS_SIGNATURE));

    assertThat(e.reason()).isEqualTo(Reason.BAD_SIGNATURE);
    assertThat(e.awsCode()).isEqualTo("InvalidSignatureException");
    assertThat(e.httpStatus()).isEqualTo(400);
    assertThat(e.getMessage())
        .startsWith(
            "The request signature we calculated does not match the signature you provided."
                + " Check your AWS Secret Access Key and signing method. Consult the service"
                + " documentation for details.")
        .contains(
            "The Canonical String for this request should have been\n'GET\n/\n"
                + "Action=ListUsers&Version=2010-05-08\n");
    assertThat(e.s3Code()).isEqualTo("SignatureDoesNotMatch");
    assertThat(e.s3HttpStatus()).isEqualTo(403);
    assertThat(e.s3Message())
        .isEqualTo(
            "The request signature we calculated does not match the signature you provided."
                + " Check your key and signing method.");
    assertThat(e.s3Details()).containsEntry("SignatureProvided", LIST_USERS_SIGNATURE);

    String expected =
        new SigV4Signer(other, "us-east-1", "iam")
            .sign(
                "GET",
                java.net.URI.create(
                    "https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08"),
                Map.of("Content-Type", "application/x-www-form-urlencoded; charset=utf-8"),
                new byte[0],
                SUITE_TIME)
            .get("Authorization");
    String expectedSignature = expected.substring(expected.indexOf("Signature=") + 10);
    String everything = e.getMessage() + e.s3Message() + e.s3Details() + e;
    assertThat(everything)
        .doesNotContain(expectedSignature)
        .doesNotContain(other.secretAccessKey());
  }

  @Test
  void rejectsARequestThatCarriesBothForms() {
    SignedRequest request = listUsers(LIST_USERS_SIGNATURE);
    SignedRequest both =
        new SignedRequest(
            request.method(),
            request.rawPath(),
            request.rawQuery() + "&X-Amz-Algorithm=AWS4-HMAC-SHA256",
            request.headers(),
            request.body());

    SigV4Exception e = failure(verifier(IAM_EXAMPLE, SUITE_TIME), both);

    assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
    assertThat(e.awsCode()).isEqualTo("InvalidSignatureException");
    assertThat(e.getMessage())
        .isEqualTo(
            "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP"
                + " header.");
    assertThat(e.s3Code()).isEqualTo("InvalidArgument");
  }

  @Nested
  class Tampering {
    final Credentials credentials = new Credentials("BASINTESTKEY0000001", "c2VjcmV0/+secret");
    final SigV4Verifier verifier = verifier(credentials, SUITE_TIME);
    final byte[] body =
        "{\"StreamName\":\"orders\",\"Data\":\"aGk=\",\"PartitionKey\":\"k\"}"
            .getBytes(StandardCharsets.UTF_8);

    SignedRequest signed() {
      java.net.URI uri = java.net.URI.create("http://127.0.0.1:4580/a%20b/c?x=1&y=two%20words");
      Map<String, String> given = new LinkedHashMap<>();
      given.put("Content-Type", "application/x-amz-json-1.1");
      given.put("X-Amz-Target", "Kinesis_20131202.PutRecord");
      Map<String, String> added =
          new SigV4Signer(credentials, "eu-west-1", "kinesis")
              .sign("POST", uri, given, body, SUITE_TIME);
      Map<String, List<String>> headers = headers("Host", "127.0.0.1:4580");
      given.forEach((k, v) -> headers.put(k, new java.util.ArrayList<>(List.of(v))));
      added.forEach((k, v) -> headers.put(k, new java.util.ArrayList<>(List.of(v))));
      return new SignedRequest("POST", uri.getRawPath(), uri.getRawQuery(), headers, body);
    }

    @Test
    void theUntouchedRequestVerifies() {
      assertThat(verifier.verify(signed()))
          .isEqualTo(new Principal("BASINTESTKEY0000001", "eu-west-1", "kinesis"));
    }

    @Test
    void aChangedBodyIsRejected() {
      SignedRequest r = signed();
      byte[] changed = r.body().clone();
      changed[changed.length - 3] = 'K';
      assertRejected(
          new SignedRequest(r.method(), r.rawPath(), r.rawQuery(), r.headers(), changed));
    }

    @Test
    void aChangedSignedHeaderIsRejected() {
      SignedRequest r = signed();
      r.headers().put("X-Amz-Target", List.of("Kinesis_20131202.DeleteStream"));
      assertRejected(r);
    }

    @Test
    void aChangedHostIsRejected() {
      SignedRequest r = signed();
      r.headers().put("Host", List.of("127.0.0.1:4581"));
      assertRejected(r);
    }

    @Test
    void aChangedPathIsRejected() {
      SignedRequest r = signed();
      assertRejected(
          new SignedRequest(r.method(), "/a%20c/c", r.rawQuery(), r.headers(), r.body()));
    }

    @Test
    void aChangedQueryIsRejected() {
      SignedRequest r = signed();
      assertRejected(
          new SignedRequest(r.method(), r.rawPath(), "x=2&y=two%20words", r.headers(), r.body()));
    }

    @Test
    void aChangedMethodIsRejected() {
      SignedRequest r = signed();
      assertRejected(new SignedRequest("PUT", r.rawPath(), r.rawQuery(), r.headers(), r.body()));
    }

    @Test
    void anUnsignedHeaderMayChange() {
      SignedRequest r = signed();
      r.headers().put("User-Agent", List.of("curl/8"));
      assertThat(verifier.verify(r)).isNotNull();
    }

    @Test
    void headerNamesMayArriveInAnyCase() {
      SignedRequest r = signed();
      Map<String, List<String>> lower = new LinkedHashMap<>();
      r.headers().forEach((k, v) -> lower.put(k.toLowerCase(java.util.Locale.ROOT), v));
      assertThat(
              verifier.verify(
                  new SignedRequest(r.method(), r.rawPath(), r.rawQuery(), lower, r.body())))
          .isNotNull();
    }

    void assertRejected(SignedRequest request) {
      SigV4Exception e = failure(verifier, request);
      assertThat(e.reason()).isEqualTo(Reason.BAD_SIGNATURE);
      assertThat(e.awsCode()).isEqualTo("InvalidSignatureException");
    }
  }

  // ---------------------------------------------------------------- S3 payload hash

  @Test
  void checksTheBodyAgainstTheSignedS3PayloadHash() {
    SigV4Verifier verifier = verifier(S3_EXAMPLE, S3_TIME);

    SigV4Exception e = failure(verifier, s3PutObject("/test%24file.text", "Welcome to Amazon S4."));

    assertThat(e.reason()).isEqualTo(Reason.PAYLOAD_HASH_MISMATCH);
    assertThat(e.s3Code()).isEqualTo("XAmzContentSHA256Mismatch");
    assertThat(e.s3HttpStatus()).isEqualTo(400);
    assertThat(e.s3Details())
        .containsEntry(
            "ClientComputedContentSHA256",
            "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
    // A body that is not buffered is left to the caller to check while it streams.
    assertThat(verifier.verify(s3PutObject("/test%24file.text", null))).isNotNull();
  }

  @Test
  void rejectsAnS3RequestWithoutAPayloadHash() {
    SignedRequest request = s3GetObject("/test.txt");
    request.headers().remove("x-amz-content-sha256");

    SigV4Exception e = failure(verifier(S3_EXAMPLE, S3_TIME), request);

    assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
    assertThat(e.s3Code()).isEqualTo("InvalidRequest");
    assertThat(e.s3Message())
        .isEqualTo("Missing required header for this request: x-amz-content-sha256");
  }

  @Test
  void rejectsAnInvalidS3PayloadHash() {
    SignedRequest request = s3GetObject("/test.txt");
    request.headers().put("x-amz-content-sha256", List.of("not-a-hash"));

    SigV4Exception e = failure(verifier(S3_EXAMPLE, S3_TIME), request);

    assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
    assertThat(e.s3Code()).isEqualTo("InvalidArgument");
  }

  // ---------------------------------------------------------------- query-form failures

  @Test
  void rejectsAPresignedUrlWithMissingParameters() {
    SignedRequest request =
        new SignedRequest(
            "GET",
            "/test.txt",
            "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20130524T000000Z",
            headers("Host", "examplebucket.s3.amazonaws.com"),
            null);

    SigV4Exception e = failure(verifier(S3_EXAMPLE, S3_TIME), request);

    assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
    assertThat(e.awsCode()).isEqualTo("IncompleteSignatureException");
    assertThat(e.getMessage())
        .isEqualTo(
            "AWS query-string parameters must include 'X-Amz-Credential'. AWS query-string"
                + " parameters must include 'X-Amz-Signature'. AWS query-string parameters must"
                + " include 'X-Amz-SignedHeaders'. Re-examine the query-string parameters.");
    assertThat(e.s3Code()).isEqualTo("AuthorizationQueryParametersError");
    assertThat(e.s3HttpStatus()).isEqualTo(400);
  }

  @Test
  void rejectsAnS3PresignedUrlWithoutExpiresOrWithTooLongAnExpiry() {
    SigV4Verifier verifier = verifier(S3_EXAMPLE, S3_TIME);
    SignedRequest valid = s3Presigned(PRESIGNED_SIGNATURE);

    SignedRequest noExpires =
        new SignedRequest(
            "GET",
            "/test.txt",
            valid.rawQuery().replace("&X-Amz-Expires=86400", ""),
            valid.headers(),
            null);
    assertThat(failure(verifier, noExpires).reason()).isEqualTo(Reason.MALFORMED);

    SignedRequest tooLong =
        new SignedRequest(
            "GET",
            "/test.txt",
            valid.rawQuery().replace("X-Amz-Expires=86400", "X-Amz-Expires=604801"),
            valid.headers(),
            null);
    SigV4Exception e = failure(verifier, tooLong);
    assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
    assertThat(e.s3Message())
        .isEqualTo(
            "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires"
                + " must be less than 604800 seconds");

    SignedRequest zero =
        new SignedRequest(
            "GET",
            "/test.txt",
            valid.rawQuery().replace("X-Amz-Expires=86400", "X-Amz-Expires=0"),
            valid.headers(),
            null);
    assertThat(failure(verifier, zero).reason()).isEqualTo(Reason.MALFORMED);
  }

  @Test
  void rejectsAPresignedUrlDatedInTheFuture() {
    SigV4Exception e =
        failure(verifier(S3_EXAMPLE, S3_TIME.minusSeconds(901)), s3Presigned(PRESIGNED_SIGNATURE));

    assertThat(e.reason()).isEqualTo(Reason.SKEWED);
    assertThat(e.s3Code()).isEqualTo("AccessDenied");
    assertThat(e.s3Message()).isEqualTo("Request is not valid yet");
  }

  @Test
  void rejectsATamperedPresignedUrl() {
    SignedRequest valid = s3Presigned(PRESIGNED_SIGNATURE);
    SignedRequest otherObject =
        new SignedRequest("GET", "/secret.txt", valid.rawQuery(), valid.headers(), null);
    SignedRequest otherMethod =
        new SignedRequest("DELETE", "/test.txt", valid.rawQuery(), valid.headers(), null);

    SigV4Verifier verifier = verifier(S3_EXAMPLE, S3_TIME);
    assertThat(failure(verifier, otherObject).reason()).isEqualTo(Reason.BAD_SIGNATURE);
    assertThat(failure(verifier, otherMethod).reason()).isEqualTo(Reason.BAD_SIGNATURE);
    SigV4Exception e = failure(verifier, s3Presigned("0" + PRESIGNED_SIGNATURE.substring(1)));
    assertThat(e.s3Code()).isEqualTo("SignatureDoesNotMatch");
  }
}
