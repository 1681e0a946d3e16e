package dev.basin.etl.quality;

/** Quoting helpers for generated SQL (DuckDB dialect) and DQDL text. */
final class Sql {
  private Sql() {}

  /** A double-quoted identifier; embedded quotes are doubled, so any name is safe. */
  static String identifier(String name) {
    checkNoNul(name);
    return "\"" + name.replace("\"", "\"\"") + "\"";
  }

  /** A single-quoted string literal; embedded quotes are doubled, so any value is safe. */
  static String literal(String value) {
    checkNoNul(value);
    return "'" + value.replace("'", "''") + "'";
  }

  /** A DQDL double-quoted string with {@code \} and {@code "} escaped. */
  static String dqdlString(String value) {
    return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  private static void checkNoNul(String s) {
    if (s.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("NUL character not allowed in SQL text: " + s);
    }
  }
}
