package dev.basin.server;

import dev.basin.catalog.CatalogConfig;
import dev.basin.common.config.Config;
import dev.basin.common.config.ConfigDef;
import dev.basin.common.config.ConfigKey;
import dev.basin.server.pgwire.PgAuthMethod;
import dev.basin.server.pgwire.PgWireConfig;
import dev.basin.sql.service.QueryServiceConfig;
import dev.basin.stream.StreamsConfig;
import dev.basin.stream.log.LocalStreamLogConfig.FsyncMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;

/**
 * Every setting of the Basin server, in one place: name, type, default and meaning. Settings come
 * from (lowest to highest precedence) defaults, a YAML file ({@code --config}), {@code BASIN_*}
 * environment variables and command-line flags. {@code ./basin config} prints this table.
 */
public final class ServerConfig {
  public static final ConfigKey<String> DATA_DIR =
      ConfigKey.string("data-dir", "basin-data", "Directory holding all of Basin's state");
  public static final ConfigKey<String> BIND =
      ConfigKey.string("bind", "127.0.0.1", "Address the HTTP and PostgreSQL ports listen on");
  public static final ConfigKey<Integer> HTTP_PORT =
      ConfigKey.integer("http-port", 4580, 0, 65535, "HTTP port (0 picks a free port)");
  public static final ConfigKey<Integer> PG_PORT =
      ConfigKey.integer(
          "pg-port",
          4581,
          0,
          65535,
          "PostgreSQL wire-protocol port (0 picks a free port); user = access key id, password ="
              + " secret access key, database basin");
  public static final ConfigKey<PgAuthMethod> PG_AUTH_METHOD =
      ConfigKey.oneOf(
          "pg.auth-method",
          PgAuthMethod.class,
          PgAuthMethod.SCRAM_SHA_256,
          "How PostgreSQL clients send the secret: scram-sha-256 (never on the wire) or password"
              + " (cleartext; only for clients without SCRAM on a trusted network)");
  public static final ConfigKey<Integer> PG_MAX_CONNECTIONS =
      ConfigKey.integer(
          "pg.max-connections",
          64,
          1,
          10_000,
          "Most concurrent PostgreSQL sessions; more are refused with SQLSTATE 53300");
  public static final ConfigKey<Long> PG_MAX_MESSAGE_BYTES =
      ConfigKey.size(
          "pg.max-message-bytes",
          64L * 1024 * 1024,
          64 * 1024,
          "Largest PostgreSQL protocol message accepted (a query text or bound parameters);"
              + " a larger one ends that connection");
  public static final ConfigKey<Boolean> AUTH_ENABLED =
      ConfigKey.bool(
          "auth.enabled",
          true,
          "Authenticate every API request; turn off only for local experiments");
  public static final ConfigKey<String> ACCESS_KEY_ID =
      ConfigKey.string(
              "auth.access-key-id",
              null,
              "Access key id (default: the one in DATA_DIR/credentials, generated on first start)")
          .withEnv("BASIN_ACCESS_KEY_ID");
  public static final ConfigKey<String> SECRET_ACCESS_KEY =
      ConfigKey.string(
              "auth.secret-access-key", null, "Secret access key (with auth.access-key-id)")
          .withEnv("BASIN_SECRET_ACCESS_KEY")
          .asSecret();
  public static final ConfigKey<String> ACCOUNT_ID =
      ConfigKey.string("aws.account-id", "000000000000", "Account id shown in ARNs and messages");
  public static final ConfigKey<Long> MAX_REQUEST_BYTES =
      ConfigKey.size(
          "http.max-request-bytes",
          16L * 1024 * 1024,
          1024 * 1024,
          "Largest accepted request body");
  public static final ConfigKey<FsyncMode> FSYNC_MODE =
      ConfigKey.oneOf(
          "streams.fsync-mode",
          FsyncMode.class,
          FsyncMode.GROUP,
          "group: fsync before acknowledging a put (group commit); interval: acknowledge after the"
              + " write and fsync every streams.fsync-interval (survives a process crash, not a"
              + " power loss)");
  public static final ConfigKey<Duration> FSYNC_INTERVAL =
      ConfigKey.duration(
          "streams.fsync-interval", Duration.ofSeconds(1), "fsync period in interval mode");
  public static final ConfigKey<Long> SEGMENT_BYTES =
      ConfigKey.size(
          "streams.segment-bytes", 64L * 1024 * 1024, 64 * 1024, "Size at which a segment rolls");
  public static final ConfigKey<Duration> SEGMENT_AGE =
      ConfigKey.duration(
          "streams.segment-age",
          Duration.ofHours(1),
          "Age at which a segment rolls (retention deletes whole segments)");
  public static final ConfigKey<Duration> RETENTION_CHECK =
      ConfigKey.duration(
          "streams.retention-check-interval",
          Duration.ofMinutes(1),
          "How often expired segments are deleted");
  public static final ConfigKey<Integer> DEFAULT_RETENTION_HOURS =
      ConfigKey.integer(
          "streams.default-retention-hours", 24, 24, 8760, "Retention of new streams, in hours");
  public static final ConfigKey<Integer> MAX_SHARDS_PER_STREAM =
      ConfigKey.integer(
          "streams.max-shards-per-stream", 500, 1, 10_000, "Most open shards in one stream");
  public static final ConfigKey<Integer> MAX_OPEN_SHARDS =
      ConfigKey.integer(
          "streams.max-open-shards", 1000, 1, 100_000, "Most open shards across all streams");
  public static final ConfigKey<Integer> ON_DEMAND_SHARDS =
      ConfigKey.integer(
          "streams.on-demand-shards", 4, 1, 1000, "Shards of a stream created in ON_DEMAND mode");
  public static final ConfigKey<Boolean> THROTTLING =
      ConfigKey.bool(
          "streams.throttling.enabled",
          false,
          "Enforce Kinesis per-shard limits (ProvisionedThroughputExceededException when hit)");
  public static final ConfigKey<Long> WRITE_BYTES =
      ConfigKey.size(
          "streams.throttling.write-bytes-per-second", 1_000_000, 1, "Per-shard write bytes/s");
  public static final ConfigKey<Integer> WRITE_RECORDS =
      ConfigKey.integer(
          "streams.throttling.write-records-per-second",
          1000,
          1,
          Integer.MAX_VALUE,
          "Per-shard write records/s");
  public static final ConfigKey<Long> READ_BYTES =
      ConfigKey.size(
          "streams.throttling.read-bytes-per-second", 2_000_000, 1, "Per-shard read bytes/s");
  public static final ConfigKey<Integer> READ_CALLS =
      ConfigKey.integer(
          "streams.throttling.read-calls-per-second",
          5,
          1,
          Integer.MAX_VALUE,
          "Per-shard GetRecords calls/s");
  public static final ConfigKey<String> STORAGE_BUCKETS =
      ConfigKey.string(
          "storage.buckets",
          "raw,processed,curated,results",
          "Comma-separated buckets created when missing at start (the lake's zones); empty for"
              + " none");
  public static final ConfigKey<Duration> STORAGE_LIFECYCLE_INTERVAL =
      ConfigKey.duration(
          "storage.lifecycle-interval",
          Duration.ofHours(1),
          "How often the buckets' lifecycle rules are applied (also on demand: basin lifecycle"
              + " run)");
  public static final ConfigKey<Long> STORAGE_MIN_PART_SIZE =
      ConfigKey.size(
          "storage.min-part-size",
          5L * 1024 * 1024,
          1,
          "Smallest multipart part other than the last (S3: 5MiB; lower only for tests)");
  public static final ConfigKey<String> CATALOG_JDBC_URL =
      ConfigKey.string(
          "catalog.jdbc-url",
          null,
          "Catalog metadata database (default: SQLite at DATA_DIR/meta/basin.db; PostgreSQL:"
              + " jdbc:postgresql://host:5432/basin)");
  public static final ConfigKey<String> CATALOG_JDBC_USER =
      ConfigKey.string("catalog.jdbc-user", null, "Catalog database user (SQLite needs none)");
  public static final ConfigKey<String> CATALOG_JDBC_PASSWORD =
      ConfigKey.string("catalog.jdbc-password", null, "Catalog database password").asSecret();
  public static final ConfigKey<String> CATALOG_WAREHOUSE =
      ConfigKey.string(
          "catalog.warehouse",
          CatalogConfig.DEFAULT_WAREHOUSE,
          "Where tables of databases without a location go (an s3://bucket/prefix in the lake)");
  public static final ConfigKey<Duration> DELIVERY_POLL_INTERVAL =
      ConfigKey.duration(
          "delivery.poll-interval",
          Duration.ofMillis(100),
          "How often each delivery stream looks for new records in its source stream");
  public static final ConfigKey<String> SQL_MEMORY_LIMIT =
      ConfigKey.string(
          "sql.memory-limit",
          null,
          "DuckDB's memory limit for all queries together, e.g. 4GB (empty: 80% of RAM)");
  public static final ConfigKey<Integer> SQL_THREADS =
      ConfigKey.integer(
          "sql.threads", 0, 0, 1024, "Threads DuckDB runs each query on (0: one per core)");
  public static final ConfigKey<Integer> JOB_WORKERS =
      ConfigKey.integer(
          "job.workers", 2, 1, 64, "ETL job runs executed at once (more wait in STARTING)");
  public static final ConfigKey<Integer> QUERY_MAX_CONCURRENT =
      ConfigKey.integer(
          "query.max-concurrent",
          4,
          1,
          1024,
          "Queries of the query service (Athena API, /api/v1/queries, basin sql) that run at once");
  public static final ConfigKey<Integer> QUERY_MAX_QUEUED =
      ConfigKey.integer(
          "query.max-queued",
          100,
          0,
          100_000,
          "Queries that may wait for a slot; beyond running plus queued, submissions are refused"
              + " with TooManyRequestsException (HTTP 429 on the native API)");
  public static final ConfigKey<Duration> QUERY_TIMEOUT =
      ConfigKey.duration(
          "query.timeout",
          Duration.ofMinutes(30),
          "How long a query may run before it fails with a timeout (Athena's default DML timeout)");
  public static final ConfigKey<String> QUERY_RESULTS_LOCATION =
      ConfigKey.string(
          "query.results-location",
          "s3://results/",
          "Where query results go (<location><execution id>.csv) unless the workgroup or the"
              + " request names one");
  public static final ConfigKey<Duration> QUERY_RESULT_REUSE_MAX_AGE =
      ConfigKey.duration(
          "query.result-reuse-max-age",
          Duration.ofDays(7),
          "How old a previous result may be to answer a repeated query (it is never reused once a"
              + " table it read has a new snapshot); 0s turns reuse off");
  public static final ConfigKey<Integer> DELIVERY_MAX_STREAMS =
      ConfigKey.integer(
          "delivery.max-streams",
          50,
          1,
          10_000,
          "Most delivery streams a server may have (Firehose's default quota is 50)");
  public static final ConfigKey<Duration> DELIVERY_COMPACTION_INTERVAL =
      ConfigKey.duration(
          "delivery.compaction-interval",
          Duration.ofMinutes(10),
          "How often the small data files of delivery streams' Iceberg tables are compacted");
  public static final ConfigKey<Duration> DELIVERY_SNAPSHOT_RETENTION =
      ConfigKey.duration(
          "delivery.snapshot-retention",
          Duration.ofHours(1),
          "Snapshots of delivery streams' Iceberg tables older than this are expired (each"
              + " delivery's checkpoint snapshot is always kept)");
  public static final ConfigKey<String> EXPORT_CHROMIUM =
      ConfigKey.string(
              "export.chromium",
              null,
              "Chromium executable for dashboard PNG/PDF export (default: /usr/bin/chromium, else"
                  + " chromium, chromium-browser or google-chrome on the PATH; resolved at start)")
          .withEnv("BASIN_CHROMIUM");
  public static final ConfigKey<Boolean> EXPORT_CHROMIUM_NO_SANDBOX =
      ConfigKey.bool(
          "export.chromium-no-sandbox",
          false,
          "Run export's Chromium with --no-sandbox; needed when Basin runs as root (Chromium"
              + " cannot sandbox itself then), at the risk of an unsandboxed renderer");
  public static final ConfigKey<LogFormat> LOG_FORMAT =
      ConfigKey.oneOf(
          "log.format",
          LogFormat.class,
          LogFormat.TEXT,
          "text (key=value) or json (one object a line)");
  public static final ConfigKey<String> LOG_LEVEL =
      ConfigKey.string("log.level", "info", "Root log level: error, warn, info, debug, trace");

