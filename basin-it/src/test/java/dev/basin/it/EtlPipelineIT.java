package dev.basin.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.basin.it.BasinProcess.Exit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seeds' pipelines as the README runs them, only with the CLI against a real server: seed 001
 * (upload three CSVs → crawl → join job → crawl the lake → SQL) and seed 004 (raw → processed with
 * a data-quality check → aggregated), with results checked against the same question asked of the
 * raw data, and the job CLI's error paths.
 */
@ExtendWith(BasinProcess.DumpLogsOnFailure.class)
class EtlPipelineIT {
  private static final Duration CLI_TIMEOUT = Duration.ofMinutes(5);

  @TempDir Path dir;

  private static Exit cli(String dataDir, String... args) {
    List<String> full = new ArrayList<>(List.of(args));
    full.add("--data-dir");
    full.add(dataDir);
    return BasinProcess.runMain(Map.of(), null, CLI_TIMEOUT, full.toArray(new String[0]));
  }

  private static Exit ok(Exit e) {
    assertThat(e.code()).as("stdout: %s\nstderr: %s", e.stdout(), e.stderr()).isZero();
    return e;
  }

  private static Exit fails(Exit e) {
    assertThat(e.code()).as("stdout: %s\nstderr: %s", e.stdout(), e.stderr()).isNotZero();
    return e;
  }

  /** The single value of a query, through {@code basin sql --format csv}. */
  private static String value(String dataDir, String query) {
    String out = ok(cli(dataDir, "sql", query, "--format", "csv")).stdout();
    List<String> lines = out.lines().toList();
    assertThat(lines).as(out).hasSize(2);
    return lines.get(1).replace("\"", "");
  }

