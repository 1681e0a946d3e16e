package dev.basin.catalog;

import dev.basin.common.error.BasinException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Properties;

/**
 * Basin's own catalog tables (external tables, their versions and partitions) in the same JDBC
 * database as Iceberg's catalog tables. The SQL is the subset SQLite and PostgreSQL share. The
 * schema is versioned: {@link #migrate()} applies the missing steps in one transaction and refuses
 * a database written by a newer Basin.
 *
 * <p>Thread-safe: connections come from a small pool; every write runs in its own transaction and
 * is retried when SQLite reports the database busy or PostgreSQL a serialization failure.
 */
final class MetadataDatabase implements AutoCloseable {

  /** The statements that bring the schema from version i to i + 1. */
  private static final List<List<String>> MIGRATIONS =
      List.of(
          List.of(
              "CREATE TABLE IF NOT EXISTS basin_external_tables ("
                  + "database_name VARCHAR(255) NOT NULL, "
                  + "table_name VARCHAR(255) NOT NULL, "
                  + "version_id BIGINT NOT NULL, "
                  + "location VARCHAR(4096) NOT NULL, "
                  + "definition TEXT NOT NULL, "
                  + "create_time BIGINT NOT NULL, "
                  + "update_time BIGINT NOT NULL, "
                  + "PRIMARY KEY (database_name, table_name))",
              "CREATE TABLE IF NOT EXISTS basin_external_table_versions ("
                  + "database_name VARCHAR(255) NOT NULL, "
                  + "table_name VARCHAR(255) NOT NULL, "
                  + "version_id BIGINT NOT NULL, "
                  + "definition TEXT NOT NULL, "
                  + "update_time BIGINT NOT NULL, "
                  + "archive_time BIGINT NOT NULL, "
                  + "PRIMARY KEY (database_name, table_name, version_id))",
              "CREATE TABLE IF NOT EXISTS basin_external_partitions ("
                  + "database_name VARCHAR(255) NOT NULL, "
                  + "table_name VARCHAR(255) NOT NULL, "
                  + "partition_values TEXT NOT NULL, "
                  + "location VARCHAR(4096) NOT NULL, "
                  + "parameters TEXT NOT NULL, "
                  + "create_time BIGINT NOT NULL, "
                  + "update_time BIGINT NOT NULL, "
                  + "PRIMARY KEY (database_name, table_name, partition_values))"));

  static final int SCHEMA_VERSION = MIGRATIONS.size();
  private static final int MAX_ATTEMPTS = 20;
  private static final int POOL_SIZE = 4;

  private final CatalogConfig config;
  private final Properties properties;
  private final Deque<Connection> idle = new ArrayDeque<>();
  private boolean closed;

  MetadataDatabase(CatalogConfig config, Properties properties) {
    this.config = config;
    this.properties = properties;
  }

  @FunctionalInterface
  interface SqlWork<T> {
    T run(Connection connection) throws SQLException;
  }

