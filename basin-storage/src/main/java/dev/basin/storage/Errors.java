package dev.basin.storage;

import dev.basin.spi.storage.ObjectStoreException;
import dev.basin.spi.storage.ObjectStoreException.Reason;

/** The store's error messages, each naming what is at fault and what to do. */
final class Errors {
  private Errors() {}

  static ObjectStoreException noSuchBucket(String bucket) {
    return new ObjectStoreException(
        Reason.NO_SUCH_BUCKET,
        "bucket '"
            + bucket
            + "' does not exist; create it with `basin s3 mb s3://"
            + bucket
            + "` or list buckets with `basin s3 ls`");
  }

  static ObjectStoreException noSuchKey(String bucket, String key) {
    return new ObjectStoreException(
        Reason.NO_SUCH_KEY,
        "object '"
            + key
            + "' does not exist in bucket '"
            + bucket
            + "'; list what is there with `basin s3 ls s3://"
            + bucket
            + "/`");
  }

  static ObjectStoreException noSuchVersion(String bucket, String key, String versionId) {
    return new ObjectStoreException(
        Reason.NO_SUCH_VERSION,
        "version '"
            + versionId
            + "' of object '"
            + key
            + "' does not exist in bucket '"
            + bucket
            + "'; list its versions with `basin s3api list-object-versions --bucket "
            + bucket
            + " --prefix "
            + key
            + "`");
  }

  static ObjectStoreException versionIsDeleteMarker(String bucket, String key, String versionId) {
    return new ObjectStoreException(
        Reason.INVALID_REQUEST,
        "version '"
            + versionId
            + "' of object '"
            + key
            + "' in bucket '"
            + bucket
            + "' is a delete marker and has no content (S3 answers 405 MethodNotAllowed); read"
            + " an older version, or delete the marker to make the previous version current");
  }

  static ObjectStoreException noSuchUpload(String bucket, String key, String uploadId) {
    return new ObjectStoreException(
        Reason.NO_SUCH_UPLOAD,
        "multipart upload '"
            + uploadId
            + "' of object '"
            + key
            + "' in bucket '"
            + bucket
            + "' does not exist (it may have been completed or aborted); start a new one with"
            + " CreateMultipartUpload");
  }

  static ObjectStoreException invalidArgument(String message) {
    return new ObjectStoreException(Reason.INVALID_ARGUMENT, message);
  }
}
