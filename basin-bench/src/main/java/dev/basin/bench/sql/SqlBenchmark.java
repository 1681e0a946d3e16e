package dev.basin.bench.sql;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.basin.bench.support.BenchArgs;
import dev.basin.bench.support.BenchProcesses;
import dev.basin.catalog.CatalogConfig;
import dev.basin.catalog.LakeCatalog;
import dev.basin.server.auth.Credentials;
import dev.basin.sql.plan.LakeFiles;
import dev.basin.storage.LocalObjectStore;
import dev.basin.storage.LocalObjectStoreConfig;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.io.CloseableIterable;

/**
 * The SQL benchmark: builds a sales fact table (default 10M rows, partitioned by month) and two
 * dimension tables as Iceberg tables through Basin's own SQL, then compares the query service
 * (native API, a client JVM) with plain DuckDB reading the very same Parquet files in another JVM,
 * query by query, and measures trivial queries over PostgreSQL wire and the snapshot-keyed result
 * cache. Writes a Markdown report.
 *
 * <p>Options: {@code --rows N} (default 10000000), {@code --runs N} (default 5), {@code --threads
 * N} (DuckDB threads in both, default 2), {@code --out FILE}, {@code --work-dir DIR}, {@code
 * --command TEXT}.
 */
public final class SqlBenchmark {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> TABLES = List.of("sales", "stores", "products");

  private SqlBenchmark() {}

  public static void main(String[] argv) throws Exception {
    Map<String, String> a = BenchArgs.parse(argv).asMap();
    long rows = Long.parseLong(a.getOrDefault("rows", "10000000"));
    String runs = a.getOrDefault("runs", "5");
    String threads = a.getOrDefault("threads", "2");
    Path work =
        a.containsKey("work-dir")
            ? Path.of(a.get("work-dir"))
            : Files.createTempDirectory("basin-bench-sql");
    Path out = Path.of(a.getOrDefault("out", "basin-bench/target/sql-benchmark.md"));
    String classpath = System.getProperty("java.class.path");
    log("work dir " + work);

    BenchProcesses.Server server = BenchProcesses.startBasin(work, classpath);
    Path dataDir = server.dataDir();
    Credentials keys = Credentials.readFile(dataDir.resolve("credentials"), "default");
    String bearer = "Bearer " + keys.accessKeyId() + ":" + keys.secretAccessKey();
    double loadSeconds;
    try {
      HttpClient http = HttpClient.newHttpClient();
      long start = System.nanoTime();
      for (String sql :
          List.of(
              "CREATE DATABASE bench",
              SqlQueries.createSales("bench", rows),
              SqlQueries.createStores("bench"),
              SqlQueries.createProducts("bench"))) {
        SqlServiceDriver.query(http, server.endpoint(), bearer, sql, false);
      }
      loadSeconds = (System.nanoTime() - start) / 1e9;
      log(String.format(Locale.ROOT, "loaded %,d rows in %.1f s", rows, loadSeconds));
    } finally {
      server.process().stop();
    }

    // The peer reads the same files: list them while the server is down (it holds the data dir).
    Path fileList = work.resolve("files.txt");
    long fileCount = listFiles(dataDir, fileList);
    log(fileCount + " data files listed in " + fileList);

    server = BenchProcesses.startBasin(work, classpath);
    JsonNode basin;
    try {
      List<String> driver = BenchProcesses.java(classpath);
      driver.add(SqlServiceDriver.class.getName());
      driver.addAll(
          List.of(
              "--endpoint", server.endpoint(),
              "--pg-port", String.valueOf(server.pgPort()),
              "--access-key", keys.accessKeyId(),
              "--secret-key", keys.secretAccessKey(),
              "--runs", runs));
      basin = BenchProcesses.runDriver("sql-driver", driver, work.resolve("logs/sql-driver.log"));
    } finally {
      server.process().stop();
    }
    List<String> peer = BenchProcesses.java(classpath);
    peer.add(RawDuckDbDriver.class.getName());
    peer.addAll(List.of("--files", fileList.toString(), "--runs", runs, "--threads", threads));
    JsonNode duck = BenchProcesses.runDriver("duckdb-peer", peer, work.resolve("logs/duckdb.log"));

    ObjectNode raw = JSON.createObjectNode();
    raw.set("basin", basin);
    raw.set("duckdb", duck);
    Files.writeString(work.resolve("result.json"), raw.toPrettyString());
    String report =
        report(
            a.getOrDefault("command", "./bench/sql.sh"), rows, fileCount, loadSeconds, basin, duck);
    Files.createDirectories(out.toAbsolutePath().getParent());
    Files.writeString(out, report, StandardCharsets.UTF_8);
    System.out.println(report);
    log("report written to " + out);
  }

