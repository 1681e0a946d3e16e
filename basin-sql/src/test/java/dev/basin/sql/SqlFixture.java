package dev.basin.sql;

import dev.basin.catalog.CatalogConfig;
import dev.basin.catalog.LakeCatalog;
import dev.basin.spi.sql.ResultCursor;
import dev.basin.spi.sql.SessionContext;
import dev.basin.storage.LocalObjectStore;
import dev.basin.storage.LocalObjectStoreConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * A real engine for tests: a {@link LocalObjectStore} with the default buckets, a SQLite catalog
 * and DuckDB, all under one temporary directory.
 */
public final class SqlFixture implements AutoCloseable {

  public final Path dir;
  public final LocalObjectStore store;
  public final LakeCatalog catalog;
  public final DuckDbSqlEngine engine;
  public final DuckDbSession session;

  public SqlFixture(Path dir) {
    this(dir, Clock.systemUTC());
  }

  public SqlFixture(Path dir, Clock clock) {
    this.dir = dir;
    store = LocalObjectStore.open(LocalObjectStoreConfig.defaults(dir), clock);
    for (String b : List.of("raw", "processed", "curated", "results")) {
      if (store.bucket(b).isEmpty()) {
        store.createBucket(b);
      }
    }
    catalog = LakeCatalog.open(CatalogConfig.sqlite(dir), store, clock);
    engine =
        DuckDbSqlEngine.open(
            SqlEngineConfig.defaults(dir).withThreads(2).withMemoryLimit("1GB"),
            catalog,
            store,
            clock);
    session = engine.openSession(new SessionContext("test", null));
  }

  /** Puts a small text object into the lake. */
  public void put(String bucket, String key, String body) {
    byte[] b = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    store.put(
        bucket,
        key,
        new java.io.ByteArrayInputStream(b),
        b.length,
        dev.basin.spi.storage.PutOptions.defaults());
  }

  /** Copies the first data file of an Iceberg table to another key (a plain Parquet object). */
  public void copyFirstDataFile(String database, String table, String bucket, String key) {
    org.apache.iceberg.Table t =
        catalog.iceberg().loadTable(org.apache.iceberg.catalog.TableIdentifier.of(database, table));
    String file = t.currentSnapshot().addedDataFiles(t.io()).iterator().next().location();
    byte[] bytes;
    try (var in = t.io().newInputFile(file).newStream()) {
      bytes = in.readAllBytes();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    store.put(
        bucket,
        key,
        new java.io.ByteArrayInputStream(bytes),
        bytes.length,
        dev.basin.spi.storage.PutOptions.defaults());
  }

  /** Runs a statement and returns every row, values as the cursor gives them. */
  public List<List<Object>> rows(String sql) {
    return rows(session, sql);
  }

  public static List<List<Object>> rows(DuckDbSession session, String sql) {
    try (ResultCursor c = session.execute(sql)) {
      List<List<Object>> out = new ArrayList<>();
      while (c.next()) {
        List<Object> row = new ArrayList<>();
        for (int i = 0; i < c.columns().size(); i++) {
          row.add(c.value(i));
        }
        out.add(row);
      }
      return out;
    }
  }

  /** Runs a statement for its effect and returns its command tag. */
  public String run(String sql) {
    try (ResultCursor c = session.execute(sql)) {
      while (c.next()) {
        // drain
      }
      return c.commandTag();
    }
  }

  /** The single value of a one-row, one-column query. */
  public Object value(String sql) {
    List<List<Object>> r = rows(sql);
    if (r.size() != 1 || r.get(0).size() != 1) {
      throw new AssertionError("expected one value from " + sql + " but got " + r);
    }
    return r.get(0).get(0);
  }

  @Override
  public void close() {
    session.close();
    engine.close();
    catalog.close();
    store.close();
  }
}
