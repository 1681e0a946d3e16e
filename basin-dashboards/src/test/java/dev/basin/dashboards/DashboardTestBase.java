package dev.basin.dashboards;

import com.fasterxml.jackson.databind.JsonNode;
import dev.basin.catalog.CatalogConfig;
import dev.basin.catalog.LakeCatalog;
import dev.basin.common.json.Json;
import dev.basin.spi.sql.ResultCursor;
import dev.basin.spi.sql.SessionContext;
import dev.basin.sql.DuckDbSession;
import dev.basin.sql.DuckDbSqlEngine;
import dev.basin.sql.SqlEngineConfig;
import dev.basin.storage.LocalObjectStore;
import dev.basin.storage.LocalObjectStoreConfig;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real object store, catalog, DuckDB engine and dashboards service in a temporary directory, with
 * a small hand-made Iceberg table {@code lake.sales}.
 */
abstract class DashboardTestBase {

  @TempDir Path dir;
  LocalObjectStore store;
  LakeCatalog catalog;
  DuckDbSqlEngine engine;
  DuckDbSession sql;
  DashboardService dashboards;

  int maxRows() {
    return 10_000;
  }

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
    dashboards =
        DashboardService.open(CatalogConfig.sqlite(dir), engine, Clock.systemUTC(), maxRows());
    exec("CREATE DATABASE lake");
    exec(
        "CREATE TABLE lake.sales AS SELECT * FROM (VALUES"
            + " ('EU', 'apple', DATE '2024-01-15', 10.0, 1),"
            + " ('EU', 'pear', DATE '2024-01-20', 20.0, 2),"
            + " ('US', 'apple', DATE '2024-02-03', 30.0, 3),"
            + " ('US', 'kiwi', DATE '2024-02-10', 40.0, 4),"
            + " ('APAC', 'apple', DATE '2024-03-01', 50.0, 5),"
            + " ('EU', 'kiwi', DATE '2024-03-05', 60.0, 6),"
            + " ('US', 'pear', DATE '2024-03-20', 70.0, 7),"
            + " ('O''Brien', 'apple', DATE '2024-03-25', 80.0, 8))"
            + " AS t(region, product, order_date, revenue, qty)");
  }

  @AfterEach
  void close() {
    dashboards.close();
    sql.close();
    engine.close();
    catalog.close();
    store.close();
  }

  void exec(String statement) {
    try (ResultCursor c = sql.execute(statement)) {
      while (c.next()) {
        // drain
      }
    }
  }

  long count(String query) {
    try (ResultCursor c = sql.execute(query)) {
      c.next();
      return ((Number) c.value(0)).longValue();
    }
  }

  static JsonNode json(String text) {
    return Json.read(text.replace('`', '"'), JsonNode.class);
  }

  Dataset salesDataset() {
    return dashboards.createDataset(json("{`name`: `sales`, `table`: `lake.sales`}"), "test");
  }

  /** Rows with numbers normalised (integers to Long, decimals to Double) and others as text. */
  static List<List<Object>> rows(VisualData d) {
    List<List<Object>> out = new ArrayList<>();
    for (List<Object> r : d.rows()) {
      List<Object> row = new ArrayList<>();
      for (Object v : r) {
        row.add(norm(v));
      }
      out.add(row);
    }
    return out;
  }

  static Object norm(Object v) {
    if (v instanceof Integer
        || v instanceof Long
        || v instanceof Short
        || v instanceof BigInteger) {
      return ((Number) v).longValue();
    }
    if (v instanceof Double || v instanceof Float || v instanceof BigDecimal) {
      return ((Number) v).doubleValue();
    }
    return v == null ? null : v.toString();
  }

  static List<Object> row(Object... values) {
    return java.util.Arrays.asList(values);
  }

  VisualData preview(String visual) {
    return dashboards.preview(json(visual), null, "test");
  }

  VisualData preview(String visual, String request, String user) {
    return dashboards.preview(json(visual), json(request), user);
  }
}
