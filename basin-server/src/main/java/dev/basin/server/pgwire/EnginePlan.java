package dev.basin.server.pgwire;

import dev.basin.spi.sql.PreparedSql;
import dev.basin.spi.sql.ResultCursor;
import dev.basin.spi.sql.SqlColumn;
import dev.basin.spi.sql.SqlType;
import dev.basin.spi.sql.StatementKind;
import java.util.ArrayList;
import java.util.List;

/** A statement the engine runs: a {@link PreparedSql} and its streamed cursors. */
final class EnginePlan implements PgPlan {
  private final PreparedSql prepared;
  private final List<PgColumn> columns;

  EnginePlan(PreparedSql prepared) {
    this.prepared = prepared;
    this.columns = columns(prepared.columns());
  }

  static List<PgColumn> columns(List<SqlColumn> columns) {
    List<PgColumn> out = new ArrayList<>(columns.size());
    for (SqlColumn c : columns) {
      out.add(PgTypes.column(c));
    }
    return List.copyOf(out);
  }

  @Override
  public boolean columnsUnknown() {
    return columns.isEmpty() && prepared.kind() == StatementKind.QUERY;
  }

  @Override
  public List<SqlType> parameterTypes() {
    return prepared.parameterTypes();
  }

  @Override
  public List<PgColumn> columns() {
    return columns;
  }

  @Override
  public PgRows execute(List<Object> parameters) {
    ResultCursor cursor = prepared.execute(parameters);
    return new CursorRows(cursor);
  }

  @Override
  public void close() {
    prepared.close();
  }

  /** An engine cursor as rows; the engine's tag, or {@code SELECT n} for queries. */
  private static final class CursorRows implements PgRows {
    private final ResultCursor cursor;
    private final List<PgColumn> columns;

    CursorRows(ResultCursor cursor) {
      this.cursor = cursor;
      this.columns = EnginePlan.columns(cursor.columns());
    }

    @Override
    public List<PgColumn> columns() {
      return columns;
    }

    @Override
    public boolean next() {
      return cursor.next();
    }

    @Override
    public Object value(int index) {
      return cursor.value(index);
    }

    @Override
    public String commandTag(long rows) {
      String tag = cursor.commandTag();
      if (!columns.isEmpty() && (tag == null || tag.startsWith("SELECT"))) {
        // For a portal run in several Executes, PostgreSQL counts the rows of the last one.
        return "SELECT " + rows;
      }
      return tag == null || tag.isEmpty() ? "OK" : tag;
    }

    @Override
    public void close() {
      cursor.close();
    }
  }
}
