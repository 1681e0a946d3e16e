package dev.basin.catalog;

import java.util.Map;

/**
 * What a caller sets on a database (Glue's {@code DatabaseInput}).
 *
 * @param name lower-case letters, digits and underscores, 1–255 characters
 * @param description free text, or null
 * @param location where the database's Iceberg tables go ({@code s3://bucket/prefix}), or null for
 *     the catalog's warehouse
 * @param parameters free key/value pairs; the keys {@code comment}, {@code location}, {@code
 *     exists} and {@code basin.*} are reserved
 */
public record DatabaseInput(
    String name, String description, String location, Map<String, String> parameters) {

  public DatabaseInput {
    parameters = parameters == null ? Map.of() : Map.copyOf(parameters);
  }

  public static DatabaseInput named(String name) {
    return new DatabaseInput(name, null, null, Map.of());
  }
}
