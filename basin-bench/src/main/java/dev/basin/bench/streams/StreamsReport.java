package dev.basin.bench.streams;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/** Renders the runs of one benchmark as the "Streams" section of {@code docs/benchmarks.md}. */
final class StreamsReport {
  private static final int TARGET_1KIB = 100_000;
  private static final int TARGET_100B = 300_000;
  private static final double TARGET_E2E_P99_MS = 25;

  private final StreamsBenchmark.Settings settings;
  private final List<StreamsBenchmark.Run> runs;

  StreamsReport(StreamsBenchmark.Settings settings, List<StreamsBenchmark.Run> runs) {
    this.settings = settings;
    this.runs = runs;
  }

  String markdown() {
    StringBuilder md = new StringBuilder();
    md.append("## Streams\n\n");
    md.append("Measured ")
        .append(ZonedDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm z")))
        .append(" on ")
        .append(machine())
        .append(".\n\n");
    md.append("Reproduce: `").append(settings.command()).append("`");
    String commit = gitCommit();
    if (commit != null) {
      md.append(" at commit `").append(commit).append('`');
    }
    md.append("\n\n");
    md.append(workload()).append("\n\n");
    md.append(
        """
        What an acknowledgement means on each side:

        - **basin**: a PutRecords entry is acknowledged (has a sequence number in the response) \
        only after the record is written and fsynced to the shard's segment file (group commit).
        - **kafka**: `acks=all` with replication factor 1 and `min.insync.replicas=1`, Kafka's \
        default flush settings: acknowledged once the leader appended the batch to its log in the \
        page cache. Nothing is fsynced before the ack, so a power loss can lose acknowledged records.
        - **kafka-fsync**: the same, plus the topic setting `flush.messages=1`: the broker fsyncs the \
        partition's log after every append, before it acknowledges — the equivalent of Basin's \
        guarantee.

        """);
    md.append(tables());
    md.append('\n').append(targets()).append('\n');
    md.append(trials());
    return md.toString();
  }

  private String workload() {
    return String.format(
        Locale.ROOT,
        "Each row is the median of %d trial(s); each trial is a fresh producer process (separate"
            + " JVM, `%s`) that sends for %.0f s of warm-up and then %.0f s measured, to a fresh"
            + " stream or topic, then drains. Records of the stated size carry their send time;"
            + " partition keys cycle through 4,096 values. Basin: PutRecords of %d records (%s),"
            + " at most %,d records unacknowledged%s, one GetRecords poller per shard (TRIM_HORIZON,"
            + " limit 10,000, %d ms pause after an empty response). Kafka %s: the Java producer with"
            + " `acks=all`, `batch.size` sized for %d records per partition batch (capped near 1 MB),"
            + " otherwise defaults (`linger.ms` 5, idempotence on, no compression), the same limit of"
            + " records in flight, and a consumer assigned to every partition. The consumer runs in"
            + " the producer's process so put→get uses one clock. Basin server, Kafka broker and"
            + " producer are separate JVMs on the same machine sharing its cores; only one system"
            + " is under load at a time. Throughput counts records acknowledged inside the"
            + " measured window; latencies cover records sent inside it.%s",
        settings.trials(),
        String.join(" ", settings.jvmOptions()),
        settings.warmupSeconds(),
        settings.durationSeconds(),
        settings.batchRecords(),
        settings.cbor() ? "CBOR, as the AWS SDKs send by default" : "JSON with base64 data",
        settings.inFlightRecords(),
        settings.senders() > 1 ? " across " + settings.senders() + " sender threads" : "",
        settings.idlePollMillis(),
        kafkaVersion(),
        settings.batchRecords(),
        (settings.rate() > 0
                ? String.format(Locale.ROOT, " Offered load: %,d records/s.", settings.rate())
                : " Producers send as fast as acknowledgements allow (closed loop).")
            + (settings.quietWaitSeconds() > 0
                ? String.format(
                    Locale.ROOT,
                    " Before each trial the orchestrator waited up to %d s for the machine to be"
                        + " idle (other work on a shared machine).",
                    settings.quietWaitSeconds())
                : ""));
  }

  private List<StreamsBenchmark.Point> points(boolean closedLoop) {
    return runs.stream()
        .map(StreamsBenchmark.Run::point)
        .filter(p -> (p.rate() == settings.rate()) == closedLoop)
        .distinct()
        .toList();
  }

  private String tables() {
    StringBuilder t = new StringBuilder();
    List<StreamsBenchmark.Point> max = points(true);
    List<StreamsBenchmark.Point> fixed = points(false);
    if (!max.isEmpty()) {
      t.append(
          settings.rate() == 0
              ? "### Throughput: send as fast as acknowledgements allow\n\n"
              : fmt("### Offered %,d records/s\n\n", settings.rate()));
      t.append(table(max, true)).append('\n');
    }
    if (!fixed.isEmpty()) {
      t.append("### Latency at a fixed offered load\n\n");
      t.append(
          "The producer paces its sends to the offered rate (same in-flight limit), so latency"
              + " is not dominated by the queue a closed loop builds up.\n\n");
      t.append(table(fixed, false)).append('\n');
    }
    return t.toString();
  }

  private String table(List<StreamsBenchmark.Point> points, boolean ratio) {
    StringBuilder t = new StringBuilder();
    t.append(
        "| Record | Shards | Offered | System | Records/s | MiB/s | Ack p50 / p99 (ms)"
            + " | Put→get p50 / p99 (ms) | Basin ÷ row | CPU cores: server / producer /"
            + " machine (iowait) | Notes |\n");
    t.append("|---|---:|---:|---|---:|---:|---:|---:|---:|---|---|\n");
    for (StreamsBenchmark.Point point : points) {
      double basin = median(ok("basin", point), DriverResult::recordsPerSecond);
      for (String system : settings.systems()) {
        List<StreamsBenchmark.Run> rs = ok(system, point);
        int failed = all(system, point).size() - rs.size();
        t.append("| ").append(sizeLabel(point.size())).append(" | ").append(point.shards());
        t.append(" | ").append(point.rate() == 0 ? "max" : fmt("%,d/s", point.rate()));
        t.append(" | ").append(system).append(" | ");
        if (rs.isEmpty()) {
          t.append("failed | | | | | | ").append(failureNote(system, point)).append(" |\n");
          continue;
        }
        double rps = median(rs, DriverResult::recordsPerSecond);
        t.append(fmt("%,.0f", rps)).append(" | ");
        t.append(fmt("%.1f", median(rs, DriverResult::mibPerSecond))).append(" | ");
        t.append(fmt("%.1f", median(rs, DriverResult::ackP50Ms)))
            .append(" / ")
            .append(fmt("%.1f", median(rs, DriverResult::ackP99Ms)))
            .append(" | ");
        t.append(fmt("%.1f", median(rs, DriverResult::e2eP50Ms)))
            .append(" / ")
            .append(fmt("%.1f", median(rs, DriverResult::e2eP99Ms)))
            .append(" | ");
        t.append(
                !ratio || system.equals("basin") || Double.isNaN(basin)
                    ? "—"
                    : fmt("%.2f", basin / rps))
            .append(" | ");
        t.append(fmt("%.2f", medianRun(rs, StreamsBenchmark.Run::serverCores)))
            .append(" / ")
            .append(fmt("%.2f", medianRun(rs, StreamsBenchmark.Run::producerCores)))
            .append(" / ")
            .append(fmt("%.2f", medianRun(rs, StreamsBenchmark.Run::machineBusyCores)))
            .append(" (")
            .append(fmt("%.2f", medianRun(rs, StreamsBenchmark.Run::iowaitCores)))
            .append(") | ");
        List<String> notes = new ArrayList<>();
        long refused = rs.stream().mapToLong(r -> r.result().failedRecords()).sum();
        if (refused > 0) {
          notes.add(fmt("%,d records refused", refused));
        }
        if (failed > 0) {
          notes.add(failed + " trial(s) failed");
        }
        double other =
            medianRun(rs, r -> r.machineBusyCores() - r.serverCores() - r.producerCores());
        if (other > 0.25) {
          notes.add(fmt("other processes used %.2f cores", other));
        }
        rs.stream()
            .map(r -> r.result().note())
            .filter(n -> !n.isEmpty())
            .distinct()
            .forEach(n -> notes.add(n.replace("|", "/")));
        t.append(String.join("; ", notes)).append(" |\n");
      }
    }
    return t.toString();
  }

  private String targets() {
    StringBuilder t = new StringBuilder("Targets (durable acks, this machine):\n\n");
    if (!settings.systems().contains("basin")) {
      return t.append("- Basin was not run.\n").toString();
    }
    for (int size : settings.sizes()) {
      int target = size == 1024 ? TARGET_1KIB : size == 100 ? TARGET_100B : 0;
      double best = 0;
      int bestShards = 0;
      for (StreamsBenchmark.Point p : points(true)) {
        double rps = median(ok("basin", p), DriverResult::recordsPerSecond);
        if (p.size() == size && !Double.isNaN(rps) && rps > best) {
          best = rps;
          bestShards = p.shards();
        }
      }
      if (target > 0) {
        t.append(
            fmt(
                "- %s records: target ≥ %,d/s; best Basin median %,.0f/s (%d shard(s)) — %s.\n",
                sizeLabel(size),
                target,
                best,
                bestShards,
                best >= target ? "met" : fmt("not met, %.0f%% of target", 100 * best / target)));
      }
    }
    t.append(latencyTarget(points(true), "with the closed loop"));
    if (!points(false).isEmpty()) {
      t.append(latencyTarget(points(false), "at the fixed offered loads"));
    }
    return t.toString();
  }

  private String latencyTarget(List<StreamsBenchmark.Point> points, String where) {
    List<String> p99s = new ArrayList<>();
    boolean all = true;
    for (StreamsBenchmark.Point p : points) {
      double p99 = median(ok("basin", p), DriverResult::e2eP99Ms);
      if (!Double.isNaN(p99)) {
        p99s.add(fmt("%s × %d shard(s): %.1f ms", sizeLabel(p.size()), p.shards(), p99));
        all &= p99 <= TARGET_E2E_P99_MS;
      }
    }
    return fmt(
        "- Put→get p99 ≤ %.0f ms %s: %s — %s.\n",
        TARGET_E2E_P99_MS, where, String.join(", ", p99s), all ? "met" : "not met everywhere");
  }

  private String trials() {
    StringBuilder t = new StringBuilder("<details><summary>Every trial</summary>\n\n");
    t.append(
        "| Trial | Records/s | Ack p99 (ms) | Put→get p99 (ms) | Acked / read back | CPU server / producer |\n");
    t.append("|---|---:|---:|---:|---:|---|\n");
    for (StreamsBenchmark.Run r : runs) {
      if (r.result() == null) {
        t.append("| ").append(r.name()).append(" | failed: ").append(r.failure().replace("|", "/"));
        t.append(" | | | | |\n");
        continue;
      }
      DriverResult d = r.result();
      t.append(
          fmt(
              "| %s | %,.0f | %.1f | %.1f | %,d / %,d | %.2f / %.2f |\n",
              r.name(),
              d.recordsPerSecond(),
              d.ackP99Ms(),
              d.e2eP99Ms(),
              d.ackedTotal(),
              d.receivedTotal(),
              r.serverCores(),
              r.producerCores()));
    }
    t.append("\n</details>\n");
    List<StreamsBenchmark.Run> profiled = runs.stream().filter(r -> r.profile() != null).toList();
    if (!profiled.isEmpty()) {
      t.append(
          "\n<details><summary>CPU profiles of the measured windows (Flight Recorder)</summary>\n\n");
      for (StreamsBenchmark.Run r : profiled) {
        t.append("`").append(r.name()).append("`\n\n```\n").append(r.profile()).append("```\n\n");
      }
      t.append("</details>\n");
    }
    return t.toString();
  }

  private List<StreamsBenchmark.Run> all(String system, StreamsBenchmark.Point point) {
    return runs.stream().filter(r -> r.point().equals(point) && r.system().equals(system)).toList();
  }

  private List<StreamsBenchmark.Run> ok(String system, StreamsBenchmark.Point point) {
    return all(system, point).stream().filter(r -> r.result() != null).toList();
  }

  private String failureNote(String system, StreamsBenchmark.Point point) {
    return all(system, point).stream()
        .map(StreamsBenchmark.Run::failure)
        .findFirst()
        .orElse("not run")
        .replace("|", "/");
  }

  static double median(List<StreamsBenchmark.Run> rs, ToDoubleFunction<DriverResult> f) {
    return medianRun(rs, r -> f.applyAsDouble(r.result()));
  }

  static double medianRun(List<StreamsBenchmark.Run> rs, ToDoubleFunction<StreamsBenchmark.Run> f) {
    double[] v = rs.stream().mapToDouble(f).sorted().toArray();
    if (v.length == 0) {
      return Double.NaN;
    }
    int m = v.length / 2;
    return v.length % 2 == 1 ? v[m] : (v[m - 1] + v[m]) / 2;
  }

  private static String sizeLabel(int size) {
    return size % 1024 == 0 ? (size / 1024) + " KiB" : size + " B";
  }

  private static String fmt(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }

  private static String kafkaVersion() {
    return org.apache.kafka.common.utils.AppInfoParser.getVersion();
  }

  private static String machine() {
    List<String> parts = new ArrayList<>();
    parts.add(Runtime.getRuntime().availableProcessors() + " cores (nproc)");
    String cpu = firstMatch(Path.of("/proc/cpuinfo"), "model name");
    if (cpu != null) {
      parts.add(cpu);
    }
    String mem = firstMatch(Path.of("/proc/meminfo"), "MemTotal");
    if (mem != null) {
      long kib = Long.parseLong(mem.replaceAll("[^0-9]", ""));
      parts.add(fmt("%.1f GiB memory", kib / 1024.0 / 1024.0));
    }
    parts.add(System.getProperty("os.name") + " " + System.getProperty("os.version"));
    parts.add(javaVersion());
    return String.join(", ", parts);
  }

  private static String firstMatch(Path file, String key) {
    try {
      for (String line : Files.readAllLines(file)) {
        if (line.startsWith(key)) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException e) {
      // Not Linux.
    }
    return null;
  }

  /** The checked-out commit, with "+ local changes" when the tree is dirty; null without git. */
  private static String gitCommit() {
    try {
      String head = run("git", "rev-parse", "--short", "HEAD");
      if (head == null || head.isEmpty()) {
        return null;
      }
      String dirty = run("git", "status", "--porcelain", "--untracked-files=no");
      return dirty == null || dirty.isEmpty() ? head : head + " + local changes";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private static String run(String... command) throws InterruptedException {
    try {
      Process p =
          new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      return p.waitFor() == 0 ? out : null;
    } catch (IOException e) {
      return null;
    }
  }

  /** What {@code java -version} prints for the JVM that ran every process, on one line. */
  private static String javaVersion() {
    try {
      Process p =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-version")
              .redirectErrorStream(true)
              .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      p.waitFor();
      return "`java -version`: " + String.join("; ", out.lines().toList());
    } catch (IOException e) {
      return "java " + System.getProperty("java.runtime.version");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "java " + System.getProperty("java.runtime.version");
    }
  }
}
