package dev.basin.it.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.basin.it.BasinProcess;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.*;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.s3.presigner.model.GetObjectPresignRequest;
import software.amazon.awssdk.services.s3.presigner.model.PresignedGetObjectRequest;

/**
 * The AWS SDK for Java v2 {@link S3Client} (path-style, endpoint override) against a Basin server:
 * every S3 operation Basin implements, with the SDK's defaults (chunked, signed bodies with CRC32
 * trailers over http).
 */
@ExtendWith(BasinProcess.DumpLogsOnFailure.class)
class S3SdkIT {
  static final int MIN_PART = 1024 * 1024;

  @TempDir static Path dir;
  static BasinProcess basin;
  static S3Client s3;

  @BeforeAll
  static void start() {
    basin =
        BasinProcess.builder(dir.resolve("data"))
            .args("--set", "storage.min-part-size=1MiB")
            .maxHeap("256m")
            .start();
    s3 = S3Clients.client(basin);
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

  static S3Exception s3Error(Runnable r) {
    S3Exception e = catchThrowableOfType(S3Exception.class, r::run);
    assertThat(e).as("expected an S3 error").isNotNull();
    return e;
  }

  static String code(S3Exception e) {
    return e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
  }

  static byte[] get(String bucket, String key) {
    return s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray();
  }

  @Test
  void defaultBucketsAndBucketOperations() {
    List<String> names = s3.listBuckets().buckets().stream().map(Bucket::name).toList();
    assertThat(names).contains("raw", "processed", "curated", "results");

    s3.createBucket(b -> b.bucket("sdk-buckets"));
    s3.headBucket(b -> b.bucket("sdk-buckets"));
    assertThat(s3.getBucketLocation(b -> b.bucket("sdk-buckets")).locationConstraintAsString())
        .isNullOrEmpty();
    S3Exception again = s3Error(() -> s3.createBucket(b -> b.bucket("sdk-buckets")));
    assertThat(code(again)).isEqualTo("BucketAlreadyOwnedByYou");
    assertThat(again.statusCode()).isEqualTo(409);

    s3.createBucket(
        b ->
            b.bucket("sdk-buckets-eu")
                .createBucketConfiguration(c -> c.locationConstraint("eu-west-1")));
    s3.putObject(b -> b.bucket("sdk-buckets-eu").key("x"), RequestBody.fromString("x"));
    assertThat(code(s3Error(() -> s3.deleteBucket(b -> b.bucket("sdk-buckets-eu")))))
        .isEqualTo("BucketNotEmpty");
    s3.deleteObject(b -> b.bucket("sdk-buckets-eu").key("x"));
    s3.deleteBucket(b -> b.bucket("sdk-buckets-eu"));
    s3.deleteBucket(b -> b.bucket("sdk-buckets"));
    assertThat(s3Error(() -> s3.headBucket(b -> b.bucket("sdk-buckets"))).statusCode())
        .isEqualTo(404);
    assertThat(code(s3Error(() -> s3.listObjectsV2(b -> b.bucket("sdk-buckets")))))
        .isEqualTo("NoSuchBucket");
    S3Exception reserved = s3Error(() -> s3.createBucket(b -> b.bucket("metrics")));
    assertThat(code(reserved)).isEqualTo("InvalidBucketName");
  }

  @Test
  void objectsOfOneAndSixtyFourMibRoundTripByteIdentical() throws IOException {
    for (long size : new long[] {1L << 20, 64L << 20}) {
      Path file = S3Clients.randomFile(dir, "obj-" + size, size, size);
      String key = "sdk/round-trip-" + size + ".bin";
      PutObjectResponse put =
          s3.putObject(
              b ->
                  b.bucket("raw")
                      .key(key)
                      .contentType("application/x-test")
                      .metadata(Map.of("origin", "it")),
              RequestBody.fromFile(file));
      String md5 = S3Clients.md5(file);
      assertThat(put.eTag()).isEqualTo("\"" + md5 + "\"");
      Path back = dir.resolve("back-" + size);
      Files.deleteIfExists(back);
      GetObjectResponse got = s3.getObject(b -> b.bucket("raw").key(key), back);
      assertThat(S3Clients.md5(back)).isEqualTo(md5);
      assertThat(Files.size(back)).isEqualTo(size);
      assertThat(got.contentType()).isEqualTo("application/x-test");
      assertThat(got.metadata()).containsEntry("origin", "it");
      HeadObjectResponse head = s3.headObject(b -> b.bucket("raw").key(key));
      assertThat(head.contentLength()).isEqualTo(size);
      assertThat(head.eTag()).isEqualTo(put.eTag());
      s3.deleteObject(b -> b.bucket("raw").key(key));
      assertThat(s3Error(() -> s3.headObject(b -> b.bucket("raw").key(key))).statusCode())
          .isEqualTo(404);
      assertThat(code(s3Error(() -> get("raw", key)))).isEqualTo("NoSuchKey");
    }
  }

  @Test
  void contentMd5AndChecksumsAreAccepted() throws Exception {
    byte[] data = "checked body".getBytes(StandardCharsets.UTF_8);
    String md5 =
        java.util.Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest(data));
    s3.putObject(b -> b.bucket("raw").key("sdk/md5").contentMD5(md5), RequestBody.fromBytes(data));
    for (ChecksumAlgorithm a :
        List.of(
            ChecksumAlgorithm.CRC32,
            ChecksumAlgorithm.CRC32_C,
            ChecksumAlgorithm.SHA1,
            ChecksumAlgorithm.SHA256)) {
      s3.putObject(
          b -> b.bucket("raw").key("sdk/sum-" + a).checksumAlgorithm(a),
          RequestBody.fromBytes(data));
      assertThat(get("raw", "sdk/sum-" + a)).isEqualTo(data);
    }
    assertThat(get("raw", "sdk/md5")).isEqualTo(data);
  }

