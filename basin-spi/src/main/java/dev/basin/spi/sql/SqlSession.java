package dev.basin.spi.sql;

import java.util.List;

/**
 * A connection to the engine. Not thread-safe except {@link #cancel()}, which another thread may
 * call while a statement runs.
 */
public interface SqlSession extends AutoCloseable {

  /**
   * Parses, resolves and plans one statement. Positional parameters are written {@code ?} or {@code
   * $1}. The plan pins the snapshot of every table the statement reads; {@link PreparedSql#execute}
   * re-plans when a table has changed since.
   *
   * @throws SqlException on a syntax error (with its position), an unknown table or column, or a
   *     statement the engine does not support
   */
  PreparedSql prepare(String sql);

  /**
   * What a query would read besides the catalog's tables, views and its own CTEs, as {@link
   * PreparedSql#fileAccess()} lists it, found by parsing and resolving names only: no file is
   * opened, so a caller can refuse the statement before the engine touches one (binding a file
   * function reads the file's first lines, which error messages and column names may show). Empty
   * for statements that are not queries, and for engines that cannot read files at all.
   *
   * @throws SqlException on a syntax error or an unknown database, as {@link #prepare} would
   */
  default List<String> fileAccess(String sql) {
    return List.of();
  }

  /** Prepares and executes a statement without parameters. */
  default ResultCursor execute(String sql) {
    return prepare(sql).execute(List.of());
  }

  /** The database unqualified names resolve in, or null. */
  String database();

  /**
   * Changes the database unqualified names resolve in.
   *
   * @throws SqlException {@link SqlState#INVALID_SCHEMA_NAME} if it does not exist
   */
  void useDatabase(String database);

  /**
   * Cancels the statement running in this session, if any; it fails with {@link
   * SqlState#QUERY_CANCELED}. Thread-safe; does nothing when idle.
   */
  void cancel();

  /** Closes open cursors and releases the connection. Idempotent. */
  @Override
  void close();
}
