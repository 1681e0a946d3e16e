package dev.basin.sql;

import java.util.List;
import java.util.stream.Collectors;

/** Quoting for SQL text the engine generates. */
public final class Sql {

  private Sql() {}

  /** A double-quoted identifier. */
  public static String quoteIdent(String name) {
    return '"' + name.replace("\"", "\"\"") + '"';
  }

  /** A single-quoted string literal. */
  public static String quoteString(String value) {
    return '\'' + value.replace("'", "''") + '\'';
  }

  /** A DuckDB list literal of strings: {@code ['a', 'b']}. */
  public static String stringList(List<String> values) {
    return values.stream().map(Sql::quoteString).collect(Collectors.joining(", ", "[", "]"));
  }
}
