package dev.basin.sql.mv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.basin.spi.sql.SessionContext;
import dev.basin.spi.sql.SqlException;
import dev.basin.spi.sql.SqlState;
import dev.basin.sql.DuckDbSession;
import dev.basin.sql.SqlFixture;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MaterializedViewsTest {

  private static final String ORDERS =
      "CREATE TABLE sales.orders (region VARCHAR, store INT, qty INT, amount DECIMAL(10,2),"
          + " price BIGINT)";

  /** Aggregate shapes that refresh incrementally, by view name. */
  private static final List<String[]> SHAPES =
      List.of(
          new String[] {
            "by_region",
            "SELECT region, sum(amount) AS total, count(*) AS n, count(qty) AS nq, avg(qty) AS"
                + " avg_qty, min(amount) AS lo, max(amount) AS hi FROM sales.orders GROUP BY region"
          },
          new String[] {
            "by_region_store",
            "SELECT region, store, sum(qty) AS q, avg(amount) AS a, max(price) AS top FROM"
                + " sales.orders WHERE qty > 2 GROUP BY region, store"
          },
          new String[] {
            "overall",
            "SELECT count(*) AS n, sum(qty) AS s, min(region) AS r, max(store) AS ms, avg(price)"
                + " AS ap FROM sales.orders"
          },
          new String[] {
            "by_bucket",
            "SELECT coalesce(region, '?') AS r, store % 3 AS bucket, sum(price) AS p,"
                + " count(amount) AS c FROM sales.orders WHERE amount IS NOT NULL OR price > 500"
                + " GROUP BY 1, 2"
          },
          new String[] {
            "labelled",
            "SELECT 'all regions' AS label, 2 AS version, region, min(qty) AS q, count(*) AS n"
                + " FROM sales.orders GROUP BY region"
          },
          new String[] {
            "tricky_text",
            "SELECT Region,\n  AVG( (qty + 1) * 2 ) AS \"avg, doubled\", -- trailing comma\n"
                + "  FROM sales.orders /* FROM */ WHERE coalesce(region, 'x') <> 'FROM' GROUP BY"
                + " Region"
          },
          new String[] {
            "by_store_all",
            "SELECT store, max(region) AS mr, avg(amount), count(*) FROM sales.orders GROUP BY ALL"
          });

  @TempDir Path dir;
  SqlFixture f;
  MaterializedViews views;

  @BeforeEach
  void setUp() {
    open();
    f.run("CREATE DATABASE sales");
    f.run(ORDERS);
  }

  private void open() {
    f = new SqlFixture(dir);
    views = new MaterializedViews(f.engine);
    f.engine.materializedViews(views);
  }

  @AfterEach
  void tearDown() {
    f.close();
  }

  @Test
  void incrementalRefreshGivesTheSameRowsAsAFullRecomputeAfterRandomAppends() {
    Random random = new Random(20240501L);
    insert(random, 20);
    for (String[] shape : SHAPES) {
      f.run("CREATE MATERIALIZED VIEW sales." + shape[0] + " AS " + shape[1]);
      assertThat(views.status("sales", shape[0]).orElseThrow().incremental())
          .as(shape[0] + ": " + views.status("sales", shape[0]).orElseThrow().fullReason())
          .isTrue();
      assertSameAsQuery(shape);
    }
    for (int batch = 0; batch < 10; batch++) {
      insert(random, 1 + random.nextInt(25));
      for (String[] shape : SHAPES) {
        f.run("REFRESH MATERIALIZED VIEW sales." + shape[0]);
        RefreshResult r = views.lastRefresh("sales", shape[0]).orElseThrow();
        assertThat(r.mode()).as(shape[0]).isEqualTo(RefreshMode.INCREMENTAL);
        assertThat(r.inputFiles()).as(shape[0]).isEqualTo(1);
        assertSameAsQuery(shape);
      }
    }
  }

  @Test
  void incrementalRefreshStartsFromAnEmptyInput() {
    f.run(
        "CREATE MATERIALIZED VIEW sales.empty_start AS SELECT region, count(*) AS n, avg(qty) AS a"
            + " FROM sales.orders GROUP BY region");
    assertThat(f.rows("SELECT * FROM sales.empty_start")).isEmpty();
    Random random = new Random(7);
    for (int i = 0; i < 3; i++) {
      insert(random, 10);
      f.run("REFRESH MATERIALIZED VIEW sales.empty_start");
      assertThat(views.lastRefresh("sales", "empty_start").orElseThrow().mode())
          .isEqualTo(RefreshMode.INCREMENTAL);
      assertSameAsQuery(
          new String[] {
            "empty_start",
            "SELECT region, count(*) AS n, avg(qty) AS a FROM sales.orders GROUP BY region"
          });
    }
  }

  @Test
  void refreshReadsOnlyTheFilesAppendedSinceTheLastRefresh() {
    Random random = new Random(3);
    for (int i = 0; i < 4; i++) {
      insert(random, 10);
    }
    f.run(
        "CREATE MATERIALIZED VIEW sales.totals AS SELECT region, sum(qty) AS q FROM sales.orders"
            + " GROUP BY region");
    assertThat(views.lastRefresh("sales", "totals").orElseThrow().inputFiles()).isEqualTo(4);

    insert(random, 10);
    insert(random, 10);
    f.run("REFRESH MATERIALIZED VIEW sales.totals");
    RefreshResult r = views.lastRefresh("sales", "totals").orElseThrow();
    assertThat(r.mode()).isEqualTo(RefreshMode.INCREMENTAL);
    assertThat(r.inputFiles()).isEqualTo(2);
    assertThat(r.detail()).isNull();
    Table table = f.catalog.iceberg().loadTable(TableIdentifier.of("sales", "totals"));
    assertThat(table.properties())
        .containsEntry("basin.mv.last-refresh.mode", "INCREMENTAL")
        .containsEntry("basin.mv.last-refresh.input-files", "2")
        .containsEntry("basin.mv.mode", "incremental");
    long inputSnapshot =
        f.catalog
            .iceberg()
            .loadTable(TableIdentifier.of("sales", "orders"))
            .currentSnapshot()
            .snapshotId();
    assertThat(table.properties().get("basin.mv.inputs"))
        .isEqualTo("{\"sales.orders\":" + inputSnapshot + "}");
    assertSameAsQuery(
        new String[] {"totals", "SELECT region, sum(qty) AS q FROM sales.orders GROUP BY region"});
  }

  @Test
  void refreshWithoutNewSnapshotsWritesNothing() {
    insert(new Random(1), 5);
    f.run(
        "CREATE MATERIALIZED VIEW sales.n AS SELECT store, count(*) AS n FROM sales.orders"
            + " GROUP BY store");
    Table before = f.catalog.iceberg().loadTable(TableIdentifier.of("sales", "n"));
    f.run("REFRESH MATERIALIZED VIEW sales.n");
    assertThat(views.lastRefresh("sales", "n").orElseThrow().mode())
        .isEqualTo(RefreshMode.UP_TO_DATE);
    Table after = f.catalog.iceberg().loadTable(TableIdentifier.of("sales", "n"));
    assertThat(after.currentSnapshot().snapshotId())
        .isEqualTo(before.currentSnapshot().snapshotId());

    f.run("REFRESH MATERIALIZED VIEW sales.n FULL");
    assertThat(views.lastRefresh("sales", "n").orElseThrow().mode()).isEqualTo(RefreshMode.FULL);
    assertSameAsQuery(
        new String[] {"n", "SELECT store, count(*) AS n FROM sales.orders GROUP BY store"});
  }

  @Test
  void compactionOfTheInputFallsBackToAFullRecompute() {
    Random random = new Random(11);
    for (int i = 0; i < 3; i++) {
      insert(random, 8);
    }
    String[] shape = SHAPES.get(0);
    f.run("CREATE MATERIALIZED VIEW sales." + shape[0] + " AS " + shape[1]);
    Table orders = f.catalog.iceberg().loadTable(TableIdentifier.of("sales", "orders"));
    f.catalog.maintenance().rewriteDataFiles(orders, 512L * 1024 * 1024, 2);
    insert(random, 8);
    f.run("REFRESH MATERIALIZED VIEW sales." + shape[0]);
    RefreshResult r = views.lastRefresh("sales", shape[0]).orElseThrow();
    assertThat(r.mode()).isEqualTo(RefreshMode.FULL);
    assertThat(r.detail()).contains("is a 'replace', not an append");
    assertSameAsQuery(shape);

    insert(random, 8);
    f.run("REFRESH MATERIALIZED VIEW sales." + shape[0]);
    assertThat(views.lastRefresh("sales", shape[0]).orElseThrow().mode())
        .isEqualTo(RefreshMode.INCREMENTAL);
    assertSameAsQuery(shape);
  }

  @Test
  void droppingAndRecreatingTheInputFallsBackToAFullRecompute() {
    Random random = new Random(12);
    insert(random, 10);
    String[] shape = SHAPES.get(1);
    f.run("CREATE MATERIALIZED VIEW sales." + shape[0] + " AS " + shape[1]);
    f.run("DROP TABLE sales.orders");
    f.run(ORDERS);
    insert(random, 10);
    f.run("REFRESH MATERIALIZED VIEW sales." + shape[0]);
    RefreshResult r = views.lastRefresh("sales", shape[0]).orElseThrow();
    assertThat(r.mode()).isEqualTo(RefreshMode.FULL);
    assertThat(r.detail()).contains("no longer in its history");
    assertSameAsQuery(shape);
  }

  @Test
  void queriesThatAreNotSimpleAggregatesAreRecomputed() {
    insert(new Random(5), 30);
    f.run(
        "CREATE TABLE sales.stores AS SELECT range::INT AS store, 'S' || range AS name FROM range(6)");
    String[][] queries = {
      {
        "joined",
        "SELECT s.name, sum(o.qty) AS q FROM sales.orders o JOIN sales.stores s ON o.store ="
            + " s.store GROUP BY s.name",
        "does not read exactly one table"
      },
      {
        "having",
        "SELECT region, count(*) AS n FROM sales.orders GROUP BY region HAVING count(*) > 2",
        "HAVING"
      },
      {
        "distinct_count",
        "SELECT region, count(DISTINCT store) AS stores FROM sales.orders GROUP BY region",
        "neither a group key"
      },
      {"plain", "SELECT region, qty FROM sales.orders WHERE qty > 5", "no GROUP BY"},
      {"median", "SELECT region, median(qty) AS m FROM sales.orders GROUP BY region", "median"},
      {
        "key_not_grouped",
        "SELECT upper(region) AS r, count(*) AS n FROM sales.orders GROUP BY region",
        "not one of the select list"
      },
      {
        "volatile",
        "SELECT region, count(*) AS n FROM sales.orders WHERE random() < 2 GROUP BY region",
        "random"
      },
    };
    for (String[] q : queries) {
      f.run("CREATE MATERIALIZED VIEW sales." + q[0] + " AS " + q[1]);
      MaterializedViewStatus status = views.status("sales", q[0]).orElseThrow();
      assertThat(status.incremental()).as(q[0]).isFalse();
      assertThat(status.fullReason()).as(q[0]).contains(q[2]);
      assertSameAsQuery(q);
    }
    insert(new Random(6), 10);
    for (String[] q : queries) {
      f.run("REFRESH MATERIALIZED VIEW sales." + q[0]);
      assertThat(views.lastRefresh("sales", q[0]).orElseThrow().mode()).isEqualTo(RefreshMode.FULL);
      assertSameAsQuery(q);
    }
  }

  @Test
  void hiddenAverageColumnsAreNotVisible() {
    insert(new Random(8), 10);
    f.run(
        "CREATE MATERIALIZED VIEW sales.avgs AS SELECT region, avg(qty) AS a FROM sales.orders"
            + " GROUP BY region");
    assertThat(f.rows("DESCRIBE sales.avgs"))
        .extracting(r -> r.get(0))
        .containsExactly("region", "a");
    assertThat(f.rows("SELECT * FROM sales.avgs LIMIT 1").get(0)).hasSize(2);
    Table table = f.catalog.iceberg().loadTable(TableIdentifier.of("sales", "avgs"));
    assertThat(table.properties()).containsEntry("basin.mv.hidden-columns", "__sum_a,__count_a");
  }

  @Test
  void unqualifiedNamesResolveInTheSessionDatabase() {
    insert(new Random(9), 10);
    f.run("USE sales");
    f.run(
        "CREATE MATERIALIZED VIEW per_store AS SELECT store, sum(qty) AS q FROM orders GROUP BY"
            + " store");
    insert(new Random(10), 10);
    try (DuckDbSession other = f.engine.openSession(new SessionContext("other", null))) {
      SqlFixture.rows(other, "REFRESH MATERIALIZED VIEW sales.per_store");
    }
    assertThat(views.lastRefresh("sales", "per_store").orElseThrow().mode())
        .isEqualTo(RefreshMode.INCREMENTAL);
    assertSameAsQuery(
        new String[] {"per_store", "SELECT store, sum(qty) AS q FROM sales.orders GROUP BY store"});
  }

  @Test
  void autoRefreshCatchesUpAfterACommitToTheInput() throws InterruptedException {
    insert(new Random(13), 10);
    f.run(
        "CREATE MATERIALIZED VIEW sales.live AUTO REFRESH YES AS SELECT region, count(*) AS n,"
            + " sum(amount) AS total FROM sales.orders GROUP BY region");
    try (MaterializedViewRefresher refresher =
        new MaterializedViewRefresher(views, Duration.ofMillis(100), Duration.ofSeconds(30))) {
      refresher.start();
      insert(new Random(14), 10);
      Object expected = f.value("SELECT count(*) FROM sales.orders");
      awaitValue("SELECT sum(n) FROM sales.live", expected);
      assertThat(views.lastRefresh("sales", "live").orElseThrow().mode())
          .isEqualTo(RefreshMode.INCREMENTAL);
      assertSameAsQuery(
          new String[] {
            "live",
            "SELECT region, count(*) AS n, sum(amount) AS total FROM sales.orders GROUP BY region"
          });
      assertThat(views.status("sales", "live").orElseThrow().stale()).isFalse();
    }
  }

  @Test
  void aCommitWakesTheRefresherBeforeItsNextPoll() throws InterruptedException {
    insert(new Random(20), 10);
    f.run(
        "CREATE MATERIALIZED VIEW sales.woken AUTO REFRESH YES AS SELECT qty, count(*) AS n FROM"
            + " sales.orders GROUP BY qty");
    // The poll would come only in an hour: the Iceberg commit listener must wake the refresher.
    try (MaterializedViewRefresher refresher =
        new MaterializedViewRefresher(views, Duration.ofHours(1), Duration.ofHours(1))) {
      refresher.start();
      insert(new Random(21), 10);
      awaitValue("SELECT sum(n) FROM sales.woken", f.value("SELECT count(*) FROM sales.orders"));
    }
  }

  @Test
  void refreshesOfOneViewFromManySessionsNeverOverlap() throws Exception {
    insert(new Random(22), 10);
    String[] shape = SHAPES.get(0);
    f.run("CREATE MATERIALIZED VIEW sales." + shape[0] + " AUTO REFRESH YES AS " + shape[1]);
    List<Thread> threads = new ArrayList<>();
    List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    try (MaterializedViewRefresher refresher =
        new MaterializedViewRefresher(views, Duration.ofMillis(10), Duration.ofSeconds(30))) {
      refresher.start();
      for (int i = 0; i < 3; i++) {
        int seed = i;
        Thread t =
            new Thread(
                () -> {
                  Random random = new Random(100 + seed);
                  try (DuckDbSession s =
                      f.engine.openSession(new SessionContext("writer" + seed, null))) {
                    for (int b = 0; b < 5; b++) {
                      // Inserts take turns: only the refreshes are meant to race here.
                      synchronized (threads) {
                        SqlFixture.rows(s, "INSERT INTO sales.orders " + values(random, 5));
                      }
                      SqlFixture.rows(s, "REFRESH MATERIALIZED VIEW sales." + shape[0]);
                    }
                  } catch (Throwable e) {
                    failures.add(e);
                  }
                });
        threads.add(t);
        t.start();
      }
      for (Thread t : threads) {
        t.join();
      }
    }
    assertThat(failures).isEmpty();
    f.run("REFRESH MATERIALIZED VIEW sales." + shape[0]);
    assertSameAsQuery(shape);
  }

  @Test
  void scheduledRefreshCatchesUp() throws InterruptedException {
    insert(new Random(15), 10);
    f.run(
        "CREATE MATERIALIZED VIEW sales.hourly REFRESH EVERY 1 SECONDS AS SELECT store, count(*)"
            + " AS n FROM sales.orders GROUP BY store");
    insert(new Random(16), 10);
    assertThat(views.status("sales", "hourly").orElseThrow().staleInputs())
        .containsExactly("sales.orders");
    try (MaterializedViewRefresher refresher =
        new MaterializedViewRefresher(views, Duration.ofMillis(100), Duration.ofSeconds(30))) {
      refresher.start();
      awaitValue("SELECT sum(n) FROM sales.hourly", f.value("SELECT count(*) FROM sales.orders"));
    }
    MaterializedViewStatus status = views.status("sales", "hourly").orElseThrow();
    assertThat(status.refreshEvery()).isEqualTo(Duration.ofSeconds(1));
    assertThat(status.stale()).isFalse();
  }

  @Test
  void backgroundFailuresAreRecordedAndDoNotStopTheRefresher() throws InterruptedException {
    insert(new Random(17), 10);
    f.run(
        "CREATE MATERIALIZED VIEW sales.broken AUTO REFRESH YES AS SELECT region, count(*) AS n"
            + " FROM sales.orders GROUP BY region");
    f.run(
        "CREATE MATERIALIZED VIEW sales.fine AUTO REFRESH YES AS SELECT store, count(*) AS n"
            + " FROM sales.orders GROUP BY store");
    try (MaterializedViewRefresher refresher =
        new MaterializedViewRefresher(views, Duration.ofMillis(100), Duration.ofSeconds(30))) {
      refresher.start();
      // The input loses the column the first view groups by: its refreshes fail, the other's go on.
      f.run("ALTER TABLE sales.orders DROP COLUMN region");
      f.run("INSERT INTO sales.orders VALUES (1, 2, 3.00, 4)");
      awaitValue("SELECT sum(n) FROM sales.fine", f.value("SELECT count(*) FROM sales.orders"));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (views.status("sales", "broken").orElseThrow().lastError() == null
          && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      MaterializedViewStatus broken = views.status("sales", "broken").orElseThrow();
      assertThat(broken.lastError()).contains("region");
      assertThat(broken.stale()).isTrue();
      insert2(3);
      awaitValue("SELECT sum(n) FROM sales.fine", f.value("SELECT count(*) FROM sales.orders"));
    }
  }

  @Test
  void badInputGivesClearErrorsAndLeavesNothingBehind() {
    assertThatThrownBy(
            () -> f.run("CREATE MATERIALIZED VIEW sales.v AS SELECT count(*) FROM sales.nope"))
        .isInstanceOf(SqlException.class)
        .hasMessageContaining("cannot create materialized view sales.v")
        .hasMessageContaining("table sales.nope does not exist")
        .satisfies(e -> assertThat(((SqlException) e).state()).isEqualTo(SqlState.UNDEFINED_TABLE));
    assertThatThrownBy(
            () ->
                f.run(
                    "CREATE MATERIALIZED VIEW sales.v AS SELECT nosuchcol, count(*) FROM"
                        + " sales.orders GROUP BY 1"))
        .isInstanceOf(SqlException.class)
        .hasMessageContaining("cannot create materialized view sales.v")
        .hasMessageContaining("nosuchcol");
    assertThatThrownBy(
            () -> f.run("CREATE MATERIALIZED VIEW nodb.v AS SELECT count(*) FROM sales.orders"))
        .isInstanceOf(SqlException.class)
        .hasMessageContaining("database 'nodb' does not exist");
    assertThat(f.catalog.iceberg().tableExists(TableIdentifier.of("sales", "v"))).isFalse();

    assertThatThrownBy(() -> f.run("REFRESH MATERIALIZED VIEW sales.orders"))
        .isInstanceOf(SqlException.class)
        .hasMessageContaining("sales.orders is a table, not a materialized view");
    assertThatThrownBy(() -> f.run("REFRESH MATERIALIZED VIEW sales.missing"))
        .isInstanceOf(SqlException.class)
        .hasMessageContaining("materialized view sales.missing does not exist");
    assertThatThrownBy(() -> f.run("DROP MATERIALIZED VIEW sales.orders"))
        .isInstanceOf(SqlException.class)
        .hasMessageContaining("is a table, not a materialized view");
    assertThat(f.catalog.iceberg().tableExists(TableIdentifier.of("sales", "orders"))).isTrue();
    f.run("DROP MATERIALIZED VIEW IF EXISTS sales.missing");

    f.run("CREATE MATERIALIZED VIEW sales.v AS SELECT count(*) AS n FROM sales.orders");
    assertThatThrownBy(
            () -> f.run("CREATE MATERIALIZED VIEW sales.v AS SELECT 1 AS one FROM sales.orders"))
        .isInstanceOf(SqlException.class)
        .hasMessageContaining("already exists");
    f.run("CREATE MATERIALIZED VIEW IF NOT EXISTS sales.v AS SELECT 1 AS one FROM sales.orders");
    assertThat(f.rows("SELECT * FROM sales.v")).containsExactly(List.of(0L));
  }

  @Test
  void dropMaterializedViewAndDropTableBothRemoveTheView() {
    insert(new Random(18), 5);
    f.run("CREATE MATERIALIZED VIEW sales.a AS SELECT count(*) AS n FROM sales.orders");
    f.run("CREATE MATERIALIZED VIEW sales.b AS SELECT count(*) AS n FROM sales.orders");
    assertThat(views.status())
        .extracting(MaterializedViewStatus::name)
        .containsExactly("sales.a", "sales.b");
    f.run("DROP MATERIALIZED VIEW sales.a");
    f.run("DROP TABLE sales.b");
    assertThat(views.status()).isEmpty();
    assertThatThrownBy(() -> f.run("REFRESH MATERIALIZED VIEW sales.b"))
        .hasMessageContaining("does not exist");
  }

  @Test
  void viewSurvivesReopeningTheEngineAndCatalog() {
    Random random = new Random(19);
    insert(random, 10);
    String[] shape = SHAPES.get(0);
    f.run("CREATE MATERIALIZED VIEW sales." + shape[0] + " AUTO REFRESH YES AS " + shape[1]);
    List<List<Object>> before = f.rows("SELECT * FROM sales." + shape[0] + " ORDER BY ALL");
    f.close();

    open();
    assertThat(f.rows("SELECT * FROM sales." + shape[0] + " ORDER BY ALL")).isEqualTo(before);
    MaterializedViewStatus status = views.status().get(0);
    assertThat(status.name()).isEqualTo("sales." + shape[0]);
    assertThat(status.sql()).isEqualTo(shape[1]);
    assertThat(status.autoRefresh()).isTrue();
    assertThat(status.incremental()).isTrue();
    assertThat(status.lastRefreshMode()).isEqualTo(RefreshMode.FULL);
    insert(random, 10);
    f.run("REFRESH MATERIALIZED VIEW sales." + shape[0]);
    assertThat(views.lastRefresh("sales", shape[0]).orElseThrow().mode())
        .isEqualTo(RefreshMode.INCREMENTAL);
    assertSameAsQuery(shape);
  }

  // ---- helpers

  /** Appends one batch of random rows (NULLs in every column now and then) in one INSERT. */
  private void insert(Random random, int rows) {
    f.run("INSERT INTO sales.orders " + values(random, rows));
  }

  private static String values(Random random, int rows) {
    String[] regions = {"north", "south", "east", "west"};
    List<String> values = new ArrayList<>();
    for (int i = 0; i < rows; i++) {
      String region =
          random.nextInt(6) == 0 ? "NULL" : "'" + regions[random.nextInt(regions.length)] + "'";
      String store = random.nextInt(8) == 0 ? "NULL" : Integer.toString(random.nextInt(6));
      String qty = random.nextInt(7) == 0 ? "NULL" : Integer.toString(random.nextInt(10));
      String amount =
          random.nextInt(7) == 0
              ? "NULL"
              : BigDecimal.valueOf(random.nextInt(100_000), 2).toPlainString();
      String price = random.nextInt(7) == 0 ? "NULL" : Long.toString(random.nextInt(1000));
      values.add("(" + String.join(", ", region, store, qty, amount, price) + ")");
    }
    return "VALUES " + String.join(", ", values);
  }

  /** Appends rows to the table after its region column was dropped. */
  private void insert2(int rows) {
    for (int i = 0; i < rows; i++) {
      f.run("INSERT INTO sales.orders VALUES (" + i + ", 1, 1.00, 1)");
    }
  }

  private void assertSameAsQuery(String[] shape) {
    List<List<Object>> view = f.rows("SELECT * FROM sales." + shape[0] + " ORDER BY ALL");
    List<List<Object>> query = f.rows("SELECT * FROM (" + shape[1] + ") ORDER BY ALL");
    assertThat(view).as(shape[0] + " row count").hasSameSizeAs(query);
    for (int i = 0; i < view.size(); i++) {
      List<Object> a = view.get(i);
      List<Object> b = query.get(i);
      assertThat(a).as(shape[0] + " row " + i).hasSameSizeAs(b);
      for (int c = 0; c < a.size(); c++) {
        assertSameValue(
            a.get(c), b.get(c), shape[0] + " row " + i + " column " + c + ": " + a + " vs " + b);
      }
    }
  }

  /** Equal values; integers and decimals by numeric value, doubles (AVG) to 1e-9 relative. */
  private static void assertSameValue(Object a, Object b, String where) {
    if (a == null || b == null) {
      assertThat(a).as(where).isEqualTo(b);
    } else if (a instanceof Double || b instanceof Double || a instanceof Float) {
      double x = ((Number) a).doubleValue();
      double y = ((Number) b).doubleValue();
      assertThat(Math.abs(x - y)).as(where).isLessThanOrEqualTo(1e-9 * Math.max(1, Math.abs(y)));
    } else if (a instanceof Number && b instanceof Number) {
      assertThat(decimal(a).compareTo(decimal(b))).as(where).isZero();
    } else {
      assertThat(a).as(where).isEqualTo(b);
    }
  }

  private static BigDecimal decimal(Object n) {
    if (n instanceof BigDecimal d) {
      return d;
    }
    if (n instanceof BigInteger i) {
      return new BigDecimal(i);
    }
    return BigDecimal.valueOf(((Number) n).longValue());
  }

  private void awaitValue(String sql, Object expected) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    Object actual = f.value(sql);
    while (!numericallyEqual(actual, expected) && System.nanoTime() < deadline) {
      Thread.sleep(50);
      actual = f.value(sql);
    }
    assertThat(numericallyEqual(actual, expected))
        .as(sql + " = " + actual + ", expected " + expected)
        .isTrue();
  }

  private static boolean numericallyEqual(Object a, Object b) {
    return a instanceof Number && b instanceof Number && decimal(a).compareTo(decimal(b)) == 0;
  }
}