  /** Runs {@code work} in one transaction, retrying it whole on a transient lock conflict. */
  <T> T transaction(SqlWork<T> work) {
    SQLException last = null;
    for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      Connection c = borrow();
      boolean healthy = true;
      try {
        c.setAutoCommit(false);
        T result = work.run(c);
        c.commit();
        return result;
      } catch (SQLException e) {
        rollbackQuietly(c);
        if (!isTransient(e)) {
          healthy = isValid(c);
          throw failure(e);
        }
        last = e;
      } catch (RuntimeException | Error e) {
        rollbackQuietly(c);
        throw e;
      } finally {
        // Back to autocommit: sqlite-jdbc opens the next transaction right after a commit, and
        // an idle pooled connection must not hold the write lock.
        healthy &= resetAutoCommit(c);
        release(c, healthy);
      }
      sleepBeforeRetry(attempt);
    }
    throw failure(last);
  }

  /** Runs {@code work} outside an explicit transaction (one consistent statement). */
  <T> T read(SqlWork<T> work) {
    Connection c = borrow();
    boolean healthy = true;
    try {
      c.setAutoCommit(true);
      return work.run(c);
    } catch (SQLException e) {
      healthy = isValid(c);
      throw failure(e);
    } finally {
      release(c, healthy);
    }
  }

  void migrate() {
    transaction(
        c -> {
          try (Statement s = c.createStatement()) {
            s.executeUpdate(
                "CREATE TABLE IF NOT EXISTS basin_catalog_schema ("
                    + "id INTEGER NOT NULL PRIMARY KEY, version INTEGER NOT NULL)");
          }
          int version = 0;
          try (PreparedStatement ps =
                  c.prepareStatement("SELECT version FROM basin_catalog_schema WHERE id = 1");
              ResultSet rs = ps.executeQuery()) {
            if (rs.next()) {
              version = rs.getInt(1);
            }
          }
          if (version > SCHEMA_VERSION) {
            throw new BasinException(
                CatalogErrorCode.METADATA_STORE_FAILURE,
                "the catalog database "
                    + config.jdbcUrl()
                    + " has schema version "
                    + version
                    + " but this Basin knows only up to "
                    + SCHEMA_VERSION
                    + "; upgrade Basin");
          }
          for (int v = version; v < SCHEMA_VERSION; v++) {
            try (Statement s = c.createStatement()) {
              for (String sql : MIGRATIONS.get(v)) {
                s.executeUpdate(sql);
              }
            }
          }
          if (version == 0) {
            try (PreparedStatement ps =
                c.prepareStatement(
                    "INSERT INTO basin_catalog_schema (id, version) VALUES (1, ?)")) {
              ps.setInt(1, SCHEMA_VERSION);
              ps.executeUpdate();
            }
          } else if (version < SCHEMA_VERSION) {
            try (PreparedStatement ps =
                c.prepareStatement("UPDATE basin_catalog_schema SET version = ? WHERE id = 1")) {
              ps.setInt(1, SCHEMA_VERSION);
              ps.executeUpdate();
            }
          }
          return null;
        });
  }

  /** Whether an exception is a primary-key or unique violation. */
  static boolean isConstraintViolation(SQLException e) {
    String state = e.getSQLState();
    if (state != null && state.startsWith("23")) {
      return true;
    }
    // sqlite-jdbc reports SQLITE_CONSTRAINT (19) and its extended codes without a SQL state.
    return (e.getErrorCode() & 0xff) == 19
        || (e.getMessage() != null && e.getMessage().contains("SQLITE_CONSTRAINT"));
  }

  private static boolean isTransient(SQLException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException s) {
        String state = s.getSQLState();
        // PostgreSQL: serialization failure, deadlock.
        if ("40001".equals(state) || "40P01".equals(state)) {
          return true;
        }
        int code = s.getErrorCode() & 0xff;
        // SQLite: SQLITE_BUSY (5), SQLITE_LOCKED (6).
        if (isSqlite(s) && (code == 5 || code == 6)) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean isSqlite(SQLException e) {
    return e.getClass().getName().startsWith("org.sqlite");
  }

  private static void sleepBeforeRetry(int attempt) {
    try {
      Thread.sleep(Math.min(200, 5L * attempt * attempt));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BasinException(
          CatalogErrorCode.METADATA_STORE_FAILURE, "interrupted while retrying a catalog write");
    }
  }

  private BasinException failure(SQLException e) {
    return new BasinException(
        CatalogErrorCode.METADATA_STORE_FAILURE,
        "catalog database " + config.jdbcUrl() + " failed: " + e.getMessage(),
        e);
  }

  private Connection borrow() {
    synchronized (idle) {
      if (closed) {
        throw new BasinException(CatalogErrorCode.METADATA_STORE_FAILURE, "the catalog is closed");
      }
      Connection c = idle.pollFirst();
      if (c != null) {
        return c;
      }
    }
    try {
      return DriverManager.getConnection(config.jdbcUrl(), properties);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  private void release(Connection c, boolean healthy) {
    synchronized (idle) {
      if (!closed && healthy && idle.size() < POOL_SIZE) {
        idle.addFirst(c);
        return;
      }
    }
    closeQuietly(c);
  }

  private static boolean resetAutoCommit(Connection c) {
    try {
      c.setAutoCommit(true);
      return true;
    } catch (SQLException e) {
      return false;
    }
  }

  private static boolean isValid(Connection c) {
    try {
      return c.isValid(2);
    } catch (SQLException e) {
      return false;
    }
  }

  private static void rollbackQuietly(Connection c) {
    try {
      c.rollback();
    } catch (SQLException ignored) {
      // The connection is broken; release() will drop it.
    }
  }

  private static void closeQuietly(Connection c) {
    try {
      c.close();
    } catch (SQLException ignored) {
      // Nothing useful can be done about a failing close.
    }
  }

  @Override
  public void close() {
    synchronized (idle) {
      closed = true;
      for (Connection c : idle) {
        closeQuietly(c);
      }
      idle.clear();
    }
  }
}
