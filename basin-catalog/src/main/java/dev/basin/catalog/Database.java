package dev.basin.catalog;

import java.time.Instant;
import java.util.Map;

/**
 * A database: an Iceberg namespace seen the way Glue shows it.
 *
 * @param name the name
 * @param description the description, or null
 * @param location where its tables go by default, or null for the catalog's warehouse
 * @param parameters the user's key/value pairs
 * @param createTime when it was created, or null for a namespace created by another client
 */
public record Database(
    String name,
    String description,
    String location,
    Map<String, String> parameters,
    Instant createTime) {

  public Database {
    parameters = parameters == null ? Map.of() : Map.copyOf(parameters);
  }
}
