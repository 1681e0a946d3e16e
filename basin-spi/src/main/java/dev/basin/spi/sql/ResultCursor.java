package dev.basin.spi.sql;

import java.util.List;

/**
 * The rows a statement returns, read forward once. Rows are streamed from the engine: a large
 * result is not held in memory. Not thread-safe.
 *
 * <p>Values are Java objects: {@code Boolean}, {@code Short}, {@code Integer}, {@code Long}, {@code
 * BigInteger} (HUGEINT), {@code Float}, {@code Double}, {@code BigDecimal}, {@code String}, {@code
 * LocalDate}, {@code LocalTime}, {@code LocalDateTime}, {@code OffsetDateTime}, {@code byte[]},
 * {@code UUID}, and for nested types their text form as a {@code String}; null for SQL NULL.
 */
public interface ResultCursor extends AutoCloseable {

  /** The columns; empty when the statement returns no rows. */
  List<SqlColumn> columns();

  /**
   * Advances to the next row.
   *
   * @return false when there are no more rows
   * @throws SqlException if the engine fails or the statement is cancelled while streaming
   */
  boolean next();

  /** The current row's value in column {@code index} (0-based). */
  Object value(int index);

  /**
   * The PostgreSQL-style command tag: {@code SELECT 3}, {@code INSERT 0 5}, {@code CREATE TABLE}.
   * For queries it is final only after the last row was read.
   */
  String commandTag();

  /** Rows written by a write statement; -1 for queries and DDL. */
  long updateCount();

  /** The tables read and the files and bytes scanned. */
  List<TableScan> scans();

  /** Releases the result. Idempotent. */
  @Override
  void close();
}
