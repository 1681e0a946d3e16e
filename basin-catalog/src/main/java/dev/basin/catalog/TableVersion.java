package dev.basin.catalog;

/**
 * One version of an external table's definition.
 *
 * @param versionId the version id
 * @param current whether it is the table's current definition
 * @param table the definition as it was
 */
public record TableVersion(String versionId, boolean current, ExternalTable table) {}
