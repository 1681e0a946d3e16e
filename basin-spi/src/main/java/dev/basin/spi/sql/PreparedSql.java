package dev.basin.spi.sql;

import java.util.List;

/** A planned statement; execute it any number of times. Owned by its session's thread. */
public interface PreparedSql extends AutoCloseable {

  /** The statement text as given. */
  String sql();

  /** What kind of statement this is. */
  StatementKind kind();

  /** The parameters' types, in order; {@link SqlType.Kind#UNKNOWN} where the engine cannot tell. */
  List<SqlType> parameterTypes();

  /** The columns a query returns; empty for statements that return no rows. */
  List<SqlColumn> columns();

  /** The tables the statement reads and the files and bytes it will scan, as planned. */
  List<TableScan> scans();

  /**
   * What the statement the user wrote reads besides the catalog's tables, views and its own CTEs:
   * each entry names one reference, such as {@code "table function read_text"}, {@code "file
   * 'x.csv'"} or {@code "function current_setting"}. Tables the engine itself rewrites into file
   * scans, and what a catalog view reads, are not listed. Empty when the statement reads catalog
   * tables only, and for engines that cannot read files at all.
   */
  default List<String> fileAccess() {
    return List.of();
  }

  /**
   * Runs the statement. Values are bound in order: Java {@code String}, {@code Long}, {@code
   * Integer}, {@code Double}, {@code BigDecimal}, {@code Boolean}, {@code LocalDate}, {@code
   * LocalDateTime}, {@code OffsetDateTime}, {@code byte[]} or null.
   *
   * <p>When this returns after a write (CTAS, INSERT, COPY, refresh), the write is committed.
   *
   * @throws SqlException on failure, {@link SqlState#QUERY_CANCELED} when cancelled
   */
  ResultCursor execute(List<?> parameters);

  /** Releases the plan. Idempotent. */
  @Override
  void close();
}
