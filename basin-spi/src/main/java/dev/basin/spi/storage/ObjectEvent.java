package dev.basin.spi.storage;

import java.time.Instant;

/**
 * An object was created or removed, with S3's event names.
 *
 * @param type created or removed
 * @param name S3's event name, e.g. {@code ObjectCreated:Put}, {@code
 *     ObjectCreated:CompleteMultipartUpload}, {@code ObjectCreated:Copy}, {@code
 *     ObjectRemoved:Delete}, {@code ObjectRemoved:DeleteMarkerCreated}, {@code
 *     LifecycleExpiration:Delete}
 * @param bucket the bucket
 * @param key the key
 * @param versionId the version, or null in an unversioned bucket
 * @param size the object's size (0 for removals)
 * @param etag the object's ETag, or null for removals
 * @param time when it happened
 */
public record ObjectEvent(
    Type type,
    String name,
    String bucket,
    String key,
    String versionId,
    long size,
    String etag,
    Instant time) {

  public enum Type {
    CREATED,
    REMOVED
  }
}