  @Test
  void rangesAndConditionalGets() {
    byte[] data = "0123456789abcdefghij".getBytes(StandardCharsets.US_ASCII);
    PutObjectResponse put =
        s3.putObject(b -> b.bucket("raw").key("sdk/range"), RequestBody.fromBytes(data));
    ResponseBytes<GetObjectResponse> r =
        s3.getObjectAsBytes(b -> b.bucket("raw").key("sdk/range").range("bytes=2-5"));
    assertThat(r.asUtf8String()).isEqualTo("2345");
    assertThat(r.response().contentRange()).isEqualTo("bytes 2-5/20");
    assertThat(r.response().contentLength()).isEqualTo(4);
    assertThat(
            s3.getObjectAsBytes(b -> b.bucket("raw").key("sdk/range").range("bytes=-3"))
                .asUtf8String())
        .isEqualTo("hij");
    assertThat(
            s3.getObjectAsBytes(b -> b.bucket("raw").key("sdk/range").range("bytes=15-"))
                .asUtf8String())
        .isEqualTo("fghij");
    assertThat(
            s3.getObjectAsBytes(b -> b.bucket("raw").key("sdk/range").range("bytes=18-100"))
                .asUtf8String())
        .isEqualTo("ij");
    S3Exception bad =
        s3Error(
            () -> s3.getObjectAsBytes(b -> b.bucket("raw").key("sdk/range").range("bytes=20-30")));
    assertThat(bad.statusCode()).isEqualTo(416);
    assertThat(code(bad)).isEqualTo("InvalidRange");
    HeadObjectResponse headRange =
        s3.headObject(b -> b.bucket("raw").key("sdk/range").range("bytes=0-0"));
    assertThat(headRange.contentLength()).isEqualTo(1);

    String etag = put.eTag();
    assertThat(
            s3.getObjectAsBytes(b -> b.bucket("raw").key("sdk/range").ifMatch(etag)).asByteArray())
        .isEqualTo(data);
    assertThat(
            s3Error(
                    () ->
                        s3.getObjectAsBytes(
                            b -> b.bucket("raw").key("sdk/range").ifMatch("\"nope\"")))
                .statusCode())
        .isEqualTo(412);
    assertThat(
            s3Error(
                    () ->
                        s3.getObjectAsBytes(
                            b -> b.bucket("raw").key("sdk/range").ifNoneMatch(etag)))
                .statusCode())
        .isEqualTo(304);
    Instant future = Instant.now().plus(Duration.ofDays(1));
    Instant past = Instant.now().minus(Duration.ofDays(1));
    assertThat(
            s3Error(
                    () ->
                        s3.getObjectAsBytes(
                            b -> b.bucket("raw").key("sdk/range").ifModifiedSince(future)))
                .statusCode())
        .isEqualTo(304);
    assertThat(
            s3.getObjectAsBytes(b -> b.bucket("raw").key("sdk/range").ifModifiedSince(past))
                .asByteArray())
        .isEqualTo(data);
    assertThat(
            s3Error(
                    () ->
                        s3.getObjectAsBytes(
                            b -> b.bucket("raw").key("sdk/range").ifUnmodifiedSince(past)))
                .statusCode())
        .isEqualTo(412);
    GetObjectResponse overridden =
        s3.getObjectAsBytes(
                b ->
                    b.bucket("raw")
                        .key("sdk/range")
                        .responseContentType("text/plain")
                        .responseContentDisposition("attachment; filename=r.txt")
                        .responseCacheControl("no-cache"))
            .response();
    assertThat(overridden.contentType()).isEqualTo("text/plain");
    assertThat(overridden.contentDisposition()).isEqualTo("attachment; filename=r.txt");
    assertThat(overridden.cacheControl()).isEqualTo("no-cache");
  }

