package dev.basin.it.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.basin.it.BasinProcess;
import dev.basin.it.BasinProcess.Exit;
import dev.basin.it.NativeApi;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code basin catalog …} against a running server, end to end: databases, an Iceberg table with
 * rows appended, snapshots and maintenance, an external CSV table with partitions and versions, and
 * the native API's errors for bad input. Everything survives a restart.
 */
@ExtendWith(BasinProcess.DumpLogsOnFailure.class)
class CatalogCliIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration CLI_TIMEOUT = Duration.ofSeconds(60);

  @TempDir Path dir;

  @Test
  void catalogCommandsManageDatabasesAndTables() throws Exception {
    Path dataDir = dir.resolve("data");
    try (BasinProcess server = BasinProcess.start(dataDir)) {
      String dd = dataDir.toString();
      assertThat(cli(dd, "catalog", "create-database", "sales", "--description", "Sales data"))
          .contains("created database sales");
      assertThat(cli(dd, "catalog", "databases")).contains("sales").contains("Sales data");

      assertThat(
              cli(
                  dd,
                  "catalog",
                  "create-table",
                  "sales.orders",
                  "--column",
                  "id bigint",
                  "--column",
                  "region string",
                  "--column",
                  "total decimal(10,2)",
                  "--column",
                  "ts timestamp",
                  "--partition-by",
                  "region",
                  "--partition-by",
                  "day(ts)"))
          .contains("created Iceberg table sales.orders at s3://curated/warehouse/sales");

      Path rows = dir.resolve("rows.ndjson");
      Files.writeString(
          rows,
          """
          {"id": 1, "region": "eu", "total": "19.90", "ts": "2026-11-20T10:00:00Z"}
          {"id": 2, "region": "us", "total": 5, "ts": "2026-11-21T11:30:00Z"}
          {"id": 3, "region": "eu", "total": 7.25, "ts": "2026-11-21T12:00:00Z"}
          """);
      assertThat(cli(dd, "catalog", "append", "sales.orders", "--file", rows.toString()))
          .contains("appended 3 row(s) in 3 file(s)");
      assertThat(cli(dd, "catalog", "append", "sales.orders", "--file", rows.toString()))
          .contains("appended 3 row(s)");

      String describe = cli(dd, "catalog", "describe", "sales.orders");
      assertThat(describe)
          .contains("iceberg")
          .contains("decimal(10,2)")
          .contains("partitioned by: region, day(ts)")
          .contains("total records 6");
      assertThat(cli(dd, "catalog", "snapshots", "sales.orders"))
          .contains("append")
          .contains("current");

      assertThat(cli(dd, "catalog", "compact", "sales.orders", "--min-input-files", "2"))
          .contains("rewrote 6 file(s)")
          .contains("6 rows");
      assertThat(cli(dd, "catalog", "describe", "sales.orders")).contains("total records 6");
      assertThat(cli(dd, "catalog", "expire-snapshots", "sales.orders", "--older-than", "0s"))
          .contains("expired 2 snapshot(s)");
      assertThat(
              cli(
                  dd,
                  "catalog",
                  "remove-orphan-files",
                  "sales.orders",
                  "--older-than",
                  "0s",
                  "--dry-run",
                  "--force"))
          .contains("dry run");
      JsonNode unsafe =
          post(
              server,
              "/api/v1/catalog/databases/sales/tables/orders/maintenance",
              "{\"action\":\"remove-orphan-files\",\"olderThan\":\"1h\"}",
              400);
      assertThat(unsafe.path("error").path("message").asText()).contains("under a day");

      assertThat(
              cli(
                  dd,
                  "catalog",
                  "create-table",
                  "sales.raw_events",
                  "--format",
                  "csv",
                  "--location",
                  "s3://raw/events/",
                  "--column",
                  "id bigint",
                  "--column",
                  "name string",
                  "--partition-key",
                  "dt string",
                  "--serde",
                  "field.delim=|",
                  "--param",
                  "skip.header.line.count=1"))
          .contains("created external table sales.raw_events at s3://raw/events/");
      assertThat(cli(dd, "catalog", "add-partition", "sales.raw_events", "--values", "2026-11-21"))
          .contains("added partition 2026-11-21");
      assertThat(cli(dd, "catalog", "partitions", "sales.raw_events"))
          .contains("s3://raw/events/dt=2026-11-21/");
      assertThat(cli(dd, "catalog", "tables", "sales"))
          .contains("orders")
          .contains("ICEBERG")
          .contains("raw_events")
          .contains("EXTERNAL");
      assertThat(cli(dd, "catalog", "versions", "sales.raw_events")).contains("current");

      // Bad input gets a clear message and changes nothing.
      Exit badType =
          BasinProcess.runMain(
              Map.of(),
              null,
              CLI_TIMEOUT,
              "catalog",
              "create-table",
              "sales.bad",
              "--column",
              "id bigintt",
              "--data-dir",
              dd);
      assertThat(badType.code()).isNotZero();
      assertThat(badType.stderr()).contains("bigintt");
      JsonNode badRow =
          post(
              server,
              "/api/v1/catalog/databases/sales/tables/orders/rows",
              "{\"id\": \"seven\", \"region\": \"eu\"}\n",
              400);
      assertThat(badRow.path("error").path("message").asText())
          .contains("line 1")
          .contains("field 'id'");
      JsonNode missing = get(server, "/api/v1/catalog/databases/nope/tables", 404);
      assertThat(missing.path("error").path("code").asText()).isEqualTo("DATABASE_NOT_FOUND");
      Exit notEmpty =
          BasinProcess.runMain(
              Map.of(), null, CLI_TIMEOUT, "catalog", "drop-database", "sales", "--data-dir", dd);
      assertThat(notEmpty.code()).isNotZero();
      assertThat(cli(dd, "catalog", "describe", "sales.orders")).contains("total records 6");

      assertThat(server.stop()).isZero();
      server.restart();
      assertThat(cli(dd, "catalog", "describe", "sales.orders")).contains("total records 6");
      assertThat(cli(dd, "catalog", "drop-table", "sales.orders", "--purge"))
          .contains("dropped table sales.orders");
      assertThat(cli(dd, "catalog", "tables", "sales")).doesNotContain("orders ");
    }
  }

  private static String cli(String dataDir, String... args) {
    String[] full = new String[args.length + 2];
    System.arraycopy(args, 0, full, 0, args.length);
    full[args.length] = "--data-dir";
    full[args.length + 1] = dataDir;
    Exit exit = BasinProcess.runMain(Map.of(), null, CLI_TIMEOUT, full);
    assertThat(exit.code())
        .as(
            "basin %s\nstdout: %s\nstderr: %s",
            String.join(" ", args), exit.stdout(), exit.stderr())
        .isZero();
    return exit.stdout();
  }

  private JsonNode get(BasinProcess server, String path, int status) {
    return NativeApi.call(server, "GET", path, null, status);
  }

  private JsonNode post(BasinProcess server, String path, String body, int status) {
    return NativeApi.call(server, "POST", path, body, status);
  }
}
