package dev.basin.server.pgwire;

import java.util.Iterator;
import java.util.List;

/**
 * The rows one execution of a statement produces, read forward once; an engine cursor or rows Basin
 * computes itself. Not thread-safe.
 */
interface PgRows extends AutoCloseable {

  /** The columns of each row; empty when the statement returns no rows. */
  List<PgColumn> columns();

  /**
   * Advances to the next row.
   *
   * @return false when there are no more rows
   */
  boolean next();

  /** The current row's value in column {@code index} (0-based); null for SQL NULL. */
  Object value(int index);

  /**
   * The command tag for CommandComplete once every row was read.
   *
   * @param rows the rows sent by the Execute (or query) that completes the statement
   */
  String commandTag(long rows);

  @Override
  void close();

  /** A statement that returns no rows and completes with {@code tag}. */
  static PgRows command(String tag) {
    return new ListRows(List.of(), List.<Object[]>of().iterator(), tag);
  }

  /** Rows held in memory; the tag is {@code SELECT n}, or {@code tag} when not null. */
  static PgRows of(List<PgColumn> columns, List<Object[]> rows, String tag) {
    return new ListRows(columns, rows.iterator(), tag);
  }

  /** Rows held in memory. */
  final class ListRows implements PgRows {
    private final List<PgColumn> columns;
    private final Iterator<Object[]> rows;
    private final String tag;
    private Object[] current;

    ListRows(List<PgColumn> columns, Iterator<Object[]> rows, String tag) {
      this.columns = columns;
      this.rows = rows;
      this.tag = tag;
    }

    @Override
    public List<PgColumn> columns() {
      return columns;
    }

    @Override
    public boolean next() {
      if (rows.hasNext()) {
        current = rows.next();
        return true;
      }
      current = null;
      return false;
    }

    @Override
    public Object value(int index) {
      return current[index];
    }

    @Override
    public String commandTag(long rows) {
      return tag != null ? tag : "SELECT " + rows;
    }

    @Override
    public void close() {}
  }
}
