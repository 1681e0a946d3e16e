package dev.basin.catalog;

import java.time.Instant;

/**
 * One entry of a database's table listing.
 *
 * @param name the table or view name
 * @param kind Iceberg table, external table or view
 * @param location the table's location (a view's metadata location)
 * @param updated when it last changed: the last commit, external-table update or view version
 */
public record TableSummary(String name, TableKind kind, String location, Instant updated) {}
