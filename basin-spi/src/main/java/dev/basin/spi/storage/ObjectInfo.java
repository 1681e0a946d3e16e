package dev.basin.spi.storage;

import java.time.Instant;

/**
 * An object version's metadata.
 *
 * @param bucket the bucket
 * @param key the key
 * @param versionId the version id, or {@code "null"} for objects written while versioning was off
 *     or suspended (as S3 reports them)
 * @param size the size in bytes
 * @param etag the entity tag without quotes: the hex MD5 of the bytes, or for a multipart object
 *     the hex MD5 of the concatenated binary part MD5s followed by {@code -<parts>}
 * @param lastModified when this version was written
 * @param metadata content type, user metadata, tags
 * @param storageClass {@code STANDARD} or the class a put or lifecycle transition set
 * @param deleteMarker whether this version is a delete marker (size 0, no bytes)
 * @param parts the number of parts for a multipart object, 0 otherwise
 */
public record ObjectInfo(
    String bucket,
    String key,
    String versionId,
    long size,
    String etag,
    Instant lastModified,
    ObjectMetadata metadata,
    String storageClass,
    boolean deleteMarker,
    int parts) {

  public static final String NULL_VERSION = "null";
  public static final String STANDARD = "STANDARD";
}