  /** Log output format. */
  public enum LogFormat {
    TEXT,
    JSON
  }

  /** Environment variables read by the launcher script, not by the server. */
  public static final Set<String> LAUNCHER_ENV =
      Set.of("BASIN_JAVA_OPTS", "BASIN_HOME", "BASIN_JAR");

  private ServerConfig() {}

  /** The definition of every server setting. */
  public static ConfigDef definition() {
    ConfigDef def = new ConfigDef(LAUNCHER_ENV);
    for (ConfigKey<?> k :
        new ConfigKey<?>[] {
          DATA_DIR,
          BIND,
          HTTP_PORT,
          PG_PORT,
          PG_AUTH_METHOD,
          PG_MAX_CONNECTIONS,
          PG_MAX_MESSAGE_BYTES,
          AUTH_ENABLED,
          ACCESS_KEY_ID,
          SECRET_ACCESS_KEY,
          ACCOUNT_ID,
          MAX_REQUEST_BYTES,
          FSYNC_MODE,
          FSYNC_INTERVAL,
          SEGMENT_BYTES,
          SEGMENT_AGE,
          RETENTION_CHECK,
          DEFAULT_RETENTION_HOURS,
          MAX_SHARDS_PER_STREAM,
          MAX_OPEN_SHARDS,
          ON_DEMAND_SHARDS,
          THROTTLING,
          WRITE_BYTES,
          WRITE_RECORDS,
          READ_BYTES,
          READ_CALLS,
          STORAGE_BUCKETS,
          STORAGE_LIFECYCLE_INTERVAL,
          STORAGE_MIN_PART_SIZE,
          CATALOG_JDBC_URL,
          CATALOG_JDBC_USER,
          CATALOG_JDBC_PASSWORD,
          CATALOG_WAREHOUSE,
          DELIVERY_POLL_INTERVAL,
          DELIVERY_MAX_STREAMS,
          DELIVERY_COMPACTION_INTERVAL,
          SQL_MEMORY_LIMIT,
          SQL_THREADS,
          JOB_WORKERS,
          QUERY_MAX_CONCURRENT,
          QUERY_MAX_QUEUED,
          QUERY_TIMEOUT,
          QUERY_RESULTS_LOCATION,
          QUERY_RESULT_REUSE_MAX_AGE,
          DELIVERY_SNAPSHOT_RETENTION,
          EXPORT_CHROMIUM,
          EXPORT_CHROMIUM_NO_SANDBOX,
          LOG_FORMAT,
          LOG_LEVEL
        }) {
      def.define(k);
    }
    return def;
  }

