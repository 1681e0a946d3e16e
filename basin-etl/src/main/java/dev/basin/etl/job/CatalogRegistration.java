package dev.basin.etl.job;

import java.util.Objects;

/**
 * The catalog table a prefix target registers its output as.
 *
 * @param database the catalog database
 * @param table the external table
 */
public record CatalogRegistration(String database, String table) {
  public CatalogRegistration {
    Objects.requireNonNull(database, "database");
    Objects.requireNonNull(table, "table");
  }
}
