package dev.basin.it.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.basin.server.auth.Credentials;
import dev.basin.server.auth.Principal;
import dev.basin.server.auth.SigV4Exception;
import dev.basin.server.auth.SigV4Exception.Reason;
import dev.basin.server.auth.SigV4Signer;
import dev.basin.server.auth.SigV4Verifier;
import dev.basin.server.auth.SignedRequest;
import dev.basin.server.auth.VerifiedSignature;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.KinesisException;

/**
 * Cross-checks Basin's SigV4 code against the AWS SDK for Java v2: what the SDK's own signer
 * ({@link AwsV4HttpSigner}) produces, {@link SigV4Verifier} accepts, and rejects once tampered
 * with; {@link SigV4Signer} produces the same signatures as the SDK; and a real {@link
 * KinesisClient} talking HTTP to a verifying server gets AWS's error codes back.
 */
class SigV4CompatibilityIT {
  static final Credentials KEYS = Credentials.generate(new SecureRandom());
  static final Instant NOW = Instant.parse("2024-06-01T12:00:00Z");
  static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  static final SigV4Verifier VERIFIER = SigV4Verifier.forCredentials(KEYS, CLOCK);
  static final byte[] PUT_RECORD =
      "{\"StreamName\":\"orders\",\"Data\":\"eyJpZCI6MX0=\",\"PartitionKey\":\"customer-7\"}"
          .getBytes(StandardCharsets.UTF_8);

  /** A request signed by the SDK, as the server would receive it. */
  record Sent(SdkHttpRequest request, byte[] body) {
    SignedRequest received() {
      return received(request.method().name(), request.getUri(), body);
    }

    SignedRequest received(String method, URI uri, byte[] body) {
      Map<String, List<String>> headers = new LinkedHashMap<>();
      request.headers().forEach((name, values) -> headers.put(name, new ArrayList<>(values)));
      if (request.firstMatchingHeader("Host").isEmpty()) {
        // The HTTP client adds Host from the URI; the SDK signed exactly that.
        String host =
            request.port() == 80 || request.port() == 443
                ? request.host()
                : request.host() + ":" + request.port();
        headers.put("Host", new ArrayList<>(List.of(host)));
      }
      headers.put("User-Agent", new ArrayList<>(List.of("aws-sdk-java/2.52.0")));
      return new SignedRequest(method, uri.getRawPath(), uri.getRawQuery(), headers, body);
    }
  }

