package dev.basin.spi.storage;

import java.util.Map;

/**
 * An object store that changes an object version's tags in place, as S3's PutObjectTagging and
 * DeleteObjectTagging do: the version keeps its version id, bytes, ETag and last-modified time, no
 * new version is created, and no object-created event is announced. Tags are part of {@link
 * ObjectMetadata#tags()}, so {@link ObjectStore#head} returns them too.
 *
 * <p>Thread-safe. A change is atomic and durable when it returns. With {@code versionId} null the
 * version that is current when the change commits is tagged, so a concurrent put either sees its
 * version tagged (it committed first) or replaces the tagged one.
 */
public interface SupportsObjectTagging {

  /** S3's limit on the number of tags of one object version. */
  int MAX_TAGS = 10;

  /** S3's longest tag key, in Unicode characters (keys are at least one character). */
  int MAX_TAG_KEY_LENGTH = 128;

  /** S3's longest tag value, in Unicode characters (values may be empty). */
  int MAX_TAG_VALUE_LENGTH = 256;

  /**
   * The tags of a version.
   *
   * @param versionId a version, or {@code null} for the current one
   * @throws ObjectStoreException as {@link #setTags}
   */
  Map<String, String> tags(String bucket, String key, String versionId);

  /**
   * Replaces the tags of a version (an empty map removes them all) without changing anything else
   * about it.
   *
   * @param versionId a version, or {@code null} for the current one
   * @return the version with its new tags
   * @throws ObjectStoreException {@code NO_SUCH_BUCKET}; {@code NO_SUCH_KEY} if the key does not
   *     exist or its current version is a delete marker (then a {@link DeleteMarkerException});
   *     {@code NO_SUCH_VERSION}; {@code INVALID_REQUEST} (a {@link DeleteMarkerException}) if
   *     {@code versionId} names a delete marker, which has no tags; {@code INVALID_ARGUMENT} if the
   *     tags break S3's limits ({@link #MAX_TAGS} tags, keys of 1 to {@link #MAX_TAG_KEY_LENGTH}
   *     and values of at most {@link #MAX_TAG_VALUE_LENGTH} characters; the message names the tag).
   *     Nothing is changed when it throws.
   */
  ObjectInfo setTags(String bucket, String key, String versionId, Map<String, String> tags);
}
