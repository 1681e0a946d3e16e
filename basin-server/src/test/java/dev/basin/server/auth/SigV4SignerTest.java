package dev.basin.server.auth;

import static dev.basin.server.auth.SigV4VerifierTest.IAM_EXAMPLE;
import static dev.basin.server.auth.SigV4VerifierTest.S3_EXAMPLE;
import static dev.basin.server.auth.SigV4VerifierTest.S3_TIME;
import static dev.basin.server.auth.SigV4VerifierTest.SUITE_TIME;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.basin.server.auth.SigV4Exception.Reason;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The signer reproduces AWS's published signatures, and what it signs the verifier accepts. */
class SigV4SignerTest {
  static final Credentials BASIN = new Credentials("BASINABCDEFGHIJ12345", "abc/DEF+ghi0123456789");
  static final Instant NOW = Instant.parse("2024-03-01T10:15:30Z");

  @Test
  void reproducesTheDocumentedIamListUsersSignature() {
    Map<String, String> added =
        new SigV4Signer(IAM_EXAMPLE, "us-east-1", "iam")
            .sign(
                "GET",
                URI.create("https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08"),
                Map.of("Content-Type", "application/x-www-form-urlencoded; charset=utf-8"),
                null,
                SUITE_TIME);

    assertThat(added)
        .containsExactly(
            Map.entry(
                "Authorization",
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request,"
                    + " SignedHeaders=content-type;host;x-amz-date,"
                    + " Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"),
            Map.entry("X-Amz-Date", "20150830T123600Z"));
  }

