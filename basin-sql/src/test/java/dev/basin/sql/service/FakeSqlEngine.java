package dev.basin.sql.service;

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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A hand-written engine for the service's unit tests: statements are defined up front by their
 * whitespace-normalized text; tables have a version and a size the tests change; a "blocking"
 * statement waits until its session is cancelled. It counts prepares and executes so tests can
 * check what ran.
 */
final class FakeSqlEngine implements SqlEngine {

  /** A statement the engine knows. */
  record Def(
      StatementKind kind,
      List<SqlColumn> columns,
      List<String> tables,
      Function<List<?>, List<Object[]>> rows,
      long updateCount,
      boolean blocks,
      SqlException prepareError,
      SqlException executeError) {}

  private final Map<String, Def> defs = new ConcurrentHashMap<>();
  final Map<String, String> versions = new ConcurrentHashMap<>();
  final Map<String, Long> bytes = new ConcurrentHashMap<>();
  final Set<String> databases = ConcurrentHashMap.newKeySet();
  final AtomicInteger prepares = new AtomicInteger();
  final AtomicInteger executes = new AtomicInteger();

  /** Released once per blocking statement that starts executing. */
  final Semaphore blockingStarted = new Semaphore(0);

  FakeSqlEngine() {
    databases.add("db");
  }

  static SqlColumn col(String name, SqlType.Kind kind) {
    return new SqlColumn(name, SqlType.of(kind, kind.name()), true);
  }

  void define(String sql, Def def) {
    defs.put(SqlText.normalize(sql), def);
  }

  /** A query over lake tables returning fixed rows. */
  void query(String sql, List<SqlColumn> columns, List<String> tables, List<Object[]> rows) {
    define(sql, new Def(StatementKind.QUERY, columns, tables, p -> rows, -1, false, null, null));
  }

  /** A query returning {@code 0..n-1} in one BIGINT column {@code n}. */
  void range(String sql, int n, List<String> tables) {
    define(
        sql,
        new Def(
            StatementKind.QUERY,
            List.of(col("n", SqlType.Kind.BIGINT)),
            tables,
            p -> {
              List<Object[]> out = new ArrayList<>(n);
              for (long i = 0; i < n; i++) {
                out.add(new Object[] {i});
              }
              return out;
            },
            -1,
            false,
            null,
            null));
  }

  void blocking(String sql) {
    define(
        sql,
        new Def(
            StatementKind.QUERY,
            List.of(col("x", SqlType.Kind.INTEGER)),
            List.of(),
            p -> List.of(),
            -1,
            true,
            null,
            null));
  }

  void table(String name, String version, long size) {
    versions.put(name, version);
    bytes.put(name, size);
  }

  @Override
  public SqlSession openSession(SessionContext context) {
    if (context.database() != null && !databases.contains(context.database())) {
      throw new SqlException(
          SqlState.INVALID_SCHEMA_NAME,
          "SCHEMA_NOT_FOUND: Schema '" + context.database() + "' does not exist");
    }
    return new Session(context);
  }

  @Override
  public void close() {}

  private final class Session implements SqlSession {
    private final SessionContext context;
    private volatile CountDownLatch cancelled = new CountDownLatch(1);

    Session(SessionContext context) {
      this.context = context;
    }

    @Override
    public PreparedSql prepare(String sql) {
      prepares.incrementAndGet();
      String key = SqlText.normalize(sql);
      if (key.endsWith(";")) {
        key = key.substring(0, key.length() - 1).strip();
      }
      Def def = defs.get(key);
      if (def == null) {
        throw new SqlException(
            SqlState.SYNTAX_ERROR,
            "line 1:1: mismatched input '" + key.split(" ")[0] + "'",
            1,
            null);
      }
      if (def.prepareError() != null) {
        throw def.prepareError();
      }
      List<TableScan> scans = new ArrayList<>();
      for (String t : def.tables()) {
        long b = bytes.getOrDefault(t, 0L);
        scans.add(new TableScan(t, versions.getOrDefault(t, "0"), 1, 1, b, b));
      }
      return new Prepared(sql, def, scans);
    }

    @Override
    public String database() {
      return context.database();
    }

    @Override
    public void useDatabase(String database) {}

    @Override
    public void cancel() {
      cancelled.countDown();
    }

    @Override
    public void close() {}

    private final class Prepared implements PreparedSql {
      private final String sql;
      private final Def def;
      private final List<TableScan> scans;

      Prepared(String sql, Def def, List<TableScan> scans) {
        this.sql = sql;
        this.def = def;
        this.scans = scans;
      }

      @Override
      public String sql() {
        return sql;
      }

      @Override
      public StatementKind kind() {
        return def.kind();
      }

      @Override
      public List<SqlType> parameterTypes() {
        return List.of();
      }

      @Override
      public List<SqlColumn> columns() {
        return def.columns();
      }

      @Override
      public List<TableScan> scans() {
        return scans;
      }

      @Override
      public ResultCursor execute(List<?> parameters) {
        executes.incrementAndGet();
        if (def.executeError() != null) {
          throw def.executeError();
        }
        if (def.blocks()) {
          blockingStarted.release();
          try {
            if (!cancelled.await(60, TimeUnit.SECONDS)) {
              throw new SqlException(SqlState.INTERNAL_ERROR, "never cancelled");
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          throw new SqlException(SqlState.QUERY_CANCELED, "canceling statement");
        }
        if (def.kind() == StatementKind.WRITE) {
          for (String t : def.tables()) {
            versions.merge(t, "w", String::concat);
          }
        }
        List<Object[]> rows = def.rows().apply(parameters);
        return new Cursor(def, rows, scans);
      }

      @Override
      public void close() {}
    }
  }

  private static final class Cursor implements ResultCursor {
    private final Def def;
    private final List<Object[]> rows;
    private final List<TableScan> scans;
    private int at = -1;

    Cursor(Def def, List<Object[]> rows, List<TableScan> scans) {
      this.def = def;
      this.rows = rows;
      this.scans = scans;
    }

    @Override
    public List<SqlColumn> columns() {
      return def.columns();
    }

    @Override
    public boolean next() {
      at++;
      return at < rows.size();
    }

    @Override
    public Object value(int index) {
      return rows.get(at)[index];
    }

    @Override
    public String commandTag() {
      return "SELECT " + rows.size();
    }

    @Override
    public long updateCount() {
      return def.updateCount();
    }

    @Override
    public List<TableScan> scans() {
      return scans;
    }

    @Override
    public void close() {}
  }
}
