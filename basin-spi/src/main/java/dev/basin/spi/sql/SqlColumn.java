package dev.basin.spi.sql;

import java.util.Objects;

/**
 * A result or table column.
 *
 * @param name the column name as the statement labels it
 * @param type its type
 * @param nullable whether it may be null ({@code true} when unknown)
 */
public record SqlColumn(String name, SqlType type, boolean nullable) {

  public SqlColumn {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
  }
}
