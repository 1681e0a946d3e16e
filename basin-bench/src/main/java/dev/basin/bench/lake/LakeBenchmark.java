package dev.basin.bench.lake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.basin.bench.support.BenchArgs;
import dev.basin.bench.support.BenchProcesses;
import dev.basin.bench.support.ChildProcess;
import dev.basin.server.auth.Credentials;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import java.util.stream.StreamSupport;

/**
 * Orchestrates the lake benchmark: starts a Basin server in its own JVM on a fresh data dir, runs
 * {@link S3ThroughputDriver} and {@link IcebergLatencyDriver} as separate client processes, and
 * writes a Markdown report.
 */
public final class LakeBenchmark {
  private static final ObjectMapper JSON = new ObjectMapper();

  private LakeBenchmark() {}

  public static void main(String[] argv) throws Exception {
    BenchArgs a = BenchArgs.parse(argv);
    boolean quick = a.flag("quick");
    int trials = a.integer("trials", quick ? 1 : 3);
    String sizes = a.string("sizes", quick ? "1048576:20,67108864:2" : "1048576:50,67108864:4");
    int commits = a.integer("commits", quick ? 60 : 300);
    int loads = a.integer("loads", quick ? 200 : 1000);
    Path work =
        a.string("work-dir", null) != null
            ? Path.of(a.string("work-dir", null))
            : Files.createTempDirectory("basin-bench-lake");
    Path out = Path.of(a.string("out", "basin-bench/target/lake-benchmark.md"));
    String classpath = System.getProperty("java.class.path");
    log("work dir " + work);

    BenchProcesses.Server started = BenchProcesses.startBasin(work, classpath);
    ChildProcess basin = started.process();
    String endpoint = started.endpoint();
    Path dataDir = started.dataDir();
    log("basin server ready at " + endpoint);
    try {
      Credentials keys = Credentials.readFile(dataDir.resolve("credentials"), "default");
      List<String> s3 = BenchProcesses.java(classpath);
      s3.add(S3ThroughputDriver.class.getName());
      s3.addAll(
          List.of(
              "--endpoint",
              endpoint,
              "--access-key",
              keys.accessKeyId(),
              "--secret-key",
              keys.secretAccessKey(),
              "--disk-dir",
              work.resolve("disk-peer").toString(),
              "--trials",
              Integer.toString(trials),
              "--sizes",
              sizes));
      JsonNode s3Result =
          BenchProcesses.runDriver("s3-driver", s3, work.resolve("logs/s3-driver.log"));

      List<String> ice = BenchProcesses.java(classpath);
      ice.add(IcebergLatencyDriver.class.getName());
      ice.addAll(
          List.of(
              "--endpoint",
              endpoint,
              "--access-key",
              keys.accessKeyId(),
              "--secret-key",
              keys.secretAccessKey(),
              "--peer-dir",
              work.resolve("jdbc-peer").toString(),
              "--commits",
              Integer.toString(commits),
              "--loads",
              Integer.toString(loads)));
      JsonNode iceResult =
          BenchProcesses.runDriver("iceberg-driver", ice, work.resolve("logs/iceberg-driver.log"));

      String report = report(a.string("command", "./bench/lake.sh"), trials, s3Result, iceResult);
      Files.createDirectories(out.toAbsolutePath().getParent());
      Files.writeString(out, report, StandardCharsets.UTF_8);
      System.out.println(report);
      log("report written to " + out);
    } finally {
      basin.stop();
    }
  }

  static String report(String command, int trials, JsonNode s3, JsonNode ice) {
    StringBuilder md = new StringBuilder();
    md.append("Command: `").append(command).append("` on ").append(LocalDate.now());
    md.append(" (").append(Runtime.getRuntime().availableProcessors()).append(" cores).\n\n");
    md.append(
            "Object throughput, one request at a time, AWS SDK v2 `S3Client` in its own process vs"
                + " plain files on the same disk written with an fsync each (`dd conv=fsync`-style)"
                + " and read back. MiB/s, median of ")
        .append(trials)
        .append(" trial(s).\n\n");
    md.append("| object size | op | objects/trial | Basin S3 API | local disk | Basin / disk |\n");
    md.append("|---|---|---|---|---|---|\n");
    List<JsonNode> rows = list(s3.get("rows"));
    for (long size : rows.stream().map(r -> r.get("size").asLong()).distinct().toList()) {
      for (String op : List.of("put", "get")) {
        double basin = median(rows, "basin-s3", op, size, "mibPerSecond");
        double disk = median(rows, "disk", op, size, "mibPerSecond");
        int count =
            rows.stream()
                .filter(r -> r.get("size").asLong() == size)
                .findFirst()
                .orElseThrow()
                .get("count")
                .asInt();
        md.append(
            String.format(
                Locale.ROOT,
                "| %s | %s | %d | %.0f | %.0f | %.2f |%n",
                size >= (1 << 20) ? (size >> 20) + " MiB" : size + " B",
                op.toUpperCase(Locale.ROOT),
                count,
                basin,
                disk,
                basin / disk));
      }
    }
    md.append(
        "\nIceberg catalog latency: Iceberg's `RESTCatalog` client against Basin's `/iceberg/`"
            + " endpoint (commits write the manifest and manifest list through Basin's S3 API, as"
            + " Spark does) vs Iceberg's `JdbcCatalog` embedded in the client process (SQLite, local"
            + " files, no HTTP). One commit appends one data file's metadata.\n\n");
    md.append(
        "| op | samples | Basin REST p50 ms | Basin REST p99 ms | embedded p50 ms | embedded p99 ms"
            + " |\n");
    md.append("|---|---|---|---|---|---|\n");
    List<JsonNode> ic = list(ice.get("rows"));
    for (String op : List.of("commit", "load")) {
      JsonNode b = find(ic, "basin-rest", op);
      JsonNode p = find(ic, "iceberg-jdbc-embedded", op);
      md.append(
          String.format(
              Locale.ROOT,
              "| %s | %d | %.2f | %.2f | %.2f | %.2f |%n",
              op,
              b.get("count").asInt(),
              b.get("p50Ms").asDouble(),
              b.get("p99Ms").asDouble(),
              p.get("p50Ms").asDouble(),
              p.get("p99Ms").asDouble()));
    }
    return md.toString();
  }

  private static List<JsonNode> list(JsonNode array) {
    return StreamSupport.stream(array.spliterator(), false).toList();
  }

  private static JsonNode find(List<JsonNode> rows, String system, String op) {
    return rows.stream()
        .filter(r -> r.get("system").asText().equals(system) && r.get("op").asText().equals(op))
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("no " + system + " " + op + " result"));
  }

  private static double median(
      List<JsonNode> rows, String system, String op, long size, String field) {
    double[] values =
        rows.stream()
            .filter(
                r ->
                    r.get("system").asText().equals(system)
                        && r.get("op").asText().equals(op)
                        && r.get("size").asLong() == size)
            .mapToDouble(r -> r.get(field).asDouble())
            .sorted()
            .toArray();
    int n = values.length;
    return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
  }

  private static void log(String message) {
    System.err.println("[lake-bench] " + message);
  }
}
