package dev.basin.spi.storage;

import java.time.Instant;

/** An uploaded part: its number, the hex MD5 of its bytes, size and upload time. */
public record PartInfo(int partNumber, String etag, long size, Instant lastModified) {}