  @Test
  void listObjectsV2PaginatesWithDelimiterAndV1WithMarker() {
    s3.createBucket(b -> b.bucket("sdk-list"));
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      keys.add("top-" + i);
    }
    for (String d : List.of("a", "b", "c")) {
      for (int i = 0; i < 4; i++) {
        keys.add("dir-" + d + "/f" + i);
      }
    }
    keys.add("with space/and+plus");
    for (String k : keys) {
      s3.putObject(b -> b.bucket("sdk-list").key(k), RequestBody.fromString(k));
    }
    List<String> seen = new ArrayList<>();
    List<String> prefixes = new ArrayList<>();
    String token = null;
    int pages = 0;
    do {
      String t = token;
      ListObjectsV2Response page =
          s3.listObjectsV2(
              b ->
                  b.bucket("sdk-list")
                      .delimiter("/")
                      .maxKeys(3)
                      .continuationToken(t)
                      .fetchOwner(true));
      pages++;
      page.contents().forEach(o -> seen.add(o.key()));
      page.commonPrefixes().forEach(p -> prefixes.add(p.prefix()));
      assertThat(page.keyCount()).isLessThanOrEqualTo(3);
      page.contents().forEach(o -> assertThat(o.owner()).isNotNull());
      token = page.isTruncated() ? page.nextContinuationToken() : null;
    } while (token != null);
    assertThat(prefixes).containsExactly("dir-a/", "dir-b/", "dir-c/", "with space/");
    assertThat(seen).containsExactly("top-0", "top-1", "top-2", "top-3", "top-4", "top-5", "top-6");
    assertThat(pages).isEqualTo(4);

    List<String> all = new ArrayList<>();
    s3.listObjectsV2Paginator(b -> b.bucket("sdk-list").maxKeys(4))
        .contents()
        .forEach(o -> all.add(o.key()));
    assertThat(all).isEqualTo(new ArrayList<>(new TreeSet<>(keys)));

    ListObjectsV2Response under =
        s3.listObjectsV2(b -> b.bucket("sdk-list").prefix("dir-b/").startAfter("dir-b/f1"));
    assertThat(under.contents()).extracting(S3Object::key).containsExactly("dir-b/f2", "dir-b/f3");

    ListObjectsV2Response encoded =
        s3.listObjectsV2(b -> b.bucket("sdk-list").prefix("with").encodingType(EncodingType.URL));
    // the SDK decodes url-encoded keys
    assertThat(encoded.contents()).extracting(S3Object::key).containsExactly("with space/and+plus");

