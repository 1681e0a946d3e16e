package dev.basin.spi.storage;

import java.time.Instant;

/** A multipart upload in progress. */
public record MultipartUpload(
    String bucket,
    String key,
    String uploadId,
    Instant initiated,
    ObjectMetadata metadata,
    String storageClass) {}
