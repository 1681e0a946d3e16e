package dev.basin.catalog;

import dev.basin.common.error.BasinException;
import dev.basin.spi.storage.ObjectStore;
import dev.basin.spi.storage.ObjectStoreException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.exceptions.NoSuchViewException;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.apache.iceberg.view.View;

/**
 * Basin's data catalog: Iceberg tables and views in Iceberg's JDBC catalog (SQLite by default,
 * PostgreSQL for several nodes), external tables in Glue's model, and the maintenance and append
 * operations the pipeline runs on Iceberg tables. Table data and metadata live in the object store
 * under {@code s3://} locations.
 *
 * <p>Thread-safe. Several processes may open the same database; Iceberg commits are atomic
 * compare-and-swap operations on the metadata pointer, so a concurrent commit loses with {@link
 * org.apache.iceberg.exceptions.CommitFailedException} and nothing is lost.
 */
public final class LakeCatalog implements AutoCloseable {
  /** The Iceberg catalog name; every process sharing the database must use the same one. */
  public static final String CATALOG_NAME = "basin";

  private final CatalogConfig config;
  private final ObjectStore store;
  private final ObjectStoreFileIO io;
  private final MetadataDatabase metadata;
  private final BasinJdbcCatalog iceberg;
  private final Databases databases;
  private final ExternalTables externalTables;
  private final TableMaintenance maintenance;
  private final IcebergAppender appender;
  private volatile boolean icebergOpen;

  private LakeCatalog(CatalogConfig config, ObjectStore store, Clock clock) {
    this.config = config;
    this.store = store;
    this.io = new ObjectStoreFileIO(store, null);
    this.metadata = new MetadataDatabase(config, jdbcProperties(config, true));
    this.externalTables = new ExternalTables(metadata, store, clock);
    this.iceberg = new BasinJdbcCatalog(io, externalTables::exists);
    this.externalTables.bind(iceberg);
    this.databases = new Databases(iceberg, externalTables, store, clock);
    this.maintenance = new TableMaintenance();
    this.appender = new IcebergAppender();
  }

  /**
   * Opens the catalog: creates the SQLite file's folder, Iceberg's and Basin's catalog tables if
   * missing (migrating Basin's to the current schema version) and the warehouse bucket if missing.
   *
   * @param store the lake; not closed by {@link #close()}
   * @param clock the time for create and update times of databases and external tables
   * @throws BasinException {@code METADATA_STORE_FAILURE} if the database cannot be opened
   */
  public static LakeCatalog open(CatalogConfig config, ObjectStore store, Clock clock) {
    if (config.isSqlite()) {
      Path file = sqliteFile(config.jdbcUrl());
      if (file != null && file.getParent() != null) {
        try {
          Files.createDirectories(file.getParent());
        } catch (IOException e) {
          throw new UncheckedIOException("cannot create " + file.getParent(), e);
        }
      }
    }
    ensureBucket(store, S3Location.parse(config.warehouse()).bucket());
    LakeCatalog catalog = new LakeCatalog(config, store, clock);
    try {
      catalog.metadata.migrate();
      catalog.iceberg.initialize(CATALOG_NAME, catalog.icebergProperties());
      catalog.icebergOpen = true;
      return catalog;
    } catch (RuntimeException e) {
      catalog.close();
      if (e instanceof BasinException) {
        throw e;
      }
      throw new BasinException(
          CatalogErrorCode.METADATA_STORE_FAILURE,
          "cannot open the catalog at " + config.jdbcUrl() + ": " + e.getMessage(),
          e);
    }
  }

  private Map<String, String> icebergProperties() {
    Map<String, String> props = new HashMap<>();
    props.put(CatalogProperties.URI, config.jdbcUrl());
    props.put(CatalogProperties.WAREHOUSE_LOCATION, config.warehouse());
    props.put("jdbc.schema-version", "V1");
    props.put(CatalogProperties.CLIENT_POOL_SIZE, "4");
    Properties jdbc = jdbcProperties(config, false);
    for (String name : jdbc.stringPropertyNames()) {
      props.put("jdbc." + name, jdbc.getProperty(name));
    }
    return props;
  }

