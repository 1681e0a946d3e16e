package dev.basin.spi.storage;

/**
 * What a delete did.
 *
 * @param key the key
 * @param versionId the version deleted, or of the delete marker created; null in an unversioned
 *     bucket
 * @param deleteMarker true if a delete marker was created or a delete marker was removed
 */
public record DeleteResult(String key, String versionId, boolean deleteMarker) {}
