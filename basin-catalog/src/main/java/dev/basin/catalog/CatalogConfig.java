package dev.basin.catalog;

import java.nio.file.Path;
import java.util.Properties;

/**
 * Where the catalog keeps its metadata and its tables.
 *
 * @param jdbcUrl the metadata database, e.g. {@code jdbc:sqlite:/data/meta/basin.db} or {@code
 *     jdbc:postgresql://host:5432/basin}
 * @param jdbcUser the database user, or null (SQLite needs none)
 * @param jdbcPassword the database password, or null
 * @param warehouse where tables of databases without a {@code location} go; {@value
 *     #DEFAULT_WAREHOUSE} when null or blank
 */
public record CatalogConfig(
    String jdbcUrl, String jdbcUser, String jdbcPassword, String warehouse) {

  public static final String DEFAULT_WAREHOUSE = "s3://curated/warehouse";

  public CatalogConfig {
    if (jdbcUrl == null || !jdbcUrl.startsWith("jdbc:")) {
      throw new IllegalArgumentException(
          "catalog JDBC URL must start with 'jdbc:' (e.g. jdbc:sqlite:/data/meta/basin.db), was "
              + jdbcUrl);
    }
    warehouse = warehouse == null || warehouse.isBlank() ? DEFAULT_WAREHOUSE : warehouse;
    S3Location.parse(warehouse);
  }

  /** The embedded default: SQLite at {@code dataDir/meta/basin.db}, the default warehouse. */
  public static CatalogConfig sqlite(Path dataDir) {
    return new CatalogConfig(
        "jdbc:sqlite:" + dataDir.resolve("meta").resolve("basin.db").toAbsolutePath(),
        null,
        null,
        DEFAULT_WAREHOUSE);
  }

  /**
   * JDBC connection properties for a service's store in the metadata database: the credentials and,
   * on SQLite, the pragmas every store needs — WAL (readers beside the one writer), a 30 s busy
   * timeout (a second writer waits instead of failing) and IMMEDIATE transactions (two
   * read-then-write transactions cannot deadlock on lock upgrade).
   *
   * @param synchronous SQLite's {@code synchronous} level: {@code FULL} when a commit must survive
   *     a power loss, {@code NORMAL} when losing the last commits to one is acceptable
   */
  public Properties storeProperties(String synchronous) {
    Properties p = new Properties();
    if (jdbcUser != null) {
      p.setProperty("user", jdbcUser);
    }
    if (jdbcPassword != null) {
      p.setProperty("password", jdbcPassword);
    }
    if (isSqlite()) {
      p.setProperty("journal_mode", "WAL");
      p.setProperty("busy_timeout", "30000");
      p.setProperty("transaction_mode", "IMMEDIATE");
      p.setProperty("synchronous", synchronous);
    }
    return p;
  }

  boolean isSqlite() {
    return jdbcUrl.startsWith("jdbc:sqlite:");
  }

  boolean isPostgres() {
    return jdbcUrl.startsWith("jdbc:postgresql:");
  }

  @Override
  public String toString() {
    return "CatalogConfig[jdbcUrl="
        + jdbcUrl
        + ", jdbcUser="
        + jdbcUser
        + ", jdbcPassword="
        + (jdbcPassword == null ? "null" : "****")
        + ", warehouse="
        + warehouse
        + "]";
  }
}