  @Test
  void reproducesTheDocumentedS3Signatures() {
    SigV4Signer signer = new SigV4Signer(S3_EXAMPLE, "us-east-1", "s3");

    Map<String, String> get =
        signer.sign(
            "GET",
            URI.create("https://examplebucket.s3.amazonaws.com/test.txt"),
            Map.of("Range", "bytes=0-9"),
            new byte[0],
            S3_TIME);
    assertThat(get.get("Authorization"))
        .endsWith(
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
                + " Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
    assertThat(get.get("x-amz-content-sha256")).isEqualTo(SigV4.EMPTY_SHA256);

    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Date", "Fri, 24 May 2013 00:00:00 GMT");
    headers.put("x-amz-storage-class", "REDUCED_REDUNDANCY");
    Map<String, String> put =
        signer.sign(
            "PUT",
            URI.create("https://examplebucket.s3.amazonaws.com/test%24file.text"),
            headers,
            "Welcome to Amazon S3.".getBytes(StandardCharsets.UTF_8),
            S3_TIME);
    assertThat(put.get("Authorization"))
        .endsWith(
            "SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class,"
                + " Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
    assertThat(put.get("x-amz-content-sha256"))
        .isEqualTo("44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  }

  @Test
  void reproducesTheDocumentedS3PresignedUrl() {
    URI url =
        new SigV4Signer(S3_EXAMPLE, "us-east-1", "s3")
            .presign(
                "GET",
                URI.create("https://examplebucket.s3.amazonaws.com/test.txt"),
                Duration.ofSeconds(86_400),
                S3_TIME);

    assertThat(url)
        .hasToString(
            "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256"
                + "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
                + "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
                + "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
  }

  @Test
  void usesAGivenS3PayloadHashAndDoesNotAddItAgain() {
    Map<String, String> added =
        new SigV4Signer(BASIN, "us-east-1", "s3")
            .sign(
                "PUT",
                URI.create("http://127.0.0.1:4580/raw/big.bin"),
                Map.of("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD"),
                null,
                NOW);

    assertThat(added).containsOnlyKeys("Authorization", "X-Amz-Date");
    assertThat(added.get("Authorization")).contains("SignedHeaders=host;x-amz-content-sha256;");
  }

  @Test
  void rejectsAnExpiryOutsideOneSecondToSevenDays() {
    SigV4Signer signer = new SigV4Signer(BASIN, "us-east-1", "s3");
    URI uri = URI.create("http://127.0.0.1:4580/raw/a");

    assertThatThrownBy(() -> signer.presign("GET", uri, Duration.ofDays(7).plusSeconds(1), NOW))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("PT168H1S");
    assertThatThrownBy(() -> signer.presign("GET", uri, Duration.ZERO, NOW))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(signer.presign("GET", uri, Duration.ofDays(7), NOW).getRawQuery())
        .contains("X-Amz-Expires=604800");
  }

  @Test
  void theHostHeaderCarriesTheBasinPortButNotADefaultOne() {
    assertThat(SigV4Signer.hostHeader(URI.create("http://127.0.0.1:4580/")))
        .isEqualTo("127.0.0.1:4580");
    assertThat(SigV4Signer.hostHeader(URI.create("http://example.com:80/")))
        .isEqualTo("example.com");
    assertThat(SigV4Signer.hostHeader(URI.create("https://example.com/x")))
        .isEqualTo("example.com");
    assertThat(SigV4Signer.hostHeader(URI.create("http://[::1]:4580/"))).isEqualTo("[::1]:4580");
  }

  @Test
  void neverShowsTheSecret() {
    assertThat(new SigV4Signer(BASIN, "us-east-1", "kinesis").toString())
        .doesNotContain(BASIN.secretAccessKey());
  }

  // ---------------------------------------------------------------- round trips

  /** What a server sees of a request sent with the signer's headers. */
  static SignedRequest asReceived(
      String method, URI uri, Map<String, String> given, Map<String, String> added, byte[] body) {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    headers.put("Host", new ArrayList<>(List.of(SigV4Signer.hostHeader(uri))));
    given.forEach((k, v) -> headers.put(k, new ArrayList<>(List.of(v))));
    added.forEach((k, v) -> headers.put(k, new ArrayList<>(List.of(v))));
    headers.put("User-Agent", new ArrayList<>(List.of("basin-cli/0.1")));
    headers.put("Content-Length", new ArrayList<>(List.of(Integer.toString(body.length))));
    return new SignedRequest(method, uri.getRawPath(), uri.getRawQuery(), headers, body);
  }

  static SigV4Verifier verifierAt(Instant now) {
    return SigV4Verifier.forCredentials(BASIN, Clock.fixed(now, ZoneOffset.UTC));
  }

  @Test
  void kinesisRequestsRoundTrip() {
    URI uri = URI.create("http://127.0.0.1:4580/");
    Map<String, String> given = new LinkedHashMap<>();
    given.put("Content-Type", "application/x-amz-json-1.1");
    given.put("X-Amz-Target", "Kinesis_20131202.PutRecords");
    byte[] body = "{\"StreamName\":\"clicks\",\"Records\":[]}".getBytes(StandardCharsets.UTF_8);

    Map<String, String> added =
        new SigV4Signer(BASIN, "ap-southeast-2", "kinesis").sign("POST", uri, given, body, NOW);
    Principal principal = verifierAt(NOW).verify(asReceived("POST", uri, given, added, body));

    assertThat(added).containsOnlyKeys("Authorization", "X-Amz-Date");
    assertThat(principal)
        .isEqualTo(new Principal(BASIN.accessKeyId(), "ap-southeast-2", "kinesis"));
  }

  @Test
  void pathsAndQueriesThatNeedEncodingRoundTripForEveryService() {
    String key = "dir/a b+c$d(ü)~é&=.parquet";
    String encodedKey = SigV4.uriEncode(key, true);
    URI uri =
        URI.create(
            "http://localhost:4580/raw/"
                + encodedKey
                + "?prefix=a%20b%2Fc&delimiter=%2F&k%C3%BC=%E2%82%AC&empty=&flag&b=2&b=1");
    byte[] body = "hello, lake".getBytes(StandardCharsets.UTF_8);

    for (String service : List.of("s3", "glue", "firehose")) {
      Map<String, String> given = Map.of("Content-Type", "text/plain");
      Map<String, String> added =
          new SigV4Signer(BASIN, "us-east-1", service).sign("PUT", uri, given, body, NOW);
      SignedRequest received = asReceived("PUT", uri, given, added, body);

      assertThat(verifierAt(NOW).verify(received).service()).as(service).isEqualTo(service);

      SignedRequest otherKey =
          new SignedRequest(
              "PUT",
              uri.getRawPath().replace("a%20b", "a%20c"),
              uri.getRawQuery(),
              received.headers(),
              body);
      assertThat(catchReason(otherKey)).as(service).isEqualTo(Reason.BAD_SIGNATURE);
    }
  }

  @Test
  void theCanonicalUriIsEncodedTwiceExceptForS3() {
    URI uri = URI.create("http://localhost:4580/a%20b/c");
    Map<String, String> s3 =
        new SigV4Signer(BASIN, "us-east-1", "s3").sign("GET", uri, Map.of(), null, NOW);
    Map<String, String> glue =
        new SigV4Signer(BASIN, "us-east-1", "glue").sign("GET", uri, Map.of(), null, NOW);

    // A server that single-encodes for glue (or double-encodes for s3) would compute another
    // signature; the verifier follows the service of the scope.
    assertThat(verifierAt(NOW).verify(asReceived("GET", uri, Map.of(), s3, new byte[0])))
        .isNotNull();
    assertThat(verifierAt(NOW).verify(asReceived("GET", uri, Map.of(), glue, new byte[0])))
        .isNotNull();
    assertThat(SigV4.canonicalUri(uri.getRawPath(), true)).isEqualTo("/a%20b/c");
    assertThat(SigV4.canonicalUri(uri.getRawPath(), false)).isEqualTo("/a%2520b/c");
  }

  @Test
  void s3UploadsRoundTripWithUnsignedAndStreamingPayloads() {
    URI uri = URI.create("http://localhost:4580/raw/events/2024/part-0.json");
    byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
    for (String payload :
        List.of(
            "UNSIGNED-PAYLOAD",
            "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
            "STREAMING-UNSIGNED-PAYLOAD-TRAILER")) {
      Map<String, String> given = Map.of("x-amz-content-sha256", payload);
      Map<String, String> added =
          new SigV4Signer(BASIN, "us-east-1", "s3").sign("PUT", uri, given, body, NOW);

      VerifiedSignature verified =
          verifierAt(NOW).verifyDetailed(asReceived("PUT", uri, given, added, body));

      assertThat(verified.payloadHash()).isEqualTo(payload);
      assertThat(verified.chunkSignaturesRequired())
          .isEqualTo(payload.startsWith("STREAMING-AWS4"));
    }
  }

  @Test
  void presignedUrlsRoundTripUntilTheyExpire() {
    URI base =
        URI.create("http://127.0.0.1:4580/results/q%201/out.csv?versionId=a%2Bb&x-id=GetObject");
    for (String service : List.of("s3", "athena")) {
      URI url =
          new SigV4Signer(BASIN, "us-east-1", service)
              .presign("GET", base, Duration.ofMinutes(5), NOW);
      SignedRequest request =
          new SignedRequest(
              "GET",
              url.getRawPath(),
              url.getRawQuery(),
              SigV4VerifierTest.headers("Host", "127.0.0.1:4580"),
              null);

      assertThat(url.getRawQuery()).startsWith("versionId=a%2Bb&x-id=GetObject&X-Amz-Algorithm=");
      assertThat(verifierAt(NOW).verify(request).service()).as(service).isEqualTo(service);
      assertThat(verifierAt(NOW.plusSeconds(300)).verify(request)).isNotNull();
      assertThat(catchReason(verifierAt(NOW.plusSeconds(301)), request))
          .as(service)
          .isEqualTo(Reason.EXPIRED);

      SignedRequest otherQuery =
          new SignedRequest(
              "GET",
              url.getRawPath(),
              url.getRawQuery().replace("a%2Bb", "a%2Bc"),
              request.headers(),
              null);
      assertThat(catchReason(verifierAt(NOW), otherQuery)).isEqualTo(Reason.BAD_SIGNATURE);
    }
  }

  @Test
  void presignedRequestsToOtherServicesMayHashTheirBody() {
    // A non-S3 presigned request is accepted with UNSIGNED-PAYLOAD or with its body's hash.
    URI uri = URI.create("http://127.0.0.1:4580/");
    URI unsigned =
        new SigV4Signer(BASIN, "us-east-1", "kinesis")
            .presign("POST", uri, Duration.ofMinutes(1), NOW);
    byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
    SignedRequest request =
        new SignedRequest(
            "POST",
            unsigned.getRawPath(),
            unsigned.getRawQuery(),
            SigV4VerifierTest.headers("Host", "127.0.0.1:4580"),
            body);

    // The presigner signed the empty body's hash; a body changes it, and UNSIGNED-PAYLOAD was
    // not what was signed either.
    assertThat(catchReason(verifierAt(NOW), request)).isEqualTo(Reason.BAD_SIGNATURE);
    SignedRequest empty =
        new SignedRequest("POST", request.rawPath(), request.rawQuery(), request.headers(), null);
    assertThat(verifierAt(NOW).verify(empty).service()).isEqualTo("kinesis");

    // Signed with UNSIGNED-PAYLOAD (as botocore does for some services): any body verifies.
    String amzDate = SigV4.AMZ_DATE.format(NOW);
    String scope = SigV4.scope(amzDate.substring(0, 8), "us-east-1", "kinesis");
    String query =
        "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential="
            + SigV4.uriEncode(BASIN.accessKeyId() + "/" + scope, false)
            + "&X-Amz-Date="
            + amzDate
            + "&X-Amz-Expires=60&X-Amz-SignedHeaders=host";
    String canonical =
        SigV4.canonicalRequest(
            "POST",
            "/",
            SigV4.canonicalQuery(query, false),
            "host:127.0.0.1:4580\n",
            "host",
            "UNSIGNED-PAYLOAD");
    String signature =
        SigV4.signature(
            SigV4.signingKey(
                BASIN.secretAccessKey(), amzDate.substring(0, 8), "us-east-1", "kinesis"),
            SigV4.stringToSign(amzDate, scope, canonical));
    SignedRequest unsignedPayload =
        new SignedRequest(
            "POST", "/", query + "&X-Amz-Signature=" + signature, request.headers(), body);
    assertThat(verifierAt(NOW).verify(unsignedPayload)).isNotNull();
  }

  @Test
  void headerValuesAreTrimmedAndTheirSpacesCollapsed() {
    URI uri = URI.create("http://localhost:4580/");
    Map<String, String> given = Map.of("X-Custom", "  a   b\tc  ");
    Map<String, String> added =
        new SigV4Signer(BASIN, "us-east-1", "kinesis").sign("POST", uri, given, null, NOW);
    SignedRequest received =
        asReceived("POST", uri, Map.of("x-custom", "a b c"), added, new byte[0]);

    assertThat(verifierAt(NOW).verify(received)).isNotNull();
    assertThat(added.get("Authorization").toLowerCase(Locale.ROOT)).contains("x-custom");
  }

  static Reason catchReason(SignedRequest request) {
    return catchReason(verifierAt(NOW), request);
  }

  static Reason catchReason(SigV4Verifier verifier, SignedRequest request) {
    return SigV4VerifierTest.failure(verifier, request).reason();
  }
}
