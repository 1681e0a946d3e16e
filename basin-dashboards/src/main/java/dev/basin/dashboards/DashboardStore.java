package dev.basin.dashboards;

import static dev.basin.common.jdbc.JdbcStatements.exists;
import static dev.basin.common.jdbc.JdbcStatements.query;
import static dev.basin.common.jdbc.JdbcStatements.update;

import dev.basin.catalog.CatalogConfig;
import dev.basin.common.error.BasinException;
import dev.basin.common.jdbc.JdbcStore;
import dev.basin.common.jdbc.ServiceErrors;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * The dashboards service's tables in the metadata database (the catalog's JDBC database): dataset
 * definitions, dashboards, every saved version of each dashboard document and the metadata of
 * datasets' extracts (their Parquet files live under the lake directory). The SQL is the subset
 * SQLite and PostgreSQL share; the schema is versioned in {@code basin_dash_schema}.
 *
 * <p>Thread-safe; each call is one transaction.
 */
final class DashboardStore implements AutoCloseable {

  private static final List<List<String>> MIGRATIONS =
      List.of(
          List.of(
              "CREATE TABLE IF NOT EXISTS basin_dash_datasets ("
                  + "name VARCHAR(128) NOT NULL PRIMARY KEY, "
                  + "definition TEXT NOT NULL, "
                  + "created_at BIGINT NOT NULL, "
                  + "updated_at BIGINT NOT NULL)",
              "CREATE TABLE IF NOT EXISTS basin_dash_dashboards ("
                  + "id VARCHAR(64) NOT NULL PRIMARY KEY, "
                  + "name VARCHAR(255) NOT NULL, "
                  + "latest_version INTEGER NOT NULL, "
                  + "created_at BIGINT NOT NULL, "
                  + "updated_at BIGINT NOT NULL)",
              "CREATE TABLE IF NOT EXISTS basin_dash_versions ("
                  + "id VARCHAR(64) NOT NULL, "
                  + "version INTEGER NOT NULL, "
                  + "document TEXT NOT NULL, "
                  + "saved_at BIGINT NOT NULL, "
                  + "saved_by VARCHAR(255) NOT NULL, "
                  + "PRIMARY KEY (id, version))"),
          List.of(
              "CREATE TABLE IF NOT EXISTS basin_dash_extracts ("
                  + "dataset VARCHAR(128) NOT NULL PRIMARY KEY, "
                  + "query_sql TEXT NOT NULL, "
                  + "file TEXT, "
                  + "row_count BIGINT NOT NULL, "
                  + "byte_count BIGINT NOT NULL, "
                  + "source_snapshots TEXT NOT NULL, "
                  + "refreshed_at BIGINT NOT NULL, "
                  + "attempted_at BIGINT NOT NULL, "
                  + "duration_ms BIGINT NOT NULL, "
                  + "status VARCHAR(16) NOT NULL, "
                  + "last_error TEXT)"));

  private final JdbcStore store;

  private DashboardStore(String url, Properties properties) {
    this.store =
        JdbcStore.builder(
                url,
                new ServiceErrors(
                    url,
                    "dashboards service",
                    DashboardErrorCode.METADATA_STORE_FAILURE,
                    DashboardErrorCode.SHUT_DOWN))
            .properties(properties)
            .build();
  }

  /** Opens the store in the catalog's metadata database and brings its schema up to date. */
  static DashboardStore open(CatalogConfig config) {
    Properties p = config.storeProperties("FULL");
    DashboardStore s = new DashboardStore(config.jdbcUrl(), p);
    try {
      s.store.migrate("basin_dash_schema", MIGRATIONS);
    } catch (RuntimeException e) {
      s.close();
      throw e;
    }
    return s;
  }

  record StoredDataset(String name, String definition, Instant created, Instant updated) {}

  record StoredVersion(String id, int version, String document, Instant savedAt, String savedBy) {}

  record StoredDashboard(
      String id, String name, int latestVersion, Instant created, Instant updated) {}

  /**
   * The outcome of a dataset's last extract refresh.
   *
   * @param querySql the dataset query (source and calculated fields) the file was built from
   * @param file the current extract file, or null if none was ever built
   * @param sourceSnapshots JSON object {@code {"db.table": version}} of the file's inputs
   * @param refreshedAt when {@code file} was built, or null
   * @param attemptedAt when the last refresh ended (successfully or not)
   * @param status {@code ready} or {@code failed}
   * @param lastError why the last refresh failed, or null
   */
  record StoredExtract(
      String dataset,
      String querySql,
      String file,
      long rows,
      long bytes,
      String sourceSnapshots,
      Instant refreshedAt,
      Instant attemptedAt,
      long durationMs,
      String status,
      String lastError) {}