  static Path dataDir(Config c) {
    return Path.of(c.get(DATA_DIR)).toAbsolutePath().normalize();
  }

  /**
   * The default buckets of {@code storage.buckets}, in order, without blanks.
   *
   * @throws IllegalArgumentException naming the setting if a name repeats
   */
  static java.util.List<String> defaultBuckets(Config c) {
    java.util.List<String> out = new java.util.ArrayList<>();
    for (String name : c.get(STORAGE_BUCKETS).split(",")) {
      String n = name.strip();
      if (n.isEmpty()) {
        continue;
      }
      if (out.contains(n)) {
        throw new IllegalArgumentException(
            "storage.buckets names bucket '" + n + "' twice: " + c.get(STORAGE_BUCKETS));
      }
      out.add(n);
    }
    return out;
  }

  /** The catalog's settings; the JDBC URL defaults to SQLite in the data directory. */
  static CatalogConfig catalog(Config c) {
    String url = c.get(CATALOG_JDBC_URL);
    if (url == null || url.isBlank()) {
      url = CatalogConfig.sqlite(dataDir(c)).jdbcUrl();
    }
    return new CatalogConfig(
        url, c.get(CATALOG_JDBC_USER), c.get(CATALOG_JDBC_PASSWORD), c.get(CATALOG_WAREHOUSE));
  }