  private static long listFiles(Path dataDir, Path out) throws Exception {
    List<String> lines = new ArrayList<>();
    try (LocalObjectStore store = LocalObjectStore.open(LocalObjectStoreConfig.defaults(dataDir));
        LakeCatalog catalog =
            LakeCatalog.open(CatalogConfig.sqlite(dataDir), store, java.time.Clock.systemUTC())) {
      for (String name : TABLES) {
        Table t = catalog.iceberg().loadTable(TableIdentifier.of("bench", name));
        try (CloseableIterable<FileScanTask> tasks = t.newScan().planFiles()) {
          for (FileScanTask task : tasks) {
            LakeFiles.Location loc = LakeFiles.Location.parse(task.file().location());
            Path p = store.localFile(loc.bucket(), loc.key()).orElseThrow();
            lines.add(name + "\t" + p);
          }
        }
      }
    }
    Files.write(out, lines);
    return lines.size();
  }

  static double median(JsonNode times) {
    double[] v = new double[times.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = times.get(i).asDouble();
    }
    Arrays.sort(v);
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  static double percentile(JsonNode times, double p) {
    double[] v = new double[times.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = times.get(i).asDouble();
    }
    Arrays.sort(v);
    return v[Math.min(v.length - 1, (int) Math.ceil(p / 100.0 * v.length) - 1)];
  }

  static String report(
      String command, long rows, long files, double loadSeconds, JsonNode basin, JsonNode duck) {
    StringBuilder md = new StringBuilder();
    md.append("Command: `").append(command).append("` on ").append(LocalDate.now());
    md.append(" (").append(Runtime.getRuntime().availableProcessors()).append(" cores). ");
    md.append(
        String.format(
            Locale.ROOT,
            "%,d-row sales fact table (Iceberg, partitioned by month, %d data files in all three"
                + " tables) built with one CTAS through the query service in %.1f s.%n%n",
            rows,
            files,
            loadSeconds));
    md.append(
        "| query | raw DuckDB | Basin over pgwire | ratio | Basin query service (native API)"
            + " | ratio |\n");
    md.append("|---|---:|---:|---:|---:|---:|\n");
    double logService = 0;
    double logPg = 0;
    int n = 0;
    for (String q : SqlQueries.all().keySet()) {
      double b = median(basin.path("service").path(q));
      double p = median(basin.path("pgwire").path(q));
      double d = median(duck.path(q));
      logService += Math.log(b / d);
      logPg += Math.log(p / d);
      n++;
      md.append(
          String.format(
              Locale.ROOT,
              "| %s | %.1f | %.1f | %.2f× | %.1f | %.2f× |%n",
              q,
              d,
              p,
              p / d,
              b,
              b / d));
    }
    md.append(
        String.format(
            Locale.ROOT,
            "| **geometric mean of ratios** | | | **%.2f×** | | **%.2f×** |%n%n",
            Math.exp(logPg / n),
            Math.exp(logService / n)));
    md.append(
        "Medians in ms. Raw DuckDB: same JDBC driver and thread count, views over the same Parquet"
            + " files, timed in its own JVM. pgwire: pgjdbc in a separate JVM, simple query"
            + " protocol, every row read. Query service: one request with `wait=true`, `includeResults`, result reuse"
            + " off, the first result page in the answer; each execution is recorded in history and its"
            + " result written durably as CSV to `s3://results/` before it reports SUCCEEDED.\n\n");
    md.append(
        String.format(
            Locale.ROOT,
            "PostgreSQL wire (pgjdbc, separate JVM): `SELECT 1` p50 %.2f ms / p99 %.2f ms; point"
                + " lookup on the fact table (prepared, `sale_id = ?`) p50 %.1f ms.%n",
            median(basin.path("pgSelect1")),
            percentile(basin.path("pgSelect1"), 99),
            median(basin.path("pgPointLookup"))));
    md.append(
        String.format(
            Locale.ROOT,
            "Repeated query from the snapshot-keyed result cache (join-category, native API, submit +"
                + " read results): p50 %.2f ms (reused: %s).%n",
            median(basin.path("cache")),
            basin.path("cacheReused").asBoolean()));
    return md.toString();
  }

  private static void log(String msg) {
    System.err.println("[sql-bench] " + msg);
  }
}
