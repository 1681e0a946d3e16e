package dev.basin.bench.etl;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.basin.bench.support.BenchArgs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

/**
 * The DuckDB peer of the ETL benchmark, in its own JVM: the seed job as one {@code COPY (SELECT …
 * FROM read_csv(…) JOIN …) TO '…parquet'} over the same CSV files, on one in-memory DuckDB with the
 * server's thread count (and memory limit when given). One untimed warm-up, then {@code --runs}
 * timed runs, the output deleted before each. Prints {@code RESULT {"millis": […], "rows": N,
 * "bytes": N}}.
 *
 * <p>With {@code --plan basin} it runs Basin's step-by-step plan instead (a diagnostic, see {@link
 * SpotifyTables#basinSteps}) and adds per-step times.
 *
 * <p>Options: {@code --csv-dir DIR --out-dir DIR --runs N --threads N [--memory-limit 4GB] [--plan
 * single|basin]}.
 */
public final class RawDuckDbEtlDriver {

  private RawDuckDbEtlDriver() {}

  public static void main(String[] argv) throws Exception {
    BenchArgs a = BenchArgs.parse(argv);
    Path csvDir = Path.of(a.required("csv-dir"));
    Path outDir = Path.of(a.required("out-dir"));
    int runs = a.integer("runs", 5);
    int threads = a.integer("threads", Runtime.getRuntime().availableProcessors());
    String memoryLimit = a.string("memory-limit", "");
    Files.createDirectories(outDir);
    Path out = outDir.resolve("spotify.parquet");
    String copy = SpotifyTables.duckDbCopy(csvDir.toString(), out.toString());
    ObjectMapper json = new ObjectMapper();
    ObjectNode result = json.createObjectNode();
    ArrayNode times = result.putArray("millis");
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement s = c.createStatement()) {
      s.execute("SET threads = " + threads);
      if (!memoryLimit.isBlank()) {
        s.execute("SET memory_limit = '" + memoryLimit.replace("'", "''") + "'");
      }
      if (a.string("plan", "single").equals("basin")) {
        basinPlan(s, csvDir, out, runs, result);
        System.out.println("RESULT " + json.writeValueAsString(result));
        return;
      }
      long rows = 0;
      for (int i = -1; i < runs; i++) {
        Files.deleteIfExists(out);
        long start = System.nanoTime();
        rows = s.executeUpdate(copy);
        double ms = (System.nanoTime() - start) / 1e6;
        if (i >= 0) {
          times.add(ms);
        }
        System.err.printf("[duckdb-etl] run %d: %.0f ms, %d rows%n", i + 1, ms, rows);
      }
      result.put("rows", rows);
      result.put("bytes", Files.size(out));
      result.put("threads", threads);
      result.put("memoryLimit", memoryLimit.isBlank() ? "default" : memoryLimit);
    }
    Files.deleteIfExists(out);
    System.out.println("RESULT " + json.writeValueAsString(result));
  }

  /**
   * The diagnostic: Basin's step-by-step plan ({@link SpotifyTables#basinSteps}) on plain DuckDB,
   * timing each step, to tell the plan's cost from the service's.
   */
  private static void basinPlan(Statement s, Path csvDir, Path out, int runs, ObjectNode result)
      throws Exception {
    ArrayNode times = result.putArray("millis");
    ObjectNode steps = result.putObject("steps");
    for (int i = -1; i < runs; i++) {
      Files.deleteIfExists(out);
      long start = System.nanoTime();
      for (Map.Entry<String, List<String>> step :
          SpotifyTables.basinSteps(csvDir.toString(), out.toString()).entrySet()) {
        long t0 = System.nanoTime();
        for (String sql : step.getValue()) {
          s.execute(sql);
        }
        if (i >= 0) {
          ArrayNode t = (ArrayNode) steps.get(step.getKey());
          (t == null ? steps.putArray(step.getKey()) : t).add((System.nanoTime() - t0) / 1e6);
        }
      }
      double ms = (System.nanoTime() - start) / 1e6;
      if (i >= 0) {
        times.add(ms);
      }
      System.err.printf("[duckdb-etl] Basin's plan, run %d: %.0f ms%n", i + 1, ms);
    }
    result.put("bytes", Files.size(out));
    Files.deleteIfExists(out);
  }
}
