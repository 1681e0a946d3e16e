package dev.basin.spi.storage;

import java.util.List;

/** A page of uploads in progress, continued with the next markers when truncated. */
public record UploadsPage(
    List<MultipartUpload> uploads,
    boolean truncated,
    String nextKeyMarker,
    String nextUploadIdMarker) {}
