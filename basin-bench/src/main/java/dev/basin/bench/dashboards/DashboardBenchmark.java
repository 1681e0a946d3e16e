package dev.basin.bench.dashboards;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.basin.bench.support.BenchArgs;
import dev.basin.bench.support.BenchProcesses;
import dev.basin.catalog.CatalogConfig;
import dev.basin.catalog.LakeCatalog;
import dev.basin.server.auth.Credentials;
import dev.basin.sql.plan.LakeFiles;
import dev.basin.storage.LocalObjectStore;
import dev.basin.storage.LocalObjectStoreConfig;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.io.CloseableIterable;

/**
 * The dashboards benchmark: a 12-visual dashboard over a sales table (default 10M rows, two years
 * of order dates, regions, categories, stores, amounts) built with one {@code CREATE TABLE … AS
 * SELECT} through Basin's SQL; the server runs in its own process. The client loads the dashboard
 * as the viewer does (one data request per visual, at most {@code --pool} in flight) and measures
 * the load time until the last visual's data arrived:
 *
 * <ul>
 *   <li>cold loads: each with a different date-range parameter, so every visual's query is new to
 *       the snapshot-keyed result cache (the files are in the OS page cache, as on a server in
 *       use);
 *   <li>the first load after a server restart (one sample: empty caches in the JVM and DuckDB);
 *   <li>warm loads: the same view again, every visual answered from the result cache;
 *   <li>browser loads (Playwright, the system's Chromium): the viewer's readiness marker {@code
 *       window.basinDashboardReady.ms}, cold and warm;
 *   <li>the peer: plain DuckDB over the very same Parquet files running each cold load's twelve SQL
 *       statements (taken from the data responses) with the same parallelism.
 * </ul>
 *
 * <p>Options: {@code --rows N} (10000000), {@code --cold N} (10), {@code --warm N} (20), {@code
 * --browser-cold N} (5), {@code --browser-warm N} (10), {@code --pool N} (6), {@code --threads N}
 * (DuckDB threads of the peer, default one per core like Basin's engine), {@code --chromium PATH}
 * (/usr/bin/chromium), {@code --skip-browser}, {@code --out FILE}, {@code --work-dir DIR}, {@code
 * --command TEXT}.
 */
public final class DashboardBenchmark {
  static final String DASHBOARD = "bench-sales";
  static final String TABLE = "bench.sales";
  private static final LocalDate FIRST_DAY = LocalDate.of(2024, 1, 1);
  private static final LocalDate LAST_DAY = LocalDate.of(2025, 12, 31);

  private DashboardBenchmark() {}

