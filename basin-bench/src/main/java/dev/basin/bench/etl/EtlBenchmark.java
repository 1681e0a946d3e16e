package dev.basin.bench.etl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.basin.bench.support.BenchArgs;
import dev.basin.bench.support.BenchProcesses;
import dev.basin.etl.sample.SampleDatasets;
import dev.basin.etl.sample.SampleFile;
import dev.basin.server.auth.Credentials;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The ETL benchmark (issue 6): the seed job {@code spotify_join} at each of {@code --rows} track
 * counts through a Basin server in its own process (client in another JVM), against the same
 * join/drop/dedup as one DuckDB statement in a third JVM and, when {@code --spark-classpath} is
 * given, Spark {@code local[2]} in a fourth; then a crawler over 10,000 small objects in 100 Hive
 * partitions (dry run, apply, re-crawl, one-shot). Writes a Markdown report and {@code
 * result.json}.
 *
 * <p>Options: {@code --rows N[,N…]} (default 1000000), {@code --runs N[,N…]} (timed runs per size
 * after one warm-up, default 5), {@code --threads N} (the peer's DuckDB threads; default the cores,
 * as the server's {@code sql.threads=0}), {@code --job FILE} (default {@code
 * examples/jobs/spotify_join.yaml}), {@code --staging crawler|catalog}, {@code --spark-classpath
 * FILE}, {@code --spark-heap 4g}, {@code --crawler-partitions N}, {@code
 * --crawler-objects-per-partition N}, {@code --crawler-runs N}, {@code --skip-etl}, {@code
 * --skip-crawler}, {@code --diagnose} (also runs Basin's step-by-step plan on plain DuckDB), {@code
 * --out FILE}, {@code --work-dir DIR}, {@code --command TEXT}, {@code --report-from result.json}
 * (only renders the report of an earlier run).
 */
public final class EtlBenchmark {
  private static final long SEED = 1;

  private EtlBenchmark() {}

  public static void main(String[] argv) throws Exception {
    BenchArgs a = BenchArgs.parse(argv);
    if (a.string("report-from", null) != null) {
      // Only renders a report from an earlier result.json.
      JsonNode earlier = Http.JSON.readTree(Path.of(a.string("report-from", null)).toFile());
      String md = EtlReport.markdown(a.string("command", "./bench/etl.sh"), earlier);
      Path out = Path.of(a.string("out", "basin-bench/target/etl-benchmark.md"));
      Files.writeString(out, md, StandardCharsets.UTF_8);
      System.out.println(md);
      return;
    }
    long[] rows =
        Arrays.stream(a.string("rows", "1000000").split(",")).mapToLong(Long::parseLong).toArray();
    String[] runs = a.string("runs", "5").split(",");
    int threads = a.integer("threads", Runtime.getRuntime().availableProcessors());
    Path work =
        a.string("work-dir", null) != null
            ? Path.of(a.string("work-dir", null))
            : Files.createTempDirectory("basin-bench-etl");
    Files.createDirectories(work);
    Path out = Path.of(a.string("out", "basin-bench/target/etl-benchmark.md"));
    Path job = Path.of(a.string("job", "examples/jobs/spotify_join.yaml")).toAbsolutePath();
    String classpath = System.getProperty("java.class.path");
    log("work dir " + work);

    ObjectNode raw = Http.JSON.createObjectNode();
    raw.put("cores", Runtime.getRuntime().availableProcessors());
    raw.put("threads", threads);
    if (!a.flag("skip-etl")) {
      ObjectNode etl = raw.putObject("etl");
      for (int i = 0; i < rows.length; i++) {
        String n = runs[Math.min(i, runs.length - 1)];
        etl.set(Long.toString(rows[i]), etl(a, work, classpath, job, rows[i], n, threads));
        Files.writeString(work.resolve("result.json"), raw.toPrettyString());
      }
    }
    if (!a.flag("skip-crawler")) {
      raw.set("crawler", crawler(a, work, classpath));
    }
    Files.writeString(work.resolve("result.json"), raw.toPrettyString());
    String report = EtlReport.markdown(a.string("command", "./bench/etl.sh"), raw);
    Files.createDirectories(out.toAbsolutePath().getParent());
    Files.writeString(out, report, StandardCharsets.UTF_8);
    System.out.println(report);
    log("report written to " + out + "; raw numbers in " + work.resolve("result.json"));
  }

