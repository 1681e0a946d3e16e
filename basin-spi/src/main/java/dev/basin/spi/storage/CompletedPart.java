package dev.basin.spi.storage;

/** A part named in a complete-upload request, with the ETag the upload returned. */
public record CompletedPart(int partNumber, String etag) {}
