package dev.basin.bench.delivery;

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
import java.util.Map;

/**
 * Orchestrates the delivery benchmark: starts a Basin server in its own JVM on a fresh data dir,
 * runs {@link DeliveryDriver} as a separate client process, and writes a Markdown report.
 *
 * <p>Options: {@code --rate N} (freshness puts per second, default 20), {@code --fresh-seconds N}
 * (default 30), {@code --load-seconds N} (default 30), {@code --senders N} (throughput sender
 * threads, default 4), {@code --shards N} (default 2), {@code --out FILE}, {@code --work-dir DIR},
 * {@code --command TEXT} (shown in the report).
 */
public final class DeliveryBenchmark {
  private static final ObjectMapper JSON = new ObjectMapper();

  private DeliveryBenchmark() {}

  public static void main(String[] argv) throws Exception {
    Map<String, String> a = parse(argv);
    Path work =
        a.containsKey("work-dir")
            ? Path.of(a.get("work-dir"))
            : Files.createTempDirectory("basin-bench-delivery");
    Path out = Path.of(a.getOrDefault("out", "basin-bench/target/delivery-benchmark.md"));
    String classpath = System.getProperty("java.class.path");
    log("work dir " + work);

    BenchProcesses.Server started = BenchProcesses.startBasin(work, classpath);
    ChildProcess basin = started.process();
    String endpoint = started.endpoint();
    Path dataDir = started.dataDir();
    log("basin server ready at " + endpoint);
    try {
      Credentials keys = Credentials.readFile(dataDir.resolve("credentials"), "default");
      List<String> driver = BenchProcesses.java(classpath);
      driver.add(DeliveryDriver.class.getName());
      driver.addAll(
          List.of(
              "--endpoint", endpoint,
              "--access-key", keys.accessKeyId(),
              "--secret-key", keys.secretAccessKey(),
              "--rate", a.getOrDefault("rate", "20"),
              "--fresh-seconds", a.getOrDefault("fresh-seconds", "30"),
              "--load-seconds", a.getOrDefault("load-seconds", "30"),
              "--senders", a.getOrDefault("senders", "4"),
              "--shards", a.getOrDefault("shards", "2")));
      JsonNode result =
          BenchProcesses.runDriver("delivery-driver", driver, work.resolve("logs/driver.log"));
      Files.writeString(work.resolve("result.json"), result.toPrettyString());
      String report = report(a.getOrDefault("command", "./bench/delivery.sh"), result);
      Files.createDirectories(out.toAbsolutePath().getParent());
      Files.writeString(out, report, StandardCharsets.UTF_8);
      System.out.println(report);
      log("report written to " + out + "; raw result in " + work.resolve("result.json"));
    } finally {
      basin.stop();
    }
  }

  static Map<String, String> parse(String[] argv) {
    return BenchArgs.parse(argv).asMap();
  }

