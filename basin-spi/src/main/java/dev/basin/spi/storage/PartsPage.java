package dev.basin.spi.storage;

import java.util.List;

/** A page of an upload's parts; {@code nextPartNumberMarker} continues it when truncated. */
public record PartsPage(
    MultipartUpload upload, List<PartInfo> parts, boolean truncated, int nextPartNumberMarker) {}
