package dev.basin.common.jdbc;

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
import java.util.Objects;
import java.util.Properties;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Basin's own tables in a JDBC database (SQLite by default, PostgreSQL for several nodes): a small
 * connection pool, transactions retried whole on transient lock conflicts, and schema migrations
 * versioned in a table. The driver is found by URL through {@link DriverManager}, so the caller's
 * module supplies it.
 *
 * <p>A transient conflict is SQLite's {@code SQLITE_BUSY} or {@code SQLITE_LOCKED}, or PostgreSQL's
 * serialization failure ({@code 40001}) or deadlock ({@code 40P01}), anywhere in the cause chain.
 * Every other {@link SQLException} becomes the caller's exception through {@link Errors}.
 *
 * <p>Thread-safe. Connections are opened on demand and at most {@code poolSize} idle ones are kept;
 * a connection whose state is in doubt is closed instead of returned to the pool.
 */
public final class JdbcStore implements AutoCloseable {

  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  /** Work on one connection; its {@link SQLException}s are handled by the store. */
  @FunctionalInterface
  public interface Work<T> {
    T run(Connection connection) throws SQLException;
  }

  /** How the store's failures read to the caller's users. */
  public interface Errors {

    /** A non-transient failure, or the last transient one once the attempts are used up. */
    BasinException failure(SQLException e);

    /** A call made after {@link #close()}. */
    BasinException closed();

    /** The thread was interrupted while waiting to retry. */
    BasinException interrupted();

    /** {@link #migrate} found a schema {@code version} newer than the {@code known} steps. */
    BasinException newerSchema(int version, int known);
  }

  private final String url;
  private final Properties properties;
  private final int poolSize;
  private final int maxAttempts;
  private final boolean retryReads;
  private final Function<SQLException, ? extends RuntimeException> constraintViolation;
  private final Errors errors;
  private final Deque<Connection> idle = new ArrayDeque<>();
  private boolean closed;

  private JdbcStore(Builder b) {
    this.url = b.url;
    this.properties = b.properties;
    this.poolSize = b.poolSize;
    this.maxAttempts = b.maxAttempts;
    this.retryReads = b.retryReads;
    this.constraintViolation = b.constraintViolation;
    this.errors = b.errors;
  }

  /**
   * Starts a store for the database at {@code url}; no connection is opened until the first call.
   */
  public static Builder builder(String url, Errors errors) {
    return new Builder(url, errors);
  }

  /** The store's settings; each has a default. */
  public static final class Builder {
    private final String url;
    private final Errors errors;
    private Properties properties = new Properties();
    private int poolSize = 4;
    private int maxAttempts = 20;
    private boolean retryReads;
    private Function<SQLException, ? extends RuntimeException> constraintViolation;

    private Builder(String url, Errors errors) {
      this.url = Objects.requireNonNull(url, "url");
      this.errors = Objects.requireNonNull(errors, "errors");
    }

    /** Passed to the driver for every new connection (user, password, SQLite pragmas). */
    public Builder properties(Properties properties) {
      this.properties = Objects.requireNonNull(properties, "properties");
      return this;
    }

    /** How many idle connections are kept; default 4. */
    public Builder poolSize(int poolSize) {
      if (poolSize < 0) {
        throw new IllegalArgumentException("poolSize must be >= 0: " + poolSize);
      }
      this.poolSize = poolSize;
      return this;
    }

    /** How many times work is tried when it meets a transient conflict; default 20. */
    public Builder maxAttempts(int maxAttempts) {
      if (maxAttempts < 1) {
        throw new IllegalArgumentException("maxAttempts must be >= 1: " + maxAttempts);
      }
      this.maxAttempts = maxAttempts;
      return this;
    }

    /** Whether {@link #read} is retried on a transient conflict like a transaction; default no. */
    public Builder retryReads(boolean retryReads) {
      this.retryReads = retryReads;
      return this;
    }

    /**
     * Makes a primary-key or unique violation in a transaction throw {@code exception} (after
     * rolling back, without retrying) instead of {@link Errors#failure}; default none.
     */
    public Builder onConstraintViolation(
        Function<SQLException, ? extends RuntimeException> exception) {
      this.constraintViolation = Objects.requireNonNull(exception, "exception");
      return this;
    }

    public JdbcStore build() {
      return new JdbcStore(this);
    }
  }

