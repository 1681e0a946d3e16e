package dev.basin.spi.storage;

import java.io.InputStream;
import java.util.List;
import java.util.Optional;

/**
 * Buckets of objects with S3's semantics: a put is atomic and durable when it returns (readers see
 * the old object or the new one, never a mix, and an acknowledged put survives a crash), keys are
 * opaque UTF-8 strings (a {@code /} is only a convention for listing by delimiter), and listings
 * are in ascending UTF-8 binary key order.
 *
 * <p>Implementations are thread-safe. Every method throws {@link ObjectStoreException} for a
 * failure the caller can act on and {@link java.io.UncheckedIOException} for an I/O failure of the
 * backend.
 */
public interface ObjectStore extends AutoCloseable {

  /**
   * Creates a bucket.
   *
   * @throws ObjectStoreException {@code INVALID_BUCKET_NAME} if the name breaks S3's bucket naming
   *     rules, {@code BUCKET_ALREADY_EXISTS} if it exists
   */
  BucketInfo createBucket(String bucket);

  /**
   * Deletes an empty bucket (no objects, no versions, no multipart uploads in progress).
   *
   * @throws ObjectStoreException {@code NO_SUCH_BUCKET}, {@code BUCKET_NOT_EMPTY}
   */
  void deleteBucket(String bucket);

  /** The bucket, if it exists. */
  Optional<BucketInfo> bucket(String bucket);

  /** All buckets in name order. */
  List<BucketInfo> listBuckets();

  /**
   * Stores an object, replacing the current one (which becomes a noncurrent version if the bucket
   * is versioned). Durable and visible when this returns.
   *
   * @param length the exact number of bytes {@code data} yields, or -1 if unknown
   * @throws ObjectStoreException {@code NO_SUCH_BUCKET}, {@code INVALID_KEY}, {@code
   *     INCOMPLETE_BODY} if {@code data} ends before {@code length} bytes, {@code BAD_DIGEST} if
   *     {@link PutOptions#contentMd5()} does not match
   */
  ObjectInfo put(String bucket, String key, InputStream data, long length, PutOptions options);

  /**
   * Opens an object (or a range of it) for reading. The caller closes the returned content.
   *
   * @throws ObjectStoreException {@code NO_SUCH_BUCKET}, {@code NO_SUCH_KEY} (also when the current
   *     version is a delete marker), {@code NO_SUCH_VERSION}, {@code INVALID_RANGE}; a store that
   *     keeps versions throws a {@link DeleteMarkerException} carrying the marker, with {@code
   *     NO_SUCH_KEY} when the current version is one and {@code INVALID_REQUEST} when the version
   *     asked for is one
   */
  ObjectContent get(String bucket, String key, GetOptions options);

  /**
   * The object's metadata without its bytes.
   *
   * @param versionId a version to read, or {@code null} for the current one
   * @throws ObjectStoreException as {@link #get}
   */
  ObjectInfo head(String bucket, String key, String versionId);

  /**
   * Lists current objects (not delete markers) by prefix, rolling keys up to common prefixes at the
   * delimiter, in key order.
   */
  ListPage list(String bucket, ListRequest request);

  /**
   * Deletes an object as S3 does: in an unversioned bucket the object is removed; in a versioned
   * bucket a delete without {@code versionId} adds a delete marker, and a delete with one removes
   * that version permanently. Deleting a key that does not exist succeeds.
   *
   * @throws ObjectStoreException {@code NO_SUCH_BUCKET}, {@code INVALID_KEY}
   */
  DeleteResult delete(String bucket, String key, String versionId);

  /**
   * Deletes many objects; one failing object does not stop the others.
   *
   * @return one outcome per requested object, in request order
   */
  List<DeleteOutcome> deleteAll(String bucket, List<ObjectRef> objects);

  /**
   * Copies an object (or one of its versions) to a new key, in the same bucket or another.
   *
   * @throws ObjectStoreException as {@link #get} for the source, {@code NO_SUCH_BUCKET} for the
   *     target, {@code INVALID_REQUEST} when copying an object onto itself without new metadata
   */
  ObjectInfo copy(CopyRequest request);

  /** Starts a multipart upload whose object will carry the given metadata. */
  MultipartUpload createMultipartUpload(String bucket, String key, PutOptions options);

  /**
   * Stores one part (1–10000); uploading the same part number again replaces it.
   *
   * @throws ObjectStoreException {@code NO_SUCH_UPLOAD}, {@code INVALID_ARGUMENT} for a part number
   *     out of range, {@code INCOMPLETE_BODY}, {@code BAD_DIGEST}
   */
  PartInfo uploadPart(
      String bucket,
      String key,
      String uploadId,
      int partNumber,
      InputStream data,
      long length,
      String contentMd5);

  /**
   * Stores one part from (a byte range of) an existing object, as S3's UploadPartCopy.
   *
   * @param range bytes of the source to copy, or {@code null} for all of it
   */
  PartInfo uploadPartCopy(
      String bucket,
      String key,
      String uploadId,
      int partNumber,
      String sourceBucket,
      ObjectRef source,
      ByteRange range);

  /**
   * Assembles the listed parts, in order, into the object. The ETag is S3's multipart ETag: the MD5
   * of the concatenated binary part MD5s, a dash, and the part count.
   *
   * @throws ObjectStoreException {@code NO_SUCH_UPLOAD}, {@code INVALID_PART} (unknown part or ETag
   *     mismatch), {@code INVALID_PART_ORDER}, {@code ENTITY_TOO_SMALL} (a part other than the last
   *     below the minimum part size)
   */
  ObjectInfo completeMultipartUpload(
      String bucket, String key, String uploadId, List<CompletedPart> parts);

  /**
   * Abandons an upload and deletes its parts.
   *
   * @throws ObjectStoreException {@code NO_SUCH_UPLOAD}
   */
  void abortMultipartUpload(String bucket, String key, String uploadId);

  /** The parts uploaded so far, by part number, after {@code partNumberMarker}. */
  PartsPage listParts(
      String bucket, String key, String uploadId, int partNumberMarker, int maxParts);

  /** Uploads in progress, by key then initiation time. */
  UploadsPage listMultipartUploads(String bucket, UploadsRequest request);

  /** Releases resources. Idempotent. */
  @Override
  void close();
}
