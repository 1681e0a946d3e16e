package dev.basin.sql;

import dev.basin.spi.sql.ResultCursor;
import dev.basin.spi.sql.SqlColumn;
import dev.basin.spi.sql.SqlException;
import dev.basin.spi.sql.SqlState;
import dev.basin.spi.sql.SqlType;
import dev.basin.spi.sql.TableScan;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** The cursors statements return. */
final class Cursors {

  private Cursors() {}

  /** Columns of a JDBC result. */
  static List<SqlColumn> columns(ResultSetMetaData meta) throws SQLException {
    List<SqlColumn> columns = new ArrayList<>();
    for (int i = 1; i <= meta.getColumnCount(); i++) {
      columns.add(
          new SqlColumn(
              meta.getColumnLabel(i),
              DuckDbTypes.sqlType(meta.getColumnTypeName(i)),
              meta.isNullable(i) != ResultSetMetaData.columnNoNulls));
    }
    return columns;
  }

  /** Rows streamed from DuckDB. */
  static final class Jdbc implements ResultCursor {
    private final java.sql.Statement statement;
    private final ResultSet rs;
    private final List<SqlColumn> columns;
    private final List<TableScan> scans;
    private final Runnable onClose;
    private Object[] row;
    private long rows;
    private boolean done;
    private boolean closed;
    private java.util.ArrayDeque<Object[]> buffered;

    Jdbc(java.sql.Statement statement, ResultSet rs, List<TableScan> scans, Runnable onClose)
        throws SQLException {
      this.statement = statement;
      this.rs = rs;
      this.columns = Cursors.columns(rs.getMetaData());
      this.scans = scans;
      this.onClose = onClose;
      this.row = new Object[columns.size()];
    }

    @Override
    public List<SqlColumn> columns() {
      return columns;
    }

    @Override
    public boolean next() {
      if (buffered != null) {
        if (buffered.isEmpty()) {
          return false;
        }
        row = buffered.poll();
        rows++;
        return true;
      }
      if (done) {
        return false;
      }
      try {
        if (!rs.next()) {
          done = true;
          return false;
        }
        row = new Object[columns.size()];
        for (int i = 0; i < row.length; i++) {
          row[i] = read(rs, i + 1, columns.get(i).type().kind());
        }
        rows++;
        return true;
      } catch (SQLException e) {
        done = true;
        throw SqlErrors.translate(e);
      }
    }

    /**
     * Reads the rest of the rows into memory and releases DuckDB's result, so the connection can
     * run another statement while this cursor is still being read (a suspended pgwire portal).
     */
    void detach() {
      if (buffered != null || closed) {
        return;
      }
      java.util.ArrayDeque<Object[]> rest = new java.util.ArrayDeque<>();
      try {
        while (!done && rs.next()) {
          Object[] r = new Object[columns.size()];
          for (int i = 0; i < r.length; i++) {
            r[i] = read(rs, i + 1, columns.get(i).type().kind());
          }
          rest.add(r);
        }
      } catch (SQLException e) {
        throw SqlErrors.translate(e);
      } finally {
        done = true;
        try {
          rs.close();
        } catch (SQLException e) {
          // released either way
        }
      }
      buffered = rest;
    }

    boolean isOpen() {
      return !closed && buffered == null && !done;
    }

    @Override
    public Object value(int index) {
      return row[index];
    }

    @Override
    public String commandTag() {
      return "SELECT " + rows;
    }

    @Override
    public long updateCount() {
      return -1;
    }

    @Override
    public List<TableScan> scans() {
      return scans;
    }

    @Override
    public void close() {
      if (closed) {
        return;
      }
      closed = true;
      try {
        rs.close();
      } catch (SQLException e) {
        // releasing a result cannot fail in a way the caller can act on
      }
      onClose.run();
    }

    java.sql.Statement statement() {
      return statement;
    }
  }

  static Object read(ResultSet rs, int i, SqlType.Kind kind) throws SQLException {
    Object o =
        switch (kind) {
          case BOOLEAN -> rs.getBoolean(i);
          case TINYINT, SMALLINT -> (short) rs.getInt(i);
          case INTEGER -> rs.getInt(i);
          case BIGINT -> rs.getLong(i);
          case FLOAT -> rs.getFloat(i);
          case DOUBLE -> rs.getDouble(i);
          case DECIMAL -> rs.getBigDecimal(i);
          case VARCHAR, JSON, LIST, STRUCT, MAP, INTERVAL, UNKNOWN -> rs.getString(i);
          case DATE -> rs.getObject(i, LocalDate.class);
          case TIME -> rs.getObject(i, LocalTime.class);
          case TIMESTAMP -> rs.getObject(i, LocalDateTime.class);
          case TIMESTAMP_TZ -> rs.getObject(i, OffsetDateTime.class);
          case BLOB -> rs.getBytes(i);
          case UUID -> {
            Object u = rs.getObject(i);
            yield u == null ? null : u instanceof UUID ? u : UUID.fromString(u.toString());
          }
          case HUGEINT -> {
            Object h = rs.getObject(i);
            yield h == null ? null : new java.math.BigInteger(h.toString());
          }
        };
    return rs.wasNull() ? null : o;
  }

  /** Rows computed in Java (SHOW, DESCRIBE, EXPLAIN (TYPE IO), command results). */
  static final class Rows implements ResultCursor {
    private final List<SqlColumn> columns;
    private final List<Object[]> rows;
    private final String tag;
    private final long updateCount;
    private final List<TableScan> scans;
    private int index = -1;

    Rows(
        List<SqlColumn> columns,
        List<Object[]> rows,
        String tag,
        long updateCount,
        List<TableScan> scans) {
      this.columns = columns;
      this.rows = rows;
      this.tag = tag;
      this.updateCount = updateCount;
      this.scans = scans;
    }

    /** A statement that returns no rows. */
    static Rows command(String tag, long updateCount, List<TableScan> scans) {
      return new Rows(List.of(), List.of(), tag, updateCount, scans);
    }

    @Override
    public List<SqlColumn> columns() {
      return columns;
    }

    @Override
    public boolean next() {
      if (index + 1 >= rows.size()) {
        index = rows.size();
        return false;
      }
      index++;
      return true;
    }

    @Override
    public Object value(int i) {
      if (index < 0 || index >= rows.size()) {
        throw new SqlException(SqlState.INTERNAL_ERROR, "no current row; call next() first");
      }
      return rows.get(index)[i];
    }

    @Override
    public String commandTag() {
      return tag != null ? tag : "SELECT " + rows.size();
    }

    @Override
    public long updateCount() {
      return updateCount;
    }

    @Override
    public List<TableScan> scans() {
      return scans;
    }

    @Override
    public void close() {}
  }

  static SqlColumn varchar(String name) {
    return new SqlColumn(name, SqlType.of(SqlType.Kind.VARCHAR, "VARCHAR"), true);
  }

  static SqlColumn bigint(String name) {
    return new SqlColumn(name, SqlType.of(SqlType.Kind.BIGINT, "BIGINT"), true);
  }
}
