package dev.basin.server.iceberg;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.basin.server.auth.Credentials;
import dev.basin.server.http.Authenticator;
import io.javalin.Javalin;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.jdbc.JdbcCatalog;

/**
 * The Iceberg REST endpoint over a real JDBC catalog on SQLite with a local warehouse, served by
 * Javalin on a free port, plus a small HTTP client for raw protocol checks.
 */
final class IcebergTestServer implements AutoCloseable {
  static final Credentials CREDENTIALS =
      new Credentials("BASINTESTKEY00000001", "testSecret/0123456789abcdefghijklmnopqrstu");
  static final String NATIVE_TOKEN =
      CREDENTIALS.accessKeyId() + ":" + CREDENTIALS.secretAccessKey();

  final JdbcCatalog catalog;
  final MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final IcebergRestApi api;
  final Path warehouse;
  private final Javalin http;
  private final HttpClient client = HttpClient.newHttpClient();

  IcebergTestServer(Path dir, boolean views) {
    try {
      java.nio.file.Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    warehouse = dir.resolve("warehouse");
    catalog = new JdbcCatalog();
    catalog.setConf(new Configuration());
    catalog.initialize(
        "basin",
        Map.of(
            CatalogProperties.URI,
            "jdbc:sqlite:" + dir.resolve("catalog.db"),
            CatalogProperties.WAREHOUSE_LOCATION,
            warehouse.toUri().toString(),
            CatalogProperties.FILE_IO_IMPL,
            "org.apache.iceberg.hadoop.HadoopFileIO",
            "jdbc.schema-version",
            views ? "V1" : "V0"));
    api =
        new IcebergRestApi(
            catalog,
            "s3://curated/warehouse",
            new Authenticator(CREDENTIALS, true, clock),
            CREDENTIALS,
            clock,
            Duration.ofHours(1),
            registry,
            16L * 1024 * 1024);
    http =
        Javalin.create(
                cfg -> {
                  cfg.startup.showJavalinBanner = false;
                  cfg.startup.showOldJavalinVersionWarning = false;
                  cfg.jetty.host = "127.0.0.1";
                  cfg.jetty.port = 0;
                  api.register(cfg.routes);
                })
            .start();
  }

  String baseUri() {
    return "http://127.0.0.1:" + http.port();
  }

  String catalogUri() {
    return baseUri() + "/iceberg";
  }

  int port() {
    return http.port();
  }

  /** A raw answer: status, body text and the body as JSON (null when empty or not JSON). */
  record Answer(
      int status, String body, JsonNode json, Map<String, java.util.List<String>> headers) {
    String errorType() {
      return json.path("error").path("type").asText();
    }

    String errorMessage() {
      return json.path("error").path("message").asText();
    }
  }

  Answer call(String method, String path, String body) {
    return call(method, path, body, NATIVE_TOKEN, "application/json");
  }

  Answer call(String method, String path, String body, String token, String contentType) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(catalogUri() + path));
    b.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      b.header("Content-Type", contentType);
    }
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    try {
      HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
      JsonNode json = null;
      if (!r.body().isEmpty()) {
        try {
          json = new ObjectMapper().readTree(r.body());
        } catch (IOException e) {
          json = null;
        }
      }
      return new Answer(r.statusCode(), r.body(), json, r.headers().map());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() throws IOException {
    http.stop();
    catalog.close();
  }

  /** A clock tests move forward. */
  static final class MutableClock extends Clock {
    private volatile Instant now;

    MutableClock(Instant start) {
      this.now = start;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