  /**
   * Connection properties for Iceberg's pool and Basin's.
   *
   * @param immediateTransactions whether SQLite transactions take the write lock when they begin
   *     (for Basin's read-then-write transactions; Iceberg's commits are single statements)
   */
  private static Properties jdbcProperties(CatalogConfig config, boolean immediateTransactions) {
    Properties p = new Properties();
    if (config.jdbcUser() != null) {
      p.setProperty("user", config.jdbcUser());
    }
    if (config.jdbcPassword() != null) {
      p.setProperty("password", config.jdbcPassword());
    }
    if (config.isSqlite()) {
      // sqlite-jdbc applies these pragmas to every connection it opens. WAL lets readers run
      // beside the one writer; the busy timeout makes a second writer wait instead of failing;
      // IMMEDIATE transactions take the write lock up front, so two read-then-write transactions
      // cannot deadlock on lock upgrade.
      p.setProperty("journal_mode", "WAL");
      p.setProperty("busy_timeout", "30000");
      if (immediateTransactions) {
        p.setProperty("transaction_mode", "IMMEDIATE");
      }
      p.setProperty("synchronous", "FULL");
    }
    return p;
  }

  private static Path sqliteFile(String url) {
    String rest = url.substring("jdbc:sqlite:".length());
    int query = rest.indexOf('?');
    if (query >= 0) {
      rest = rest.substring(0, query);
    }
    if (rest.startsWith("file:")) {
      rest = rest.substring("file:".length());
    }
    if (rest.isEmpty() || rest.equals(":memory:") || rest.startsWith(":resource:")) {
      return null;
    }
    return Path.of(rest);
  }

  private static void ensureBucket(ObjectStore store, String bucket) {
    if (store.bucket(bucket).isPresent()) {
      return;
    }
    try {
      store.createBucket(bucket);
    } catch (ObjectStoreException e) {
      if (e.reason() != ObjectStoreException.Reason.BUCKET_ALREADY_EXISTS) {
        throw e;
      }
    }
  }

  /** The Iceberg catalog: tables, namespaces and views. */
  public JdbcCatalog iceberg() {
    return iceberg;
  }

  /** The FileIO every table of this catalog uses. */
  public FileIO io() {
    return io;
  }

  public Databases databases() {
    return databases;
  }

  public ExternalTables externalTables() {
    return externalTables;
  }

  public TableMaintenance maintenance() {
    return maintenance;
  }

  public IcebergAppender appender() {
    return appender;
  }

  public CatalogConfig config() {
    return config;
  }

  /**
   * Every table and view in a database, by name: Iceberg tables, views and external tables.
   *
   * @throws BasinException {@code DATABASE_NOT_FOUND}
   */
  public List<TableSummary> tables(String database) {
    databases.get(database);
    Namespace ns = Namespace.of(database);
    List<TableSummary> result = new ArrayList<>();
    for (TableIdentifier id : iceberg.listTables(ns)) {
      try {
        Table table = iceberg.loadTable(id);
        long updated =
            ((org.apache.iceberg.HasTableOperations) table)
                .operations()
                .current()
                .lastUpdatedMillis();
        result.add(
            new TableSummary(
                id.name(), TableKind.ICEBERG, table.location(), Instant.ofEpochMilli(updated)));
      } catch (NoSuchTableException e) {
        // Dropped while listing.
      }
    }
    for (TableIdentifier id : iceberg.listViews(ns)) {
      try {
        View view = iceberg.loadView(id);
        result.add(
            new TableSummary(
                id.name(),
                TableKind.VIEW,
                view.location(),
                Instant.ofEpochMilli(view.currentVersion().timestampMillis())));
      } catch (NoSuchViewException e) {
        // Dropped while listing.
      }
    }
    for (ExternalTable t : externalTables.list(database)) {
      result.add(new TableSummary(t.name(), TableKind.EXTERNAL, t.location(), t.updateTime()));
    }
    result.sort(Comparator.comparing(TableSummary::name));
    return result;
  }

  /** Closes the database connections. The object store stays open. Idempotent. */
  @Override
  public void close() {
    try {
      if (icebergOpen) {
        icebergOpen = false;
        iceberg.close();
      }
    } finally {
      metadata.close();
    }
  }

  ObjectStore store() {
    return store;
  }
}