  private static ObjectNode etl(
      BenchArgs a, Path work, String classpath, Path job, long rows, String runs, int threads)
      throws Exception {
    ObjectNode r = Http.JSON.createObjectNode();
    r.put("loadBefore", loadAverage());
    Path csv = work.resolve("spotify-" + rows);
    List<SampleFile> files = generate(csv, rows);
    long csvBytes = files.stream().mapToLong(SampleFile::bytes).sum();
    r.put("csvBytes", csvBytes);
    for (SampleFile f : files) {
      r.put(f.name(), f.rows());
    }

    Path serverWork = work.resolve("basin-" + rows);
    deleteTree(serverWork);
    BenchProcesses.Server server = BenchProcesses.startBasin(serverWork, classpath);
    try {
      Credentials keys = Credentials.readFile(server.dataDir().resolve("credentials"), "default");
      List<String> driver = BenchProcesses.java(classpath);
      driver.add(EtlJobDriver.class.getName());
      driver.addAll(
          List.of(
              "--endpoint", server.endpoint(),
              "--access-key", keys.accessKeyId(),
              "--secret-key", keys.secretAccessKey(),
              "--csv-dir", csv.toString(),
              "--job", job.toString(),
              "--staging", a.string("staging", "catalog"),
              "--runs", runs));
      r.set(
          "basin",
          BenchProcesses.runDriver(
              "etl-driver", driver, work.resolve("logs/etl-driver-" + rows + ".log")));
    } finally {
      server.process().stop();
    }
    // The server's copy of the CSVs and its outputs are not needed any more; disk is.
    deleteTree(serverWork.resolve("basin-data"));

    List<String> peer = BenchProcesses.java(classpath);
    peer.add(RawDuckDbEtlDriver.class.getName());
    peer.addAll(
        List.of(
            "--csv-dir", csv.toString(),
            "--out-dir", work.resolve("duckdb-out").toString(),
            "--runs", runs,
            "--threads", Integer.toString(threads)));
    r.set(
        "duckdb",
        BenchProcesses.runDriver(
            "duckdb-etl", peer, work.resolve("logs/duckdb-etl-" + rows + ".log")));

    if (a.flag("diagnose")) {
      List<String> plan = new ArrayList<>(peer);
      plan.addAll(List.of("--plan", "basin"));
      r.set(
          "duckdbBasinPlan",
          BenchProcesses.runDriver(
              "duckdb-basin-plan", plan, work.resolve("logs/duckdb-basin-plan-" + rows + ".log")));
    }

    String sparkCp = a.string("spark-classpath", null);
    if (sparkCp != null) {
      Path log = work.resolve("logs/spark-etl-" + rows + ".log");
      try {
        r.set("spark", BenchProcesses.runDriver("spark-etl", spark(a, csv, work, runs), log));
      } catch (IllegalStateException e) {
        r.put("sparkError", e.getMessage() + ": " + lastError(log));
        log("Spark peer failed: " + r.get("sparkError").asText());
      }
    }
    r.put("loadAfter", loadAverage());
    return r;
  }