  /**
   * The query service's settings.
   *
   * @throws IllegalArgumentException naming the setting if a value is out of range
   */
  static QueryServiceConfig queries(Config c, Path dataDir) {
    try {
      return QueryServiceConfig.defaults(dataDir)
          .withConcurrency(c.get(QUERY_MAX_CONCURRENT), c.get(QUERY_MAX_QUEUED))
          .withDefaultTimeout(c.get(QUERY_TIMEOUT))
          .withDefaultOutputLocation(c.get(QUERY_RESULTS_LOCATION))
          .withResultReuseMaxAge(c.get(QUERY_RESULT_REUSE_MAX_AGE));
    } catch (dev.basin.common.error.BasinException | IllegalArgumentException e) {
      throw new IllegalArgumentException("invalid query.* setting: " + e.getMessage(), e);
    }
  }

  /** The PostgreSQL wire-protocol endpoint's settings. */
  static PgWireConfig pgwire(Config c) {
    long maxMessage = c.get(PG_MAX_MESSAGE_BYTES);
    return PgWireConfig.defaults(c.get(BIND), c.get(PG_PORT))
        .withAuthMethod(c.get(PG_AUTH_METHOD))
        .withAuthEnabled(c.get(AUTH_ENABLED))
        .withMaxConnections(c.get(PG_MAX_CONNECTIONS))
        .withMaxMessageBytes((int) Math.min(maxMessage, Integer.MAX_VALUE - 8));
  }

  static StreamsConfig streams(Config c) {
    StreamsConfig base = StreamsConfig.defaults();
    StreamsConfig s =
        new StreamsConfig(
            c.get(DEFAULT_RETENTION_HOURS),
            c.get(MAX_SHARDS_PER_STREAM),
            c.get(MAX_OPEN_SHARDS),
            c.get(ON_DEMAND_SHARDS),
            base.maxRecordBytes(),
            base.maxPutRecordsBytes(),
            base.iteratorTtl(),
            null);
    if (c.get(THROTTLING)) {
      s =
          s.withThrottling(
              new StreamsConfig.ShardLimits(
                  c.get(WRITE_BYTES), c.get(WRITE_RECORDS), c.get(READ_BYTES), c.get(READ_CALLS)));
    }
    return s;
  }
}
