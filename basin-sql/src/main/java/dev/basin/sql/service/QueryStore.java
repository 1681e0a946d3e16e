package dev.basin.sql.service;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.basin.catalog.CatalogConfig;
import dev.basin.common.error.BasinException;
import dev.basin.common.jdbc.JdbcStore;
import dev.basin.common.json.Json;
import java.io.IOException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * The query service's tables in the metadata database (the catalog's JDBC database: SQLite by
 * default, PostgreSQL for several nodes): execution history, the result cache index, named queries
 * and workgroups. The SQL is the subset both databases share. The schema is versioned in {@code
 * basin_query_schema}; {@link #open} applies missing steps in one transaction and refuses a
 * database written by a newer Basin.
 *
 * <p>On SQLite, history commits with {@code synchronous=NORMAL} in WAL mode: a commit survives a
 * process crash; a power loss may lose the last few history rows, never corrupt the file. That
 * keeps a cached answer's bookkeeping well under a millisecond.
 *
 * <p>Thread-safe: connections come from a small pool; each call runs in its own transaction and is
 * retried whole when SQLite reports the database busy or PostgreSQL a serialization failure.
 */
final class QueryStore implements AutoCloseable {

  private static final List<List<String>> MIGRATIONS =
      List.of(
          List.of(
              "CREATE TABLE IF NOT EXISTS basin_query_executions ("
                  + "id VARCHAR(64) NOT NULL PRIMARY KEY, "
                  + "workgroup VARCHAR(128) NOT NULL, "
                  + "sql_text TEXT NOT NULL, "
                  + "statement_type VARCHAR(16) NOT NULL, "
                  + "user_name VARCHAR(255) NOT NULL, "
                  + "database_name VARCHAR(255), "
                  + "parameters TEXT NOT NULL, "
                  + "client_token VARCHAR(128), "
                  + "fingerprint VARCHAR(64) NOT NULL, "
                  + "reuse_enabled INTEGER NOT NULL, "
                  + "state VARCHAR(16) NOT NULL, "
                  + "state_reason TEXT, "
                  + "error_category INTEGER, "
                  + "error_type INTEGER, "
                  + "error_sqlstate VARCHAR(5), "
                  + "error_message TEXT, "
                  + "error_retryable INTEGER, "
                  + "submitted_at BIGINT NOT NULL, "
                  + "started_at BIGINT, "
                  + "completed_at BIGINT, "
                  + "planning_millis BIGINT NOT NULL, "
                  + "engine_millis BIGINT NOT NULL, "
                  + "result_rows BIGINT NOT NULL, "
                  + "bytes_scanned BIGINT NOT NULL, "
                  + "update_count BIGINT NOT NULL, "
                  + "output_location VARCHAR(2048), "
                  + "columns_json TEXT, "
                  + "data_offset BIGINT NOT NULL, "
                  + "result_bytes BIGINT NOT NULL, "
                  + "reused_from VARCHAR(64))",
              "CREATE INDEX IF NOT EXISTS basin_query_executions_by_workgroup "
                  + "ON basin_query_executions (workgroup, submitted_at, id)",
              "CREATE INDEX IF NOT EXISTS basin_query_executions_by_state "
                  + "ON basin_query_executions (state)",
              "CREATE UNIQUE INDEX IF NOT EXISTS basin_query_executions_by_token "
                  + "ON basin_query_executions (client_token)",
              "CREATE TABLE IF NOT EXISTS basin_query_cache ("
                  + "cache_key VARCHAR(64) NOT NULL PRIMARY KEY, "
                  + "execution_id VARCHAR(64) NOT NULL, "
                  + "workgroup VARCHAR(128) NOT NULL, "
                  + "created_at BIGINT NOT NULL)",
              "CREATE TABLE IF NOT EXISTS basin_named_queries ("
                  + "id VARCHAR(64) NOT NULL PRIMARY KEY, "
                  + "workgroup VARCHAR(128) NOT NULL, "
                  + "name VARCHAR(128) NOT NULL, "
                  + "description TEXT, "
                  + "database_name VARCHAR(255) NOT NULL, "
                  + "query_text TEXT NOT NULL, "
                  + "client_token VARCHAR(128), "
                  + "created_at BIGINT NOT NULL)",
              "CREATE INDEX IF NOT EXISTS basin_named_queries_by_workgroup "
                  + "ON basin_named_queries (workgroup, created_at, id)",
              "CREATE UNIQUE INDEX IF NOT EXISTS basin_named_queries_by_token "
                  + "ON basin_named_queries (client_token)",
              "CREATE TABLE IF NOT EXISTS basin_workgroups ("
                  + "name VARCHAR(128) NOT NULL PRIMARY KEY, "
                  + "description TEXT, "
                  + "enabled INTEGER NOT NULL, "
                  + "output_location VARCHAR(2048), "
                  + "bytes_cutoff BIGINT, "
                  + "enforce_config INTEGER NOT NULL, "
                  + "created_at BIGINT NOT NULL)"));

  static final int SCHEMA_VERSION = MIGRATIONS.size();
  private static final String EXECUTION_COLUMNS =
      "id, workgroup, sql_text, statement_type, user_name, database_name, parameters,"
          + " client_token, fingerprint, reuse_enabled, state, state_reason, error_category,"
          + " error_type, error_sqlstate, error_message, error_retryable, submitted_at,"
          + " started_at, completed_at, planning_millis, engine_millis, result_rows,"
          + " bytes_scanned, update_count, output_location, columns_json, data_offset,"
          + " result_bytes, reused_from";

  private final JdbcStore store;

  private QueryStore(String url, Properties properties) {
    this.store =
        JdbcStore.builder(url, new Errors(url))
            .properties(properties)
            .retryReads(true)
            .onConstraintViolation(ConstraintViolation::new)
            .build();
  }

  /**
   * Opens the store in the catalog's metadata database and brings its schema up to date.
   *
   * @throws BasinException {@link QueryErrorCode#METADATA_STORE_FAILURE} if the database cannot be
   *     reached or was written by a newer Basin
   */
  static QueryStore open(CatalogConfig config) {
    Properties p = config.storeProperties("NORMAL");
    QueryStore store = new QueryStore(config.jdbcUrl(), p);
    try {
      store.migrate();
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
    return store;
  }

  private void migrate() {
    store.migrate("basin_query_schema", MIGRATIONS);
  }

  // ------------------------------------------------------------------ executions

  /**
   * Records a new execution.
   *
   * @return false if another execution already holds its client request token
   */
  boolean insertExecution(Run r) {
    try {
      return transaction(
          c -> {
            try (PreparedStatement ps =
                c.prepareStatement(
                    "INSERT INTO basin_query_executions ("
                        + EXECUTION_COLUMNS
                        + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
                        + " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
              int i = 1;
              ps.setString(i++, r.id);
              ps.setString(i++, r.workgroup);
              ps.setString(i++, r.sql);
              ps.setString(i++, r.statementType);
              ps.setString(i++, r.user);
              ps.setString(i++, r.database);
              ps.setString(i++, Json.write(r.parameters));
              ps.setString(i++, r.clientToken);
              ps.setString(i++, r.fingerprint);
              ps.setInt(i++, r.reuseEnabled ? 1 : 0);
              bindEnd(ps, i, r);
              ps.executeUpdate();
            }
            return true;
          });
    } catch (ConstraintViolation e) {
      return false;
    }
  }

  /** Writes a run's state, timings and results (all that changes after the insert). */
  void updateExecution(Run r) {
    transaction(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE basin_query_executions SET state = ?, state_reason = ?,"
                      + " error_category = ?, error_type = ?, error_sqlstate = ?,"
                      + " error_message = ?, error_retryable = ?, submitted_at = ?,"
                      + " started_at = ?, completed_at = ?, planning_millis = ?,"
                      + " engine_millis = ?, result_rows = ?, bytes_scanned = ?,"
                      + " update_count = ?, output_location = ?, columns_json = ?,"
                      + " data_offset = ?, result_bytes = ?, reused_from = ? WHERE id = ?")) {
            int i = bindEnd(ps, 1, r);
            ps.setString(i, r.id);
            ps.executeUpdate();
          }
          return null;
        });
  }

  private static int bindEnd(PreparedStatement ps, int i, Run r) throws SQLException {
    QueryExecution e = r.snapshot();
    ps.setString(i++, e.state().name());
    ps.setString(i++, e.stateChangeReason());
    QueryError err = e.error();
    setInt(ps, i++, err == null ? null : err.category());
    setInt(ps, i++, err == null ? null : err.type());
    ps.setString(i++, err == null ? null : err.sqlState());
    ps.setString(i++, err == null ? null : err.message());
    setInt(ps, i++, err == null ? null : err.retryable() ? 1 : 0);
    ps.setLong(i++, e.submittedAt().toEpochMilli());
    setLong(ps, i++, e.startedAt() == null ? null : e.startedAt().toEpochMilli());
    setLong(ps, i++, e.completedAt() == null ? null : e.completedAt().toEpochMilli());
    ps.setLong(i++, e.planningMillis());
    ps.setLong(i++, e.engineMillis());
    ps.setLong(i++, e.rows());
    ps.setLong(i++, e.bytesScanned());
    ps.setLong(i++, e.updateCount());
    ps.setString(i++, r.outputLocation());
    ps.setString(i++, Json.write(r.columns()));
    ps.setLong(i++, r.dataOffset());
    ps.setLong(i++, r.resultBytes());
    ps.setString(i++, e.reusedFrom());
    return i;
  }

  /** The execution, or null. */
  Run loadExecution(String id) {
    return read(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT " + EXECUTION_COLUMNS + " FROM basin_query_executions WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
              return rs.next() ? run(rs) : null;
            }
          }
        });
  }

  /** The execution holding a client request token, or null. */
  Run loadExecutionByToken(String token) {
    return read(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT "
                      + EXECUTION_COLUMNS
                      + " FROM basin_query_executions WHERE client_token = ?")) {
            ps.setString(1, token);
            try (ResultSet rs = ps.executeQuery()) {
              return rs.next() ? run(rs) : null;
            }
          }
        });
  }

  /**
   * Executions newest first, optionally of one workgroup and in one state, continuing after {@code
   * after}.
   */
  List<Run> listExecutions(
      String workgroup, QueryState state, PageTokens.HistoryPosition after, int limit) {
    StringBuilder sql =
        new StringBuilder("SELECT " + EXECUTION_COLUMNS + " FROM basin_query_executions WHERE 1=1");
    List<Object> args = new ArrayList<>();
    if (workgroup != null) {
      sql.append(" AND workgroup = ?");
      args.add(workgroup);
    }
    if (state != null) {
      sql.append(" AND state = ?");
      args.add(state.name());
    }
    if (after != null) {
      sql.append(" AND (submitted_at < ? OR (submitted_at = ? AND id < ?))");
      args.add(after.submittedMillis());
      args.add(after.submittedMillis());
      args.add(after.executionId());
    }
    sql.append(" ORDER BY submitted_at DESC, id DESC LIMIT ").append(limit);
    return read(
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
            bind(ps, args);
            List<Run> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                out.add(run(rs));
              }
            }
            return out;
          }
        });
  }

  /**
   * Marks executions that were queued or running when the previous server stopped as failed.
   *
   * @return how many were marked
   */
  int failInterrupted(Instant now, String reason) {
    return transaction(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE basin_query_executions SET state = 'FAILED', state_reason = ?,"
                      + " error_category = 1, error_type = 100, error_sqlstate = 'XX000',"
                      + " error_message = ?, error_retryable = 1, completed_at = ?"
                      + " WHERE state IN ('QUEUED', 'RUNNING')")) {
            ps.setString(1, reason);
            ps.setString(2, reason);
            ps.setLong(3, now.toEpochMilli());
            return ps.executeUpdate();
          }
        });
  }

  long countExecutions(String workgroup) {
    return count("SELECT COUNT(*) FROM basin_query_executions WHERE workgroup = ?", workgroup);
  }

  // ------------------------------------------------------------------ result cache

  /** The execution whose result answers {@code key}, if recorded at or after {@code since}. */
  String cachedExecution(String key, Instant since) {
    return read(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT execution_id FROM basin_query_cache"
                      + " WHERE cache_key = ? AND created_at >= ?")) {
            ps.setString(1, key);
            ps.setLong(2, since.toEpochMilli());
            try (ResultSet rs = ps.executeQuery()) {
              return rs.next() ? rs.getString(1) : null;
            }
          }
        });
  }

  /** Records (or replaces) the execution that answers {@code key}. */
  void putCache(String key, String executionId, String workgroup, Instant now) {
    transaction(
        c -> {
          try (PreparedStatement del =
              c.prepareStatement("DELETE FROM basin_query_cache WHERE cache_key = ?")) {
            del.setString(1, key);
            del.executeUpdate();
          }
          try (PreparedStatement ins =
              c.prepareStatement(
                  "INSERT INTO basin_query_cache (cache_key, execution_id, workgroup, created_at)"
                      + " VALUES (?, ?, ?, ?)")) {
            ins.setString(1, key);
            ins.setString(2, executionId);
            ins.setString(3, workgroup);
            ins.setLong(4, now.toEpochMilli());
            ins.executeUpdate();
          }
          return null;
        });
  }

  void removeCache(String key) {
    transaction(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement("DELETE FROM basin_query_cache WHERE cache_key = ?")) {
            ps.setString(1, key);
            ps.executeUpdate();
          }
          return null;
        });
  }

  // ------------------------------------------------------------------ named queries

  /**
   * Saves a named query.
   *
   * @return false if another named query already holds the client request token
   */
  boolean insertNamedQuery(NamedQuery q, String token) {
    try {
      return transaction(
          c -> {
            try (PreparedStatement ps =
                c.prepareStatement(
                    "INSERT INTO basin_named_queries (id, workgroup, name, description,"
                        + " database_name, query_text, client_token, created_at)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
              ps.setString(1, q.id());
              ps.setString(2, q.workgroup());
              ps.setString(3, q.name());
              ps.setString(4, q.description());
              ps.setString(5, q.database());
              ps.setString(6, q.queryString());
              ps.setString(7, token);
              ps.setLong(8, q.createdAt().toEpochMilli());
              ps.executeUpdate();
            }
            return true;
          });
    } catch (ConstraintViolation e) {
      return false;
    }
  }

  NamedQuery loadNamedQuery(String id) {
    return oneNamed("id = ?", id);
  }

  NamedQuery loadNamedQueryByToken(String token) {
    return oneNamed("client_token = ?", token);
  }

  private NamedQuery oneNamed(String where, String arg) {
    return read(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT id, name, description, database_name, query_text, workgroup, created_at"
                      + " FROM basin_named_queries WHERE "
                      + where)) {
            ps.setString(1, arg);
            try (ResultSet rs = ps.executeQuery()) {
              return rs.next() ? named(rs) : null;
            }
          }
        });
  }

  List<NamedQuery> listNamedQueries(String workgroup, int offset, int limit) {
    return read(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT id, name, description, database_name, query_text, workgroup, created_at"
                      + " FROM basin_named_queries WHERE workgroup = ?"
                      + " ORDER BY created_at, id LIMIT ? OFFSET ?")) {
            ps.setString(1, workgroup);
            ps.setInt(2, limit);
            ps.setInt(3, offset);
            List<NamedQuery> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                out.add(named(rs));
              }
            }
            return out;
          }
        });
  }

  void updateNamedQuery(NamedQuery q) {
    transaction(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE basin_named_queries SET name = ?, description = ?, query_text = ?"
                      + " WHERE id = ?")) {
            ps.setString(1, q.name());
            ps.setString(2, q.description());
            ps.setString(3, q.queryString());
            ps.setString(4, q.id());
            ps.executeUpdate();
          }
          return null;
        });
  }

  boolean deleteNamedQuery(String id) {
    return transaction(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement("DELETE FROM basin_named_queries WHERE id = ?")) {
            ps.setString(1, id);
            return ps.executeUpdate() > 0;
          }
        });
  }

  long countNamedQueries(String workgroup) {
    return count("SELECT COUNT(*) FROM basin_named_queries WHERE workgroup = ?", workgroup);
  }

  // ------------------------------------------------------------------ workgroups

  /**
   * Creates a workgroup.
   *
   * @return false if it exists
   */
  boolean insertWorkGroup(WorkGroup w) {
    try {
      return transaction(
          c -> {
            try (PreparedStatement ps =
                c.prepareStatement(
                    "INSERT INTO basin_workgroups (name, description, enabled, output_location,"
                        + " bytes_cutoff, enforce_config, created_at)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?)")) {
              ps.setString(1, w.name());
              ps.setString(2, w.description());
              ps.setInt(3, w.enabled() ? 1 : 0);
              ps.setString(4, w.outputLocation());
              setLong(ps, 5, w.bytesScannedCutoffPerQuery());
              ps.setInt(6, w.enforceConfiguration() ? 1 : 0);
              ps.setLong(7, w.createdAt().toEpochMilli());
              ps.executeUpdate();
            }
            return true;
          });
    } catch (ConstraintViolation e) {
      return false;
    }
  }

  WorkGroup loadWorkGroup(String name) {
    return read(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT name, description, enabled, output_location, bytes_cutoff,"
                      + " enforce_config, created_at FROM basin_workgroups WHERE name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
              return rs.next() ? workGroup(rs) : null;
            }
          }
        });
  }

  List<WorkGroup> listWorkGroups(int offset, int limit) {
    return read(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT name, description, enabled, output_location, bytes_cutoff,"
                      + " enforce_config, created_at FROM basin_workgroups"
                      + " ORDER BY name LIMIT ? OFFSET ?")) {
            ps.setInt(1, limit);
            ps.setInt(2, offset);
            List<WorkGroup> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                out.add(workGroup(rs));
              }
            }
            return out;
          }
        });
  }

  void updateWorkGroup(WorkGroup w) {
    transaction(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE basin_workgroups SET description = ?, enabled = ?, output_location = ?,"
                      + " bytes_cutoff = ?, enforce_config = ? WHERE name = ?")) {
            ps.setString(1, w.description());
            ps.setInt(2, w.enabled() ? 1 : 0);
            ps.setString(3, w.outputLocation());
            setLong(ps, 4, w.bytesScannedCutoffPerQuery());
            ps.setInt(5, w.enforceConfiguration() ? 1 : 0);
            ps.setString(6, w.name());
            ps.executeUpdate();
          }
          return null;
        });
  }

  /** Deletes a workgroup with its named queries, history and cache entries, in one transaction. */
  boolean deleteWorkGroup(String name) {
    return transaction(
        c -> {
          for (String sql :
              List.of(
                  "DELETE FROM basin_named_queries WHERE workgroup = ?",
                  "DELETE FROM basin_query_cache WHERE workgroup = ?",
                  "DELETE FROM basin_query_executions WHERE workgroup = ?")) {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
              ps.setString(1, name);
              ps.executeUpdate();
            }
          }
          try (PreparedStatement ps =
              c.prepareStatement("DELETE FROM basin_workgroups WHERE name = ?")) {
            ps.setString(1, name);
            return ps.executeUpdate() > 0;
          }
        });
  }

  // ------------------------------------------------------------------ row mapping

  private static Run run(ResultSet rs) throws SQLException {
    List<String> params = readJson(rs.getString("parameters"), new TypeReference<>() {});
    Run r =
        new Run(
            rs.getString("id"),
            rs.getString("sql_text"),
            rs.getString("statement_type"),
            rs.getString("workgroup"),
            rs.getString("database_name"),
            rs.getString("user_name"),
            params == null ? List.of() : params,
            rs.getString("client_token"),
            rs.getString("fingerprint"),
            rs.getInt("reuse_enabled") != 0,
            Instant.ofEpochMilli(rs.getLong("submitted_at")),
            rs.getString("output_location"),
            null);
    QueryError error = null;
    if (rs.getString("error_message") != null) {
      error =
          new QueryError(
              rs.getInt("error_category"),
              rs.getInt("error_type"),
              rs.getString("error_sqlstate"),
              rs.getString("error_message"),
              rs.getInt("error_retryable") != 0);
    }
    r.restore(
        QueryState.valueOf(rs.getString("state")),
        rs.getString("state_reason"),
        error,
        instant(rs, "started_at"),
        instant(rs, "completed_at"),
        rs.getLong("planning_millis"),
        rs.getLong("engine_millis"));
    List<ResultColumn> columns = readJson(rs.getString("columns_json"), new TypeReference<>() {});
    r.results(
        columns == null ? List.of() : columns,
        rs.getLong("result_rows"),
        rs.getLong("data_offset"),
        rs.getLong("result_bytes"),
        rs.getLong("bytes_scanned"),
        rs.getLong("update_count"),
        rs.getString("output_location"),
        rs.getString("reused_from"));
    return r;
  }

  private static NamedQuery named(ResultSet rs) throws SQLException {
    return new NamedQuery(
        rs.getString(1),
        rs.getString(2),
        rs.getString(3),
        rs.getString(4),
        rs.getString(5),
        rs.getString(6),
        Instant.ofEpochMilli(rs.getLong(7)));
  }

  private static WorkGroup workGroup(ResultSet rs) throws SQLException {
    long cutoff = rs.getLong(5);
    Long cut = rs.wasNull() ? null : cutoff;
    return new WorkGroup(
        rs.getString(1),
        rs.getString(2),
        rs.getInt(3) != 0,
        rs.getString(4),
        cut,
        rs.getInt(6) != 0,
        Instant.ofEpochMilli(rs.getLong(7)));
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    long v = rs.getLong(column);
    return rs.wasNull() ? null : Instant.ofEpochMilli(v);
  }

  private static <T> T readJson(String json, TypeReference<T> type) {
    if (json == null) {
      return null;
    }
    try {
      return Json.mapper().readValue(json, type);
    } catch (IOException e) {
      throw new BasinException(
          QueryErrorCode.METADATA_STORE_FAILURE, "unreadable query history row: " + e, e);
    }
  }

  private static void setInt(PreparedStatement ps, int i, Integer v) throws SQLException {
    if (v == null) {
      ps.setNull(i, Types.INTEGER);
    } else {
      ps.setInt(i, v);
    }
  }

  private static void setLong(PreparedStatement ps, int i, Long v) throws SQLException {
    if (v == null) {
      ps.setNull(i, Types.BIGINT);
    } else {
      ps.setLong(i, v);
    }
  }

  private static void bind(PreparedStatement ps, List<Object> args) throws SQLException {
    for (int i = 0; i < args.size(); i++) {
      Object a = args.get(i);
      if (a instanceof Long l) {
        ps.setLong(i + 1, l);
      } else {
        ps.setString(i + 1, (String) a);
      }
    }
  }

  private long count(String sql, String arg) {
    return read(
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, arg);
            try (ResultSet rs = ps.executeQuery()) {
              rs.next();
              return rs.getLong(1);
            }
          }
        });
  }

  // ------------------------------------------------------------------ connections

  /** A unique or primary-key violation, raised out of {@link #transaction} without retrying. */
  static final class ConstraintViolation extends RuntimeException {
    ConstraintViolation(SQLException cause) {
      super(cause);
    }
  }

  private <T> T transaction(JdbcStore.Work<T> work) {
    return store.transaction(work);
  }

  private <T> T read(JdbcStore.Work<T> work) {
    return store.read(work);
  }

  @Override
  public void close() {
    store.close();
  }

  private record Errors(String url) implements JdbcStore.Errors {
    @Override
    public BasinException failure(SQLException e) {
      return new BasinException(
          QueryErrorCode.METADATA_STORE_FAILURE,
          "metadata database " + url + " failed: " + (e == null ? "busy" : e.getMessage()),
          e);
    }

    @Override
    public BasinException closed() {
      return new BasinException(QueryErrorCode.SHUT_DOWN, "the query service is shut down");
    }

    @Override
    public BasinException interrupted() {
      return new BasinException(
          QueryErrorCode.METADATA_STORE_FAILURE, "interrupted while retrying a metadata write");
    }

    @Override
    public BasinException newerSchema(int version, int known) {
      return new BasinException(
          QueryErrorCode.METADATA_STORE_FAILURE,
          "the metadata database "
              + url
              + " has query-service schema version "
              + version
              + " but this Basin knows only up to "
              + known
              + "; upgrade Basin");
    }
  }
}