  /** The 1-minute load average, or "" off Linux: other work on the machine skews the medians. */
  static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (IOException e) {
      return "";
    }
  }

  /** {@code java} with Spark's module openings, its test classpath and the peer's main class. */
  private static List<String> spark(BenchArgs a, Path csv, Path work, String runs)
      throws IOException {
    String cp = Files.readString(Path.of(a.string("spark-classpath", null))).strip();
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx" + a.string("spark-heap", "4g"));
    cmd.add("-XX:+IgnoreUnrecognizedVMOptions");
    for (String p :
        List.of(
            "java.lang",
            "java.lang.invoke",
            "java.lang.reflect",
            "java.io",
            "java.net",
            "java.nio",
            "java.util",
            "java.util.concurrent",
            "java.util.concurrent.atomic",
            "jdk.internal.ref",
            "sun.nio.ch",
            "sun.nio.cs",
            "sun.security.action",
            "sun.util.calendar")) {
      cmd.add("--add-opens=java.base/" + p + "=ALL-UNNAMED");
    }
    cmd.add("-Djdk.reflect.useDirectMethodHandle=false");
    cmd.add("-Dio.netty.tryReflectionSetAccessible=true");
    cmd.add("-Dspark.driver.host=127.0.0.1");
    cmd.add("-Dspark.driver.bindAddress=127.0.0.1");
    cmd.add("-cp");
    cmd.add(cp);
    cmd.add("dev.basin.spark.bench.SparkEtlPeer");
    cmd.addAll(
        List.of(
            "--csv-dir",
            csv.toString(),
            "--out-dir",
            work.resolve("spark-out").toString(),
            "--runs",
            runs,
            "--master",
            "local[2]"));
    return cmd;
  }

  private static ObjectNode crawler(BenchArgs a, Path work, String classpath) throws Exception {
    Path serverWork = work.resolve("basin-crawler");
    deleteTree(serverWork);
    BenchProcesses.Server server = BenchProcesses.startBasin(serverWork, classpath);
    try {
      Credentials keys = Credentials.readFile(server.dataDir().resolve("credentials"), "default");
      List<String> driver = BenchProcesses.java(classpath);
      driver.add(CrawlerDriver.class.getName());
      driver.addAll(
          List.of(
              "--endpoint", server.endpoint(),
              "--access-key", keys.accessKeyId(),
              "--secret-key", keys.secretAccessKey(),
              "--partitions", a.string("crawler-partitions", "100"),
              "--objects-per-partition", a.string("crawler-objects-per-partition", "100"),
              "--runs", a.string("crawler-runs", "3")));
      String before = loadAverage();
      ObjectNode r =
          (ObjectNode)
              BenchProcesses.runDriver(
                  "crawler-driver", driver, work.resolve("logs/crawler-driver.log"));
      r.put("loadBefore", before);
      r.put("loadAfter", loadAverage());
      return r;
    } finally {
      server.process().stop();
    }
  }

  /** Writes the Spotify CSVs under {@code dir} once; later runs reuse them (same seed, bytes). */
  private static List<SampleFile> generate(Path dir, long rows) throws IOException {
    Path done = dir.resolve("files.tsv");
    List<SampleFile> files = new ArrayList<>();
    if (Files.exists(done)) {
      for (String line : Files.readAllLines(done)) {
        String[] p = line.split("\t");
        files.add(new SampleFile(p[0], Long.parseLong(p[1]), Long.parseLong(p[2])));
      }
      return files;
    }
    long start = System.nanoTime();
    files =
        SampleDatasets.write(
            "spotify",
            rows,
            SEED,
            name -> {
              Path p = dir.resolve(name);
              Files.createDirectories(p.getParent());
              return new java.io.BufferedOutputStream(Files.newOutputStream(p), 1 << 16);
            });
    List<String> lines = new ArrayList<>();
    for (SampleFile f : files) {
      lines.add(f.name() + "\t" + f.rows() + "\t" + f.bytes());
    }
    Files.write(done, lines);
    log(
        String.format(
            Locale.ROOT, "generated %s in %.1f s", files, (System.nanoTime() - start) / 1e9));
    return files;
  }

  private static String lastError(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      for (int i = lines.size() - 1; i >= 0; i--) {
        String l = lines.get(i);
        if (l.contains("Exception") || l.contains("Error")) {
          return l.strip();
        }
      }
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
    return "(no exception in the log)";
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  static void log(String msg) {
    System.err.println("[etl-bench] " + msg);
  }
}
