package dev.basin.common.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.basin.common.error.BasinException;
import dev.basin.common.error.CommonErrorCode;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JdbcStoreTest {

  private static final List<String> STEP_1 =
      List.of("CREATE TABLE steps (step INTEGER NOT NULL)", "INSERT INTO steps VALUES (1)");
  private static final List<String> STEP_2 = List.of("INSERT INTO steps VALUES (2)");
  private static final List<String> STEP_3 =
      List.of("ALTER TABLE steps ADD COLUMN note TEXT", "INSERT INTO steps VALUES (3, 'three')");

  @TempDir Path dir;
  private String url;

  @BeforeEach
  void setUp() {
    url = "jdbc:sqlite:" + dir.resolve("store.db");
  }

  /** SQLite reports a held lock at once instead of waiting, so a conflict shows as a retry. */
  private JdbcStore.Builder builder() {
    Properties p = new Properties();
    p.setProperty("busy_timeout", "0");
    return JdbcStore.builder(url, new TestErrors(url)).properties(p);
  }

  @Test
  void retriesWholeTransactionWhenSqliteIsBusyThenCommits() throws SQLException {
    try (JdbcStore store = builder().build();
        Connection blocker = DriverManager.getConnection(url)) {
      createTable(store);
      blocker.setAutoCommit(false);
      execute(blocker, "INSERT INTO t (id, name) VALUES (1, 'blocker')");
      AtomicInteger attempts = new AtomicInteger();

      String result =
          store.transaction(
              c -> {
                if (attempts.incrementAndGet() == 2) {
                  blocker.commit();
                }
                execute(c, "INSERT INTO t (id, name) VALUES (2, 'attempt " + attempts + "')");
                return "done";
              });

      assertThat(result).isEqualTo("done");
      assertThat(attempts).hasValue(2);
      assertThat(names(store)).containsExactly("blocker", "attempt 2");
    }
  }

  @Test
  void givesUpAfterMaxAttemptsWithCallersFailure() throws SQLException {
    try (JdbcStore store = builder().maxAttempts(3).build();
        Connection blocker = DriverManager.getConnection(url)) {
      createTable(store);
      blocker.setAutoCommit(false);
      execute(blocker, "INSERT INTO t (id, name) VALUES (1, 'blocker')");
      AtomicInteger attempts = new AtomicInteger();

      assertThatThrownBy(
              () ->
                  store.transaction(
                      c -> {
                        attempts.incrementAndGet();
                        execute(c, "INSERT INTO t (id, name) VALUES (2, 'never')");
                        return null;
                      }))
          .isInstanceOf(BasinException.class)
          .hasMessageStartingWith("test database " + url + " failed: ")
          .hasMessageContaining("SQLITE_BUSY")
          .hasCauseInstanceOf(SQLException.class);
      assertThat(attempts).hasValue(3);
      blocker.rollback();
      assertThat(names(store)).isEmpty();
    }
  }

  @Test
  void retriesPostgresSerializationFailure() {
    try (JdbcStore store = builder().build()) {
      AtomicInteger attempts = new AtomicInteger();

      int result =
          store.transaction(
              c -> {
                if (attempts.incrementAndGet() == 1) {
                  throw new SQLException("could not serialize access", "40001");
                }
                return 42;
              });

      assertThat(result).isEqualTo(42);
      assertThat(attempts).hasValue(2);
    }
  }

  @Test
  void doesNotRetryNonTransientFailureAndRollsBack() {
    try (JdbcStore store = builder().build()) {
      createTable(store);
      AtomicInteger attempts = new AtomicInteger();

      assertThatThrownBy(
              () ->
                  store.transaction(
                      c -> {
                        attempts.incrementAndGet();
                        execute(c, "INSERT INTO t (id, name) VALUES (1, 'rolled back')");
                        execute(c, "INSERT INTO missing (id) VALUES (1)");
                        return null;
                      }))
          .isInstanceOf(BasinException.class)
          .hasMessageStartingWith("test database " + url + " failed: ")
          .hasMessageContaining("no such table: missing")
          .satisfies(
              e -> assertThat(((BasinException) e).code()).isEqualTo(CommonErrorCode.INTERNAL));
      assertThat(attempts).hasValue(1);
      assertThat(names(store)).isEmpty();
    }
  }

  @Test
  void uncheckedExceptionFromWorkRollsBackAndPropagates() {
    try (JdbcStore store = builder().build()) {
      createTable(store);
      IllegalStateException boom = new IllegalStateException("boom");

      assertThatThrownBy(
              () ->
                  store.transaction(
                      c -> {
                        execute(c, "INSERT INTO t (id, name) VALUES (1, 'rolled back')");
                        throw boom;
                      }))
          .isSameAs(boom);
      assertThat(names(store)).isEmpty();
    }
  }

  @Test
  void constraintViolationIsAFailureUnlessTheCallerMapsIt() {
    try (JdbcStore plain = builder().build()) {
      createTable(plain);
      insert(plain, 1, "first");
      assertThatThrownBy(() -> insert(plain, 1, "again"))
          .isInstanceOf(BasinException.class)
          .hasMessageContaining("SQLITE_CONSTRAINT");
    }
    AtomicInteger attempts = new AtomicInteger();
    try (JdbcStore mapped =
        builder().onConstraintViolation(e -> new IllegalStateException("taken", e)).build()) {
      assertThatThrownBy(
              () ->
                  mapped.transaction(
                      c -> {
                        attempts.incrementAndGet();
                        execute(c, "INSERT INTO t (id, name) VALUES (1, 'again')");
                        return null;
                      }))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("taken")
          .cause()
          .isInstanceOf(SQLException.class)
          .satisfies(e -> assertThat(JdbcStore.isConstraintViolation((SQLException) e)).isTrue());
      assertThat(attempts).hasValue(1);
      assertThat(names(mapped)).containsExactly("first");
    }
  }

  @Test
  void readRetriesTransientFailureOnlyWhenAskedTo() {
    try (JdbcStore once = builder().build();
        JdbcStore retrying = builder().retryReads(true).build()) {
      AtomicInteger attempts = new AtomicInteger();
      JdbcStore.Work<String> work =
          c -> {
            if (attempts.incrementAndGet() == 1) {
              throw new SQLException("deadlock detected", "40P01");
            }
            return "read";
          };

      assertThatThrownBy(() -> once.read(work))
          .isInstanceOf(BasinException.class)
          .hasMessageEndingWith("failed: deadlock detected");
      assertThat(attempts).hasValue(1);

      attempts.set(0);
      assertThat(retrying.read(work)).isEqualTo("read");
      assertThat(attempts).hasValue(2);
    }
  }

  @Test
  void appliesMissingMigrationsOnceAndInOrder() throws SQLException {
    try (JdbcStore store = builder().build()) {
      store.migrate("test_schema", List.of(STEP_1, STEP_2));
      store.migrate("test_schema", List.of(STEP_1, STEP_2));

      assertThat(steps(store)).containsExactly(1, 2);
      assertThat(version(store)).isEqualTo(2);

      store.migrate("test_schema", List.of(STEP_1, STEP_2, STEP_3));
      store.migrate("test_schema", List.of(STEP_1, STEP_2, STEP_3));

      assertThat(steps(store)).containsExactly(1, 2, 3);
      assertThat(version(store)).isEqualTo(3);
    }
  }

  @Test
  void failedMigrationLeavesNothingBehind() {
    try (JdbcStore store = builder().build()) {
      List<String> broken =
          List.of("CREATE TABLE half (x INTEGER)", "INSERT INTO nowhere VALUES 1");

      assertThatThrownBy(() -> store.migrate("test_schema", List.of(broken)))
          .isInstanceOf(BasinException.class);

      store.migrate("test_schema", List.of(STEP_1));
      assertThat(steps(store)).containsExactly(1);
      boolean half =
          store.read(
              c -> {
                try (ResultSet rs = c.getMetaData().getTables(null, null, "half", null)) {
                  return rs.next();
                }
              });
      assertThat(half).isFalse();
    }
  }

  @Test
  void refusesSchemaWrittenByNewerVersion() throws SQLException {
    try (JdbcStore newer = builder().build()) {
      newer.migrate("test_schema", List.of(STEP_1, STEP_2, STEP_3));
    }
    try (JdbcStore older = builder().build()) {
      assertThatThrownBy(() -> older.migrate("test_schema", List.of(STEP_1, STEP_2)))
          .isInstanceOf(BasinException.class)
          .hasMessage("test database " + url + " has schema version 3; this code knows 2");

      assertThat(steps(older)).containsExactly(1, 2, 3);
      assertThat(version(older)).isEqualTo(3);
    }
  }

  @Test
  void rejectsVersionTableThatIsNotAnIdentifier() {
    try (JdbcStore store = builder().build()) {
      assertThatThrownBy(() -> store.migrate("schema; DROP TABLE t", List.of(STEP_1)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("not a table name: schema; DROP TABLE t");
    }
  }

  @Test
  void closedStoreRefusesWork() {
    JdbcStore store = builder().build();
    createTable(store);
    store.close();
    store.close();

    assertThatThrownBy(() -> store.read(c -> null))
        .isInstanceOf(BasinException.class)
        .hasMessage("test store is closed")
        .satisfies(
            e -> assertThat(((BasinException) e).code()).isEqualTo(CommonErrorCode.UNAVAILABLE));
  }

  private static void createTable(JdbcStore store) {
    store.transaction(
        c -> {
          execute(c, "CREATE TABLE t (id INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL)");
          return null;
        });
  }

  private static void insert(JdbcStore store, int id, String name) {
    store.transaction(
        c -> {
          execute(c, "INSERT INTO t (id, name) VALUES (" + id + ", '" + name + "')");
          return null;
        });
  }

  private static List<Object> names(JdbcStore store) {
    return column(store, "SELECT name FROM t ORDER BY id");
  }

  private static List<Object> steps(JdbcStore store) {
    return column(store, "SELECT step FROM steps ORDER BY rowid");
  }

  private static List<Object> column(JdbcStore store, String sql) {
    return store.read(
        c -> {
          List<Object> out = new ArrayList<>();
          try (Statement s = c.createStatement();
              ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
              out.add(rs.getObject(1));
            }
          }
          return out;
        });
  }

  private static int version(JdbcStore store) {
    return store.read(
        c -> {
          try (Statement s = c.createStatement();
              ResultSet rs = s.executeQuery("SELECT version FROM test_schema WHERE id = 1")) {
            assertThat(rs.next()).isTrue();
            return rs.getInt(1);
          }
        });
  }

  private static void execute(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.executeUpdate(sql);
    }
  }

  private record TestErrors(String url) implements JdbcStore.Errors {
    @Override
    public BasinException failure(SQLException e) {
      return new BasinException(
          CommonErrorCode.INTERNAL, "test database " + url + " failed: " + e.getMessage(), e);
    }

    @Override
    public BasinException closed() {
      return new BasinException(CommonErrorCode.UNAVAILABLE, "test store is closed");
    }

    @Override
    public BasinException interrupted() {
      return new BasinException(CommonErrorCode.UNAVAILABLE, "test store interrupted");
    }

    @Override
    public BasinException newerSchema(int version, int known) {
      return new BasinException(
          CommonErrorCode.INTERNAL,
          "test database " + url + " has schema version " + version + "; this code knows " + known);
    }
  }
}
