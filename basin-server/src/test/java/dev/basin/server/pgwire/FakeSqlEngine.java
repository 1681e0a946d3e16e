package dev.basin.server.pgwire;

import dev.basin.spi.sql.PreparedSql;
import dev.basin.spi.sql.ResultCursor;
import dev.basin.spi.sql.SessionContext;
import dev.basin.spi.sql.SqlColumn;
import dev.basin.spi.sql.SqlEngine;
import dev.basin.spi.sql.SqlException;
import dev.basin.spi.sql.SqlSession;
import dev.basin.spi.sql.SqlState;
import dev.basin.spi.sql.SqlType;
import dev.basin.spi.sql.StatementKind;
import dev.basin.spi.sql.TableScan;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An in-memory engine that understands a handful of statements, enough to drive the protocol:
 *
 * <ul>
 *   <li>{@code SELECT <n>} – one INTEGER row
 *   <li>{@code SELECT * FROM range(<n>)} – n BIGINT rows, streamed
 *   <li>{@code SELECT * FROM gated(<n>)} – n rows; after half of them the cursor waits for {@link
 *       #openGate()}, proving rows reach the client before the result is complete
 *   <li>{@code SELECT sleep()} – blocks until cancelled
 *   <li>{@code SELECT $1::int, $2::text …} – echoes its parameters with the declared types
 *   <li>{@code SELECT types()} – one row with a value of every type
 *   <li>{@code SELECT * FROM missing} – undefined table (42P01) with a position
 *   <li>{@code SELEC …} – syntax error at position 1
 *   <li>{@code CREATE …} – DDL; {@code INSERT …} – writes 3 rows
 *   <li>{@code information_schema.schemata/columns} – one database {@code db} with table {@code t}
 * </ul>
 */
final class FakeSqlEngine implements SqlEngine {
  static final Pattern PARAM = Pattern.compile("\\$(\\d+)(?:::(\\w+))?");

  final List<FakeSession> sessions = new CopyOnWriteArrayList<>();
  final List<List<?>> executions = new CopyOnWriteArrayList<>();
  final AtomicInteger cancels = new AtomicInteger();
  private final CountDownLatch gate = new CountDownLatch(1);
  final CountDownLatch sleeping = new CountDownLatch(1);

  void openGate() {
    gate.countDown();
  }

  @Override
  public SqlSession openSession(SessionContext context) {
    if (context.database() != null && !context.database().equals("db")) {
      throw new SqlException(
          SqlState.INVALID_SCHEMA_NAME, "database '" + context.database() + "' does not exist");
    }
    FakeSession s = new FakeSession(context.database());
    sessions.add(s);
    return s;
  }

  @Override
  public void close() {}

  final class FakeSession implements SqlSession {
    volatile String database;
    volatile boolean closed;
    private volatile CountDownLatch running;

    FakeSession(String database) {
      this.database = database;
    }

    @Override
    public PreparedSql prepare(String sql) {
      String s = sql.trim();
      String lower = s.toLowerCase(Locale.ROOT);
      if (lower.startsWith("selec ") || lower.equals("selec")) {
        throw new SqlException(SqlState.SYNTAX_ERROR, "syntax error at or near \"SELEC\"", 1, null);
      }
      if (lower.contains("from missing")) {
        throw new SqlException(
            SqlState.UNDEFINED_TABLE,
            "table 'missing' does not exist",
            lower.indexOf("missing") + 1,
            null);
      }
      if (lower.startsWith("create")) {
        return new Prepared(
            sql,
            StatementKind.DDL,
            List.of(),
            List.of(),
            () -> rows(List.of(), List.of(), "CREATE TABLE", -1));
      }
      if (lower.startsWith("insert")) {
        return new Prepared(
            sql,
            StatementKind.WRITE,
            List.of(),
            List.of(),
            () -> rows(List.of(), List.of(), "INSERT 0 3", 3));
      }
      if (lower.contains("information_schema.schemata")) {
        List<SqlColumn> cols = List.of(col("schema_name", SqlType.Kind.VARCHAR));
        return query(sql, cols, () -> rows(cols, List.<Object[]>of(new Object[] {"db"}), null, -1));
      }
      if (lower.contains("information_schema.columns")) {
        List<SqlColumn> cols =
            List.of(
                col("table_schema", SqlType.Kind.VARCHAR),
                col("table_name", SqlType.Kind.VARCHAR),
                col("column_name", SqlType.Kind.VARCHAR),
                col("ordinal_position", SqlType.Kind.INTEGER),
                col("data_type", SqlType.Kind.VARCHAR),
                col("is_nullable", SqlType.Kind.VARCHAR));
        List<Object[]> rows =
            List.of(
                new Object[] {"db", "t", "id", 1, "INTEGER", "NO"},
                new Object[] {"db", "t", "name", 2, "VARCHAR", "YES"},
                new Object[] {"db", "t", "amount", 3, "DECIMAL(10,2)", "YES"});
        return query(sql, cols, () -> rows(cols, rows, null, -1));
      }
      Matcher range = Pattern.compile("(?i)select \\* from (range|gated)\\((\\d+)\\)").matcher(s);
      if (range.matches()) {
        long n = Long.parseLong(range.group(2));
        boolean gated = range.group(1).equalsIgnoreCase("gated");
        List<SqlColumn> cols = List.of(col("range", SqlType.Kind.BIGINT));
        return query(sql, cols, () -> new RangeCursor(cols, n, gated));
      }
      if (lower.equals("select sleep()")) {
        List<SqlColumn> cols = List.of(col("sleep", SqlType.Kind.BOOLEAN));
        return query(
            sql,
            cols,
            () -> {
              CountDownLatch latch = new CountDownLatch(1);
              running = latch;
              sleeping.countDown();
              try {
                if (!latch.await(60, TimeUnit.SECONDS)) {
                  throw new SqlException(SqlState.INTERNAL_ERROR, "sleep() was never cancelled");
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } finally {
                running = null;
              }
              throw new SqlException(
                  SqlState.QUERY_CANCELED, "canceling statement due to user request");
            });
      }
      if (lower.equals("select types()")) {
        List<SqlColumn> cols =
            List.of(
                col("b", SqlType.Kind.BOOLEAN),
                col("i2", SqlType.Kind.SMALLINT),
                col("i4", SqlType.Kind.INTEGER),
                col("i8", SqlType.Kind.BIGINT),
                col("f4", SqlType.Kind.FLOAT),
                col("f8", SqlType.Kind.DOUBLE),
                new SqlColumn("n", new SqlType(SqlType.Kind.DECIMAL, "DECIMAL(10,3)", 10, 3), true),
                col("s", SqlType.Kind.VARCHAR),
                col("bin", SqlType.Kind.BLOB),
                col("d", SqlType.Kind.DATE),
                col("t", SqlType.Kind.TIME),
                col("ts", SqlType.Kind.TIMESTAMP),
                col("tstz", SqlType.Kind.TIMESTAMP_TZ),
                col("iv", SqlType.Kind.INTERVAL),
                col("u", SqlType.Kind.UUID),
                col("j", SqlType.Kind.JSON),
                col("l", SqlType.Kind.LIST),
                col("h", SqlType.Kind.HUGEINT),
                col("nul", SqlType.Kind.VARCHAR));
        Object[] row = {
          true,
          (short) 7,
          42,
          5_000_000_000L,
          1.5f,
          0.1,
          new BigDecimal("-12.345"),
          "héllo",
          new byte[] {0, 1, (byte) 0xff},
          LocalDate.of(2024, 1, 2),
          LocalTime.of(3, 4, 5, 6000),
          LocalDateTime.of(2024, 1, 2, 3, 4, 5, 123_456_000),
          OffsetDateTime.of(2024, 1, 2, 3, 4, 5, 0, ZoneOffset.ofHours(1)),
          "1 year 2 months 3 days 04:05:06.789",
          UUID.fromString("a5307cab-ca8b-4f26-afd1-406ac24d0ad7"),
          "{\"a\":1}",
          "[1, 2]",
          new BigInteger("123456789012345678901234567890"),
          null
        };
        return query(sql, cols, () -> rows(cols, List.<Object[]>of(row), null, -1));
      }
      Matcher number = Pattern.compile("(?i)select (-?\\d+)").matcher(s);
      if (number.matches()) {
        List<SqlColumn> cols = List.of(col("?column?", SqlType.Kind.INTEGER));
        int v = Integer.parseInt(number.group(1));
        return query(sql, cols, () -> rows(cols, List.<Object[]>of(new Object[] {v}), null, -1));
      }
      if (lower.equals("select dyn($1)")) {
        // like DuckDB's SELECT $1: the column type is only known from the value
        return new Prepared(
            sql,
            StatementKind.QUERY,
            List.of(SqlType.of(SqlType.Kind.UNKNOWN, "UNKNOWN")),
            List.of(),
            null) {
          @Override
          public ResultCursor execute(List<?> parameters) {
            Object v = parameters.get(0);
            SqlType.Kind kind = v instanceof LocalDate ? SqlType.Kind.DATE : SqlType.Kind.VARCHAR;
            List<SqlColumn> cols = List.of(col("dyn", kind));
            return rows(cols, List.<Object[]>of(new Object[] {v}), null, -1);
          }
        };
      }
      if (lower.startsWith("select") && s.contains("$")) {
        Matcher m = PARAM.matcher(s);
        List<SqlType> types = new ArrayList<>();
        List<SqlColumn> cols = new ArrayList<>();
        while (m.find()) {
          SqlType t = type(m.group(2));
          types.add(t);
          cols.add(new SqlColumn("p" + m.group(1), t, true));
        }
        return new Echo(sql, types, cols);
      }
      throw new SqlException(SqlState.SYNTAX_ERROR, "the fake engine does not know: " + sql);
    }

    private PreparedSql query(String sql, List<SqlColumn> cols, Supplier<ResultCursor> run) {
      return new Prepared(sql, StatementKind.QUERY, List.of(), cols, run);
    }

    @Override
    public String database() {
      return database;
    }

    @Override
    public void useDatabase(String db) {
      if (!"db".equals(db)) {
        throw new SqlException(
            SqlState.INVALID_SCHEMA_NAME, "database '" + db + "' does not exist");
      }
      database = db;
    }

    @Override
    public void cancel() {
      cancels.incrementAndGet();
      CountDownLatch r = running;
      if (r != null) {
        r.countDown();
      }
    }

    @Override
    public void close() {
      closed = true;
    }

    /** Echoes its parameters with the declared types. */
    private final class Echo implements PreparedSql {
      private final String sql;
      private final List<SqlType> types;
      private final List<SqlColumn> columns;

      Echo(String sql, List<SqlType> types, List<SqlColumn> columns) {
        this.sql = sql;
        this.types = types;
        this.columns = columns;
      }

      @Override
      public String sql() {
        return sql;
      }

      @Override
      public StatementKind kind() {
        return StatementKind.QUERY;
      }

      @Override
      public List<SqlType> parameterTypes() {
        return types;
      }

      @Override
      public List<SqlColumn> columns() {
        return columns;
      }

      @Override
      public List<TableScan> scans() {
        return List.of();
      }

      @Override
      public ResultCursor execute(List<?> parameters) {
        executions.add(new ArrayList<>(parameters));
        return rows(columns, List.<Object[]>of(parameters.toArray()), null, -1);
      }

      @Override
      public void close() {}
    }
  }

  private static SqlType type(String name) {
    if (name == null) {
      return SqlType.of(SqlType.Kind.UNKNOWN, "UNKNOWN");
    }
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "int" -> SqlType.of(SqlType.Kind.INTEGER, "INTEGER");
      case "bigint" -> SqlType.of(SqlType.Kind.BIGINT, "BIGINT");
      case "text" -> SqlType.of(SqlType.Kind.VARCHAR, "VARCHAR");
      case "double" -> SqlType.of(SqlType.Kind.DOUBLE, "DOUBLE");
      case "date" -> SqlType.of(SqlType.Kind.DATE, "DATE");
      case "timestamp" -> SqlType.of(SqlType.Kind.TIMESTAMP, "TIMESTAMP");
      case "timestamptz" -> SqlType.of(SqlType.Kind.TIMESTAMP_TZ, "TIMESTAMP WITH TIME ZONE");
      case "bool" -> SqlType.of(SqlType.Kind.BOOLEAN, "BOOLEAN");
      case "numeric" -> new SqlType(SqlType.Kind.DECIMAL, "DECIMAL(10,3)", 10, 3);
      case "bytea" -> SqlType.of(SqlType.Kind.BLOB, "BLOB");
      default -> SqlType.of(SqlType.Kind.UNKNOWN, name);
    };
  }

  static SqlColumn col(String name, SqlType.Kind kind) {
    return new SqlColumn(name, SqlType.of(kind, kind.name()), true);
  }

  static ResultCursor rows(List<SqlColumn> columns, List<Object[]> rows, String tag, long updates) {
    return new ResultCursor() {
      int i = -1;

      @Override
      public List<SqlColumn> columns() {
        return columns;
      }

      @Override
      public boolean next() {
        return ++i < rows.size();
      }

      @Override
      public Object value(int index) {
        return rows.get(i)[index];
      }

      @Override
      public String commandTag() {
        return tag != null ? tag : "SELECT " + rows.size();
      }

      @Override
      public long updateCount() {
        return updates;
      }

      @Override
      public List<TableScan> scans() {
        return List.of();
      }

      @Override
      public void close() {}
    };
  }

  private final class RangeCursor implements ResultCursor {
    private final List<SqlColumn> columns;
    private final long n;
    private final boolean gated;
    private long i = -1;

    RangeCursor(List<SqlColumn> columns, long n, boolean gated) {
      this.columns = columns;
      this.n = n;
      this.gated = gated;
    }

    @Override
    public List<SqlColumn> columns() {
      return columns;
    }

    @Override
    public boolean next() {
      i++;
      if (gated && i == n / 2) {
        try {
          if (!gate.await(60, TimeUnit.SECONDS)) {
            throw new SqlException(SqlState.INTERNAL_ERROR, "the gate was never opened");
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return i < n;
    }

    @Override
    public Object value(int index) {
      return i;
    }

    @Override
    public String commandTag() {
      return "SELECT " + n;
    }

    @Override
    public long updateCount() {
      return -1;
    }

    @Override
    public List<TableScan> scans() {
      return List.of();
    }

    @Override
    public void close() {}
  }

  private static class Prepared implements PreparedSql {
    private final String sql;
    private final StatementKind kind;
    private final List<SqlType> parameterTypes;
    private final List<SqlColumn> columns;
    private final Supplier<ResultCursor> run;

    Prepared(
        String sql,
        StatementKind kind,
        List<SqlType> parameterTypes,
        List<SqlColumn> columns,
        Supplier<ResultCursor> run) {
      this.sql = sql;
      this.kind = kind;
      this.parameterTypes = parameterTypes;
      this.columns = columns;
      this.run = run;
    }

    @Override
    public String sql() {
      return sql;
    }

    @Override
    public StatementKind kind() {
      return kind;
    }

    @Override
    public List<SqlType> parameterTypes() {
      return parameterTypes;
    }

    @Override
    public List<SqlColumn> columns() {
      return columns;
    }

    @Override
    public List<TableScan> scans() {
      return List.of();
    }

    @Override
    public ResultCursor execute(List<?> parameters) {
      return run.get();
    }

    @Override
    public void close() {}
  }
}
