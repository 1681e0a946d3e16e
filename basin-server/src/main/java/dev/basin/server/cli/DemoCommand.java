package dev.basin.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.basin.common.config.Config;
import dev.basin.common.json.Json;
import dev.basin.server.BasinServer;
import dev.basin.server.Logging;
import dev.basin.server.ServerConfig;
import dev.basin.server.client.KinesisHttpClient;
import dev.basin.server.client.KinesisRecordSink;
import dev.basin.stream.generate.Generator;
import dev.basin.stream.generate.RatePlan;
import dev.basin.stream.generate.RenderContext;
import dev.basin.stream.generate.Template;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code basin demo}: starts a server on a fresh data directory and builds the seeds' pipelines
 * with sample data through Basin's own services — the same commands a user would type — then keeps
 * a live sales stream flowing until Ctrl-C.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Start a server on a fresh data directory and build the seeds' pipelines with sample data:",
      "employees (seed 003) → crawl → warehouse aggregates; Spotify CSVs (seed 001) → crawl →",
      "join job → Parquet → crawl; daily sales (seed 004) → crawl → job with data quality →",
      "aggregates; and a live sales stream → delivery (exactly-once Iceberg) → a materialized",
      "view that refreshes while you watch; then dashboards over each (employee salaries,",
      "Spotify analytics, live sales). Prints the URLs and the credentials."
    })
final class DemoCommand implements Callable<Integer> {

  /**
   * The example dashboards, {@code examples/dashboards/<name>.json} on the classpath: each is an
   * export bundle ({@code {"format", "datasets": […], "dashboard": {…}}}).
   */
  static final List<String> DASHBOARDS =
      List.of("employee-salaries", "spotify-analytics", "live-sales");