    ListObjectsResponse v1 = s3.listObjects(b -> b.bucket("sdk-list").maxKeys(5));
    assertThat(v1.isTruncated()).isTrue();
    assertThat(v1.contents()).hasSize(5);
    String marker = v1.nextMarker();
    assertThat(marker).isEqualTo(v1.contents().get(4).key());
    ListObjectsResponse v1next =
        s3.listObjects(b -> b.bucket("sdk-list").marker(marker).maxKeys(1000));
    assertThat(v1next.contents()).hasSize(keys.size() - 5);
    assertThat(
            code(
                s3Error(
                    () -> s3.listObjectsV2(b -> b.bucket("sdk-list").continuationToken("forged")))))
        .isEqualTo("InvalidArgument");
  }

  @Test
  void copyWithMetadataDirectives() {
    s3.putObject(
        b -> b.bucket("raw").key("sdk/copy-src").contentType("text/csv").metadata(Map.of("a", "1")),
        RequestBody.fromString("a,b\n1,2\n"));
    CopyObjectResponse kept =
        s3.copyObject(
            b ->
                b.sourceBucket("raw")
                    .sourceKey("sdk/copy-src")
                    .destinationBucket("processed")
                    .destinationKey("copy/kept"));
    HeadObjectResponse h1 = s3.headObject(b -> b.bucket("processed").key("copy/kept"));
    assertThat(h1.contentType()).isEqualTo("text/csv");
    assertThat(h1.metadata()).containsEntry("a", "1");
    assertThat(kept.copyObjectResult().eTag()).isEqualTo(h1.eTag());

    s3.copyObject(
        b ->
            b.sourceBucket("raw")
                .sourceKey("sdk/copy-src")
                .destinationBucket("processed")
                .destinationKey("copy/replaced")
                .metadataDirective(MetadataDirective.REPLACE)
                .contentType("text/plain")
                .metadata(Map.of("b", "2")));
    HeadObjectResponse h2 = s3.headObject(b -> b.bucket("processed").key("copy/replaced"));
    assertThat(h2.contentType()).isEqualTo("text/plain");
    assertThat(h2.metadata()).containsExactly(Map.entry("b", "2"));
    assertThat(new String(get("processed", "copy/replaced"), StandardCharsets.UTF_8))
        .isEqualTo("a,b\n1,2\n");
    assertThat(
            code(
                s3Error(
                    () ->
                        s3.copyObject(
                            b ->
                                b.sourceBucket("raw")
                                    .sourceKey("sdk/none")
                                    .destinationBucket("raw")
                                    .destinationKey("x")))))
        .isEqualTo("NoSuchKey");
  }

  @Test
  void multipartUploadHasS3sEtagAndSupportsListAbortAndPartCopy() throws Exception {
    byte[][] parts = {
      S3Clients.random(MIN_PART + 10, 1), S3Clients.random(MIN_PART, 2), S3Clients.random(1000, 3)
    };
    String key = "sdk/multi.bin";
    String uploadId =
        s3.createMultipartUpload(b -> b.bucket("raw").key(key).contentType("application/x-mp"))
            .uploadId();
    List<CompletedPart> done = new ArrayList<>();
    ByteArrayOutputStream whole = new ByteArrayOutputStream();
    ByteArrayOutputStream md5s = new ByteArrayOutputStream();
    for (int i = 0; i < parts.length; i++) {
      int n = i + 1;
      byte[] p = parts[i];
      UploadPartResponse up =
          s3.uploadPart(
              b -> b.bucket("raw").key(key).uploadId(uploadId).partNumber(n),
              RequestBody.fromBytes(p));
      assertThat(up.eTag()).isEqualTo("\"" + S3Clients.md5(p) + "\"");
      done.add(CompletedPart.builder().partNumber(n).eTag(up.eTag()).build());
      whole.write(p);
      md5s.write(MessageDigest.getInstance("MD5").digest(p));
    }
    ListPartsResponse listed = s3.listParts(b -> b.bucket("raw").key(key).uploadId(uploadId));
    assertThat(listed.parts()).extracting(Part::partNumber).containsExactly(1, 2, 3);
    assertThat(listed.parts().get(2).size()).isEqualTo(1000L);
    ListMultipartUploadsResponse uploads =
        s3.listMultipartUploads(b -> b.bucket("raw").prefix("sdk/"));
    assertThat(uploads.uploads()).extracting(MultipartUpload::uploadId).contains(uploadId);

    CompleteMultipartUploadResponse complete =
        s3.completeMultipartUpload(
            b -> b.bucket("raw").key(key).uploadId(uploadId).multipartUpload(m -> m.parts(done)));
    String expected =
        "\""
            + HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(md5s.toByteArray()))
            + "-3\"";
    assertThat(complete.eTag()).isEqualTo(expected);
    assertThat(get("raw", key)).isEqualTo(whole.toByteArray());
    assertThat(s3.headObject(b -> b.bucket("raw").key(key)).contentType())
        .isEqualTo("application/x-mp");

    // UploadPartCopy: a range of the assembled object plus a whole small object
    String copyId = s3.createMultipartUpload(b -> b.bucket("raw").key("sdk/partcopy")).uploadId();
    UploadPartCopyResponse c1 =
        s3.uploadPartCopy(
            b ->
                b.sourceBucket("raw")
                    .sourceKey(key)
                    .copySourceRange("bytes=0-" + (MIN_PART - 1))
                    .destinationBucket("raw")
                    .destinationKey("sdk/partcopy")
                    .uploadId(copyId)
                    .partNumber(1));
    s3.putObject(b -> b.bucket("raw").key("sdk/tail"), RequestBody.fromString("tail"));
    UploadPartCopyResponse c2 =
        s3.uploadPartCopy(
            b ->
                b.sourceBucket("raw")
                    .sourceKey("sdk/tail")
                    .destinationBucket("raw")
                    .destinationKey("sdk/partcopy")
                    .uploadId(copyId)
                    .partNumber(2));
    s3.completeMultipartUpload(
        b ->
            b.bucket("raw")
                .key("sdk/partcopy")
                .uploadId(copyId)
                .multipartUpload(
                    m ->
                        m.parts(
                            CompletedPart.builder()
                                .partNumber(1)
                                .eTag(c1.copyPartResult().eTag())
                                .build(),
                            CompletedPart.builder()
                                .partNumber(2)
                                .eTag(c2.copyPartResult().eTag())
                                .build())));
    byte[] assembled = get("raw", "sdk/partcopy");
    assertThat(assembled).hasSize(MIN_PART + 4);
    assertThat(java.util.Arrays.copyOf(assembled, MIN_PART))
        .isEqualTo(java.util.Arrays.copyOf(parts[0], MIN_PART));

    // too small a part, then abort
    String smallId = s3.createMultipartUpload(b -> b.bucket("raw").key("sdk/small")).uploadId();
    String e1 =
        s3.uploadPart(
                b -> b.bucket("raw").key("sdk/small").uploadId(smallId).partNumber(1),
                RequestBody.fromString("x"))
            .eTag();
    String e2 =
        s3.uploadPart(
                b -> b.bucket("raw").key("sdk/small").uploadId(smallId).partNumber(2),
                RequestBody.fromString("y"))
            .eTag();
    S3Exception small =
        s3Error(
            () ->
                s3.completeMultipartUpload(
                    b ->
                        b.bucket("raw")
                            .key("sdk/small")
                            .uploadId(smallId)
                            .multipartUpload(
                                m ->
                                    m.parts(
                                        CompletedPart.builder().partNumber(1).eTag(e1).build(),
                                        CompletedPart.builder().partNumber(2).eTag(e2).build()))));
    assertThat(code(small)).isEqualTo("EntityTooSmall");
    S3Exception order =
        s3Error(
            () ->
                s3.completeMultipartUpload(
                    b ->
                        b.bucket("raw")
                            .key("sdk/small")
                            .uploadId(smallId)
                            .multipartUpload(
                                m ->
                                    m.parts(
                                        CompletedPart.builder().partNumber(2).eTag(e2).build(),
                                        CompletedPart.builder().partNumber(1).eTag(e1).build()))));
    assertThat(code(order)).isEqualTo("InvalidPartOrder");
    S3Exception wrongEtag =
        s3Error(
            () ->
                s3.completeMultipartUpload(
                    b ->
                        b.bucket("raw")
                            .key("sdk/small")
                            .uploadId(smallId)
                            .multipartUpload(
                                m ->
                                    m.parts(
                                        CompletedPart.builder()
                                            .partNumber(1)
                                            .eTag("\"00\"")
                                            .build()))));
    assertThat(code(wrongEtag)).isEqualTo("InvalidPart");
    s3.abortMultipartUpload(b -> b.bucket("raw").key("sdk/small").uploadId(smallId));
    assertThat(
            code(
                s3Error(
                    () -> s3.listParts(b -> b.bucket("raw").key("sdk/small").uploadId(smallId)))))
        .isEqualTo("NoSuchUpload");
    assertThat(s3Error(() -> s3.headObject(b -> b.bucket("raw").key("sdk/small"))).statusCode())
        .isEqualTo(404);
  }

  @Test
  void versioningKeepsVersionsAndDeleteMarkers() {
    s3.createBucket(b -> b.bucket("sdk-versions"));
    assertThat(s3.getBucketVersioning(b -> b.bucket("sdk-versions")).status()).isNull();
    s3.putBucketVersioning(
        b ->
            b.bucket("sdk-versions")
                .versioningConfiguration(v -> v.status(BucketVersioningStatus.ENABLED)));
    assertThat(s3.getBucketVersioning(b -> b.bucket("sdk-versions")).status())
        .isEqualTo(BucketVersioningStatus.ENABLED);
    String v1 =
        s3.putObject(b -> b.bucket("sdk-versions").key("k"), RequestBody.fromString("one"))
            .versionId();
    String v2 =
        s3.putObject(b -> b.bucket("sdk-versions").key("k"), RequestBody.fromString("two"))
            .versionId();
    assertThat(v1).isNotEqualTo(v2).isNotEqualTo("null");
    assertThat(new String(get("sdk-versions", "k"), StandardCharsets.UTF_8)).isEqualTo("two");
    assertThat(
            s3.getObjectAsBytes(b -> b.bucket("sdk-versions").key("k").versionId(v1))
                .asUtf8String())
        .isEqualTo("one");

    DeleteObjectResponse marker = s3.deleteObject(b -> b.bucket("sdk-versions").key("k"));
    assertThat(marker.deleteMarker()).isTrue();
    assertThat(code(s3Error(() -> get("sdk-versions", "k")))).isEqualTo("NoSuchKey");
    ListObjectVersionsResponse versions = s3.listObjectVersions(b -> b.bucket("sdk-versions"));
    assertThat(versions.versions()).extracting(ObjectVersion::versionId).containsExactly(v2, v1);
    assertThat(versions.deleteMarkers()).hasSize(1);
    assertThat(versions.deleteMarkers().get(0).isLatest()).isTrue();
    assertThat(versions.deleteMarkers().get(0).versionId()).isEqualTo(marker.versionId());

    // removing the delete marker brings v2 back; deleting v2 by id makes v1 current
    s3.deleteObject(b -> b.bucket("sdk-versions").key("k").versionId(marker.versionId()));
    assertThat(new String(get("sdk-versions", "k"), StandardCharsets.UTF_8)).isEqualTo("two");
    s3.deleteObject(b -> b.bucket("sdk-versions").key("k").versionId(v2));
    assertThat(new String(get("sdk-versions", "k"), StandardCharsets.UTF_8)).isEqualTo("one");
    assertThat(
            code(
                s3Error(
                    () ->
                        s3.getObject(
                            b -> b.bucket("sdk-versions").key("k").versionId("no-such-version")))))
        .isIn("NoSuchVersion", "InvalidArgument");
    s3.putBucketVersioning(
        b ->
            b.bucket("sdk-versions")
                .versioningConfiguration(v -> v.status(BucketVersioningStatus.SUSPENDED)));
    assertThat(s3.getBucketVersioning(b -> b.bucket("sdk-versions")).status())
        .isEqualTo(BucketVersioningStatus.SUSPENDED);
  }

  @Test
  void lifecycleConfigurationRoundTrip() {
    s3.createBucket(b -> b.bucket("sdk-lifecycle"));
    assertThat(
            code(s3Error(() -> s3.getBucketLifecycleConfiguration(b -> b.bucket("sdk-lifecycle")))))
        .isEqualTo("NoSuchLifecycleConfiguration");
    LifecycleRule archive =
        LifecycleRule.builder()
            .id("archive-logs")
            .status(ExpirationStatus.ENABLED)
            .filter(
                f ->
                    f.and(
                        a ->
                            a.prefix("logs/")
                                .tags(Tag.builder().key("tier").value("cold").build())))
            .transitions(
                Transition.builder().days(30).storageClass(TransitionStorageClass.GLACIER).build())
            .expiration(e -> e.days(365))
            .noncurrentVersionExpiration(n -> n.noncurrentDays(10))
            .build();
    LifecycleRule uploads =
        LifecycleRule.builder()
            .id("uploads")
            .status(ExpirationStatus.ENABLED)
            .filter(f -> f.prefix(""))
            .abortIncompleteMultipartUpload(a -> a.daysAfterInitiation(7))
            .build();
    LifecycleRule markers =
        LifecycleRule.builder()
            .id("markers")
            .status(ExpirationStatus.DISABLED)
            .filter(f -> f.prefix("tmp/"))
            .expiration(e -> e.expiredObjectDeleteMarker(true))
            .build();
    s3.putBucketLifecycleConfiguration(
        b ->
            b.bucket("sdk-lifecycle")
                .lifecycleConfiguration(c -> c.rules(archive, markers, uploads)));
    List<LifecycleRule> rules =
        s3.getBucketLifecycleConfiguration(b -> b.bucket("sdk-lifecycle")).rules();
    assertThat(rules).hasSize(3);
    LifecycleRule got = rules.get(0);
    assertThat(got.id()).isEqualTo("archive-logs");
    assertThat(got.filter().and().prefix()).isEqualTo("logs/");
    assertThat(got.filter().and().tags())
        .containsExactly(Tag.builder().key("tier").value("cold").build());
    assertThat(got.transitions().get(0).days()).isEqualTo(30);
    assertThat(got.transitions().get(0).storageClass()).isEqualTo(TransitionStorageClass.GLACIER);
    assertThat(got.expiration().days()).isEqualTo(365);
    assertThat(got.noncurrentVersionExpiration().noncurrentDays()).isEqualTo(10);
    assertThat(rules.get(2).abortIncompleteMultipartUpload().daysAfterInitiation()).isEqualTo(7);
    assertThat(rules.get(1).status()).isEqualTo(ExpirationStatus.DISABLED);
    assertThat(rules.get(1).expiration().expiredObjectDeleteMarker()).isTrue();
    assertThat(rules.get(1).filter().prefix()).isEqualTo("tmp/");
    s3.deleteBucketLifecycle(b -> b.bucket("sdk-lifecycle"));
    assertThat(
            code(s3Error(() -> s3.getBucketLifecycleConfiguration(b -> b.bucket("sdk-lifecycle")))))
        .isEqualTo("NoSuchLifecycleConfiguration");
  }

  @Test
  void objectTagging() {
    s3.putObject(
        b -> b.bucket("raw").key("sdk/tagged").tagging("team=data&pii=no"),
        RequestBody.fromString("t"));
    assertThat(s3.getObjectTagging(b -> b.bucket("raw").key("sdk/tagged")).tagSet())
        .containsExactlyInAnyOrder(
            Tag.builder().key("team").value("data").build(),
            Tag.builder().key("pii").value("no").build());
    assertThat(
            s3.headObject(b -> b.bucket("raw").key("sdk/tagged"))
                .sdkHttpResponse()
                .firstMatchingHeader("x-amz-tagging-count"))
        .contains("2");
    s3.putObjectTagging(
        b ->
            b.bucket("raw")
                .key("sdk/tagged")
                .tagging(t -> t.tagSet(Tag.builder().key("tier").value("cold").build())));
    assertThat(s3.getObjectTagging(b -> b.bucket("raw").key("sdk/tagged")).tagSet())
        .containsExactly(Tag.builder().key("tier").value("cold").build());
    assertThat(new String(get("raw", "sdk/tagged"), StandardCharsets.UTF_8)).isEqualTo("t");
    s3.deleteObjectTagging(b -> b.bucket("raw").key("sdk/tagged"));
    assertThat(s3.getObjectTagging(b -> b.bucket("raw").key("sdk/tagged")).tagSet()).isEmpty();
  }

  @Test
  void taggingInAVersionedBucketChangesTagsInPlace() {
    String bucket = "sdk-tag-versions";
    s3.createBucket(b -> b.bucket(bucket));
    s3.putBucketVersioning(
        b ->
            b.bucket(bucket)
                .versioningConfiguration(v -> v.status(BucketVersioningStatus.ENABLED)));
    PutObjectResponse one =
        s3.putObject(b -> b.bucket(bucket).key("k"), RequestBody.fromString("1"));
    PutObjectResponse two =
        s3.putObject(b -> b.bucket(bucket).key("k"), RequestBody.fromString("2"));
    HeadObjectResponse before = s3.headObject(b -> b.bucket(bucket).key("k"));

    PutObjectTaggingResponse tagged =
        s3.putObjectTagging(
            b ->
                b.bucket(bucket)
                    .key("k")
                    .tagging(t -> t.tagSet(Tag.builder().key("tier").value("hot").build())));
    assertThat(tagged.versionId()).isEqualTo(two.versionId());
    HeadObjectResponse after = s3.headObject(b -> b.bucket(bucket).key("k"));
    assertThat(after.eTag()).isEqualTo(before.eTag()).isEqualTo(two.eTag());
    assertThat(after.lastModified()).isEqualTo(before.lastModified());
    assertThat(after.versionId()).isEqualTo(two.versionId());
    assertThat(s3.listObjectVersions(b -> b.bucket(bucket)).versions()).hasSize(2);

    // a noncurrent version is tagged by its id, leaving the current one alone
    s3.putObjectTagging(
        b ->
            b.bucket(bucket)
                .key("k")
                .versionId(one.versionId())
                .tagging(t -> t.tagSet(Tag.builder().key("old").value("yes").build())));
    assertThat(
            s3.getObjectTagging(b -> b.bucket(bucket).key("k").versionId(one.versionId())).tagSet())
        .containsExactly(Tag.builder().key("old").value("yes").build());
    assertThat(s3.getObjectTagging(b -> b.bucket(bucket).key("k")).tagSet())
        .containsExactly(Tag.builder().key("tier").value("hot").build());
    s3.deleteObjectTagging(b -> b.bucket(bucket).key("k"));
    assertThat(s3.getObjectTagging(b -> b.bucket(bucket).key("k")).tagSet()).isEmpty();
    assertThat(s3.headObject(b -> b.bucket(bucket).key("k")).eTag()).isEqualTo(two.eTag());
    assertThat(s3.listObjectVersions(b -> b.bucket(bucket)).versions()).hasSize(2);

    // a multipart object keeps its "-N" ETag
    String uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key("mp")).uploadId();
    UploadPartResponse part =
        s3.uploadPart(
            b -> b.bucket(bucket).key("mp").uploadId(uploadId).partNumber(1),
            RequestBody.fromString("part"));
    CompleteMultipartUploadResponse done =
        s3.completeMultipartUpload(
            b ->
                b.bucket(bucket)
                    .key("mp")
                    .uploadId(uploadId)
                    .multipartUpload(
                        m ->
                            m.parts(
                                CompletedPart.builder().partNumber(1).eTag(part.eTag()).build())));
    assertThat(done.eTag()).endsWith("-1\"");
    s3.putObjectTagging(
        b ->
            b.bucket(bucket)
                .key("mp")
                .tagging(t -> t.tagSet(Tag.builder().key("a").value("b").build())));
    assertThat(s3.headObject(b -> b.bucket(bucket).key("mp")).eTag()).isEqualTo(done.eTag());
    assertThat(s3.listObjectVersions(b -> b.bucket(bucket).prefix("mp")).versions()).hasSize(1);
  }

  @Test
  void readsOfADeleteMarkerAnswerLikeS3() {
    String bucket = "sdk-delete-markers";
    s3.createBucket(b -> b.bucket(bucket));
    s3.putBucketVersioning(
        b ->
            b.bucket(bucket)
                .versioningConfiguration(v -> v.status(BucketVersioningStatus.ENABLED)));
    s3.putObject(b -> b.bucket(bucket).key("gone"), RequestBody.fromString("x"));
    DeleteObjectResponse marker = s3.deleteObject(b -> b.bucket(bucket).key("gone"));
    assertThat(marker.deleteMarker()).isTrue();

    NoSuchKeyException missing =
        catchThrowableOfType(
            NoSuchKeyException.class, () -> s3.getObjectAsBytes(b -> b.bucket(bucket).key("gone")));
    assertThat(missing).isNotNull();
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(
            missing.awsErrorDetails().sdkHttpResponse().firstMatchingHeader("x-amz-delete-marker"))
        .contains("true");
    assertThat(missing.awsErrorDetails().sdkHttpResponse().firstMatchingHeader("x-amz-version-id"))
        .contains(marker.versionId());

    S3Exception byId =
        s3Error(
            () -> s3.headObject(b -> b.bucket(bucket).key("gone").versionId(marker.versionId())));
    assertThat(byId.statusCode()).isEqualTo(405);
    assertThat(byId.awsErrorDetails().sdkHttpResponse().firstMatchingHeader("x-amz-delete-marker"))
        .contains("true");
    assertThat(byId.awsErrorDetails().sdkHttpResponse().firstMatchingHeader("Last-Modified"))
        .isPresent();
    S3Exception getById =
        s3Error(
            () ->
                s3.getObjectAsBytes(
                    b -> b.bucket(bucket).key("gone").versionId(marker.versionId())));
    assertThat(getById.statusCode()).isEqualTo(405);
    assertThat(code(getById)).isEqualTo("MethodNotAllowed");
  }

  @Test
  void deleteObjectsVerboseAndQuiet() {
    for (String k : List.of("d/1", "d/2", "d/3")) {
      s3.putObject(b -> b.bucket("raw").key(k), RequestBody.fromString(k));
    }
    DeleteObjectsResponse verbose =
        s3.deleteObjects(
            b ->
                b.bucket("raw")
                    .delete(
                        d ->
                            d.objects(
                                ObjectIdentifier.builder().key("d/1").build(),
                                ObjectIdentifier.builder().key("d/missing").build())));
    assertThat(verbose.deleted())
        .extracting(DeletedObject::key)
        .containsExactly("d/1", "d/missing");
    DeleteObjectsResponse quiet =
        s3.deleteObjects(
            b ->
                b.bucket("raw")
                    .delete(
                        d ->
                            d.quiet(true)
                                .objects(
                                    ObjectIdentifier.builder().key("d/2").build(),
                                    ObjectIdentifier.builder().key("d/3").build())));
    assertThat(quiet.deleted()).isEmpty();
    assertThat(quiet.errors()).isEmpty();
    assertThat(s3.listObjectsV2(b -> b.bucket("raw").prefix("d/")).contents()).isEmpty();
  }

  @Test
  void presignedGetWorksWithPlainHttp() throws Exception {
    s3.putObject(
        b -> b.bucket("raw").key("sdk/presigned file.txt"), RequestBody.fromString("shared"));
    try (S3Presigner presigner = S3Clients.presigner(basin)) {
      PresignedGetObjectRequest p =
          presigner.presignGetObject(
              GetObjectPresignRequest.builder()
                  .signatureDuration(Duration.ofMinutes(5))
                  .getObjectRequest(b -> b.bucket("raw").key("sdk/presigned file.txt"))
                  .build());
      HttpClient http = HttpClient.newHttpClient();
      HttpResponse<String> ok =
          http.send(
              HttpRequest.newBuilder(p.url().toURI()).GET().build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(ok.body()).isEqualTo("shared");
      String tampered = p.url().toString().replace("presigned%20file", "presigned%20filX");
      HttpResponse<String> bad =
          http.send(
              HttpRequest.newBuilder(URI.create(tampered)).GET().build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(bad.statusCode()).isEqualTo(403);
      assertThat(bad.body()).contains("<Code>SignatureDoesNotMatch</Code>");
    }
  }

  @Test
  void unsupportedSubresourcesAreNotImplemented() {
    S3Exception acl = s3Error(() -> s3.getBucketAcl(b -> b.bucket("raw")));
    assertThat(acl.statusCode()).isEqualTo(501);
    assertThat(code(acl)).isEqualTo("NotImplemented");
    assertThat(code(s3Error(() -> s3.getBucketPolicy(b -> b.bucket("raw")))))
        .isEqualTo("NotImplemented");
  }
}