  /** Inserts or replaces a dataset; returns false if {@code create} and the name exists. */
  boolean putDataset(String name, String definition, boolean create, Instant now) {
    return store.transaction(
        c -> {
          boolean exists = exists(c, "SELECT 1 FROM basin_dash_datasets WHERE name = ?", name);
          if (create && exists) {
            return false;
          }
          if (!create && !exists) {
            throw new BasinException(
                DashboardErrorCode.DATASET_NOT_FOUND,
                "dataset '" + name + "' not found; create it with POST /api/v1/datasets");
          }
          if (exists) {
            update(
                c,
                "UPDATE basin_dash_datasets SET definition = ?, updated_at = ? WHERE name = ?",
                definition,
                now.toEpochMilli(),
                name);
          } else {
            update(
                c,
                "INSERT INTO basin_dash_datasets (name, definition, created_at, updated_at)"
                    + " VALUES (?, ?, ?, ?)",
                name,
                definition,
                now.toEpochMilli(),
                now.toEpochMilli());
          }
          return true;
        });
  }

  Optional<StoredDataset> dataset(String name) {
    return store
        .read(
            c ->
                query(
                    c,
                    "SELECT name, definition, created_at, updated_at FROM basin_dash_datasets"
                        + " WHERE name = ?",
                    DashboardStore::dataset,
                    name))
        .stream()
        .findFirst();
  }

  List<StoredDataset> datasets() {
    return store.read(
        c ->
            query(
                c,
                "SELECT name, definition, created_at, updated_at FROM basin_dash_datasets"
                    + " ORDER BY name",
                DashboardStore::dataset));
  }

  boolean deleteDataset(String name) {
    return store.transaction(
        c -> {
          update(c, "DELETE FROM basin_dash_extracts WHERE dataset = ?", name);
          return update(c, "DELETE FROM basin_dash_datasets WHERE name = ?", name) > 0;
        });
  }

  /**
   * Records a refresh's outcome, in the same transaction checking that the dataset still exists.
   *
   * @return false (nothing written) if the dataset was deleted meanwhile
   */
  boolean putExtract(StoredExtract e) {
    return store.transaction(
        c -> {
          if (!exists(c, "SELECT 1 FROM basin_dash_datasets WHERE name = ?", e.dataset())) {
            return false;
          }
          update(c, "DELETE FROM basin_dash_extracts WHERE dataset = ?", e.dataset());
          update(
              c,
              "INSERT INTO basin_dash_extracts (dataset, query_sql, file, row_count, byte_count,"
                  + " source_snapshots, refreshed_at, attempted_at, duration_ms, status,"
                  + " last_error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
              e.dataset(),
              e.querySql(),
              e.file(),
              e.rows(),
              e.bytes(),
              e.sourceSnapshots(),
              // 0 for "never": a NULL bound as text would not fit a BIGINT on PostgreSQL.
              e.refreshedAt() == null ? 0L : e.refreshedAt().toEpochMilli(),
              e.attemptedAt().toEpochMilli(),
              e.durationMs(),
              e.status(),
              e.lastError());
          return true;
        });
  }

  void deleteExtract(String dataset) {
    store.transaction(c -> update(c, "DELETE FROM basin_dash_extracts WHERE dataset = ?", dataset));
  }

  Optional<StoredExtract> extract(String dataset) {
    return store
        .read(
            c ->
                query(
                    c,
                    "SELECT " + EXTRACT_COLUMNS + " FROM basin_dash_extracts WHERE dataset = ?",
                    DashboardStore::extract,
                    dataset))
        .stream()
        .findFirst();
  }

  List<StoredExtract> extracts() {
    return store.read(
        c ->
            query(
                c,
                "SELECT " + EXTRACT_COLUMNS + " FROM basin_dash_extracts ORDER BY dataset",
                DashboardStore::extract));
  }

  private static final String EXTRACT_COLUMNS =
      "dataset, query_sql, file, row_count, byte_count, source_snapshots, refreshed_at,"
          + " attempted_at, duration_ms, status, last_error";

  private static StoredExtract extract(ResultSet rs) throws SQLException {
    long refreshed = rs.getLong(7);
    Instant refreshedAt = refreshed == 0 ? null : Instant.ofEpochMilli(refreshed);
    return new StoredExtract(
        rs.getString(1),
        rs.getString(2),
        rs.getString(3),
        rs.getLong(4),
        rs.getLong(5),
        rs.getString(6),
        refreshedAt,
        Instant.ofEpochMilli(rs.getLong(8)),
        rs.getLong(9),
        rs.getString(10),
        rs.getString(11));
  }