  private final Map<String, String> env;
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description = "Data directory (default basin-demo)")
  Path dataDir = Path.of("basin-demo");

  @Option(names = "--reset", description = "Delete the data directory first if it exists")
  boolean reset;

  @Option(names = "--http-port", paramLabel = "PORT", description = "HTTP port (default 4580)")
  Integer httpPort;

  @Option(
      names = "--pg-port",
      paramLabel = "PORT",
      description = "PostgreSQL-wire port (default 4581)")
  Integer pgPort;

  @Option(
      names = "--rows",
      paramLabel = "N",
      description = "Rows per sample dataset (default 20000)")
  long rows = 20_000;

  @Option(
      names = "--sales-rate",
      paramLabel = "N",
      description = "Live sales events per second (default 20)")
  int salesRate = 20;

  @Option(
      names = "--exit-when-built",
      description = "Stop once the pipelines are built (for tests) instead of running until Ctrl-C")
  boolean exitWhenBuilt;

  private KinesisHttpClient kinesis;

  DemoCommand(Map<String, String> env) {
    this.env = env;
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    if (Files.exists(dataDir)) {
      if (!reset) {
        throw new IllegalArgumentException(
            dataDir
                + " exists; pass --reset to start over, or --data-dir DIR for another directory");
      }
      if (!Files.exists(dataDir.resolve("credentials")) && !isEmptyDirectory(dataDir)) {
        throw new IllegalArgumentException(
            dataDir
                + " does not look like a Basin data directory (it has no credentials file);"
                + " refusing to delete it — pick another --data-dir");
      }
      deleteTree(dataDir);
    }
    Map<String, String> flags = new LinkedHashMap<>();
    flags.put(ServerConfig.DATA_DIR.name(), dataDir.toString());
    if (httpPort != null) {
      flags.put(ServerConfig.HTTP_PORT.name(), httpPort.toString());
    }
    if (pgPort != null) {
      flags.put(ServerConfig.PG_PORT.name(), pgPort.toString());
    }
    Config config = ServerConfig.definition().resolve(Map.of(), env, flags);
    Logging.configure(config.get(ServerConfig.LOG_FORMAT), "warn");
    long started = System.nanoTime();
    out.println("Basin demo: starting a server in " + dataDir.toAbsolutePath());
    out.flush();
    BasinServer server = new BasinServer(config).start();
    // Ctrl-C while the pipelines are built still closes the server cleanly.
    Thread hook = new Thread(server::close, "basin-demo-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    Generator live = null;
    Thread liveThread = null;
    try {
      Steps steps = new Steps(server, out);
      steps.employees();
      steps.spotify();
      steps.sales();
      live = steps.liveSales();
      Generator g = live;
      liveThread = new Thread(g::run, "basin-demo-sales");
      liveThread.setDaemon(true);
      liveThread.start();
      steps.waitForLiveRows();
      List<String> dashboardIds = steps.dashboards();
      out.printf(
          "%nReady in %.0f s.%n  Console:     http://127.0.0.1:%d/ui/%n  SQL (psql):  psql -h"
              + " 127.0.0.1 -p %d -U %s basin%n  Access key:  %s%n  Secret key:  %s%n"
              + "  Try:         ./basin sql --data-dir %s \"SELECT * FROM lake.sales_by_minute ORDER"
              + " BY minute DESC LIMIT 5\"%n",
          (System.nanoTime() - started) / 1e9,
          server.httpPort(),
          server.pgPort(),
          server.credentials().accessKeyId(),
          server.credentials().accessKeyId(),
          server.credentials().secretAccessKey(),
          dataDir);
      out.println("  Dashboards:");
      for (String id : dashboardIds) {
        out.printf("    http://127.0.0.1:%d/ui/#/dashboards/%s%n", server.httpPort(), id);
      }
      out.println("basin ready http=" + server.httpPort() + " pg=" + server.pgPort());
      out.flush();
      if (!exitWhenBuilt) {
        CountDownLatch stop = new CountDownLatch(1);
        for (String name : new String[] {"TERM", "INT"}) {
          sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> stop.countDown());
        }
        out.println("Live sales are flowing into lake.sales_events; Ctrl-C stops the demo.");
        out.flush();
        stop.await();
      }
      return 0;
    } finally {
      if (live != null) {
        live.stop();
      }
      if (liveThread != null) {
        liveThread.join(10_000);
      }
      if (kinesis != null) {
        kinesis.close();
      }
      server.close();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the JVM is exiting because of Ctrl-C; the hook closes the server (again, harmlessly)
      }
    }
  }

  /** The pipelines, built with the CLI's own commands against the running server. */
  private final class Steps {
    private final BasinServer server;
    private final PrintWriter out;

    Steps(BasinServer server, PrintWriter out) {
      this.server = server;
      this.out = out;
    }

    /** Runs one CLI command against the demo's server; fails with its output if it fails. */
    String run(String... args) {
      StringWriter o = new StringWriter();
      StringWriter e = new StringWriter();
      List<String> full = new ArrayList<>(List.of(args));
      full.add("--data-dir");
      full.add(dataDir.toString());
      CommandLine c = BasinCommand.commandLine(env);
      c.setOut(new PrintWriter(o, true));
      c.setErr(new PrintWriter(e, true));
      int code = c.execute(full.toArray(new String[0]));
      if (code != 0) {
        throw new IllegalStateException("`basin " + String.join(" ", args) + "` failed: " + e + o);
      }
      return o.toString();
    }

    void sql(String statement) {
      run("sql", statement, "--format", "csv");
    }

    String value(String query) {
      List<String> lines = run("sql", query, "--format", "csv").lines().toList();
      return lines.size() < 2 ? "" : lines.get(1).replace("\"", "");
    }

    void step(String title, Runnable body) {
      out.print("  " + title + " … ");
      out.flush();
      long t0 = System.nanoTime();
      body.run();
      out.printf("done (%.1f s)%n", (System.nanoTime() - t0) / 1e9);
      out.flush();
    }

    Path example(String name) {
      byte[] job = resource("/examples/jobs/" + name);
      try {
        Path tmp = Files.createTempFile("basin-demo-", "-" + name);
        tmp.toFile().deleteOnExit();
        Files.write(tmp, job);
        return tmp;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** A file the jar packages from {@code examples/}. */
    byte[] resource(String path) {
      try (InputStream in = DemoCommand.class.getResourceAsStream(path)) {
        if (in == null) {
          throw new IllegalStateException(path + " is not on the classpath; rebuild the jar");
        }
        return in.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    void employees() {
      out.println("[1/5] Employees (seed 003): upload → crawl → warehouse aggregates");
      step(
          "upload " + rows + " employees to s3://raw/employees/",
          () ->
              run(
                  "sample-data",
                  "employees",
                  "--rows",
                  Long.toString(rows),
                  "--out",
                  "s3://raw/employees/"));
      step(
          "crawl s3://raw/employees/ into database raw",
          () -> {
            run("catalog", "create-database", "raw");
            run(
                "crawler",
                "create",
                "employees-raw",
                "--target",
                "s3://raw/employees/",
                "--database",
                "raw");
            run("crawler", "run", "employees-raw");
          });
      step(
          "warehouse.salary_by_department / _by_skill / _by_age",
          () -> {
            run("catalog", "create-database", "warehouse");
            sql(
                "CREATE TABLE warehouse.salary_by_department AS SELECT department, count(*) AS"
                    + " employees, round(avg(salary), 2) AS avg_salary FROM raw.employees GROUP BY 1");
            sql(
                "CREATE TABLE warehouse.salary_by_skill AS SELECT trim(skill) AS skill, count(*)"
                    + " AS employees, round(avg(salary), 2) AS avg_salary FROM raw.employees,"
                    + " unnest(string_split(skills, ';')) AS s(skill) GROUP BY 1");
            sql(
                "CREATE TABLE warehouse.salary_by_age AS SELECT age, count(*) AS employees,"
                    + " round(avg(salary), 2) AS avg_salary FROM raw.employees GROUP BY 1");
          });
    }

    void spotify() {
      out.println("[2/5] Spotify (seed 001): three CSVs → crawl → join job → Parquet → crawl");
      step(
          "upload artists, albums, tracks to s3://raw/spotify/",
          () ->
              run(
                  "sample-data",
                  "spotify",
                  "--rows",
                  Long.toString(rows),
                  "--out",
                  "s3://raw/spotify/"));
      step(
          "crawl into database staging",
          () -> {
            run("catalog", "create-database", "staging");
            run(
                "crawler",
                "create",
                "spotify-staging",
                "--target",
                "s3://raw/spotify/",
                "--database",
                "staging");
            run("crawler", "run", "spotify-staging");
          });
      step(
          "job spotify_join → s3://processed/spotify/",
          () -> {
            run("job", "create", example("spotify_join.yaml").toString());
            run("job", "run", "spotify_join", "--no-progress");
          });
      step(
          "crawl the lake into datalake.spotify",
          () -> {
            run("catalog", "create-database", "datalake");
            run(
                "crawler",
                "create",
                "spotify-lake",
                "--target",
                "s3://processed/spotify/",
                "--database",
                "datalake");
            run("crawler", "run", "spotify-lake");
          });
    }

    void sales() {
      out.println("[3/5] Daily sales (seed 004): raw → processed (data quality) → curated");
      step(
          "upload a year of sales to s3://raw/sales/",
          () ->
              run(
                  "sample-data",
                  "sales",
                  "--rows",
                  Long.toString(rows),
                  "--out",
                  "s3://raw/sales/"));
      step(
          "crawl into raw.sales",
          () -> {
            run(
                "crawler",
                "create",
                "sales-raw",
                "--target",
                "s3://raw/sales/",
                "--database",
                "raw");
            run("crawler", "run", "sales-raw");
          });
      step(
          "jobs sales_raw_to_processed and sales_aggregate",
          () -> {
            run("catalog", "create-database", "processed");
            run("catalog", "create-database", "curated");
            run("job", "create", example("sales_raw_to_processed.yaml").toString());
            run("job", "run", "sales_raw_to_processed", "--no-progress");
            run("job", "create", example("sales_aggregate.yaml").toString());
            run("job", "run", "sales_aggregate", "--no-progress");
          });
    }

    Generator liveSales() {
      out.println(
          "[4/5] Live sales (seeds 002/004): generator → stream → delivery → materialized view");
      step(
          "stream sales-live, table lake.sales_events, delivery sales-to-lake",
          () -> {
            run("stream", "create", "sales-live", "--shards", "2");
            run("catalog", "create-database", "lake");
            sql(
                "CREATE TABLE lake.sales_events (order_id VARCHAR, ts TIMESTAMP, store VARCHAR,"
                    + " product VARCHAR, category VARCHAR, quantity INTEGER, price DECIMAL(10,2))");
            run(
                "delivery",
                "create",
                "sales-to-lake",
                "--source-stream",
                "sales-live",
                "--iceberg-table",
                "lake.sales_events",
                "--buffer-seconds",
                "5");
            sql(
                "CREATE MATERIALIZED VIEW lake.sales_by_minute AS SELECT date_trunc('minute', ts)"
                    + " AS minute, store, count(*) AS orders, sum(quantity * price) AS revenue FROM"
                    + " lake.sales_events GROUP BY ALL");
          });
      Template template =
          Template.parse(
              "{\"order_id\": \"{{random.uuid}}\", \"ts\": \"{{date.utc(\"YYYY-MM-DDTHH:mm:ss\")}}\","
                  + " \"store\": \"{{random.arrayElement([\"Downtown\", \"Mall\","
                  + " \"Airport\", \"Station\"])}}\", \"product\":"
                  + " \"{{commerce.productName}}\", \"category\":"
                  + " \"{{random.arrayElement([\"Home\", \"Electronics\", \"Toys\","
                  + " \"Garden\"])}}\", \"quantity\": {{random.number({\"min\": 1, \"max\": 5})}},"
                  + " \"price\": {{random.number({\"min\": 2, \"max\": 200, \"precision\": 0.01})}}}");
      kinesis =
          new KinesisHttpClient(
              URI.create("http://127.0.0.1:" + server.httpPort()), server.credentials(), false);
      return Generator.builder(template, new KinesisRecordSink(kinesis, "sales-live"))
          .ratePlan(RatePlan.parse(Integer.toString(salesRate), null))
          .renderContext(RenderContext.unseeded())
          .build();
    }

    /**
     * Creates the example datasets and dashboards through the native REST API, as the console's
     * editor would.
     *
     * @return the dashboards' ids
     */
    List<String> dashboards() {
      out.println("[5/5] Dashboards: datasets and dashboards through the REST API");
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
      List<String> ids = new ArrayList<>();
      for (String name : DASHBOARDS) {
        JsonNode bundle =
            Json.read(
                new String(
                    resource("/examples/dashboards/" + name + ".json"),
                    java.nio.charset.StandardCharsets.UTF_8),
                JsonNode.class);
        JsonNode dashboard = bundle.path("dashboard");
        step(
            "dashboard \"" + dashboard.path("name").asText() + "\"",
            () -> {
              for (JsonNode dataset : bundle.path("datasets")) {
                post(http, "/api/v1/datasets", dataset);
              }
              post(http, "/api/v1/dashboards", dashboard);
            });
        ids.add(dashboard.path("id").asText());
      }
      return ids;
    }

    /** POSTs {@code body} to the demo's server as its admin; fails with the server's error. */
    private void post(HttpClient http, String path, JsonNode body) {
      HttpRequest request =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + path))
              .timeout(Duration.ofMinutes(2))
              .header("Content-Type", "application/json")
              .header(
                  "Authorization",
                  "Bearer "
                      + server.credentials().accessKeyId()
                      + ":"
                      + server.credentials().secretAccessKey())
              .POST(HttpRequest.BodyPublishers.ofString(Json.write(body)))
              .build();
      try {
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 201) {
          throw new IllegalStateException(
              "POST " + path + " answered " + r.statusCode() + ": " + r.body());
        }
      } catch (IOException e) {
        throw new UncheckedIOException("POST " + path + " failed", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while creating the demo's dashboards", e);
      }
    }

    void waitForLiveRows() throws InterruptedException {
      out.print("  waiting for the first live sales to land in lake.sales_events … ");
      out.flush();
      long deadline = System.nanoTime() + 120_000_000_000L;
      while (System.nanoTime() < deadline) {
        String n = value("SELECT count(*) FROM lake.sales_events");
        if (!n.isEmpty() && !n.equals("0")) {
          out.println(n + " rows");
          out.flush();
          return;
        }
        Thread.sleep(1000);
      }
      out.println(
          "none yet (the delivery stream buffers for 5 s; check ./basin delivery describe)");
    }
  }

  private static boolean isEmptyDirectory(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.findAny().isEmpty();
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
