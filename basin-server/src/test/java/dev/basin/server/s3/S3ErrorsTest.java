package dev.basin.server.s3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.basin.spi.storage.ByteRange;
import dev.basin.spi.storage.ObjectStoreException;
import dev.basin.spi.storage.ObjectStoreException.Reason;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class S3ErrorsTest {
  @Test
  void everyStoreReasonHasAnS3CodeAndStatus() {
    Map<Reason, String> expected =
        Map.ofEntries(
            Map.entry(Reason.NO_SUCH_BUCKET, "NoSuchBucket 404"),
            Map.entry(Reason.NO_SUCH_KEY, "NoSuchKey 404"),
            Map.entry(Reason.NO_SUCH_VERSION, "NoSuchVersion 404"),
            Map.entry(Reason.NO_SUCH_UPLOAD, "NoSuchUpload 404"),
            Map.entry(Reason.NO_SUCH_LIFECYCLE_CONFIGURATION, "NoSuchLifecycleConfiguration 404"),
            Map.entry(Reason.BUCKET_ALREADY_EXISTS, "BucketAlreadyOwnedByYou 409"),
            Map.entry(Reason.BUCKET_NOT_EMPTY, "BucketNotEmpty 409"),
            Map.entry(Reason.INVALID_BUCKET_NAME, "InvalidBucketName 400"),
            Map.entry(Reason.INVALID_KEY, "InvalidArgument 400"),
            Map.entry(Reason.KEY_TOO_LONG, "KeyTooLongError 400"),
            Map.entry(Reason.INVALID_RANGE, "InvalidRange 416"),
            Map.entry(Reason.INVALID_PART, "InvalidPart 400"),
            Map.entry(Reason.INVALID_PART_ORDER, "InvalidPartOrder 400"),
            Map.entry(Reason.ENTITY_TOO_SMALL, "EntityTooSmall 400"),
            Map.entry(Reason.ENTITY_TOO_LARGE, "EntityTooLarge 400"),
            Map.entry(Reason.INCOMPLETE_BODY, "IncompleteBody 400"),
            Map.entry(Reason.BAD_DIGEST, "BadDigest 400"),
            Map.entry(Reason.PRECONDITION_FAILED, "PreconditionFailed 412"),
            Map.entry(Reason.INVALID_ARGUMENT, "InvalidArgument 400"),
            Map.entry(Reason.INVALID_REQUEST, "InvalidRequest 400"),
            Map.entry(Reason.ALREADY_EXISTS, "PreconditionFailed 412"));
    assertThat(expected.keySet()).containsExactlyInAnyOrder(Reason.values());
    for (Reason r : Reason.values()) {
      S3Exception e = S3Exception.of(new ObjectStoreException(r, "message for " + r), "bkt", "key");
      assertThat(e.code() + " " + e.status()).as(r.name()).isEqualTo(expected.get(r));
      assertThat(e.getMessage()).isEqualTo("message for " + r);
    }
    assertThat(
            S3Exception.of(new ObjectStoreException(Reason.NO_SUCH_KEY, "m"), "b", "k").details())
        .containsEntry("Key", "k");
  }

  @Test
  void rangesParseLikeS3() {
    assertThat(S3Ranges.parse("bytes=0-9")).isEqualTo(ByteRange.of(0, 9));
    assertThat(S3Ranges.parse("bytes=5-")).isEqualTo(ByteRange.from(5));
    assertThat(S3Ranges.parse("bytes=-3")).isEqualTo(ByteRange.suffix(3));
    assertThat(S3Ranges.parse(" Bytes = 1-2 ")).isNull();
    assertThat(S3Ranges.parse("bytes= 1-2")).isEqualTo(ByteRange.of(1, 2));
    for (String ignored :
        new String[] {
          null,
          "",
          "bytes=",
          "bytes=-",
          "bytes=9-1",
          "bytes=a-b",
          "items=0-1",
          "bytes=0-1,3-4",
          "bytes=1"
        }) {
      assertThat(S3Ranges.parse(ignored)).as(String.valueOf(ignored)).isNull();
    }
    assertThat(S3Ranges.contentRange(ByteRange.of(2, 100).resolve(10))).isEqualTo("bytes 2-9/10");
    assertThat(S3Ranges.contentRange(ByteRange.suffix(4).resolve(10))).isEqualTo("bytes 6-9/10");
    assertThat(S3Ranges.parseCopySourceRange("bytes=0-4")).isEqualTo(ByteRange.of(0, 4));
    for (String bad : new String[] {"bytes=4-", "bytes=-4", "0-4", "bytes=4-1"}) {
      try {
        S3Ranges.parseCopySourceRange(bad);
        throw new AssertionError(bad);
      } catch (S3Exception e) {
        assertThat(e.code()).isEqualTo("InvalidArgument");
      }
    }
  }

  @Test
  void requestPathsSplitIntoBucketAndKey() {
    S3Request r = S3Request.parse("/raw/a%20b/c+d//e%2Ff", "list-type=2&prefix=a%2Bb+c&delete");
    assertThat(r.bucket()).isEqualTo("raw");
    assertThat(r.key()).isEqualTo("a b/c+d//e/f");
    assertThat(r.query()).containsEntry("prefix", "a+b+c").containsEntry("delete", "");
    assertThat(S3Request.parse("/raw/", null).key()).isNull();
    assertThat(S3Request.parse("/", null).bucket()).isNull();
    assertThat(S3Request.parse("/raw/..%2Fx", null).key()).isEqualTo("../x");
    try {
      S3Request.parse("/raw/%ZZ", null);
      throw new AssertionError();
    } catch (S3Exception e) {
      assertThat(e.code()).isEqualTo("InvalidURI");
    }
  }

  @Test
  void copySourceHeaderForms() {
    assertThat(S3Api.copySource("raw/a%20b.txt"))
        .isEqualTo(new S3Api.CopySource("raw", dev.basin.spi.storage.ObjectRef.of("a b.txt")));
    assertThat(S3Api.copySource("/raw/dir/x?versionId=v7"))
        .isEqualTo(new S3Api.CopySource("raw", new dev.basin.spi.storage.ObjectRef("dir/x", "v7")));
    try {
      S3Api.copySource("raw");
      throw new AssertionError();
    } catch (S3Exception e) {
      assertThat(e.code()).isEqualTo("InvalidArgument");
    }
  }

  @Test
  void checksumsMatchKnownValues() {
    byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
    Checksums.Crc64Nvme crc64 = new Checksums.Crc64Nvme();
    crc64.update(check, 0, check.length);
    assertThat(Long.toHexString(crc64.value())).isEqualTo("ae8b14860a799888");
    Checksums.Digest crc32 = Checksums.Algorithm.CRC32.newDigest();
    crc32.update(check, 0, check.length);
    // CRC-32 of "123456789" is 0xCBF43926
    assertThat(crc32.base64()).isEqualTo("y/Q5Jg==");
    Checksums.Digest crc32c = Checksums.Algorithm.CRC32C.newDigest();
    crc32c.update(check, 0, check.length);
    // CRC-32C of "123456789" is 0xE3069283
    assertThat(crc32c.base64()).isEqualTo("4waSgw==");
    assertThat(Checksums.Algorithm.ofHeader("X-Amz-Checksum-Sha256"))
        .isEqualTo(Checksums.Algorithm.SHA256);
    assertThat(Checksums.Algorithm.ofHeader("x-amz-checksum-md5")).isNull();
  }

  @Test
  void etagConditionsAndDates() {
    assertThat(S3Api.etagMatches("\"abc\"", "abc")).isTrue();
    assertThat(S3Api.etagMatches("abc", "abc")).isTrue();
    assertThat(S3Api.etagMatches("\"x\", \"abc\"", "abc")).isTrue();
    assertThat(S3Api.etagMatches("*", "abc")).isTrue();
    assertThat(S3Api.etagMatches("\"abd\"", "abc")).isFalse();
    assertThat(S3Api.httpDate("Wed, 21 Oct 2015 07:28:00 GMT")).hasToString("2015-10-21T07:28:00Z");
    assertThat(S3Api.httpDate("yesterday")).isNull();
    assertThat(S3Api.contentEncoding("aws-chunked")).isNull();
    assertThat(S3Api.contentEncoding("gzip,aws-chunked")).isEqualTo("gzip");
  }
}
