package dev.basin.catalog;

/**
 * A column of an external table or a partition key.
 *
 * @param name lower-case letters, digits and underscores
 * @param type a Glue/Hive type string ({@link HiveType}); stored in canonical form
 * @param comment free text, or null
 */
public record Column(String name, String type, String comment) {

  public static Column of(String name, String type) {
    return new Column(name, type, null);
  }
}
