package dev.basin.storage;

import dev.basin.spi.storage.DeleteMarkerException;
import dev.basin.spi.storage.ObjectInfo;
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

  /** Reading a key whose current version is a delete marker: the key looks deleted. */
  static DeleteMarkerException currentIsDeleteMarker(ObjectInfo marker) {
    return new DeleteMarkerException(
        Reason.NO_SUCH_KEY,
        "object '"
            + marker.key()
            + "' does not exist in bucket '"
            + marker.bucket()
            + "': its current version '"
            + marker.versionId()
            + "' is a delete marker; read an older version by its version id, or delete the"
            + " marker to make the previous version current",
        marker);
  }

  /**
   * Reading (or tagging) a version that is a delete marker by its id.
   *
   * @param why what the marker lacks and what S3 answers, e.g. "has no content"
   */
  static DeleteMarkerException versionIsDeleteMarker(ObjectInfo marker, String why) {
    return new DeleteMarkerException(
        Reason.INVALID_REQUEST,
        "version '"
            + marker.versionId()
            + "' of object '"
            + marker.key()
            + "' in bucket '"
            + marker.bucket()
            + "' is a delete marker and "
            + why
            + "; use an older version, or delete the marker to make the previous version"
            + " current",
        marker);
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