  /**
   * Saves a new version of a dashboard (version 1 creates it).
   *
   * @param expected the version the caller edited, or null to save over whatever is latest
   * @return the new version number
   */
  int saveVersion(
      String id, String name, String document, Integer expected, String user, Instant now) {
    return store.transaction(
        c -> {
          List<Integer> latest =
              query(
                  c,
                  "SELECT latest_version FROM basin_dash_dashboards WHERE id = ?",
                  rs -> rs.getInt(1),
                  id);
          int current = latest.isEmpty() ? 0 : latest.get(0);
          if (expected != null && expected == 0 && current != 0) {
            throw new BasinException(
                DashboardErrorCode.DASHBOARD_EXISTS,
                "dashboard '"
                    + id
                    + "' already exists (version "
                    + current
                    + "); choose another id, or save a new version with PUT"
                    + " /api/v1/dashboards/"
                    + id
                    + "?expectedVersion="
                    + current);
          }
          if (expected != null && expected != current) {
            throw new BasinException(
                DashboardErrorCode.VERSION_CONFLICT,
                "dashboard '"
                    + id
                    + "' is at version "
                    + current
                    + ", not "
                    + expected
                    + "; reload it, re-apply your changes and save again");
          }
          int next = current + 1;
          if (current == 0) {
            update(
                c,
                "INSERT INTO basin_dash_dashboards (id, name, latest_version, created_at,"
                    + " updated_at) VALUES (?, ?, ?, ?, ?)",
                id,
                name,
                next,
                now.toEpochMilli(),
                now.toEpochMilli());
          } else {
            update(
                c,
                "UPDATE basin_dash_dashboards SET name = ?, latest_version = ?, updated_at = ?"
                    + " WHERE id = ?",
                name,
                next,
                now.toEpochMilli(),
                id);
          }
          update(
              c,
              "INSERT INTO basin_dash_versions (id, version, document, saved_at, saved_by)"
                  + " VALUES (?, ?, ?, ?, ?)",
              id,
              next,
              document,
              now.toEpochMilli(),
              user);
          return next;
        });
  }

  Optional<StoredDashboard> dashboard(String id) {
    return store
        .read(
            c ->
                query(
                    c,
                    "SELECT id, name, latest_version, created_at, updated_at"
                        + " FROM basin_dash_dashboards WHERE id = ?",
                    DashboardStore::dashboard,
                    id))
        .stream()
        .findFirst();
  }

  List<StoredDashboard> dashboards() {
    return store.read(
        c ->
            query(
                c,
                "SELECT id, name, latest_version, created_at, updated_at"
                    + " FROM basin_dash_dashboards ORDER BY name, id",
                DashboardStore::dashboard));
  }

  Optional<StoredVersion> version(String id, int version) {
    return store
        .read(
            c ->
                query(
                    c,
                    "SELECT id, version, document, saved_at, saved_by FROM basin_dash_versions"
                        + " WHERE id = ? AND version = ?",
                    DashboardStore::version,
                    id,
                    version))
        .stream()
        .findFirst();
  }

  /** Every version of a dashboard, newest first (documents included). */
  List<StoredVersion> versions(String id) {
    return store.read(
        c ->
            query(
                c,
                "SELECT id, version, document, saved_at, saved_by FROM basin_dash_versions"
                    + " WHERE id = ? ORDER BY version DESC",
                DashboardStore::version,
                id));
  }

  boolean deleteDashboard(String id) {
    return store.transaction(
        c -> {
          update(c, "DELETE FROM basin_dash_versions WHERE id = ?", id);
          return update(c, "DELETE FROM basin_dash_dashboards WHERE id = ?", id) > 0;
        });
  }

  private static StoredDataset dataset(ResultSet rs) throws SQLException {
    return new StoredDataset(
        rs.getString(1),
        rs.getString(2),
        Instant.ofEpochMilli(rs.getLong(3)),
        Instant.ofEpochMilli(rs.getLong(4)));
  }

  private static StoredDashboard dashboard(ResultSet rs) throws SQLException {
    return new StoredDashboard(
        rs.getString(1),
        rs.getString(2),
        rs.getInt(3),
        Instant.ofEpochMilli(rs.getLong(4)),
        Instant.ofEpochMilli(rs.getLong(5)));
  }

  private static StoredVersion version(ResultSet rs) throws SQLException {
    return new StoredVersion(
        rs.getString(1),
        rs.getInt(2),
        rs.getString(3),
        Instant.ofEpochMilli(rs.getLong(4)),
        rs.getString(5));
  }

  @Override
  public void close() {
    store.close();
  }
}
