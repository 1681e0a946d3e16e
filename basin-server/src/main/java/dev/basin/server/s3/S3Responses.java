package dev.basin.server.s3;

import dev.basin.spi.storage.BucketInfo;
import dev.basin.spi.storage.DeleteOutcome;
import dev.basin.spi.storage.ListPage;
import dev.basin.spi.storage.MultipartUpload;
import dev.basin.spi.storage.ObjectInfo;
import dev.basin.spi.storage.PartInfo;
import dev.basin.spi.storage.PartsPage;
import dev.basin.spi.storage.UploadsPage;
import dev.basin.spi.storage.VersionPage;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/** Writes S3's XML result documents. Stateless. */
final class S3Responses {
  private S3Responses() {}

  /** The owner every object and bucket has: Basin is single-tenant. */
  record Owner(String id, String displayName) {}

  static String etag(String etag) {
    return "\"" + etag + "\"";
  }

  /** {@code encoding-type=url}: percent-encodes like S3 (spaces as {@code +}, {@code /} kept). */
  static String encode(String value, boolean url) {
    if (!url || value == null) {
      return value;
    }
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("%2F", "/");
  }

  static String continuationToken(String startAfter) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(("1:" + startAfter).getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The key a continuation token stands for.
   *
   * @throws S3Exception {@code InvalidArgument} if the token was not made by this server
   */
  static String startAfterOf(String token) {
    try {
      String s = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
      if (s.startsWith("1:")) {
        return s.substring(2);
      }
    } catch (IllegalArgumentException e) {
      // fall through
    }
    throw S3Exception.invalidArgument(
        "The continuation token provided is incorrect", "continuation-token", token);
  }

  static byte[] listBuckets(List<BucketInfo> buckets, Owner owner) {
    XmlOut x = XmlOut.document("ListAllMyBucketsResult");
    owner(x, owner);
    x.start("Buckets");
    for (BucketInfo b : buckets) {
      x.start("Bucket").element("Name", b.name()).element("CreationDate", b.created()).end();
    }
    return x.end().toBytes();
  }

  static byte[] location() {
    // us-east-1 is the empty constraint, which every client understands.
    return XmlOut.document("LocationConstraint").toBytes();
  }

  /** Parameters of a ListObjects (V1 or V2) answer. */
  record ListParams(
      String bucket,
      String prefix,
      String delimiter,
      int maxKeys,
      boolean url,
      boolean fetchOwner,
      String marker,
      String continuationToken,
      String startAfter) {}

  static byte[] listObjectsV2(ListParams p, ListPage page, Owner owner) {
    XmlOut x = XmlOut.document("ListBucketResult");
    x.element("Name", p.bucket())
        .element("Prefix", encode(p.prefix(), p.url()))
        .element("Delimiter", encode(p.delimiter(), p.url()))
        .element("MaxKeys", p.maxKeys())
        .element("EncodingType", p.url() ? "url" : null)
        .element("KeyCount", page.objects().size() + page.commonPrefixes().size())
        .element("IsTruncated", page.truncated())
        .element("ContinuationToken", p.continuationToken())
        .element(
            "NextContinuationToken",
            page.truncated() ? continuationToken(page.nextStartAfter()) : null)
        .element("StartAfter", encode(p.startAfter(), p.url()));
    contents(x, page, p.url(), p.fetchOwner() ? owner : null);
    return x.toBytes();
  }

  static byte[] listObjectsV1(ListParams p, ListPage page, Owner owner) {
    XmlOut x = XmlOut.document("ListBucketResult");
    x.element("Name", p.bucket())
        .element("Prefix", encode(p.prefix(), p.url()))
        .element("Marker", encode(p.marker() == null ? "" : p.marker(), p.url()))
        .element("NextMarker", page.truncated() ? encode(page.nextStartAfter(), p.url()) : null)
        .element("MaxKeys", p.maxKeys())
        .element("Delimiter", encode(p.delimiter(), p.url()))
        .element("EncodingType", p.url() ? "url" : null)
        .element("IsTruncated", page.truncated());
    contents(x, page, p.url(), owner);
    return x.toBytes();
  }

  private static void contents(XmlOut x, ListPage page, boolean url, Owner owner) {
    for (ObjectInfo o : page.objects()) {
      x.start("Contents")
          .element("Key", encode(o.key(), url))
          .element("LastModified", o.lastModified())
          .element("ETag", etag(o.etag()))
          .element("Size", o.size())
          .element("StorageClass", o.storageClass());
      if (owner != null) {
        owner(x, owner);
      }
      x.end();
    }
    for (String cp : page.commonPrefixes()) {
      x.start("CommonPrefixes").element("Prefix", encode(cp, url)).end();
    }
  }

  /** Parameters of a ListObjectVersions answer. */
  record VersionParams(
      String bucket,
      String prefix,
      String delimiter,
      int maxKeys,
      boolean url,
      String keyMarker,
      String versionIdMarker) {}

  static byte[] listVersions(VersionParams p, VersionPage page, Owner owner) {
    XmlOut x = XmlOut.document("ListVersionsResult");
    x.element("Name", p.bucket())
        .element("Prefix", encode(p.prefix(), p.url()))
        .element("KeyMarker", encode(p.keyMarker() == null ? "" : p.keyMarker(), p.url()))
        .element("VersionIdMarker", p.versionIdMarker() == null ? "" : p.versionIdMarker())
        .element("NextKeyMarker", page.truncated() ? encode(page.nextKeyMarker(), p.url()) : null)
        .element("NextVersionIdMarker", page.truncated() ? page.nextVersionIdMarker() : null)
        .element("MaxKeys", p.maxKeys())
        .element("Delimiter", encode(p.delimiter(), p.url()))
        .element("EncodingType", p.url() ? "url" : null)
        .element("IsTruncated", page.truncated());
    for (VersionPage.ObjectVersion v : page.versions()) {
      ObjectInfo o = v.info();
      if (o.deleteMarker()) {
        x.start("DeleteMarker")
            .element("Key", encode(o.key(), p.url()))
            .element("VersionId", o.versionId())
            .element("IsLatest", v.latest())
            .element("LastModified", o.lastModified());
        owner(x, owner);
        x.end();
      } else {
        x.start("Version")
            .element("Key", encode(o.key(), p.url()))
            .element("VersionId", o.versionId())
            .element("IsLatest", v.latest())
            .element("LastModified", o.lastModified())
            .element("ETag", etag(o.etag()))
            .element("Size", o.size())
            .element("StorageClass", o.storageClass());
        owner(x, owner);
        x.end();
      }
    }
    for (String cp : page.commonPrefixes()) {
      x.start("CommonPrefixes").element("Prefix", encode(cp, p.url())).end();
    }
    return x.toBytes();
  }

  static byte[] copyObjectResult(ObjectInfo info) {
    return XmlOut.document("CopyObjectResult")
        .element("LastModified", info.lastModified())
        .element("ETag", etag(info.etag()))
        .toBytes();
  }

  static byte[] copyPartResult(PartInfo part) {
    return XmlOut.document("CopyPartResult")
        .element("LastModified", part.lastModified())
        .element("ETag", etag(part.etag()))
        .toBytes();
  }

  static byte[] initiateMultipartUpload(MultipartUpload u) {
    return XmlOut.document("InitiateMultipartUploadResult")
        .element("Bucket", u.bucket())
        .element("Key", u.key())
        .element("UploadId", u.uploadId())
        .toBytes();
  }

  static byte[] completeMultipartUpload(String location, ObjectInfo info) {
    return XmlOut.document("CompleteMultipartUploadResult")
        .element("Location", location)
        .element("Bucket", info.bucket())
        .element("Key", info.key())
        .element("ETag", etag(info.etag()))
        .toBytes();
  }

  static byte[] listParts(PartsPage page, int partNumberMarker, int maxParts, Owner owner) {
    MultipartUpload u = page.upload();
    XmlOut x = XmlOut.document("ListPartsResult");
    x.element("Bucket", u.bucket()).element("Key", u.key()).element("UploadId", u.uploadId());
    x.start("Initiator")
        .element("ID", owner.id())
        .element("DisplayName", owner.displayName())
        .end();
    owner(x, owner);
    x.element("StorageClass", u.storageClass() == null ? ObjectInfo.STANDARD : u.storageClass())
        .element("PartNumberMarker", partNumberMarker)
        .element("NextPartNumberMarker", page.nextPartNumberMarker())
        .element("MaxParts", maxParts)
        .element("IsTruncated", page.truncated());
    for (PartInfo p : page.parts()) {
      x.start("Part")
          .element("PartNumber", p.partNumber())
          .element("LastModified", p.lastModified())
          .element("ETag", etag(p.etag()))
          .element("Size", p.size())
          .end();
    }
    return x.toBytes();
  }

  static byte[] listMultipartUploads(
      String bucket,
      String prefix,
      String keyMarker,
      String uploadIdMarker,
      int maxUploads,
      boolean url,
      UploadsPage page,
      Owner owner) {
    XmlOut x = XmlOut.document("ListMultipartUploadsResult");
    x.element("Bucket", bucket)
        .element("KeyMarker", encode(keyMarker == null ? "" : keyMarker, url))
        .element("UploadIdMarker", uploadIdMarker == null ? "" : uploadIdMarker)
        .element("NextKeyMarker", page.truncated() ? encode(page.nextKeyMarker(), url) : null)
        .element("NextUploadIdMarker", page.truncated() ? page.nextUploadIdMarker() : null)
        .element("Prefix", encode(prefix, url))
        .element("MaxUploads", maxUploads)
        .element("EncodingType", url ? "url" : null)
        .element("IsTruncated", page.truncated());
    for (MultipartUpload u : page.uploads()) {
      x.start("Upload").element("Key", encode(u.key(), url)).element("UploadId", u.uploadId());
      x.start("Initiator")
          .element("ID", owner.id())
          .element("DisplayName", owner.displayName())
          .end();
      owner(x, owner);
      x.element("StorageClass", u.storageClass() == null ? ObjectInfo.STANDARD : u.storageClass())
          .element("Initiated", u.initiated())
          .end();
    }
    return x.toBytes();
  }

  static byte[] deleteResult(List<DeleteOutcome> outcomes, boolean quiet) {
    XmlOut x = XmlOut.document("DeleteResult");
    for (DeleteOutcome o : outcomes) {
      if (o.ok()) {
        if (quiet) {
          continue;
        }
        x.start("Deleted").element("Key", o.ref().key());
        if (o.ref().versionId() != null) {
          x.element("VersionId", o.ref().versionId());
          if (o.result().deleteMarker()) {
            x.element("DeleteMarker", true).element("DeleteMarkerVersionId", o.ref().versionId());
          }
        } else if (o.result().deleteMarker()) {
          x.element("DeleteMarker", true).element("DeleteMarkerVersionId", o.result().versionId());
        }
        x.end();
      } else {
        S3Exception e = S3Exception.of(o.error(), null, o.ref().key());
        x.start("Error")
            .element("Key", o.ref().key())
            .element("VersionId", o.ref().versionId())
            .element("Code", e.code())
            .element("Message", e.getMessage())
            .end();
      }
    }
    return x.toBytes();
  }

  static byte[] error(S3Exception e, String resource, String requestId) {
    XmlOut x = XmlOut.plain("Error");
    x.element("Code", e.code()).element("Message", e.getMessage());
    for (Map.Entry<String, String> d : e.details().entrySet()) {
      x.element(d.getKey(), d.getValue());
    }
    x.element("Resource", resource).element("RequestId", requestId).element("HostId", requestId);
    return x.toBytes();
  }

  private static void owner(XmlOut x, Owner owner) {
    x.start("Owner").element("ID", owner.id()).element("DisplayName", owner.displayName()).end();
  }

  static Instant seconds(Instant t) {
    return t == null ? null : Instant.ofEpochSecond(t.getEpochSecond());
  }
}