  public static void main(String[] argv) throws Exception {
    BenchArgs a = BenchArgs.parse(argv);
    long rows = Long.parseLong(a.string("rows", "10000000"));
    int cold = a.integer("cold", 10);
    int warm = a.integer("warm", 20);
    int browserCold = a.integer("browser-cold", 5);
    int browserWarm = a.integer("browser-warm", 10);
    int pool = a.integer("pool", 6);
    int threads = a.integer("threads", Runtime.getRuntime().availableProcessors());
    boolean browser = !a.flag("skip-browser");
    String chromium = a.string("chromium", "/usr/bin/chromium");
    if (rows < 1000 || cold < 1 || warm < 1 || pool < 1 || cold + browserCold > 300) {
      throw new IllegalArgumentException(
          "need --rows ≥ 1000, --cold and --warm ≥ 1, --pool ≥ 1, and --cold + --browser-cold ≤"
              + " 300 (each cold load needs its own date range)");
    }
    Path work =
        a.asMap().containsKey("work-dir")
            ? Path.of(a.string("work-dir", ""))
            : Files.createTempDirectory("basin-bench-dashboards");
    Path out = Path.of(a.string("out", "basin-bench/target/dashboards-benchmark.md"));
    Results r = new Results(visualIds(), visualTypes());
    r.loadBefore = loadAverage();
    String classpath = System.getProperty("java.class.path");
    log("work dir " + work);

    JsonNode bundle = bundle();
    List<String> visualIds = r.visualIds;

    BenchProcesses.Server server = BenchProcesses.startBasin(work, classpath);
    Path dataDir = server.dataDir();
    Credentials keys = Credentials.readFile(dataDir.resolve("credentials"), "default");
    double loadSeconds;
    try {
      BasinApi api = new BasinApi(server.endpoint(), keys.accessKeyId(), keys.secretAccessKey());
      long start = System.nanoTime();
      api.sql("CREATE DATABASE bench");
      api.sql(createSales(rows));
      loadSeconds = (System.nanoTime() - start) / 1e9;
      log(
          String.format(
              Locale.ROOT, "created %s with %,d rows in %.1f s", TABLE, rows, loadSeconds));
      for (JsonNode d : bundle.path("datasets")) {
        api.call("POST", "/api/v1/datasets", d.toString(), 201);
      }
      api.call("POST", "/api/v1/dashboards", bundle.path("dashboard").toString(), 201);
    } finally {
      server.process().stop();
    }
    // The peer reads the same files: list them while the server is down (it holds the catalog).
    List<String> files = listFiles(dataDir);
    long bytes = 0;
    for (String f : files) {
      bytes += Files.size(Path.of(f));
    }
    log(files.size() + " data files, " + bytes / (1 << 20) + " MiB");

    server = BenchProcesses.startBasin(work, classpath);
    try (RestLoads loads =
        new RestLoads(
            new BasinApi(server.endpoint(), keys.accessKeyId(), keys.secretAccessKey()),
            DASHBOARD,
            visualIds,
            pool)) {
      r.afterRestart = loads.load(period(0));
      log(String.format(Locale.ROOT, "first load after restart: %.0f ms", r.afterRestart.ms()));
      for (int i = 1; i <= cold; i++) {
        RestLoads.Load l = loads.load(period(i));
        requireCached(l, false, "cold load " + i);
        r.cold.add(l);
        log(String.format(Locale.ROOT, "cold load %d: %.0f ms", i, l.ms()));
      }
      String full = fullRange();
      loads.load(full); // fills the result cache for the warm loads
      for (int i = 1; i <= warm; i++) {
        RestLoads.Load l = loads.load(full);
        requireCached(l, true, "warm load " + i);
        r.warm.add(l);
      }
      log(String.format(Locale.ROOT, "warm loads: p50 %.1f ms", p(r.warmMs(), 50)));
      if (browser) {
        browserLoads(r, server.endpoint(), keys, chromium, cold, browserCold, browserWarm, work);
      }
    } finally {
      server.process().stop();
    }

    try (DuckDbPeer peer = new DuckDbPeer(TABLE, files, pool, threads)) {
      peer.load(sqls(r.cold.get(0))); // the first read of the files' footers
      for (RestLoads.Load l : r.cold) {
        DuckDbPeer.Result p = peer.load(sqls(l));
        for (int i = 0; i < visualIds.size(); i++) {
          if (p.statements().get(i).rows() != l.visuals().get(i).rows()) {
            throw new IllegalStateException(
                "visual "
                    + visualIds.get(i)
                    + ": Basin answered "
                    + l.visuals().get(i).rows()
                    + " rows, DuckDB "
                    + p.statements().get(i).rows()
                    + " for "
                    + l.visuals().get(i).sql());
          }
        }
        r.peer.add(p);
      }
      log(String.format(Locale.ROOT, "DuckDB peer: p50 %.0f ms", p(r.peerMs(), 50)));
    }

    r.loadAfter = loadAverage();
    String report =
        DashboardReport.render(
            a.string("command", "./bench/dashboards.sh"),
            rows,
            files.size(),
            bytes,
            loadSeconds,
            pool,
            threads,
            r);
    Files.createDirectories(out.toAbsolutePath().getParent());
    Files.writeString(out, report, StandardCharsets.UTF_8);
    System.out.println(report);
    log("report written to " + out);
  }

  private static void browserLoads(
      Results r,
      String endpoint,
      Credentials keys,
      String chromium,
      int coldOffset,
      int browserCold,
      int browserWarm,
      Path work)
      throws Exception {
    try (BrowserLoads b =
        new BrowserLoads(chromium, endpoint, keys.accessKeyId(), keys.secretAccessKey())) {
      for (int i = 1; i <= browserCold; i++) {
        BrowserLoads.Load l = b.load(DASHBOARD, period(coldOffset + i));
        r.browserCold.add(l);
        log(String.format(Locale.ROOT, "browser cold load %d: %.0f ms", i, l.viewerMs()));
      }
      b.screenshot(work.resolve("dashboard.png"));
      for (int i = 1; i <= browserWarm; i++) {
        r.browserWarm.add(b.load(DASHBOARD, fullRange()));
      }
      log(String.format(Locale.ROOT, "browser warm loads: p50 %.0f ms", p(r.browserWarmMs(), 50)));
    } catch (RuntimeException e) {
      r.browserError =
          e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
      log("browser loads failed: " + e);
    }
  }

  /** The dashboard and its dataset, as an export bundle. */
  static JsonNode bundle() throws Exception {
    try (InputStream in = DashboardBenchmark.class.getResourceAsStream("sales-dashboard.json")) {
      return BasinApi.JSON.readTree(in);
    }
  }

  private static List<String> visualIds() throws Exception {
    List<String> out = new ArrayList<>();
    bundle().path("dashboard").path("visuals").forEach(v -> out.add(v.path("id").asText()));
    return out;
  }

  private static List<String> visualTypes() throws Exception {
    List<String> out = new ArrayList<>();
    bundle().path("dashboard").path("visuals").forEach(v -> out.add(v.path("type").asText()));
    return out;
  }

