package dev.basin.it.crash;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.basin.it.BasinProcess;
import dev.basin.it.NativeApi;
import dev.basin.it.s3.S3Clients;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Kills a real Basin server with SIGKILL while a bookmarked ETL job runs, {@code -Dcrash.cycles}
 * times (default 10): each cycle uploads a new CSV batch, starts the job, kills the server at a
 * random moment (before, during or after the run's commits), and restarts it. Then the job runs
 * until its bookmark is clean, and both of its outputs — an Iceberg table and Parquet objects under
 * a prefix, registered as an external table — must hold every uploaded row exactly once: the same
 * as one clean run over all batches.
 */
@ExtendWith(BasinProcess.DumpLogsOnFailure.class)
class EtlCrashIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int ROWS_PER_BATCH = 20_000;

  @TempDir Path dir;

  static final String JOB =
      """
      name: crash
      settings: {bookmarks: enable}
      nodes:
        - id: src
          type: source
          prefix: {uri: "s3://raw/crash/", format: csv}
        - id: doubled
          type: DerivedColumn
          inputs: [src]
          name: v2
          expression: "v * 2"
        - id: lake
          type: target
          input: doubled
          iceberg: {database: lake, table: crash_events, mode: append}
        - id: files
          type: target
          input: doubled
          prefix:
            uri: "s3://processed/crash/"
            format: parquet
            register: {database: lake, table: crash_files}
      """;

  @Test
  void aBookmarkedJobKilledMidRunNeitherLosesNorDuplicatesRows() throws Exception {
    int cycles = Integer.getInteger("crash.cycles", 10);
    long seed = Long.getLong("crash.seed", System.nanoTime());
    System.out.println("EtlCrashIT: seed=" + seed + " cycles=" + cycles);
    Random random = new Random(seed);
    BasinProcess server = BasinProcess.builder(dir.resolve("data")).maxHeap("768m").start();
    try {
      sql(server, "CREATE DATABASE lake");
      NativeApi.call(server, "POST", "/api/v1/jobs", JOB, 201);
      long expectedRows = 0;
      long expectedSum = 0;
      int killedMidRun = 0;
      for (int cycle = 0; cycle < cycles; cycle++) {
        StringBuilder csv = new StringBuilder("id,v\n");
        for (int i = 0; i < ROWS_PER_BATCH; i++) {
          long id = (long) cycle * ROWS_PER_BATCH + i;
          csv.append(id).append(',').append(id % 97).append('\n');
          expectedRows++;
          expectedSum += id % 97;
        }
        String key = "crash/batch-" + cycle + ".csv";
        try (S3Client s3 = S3Clients.client(server)) {
          s3.putObject(b -> b.bucket("raw").key(key), RequestBody.fromString(csv.toString()));
        }
        JsonNode run = NativeApi.call(server, "POST", "/api/v1/jobs/crash/runs", "{}", 202);
        String path = "/api/v1/jobs/crash/runs/" + run.path("id").asText();
        // Kill at a random moment, or right after the run finished its first N steps: after the
        // transform (before any target), after the Iceberg target committed (while the Parquet
        // target writes), after both targets (before the bookmark commits).
        int mode = cycle % 4;
        JsonNode state = run;
        if (mode == 0) {
          Thread.sleep(random.nextInt(1500));
        } else {
          int steps = mode + 1;
          long deadline = System.nanoTime() + 60_000_000_000L;
          while (state.path("stepsDone").asInt() < steps
              && !state.path("state").asText().matches("SUCCEEDED|FAILED")
              && System.nanoTime() < deadline) {
            state = NativeApi.call(server, "GET", path, null, 200);
          }
        }
        server.kill();
        System.out.println(
            "EtlCrashIT: cycle "
                + cycle
                + " killed at "
                + state.path("state").asText()
                + " steps "
                + state.path("stepsDone").asInt());
        if (!state.path("state").asText().equals("SUCCEEDED")) {
          killedMidRun++;
        }
        server.restart();
      }
      System.out.println(
          "EtlCrashIT: runs killed before they ended: " + killedMidRun + " of " + cycles);
      // Drain: resume a pending epoch, then pick up what is left, until nothing is new.
      for (int i = 0; i < 2 * cycles + 2; i++) {
        JsonNode r =
            NativeApi.call(
                server,
                "POST",
                "/api/v1/jobs/crash/runs",
                "{\"wait\":true,\"waitSeconds\":300}",
                200);
        assertThat(r.path("state").asText()).as(r.toString()).isEqualTo("SUCCEEDED");
        JsonNode b = NativeApi.call(server, "GET", "/api/v1/jobs/crash/bookmark", null, 200);
        if (!r.has("bookmarkEpoch") && b.path("pendingEpoch").isNull()) {
          break;
        }
      }
      JsonNode bookmark = NativeApi.call(server, "GET", "/api/v1/jobs/crash/bookmark", null, 200);
      assertThat(bookmark.path("pendingEpoch").isNull()).as(bookmark.toString()).isTrue();
      for (String table : new String[] {"lake.crash_events", "lake.crash_files"}) {
        assertThat(sql(server, "SELECT count(*) FROM " + table)).as(table).isEqualTo(expectedRows);
        assertThat(sql(server, "SELECT count(DISTINCT id) FROM " + table))
            .as(table)
            .isEqualTo(expectedRows);
        assertThat(sql(server, "SELECT CAST(sum(v) AS BIGINT) FROM " + table))
            .as(table)
            .isEqualTo(expectedSum);
        assertThat(sql(server, "SELECT CAST(sum(v2) AS BIGINT) FROM " + table))
            .as(table)
            .isEqualTo(2 * expectedSum);
      }
    } finally {
      server.close();
    }
  }

  /** The single value of a query through the query service. */
  private static long sql(BasinProcess server, String sql) {
    JsonNode r =
        NativeApi.call(
            server,
            "POST",
            "/api/v1/queries",
            JSON.createObjectNode()
                .put("sql", sql)
                .put("wait", true)
                .put("includeResults", true)
                .toString(),
            200);
    assertThat(r.path("state").asText()).as(r.toString()).isEqualTo("SUCCEEDED");
    JsonNode rows = r.path("results").path("rows");
    return rows.isEmpty() ? 0 : rows.get(0).get(0).asLong();
  }
}
