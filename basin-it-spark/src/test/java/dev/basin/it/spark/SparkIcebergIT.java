package dev.basin.it.spark;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Spark 4 with Iceberg's REST catalog against a Basin server started from the shaded jar: Spark
 * writes through Basin's Iceberg REST endpoint (metadata) and S3 endpoint (data files), and Basin
 * sees what Spark wrote; tables Basin creates are readable by Spark.
 */
class SparkIcebergIT {
  private static final Pattern READY = Pattern.compile("basin ready http=(\\d+) pg=(\\d+)");
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Path workDir;
  private static Process basin;
  private static int port;
  private static int pgPort;
  private static String keyId;
  private static String secret;
  private static SparkSession spark;
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  @BeforeAll
  static void startBasinAndSpark() throws Exception {
    Path jar = Path.of(System.getProperty("basin.jar", "../basin-server/target/basin.jar"));
    assertThat(jar).as("the shaded server jar (package basin-server first)").exists();
    workDir = Files.createTempDirectory("basin-spark-it");
    Path copy = workDir.resolve("basin.jar");
    Files.copy(jar, copy, StandardCopyOption.REPLACE_EXISTING);
    Path dataDir = workDir.resolve("data");
    Path logDir = Path.of(System.getProperty("basin.it.logDir", "target/it-logs"));
    Files.createDirectories(logDir);
    Path stderr = logDir.resolve("SparkIcebergIT-basin.stderr.log");

    ProcessBuilder pb =
        new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx512m",
            "-jar",
            copy.toString(),
            "server",
            "--data-dir",
            dataDir.toString(),
            "--http-port",
            "0",
            "--pg-port",
            "0");
    pb.environment().remove("BASIN_ACCESS_KEY_ID");
    pb.environment().remove("BASIN_SECRET_ACCESS_KEY");
    pb.redirectError(stderr.toFile());
    basin = pb.start();
    port = awaitReady(basin, stderr);
    readCredentials(dataDir.resolve("credentials"));

