package dev.basin.it.s3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.basin.it.BasinProcess;
import dev.basin.server.auth.Credentials;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Bad input on the S3 API, sent as raw signed HTTP so that nothing is normalized on the way: each
 * case checks S3's error code and message and that nothing was stored or lost.
 */
@ExtendWith(BasinProcess.DumpLogsOnFailure.class)
class S3BadInputIT {
  @TempDir static Path dir;
  static BasinProcess basin;
  static S3Client s3;
  static S3Raw raw;

  @BeforeAll
  static void start() {
    basin = BasinProcess.builder(dir.resolve("data")).maxHeap("256m").start();
    s3 = S3Clients.client(basin);
    raw = new S3Raw(basin.endpoint(), basin.credentials());
    s3.createBucket(b -> b.bucket("bad"));
    s3.putObject(b -> b.bucket("bad").key("keep.txt"), RequestBody.fromString("original"));
  }

  @AfterAll
  static void stop() {
    if (s3 != null) {
      s3.close();
    }
    if (basin != null) {
      basin.close();
    }
  }

  static List<String> keys() {
    return s3.listObjectsV2(b -> b.bucket("bad")).contents().stream().map(S3Object::key).toList();
  }

  static String keep() {
    return s3.getObjectAsBytes(b -> b.bucket("bad").key("keep.txt")).asUtf8String();
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static String md5(byte[] b) throws Exception {
    return Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest(b));
  }

  /** Files under the data directory but outside lake/ and meta/ that a traversal could create. */
  static List<Path> strayFiles() throws Exception {
    Path data = basin.dataDir();
    try (Stream<Path> s = Files.walk(data.getParent())) {
      return s.filter(Files::isRegularFile)
          .filter(p -> p.getFileName().toString().equals("pwned"))
          .toList();
    }
  }

  @Test
  void traversalAbsoluteAndNulKeysAreRejectedAndNothingIsStored() throws Exception {
    for (String path :
        List.of(
            "/bad/../pwned",
            "/bad/..%2Fpwned",
            "/bad/%2E%2E%2F%2E%2E%2Fpwned",
            "/bad/a/../../pwned",
            "/bad//pwned",
            "/bad/%2Fpwned",
            "/bad/pw%00ned")) {
      S3Raw.Response r = raw.signed("PUT", path, Map.of(), bytes("evil"));
      assertThat(r.status()).as(path + " -> " + r).isBetween(400, 499);
      if (r.code() != null) {
        assertThat(r.code())
            .as(path)
            .isIn("InvalidArgument", "InvalidURI", "NoSuchBucket", "InvalidBucketName");
        assertThat(r.message()).as(path).isNotBlank();
      }
    }
    assertThat(keys()).containsExactly("keep.txt");
    assertThat(strayFiles()).isEmpty();
    assertThat(s3.listBuckets().buckets()).noneMatch(b -> b.name().equals("pwned"));
  }

  @Test
  void oversizedKeyIsKeyTooLong() {
    String key = "k".repeat(1025);
    S3Raw.Response r = raw.signed("PUT", "/bad/" + key, Map.of(), bytes("x"));
    assertThat(r.status()).as(r.toString()).isEqualTo(400);
    assertThat(r.code()).isEqualTo("KeyTooLongError");
    assertThat(keys()).containsExactly("keep.txt");
    String ok = "k".repeat(1024);
    assertThat(raw.signed("PUT", "/bad/" + ok, Map.of(), bytes("x")).status()).isEqualTo(200);
    s3.deleteObject(b -> b.bucket("bad").key(ok));
  }

