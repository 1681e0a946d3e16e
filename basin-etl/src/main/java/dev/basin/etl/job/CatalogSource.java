package dev.basin.etl.job;

import java.util.Objects;

/**
 * A table in the catalog: an Iceberg table or an external table.
 *
 * @param database the catalog database
 * @param table the table name
 */
public record CatalogSource(String database, String table) implements SourceSpec {
  public CatalogSource {
    Objects.requireNonNull(database, "database");
    Objects.requireNonNull(table, "table");
  }
}