  /** The 1-minute load average, or "?" where /proc/loadavg is missing. */
  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (Exception e) {
      return "?";
    }
  }

  private static void requireCached(RestLoads.Load l, boolean cached, String what) {
    for (RestLoads.VisualTiming v : l.visuals()) {
      if (v.cached() != cached) {
        throw new IllegalStateException(
            what + ": visual " + v.visualId() + " was " + (cached ? "not " : "") + "cached");
      }
    }
  }

  /** A view state whose date range starts {@code k} days after the first day: new SQL per k. */
  static String period(int k) {
    ObjectNode s = BasinApi.JSON.createObjectNode();
    s.putObject("parameters")
        .putObject("period")
        .put("from", FIRST_DAY.plusDays(k).toString())
        .put("to", LAST_DAY.toString());
    return s.toString();
  }

  /** The whole two years: the state of the warm loads. */
  static String fullRange() {
    return "{\"parameters\": {}}";
  }

  private static List<String> sqls(RestLoads.Load l) {
    return l.visuals().stream().map(RestLoads.VisualTiming::sql).toList();
  }

  /** Two years of orders over 5 regions, 8 categories, 200 stores, amounts 1-1000. */
  static String createSales(long rows) {
    return "CREATE TABLE "
        + TABLE
        + " WITH (partitioning = ARRAY['month(order_date)']) AS"
        + " SELECT range AS order_id,"
        + " DATE '2024-01-01' + CAST(range % 731 AS INTEGER) AS order_date,"
        + " ['north', 'south', 'east', 'west', 'central'][1 + CAST(range % 5 AS INTEGER)] AS"
        + " region,"
        + " ['grocery', 'toys', 'garden', 'books', 'tools', 'music', 'sports', 'electronics']"
        + "[1 + CAST((range * 7) % 8 AS INTEGER)] AS category,"
        + " 'store-' || CAST((range * 7919) % 200 AS VARCHAR) AS store,"
        + " CAST(1 + range % 5 AS INTEGER) AS quantity,"
        + " CAST(((range * 104729) % 99900) / 100.0 + 1 AS DECIMAL(10,2)) AS amount"
        + " FROM range("
        + rows
        + ")";
  }

  private static List<String> listFiles(Path dataDir) throws Exception {
    List<String> out = new ArrayList<>();
    try (LocalObjectStore store = LocalObjectStore.open(LocalObjectStoreConfig.defaults(dataDir));
        LakeCatalog catalog =
            LakeCatalog.open(CatalogConfig.sqlite(dataDir), store, java.time.Clock.systemUTC())) {
      Table t = catalog.iceberg().loadTable(TableIdentifier.of("bench", "sales"));
      try (CloseableIterable<FileScanTask> tasks = t.newScan().planFiles()) {
        for (FileScanTask task : tasks) {
          LakeFiles.Location loc = LakeFiles.Location.parse(task.file().location());
          out.add(store.localFile(loc.bucket(), loc.key()).orElseThrow().toString());
        }
      }
    }
    return out;
  }

  /** Nearest-rank percentile of {@code values}. */
  static double p(List<Double> values, double percentile) {
    List<Double> v = new ArrayList<>(values);
    v.sort(null);
    if (v.isEmpty()) {
      return Double.NaN;
    }
    return v.get(
        Math.max(0, Math.min(v.size() - 1, (int) Math.ceil(percentile / 100 * v.size()) - 1)));
  }

  /** Everything measured, for the report. */
  static final class Results {
    final List<String> visualIds;
    final List<String> visualTypes;
    RestLoads.Load afterRestart;
    final List<RestLoads.Load> cold = new ArrayList<>();
    final List<RestLoads.Load> warm = new ArrayList<>();
    final List<DuckDbPeer.Result> peer = new ArrayList<>();
    final List<BrowserLoads.Load> browserCold = new ArrayList<>();
    final List<BrowserLoads.Load> browserWarm = new ArrayList<>();
    String browserError;
    String loadBefore;
    String loadAfter;

    Results(List<String> visualIds, List<String> visualTypes) {
      this.visualIds = visualIds;
      this.visualTypes = visualTypes;
    }

    List<Double> coldMs() {
      return cold.stream().map(RestLoads.Load::ms).toList();
    }

    List<Double> warmMs() {
      return warm.stream().map(RestLoads.Load::ms).toList();
    }

    List<Double> peerMs() {
      return peer.stream().map(DuckDbPeer.Result::ms).toList();
    }

    List<Double> browserColdMs() {
      return browserCold.stream().map(BrowserLoads.Load::viewerMs).toList();
    }

    List<Double> browserWarmMs() {
      return browserWarm.stream().map(BrowserLoads.Load::viewerMs).toList();
    }
  }

  private static void log(String msg) {
    System.err.println("[dashboards-bench] " + msg);
  }
}
