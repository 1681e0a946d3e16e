package dev.basin.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.basin.common.json.Json;
import dev.basin.server.BasinServer;
import dev.basin.server.TestServers;
import dev.basin.server.ui.HeadlessChromium;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The export route's answers that need no real browser, on the real server in process: bad input,
 * unknown dashboard, no credentials, no browser, root without {@code export.chromium-no-sandbox}, a
 * browser that fails (with its error output), one export at a time per user. A stand-in script
 * plays Chromium; the rendering itself is tested with real Chromium in {@code basin-it-browser}'s
 * {@code DashboardExportApiIT}.
 */
class DashboardExportApiTest {
  @TempDir static Path dir;
  private static BasinServer server;
  private static Path gate;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    // A stand-in browser that holds its export until the test lets it go, then fails.
    gate = Files.createDirectories(dir.resolve("gate"));
    Path slow = dir.resolve("slow-chromium");
    Files.writeString(
        slow,
        "#!/bin/sh\ntouch \""
            + gate
            + "/started-$$\"\nwhile [ ! -f \""
            + gate
            + "/release\" ]; do sleep 0.05; done\necho released >&2\nexit 4\n");
    assertThat(slow.toFile().setExecutable(true)).isTrue();
    server = server("data", Map.of("export.chromium", slow.toString()));
    send("POST", "/api/v1/queries", "{`sql`:`CREATE DATABASE shop`,`wait`:true}", 200);
    send(
        "POST",
        "/api/v1/queries",
        "{`sql`:`CREATE TABLE shop.sales AS SELECT * FROM (VALUES ('EU', 10.0), ('US', 7.0))"
            + " AS t(region, revenue)`,`wait`:true}",
        200);
    send("POST", "/api/v1/datasets", "{`name`: `sales`, `table`: `shop.sales`}", 201);
    send(
        "POST",
        "/api/v1/dashboards",
        "{`id`: `sales`, `name`: `Sales`, `visuals`: [{`id`: `bars`, `type`: `bar`, `dataset`:"
            + " `sales`, `dimensions`: [`region`], `measures`: [{`column`: `revenue`,"
            + " `aggregation`: `sum`, `alias`: `revenue`}]}]}",
        201);
  }

  /** A server on {@code dir/name}; the sandbox is off unless {@code settings} say otherwise. */
  private static BasinServer server(String name, Map<String, String> settings) {
    Map<String, String> all = new HashMap<>();
    all.put("sql.threads", "2");
    all.put("sql.memory-limit", "256MB");
    all.put("export.chromium-no-sandbox", "true");
    all.putAll(settings);
    return TestServers.start(dir.resolve(name), all);
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  private static HttpResponse<byte[]> get(BasinServer on, String path, boolean authenticated)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + on.httpPort() + path));
    if (authenticated) {
      b.header("Authorization", TestServers.bearer(on));
    }
    return HTTP.send(b.GET().build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static HttpResponse<byte[]> get(String path, boolean authenticated) throws Exception {
    return get(server, path, authenticated);
  }

  private static JsonNode send(String method, String path, String body, int status)
      throws Exception {
    return TestServers.json(server, method, path, body, status);
  }

  private static JsonNode error(HttpResponse<byte[]> r, int status) {
    String body = new String(r.body(), StandardCharsets.UTF_8);
    assertThat(r.statusCode()).as(body).isEqualTo(status);
    assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
    return Json.read(body, JsonNode.class).path("error");
  }

  private static String state(String json) {
    return URLEncoder.encode(json, StandardCharsets.UTF_8);
  }

  @Test
  void unknownDashboardIsNotFoundBeforeABrowserStarts() throws Exception {
    JsonNode e = error(get("/api/v1/dashboards/nope/export.png", true), 404);
    assertThat(e.path("code").asText()).isEqualTo("DASHBOARD_NOT_FOUND");
    assertThat(e.path("message").asText()).contains("nope");
  }

  @Test
  void badStateOrWidthIsRejected() throws Exception {
    JsonNode notJson =
        error(get("/api/v1/dashboards/sales/export.png?state=" + state("{filters"), true), 400);
    assertThat(notJson.path("code").asText()).isEqualTo("INVALID_ARGUMENT");
    assertThat(notJson.path("message").asText()).startsWith("state is not valid JSON");
    JsonNode array =
        error(get("/api/v1/dashboards/sales/export.pdf?state=" + state("[1]"), true), 400);
    assertThat(array.path("message").asText()).startsWith("state must be a JSON object");
    JsonNode unknown =
        error(
            get("/api/v1/dashboards/sales/export.pdf?state=" + state("{\"filter\": []}"), true),
            400);
    assertThat(unknown.path("message").asText())
        .isEqualTo("state has an unknown field \"filter\"; use parameters, filters, drill");
    JsonNode filters =
        error(
            get("/api/v1/dashboards/sales/export.pdf?state=" + state("{\"filters\": {}}"), true),
            400);
    assertThat(filters.path("message").asText()).contains("state.filters must be an array");
    JsonNode narrow = error(get("/api/v1/dashboards/sales/export.png?width=10", true), 400);
    assertThat(narrow.path("message").asText())
        .isEqualTo("width must be between 320 and 3840 pixels, was 10");
    JsonNode word = error(get("/api/v1/dashboards/sales/export.png?width=wide", true), 400);
    assertThat(word.path("message").asText()).contains("whole number");
  }

  @Test
  void exportNeedsAuthentication() throws Exception {
    JsonNode e = error(get("/api/v1/dashboards/sales/export.png", false), 401);
    assertThat(e.path("code").asText()).isEqualTo("UNAUTHENTICATED");
  }

  @Test
  void oneExportAtATimePerUserAndAFailingBrowserIsAFailureWithItsErrorOutput() throws Exception {
    Files.deleteIfExists(gate.resolve("release"));
    CompletableFuture<HttpResponse<byte[]>> first =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return get("/api/v1/dashboards/sales/export.png", true);
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try (var files = Files.list(gate)) {
        if (files.anyMatch(f -> f.getFileName().toString().startsWith("started-"))) {
          break;
        }
      }
      assertThat(System.nanoTime() - deadline).as("the stand-in browser started").isNegative();
      Thread.sleep(20);
    }
    HttpResponse<byte[]> second = get("/api/v1/dashboards/sales/export.pdf", true);
    JsonNode busy = error(second, 429);
    assertThat(busy.path("code").asText()).isEqualTo("EXPORT_BUSY");
    assertThat(busy.path("message").asText())
        .contains("one at a time per user")
        .contains(server.credentials().accessKeyId())
        .contains("retry");
    assertThat(second.headers().firstValue("Retry-After")).hasValue("10");

    Files.createFile(gate.resolve("release"));
    JsonNode failed = error(first.get(60, TimeUnit.SECONDS), 500);
    assertThat(failed.path("code").asText()).isEqualTo("EXPORT_FAILED");
    assertThat(failed.path("message").asText())
        .startsWith("cannot export dashboard 'sales': Chromium exited with status 4")
        .endsWith("released");
    // The user's turn is free again: the next export reaches the browser (and fails the same way).
    assertThat(error(get("/api/v1/dashboards/sales/export.png", true), 500).path("code").asText())
        .isEqualTo("EXPORT_FAILED");
  }

  @Test
  void missingChromiumIsUnavailableWithWhatToInstall() throws Exception {
    try (BasinServer none =
        server("none", Map.of("export.chromium", dir.resolve("no-such-chromium").toString()))) {
      JsonNode e = error(get(none, "/api/v1/dashboards/sales/export.pdf", true), 503);
      assertThat(e.path("code").asText()).isEqualTo("EXPORT_UNAVAILABLE");
      assertThat(e.path("message").asText())
          .contains("apt-get install chromium")
          .contains("export.chromium")
          .contains("BASIN_CHROMIUM");
    }
  }

  @Test
  void asRootTheSandboxMustBeTurnedOffExplicitly() throws Exception {
    assumeTrue(HeadlessChromium.runningAsRoot(), "only as root (as in CI)");
    try (BasinServer sandboxed =
        server(
            "sandboxed",
            Map.of(
                "export.chromium",
                dir.resolve("slow-chromium").toString(),
                "export.chromium-no-sandbox",
                "false"))) {
      JsonNode e = error(get(sandboxed, "/api/v1/dashboards/sales/export.png", true), 503);
      assertThat(e.path("code").asText()).isEqualTo("EXPORT_UNAVAILABLE");
      assertThat(e.path("message").asText())
          .isEqualTo(
              "Chromium cannot sandbox itself when Basin runs as root: run Basin as a non-root"
                  + " user, or set export.chromium-no-sandbox: true to accept the risk");
    }
  }
}
