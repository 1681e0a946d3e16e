package dev.basin.spi.storage;

/**
 * A copy.
 *
 * @param sourceBucket the source bucket
 * @param source the source key and optional version
 * @param bucket the target bucket
 * @param key the target key
 * @param metadata the target's metadata, or null to copy the source's (S3's {@code
 *     x-amz-metadata-directive} COPY vs REPLACE)
 * @param storageClass the target's storage class, or null for {@code STANDARD}
 */
public record CopyRequest(
    String sourceBucket,
    ObjectRef source,
    String bucket,
    String key,
    ObjectMetadata metadata,
    String storageClass) {}