  private static Path example(String name) {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.isDirectory(p.resolve("examples/jobs"))) {
      p = p.getParent();
    }
    assertThat(p).as("examples/jobs above the working directory").isNotNull();
    return p.resolve("examples/jobs").resolve(name);
  }

  @Test
  void seed001UploadCrawlJoinCrawlQuery() {
    try (BasinProcess server = BasinProcess.start(dir.resolve("data"))) {
      String dd = server.dataDir().toString();
      ok(cli(dd, "sample-data", "spotify", "--rows", "3000", "--out", "s3://raw/spotify/"));
      ok(cli(dd, "catalog", "create-database", "staging"));
      ok(cli(dd, "catalog", "create-database", "datalake"));
      ok(
          cli(
              dd,
              "crawler",
              "create",
              "spotify-staging",
              "--target",
              "s3://raw/spotify/",
              "--database",
              "staging"));
      Exit crawl = ok(cli(dd, "crawler", "run", "spotify-staging"));
      assertThat(crawl.stdout()).contains("tracks").contains("albums").contains("artists");
      assertThat(value(dd, "SELECT count(*) FROM staging.tracks")).isEqualTo("3000");

      ok(cli(dd, "job", "create", example("spotify_join.yaml").toString()));
      Exit run = ok(cli(dd, "job", "run", "spotify_join", "--no-progress"));
      assertThat(run.stdout()).contains("SUCCEEDED").contains("datalake");

      ok(
          cli(
              dd,
              "crawler",
              "create",
              "spotify-lake",
              "--target",
              "s3://processed/spotify/",
              "--database",
              "datalake"));
      ok(cli(dd, "crawler", "run", "spotify-lake"));
      assertThat(value(dd, "SELECT count(*) FROM datalake.spotify")).isEqualTo("3000");
      assertThat(value(dd, "SELECT count(DISTINCT track_id) FROM datalake.spotify"))
          .isEqualTo("3000");
      // Every joined row carries its album's and artist's values, as a join over the raw tables
      // does.
      assertThat(
              value(
                  dd,
                  "SELECT count(*) FROM datalake.spotify l JOIN staging.albums a USING (album_id)"
                      + " JOIN staging.artists r ON r.artist_id = l.artist_id"
                      + " WHERE l.album_name = a.album_name AND l.artist_name = r.artist_name"
                      + " AND l.followers = r.followers"))
          .isEqualTo("3000");
      String columns = ok(cli(dd, "sql", "DESCRIBE datalake.spotify", "--format", "csv")).stdout();
      assertThat(columns).doesNotContain("albums_artist_id").doesNotContain("artists_artist_name");

      Exit runs = ok(cli(dd, "job", "runs", "spotify_join"));
      assertThat(runs.stdout()).contains("SUCCEEDED").contains("manual");
      Exit logs = ok(cli(dd, "job", "logs", "spotify_join"));
      assertThat(logs.stdout()).contains("tracks_albums").contains("run SUCCEEDED");
    }
  }

  @Test
  void seed004RawToProcessedWithQualityToAggregated() throws Exception {
    try (BasinProcess server = BasinProcess.start(dir.resolve("data"))) {
      String dd = server.dataDir().toString();
      ok(cli(dd, "sample-data", "sales", "--rows", "5000", "--out", "s3://raw/sales/"));
      // Two broken rows: a quantity out of range and a missing id. They are quarantined, not lost.
      Path late = dir.resolve("late.csv");
      Files.writeString(
          late,
          "transaction_id,date,store,product,category,customer,quantity,price\n"
              + "900001,2025-12-31,Store 1 - Downtown,Gadget,Electronics,c1,9,10.00\n"
              + ",2025-12-31,Store 1 - Downtown,Gadget,Electronics,c2,1,10.00\n");
      ok(cli(dd, "s3", "cp", late.toString(), "s3://raw/sales/sales/late.csv"));
      for (String db : List.of("raw", "processed", "curated")) {
        ok(cli(dd, "catalog", "create-database", db));
      }
      ok(
          cli(
              dd,
              "crawler",
              "create",
              "sales-raw",
              "--target",
              "s3://raw/sales/",
              "--database",
              "raw"));
      ok(cli(dd, "crawler", "run", "sales-raw"));
      String rawRows = value(dd, "SELECT count(*) FROM raw.sales");
      assertThat(rawRows).isEqualTo("5002");
      String rawRevenue =
          value(
              dd,
              "SELECT CAST(sum(CAST(quantity AS DECIMAL(10,2)) * CAST(price AS DECIMAL(10,2))) AS DECIMAL(18,2))"
                  + " FROM raw.sales WHERE transaction_id IS NOT NULL AND CAST(quantity AS INTEGER) BETWEEN 1 AND 5");

      ok(cli(dd, "job", "create", example("sales_raw_to_processed.yaml").toString()));
      Exit run = ok(cli(dd, "job", "run", "sales_raw_to_processed", "--no-progress"));
      assertThat(run.stdout()).contains("SUCCEEDED").contains("QUALITY").contains("FAIL");
      assertThat(value(dd, "SELECT count(*) FROM processed.sales")).isEqualTo("5000");
      Exit quarantine = ok(cli(dd, "s3", "ls", "s3://processed/quarantine/sales/"));
      assertThat(quarantine.stdout()).contains(".json");

      ok(cli(dd, "job", "create", example("sales_aggregate.yaml").toString()));
      ok(cli(dd, "job", "run", "sales_aggregate", "--no-progress"));
      assertThat(value(dd, "SELECT CAST(sum(revenue) AS DECIMAL(18,2)) FROM curated.daily_sales"))
          .isEqualTo(rawRevenue);
      assertThat(value(dd, "SELECT sum(transactions) FROM curated.daily_sales")).isEqualTo("5000");

      // A second run with no new raw objects does nothing (bookmarks).
      Exit again = ok(cli(dd, "job", "run", "sales_raw_to_processed", "--no-progress"));
      assertThat(again.stdout()).contains("SUCCEEDED");
      assertThat(value(dd, "SELECT count(*) FROM processed.sales")).isEqualTo("5000");
    }
  }

  @Test
  void jobErrorsTellTheUserWhatToFix() throws Exception {
    try (BasinProcess server = BasinProcess.start(dir.resolve("data"))) {
      String dd = server.dataDir().toString();
      Path cyclic = dir.resolve("cyclic.yaml");
      Files.writeString(
          cyclic,
          """
          name: cyclic
          nodes:
            - {id: src, type: source, prefix: {uri: "s3://raw/x/", format: csv}}
            - {id: a, type: Filter, inputs: [b], condition: "true"}
            - {id: b, type: Filter, inputs: [a], condition: "true"}
            - {id: out, type: target, input: b, iceberg: {database: lake, table: t}}
          """);
      assertThat(fails(cli(dd, "job", "create", cyclic.toString())).stderr())
          .contains("cycle")
          .contains("a")
          .contains("b");
      Path typo = dir.resolve("typo.yaml");
      Files.writeString(
          typo,
          """
          name: typo
          nodes:
            - {id: src, type: source, prefix: {uri: "s3://raw/x/", format: csv}}
            - {id: f, type: Fliter, inputs: [src], condition: "true"}
          """);
      assertThat(fails(cli(dd, "job", "create", typo.toString())).stderr())
          .contains("Fliter")
          .contains("Filter");
      Path badDq = dir.resolve("dq.yaml");
      Files.writeString(
          badDq,
          """
          name: baddq
          nodes:
            - {id: src, type: source, prefix: {uri: "s3://raw/x/", format: csv}}
            - {id: dq, type: DataQuality, input: src, rules: "Rules = [ IsComplete ]"}
            - {id: out, type: target, input: dq, iceberg: {database: lake, table: t}}
          """);
      assertThat(fails(cli(dd, "job", "create", badDq.toString())).stderr())
          .contains("dq")
          .contains("line");
      assertThat(fails(cli(dd, "job", "run", "missing-job")).stderr())
          .contains("job 'missing-job' does not exist");

      Path missingColumn = dir.resolve("col.yaml");
      Files.writeString(
          missingColumn,
          """
          name: col
          nodes:
            - {id: src, type: source, prefix: {uri: "s3://raw/cols/", format: csv}}
            - {id: pick, type: SelectFields, inputs: [src], columns: [id, nope]}
            - {id: out, type: target, input: pick, iceberg: {database: lake, table: t}}
          """);
      Path csv = dir.resolve("c.csv");
      Files.writeString(csv, "id,name\n1,a\n");
      ok(cli(dd, "s3", "cp", csv.toString(), "s3://raw/cols/c.csv"));
      ok(cli(dd, "job", "create", missingColumn.toString()));
      // The REST API's error shapes.
      assertThat(
              NativeApi.call(server, "POST", "/api/v1/jobs", "name: x\nnodes: []\nbogus: 1\n", 400)
                  .path("error")
                  .path("code")
                  .asText())
          .isEqualTo("INVALID_JOB");
      assertThat(
              NativeApi.call(server, "GET", "/api/v1/jobs/nope", null, 404)
                  .path("error")
                  .path("code")
                  .asText())
          .isEqualTo("JOB_NOT_FOUND");
      assertThat(
              NativeApi.call(server, "POST", "/api/v1/jobs/col/runs", "{\"arguments\": 5}", 400)
                  .path("error")
                  .path("message")
                  .asText())
          .contains("arguments");
      assertThat(
              NativeApi.call(
                      server, "POST", "/api/v1/jobs/col/runs", "{\"trigger\": \"retry\"}", 400)
                  .path("error")
                  .path("message")
                  .asText())
          .contains("reserved");
      assertThat(
              NativeApi.call(server, "GET", "/api/v1/jobs/col/runs/jr_nope", null, 404)
                  .path("error")
                  .path("code")
                  .asText())
          .isEqualTo("RUN_NOT_FOUND");
      Exit failed = fails(cli(dd, "job", "run", "col", "--no-progress"));
      assertThat(failed.stdout()).contains("FAILED").contains("pick").contains("nope");
    }
  }
}
