package dev.basin.bench.dashboards;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DashboardBenchmarkTest {
  @TempDir Path dir;

  @Test
  void theDashboardHasTwelveVisualsOverTheBenchTable() throws Exception {
    JsonNode bundle = DashboardBenchmark.bundle();
    assertThat(bundle.path("datasets")).hasSize(1);
    assertThat(bundle.path("datasets").get(0).path("table").asText())
        .isEqualTo(DashboardBenchmark.TABLE);
    Set<String> ids = new HashSet<>();
    for (JsonNode v : bundle.path("dashboard").path("visuals")) {
      ids.add(v.path("id").asText());
      assertThat(v.path("dataset").asText()).isEqualTo("bench_sales");
    }
    assertThat(ids).hasSize(12);
    assertThat(bundle.path("dashboard").path("id").asText())
        .isEqualTo(DashboardBenchmark.DASHBOARD);
  }

  @Test
  void everyColdLoadGetsItsOwnDateRange() throws Exception {
    Set<String> states = new HashSet<>();
    for (int k = 0; k <= 300; k++) {
      JsonNode period =
          BasinApi.JSON.readTree(DashboardBenchmark.period(k)).path("parameters").path("period");
      assertThat(period.path("from").asText()).isLessThan(period.path("to").asText());
      states.add(period.path("from").asText());
    }
    assertThat(states).hasSize(301);
    assertThat(DashboardBenchmark.period(1)).contains("\"from\":\"2024-01-02\"");
    assertThat(states).doesNotContain(DashboardBenchmark.fullRange());
  }

  @Test
  void percentilesAreNearestRank() {
    List<Double> v = new ArrayList<>();
    for (int i = 10; i >= 1; i--) {
      v.add((double) i);
    }
    assertThat(DashboardBenchmark.p(v, 50)).isEqualTo(5.0);
    assertThat(DashboardBenchmark.p(v, 95)).isEqualTo(10.0);
    assertThat(DashboardBenchmark.p(v, 10)).isEqualTo(1.0);
    assertThat(DashboardBenchmark.p(List.of(), 50)).isNaN();
  }

  @Test
  void rejectsSettingsThatCannotMeasureAnything() {
    assertThatThrownBy(() -> DashboardBenchmark.main(new String[] {"--rows", "10"}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--rows ≥ 1000");
    assertThatThrownBy(
            () -> DashboardBenchmark.main(new String[] {"--cold", "250", "--browser-cold", "100"}))
        .hasMessageContaining("each cold load needs its own date range");
  }

  @Test
  void thePeerRunsALoadsStatementsInParallelOverTheParquetFiles() throws Exception {
    List<String> files = new ArrayList<>();
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement s = c.createStatement()) {
      for (int part = 0; part < 2; part++) {
        Path f = dir.resolve("part-" + part + ".parquet");
        s.execute(
            "COPY (SELECT range AS order_id, ['north', 'south'][1 + CAST(range % 2 AS INTEGER)] AS"
                + " region FROM range("
                + (part * 500)
                + ", "
                + (part * 500 + 500)
                + ")) TO '"
                + f
                + "' (FORMAT parquet)");
        files.add(f.toString());
      }
    }
    try (DuckDbPeer peer = new DuckDbPeer(DashboardBenchmark.TABLE, files, 3, 1)) {
      List<String> sqls = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        sqls.add(
            i % 2 == 0
                ? "SELECT count(*) FROM bench.sales WHERE order_id >= " + i
                : "SELECT region, count(*) FROM bench.sales GROUP BY 1");
      }
      DuckDbPeer.Result r = peer.load(sqls);
      assertThat(r.statements())
          .extracting(DuckDbPeer.Answer::rows)
          .containsExactly(1, 2, 1, 2, 1, 2, 1, 2);
      assertThat(r.statements()).allMatch(a -> a.ms() <= r.ms());
    }
  }
}
