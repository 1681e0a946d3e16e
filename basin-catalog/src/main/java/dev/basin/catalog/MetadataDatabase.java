package dev.basin.catalog;

import dev.basin.common.error.BasinException;
import dev.basin.common.jdbc.JdbcStore;
import java.sql.SQLException;
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
                  + "PRIMARY KEY (database_name, table_name, partition_values))"),
          // the crawler (dev.basin.catalog.crawler): definitions, runs, folders it has seen,
          // object-created events waiting for an event-mode crawl
          List.of(
              "CREATE TABLE IF NOT EXISTS basin_crawlers ("
                  + "name VARCHAR(255) NOT NULL, "
                  + "definition TEXT NOT NULL, "
                  + "create_time BIGINT NOT NULL, "
                  + "update_time BIGINT NOT NULL, "
                  + "PRIMARY KEY (name))",
              "CREATE TABLE IF NOT EXISTS basin_crawler_runs ("
                  + "crawler_name VARCHAR(255) NOT NULL, "
                  + "run_id BIGINT NOT NULL, "
                  + "state VARCHAR(32) NOT NULL, "
                  + "start_time BIGINT NOT NULL, "
                  + "end_time BIGINT, "
                  + "run TEXT NOT NULL, "
                  + "PRIMARY KEY (crawler_name, run_id))",
              "CREATE TABLE IF NOT EXISTS basin_crawler_folders ("
                  + "crawler_name VARCHAR(255) NOT NULL, "
                  + "folder VARCHAR(4096) NOT NULL, "
                  + "run_id BIGINT NOT NULL, "
                  + "PRIMARY KEY (crawler_name, folder))",
              "CREATE TABLE IF NOT EXISTS basin_crawler_events ("
                  + "crawler_name VARCHAR(255) NOT NULL, "
                  + "bucket VARCHAR(255) NOT NULL, "
                  + "object_key VARCHAR(4096) NOT NULL, "
                  + "event_time BIGINT NOT NULL, "
                  + "PRIMARY KEY (crawler_name, bucket, object_key))"));

  static final int SCHEMA_VERSION = MIGRATIONS.size();

  private final JdbcStore store;

  MetadataDatabase(CatalogConfig config, Properties properties) {
    this.store =
        JdbcStore.builder(config.jdbcUrl(), new Errors(config.jdbcUrl()))
            .properties(properties)
            .build();
  }

  /** Runs {@code work} in one transaction, retrying it whole on a transient lock conflict. */
  <T> T transaction(JdbcStore.Work<T> work) {
    return store.transaction(work);
  }

  /** Runs {@code work} outside an explicit transaction (one consistent statement). */
  <T> T read(JdbcStore.Work<T> work) {
    return store.read(work);
  }

  void migrate() {
    store.migrate("basin_catalog_schema", MIGRATIONS);
  }

  /** Whether an exception is a primary-key or unique violation. */
  static boolean isConstraintViolation(SQLException e) {
    return JdbcStore.isConstraintViolation(e);
  }

  @Override
  public void close() {
    store.close();
  }

  private record Errors(String url) implements JdbcStore.Errors {
    @Override
    public BasinException failure(SQLException e) {
      return new BasinException(
          CatalogErrorCode.METADATA_STORE_FAILURE,
          "catalog database " + url + " failed: " + e.getMessage(),
          e);
    }

    @Override
    public BasinException closed() {
      return new BasinException(CatalogErrorCode.METADATA_STORE_FAILURE, "the catalog is closed");
    }

    @Override
    public BasinException interrupted() {
      return new BasinException(
          CatalogErrorCode.METADATA_STORE_FAILURE, "interrupted while retrying a catalog write");
    }

    @Override
    public BasinException newerSchema(int version, int known) {
      return new BasinException(
          CatalogErrorCode.METADATA_STORE_FAILURE,
          "the catalog database "
              + url
              + " has schema version "
              + version
              + " but this Basin knows only up to "
              + known
              + "; upgrade Basin");
    }
  }
}
