package dev.basin.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.basin.it.BasinProcess.Exit;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code basin demo} runs to completion and leaves the seeds' pipelines built: the warehouse
 * aggregates of the employees, the Spotify lake table, the curated daily sales, and live sales
 * delivered into Iceberg — checked afterwards with SQL on a server started over the demo's data.
 */
@ExtendWith(BasinProcess.DumpLogsOnFailure.class)
class DemoIT {
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
  void theDemoBuildsEveryPipelineFromSampleData() {
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
            "3000",
            "--http-port",
            "0",
            "--pg-port",
            "0",
            "--exit-when-built");
    assertThat(demo.code()).as("%s\n%s", demo.stdout(), demo.stderr()).isZero();
    assertThat(demo.stdout())
        .contains("[1/4]", "[2/4]", "[3/4]", "[4/4]", "Ready in", "Access key:", "/ui/");

    try (BasinProcess server = BasinProcess.start(data)) {
      String dd = server.dataDir().toString();
      assertThat(value(dd, "SELECT sum(employees) FROM warehouse.salary_by_department"))
          .isEqualTo("3000");
      assertThat(Integer.parseInt(value(dd, "SELECT count(*) FROM warehouse.salary_by_skill")))
          .isGreaterThan(3);
      assertThat(value(dd, "SELECT count(*) FROM datalake.spotify")).isEqualTo("3000");
      assertThat(value(dd, "SELECT sum(transactions) FROM curated.daily_sales")).isEqualTo("3000");
      assertThat(Long.parseLong(value(dd, "SELECT count(*) FROM lake.sales_events"))).isPositive();
      assertThat(value(dd, "SELECT count(DISTINCT order_id) = count(*) FROM lake.sales_events"))
          .isEqualTo("true");
    }
  }
}
