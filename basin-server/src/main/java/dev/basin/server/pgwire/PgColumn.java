package dev.basin.server.pgwire;

/**
 * A result column as RowDescription describes it.
 *
 * @param name the column label
 * @param type its PostgreSQL type
 * @param typmod the type modifier ({@code -1} for none; for numeric {@code ((p << 16) | s) + 4})
 */
record PgColumn(String name, PgType type, int typmod) {

  PgColumn(String name, PgType type) {
    this(name, type, -1);
  }
}
