package dev.basin.spi.storage;

/**
 * An object store that keeps versions as S3 does: with versioning enabled every put creates a new
 * version and a delete adds a delete marker; versions are read and deleted through {@link
 * ObjectStore#get}, {@link ObjectStore#head} and {@link ObjectStore#delete} with a version id.
 */
public interface SupportsVersioning {

  /**
   * @throws ObjectStoreException {@code NO_SUCH_BUCKET}
   */
  VersioningStatus versioning(String bucket);

  /**
   * Enables or suspends versioning. A bucket that was versioned cannot return to {@code
   * UNVERSIONED}.
   *
   * @throws ObjectStoreException {@code NO_SUCH_BUCKET}, {@code INVALID_ARGUMENT} for {@code
   *     UNVERSIONED}
   */
  void setVersioning(String bucket, VersioningStatus status);

  /** Lists versions and delete markers, by key then newest first. */
  VersionPage listVersions(String bucket, VersionListRequest request);
}