    spark =
        SparkSession.builder()
            .master("local[2]")
            .appName("basin-spark-it")
            .config("spark.ui.enabled", "false")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.sql.shuffle.partitions", "2")
            .config(
                "spark.sql.extensions",
                "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions")
            .config("spark.sql.catalog.basin", "org.apache.iceberg.spark.SparkCatalog")
            .config("spark.sql.catalog.basin.type", "rest")
            .config("spark.sql.catalog.basin.uri", "http://127.0.0.1:" + port + "/iceberg")
            .config("spark.sql.catalog.basin.credential", keyId + ":" + secret)
            .getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
  }

  private static int awaitReady(Process process, Path stderr) throws Exception {
    BlockingQueue<String> lines = new ArrayBlockingQueue<>(1000);
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  lines.offer(line);
                }
              } catch (IOException e) {
                // the process ended
              }
            },
            "basin-stdout");
    reader.setDaemon(true);
    reader.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (System.nanoTime() < deadline) {
      String line = lines.poll(200, TimeUnit.MILLISECONDS);
      if (line != null) {
        Matcher m = READY.matcher(line);
        if (m.find()) {
          pgPort = Integer.parseInt(m.group(2));
          return Integer.parseInt(m.group(1));
        }
      } else if (!process.isAlive()) {
        throw new AssertionError(
            "Basin exited with " + process.exitValue() + "; stderr in " + stderr);
      }
    }
    throw new AssertionError("Basin did not print 'basin ready' in 90 s; stderr in " + stderr);
  }

  private static void readCredentials(Path file) throws IOException {
    for (String line : Files.readAllLines(file)) {
      String[] kv = line.split("=", 2);
      if (kv.length != 2) {
        continue;
      }
      if (kv[0].trim().equals("aws_access_key_id")) {
        keyId = kv[1].trim();
      } else if (kv[0].trim().equals("aws_secret_access_key")) {
        secret = kv[1].trim();
      }
    }
    assertThat(keyId).as("access key id in " + file).isNotBlank();
    assertThat(secret).as("secret access key in " + file).isNotBlank();
  }

  @AfterAll
  static void stopAll() throws Exception {
    if (spark != null) {
      spark.stop();
    }
    if (basin != null) {
      basin.destroy();
      if (!basin.waitFor(30, TimeUnit.SECONDS)) {
        basin.destroyForcibly();
        basin.waitFor(10, TimeUnit.SECONDS);
      }
    }
    if (workDir != null) {
      // ~200 MB (a copy of the server jar and the lake): do not leave it in /tmp
      try (var files = Files.walk(workDir)) {
        for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  private record Answer(int status, String body) {
    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + body, e);
      }
    }
  }

  private static Answer http(String method, String path, String contentType, String body)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(60))
            .header("Authorization", "Bearer " + keyId + ":" + secret)
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Answer(r.statusCode(), r.body());
  }

  private static List<String> rows(String sql) {
    List<String> out = new ArrayList<>();
    for (Row row : spark.sql(sql).collectAsList()) {
      out.add(row.toString());
    }
    return out;
  }

  @Test
  void sparkWritesEvolvesAndReadsAndBasinSeesTheSameTable() throws Exception {
    spark.sql("CREATE NAMESPACE IF NOT EXISTS basin.spark_db");
    spark.sql(
        "CREATE TABLE basin.spark_db.events (id BIGINT, kind STRING, amount DOUBLE)"
            + " USING iceberg PARTITIONED BY (kind)");
    spark.sql(
        "INSERT INTO basin.spark_db.events VALUES (1, 'click', 1.5), (2, 'view', 2.0),"
            + " (3, 'click', 3.25)");
    assertThat(rows("SELECT id, kind, amount FROM basin.spark_db.events ORDER BY id"))
        .containsExactly("[1,click,1.5]", "[2,view,2.0]", "[3,click,3.25]");

    spark.sql("ALTER TABLE basin.spark_db.events ADD COLUMN country STRING");
    spark.sql("INSERT INTO basin.spark_db.events VALUES (4, 'view', 4.0, 'SE')");
    assertThat(rows("SELECT id, kind, amount, country FROM basin.spark_db.events ORDER BY id"))
        .containsExactly(
            "[1,click,1.5,null]", "[2,view,2.0,null]", "[3,click,3.25,null]", "[4,view,4.0,SE]");
    assertThat(rows("SELECT kind, count(*) FROM basin.spark_db.events GROUP BY kind ORDER BY kind"))
        .containsExactly("[click,2]", "[view,2]");

    Answer loaded = http("GET", "/iceberg/v1/namespaces/spark_db/tables/events", null, null);
    assertThat(loaded.status()).as(loaded.body()).isEqualTo(200);
    JsonNode metadata = loaded.json().path("metadata");
    int schemaId = metadata.path("current-schema-id").asInt();
    List<String> columns = new ArrayList<>();
    for (JsonNode schema : metadata.path("schemas")) {
      if (schema.path("schema-id").asInt() == schemaId) {
        schema.path("fields").forEach(f -> columns.add(f.path("name").asText()));
      }
    }
    assertThat(columns).containsExactly("id", "kind", "amount", "country");
    assertThat(metadata.path("location").asText()).startsWith("s3://");
    long current = metadata.path("current-snapshot-id").asLong();
    JsonNode summary = null;
    for (JsonNode snapshot : metadata.path("snapshots")) {
      if (snapshot.path("snapshot-id").asLong() == current) {
        summary = snapshot.path("summary");
      }
    }
    assertThat(summary).as("current snapshot").isNotNull();
    assertThat(summary.path("operation").asText()).isEqualTo("append");
    assertThat(summary.path("total-records").asText()).isEqualTo("4");
    assertThat(summary.path("total-data-files").asInt()).isGreaterThanOrEqualTo(3);
    assertThat(metadata.path("snapshots")).hasSize(2);

    Answer nativeTable =
        http("GET", "/api/v1/catalog/databases/spark_db/tables/events", null, null);
    assertThat(nativeTable.status()).as(nativeTable.body()).isEqualTo(200);
    assertThat(nativeTable.body()).contains("country", "amount");
  }

  @Test
  void tableCreatedThroughTheRestEndpointIsReadableBySpark() throws Exception {
    Answer ns =
        http(
            "POST",
            "/iceberg/v1/namespaces",
            "application/json",
            "{\"namespace\":[\"rest_db\"],\"properties\":{\"owner\":\"basin-it\"}}");
    assertThat(ns.status()).as(ns.body()).isEqualTo(200);
    Answer created =
        http(
            "POST",
            "/iceberg/v1/namespaces/rest_db/tables",
            "application/json",
            "{\"name\":\"people\",\"schema\":{\"type\":\"struct\",\"schema-id\":0,\"fields\":["
                + "{\"id\":1,\"name\":\"id\",\"required\":false,\"type\":\"long\"},"
                + "{\"id\":2,\"name\":\"name\",\"required\":false,\"type\":\"string\"}]}}");
    assertThat(created.status()).as(created.body()).isEqualTo(200);

    assertThat(rows("SELECT * FROM basin.rest_db.people")).isEmpty();
    assertThat(spark.table("basin.rest_db.people").schema().fieldNames())
        .containsExactly("id", "name");
    spark.sql("INSERT INTO basin.rest_db.people VALUES (1, 'ada'), (2, 'grace')");
    assertThat(rows("SELECT id, name FROM basin.rest_db.people ORDER BY id"))
        .containsExactly("[1,ada]", "[2,grace]");
  }

  @Test
  void tableCreatedAndFilledThroughTheNativeApiIsReadableBySpark() throws Exception {
    Answer db =
        http("POST", "/api/v1/catalog/databases", "application/json", "{\"name\":\"native_db\"}");
    assertThat(db.status()).as(db.body()).isBetween(200, 201);
    Answer created =
        http(
            "POST",
            "/api/v1/catalog/databases/native_db/tables",
            "application/json",
            "{\"name\":\"t\",\"columns\":[{\"name\":\"id\",\"type\":\"bigint\"},"
                + "{\"name\":\"name\",\"type\":\"string\"}],\"partitionKeys\":[]}");
    assertThat(created.status()).as(created.body()).isBetween(200, 201);
    Answer appended =
        http(
            "POST",
            "/api/v1/catalog/databases/native_db/tables/t/rows",
            "application/x-ndjson",
            "{\"id\":1,\"name\":\"ada\"}\n{\"id\":2,\"name\":\"grace\"}\n");
    assertThat(appended.status()).as(appended.body()).isBetween(200, 201);
    assertThat(appended.json().path("rows").asInt()).isEqualTo(2);
    assertThat(appended.json().has("snapshotId")).isTrue();

    spark.sql("REFRESH TABLE basin.native_db.t");
    assertThat(rows("SELECT id, name FROM basin.native_db.t ORDER BY id"))
        .containsExactly("[1,ada]", "[2,grace]");
  }

  /** Basin's SQL engine (through pgwire) reads what Spark wrote, across schema and spec changes. */
  @Test
  void basinSqlReadsSparkTablesAfterRenamePartitionEvolutionAndTimeTravel() throws Exception {
    spark.sql("CREATE NAMESPACE IF NOT EXISTS basin.sql_db");
    spark.sql(
        "CREATE TABLE basin.sql_db.sales (id BIGINT, region STRING, amount DOUBLE, ts TIMESTAMP)"
            + " USING iceberg PARTITIONED BY (region)");
    spark.sql(
        "INSERT INTO basin.sql_db.sales VALUES (1, 'eu', 10.0, TIMESTAMP '2024-05-01 10:00:00'),"
            + " (2, 'us', 20.0, TIMESTAMP '2024-05-01 11:00:00'), (3, 'eu', 30.0, TIMESTAMP"
            + " '2024-05-02 12:00:00')");
    long first =
        spark
            .sql(
                "SELECT snapshot_id FROM basin.sql_db.sales.snapshots ORDER BY committed_at LIMIT 1")
            .collectAsList()
            .get(0)
            .getLong(0);
    spark.sql("ALTER TABLE basin.sql_db.sales RENAME COLUMN amount TO revenue");
    spark.sql("ALTER TABLE basin.sql_db.sales DROP PARTITION FIELD region");
    spark.sql("ALTER TABLE basin.sql_db.sales ADD PARTITION FIELD days(ts)");
    spark.sql(
        "INSERT INTO basin.sql_db.sales VALUES (4, 'eu', 40.0, TIMESTAMP '2024-05-03 10:00:00'),"
            + " (5, 'ap', 50.0, TIMESTAMP '2024-05-03 11:00:00')");

    try (java.sql.Connection c =
            java.sql.DriverManager.getConnection(
                "jdbc:postgresql://127.0.0.1:" + pgPort + "/basin", keyId, secret);
        java.sql.Statement s = c.createStatement()) {
      try (java.sql.ResultSet rs =
          s.executeQuery("SELECT count(*), sum(revenue) FROM sql_db.sales")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getLong(1)).isEqualTo(5);
        assertThat(rs.getDouble(2)).isEqualTo(150.0);
      }
      try (java.sql.ResultSet rs =
          s.executeQuery(
              "SELECT id FROM sql_db.sales WHERE region = 'eu' AND revenue > 15 ORDER BY id")) {
        List<Long> ids = new java.util.ArrayList<>();
        while (rs.next()) {
          ids.add(rs.getLong(1));
        }
        assertThat(ids).containsExactly(3L, 4L);
      }
      try (java.sql.ResultSet rs =
          s.executeQuery(
              "SELECT count(*), sum(amount) FROM sql_db.sales FOR VERSION AS OF " + first)) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getLong(1)).isEqualTo(3);
        assertThat(rs.getDouble(2)).isEqualTo(60.0);
      }
      try (java.sql.ResultSet rs =
          s.executeQuery(
              "SELECT count(*) FROM sql_db.sales WHERE ts >= TIMESTAMP '2024-05-03 00:00:00'")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getLong(1)).isEqualTo(2);
      }
    }
  }
}
