package dev.basin.server.auth;

import static dev.basin.common.jdbc.JdbcStatements.query;
import static dev.basin.common.jdbc.JdbcStatements.update;

import dev.basin.catalog.CatalogConfig;
import dev.basin.common.jdbc.JdbcStore;
import dev.basin.common.jdbc.ServiceErrors;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * The users table in the metadata database (the catalog's JDBC database), in the SQL subset SQLite
 * and PostgreSQL share; the schema is versioned in {@code basin_users_schema}. Knows nothing of the
 * rules for names and passwords ({@link Users} checks them). Thread-safe; each call is one
 * transaction.
 */
final class UserStore implements AutoCloseable {
  private static final List<List<String>> MIGRATIONS =
      List.of(
          List.of(
              "CREATE TABLE IF NOT EXISTS basin_users ("
                  + "name VARCHAR(64) NOT NULL PRIMARY KEY, "
                  + "role VARCHAR(16) NOT NULL, "
                  + "password_hash VARCHAR(255) NOT NULL, "
                  + "created_at BIGINT NOT NULL, "
                  + "created_by VARCHAR(255) NOT NULL, "
                  + "disabled INTEGER NOT NULL, "
                  + "updated_at BIGINT NOT NULL)"));

  private static final String COLUMNS =
      "name, role, password_hash, created_at, created_by, disabled";

  /** A row: the user and its stored password hash. */
  record StoredUser(User user, String passwordHash) {}

  private final JdbcStore store;

  private UserStore(JdbcStore store) {
    this.store = store;
  }

  /** Opens the store in the catalog's metadata database and brings its schema up to date. */
  static UserStore open(CatalogConfig config) {
    Properties p = config.storeProperties("FULL");
    UserStore s =
        new UserStore(
            JdbcStore.builder(
                    config.jdbcUrl(),
                    new ServiceErrors(
                        config.jdbcUrl(),
                        "user store",
                        UserErrorCode.USER_STORE_FAILURE,
                        UserErrorCode.USER_STORE_SHUT_DOWN))
                .properties(p)
                .build());
    try {
      s.store.migrate("basin_users_schema", MIGRATIONS);
    } catch (RuntimeException e) {
      s.close();
      throw e;
    }
    return s;
  }

  /** Inserts a user; returns false (and changes nothing) if the name is taken. */
  boolean insert(User u, String passwordHash) {
    return store.transaction(
        c -> {
          if (!query(c, "SELECT 1 FROM basin_users WHERE name = ?", rs -> 1, u.name()).isEmpty()) {
            return false;
          }
          update(
              c,
              "INSERT INTO basin_users (" + COLUMNS + ", updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
              u.name(),
              u.role().name(),
              passwordHash,
              u.createdAt().toEpochMilli(),
              u.createdBy(),
              u.disabled() ? 1 : 0,
              u.createdAt().toEpochMilli());
          return true;
        });
  }

  Optional<StoredUser> find(String name) {
    return store
        .read(
            c ->
                query(
                    c,
                    "SELECT " + COLUMNS + " FROM basin_users WHERE name = ?",
                    UserStore::row,
                    name))
        .stream()
        .findFirst();
  }

  List<User> list() {
    return store.read(
        c ->
            query(c, "SELECT " + COLUMNS + " FROM basin_users ORDER BY name", UserStore::row)
                .stream()
                .map(StoredUser::user)
                .toList());
  }

  /** Sets one column of a user; returns false if there is no such user. */
  boolean set(String name, String column, Object value, Instant now) {
    if (!List.of("role", "password_hash", "disabled").contains(column)) {
      throw new IllegalArgumentException("not an updatable column: " + column);
    }
    return store.transaction(
        c ->
            update(
                    c,
                    "UPDATE basin_users SET " + column + " = ?, updated_at = ? WHERE name = ?",
                    value,
                    now.toEpochMilli(),
                    name)
                > 0);
  }

  boolean delete(String name) {
    return store.transaction(c -> update(c, "DELETE FROM basin_users WHERE name = ?", name) > 0);
  }

  private static StoredUser row(ResultSet rs) throws SQLException {
    return new StoredUser(
        new User(
            rs.getString(1),
            Role.valueOf(rs.getString(2)),
            Instant.ofEpochMilli(rs.getLong(4)),
            rs.getString(5),
            rs.getInt(6) != 0),
        rs.getString(3));
  }

  @Override
  public void close() {
    store.close();
  }
}