  @Test
  void malformedXmlBodiesChangeNothing() throws Exception {
    byte[] broken = bytes("<Delete><Object><Key>keep.txt</Key></Object>");
    S3Raw.Response del =
        raw.signed("POST", "/bad?delete", Map.of("Content-MD5", md5(broken)), broken);
    assertThat(del.status()).isEqualTo(400);
    assertThat(del.code()).isEqualTo("MalformedXML");
    assertThat(keys()).contains("keep.txt");

    byte[] xxe =
        bytes(
            "<?xml version=\"1.0\"?><!DOCTYPE d [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
                + "<Delete><Object><Key>&x;</Key></Object></Delete>");
    S3Raw.Response x = raw.signed("POST", "/bad?delete", Map.of("Content-MD5", md5(xxe)), xxe);
    assertThat(x.code()).isEqualTo("MalformedXML");
    assertThat(x.text()).doesNotContain("root:");
    assertThat(keys()).contains("keep.txt");

    byte[] lifecycle = bytes("<LifecycleConfiguration><Rule><ID>r</ID>");
    S3Raw.Response lc =
        raw.signed("PUT", "/bad?lifecycle", Map.of("Content-MD5", md5(lifecycle)), lifecycle);
    assertThat(lc.code()).isEqualTo("MalformedXML");
    assertThat(raw.signed("GET", "/bad?lifecycle", Map.of(), null).code())
        .isEqualTo("NoSuchLifecycleConfiguration");

    byte[] versioning =
        bytes("<VersioningConfiguration><Status>Sometimes</Status></VersioningConfiguration>");
    assertThat(raw.signed("PUT", "/bad?versioning", Map.of(), versioning).code())
        .isEqualTo("MalformedXML");
    assertThat(raw.signed("GET", "/bad?versioning", Map.of(), null).text())
        .doesNotContain("<Status>");

    String uploadId = s3.createMultipartUpload(b -> b.bucket("bad").key("mp")).uploadId();
    byte[] complete =
        bytes(
            "<CompleteMultipartUpload><Part><PartNumber>one</PartNumber></Part></CompleteMultipartUpload>");
    S3Raw.Response c = raw.signed("POST", "/bad/mp?uploadId=" + uploadId, Map.of(), complete);
    assertThat(c.code()).isEqualTo("MalformedXML");
    assertThat(s3.listMultipartUploads(b -> b.bucket("bad")).uploads()).hasSize(1);
    s3.abortMultipartUpload(b -> b.bucket("bad").key("mp").uploadId(uploadId));
    assertThat(keys()).containsExactly("keep.txt");

    byte[] noMd5 = bytes("<Delete><Object><Key>keep.txt</Key></Object></Delete>");
    S3Raw.Response missing = raw.signed("POST", "/bad?delete", Map.of(), noMd5);
    assertThat(missing.code()).isEqualTo("InvalidRequest");
    assertThat(missing.message()).contains("Content-MD5");
    assertThat(keys()).contains("keep.txt");
  }

  @Test
  void unsatisfiableRangeIs416WithContentRange() {
    S3Raw.Response r = raw.signed("GET", "/bad/keep.txt", Map.of("Range", "bytes=100-200"), null);
    assertThat(r.status()).isEqualTo(416);
    assertThat(r.code()).isEqualTo("InvalidRange");
    assertThat(r.header("Content-Range")).isEqualTo("bytes */8");
    S3Raw.Response ignored = raw.signed("GET", "/bad/keep.txt", Map.of("Range", "bytes=5-2"), null);
    assertThat(ignored.status()).isEqualTo(200);
    assertThat(ignored.text()).isEqualTo("original");
  }