  static Sent sdkSign(
      SdkHttpRequest request,
      byte[] body,
      String service,
      java.util.function.Consumer<
              software.amazon.awssdk.http.auth.spi.signer.SignRequest.Builder<
                  AwsCredentialsIdentity>>
          options) {
    software.amazon.awssdk.http.auth.spi.signer.SignedRequest signed =
        AwsV4HttpSigner.create()
            .sign(
                r -> {
                  r.identity(
                          AwsCredentialsIdentity.create(KEYS.accessKeyId(), KEYS.secretAccessKey()))
                      .request(request)
                      .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, service)
                      .putProperty(AwsV4HttpSigner.REGION_NAME, "eu-central-1")
                      .putProperty(HttpSigner.SIGNING_CLOCK, CLOCK);
                  if (body != null) {
                    r.payload(ContentStreamProvider.fromByteArray(body));
                  }
                  options.accept(r);
                });
    byte[] sentBody =
        signed.payload().map(SigV4CompatibilityIT::readAll).orElse(body == null ? null : body);
    return new Sent(signed.request(), sentBody);
  }

  static byte[] readAll(ContentStreamProvider provider) {
    try (InputStream in = provider.newStream()) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static SdkHttpRequest kinesisPutRecord() {
    return SdkHttpRequest.builder()
        .method(SdkHttpMethod.POST)
        .uri(URI.create("http://127.0.0.1:4580/"))
        .putHeader("Content-Type", "application/x-amz-json-1.1")
        .putHeader("X-Amz-Target", "Kinesis_20131202.PutRecord")
        .putHeader("Content-Length", Integer.toString(PUT_RECORD.length))
        .build();
  }

  static SigV4Exception failure(SigV4Verifier verifier, SignedRequest request) {
    try {
      verifier.verify(request);
    } catch (SigV4Exception e) {
      return e;
    }
    return fail("expected the request to be rejected");
  }

  // ---------------------------------------------------------------- header form

  @Test
  void aKinesisJsonRequestSignedByTheSdkVerifiesUntilTampered() {
    Sent sent = sdkSign(kinesisPutRecord(), PUT_RECORD, "kinesis", r -> {});
    SignedRequest received = sent.received();

    assertThat(VERIFIER.verify(received))
        .isEqualTo(new Principal(KEYS.accessKeyId(), "eu-central-1", "kinesis"));

    byte[] otherBody = PUT_RECORD.clone();
    otherBody[otherBody.length - 3] = '8';
    assertThat(
            failure(VERIFIER, sent.received("POST", sent.request().getUri(), otherBody)).reason())
        .isEqualTo(Reason.BAD_SIGNATURE);

    SignedRequest otherTarget = sent.received();
    otherTarget.headers().put("X-Amz-Target", List.of("Kinesis_20131202.DeleteStream"));
    SigV4Exception e = failure(VERIFIER, otherTarget);
    assertThat(e.awsCode()).isEqualTo("InvalidSignatureException");
    assertThat(e.httpStatus()).isEqualTo(400);

    SigV4Verifier wrongSecret =
        SigV4Verifier.forCredentials(
            new Credentials(
                KEYS.accessKeyId(), Credentials.generate(new SecureRandom()).secretAccessKey()),
            CLOCK);
    assertThat(failure(wrongSecret, received).reason()).isEqualTo(Reason.BAD_SIGNATURE);
    SigV4Verifier later =
        SigV4Verifier.forCredentials(KEYS, Clock.offset(CLOCK, Duration.ofMinutes(16)));
    assertThat(failure(later, received).awsCode()).isEqualTo("InvalidSignatureException");
  }

  @Test
  void basinsSignerProducesTheSdksSignature() {
    Sent sdk = sdkSign(kinesisPutRecord(), PUT_RECORD, "kinesis", r -> {});
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", "application/x-amz-json-1.1");
    headers.put("X-Amz-Target", "Kinesis_20131202.PutRecord");
    headers.put("Content-Length", Integer.toString(PUT_RECORD.length));
    // The SDK's signer adds x-amz-content-sha256 for every service; Basin's adds it only for s3
    // but signs it when given.
    headers.put(
        "x-amz-content-sha256",
        sdk.request().firstMatchingHeader("x-amz-content-sha256").orElseThrow());

    Map<String, String> basin =
        new SigV4Signer(KEYS, "eu-central-1", "kinesis")
            .sign("POST", URI.create("http://127.0.0.1:4580/"), headers, PUT_RECORD, NOW);

    assertThat(basin.get("Authorization"))
        .isEqualTo(sdk.request().firstMatchingHeader("Authorization").orElseThrow());
    assertThat(basin.get("X-Amz-Date"))
        .isEqualTo(sdk.request().firstMatchingHeader("X-Amz-Date").orElseThrow());
  }

  static SdkHttpRequest s3PutObject() {
    return SdkHttpRequest.builder()
        .method(SdkHttpMethod.PUT)
        .uri(
            URI.create(
                "http://127.0.0.1:4580/raw/events/2024/a%20b%2Bc%24%C3%BC.json?x-id=PutObject"))
        .putHeader("Content-Type", "application/json")
        .putHeader("Content-Length", Integer.toString(PUT_RECORD.length))
        .build();
  }

  static void s3Options(
      software.amazon.awssdk.http.auth.spi.signer.SignRequest.Builder<AwsCredentialsIdentity> r) {
    r.putProperty(AwsV4FamilyHttpSigner.DOUBLE_URL_ENCODE, false)
        .putProperty(AwsV4FamilyHttpSigner.NORMALIZE_PATH, false);
  }

  @Test
  void anS3PutWithASignedPayloadVerifiesUntilTampered() {
    Sent sent =
        sdkSign(
            s3PutObject(),
            PUT_RECORD,
            "s3",
            r -> {
              s3Options(r);
              r.putProperty(AwsV4FamilyHttpSigner.PAYLOAD_SIGNING_ENABLED, true);
            });

    assertThat(sent.request().firstMatchingHeader("x-amz-content-sha256"))
        .hasValueSatisfying(v -> assertThat(v).matches("[0-9a-f]{64}"));
    assertThat(VERIFIER.verify(sent.received()).service()).isEqualTo("s3");

    byte[] otherBody = PUT_RECORD.clone();
    otherBody[5] = 'X';
    SigV4Exception e = failure(VERIFIER, sent.received("PUT", sent.request().getUri(), otherBody));
    assertThat(e.reason()).isEqualTo(Reason.PAYLOAD_HASH_MISMATCH);
    assertThat(e.s3Code()).isEqualTo("XAmzContentSHA256Mismatch");

    URI otherKey = URI.create(sent.request().getUri().toString().replace("2024", "2025"));
    e = failure(VERIFIER, sent.received("PUT", otherKey, PUT_RECORD));
    assertThat(e.reason()).isEqualTo(Reason.BAD_SIGNATURE);
    assertThat(e.s3Code()).isEqualTo("SignatureDoesNotMatch");
    assertThat(e.s3HttpStatus()).isEqualTo(403);
  }

  @Test
  void anS3PutWithAnUnsignedPayloadVerifies() {
    // The SDK signs the payload anyway over plain HTTP; UNSIGNED-PAYLOAD needs https.
    URI https = URI.create(s3PutObject().getUri().toString().replace("http:", "https:"));
    Sent sent =
        sdkSign(
            s3PutObject().toBuilder().uri(https).build(),
            PUT_RECORD,
            "s3",
            r -> {
              s3Options(r);
              r.putProperty(AwsV4FamilyHttpSigner.PAYLOAD_SIGNING_ENABLED, false);
            });

    assertThat(sent.request().firstMatchingHeader("x-amz-content-sha256"))
        .contains("UNSIGNED-PAYLOAD");
    assertThat(VERIFIER.verify(sent.received()).service()).isEqualTo("s3");
  }

  @Test
  void basinsSignerProducesTheSdksS3Signature() {
    Sent sdk =
        sdkSign(
            s3PutObject(),
            PUT_RECORD,
            "s3",
            r -> {
              s3Options(r);
              r.putProperty(AwsV4FamilyHttpSigner.PAYLOAD_SIGNING_ENABLED, true);
            });
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", "application/json");
    headers.put("Content-Length", Integer.toString(PUT_RECORD.length));

    Map<String, String> basin =
        new SigV4Signer(KEYS, "eu-central-1", "s3")
            .sign("PUT", s3PutObject().getUri(), headers, PUT_RECORD, NOW);

    assertThat(basin.get("Authorization"))
        .isEqualTo(sdk.request().firstMatchingHeader("Authorization").orElseThrow());
    assertThat(basin.get("x-amz-content-sha256"))
        .isEqualTo(sdk.request().firstMatchingHeader("x-amz-content-sha256").orElseThrow());
  }

  @Test
  void anAwsChunkedS3UploadVerifiesChunkByChunk() {
    byte[] object = new byte[200_000];
    Arrays.fill(object, (byte) 'z');
    SdkHttpRequest request =
        s3PutObject().toBuilder()
            .putHeader("Content-Length", Integer.toString(object.length))
            .build();
    Sent sent =
        sdkSign(
            request,
            object,
            "s3",
            r -> {
              s3Options(r);
              r.putProperty(AwsV4FamilyHttpSigner.PAYLOAD_SIGNING_ENABLED, true)
                  .putProperty(AwsV4FamilyHttpSigner.CHUNK_ENCODING_ENABLED, true);
            });

    assertThat(sent.request().firstMatchingHeader("x-amz-content-sha256"))
        .contains("STREAMING-AWS4-HMAC-SHA256-PAYLOAD");
    VerifiedSignature verified = VERIFIER.verifyDetailed(sent.received());
    assertThat(verified.chunkSignaturesRequired()).isTrue();

    assertThat(decodeChunks(verified, sent.body())).isEqualTo(object);

    byte[] tampered = sent.body().clone();
    tampered[tampered.length / 2] ^= 1;
    assertThat(catchChunkFailure(verified, tampered)).contains("chunk signature does not match");
  }

  /** Decodes an aws-chunked body, checking each chunk signature; fails on the first bad one. */
  static byte[] decodeChunks(VerifiedSignature verified, byte[] body) {
    ByteArrayOutputStream data = new ByteArrayOutputStream();
    String previous = verified.seedSignature();
    int pos = 0;
    while (true) {
      int lineEnd = indexOfCrlf(body, pos);
      String header = new String(body, pos, lineEnd - pos, StandardCharsets.US_ASCII);
      int semicolon = header.indexOf(';');
      int size = Integer.parseInt(header.substring(0, semicolon), 16);
      String signature = header.substring(header.indexOf("chunk-signature=") + 16);
      int start = lineEnd + 2;
      if (!verified.chunkSignatureMatches(previous, body, start, size, signature)) {
        throw new IllegalStateException("chunk signature does not match at offset " + pos);
      }
      data.write(body, start, size);
      previous = signature;
      pos = start + size + 2;
      if (size == 0) {
        return data.toByteArray();
      }
    }
  }

  static String catchChunkFailure(VerifiedSignature verified, byte[] body) {
    try {
      decodeChunks(verified, body);
    } catch (IllegalStateException e) {
      return e.getMessage();
    }
    return fail("expected a chunk signature to fail");
  }

  static int indexOfCrlf(byte[] body, int from) {
    for (int i = from; i + 1 < body.length; i++) {
      if (body[i] == '\r' && body[i + 1] == '\n') {
        return i;
      }
    }
    throw new IllegalStateException("no CRLF after offset " + from);
  }

  // ---------------------------------------------------------------- query form

  @Test
  void anS3PresignedGetVerifiesUntilItExpires() {
    SdkHttpRequest get =
        SdkHttpRequest.builder()
            .method(SdkHttpMethod.GET)
            .uri(URI.create("http://127.0.0.1:4580/results/q%201/part-0.csv?versionId=a%2Bb"))
            .build();
    Sent sent =
        sdkSign(
            get,
            null,
            "s3",
            r -> {
              s3Options(r);
              r.putProperty(
                      AwsV4FamilyHttpSigner.AUTH_LOCATION,
                      AwsV4FamilyHttpSigner.AuthLocation.QUERY_STRING)
                  .putProperty(AwsV4FamilyHttpSigner.EXPIRATION_DURATION, Duration.ofMinutes(10))
                  .putProperty(AwsV4FamilyHttpSigner.PAYLOAD_SIGNING_ENABLED, false);
            });
    URI url = sent.request().getUri();
    assertThat(url.getRawQuery()).contains("X-Amz-Signature=").contains("X-Amz-Expires=600");

    SignedRequest received = sent.received();
    assertThat(VERIFIER.verify(received).service()).isEqualTo("s3");
    assertThat(
            SigV4Verifier.forCredentials(KEYS, Clock.offset(CLOCK, Duration.ofMinutes(10)))
                .verify(received))
        .isNotNull();

    SigV4Exception expired =
        failure(
            SigV4Verifier.forCredentials(KEYS, Clock.offset(CLOCK, Duration.ofSeconds(601))),
            received);
    assertThat(expired.reason()).isEqualTo(Reason.EXPIRED);
    assertThat(expired.s3Code()).isEqualTo("AccessDenied");

    URI otherObject = URI.create(url.toString().replace("part-0", "part-1"));
    assertThat(failure(VERIFIER, sent.received("GET", otherObject, null)).reason())
        .isEqualTo(Reason.BAD_SIGNATURE);
  }

  @Test
  void basinsPresignedUrlMatchesTheSdks() {
    URI base = URI.create("http://127.0.0.1:4580/results/q%201/part-0.csv");
    Sent sdk =
        sdkSign(
            SdkHttpRequest.builder().method(SdkHttpMethod.GET).uri(base).build(),
            null,
            "s3",
            r -> {
              s3Options(r);
              r.putProperty(
                      AwsV4FamilyHttpSigner.AUTH_LOCATION,
                      AwsV4FamilyHttpSigner.AuthLocation.QUERY_STRING)
                  .putProperty(AwsV4FamilyHttpSigner.EXPIRATION_DURATION, Duration.ofMinutes(10))
                  .putProperty(AwsV4FamilyHttpSigner.PAYLOAD_SIGNING_ENABLED, false);
            });

    URI basin =
        new SigV4Signer(KEYS, "eu-central-1", "s3")
            .presign("GET", base, Duration.ofMinutes(10), NOW);

    assertThat(queryParameter(basin, "X-Amz-Signature"))
        .isEqualTo(queryParameter(sdk.request().getUri(), "X-Amz-Signature"));
  }

  static String queryParameter(URI uri, String name) {
    for (String pair : uri.getRawQuery().split("&")) {
      if (pair.startsWith(name + "=")) {
        return pair.substring(name.length() + 1);
      }
    }
    return fail("no " + name + " in " + uri);
  }

  // ---------------------------------------------------------------- over the wire

  /**
   * A real KinesisClient (Apache HTTP client, JSON protocol) against a server that verifies with
   * {@link SigV4Verifier} and answers failures the way Kinesis does.
   */
  @Test
  void theSdkKinesisClientIsAcceptedOverHttpAndGetsAwsErrorCodes() throws IOException {
    SigV4Verifier verifier = SigV4Verifier.forCredentials(KEYS, Clock.systemUTC());
    List<Principal> principals = new java.util.concurrent.CopyOnWriteArrayList<>();
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> answer(exchange, verifier, principals));
    server.start();
    try {
      URI endpoint = URI.create("http://127.0.0.1:" + server.getAddress().getPort());

      try (KinesisClient client = kinesis(endpoint, KEYS)) {
        assertThat(client.listStreams().streamNames()).isEmpty();
      }
      assertThat(principals)
          .containsExactly(new Principal(KEYS.accessKeyId(), "us-east-1", "kinesis"));

      Credentials wrongSecret =
          new Credentials(
              KEYS.accessKeyId(), Credentials.generate(new SecureRandom()).secretAccessKey());
      try (KinesisClient client = kinesis(endpoint, wrongSecret)) {
        KinesisException e = catchKinesis(client);
        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidSignatureException");
        assertThat(e.statusCode()).isEqualTo(400);
        assertThat(e.awsErrorDetails().errorMessage())
            .startsWith("The request signature we calculated does not match");
      }

      try (KinesisClient client = kinesis(endpoint, Credentials.generate(new SecureRandom()))) {
        KinesisException e = catchKinesis(client);
        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("UnrecognizedClientException");
        assertThat(e.awsErrorDetails().errorMessage())
            .isEqualTo("The security token included in the request is invalid.");
      }
    } finally {
      server.stop(0);
    }
  }

  static KinesisException catchKinesis(KinesisClient client) {
    try {
      client.listStreams();
    } catch (KinesisException e) {
      return e;
    }
    return fail("expected the call to be rejected");
  }

  static void answer(HttpExchange exchange, SigV4Verifier verifier, List<Principal> principals)
      throws IOException {
    byte[] body = exchange.getRequestBody().readAllBytes();
    Map<String, List<String>> headers = new LinkedHashMap<>(exchange.getRequestHeaders());
    URI uri = exchange.getRequestURI();
    byte[] response;
    int status;
    try {
      principals.add(
          verifier.verify(
              new SignedRequest(
                  exchange.getRequestMethod(),
                  uri.getRawPath(),
                  uri.getRawQuery(),
                  headers,
                  body)));
      status = 200;
      response = "{\"StreamNames\":[],\"HasMoreStreams\":false}".getBytes(StandardCharsets.UTF_8);
    } catch (SigV4Exception e) {
      status = e.httpStatus();
      exchange.getResponseHeaders().add("x-amzn-ErrorType", e.awsCode());
      response =
          ("{\"__type\":\""
                  + e.awsCode()
                  + "\",\"message\":\""
                  + jsonEscape(e.getMessage())
                  + "\"}")
              .getBytes(StandardCharsets.UTF_8);
    }
    exchange.getResponseHeaders().add("Content-Type", "application/x-amz-json-1.1");
    exchange.sendResponseHeaders(status, response.length);
    exchange.getResponseBody().write(response);
    exchange.close();
  }

  static String jsonEscape(String s) {
    StringBuilder out = new StringBuilder(s.length() + 16);
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.toString();
  }

  /** A JSON-protocol client; {@code aws.cborEnabled} is read at build time and then restored. */
  static KinesisClient kinesis(URI endpoint, Credentials credentials) {
    synchronized (SigV4CompatibilityIT.class) {
      String before = System.getProperty("aws.cborEnabled");
      System.setProperty("aws.cborEnabled", "false");
      try {
        return KinesisClient.builder()
            .endpointOverride(endpoint)
            .region(Region.US_EAST_1)
            .credentialsProvider(
                StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(
                        credentials.accessKeyId(), credentials.secretAccessKey())))
            .httpClientBuilder(ApacheHttpClient.builder())
            .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
            .build();
      } finally {
        if (before == null) {
          System.clearProperty("aws.cborEnabled");
        } else {
          System.setProperty("aws.cborEnabled", before);
        }
      }
    }
  }
}
