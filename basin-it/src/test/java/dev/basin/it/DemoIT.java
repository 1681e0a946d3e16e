package dev.basin.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.basin.it.BasinProcess.Exit;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;

/**
 * {@code basin demo} runs to completion and leaves the seeds' pipelines built: the warehouse
 * aggregates of the employees, the Spotify lake table, the curated daily sales, and live sales
 * delivered into Iceberg — checked afterwards with SQL on a server started over the demo's data.
 * Its three dashboards answer every visual with the values the same question asked in SQL over the
 * source tables gives, and the live sales dashboard sees orders that arrive after it was built.
 */
@ExtendWith(BasinProcess.DumpLogsOnFailure.class)
class DemoIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int ROWS = 3000;

  @TempDir Path dir;

  private static String value(String dataDir, String query) {
    Exit e =
        BasinProcess.runMain(
            Map.of(),
            null,
            Duration.ofMinutes(2),
            "sql",
            query,
            "--format",
            "csv",
            "--data-dir",
            dataDir);
    assertThat(e.code()).as("%s\n%s", e.stdout(), e.stderr()).isZero();
    List<String> lines = e.stdout().lines().toList();
    assertThat(lines).as(e.stdout()).hasSize(2);
    return lines.get(1).replace("\"", "");
  }

  @Test
  void theDemoBuildsEveryPipelineAndItsDashboardsFromSampleData() {
    Path data = dir.resolve("demo");
    Exit demo =
        BasinProcess.runMain(
            Map.of(),
            null,
            Duration.ofMinutes(8),
            "demo",
            "--data-dir",
            data.toString(),
            "--rows",
            Integer.toString(ROWS),
            "--http-port",
            "0",
            "--pg-port",
            "0",
            "--exit-when-built");
    assertThat(demo.code()).as("%s\n%s", demo.stdout(), demo.stderr()).isZero();
    assertThat(demo.stdout())
        .contains("[1/5]", "[2/5]", "[3/5]", "[4/5]", "[5/5]", "Ready in", "Access key:", "/ui/")
        .containsPattern("http://127\\.0\\.0\\.1:\\d+/ui/#/dashboards/employee-salaries")
        .containsPattern("http://127\\.0\\.0\\.1:\\d+/ui/#/dashboards/spotify-analytics")
        .containsPattern("http://127\\.0\\.0\\.1:\\d+/ui/#/dashboards/live-sales");

    try (BasinProcess server = BasinProcess.start(data)) {
      String dd = server.dataDir().toString();
      assertThat(value(dd, "SELECT sum(employees) FROM warehouse.salary_by_department"))
          .isEqualTo(Integer.toString(ROWS));
      assertThat(Integer.parseInt(value(dd, "SELECT count(*) FROM warehouse.salary_by_skill")))
          .isGreaterThan(3);
      assertThat(value(dd, "SELECT count(*) FROM datalake.spotify"))
          .isEqualTo(Integer.toString(ROWS));
      assertThat(value(dd, "SELECT sum(transactions) FROM curated.daily_sales"))
          .isEqualTo(Integer.toString(ROWS));
      assertThat(Long.parseLong(value(dd, "SELECT count(*) FROM lake.sales_events"))).isPositive();
      assertThat(value(dd, "SELECT count(DISTINCT order_id) = count(*) FROM lake.sales_events"))
          .isEqualTo("true");

      Dashboards d = new Dashboards(server);
      assertThat(
              NativeApi.call(server, "GET", "/api/v1/dashboards", null, 200)
                  .path("dashboards")
                  .findValuesAsText("id"))
          .containsExactlyInAnyOrder("employee-salaries", "spotify-analytics", "live-sales");
      employeeSalaries(d);
      spotifyAnalytics(d);
      liveSales(d, server);
    }
  }

  /** Seed 003: salary by department, skill and age, with the department filter. */
  private static void employeeSalaries(Dashboards d) {
    String id = "employee-salaries";
    d.allVisualsHaveRows(id, List.of());

    assertThat(d.single(id, "employees", null)).isEqualTo(ROWS);
    assertThat(d.single(id, "avg_salary", null))
        .isCloseTo(d.sqlSingle("SELECT avg(salary) FROM raw.employees"), within(1e-6));

    Map<String, List<Double>> byDept =
        d.sql("SELECT department, avg(salary) FROM raw.employees GROUP BY 1");
    List<List<Object>> bars = d.rows(id, "by_department", null);
    assertMatches(keyed(bars), byDept, 1e-6);
    assertDescending(bars, 1);
    // The same figures as the warehouse table the pipeline built (rounded there to cents).
    assertMatches(
        keyed(bars),
        d.sql("SELECT department, avg_salary FROM warehouse.salary_by_department"),
        0.006);

    String skills =
        "SELECT trim(s.skill), avg(salary) FROM raw.employees,"
            + " unnest(string_split(skills, ';')) AS s(skill) GROUP BY 1";
    List<List<Object>> topSkills = d.rows(id, "by_skill", null);
    assertTopN(topSkills, d.sql(skills), 15);
    Map<String, List<Double>> warehouse =
        d.sql("SELECT skill, avg_salary FROM warehouse.salary_by_skill");
    warehouse.keySet().retainAll(keyed(topSkills).keySet());
    assertMatches(keyed(topSkills), warehouse, 0.006);

    List<List<Object>> ages = d.rows(id, "by_age", null);
    assertMatches(
        keyed(ages),
        d.sql(
            "SELECT format('{}-{}', age // 5 * 5, age // 5 * 5 + 4), avg(salary)"
                + " FROM raw.employees GROUP BY 1"),
        1e-6);
    assertThat(ages).extracting(r -> (String) r.get(0)).isSorted();

    assertMatches(
        keyed(d.rows(id, "departments", null)),
        d.sql(
            "SELECT department, count(*), avg(salary), min(salary), max(salary)"
                + " FROM raw.employees GROUP BY 1"),
        1e-6);

    // The department multi-select narrows every visual, the skills dataset's included.
    String twoDepartments = "{\"parameters\": {\"department\": [\"Engineering\", \"Sales\"]}}";
    String where = " WHERE department IN ('Engineering', 'Sales')";
    assertThat(keyed(d.rows(id, "by_department", twoDepartments)).keySet())
        .containsExactlyInAnyOrder("Engineering", "Sales");
    assertThat(d.single(id, "employees", twoDepartments))
        .isEqualTo(d.sqlSingle("SELECT count(*) FROM raw.employees" + where));
    assertTopN(
        d.rows(id, "by_skill", twoDepartments),
        d.sql(
            "SELECT trim(s.skill), avg(salary) FROM raw.employees,"
                + " unnest(string_split(skills, ';')) AS s(skill)"
                + where
                + " GROUP BY 1"),
        15);
  }

  /** Seed 001: popularity, audio features and genres of datalake.spotify, with the genre filter. */
  private static void spotifyAnalytics(Dashboards d) {
    String id = "spotify-analytics";
    d.allVisualsHaveRows(id, List.of());
    String genre = "trim(string_split(genres, ',')[1])";

    assertThat(d.single(id, "tracks", null)).isEqualTo(ROWS);
    assertThat(d.single(id, "artists", null))
        .isEqualTo(d.sqlSingle("SELECT count(DISTINCT artist_id) FROM datalake.spotify"));
    assertThat(d.single(id, "avg_popularity", null))
        .isCloseTo(d.sqlSingle("SELECT avg(popularity) FROM datalake.spotify"), within(1e-6));
    assertThat(d.single(id, "avg_minutes", null))
        .isCloseTo(
            d.sqlSingle("SELECT avg(duration_ms) / 60000 FROM datalake.spotify"), within(1e-6));

    assertTopN(
        d.rows(id, "top_artists", null),
        d.sql("SELECT artist_name, avg(popularity) FROM datalake.spotify GROUP BY 1"),
        10);
    assertTopN(
        d.rows(id, "top_albums", null),
        d.sql("SELECT album_name, avg(popularity) FROM datalake.spotify GROUP BY 1"),
        10);
    assertMatches(
        keyed(d.rows(id, "danceability_vs_popularity", null)),
        d.sql(
            "SELECT artist_name, avg(danceability), avg(popularity) FROM datalake.spotify"
                + " GROUP BY 1"),
        1e-6);
    assertMatches(
        keyed(d.rows(id, "energy_by_genre", null)),
        d.sql(
            "SELECT "
                + genre
                + ", avg(energy), avg(popularity), count(*) FROM datalake.spotify GROUP BY 1"),
        1e-6);
    Map<String, List<Double>> genres =
        d.sql("SELECT " + genre + ", count(*) FROM datalake.spotify GROUP BY 1");
    // The donut keeps the 8 biggest genres and adds up the rest as "Other".
    List<List<Object>> share = d.rows(id, "genre_share", null);
    assertThat(share).hasSize(9);
    assertThat(share.get(8).get(0)).isEqualTo("Other");
    assertTopN(share.subList(0, 8), genres, 8);
    assertThat(num(share.get(8).get(1))).isEqualTo(ROWS - sum(share.subList(0, 8), 1));

    List<List<Object>> bins = d.rows(id, "popularity_histogram", null);
    assertThat(bins).hasSizeLessThanOrEqualTo(20);
    assertThat(bins.stream().mapToDouble(r -> num(r.get(3))).sum()).isEqualTo(ROWS);
    List<Double> range =
        d.sql("SELECT 'all', min(popularity), max(popularity) FROM datalake.spotify").get("all");
    assertThat(num(bins.get(0).get(1))).isEqualTo(range.get(0));
    assertThat(num(bins.get(bins.size() - 1).get(2))).isEqualTo(range.get(1));

    Map<String, List<Double>> years = new LinkedHashMap<>();
    for (List<Object> r : d.rows(id, "popularity_by_year", null)) {
      years.put(((String) r.get(0)).substring(0, 4), List.of(num(r.get(1))));
    }
    assertMatches(
        years,
        d.sql(
            "SELECT CAST(year(release_date) AS VARCHAR), avg(popularity) FROM datalake.spotify"
                + " GROUP BY 1"),
        1e-6);

    String first = genres.keySet().stream().sorted().findFirst().orElseThrow();
    String oneGenre = "{\"parameters\": {\"genre\": " + JSON.valueToTree(first) + "}}";
    assertThat(d.single(id, "tracks", oneGenre)).isEqualTo(genres.get(first).get(0));
    assertThat(keyed(d.rows(id, "genre_share", oneGenre)).keySet()).containsExactly(first);
  }

  /**
   * Seeds 002/004: live sales. Values match SQL over lake.sales_events; orders put on the stream
   * after the demo appear on the dashboard once the delivery has committed them.
   */
  private static void liveSales(Dashboards d, BasinProcess server) {
    String id = "live-sales";
    // The delivery may still commit what the demo's generator sent last: compare at rest.
    eventually(
        Duration.ofSeconds(60),
        () -> {
          d.allVisualsHaveRows(id, List.of());
          double total = d.sqlSingle("SELECT count(*) FROM lake.sales_events");
          assertThat(sum(d.rows(id, "orders_heatmap", null), 2)).isEqualTo(total);
          assertMatches(
              keyed(d.rows(id, "revenue_by_store", null), 2),
              d.sql(
                  "SELECT store || '/' || category, sum(quantity * price) FROM lake.sales_events"
                      + " GROUP BY 1"),
              0.005);
          assertMatches(
              keyed(d.rows(id, "revenue_by_category", null)),
              d.sql("SELECT category, sum(quantity * price) FROM lake.sales_events GROUP BY 1"),
              0.005);
          Map<String, List<Double>> perMinute = new LinkedHashMap<>();
          for (List<Object> r : d.rows(id, "revenue_per_minute", null)) {
            perMinute.put(epochSecond(r.get(0)), List.of(num(r.get(1))));
          }
          assertMatches(
              perMinute,
              d.sql(
                  "SELECT CAST(epoch(date_trunc('minute', ts)) AS BIGINT)::VARCHAR,"
                      + " sum(quantity * price) FROM lake.sales_events GROUP BY 1"),
              0.005);
          List<Object> kpi = d.rows(id, "orders", null).get(0);
          assertThat(num(kpi.get(1)))
              .isEqualTo(
                  d.sqlSingle(
                      "SELECT count(*) FROM lake.sales_events WHERE date_trunc('hour', ts) ="
                          + " (SELECT max(date_trunc('hour', ts)) FROM lake.sales_events)"));
          assertThat(d.single(id, "avg_order", null))
              .isCloseTo(
                  d.sqlSingle("SELECT avg(quantity * price) FROM lake.sales_events"), within(1e-6));
          List<List<Object>> latest = d.rows(id, "latest", null);
          assertThat(latest).hasSize((int) Math.min(50, total));
          assertThat(latest.get(0).get(1))
              .isEqualTo(
                  d.sqlText(
                      "SELECT order_id FROM lake.sales_events ORDER BY ts DESC, order_id LIMIT 1"));
        });

    // The date-range parameter: the day of the latest order keeps it, a range before it drops all.
    String day = d.sqlText("SELECT CAST(CAST(max(ts) AS DATE) AS VARCHAR) FROM lake.sales_events");
    String thatDay =
        "{\"parameters\": {\"period\": {\"from\": \"" + day + "\", \"to\": \"" + day + "\"}}}";
    assertThat(sum(d.rows(id, "orders_heatmap", thatDay), 2))
        .isEqualTo(
            d.sqlSingle(
                "SELECT count(*) FROM lake.sales_events WHERE CAST(ts AS DATE) = DATE '"
                    + day
                    + "'"));
    assertThat(
            d.rows(
                id, "orders_heatmap", "{\"parameters\": {\"period\": {\"to\": \"2000-01-01\"}}}"))
        .isEmpty();

    // New orders arrive on the stream; a later load of the dashboard sees them.
    double before = sum(d.rows(id, "orders_heatmap", null), 2);
    Set<String> sent = new HashSet<>();
    try (KinesisClient kinesis =
        KinesisClients.client(server.endpoint(), server.credentials(), false)) {
      List<PutRecordsRequestEntry> entries = new ArrayList<>();
      String now =
          LocalDateTime.now(ZoneOffset.UTC)
              .truncatedTo(ChronoUnit.SECONDS)
              .format(DateTimeFormatter.ISO_LOCAL_DATE_TIME);
      for (int i = 0; i < 25; i++) {
        String orderId = UUID.randomUUID().toString();
        sent.add(orderId);
        ObjectNode e = JSON.createObjectNode();
        e.put("order_id", orderId)
            .put("ts", now)
            .put("store", i % 2 == 0 ? "Mall" : "Airport")
            .put("product", "Demo check " + i)
            .put("category", "Toys")
            .put("quantity", 1 + i % 5)
            .put("price", 10.5);
        entries.add(
            PutRecordsRequestEntry.builder()
                .partitionKey(orderId)
                .data(SdkBytes.fromString(e.toString(), StandardCharsets.UTF_8))
                .build());
      }
      assertThat(
              kinesis
                  .putRecords(b -> b.streamName("sales-live").records(entries))
                  .failedRecordCount())
          .isZero();
    }
    Poll.until(
        Duration.ofSeconds(90),
        "the live sales dashboard to show the 25 new orders",
        () -> sum(d.rows(id, "orders_heatmap", null), 2) >= before + 25);
    Set<Object> latestIds = new HashSet<>();
    for (List<Object> r : d.rows(id, "latest", null)) {
      latestIds.add(r.get(1));
    }
    assertThat(latestIds).containsAll(sent);
  }

  // ------------------------------------------------------------------ helpers

  /** The REST calls the console makes for a dashboard, and SQL through the queries API. */
  private record Dashboards(BasinProcess server) {

    /** Every visual of the dashboard, except those listed, answers at least one row. */
    void allVisualsHaveRows(String id, List<String> except) {
      JsonNode doc = NativeApi.call(server, "GET", "/api/v1/dashboards/" + id, null, 200);
      JsonNode visuals = doc.path("document").path("visuals");
      assertThat(visuals).as(id).isNotEmpty();
      for (JsonNode v : visuals) {
        String vid = v.path("id").asText();
        if (except.contains(vid)) {
          continue;
        }
        JsonNode data = data(id, vid, null);
        assertThat(data.path("columns")).as("%s/%s columns", id, vid).isNotEmpty();
        assertThat(data.path("rows")).as("%s/%s rows", id, vid).isNotEmpty();
        assertThat(data.path("rowCount").asInt()).isEqualTo(data.path("rows").size());
        assertThat(data.path("truncated").asBoolean()).as("%s/%s truncated", id, vid).isFalse();
      }
    }

    JsonNode data(String id, String visual, String state) {
      return NativeApi.call(
          server,
          "POST",
          "/api/v1/dashboards/" + id + "/visuals/" + visual + "/data",
          state == null ? "{}" : state,
          200);
    }

    List<List<Object>> rows(String id, String visual, String state) {
      return toRows(data(id, visual, state).path("rows"));
    }

    /** The one value of a one-row, one-measure visual (a KPI without comparison). */
    double single(String id, String visual, String state) {
      List<List<Object>> rows = rows(id, visual, state);
      assertThat(rows).as("%s/%s", id, visual).hasSize(1);
      return num(rows.get(0).get(0));
    }

    private JsonNode query(String sql) {
      ObjectNode body = JSON.createObjectNode();
      body.put("sql", sql).put("wait", true).put("includeResults", true).put("maxResults", 1000);
      JsonNode e = NativeApi.call(server, "POST", "/api/v1/queries", body.toString(), 200);
      assertThat(e.path("state").asText()).as("%s: %s", sql, e).isEqualTo("SUCCEEDED");
      assertThat(e.path("results").path("nextToken").isMissingNode()).as(sql).isTrue();
      return e.path("results").path("rows");
    }

    /** A query's rows keyed by their first column, the other columns as numbers. */
    Map<String, List<Double>> sql(String sql) {
      return keyed(toRows(query(sql)));
    }

    double sqlSingle(String sql) {
      return num(query(sql).get(0).get(0).asText());
    }

    String sqlText(String sql) {
      return query(sql).get(0).get(0).asText();
    }
  }

  private static List<List<Object>> toRows(JsonNode rows) {
    List<List<Object>> out = new ArrayList<>();
    for (JsonNode r : rows) {
      List<Object> row = new ArrayList<>();
      for (JsonNode v : r) {
        row.add(v.isNull() ? null : v.isNumber() ? (Object) v.doubleValue() : v.asText());
      }
      out.add(row);
    }
    return out;
  }

  private static Map<String, List<Double>> keyed(List<List<Object>> rows) {
    return keyed(rows, 1);
  }

  /** Rows keyed by their first {@code keys} columns (joined with '/'), the rest as numbers. */
  private static Map<String, List<Double>> keyed(List<List<Object>> rows, int keys) {
    Map<String, List<Double>> out = new LinkedHashMap<>();
    for (List<Object> r : rows) {
      List<String> key = new ArrayList<>();
      for (int i = 0; i < keys; i++) {
        key.add(String.valueOf(r.get(i)));
      }
      List<Double> values = new ArrayList<>();
      for (Object v : r.subList(keys, r.size())) {
        values.add(num(v));
      }
      assertThat(out.put(String.join("/", key), values)).as("duplicate key %s", key).isNull();
    }
    return out;
  }

  private static double num(Object v) {
    assertThat(v).as("a number").isNotNull();
    return v instanceof Double d ? d : Double.parseDouble(v.toString());
  }

  private static double sum(List<List<Object>> rows, int column) {
    return rows.stream().mapToDouble(r -> num(r.get(column))).sum();
  }

  private static String epochSecond(Object isoLocal) {
    return Long.toString(LocalDateTime.parse(isoLocal.toString()).toEpochSecond(ZoneOffset.UTC));
  }

  /** Same keys, and every value within {@code tolerance}. */
  private static void assertMatches(
      Map<String, List<Double>> actual, Map<String, List<Double>> expected, double tolerance) {
    assertThat(actual).isNotEmpty();
    assertThat(actual.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
    actual.forEach(
        (k, values) -> {
          List<Double> want = expected.get(k);
          assertThat(values).as(k).hasSameSizeAs(want);
          for (int i = 0; i < values.size(); i++) {
            assertThat(values.get(i)).as("%s[%d]", k, i).isCloseTo(want.get(i), within(tolerance));
          }
        });
  }

  /**
   * A top-N bar: n rows, highest first, each with the value SQL gives for its key, and none left
   * out that is higher than the lowest kept (ties at the cut may go either way).
   */
  private static void assertTopN(List<List<Object>> rows, Map<String, List<Double>> all, int n) {
    assertThat(rows).hasSize(Math.min(n, all.size()));
    assertDescending(rows, 1);
    Map<String, List<Double>> kept = keyed(rows);
    kept.forEach(
        (k, v) -> {
          assertThat(all).containsKey(k);
          assertThat(v.get(0)).as(k).isCloseTo(all.get(k).get(0), within(1e-6));
        });
    double lowest = num(rows.get(rows.size() - 1).get(1));
    all.forEach(
        (k, v) -> {
          if (!kept.containsKey(k)) {
            assertThat(v.get(0)).as("%s left out of the top %d", k, n).isLessThanOrEqualTo(lowest);
          }
        });
  }

  private static void assertDescending(List<List<Object>> rows, int column) {
    List<Double> values = rows.stream().map(r -> num(r.get(column))).toList();
    assertThat(values).isSortedAccordingTo((a, b) -> Double.compare(b, a));
  }

  /** Retries {@code check} until it passes; fails with its last failure after {@code timeout}. */
  private static void eventually(Duration timeout, Runnable check) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        check.run();
        return;
      } catch (AssertionError e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
      }
      try {
        Thread.sleep(1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
    }
  }
}
