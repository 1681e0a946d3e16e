package dev.basin.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.basin.catalog.LakeCatalog;
import dev.basin.catalog.crawler.Crawlers;
import dev.basin.common.config.Config;
import dev.basin.common.error.BasinException;
import dev.basin.common.error.CommonErrorCode;
import dev.basin.common.io.DurableFiles;
import dev.basin.common.json.Json;
import dev.basin.dashboards.DashboardService;
import dev.basin.delivery.DeliveryEngine;
import dev.basin.etl.run.JobService;
import dev.basin.server.api.BucketsRestApi;
import dev.basin.server.api.CatalogRestApi;
import dev.basin.server.api.CrawlersRestApi;
import dev.basin.server.api.DashboardExportApi;
import dev.basin.server.api.DashboardsRestApi;
import dev.basin.server.api.DeliveryRestApi;
import dev.basin.server.api.JobsRestApi;
import dev.basin.server.api.QueriesRestApi;
import dev.basin.server.api.StreamsRestApi;
import dev.basin.server.api.UsersRestApi;
import dev.basin.server.athena.AthenaApi;
import dev.basin.server.auth.Credentials;
import dev.basin.server.auth.Users;
import dev.basin.server.aws.AwsJsonEndpoint;
import dev.basin.server.firehose.FirehoseApi;
import dev.basin.server.http.Authenticator;
import dev.basin.server.http.PrintTickets;
import dev.basin.server.iceberg.IcebergRestApi;
import dev.basin.server.kinesis.KinesisApi;
import dev.basin.server.metrics.DeliveryStreamMetrics;
import dev.basin.server.metrics.StreamMetrics;
import dev.basin.server.pgwire.PgWireServer;
import dev.basin.server.s3.LifecycleRestApi;
import dev.basin.server.s3.S3Api;
import dev.basin.server.ui.ConsoleRoutes;
import dev.basin.sql.DuckDbSqlEngine;
import dev.basin.sql.SqlEngineConfig;
import dev.basin.sql.mv.MaterializedViewRefresher;
import dev.basin.sql.mv.MaterializedViews;
import dev.basin.sql.service.QueryService;
import dev.basin.storage.LocalObjectStore;
import dev.basin.storage.LocalObjectStoreConfig;
import dev.basin.stream.StreamService;
import dev.basin.stream.log.LocalStreamLog;
import dev.basin.stream.log.LocalStreamLogConfig;
import io.javalin.Javalin;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: builds every service from the configuration, serves them on one HTTP port,
 * and shuts them down in order. One server owns a data directory at a time (a lock file enforces
 * it).
 */
