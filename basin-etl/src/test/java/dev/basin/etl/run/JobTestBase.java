package dev.basin.etl.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.basin.catalog.CatalogConfig;
import dev.basin.catalog.LakeCatalog;
import dev.basin.spi.sql.ResultCursor;
import dev.basin.spi.sql.SessionContext;
import dev.basin.spi.storage.ListRequest;
import dev.basin.spi.storage.ObjectInfo;
import dev.basin.spi.storage.PutOptions;
import dev.basin.sql.DuckDbSession;
import dev.basin.sql.DuckDbSqlEngine;
import dev.basin.sql.SqlEngineConfig;
import dev.basin.storage.LocalObjectStore;
import dev.basin.storage.LocalObjectStoreConfig;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** A real object store, catalog, DuckDB engine and job service in a temporary directory. */
abstract class JobTestBase {

  @TempDir Path dir;
  LocalObjectStore store;
  LakeCatalog catalog;
  DuckDbSqlEngine engine;
  DuckDbSession sql;
  JobService jobs;

  @BeforeEach
  void open() {
    store = LocalObjectStore.open(LocalObjectStoreConfig.defaults(dir), Clock.systemUTC());
    for (String b : List.of("raw", "processed", "curated")) {
      store.createBucket(b);
    }
    catalog = LakeCatalog.open(CatalogConfig.sqlite(dir), store, Clock.systemUTC());
    engine =
        DuckDbSqlEngine.open(
            SqlEngineConfig.defaults(dir).withThreads(2).withMemoryLimit("1GB"),
            catalog,
            store,
            Clock.systemUTC());
    sql = engine.openSession(new SessionContext("test", null));
    jobs = JobService.open(CatalogConfig.sqlite(dir), engine, store, Clock.systemUTC(), 1);
    exec("CREATE DATABASE lake");
  }

  @AfterEach
  void close() {
    jobs.close();
    sql.close();
    engine.close();
    catalog.close();
    store.close();
  }

  void put(String bucket, String key, String body) {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    store.put(bucket, key, new ByteArrayInputStream(b), b.length, PutOptions.defaults());
  }

  void putBytes(String bucket, String key, byte[] b) {
    store.put(bucket, key, new ByteArrayInputStream(b), b.length, PutOptions.defaults());
  }

  void exec(String statement) {
    try (ResultCursor c = sql.execute(statement)) {
      while (c.next()) {
        // drain
      }
    }
  }

  List<List<Object>> rows(String query) {
    try (ResultCursor c = sql.execute(query)) {
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

  long count(String query) {
    return ((Number) rows(query).get(0).get(0)).longValue();
  }

  JobRun runToEnd(String job, Map<String, String> args) throws InterruptedException {
    JobRun r = jobs.start(job, args, "manual");
    JobRun end = jobs.await(r.id(), Duration.ofMinutes(2));
    assertThat(end.state().terminal()).as("run ended: %s", end).isTrue();
    return end;
  }

  List<String> keys(String bucket, String prefix) {
    List<String> out = new ArrayList<>();
    for (ObjectInfo o : store.list(bucket, new ListRequest(prefix, null, null, 1000)).objects()) {
      out.add(o.key());
    }
    return out;
  }
}