  @Test
  void unknownBucketIsNoSuchBucketAndNotCreated() {
    S3Raw.Response r = raw.signed("PUT", "/no-such-bucket/k", Map.of(), bytes("data"));
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.code()).isEqualTo("NoSuchBucket");
    assertThat(r.text()).contains("<BucketName>no-such-bucket</BucketName>");
    assertThat(r.header("x-amz-request-id")).isNotBlank();
    S3Raw.Response head = raw.signed("HEAD", "/no-such-bucket/k", Map.of(), null);
    assertThat(head.status()).isEqualTo(404);
    assertThat(head.body()).isEmpty();
    assertThat(s3.listBuckets().buckets()).noneMatch(b -> b.name().equals("no-such-bucket"));
    S3Raw.Response invalid = raw.signed("PUT", "/Bad_Name", Map.of(), null);
    assertThat(invalid.code()).isEqualTo("InvalidBucketName");
  }

  @Test
  void badSignaturesAreRejectedAndStoreNothing() {
    Credentials c = basin.credentials();
    Credentials wrongSecret =
        new Credentials(
            c.accessKeyId(), Credentials.generate(new SecureRandom()).secretAccessKey());
    S3Raw.Response wrong =
        raw.signed("PUT", "/bad/sig", Map.of(), bytes("x"), wrongSecret, Instant.now());
    assertThat(wrong.status()).isEqualTo(403);
    assertThat(wrong.code()).isEqualTo("SignatureDoesNotMatch");
    assertThat(wrong.text()).doesNotContain(c.secretAccessKey());

    S3Raw.Response unknown =
        raw.signed(
            "PUT",
            "/bad/sig",
            Map.of(),
            bytes("x"),
            Credentials.generate(new SecureRandom()),
            Instant.now());
    assertThat(unknown.code()).isEqualTo("InvalidAccessKeyId");

    S3Raw.Response anonymous = raw.send("PUT", "/bad/sig", Map.of(), bytes("x"));
    assertThat(anonymous.status()).isEqualTo(403);
    assertThat(anonymous.code()).isEqualTo("AccessDenied");

    S3Raw.Response skewed =
        raw.signed(
            "PUT", "/bad/sig", Map.of(), bytes("x"), c, Instant.now().minus(Duration.ofHours(1)));
    assertThat(skewed.code()).isEqualTo("RequestTimeTooSkewed");

    S3Raw.Response malformed =
        raw.send(
            "PUT",
            "/bad/sig",
            Map.of(
                "Authorization",
                "AWS4-HMAC-SHA256 Credential=x",
                "x-amz-date",
                "20240101T000000Z",
                "x-amz-content-sha256",
                "UNSIGNED-PAYLOAD"),
            bytes("x"));
    assertThat(malformed.code()).isEqualTo("AuthorizationHeaderMalformed");

    // signed digest of one body, another body sent
    byte[] signedBody = bytes("signed");
    Map<String, String> h = new LinkedHashMap<>();
    h.put("x-amz-content-sha256", HexFormat.of().formatHex(sha256(signedBody)));
    Map<String, String> signedHeaders = new LinkedHashMap<>(h);
    signedHeaders.putAll(
        new dev.basin.server.auth.SigV4Signer(c, "us-east-1", "s3")
            .sign(
                "PUT",
                java.net.URI.create(basin.endpoint() + "/bad/sig"),
                h,
                signedBody,
                Instant.now()));
    S3Raw.Response mismatch = raw.send("PUT", "/bad/sig", signedHeaders, bytes("tampr!"));
    assertThat(mismatch.code()).isEqualTo("XAmzContentSHA256Mismatch");

    assertThat(keys()).containsExactly("keep.txt");
  }

  static byte[] sha256(byte[] b) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(b);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void wrongDigestsKeepThePreviousObject() throws Exception {
    S3Raw.Response md5 =
        raw.signed(
            "PUT",
            "/bad/keep.txt",
            Map.of("Content-MD5", md5(bytes("something else"))),
            bytes("replacement"));
    assertThat(md5.status()).isEqualTo(400);
    assertThat(md5.code()).isEqualTo("BadDigest");
    assertThat(keep()).isEqualTo("original");

    S3Raw.Response notMd5 =
        raw.signed(
            "PUT", "/bad/keep.txt", Map.of("Content-MD5", "not-base64!"), bytes("replacement"));
    assertThat(notMd5.status()).isEqualTo(400);
    assertThat(keep()).isEqualTo("original");

    S3Raw.Response crc =
        raw.signed(
            "PUT",
            "/bad/keep.txt",
            Map.of("x-amz-checksum-crc32", "AAAAAA=="),
            bytes("replacement"));
    assertThat(crc.code()).isEqualTo("BadDigest");
    assertThat(crc.message()).contains("CRC32");
    assertThat(keep()).isEqualTo("original");

    // aws-chunked with a forged chunk signature
    byte[] chunked =
        bytes(
            "b;chunk-signature="
                + "0".repeat(64)
                + "\r\nreplacement\r\n0;chunk-signature="
                + "0".repeat(64)
                + "\r\n\r\n");
    S3Raw.Response chunk =
        raw.signed(
            "PUT",
            "/bad/keep.txt",
            Map.of(
                "x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
                "Content-Encoding", "aws-chunked",
                "x-amz-decoded-content-length", "11"),
            chunked);
    assertThat(chunk.status()).as(chunk.toString()).isEqualTo(403);
    assertThat(chunk.code()).isEqualTo("SignatureDoesNotMatch");
    assertThat(keep()).isEqualTo("original");

    // aws-chunked that ends early
    byte[] truncated = bytes("b\r\nrepl");
    S3Raw.Response shortBody =
        raw.signed(
            "PUT",
            "/bad/keep.txt",
            Map.of(
                "x-amz-content-sha256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
                "Content-Encoding", "aws-chunked",
                "x-amz-decoded-content-length", "11"),
            truncated);
    assertThat(shortBody.code()).isEqualTo("IncompleteBody");
    assertThat(keep()).isEqualTo("original");
    assertThat(keys()).containsExactly("keep.txt");
  }

  @Test
  void basinRoutesStillWinOverBucketNames() {
    S3Raw.Response health = raw.send("GET", "/health", Map.of(), null);
    assertThat(health.status()).isEqualTo(200);
    assertThat(health.text()).contains("\"storage\":\"ready\"");
    S3Raw.Response api = raw.send("GET", "/api/v1/streams", Map.of(), null);
    assertThat(api.status()).isEqualTo(401);
    assertThat(api.text()).contains("UNAUTHENTICATED");
    S3Raw.Response metrics =
        raw.send("GET", "/metrics", Map.of("Authorization", basin.bearer()), null);
    assertThat(metrics.status()).isEqualTo(200);
    assertThat(metrics.text()).contains("basin_s3_requests");
  }
}