public final class BasinServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(BasinServer.class);

  /**
   * The Chromium that dashboard export runs: {@code export.chromium} when set (an executable file),
   * else the usual places and the {@code PATH}. Logs the choice; empty when export is unavailable.
   */
  private static java.util.Optional<Path> chromium(Config config) {
    String configured = config.get(ServerConfig.EXPORT_CHROMIUM);
    java.util.Optional<Path> found =
        dev.basin.server.ui.HeadlessChromium.locate(configured, System.getenv("PATH"));
    if (found.isPresent()) {
      LOG.info("dashboard export uses Chromium at {}", found.get());
    } else if (configured != null && !configured.isBlank()) {
      LOG.warn(
          "dashboard export is unavailable: export.chromium '{}' is not an executable file",
          configured.strip());
    } else {
      LOG.info(
          "dashboard export is unavailable: no Chromium found (install the chromium package or"
              + " set export.chromium)");
    }
    return found;
  }

  private final Config config;
  private final Path dataDir;
  private final Clock clock = Clock.systemUTC();
  private final PrometheusMeterRegistry metrics =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private FileChannel lockChannel;
  private FileLock lock;
  private Credentials credentials;
  private LocalStreamLog streamLog;
  private StreamService streams;
  private LocalObjectStore objectStore;
  private LakeCatalog catalog;
  private Crawlers crawlers;
  private DeliveryEngine delivery;
  private DuckDbSqlEngine sqlEngine;
  private MaterializedViews materializedViews;
  private MaterializedViewRefresher materializedViewRefresher;
  private QueryService queries;
  private JobService jobs;
  private DashboardService dashboards;
  private Users users;
  private Javalin http;
  private PgWireServer pgwire;
  private ScheduledExecutorService background;
  private volatile boolean ready;
  private int httpPort;
  private int pgPort;

  public BasinServer(Config config) {
    this.config = config;
    this.dataDir = ServerConfig.dataDir(config);
  }

  /**
   * Starts every service and the HTTP listener. When this returns the server answers requests and
   * {@code server.json} names its ports.
   *
   * @throws BasinException if the data directory is in use by another server or a port is taken
   */
  public BasinServer start() {
    try {
      DurableFiles.createDirectories(dataDir);
      lockDataDir();
      credentials =
          Credentials.loadOrCreate(
              dataDir.resolve("credentials"), credentialsFromConfig(), new SecureRandom());
      Path streamsDir = dataDir.resolve("streams");
      LocalStreamLogConfig logConfig =
          new LocalStreamLogConfig(
              streamsDir,
              config.get(ServerConfig.SEGMENT_BYTES),
              config.get(ServerConfig.SEGMENT_AGE),
              config.get(ServerConfig.FSYNC_MODE),
              config.get(ServerConfig.FSYNC_INTERVAL),
              LocalStreamLogConfig.DEFAULT_INDEX_INTERVAL_BYTES);
      streamLog = new LocalStreamLog(logConfig, clock);
      String account = config.get(ServerConfig.ACCOUNT_ID);
      StreamMetrics streamMetrics = new StreamMetrics(metrics);
      streams =
          new StreamService(
              streamLog,
              streamsDir,
              iteratorKey(),
              ServerConfig.streams(config),
              clock,
              streamMetrics,
              account);
      objectStore =
          LocalObjectStore.open(
              LocalObjectStoreConfig.defaults(dataDir)
                  .withMinPartSize(config.get(ServerConfig.STORAGE_MIN_PART_SIZE)),
              clock);
      for (String bucket : ServerConfig.defaultBuckets(config)) {
        if (objectStore.bucket(bucket).isEmpty()) {
          objectStore.createBucket(bucket);
        }
      }
      catalog = LakeCatalog.open(ServerConfig.catalog(config), objectStore, clock);
      crawlers = Crawlers.open(catalog, objectStore, clock);
      delivery =
          DeliveryEngine.open(
              dataDir.resolve("delivery"),
              streams,
              objectStore,
              catalog,
              clock,
              new DeliveryEngine.Options(
                  config.get(ServerConfig.DELIVERY_POLL_INTERVAL),
                  config.get(ServerConfig.DELIVERY_MAX_STREAMS),
                  config.get(ServerConfig.DELIVERY_COMPACTION_INTERVAL),
                  config.get(ServerConfig.DELIVERY_SNAPSHOT_RETENTION),
                  new DeliveryStreamMetrics(metrics)));
      SqlEngineConfig sqlConfig = SqlEngineConfig.defaults(dataDir);
      String memoryLimit = config.get(ServerConfig.SQL_MEMORY_LIMIT);
      if (memoryLimit != null && !memoryLimit.isBlank()) {
        sqlConfig = sqlConfig.withMemoryLimit(memoryLimit);
      }
      sqlConfig = sqlConfig.withThreads(config.get(ServerConfig.SQL_THREADS));
      sqlEngine = DuckDbSqlEngine.open(sqlConfig, catalog, objectStore, clock);
      materializedViews = new MaterializedViews(sqlEngine);
      sqlEngine.materializedViews(materializedViews);
      materializedViewRefresher = new MaterializedViewRefresher(materializedViews);
      materializedViewRefresher.start();
      queries =
          QueryService.open(
              ServerConfig.queries(config, dataDir),
              sqlEngine,
              objectStore,
              catalog.config(),
              clock);
      jobs =
          JobService.open(
              catalog.config(),
              sqlEngine,
              objectStore,
              clock,
              config.get(ServerConfig.JOB_WORKERS));
      dashboards =
          DashboardService.open(
              catalog.config(), sqlEngine, clock, DashboardService.DEFAULT_MAX_ROWS);
      users = Users.open(catalog.config(), clock);
      new JvmMemoryMetrics().bindTo(metrics);
      new JvmThreadMetrics().bindTo(metrics);
      new JvmGcMetrics().bindTo(metrics);
      new ProcessorMetrics().bindTo(metrics);

      Authenticator auth =
          new Authenticator(credentials, config.get(ServerConfig.AUTH_ENABLED), clock, users);
      if (!auth.enabled()) {
        LOG.warn(
            "authentication is DISABLED (auth.enabled=false): any local process can use every API");
      }
      long maxBody = config.get(ServerConfig.MAX_REQUEST_BYTES);
      AwsJsonEndpoint aws =
          new AwsJsonEndpoint(
              List.of(
                  new KinesisApi(streams, account, clock),
                  new FirehoseApi(delivery, account),
                  new AthenaApi(queries, clock)),
              auth,
              metrics,
              maxBody);
      StreamsRestApi rest = new StreamsRestApi(streams, streamMetrics, maxBody);
      S3Api s3 = new S3Api(objectStore, credentials, auth.enabled(), clock, metrics, account);
      LifecycleRestApi lifecycle = new LifecycleRestApi(objectStore, clock);
      CatalogRestApi catalogApi = new CatalogRestApi(catalog, maxBody, clock);
      CrawlersRestApi crawlersApi = new CrawlersRestApi(crawlers, maxBody);
      DeliveryRestApi deliveryApi = new DeliveryRestApi(delivery, maxBody);
      QueriesRestApi queriesApi = new QueriesRestApi(queries, maxBody, clock);
      JobsRestApi jobsApi = new JobsRestApi(jobs, maxBody, clock);
      DashboardsRestApi dashboardsApi = new DashboardsRestApi(dashboards, maxBody);
      BucketsRestApi bucketsApi = new BucketsRestApi(objectStore, maxBody, maxBody);
      IcebergRestApi iceberg =
          new IcebergRestApi(
              catalog.iceberg(),
              catalog.config().warehouse(),
              auth,
              credentials,
              clock,
              metrics,
              maxBody);
      java.util.Optional<Path> chromium = chromium(config);
      http =
          Javalin.create(
              cfg -> {
                cfg.startup.showJavalinBanner = false;
                cfg.startup.showOldJavalinVersionWarning = false;
                cfg.http.maxRequestSize = maxBody;
                S3Api.configureJetty(cfg.jetty);
                cfg.jetty.host = config.get(ServerConfig.BIND);
                cfg.jetty.port = config.get(ServerConfig.HTTP_PORT);
                cfg.routes.post("/", aws::handle);
                cfg.routes.get("/health", ctx -> health(ctx));
                cfg.routes.get(
                    "/metrics",
                    ctx -> {
                      if (!auth.bearerValid(ctx.header("Authorization"))) {
                        StreamsRestApi.unauthorized(ctx);
                        return;
                      }
                      ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                          .result(metrics.scrape());
                    });
                rest.register(cfg.routes, auth);
                // after the authentication filter: what each user's role may do (403 otherwise)
                cfg.routes.before("/api/v1/*", auth::authorize);
                new UsersRestApi(users, credentials.accessKeyId(), maxBody).register(cfg.routes);
                lifecycle.register(cfg.routes, auth);
                catalogApi.register(cfg.routes);
                crawlersApi.register(cfg.routes);
                deliveryApi.register(cfg.routes);
                queriesApi.register(cfg.routes);
                jobsApi.register(cfg.routes);
                dashboardsApi.register(cfg.routes);
                PrintTickets printTickets = new PrintTickets(clock, DashboardExportApi.TIMEOUT);
                new DashboardExportApi(
                        dashboards,
                        auth,
                        printTickets,
                        chromium,
                        config.get(ServerConfig.EXPORT_CHROMIUM_NO_SANDBOX),
                        config.get(ServerConfig.BIND),
                        () -> httpPort)
                    .register(cfg.routes);
                bucketsApi.register(cfg.routes);
                iceberg.register(cfg.routes);
                new ConsoleRoutes(auth, printTickets).register(cfg.routes);
                // S3's /{bucket}/<key> routes match almost any path: they must be added last.
                s3.register(cfg.routes);
              });
      http.start();
      httpPort = http.port();
      pgwire = new PgWireServer(sqlEngine, credentials, ServerConfig.pgwire(config)).start();
      pgPort = pgwire.port();
      background =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "basin-background");
                t.setDaemon(true);
                return t;
              });
      long every = config.get(ServerConfig.RETENTION_CHECK).toMillis();
      background.scheduleWithFixedDelay(
          this::enforceRetention, every, every, TimeUnit.MILLISECONDS);
      long lifecycleEvery = config.get(ServerConfig.STORAGE_LIFECYCLE_INTERVAL).toMillis();
      background.scheduleWithFixedDelay(
          this::runLifecycle, lifecycleEvery, lifecycleEvery, TimeUnit.MILLISECONDS);
      writeServerJson();
      ready = true;
      LOG.atInfo()
          .addKeyValue("http", httpPort)
          .addKeyValue("pg", pgPort)
          .addKeyValue("bind", config.get(ServerConfig.BIND))
          .addKeyValue("dataDir", dataDir)
          .log("basin server started");
      return this;
    } catch (IOException e) {
      close();
      throw new UncheckedIOException("cannot start Basin in " + dataDir, e);
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  private void enforceRetention() {
    try {
      streams.enforceRetention();
    } catch (RuntimeException e) {
      LOG.atError().setCause(e).log("retention run failed; will retry");
    }
  }

  private void runLifecycle() {
    try {
      int actions = objectStore.runLifecycle(clock.instant()).size();
      if (actions > 0) {
        LOG.atInfo().addKeyValue("actions", actions).log("lifecycle rules applied");
      }
    } catch (RuntimeException e) {
      LOG.atError().setCause(e).log("lifecycle run failed; will retry");
    }
  }

  private void health(io.javalin.http.Context ctx) {
    ObjectNode body = Json.mapper().createObjectNode();
    body.put("status", ready ? "ok" : "starting");
    body.putObject("services")
        .put("streams", ready ? "ready" : "starting")
        .put("storage", ready && objectStore != null ? "ready" : "starting")
        .put("catalog", ready && catalog != null ? "ready" : "starting")
        .put("delivery", ready && delivery != null && delivery.ready() ? "ready" : "starting");
    ctx.status(ready ? 200 : 503).contentType("application/json").result(body.toString());
  }

  private Credentials credentialsFromConfig() {
    String id = config.get(ServerConfig.ACCESS_KEY_ID);
    String secret = config.get(ServerConfig.SECRET_ACCESS_KEY);
    if (id == null && secret == null) {
      return null;
    }
    if (id == null || secret == null || id.isBlank() || secret.isBlank()) {
      throw new BasinException(
          CommonErrorCode.INVALID_CONFIG,
          "set both BASIN_ACCESS_KEY_ID and BASIN_SECRET_ACCESS_KEY (auth.access-key-id and"
              + " auth.secret-access-key), or neither to use DATA_DIR/credentials");
    }
    return new Credentials(id, secret);
  }

  private byte[] iteratorKey() throws IOException {
    Path file = dataDir.resolve("meta").resolve("stream-iterator.key");
    if (Files.isRegularFile(file)) {
      byte[] key = Files.readAllBytes(file);
      if (key.length >= 32) {
        return key;
      }
    }
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    DurableFiles.writeAtomically(file, key);
    return key;
  }

  private void lockDataDir() throws IOException {
    lockChannel =
        FileChannel.open(
            dataDir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    lock = lockChannel.tryLock();
    if (lock == null) {
      lockChannel.close();
      lockChannel = null;
      throw new BasinException(
          CommonErrorCode.UNAVAILABLE,
          "data directory "
              + dataDir
              + " is in use by another Basin server; stop it or start with --data-dir DIR");
    }
  }

  private void writeServerJson() throws IOException {
    ObjectNode json = Json.mapper().createObjectNode();
    json.put("http", httpPort);
    json.put("pg", pgPort);
    json.put("pid", ProcessHandle.current().pid());
    json.put("bind", config.get(ServerConfig.BIND));
    DurableFiles.writeAtomically(
        dataDir.resolve("server.json"), json.toString().getBytes(StandardCharsets.UTF_8));
  }

  public int httpPort() {
    return httpPort;
  }

  public int pgPort() {
    return pgPort;
  }

  public Path dataDir() {
    return dataDir;
  }

  public Credentials credentials() {
    return credentials;
  }

  public StreamService streams() {
    return streams;
  }

  /** The lake's object store (buckets raw, processed, curated, results by default). */
  public LocalObjectStore objectStore() {
    return objectStore;
  }

  /** The delivery streams (Firehose semantics); served by the Firehose API and the native API. */
  public DeliveryEngine delivery() {
    return delivery;
  }

  /** The SQL engine over the lake's tables (DuckDB). */
  public DuckDbSqlEngine sqlEngine() {
    return sqlEngine;
  }

  /** The query service (Athena semantics) over the SQL engine. */
  public JobService jobs() {
    return jobs;
  }

  /** The datasets and dashboards service. */
  public DashboardService dashboards() {
    return dashboards;
  }

  /** The named users of the web console and the native API. */
  public Users users() {
    return users;
  }

  public QueryService queries() {
    return queries;
  }

  /** Materialized views over the SQL engine: status, refresh, drop. */
  public MaterializedViews materializedViews() {
    return materializedViews;
  }

  /** The lake catalog: Iceberg tables, views and external tables; served at {@code /iceberg/}. */
  public LakeCatalog catalog() {
    return catalog;
  }

  /** The crawlers: definitions, runs and their history, in the catalog's database. */
  public Crawlers crawlers() {
    return crawlers;
  }

  /**
   * Stops accepting requests, lets in-flight ones finish, then flushes and closes the stream logs.
   * Idempotent.
   */
  @Override
  public synchronized void close() {
    boolean wasReady = ready;
    ready = false;
    if (http != null) {
      http.stop();
      http = null;
    }
    // pgwire before the engine: open sessions are cancelled and closed
    if (pgwire != null) {
      pgwire.close();
      pgwire = null;
    }
    if (background != null) {
      background.shutdownNow();
      background = null;
    }
    // delivery first: its workers read streams and write to the catalog and the object store
    if (delivery != null) {
      delivery.close();
      delivery = null;
    }
    if (streams != null) {
      streams.close();
      streams = null;
    }
    if (streamLog != null) {
      streamLog.close();
      streamLog = null;
    }
    // jobs before the engine: running ones are stopped
    if (jobs != null) {
      jobs.close();
      jobs = null;
    }
    if (dashboards != null) {
      dashboards.close();
      dashboards = null;
    }
    if (users != null) {
      users.close();
      users = null;
    }
    // queries before the engine: running ones are stopped and recorded as failed
    if (queries != null) {
      queries.close();
      queries = null;
    }
    // the refresher before the engine, whose sessions it uses
    if (materializedViewRefresher != null) {
      materializedViewRefresher.close();
      materializedViewRefresher = null;
    }
    if (sqlEngine != null) {
      sqlEngine.close();
      sqlEngine = null;
    }
    if (crawlers != null) {
      crawlers.close();
      crawlers = null;
    }
    if (catalog != null) {
      catalog.close();
      catalog = null;
    }
    if (objectStore != null) {
      objectStore.close();
      objectStore = null;
    }
    if (wasReady) {
      try {
        Files.deleteIfExists(dataDir.resolve("server.json"));
      } catch (IOException e) {
        LOG.atWarn().setCause(e).log("cannot remove server.json");
      }
    }
    try {
      if (lock != null) {
        lock.release();
        lock = null;
      }
      if (lockChannel != null) {
        lockChannel.close();
        lockChannel = null;
      }
    } catch (IOException e) {
      LOG.atWarn().setCause(e).log("cannot release the data directory lock");
    }
    metrics.close();
    if (wasReady) {
      LOG.info("basin server stopped");
    }
  }
}