  static String report(String command, JsonNode r) {
    StringBuilder md = new StringBuilder();
    md.append("Command: `").append(command).append("` on ").append(LocalDate.now());
    md.append(" (").append(Runtime.getRuntime().availableProcessors()).append(" cores).\n\n");
    md.append(
        "Freshness: one PutRecords call per record at a steady rate into a Kinesis stream,"
            + " delivered to an Iceberg table. Latency = first time the watcher (polling the"
            + " table's description every ~20 ms) saw a snapshot containing the record − the"
            + " record's put acknowledgement; commit = the snapshot's own timestamp − the"
            + " acknowledgement. Milliseconds.\n\n");
    md.append(
        "| buffering | rate/s × s | acked | delivered | commits | visible p50 | visible p95 |"
            + " visible p99 | visible max | commit p50 | commit p95 |\n");
    md.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (JsonNode f : r.get("freshness")) {
      JsonNode v = f.get("ackToVisible");
      JsonNode c = f.get("ackToCommit");
      md.append(
          String.format(
              Locale.ROOT,
              "| `%s` | %d × %d | %d | %d | %d | %d | %d | %d | %d | %d | %d |%n",
              f.get("buffering").asText(),
              f.get("rate").asInt(),
              f.get("seconds").asInt(),
              f.get("acked").asLong(),
              f.get("delivered").asLong(),
              f.get("commits").asLong(),
              v.path("p50").asLong(),
              v.path("p95").asLong(),
              v.path("p99").asLong(),
              v.path("max").asLong(),
              c.path("p50").asLong(),
              c.path("p95").asLong()));
    }
    JsonNode t = r.get("throughput");
    double ingestSec = t.get("ingestMillis").asLong() / 1000.0;
    double acked = t.get("acked").asLong();
    double parquetMiB = t.get("parquetBytes").asLong() / (1024.0 * 1024.0);
    double inputMiB = t.get("ackedBytes").asLong() / (1024.0 * 1024.0);
    double span = Math.max(1, t.get("commitSpanMillis").asLong()) / 1000.0;
    md.append(
        String.format(
            Locale.ROOT,
            "%nSustained throughput: %d sender threads, PutRecords of 500 × 200-byte JSON records as"
                + " fast as acknowledgements allow for %.0f s into a %d-shard stream, buffering"
                + " `%s`.%n%n",
            t.get("senders").asInt(),
            ingestSec,
            t.get("shards").asInt(),
            t.get("buffering").asText()));
    md.append("| metric | value |\n|---|---|\n");
    row(md, "records acknowledged", String.format(Locale.ROOT, "%.0f", acked));
    row(
        md,
        "ingest rate (whole window)",
        String.format(
            Locale.ROOT,
            "%.0f records/s, %.2f MiB/s of JSON",
            acked / ingestSec,
            inputMiB / ingestSec));
    row(
        md,
        "steady ingest rate (5 s → end of window)",
        String.format(Locale.ROOT, "%.0f records/s", t.path("steadyIngestPerSecond").asDouble()));
    row(
        md,
        "steady delivery rate (5 s → end of window)",
        String.format(
            Locale.ROOT, "%.0f records/s", t.path("steadyDeliveredPerSecond").asDouble()));
    row(
        md,
        "delivered when the producers stopped",
        String.format(
            Locale.ROOT,
            "%d (%.0f%%)",
            t.get("deliveredAtEndOfIngest").asLong(),
            100.0 * t.get("deliveredAtEndOfIngest").asLong() / Math.max(1, acked)));
    row(
        md,
        "all delivered after",
        String.format(
            Locale.ROOT,
            "%.1f s (%d records in the table)",
            t.get("drainedMillis").asLong() / 1000.0,
            t.get("delivered").asLong()));
    long caughtUp = t.get("delivered").asLong() - t.get("deliveredAtEndOfIngest").asLong();
    double catchUpSec = (t.get("drainedMillis").asLong() - t.get("ingestMillis").asLong()) / 1000.0;
    if (caughtUp > 0 && catchUpSec > 0) {
      row(
          md,
          "delivery rate after the producers stopped",
          String.format(Locale.ROOT, "%.0f records/s", caughtUp / catchUpSec));
    }
    row(
        md,
        "commits",
        String.format(
            Locale.ROOT,
            "%d (%.0f records per commit)",
            t.get("commits").asInt(),
            t.get("appendRecords").asLong() / Math.max(1.0, t.get("commits").asInt())));
    row(
        md,
        "Parquet written (zstd)",
        String.format(
            Locale.ROOT,
            "%.1f MiB = %.1f bytes/record, %.2f MiB/s over the %.1f s from first to last commit",
            parquetMiB,
            t.get("parquetBytes").asLong() / Math.max(1.0, t.get("appendRecords").asLong()),
            parquetMiB / span,
            span));
    if (!t.path("errors").asText().isEmpty()) {
      row(md, "client errors", t.get("errors").asText());
    }
    return md.toString();
  }

  private static void row(StringBuilder md, String metric, String value) {
    md.append("| ").append(metric).append(" | ").append(value).append(" |\n");
  }

  private static void log(String message) {
    System.err.println("[delivery-bench] " + message);
  }
}