  /**
   * Runs {@code work} in one transaction and commits it, retrying it whole (after a short, growing
   * pause) on a transient lock conflict. On any failure the transaction is rolled back.
   *
   * @throws BasinException from {@link Errors} on a failure, or if closed or interrupted; an
   *     unchecked exception thrown by {@code work} is rethrown as is
   */
  public <T> T transaction(Work<T> work) {
    SQLException last = null;
    for (int attempt = 1; attempt <= maxAttempts; attempt++) {
      Connection c = borrow();
      boolean healthy = true;
      try {
        c.setAutoCommit(false);
        T result = work.run(c);
        c.commit();
        return result;
      } catch (SQLException e) {
        rollbackQuietly(c);
        if (constraintViolation != null && isConstraintViolation(e)) {
          throw constraintViolation.apply(e);
        }
        if (!isTransient(e)) {
          healthy = isValid(c);
          throw errors.failure(e);
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
      pause(attempt);
    }
    throw errors.failure(last);
  }

  /**
   * Runs {@code work} in autocommit mode (each statement consistent on its own), retried on a
   * transient conflict only if the store was built with {@link Builder#retryReads}.
   *
   * @throws BasinException from {@link Errors} on a failure, or if closed or interrupted
   */
  public <T> T read(Work<T> work) {
    SQLException last = null;
    for (int attempt = 1; attempt <= maxAttempts; attempt++) {
      Connection c = borrow();
      boolean healthy = true;
      try {
        c.setAutoCommit(true);
        return work.run(c);
      } catch (SQLException e) {
        if (!retryReads || !isTransient(e)) {
          healthy = isValid(c);
          throw errors.failure(e);
        }
        last = e;
      } finally {
        release(c, healthy);
      }
      pause(attempt);
    }
    throw errors.failure(last);
  }

  /**
   * Brings the schema up to date in one transaction: step {@code i} of {@code migrations} (its
   * statements in order) takes the schema from version {@code i} to {@code i + 1}, and the version
   * reached is recorded in the row {@code id = 1} of {@code versionTable} (created if missing).
   * Steps already applied are not run again.
   *
   * @throws BasinException {@link Errors#newerSchema} if the database records a version beyond the
   *     steps given (written by a newer Basin), else as {@link #transaction}
   * @throws IllegalArgumentException if {@code versionTable} is not a plain SQL identifier
   */
  public void migrate(String versionTable, List<List<String>> migrations) {
    if (versionTable == null || !IDENTIFIER.matcher(versionTable).matches()) {
      throw new IllegalArgumentException("not a table name: " + versionTable);
    }
    int known = migrations.size();
    transaction(
        c -> {
          try (Statement s = c.createStatement()) {
            s.executeUpdate(
                "CREATE TABLE IF NOT EXISTS "
                    + versionTable
                    + " (id INTEGER NOT NULL PRIMARY KEY, version INTEGER NOT NULL)");
          }
          int version = 0;
          boolean recorded = false;
          try (Statement s = c.createStatement();
              ResultSet rs =
                  s.executeQuery("SELECT version FROM " + versionTable + " WHERE id = 1")) {
            if (rs.next()) {
              version = rs.getInt(1);
              recorded = true;
            }
          }
          if (version > known) {
            throw errors.newerSchema(version, known);
          }
          if (version == known) {
            return null;
          }
          try (Statement s = c.createStatement()) {
            for (int v = version; v < known; v++) {
              for (String sql : migrations.get(v)) {
                s.executeUpdate(sql);
              }
            }
          }
          String sql =
              recorded
                  ? "UPDATE " + versionTable + " SET version = ? WHERE id = 1"
                  : "INSERT INTO " + versionTable + " (id, version) VALUES (1, ?)";
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setInt(1, known);
            ps.executeUpdate();
          }
          return null;
        });
  }

  /** Whether an exception is a primary-key or unique violation (SQL state class 23 or SQLite's). */
  public static boolean isConstraintViolation(SQLException e) {
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
        if (s.getClass().getName().startsWith("org.sqlite") && (code == 5 || code == 6)) {
          return true;
        }
      }
    }
    return false;
  }

  private void pause(int attempt) {
    try {
      Thread.sleep(Math.min(200, 5L * attempt * attempt));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw errors.interrupted();
    }
  }

  private Connection borrow() {
    synchronized (idle) {
      if (closed) {
        throw errors.closed();
      }
      Connection c = idle.pollFirst();
      if (c != null) {
        return c;
      }
    }
    try {
      return DriverManager.getConnection(url, properties);
    } catch (SQLException e) {
      throw errors.failure(e);
    }
  }

  private void release(Connection c, boolean healthy) {
    synchronized (idle) {
      if (!closed && healthy && idle.size() < poolSize) {
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

  /**
   * Closes the idle connections; connections in use are closed when released. Later calls throw
   * {@link Errors#closed}. Idempotent.
   */
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
