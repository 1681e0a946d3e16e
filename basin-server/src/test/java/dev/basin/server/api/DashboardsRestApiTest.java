package dev.basin.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.basin.server.BasinServer;
import dev.basin.server.TestServers;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /api/v1/datasets}, {@code /api/v1/dashboards} and visual data over HTTP in-process. */
class DashboardsRestApiTest {
  @TempDir static Path dir;
  private static BasinServer server;

  @BeforeAll
  static void start() throws Exception {
    server = TestServers.start(dir, Map.of("sql.threads", "2", "sql.memory-limit", "512MB"));
    send("POST", "/api/v1/queries", "{`sql`:`CREATE DATABASE shop`,`wait`:true}", 200);
    send(
        "POST",
        "/api/v1/queries",
        "{`sql`:`CREATE TABLE shop.sales AS SELECT * FROM (VALUES ('EU', 10.0), ('EU', 5.0),"
            + " ('US', 7.0)) AS t(region, revenue)`,`wait`:true}",
        200);
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  private static HttpResponse<String> raw(String method, String path, String body)
      throws Exception {
    return TestServers.authenticated(server, method, path, body);
  }

  private static JsonNode send(String method, String path, String body, int status)
      throws Exception {
    return TestServers.json(server, method, path, body, status);
  }

  @Test
  void datasetsDashboardsAndVisualDataOverHttp() throws Exception {
    String user = server.credentials().accessKeyId();
    JsonNode ds =
        send(
            "POST",
            "/api/v1/datasets",
            "{`name`: `sales`, `table`: `shop.sales`, `rowLevelSecurity`: {`column`: `region`,"
                + " `rules`: {`"
                + user
                + "`: [`EU`]}}}",
            201);
    assertThat(ds.path("columns").get(0).path("name").asText()).isEqualTo("region");
    String doc =
        "{`id`: `d1`, `name`: `Sales`, `visuals`: [{`id`: `v1`, `type`: `bar`, `dataset`: `sales`,"
            + " `dimensions`: [`region`], `measures`: [{`column`: `revenue`, `alias`: `rev`}]}]}";
    assertThat(send("POST", "/api/v1/dashboards", doc, 201).path("version").asInt()).isEqualTo(1);
    assertThat(
            send("PUT", "/api/v1/dashboards/d1?expectedVersion=1", doc, 200)
                .path("version")
                .asInt())
        .isEqualTo(2);
    assertThat(send("GET", "/api/v1/dashboards/d1/versions", null, 200).path("versions"))
        .hasSize(2);
    JsonNode conflict = send("PUT", "/api/v1/dashboards/d1?expectedVersion=1", doc, 409);
    assertThat(conflict.path("error").path("code").asText()).isEqualTo("VERSION_CONFLICT");

    // RLS: the signed-in key is granted EU only.
    JsonNode data = send("POST", "/api/v1/dashboards/d1/visuals/v1/data", "{}", 200);
    assertThat(data.path("rows").toString()).isEqualTo("[[\"EU\",15.0]]");
    assertThat(data.path("truncated").asBoolean()).isFalse();
    assertThat(data.has("serverMillis")).isTrue();

    String state =
        URLEncoder.encode(
            "{\"filters\":[{\"field\":\"region\",\"type\":\"equals\",\"value\":\"'); DROP TABLE shop.sales; --\"}]}",
            StandardCharsets.UTF_8);
    HttpResponse<String> csv =
        raw("GET", "/api/v1/dashboards/d1/visuals/v1/data.csv?state=" + state, null);
    assertThat(csv.statusCode()).as(csv.body()).isEqualTo(200);
    assertThat(csv.body()).isEqualTo("region,rev\r\n");
    assertThat(csv.headers().firstValue("Content-Type").orElse("")).startsWith("text/csv");

    JsonNode bad =
        send(
            "POST",
            "/api/v1/visuals/preview",
            "{`visual`: {`id`: `p`, `type`: `bar`, `dataset`: `sales`, `dimensions`: [`region`],"
                + " `measures`: [{`column`: `revnue`}]}}",
            400);
    assertThat(bad.path("error").path("code").asText()).isEqualTo("INVALID_VISUAL");
    assertThat(bad.path("error").path("message").asText())
        .contains(
            "visual.measures[0].column 'revnue' is not in dataset 'sales' (did you mean 'revenue'?)");
    JsonNode invalid =
        send(
            "POST",
            "/api/v1/dashboards",
            "{`id`: `d2`, `name`: `x`, `visuals`: [{`id`: `a`, `type`: `radar`, `dataset`: `sales`}]}",
            400);
    assertThat(invalid.path("error").path("message").asText())
        .startsWith("visuals[0].type 'radar'");
    send("GET", "/api/v1/dashboards/nope", null, 404);
    JsonNode noSeries =
        send("POST", "/api/v1/dashboards/d1/visuals/v1/insights", "{`horizon`: 3}", 400);
    assertThat(noSeries.path("error").path("message").asText())
        .contains("insights need a time series");
    JsonNode export = send("GET", "/api/v1/dashboards/d1/export", null, 200);
    send("DELETE", "/api/v1/dashboards/d1", null, 204);
    assertThat(
            send("POST", "/api/v1/dashboards/import", export.toString().replace('"', '`'), 201)
                .path("version")
                .asInt())
        .isEqualTo(1);
    assertThat(send("GET", "/api/v1/datasets", null, 200).path("datasets")).hasSize(1);
  }

  @Test
  void refreshingADatasetExtractOverHttp() throws Exception {
    send("POST", "/api/v1/datasets", "{`name`: `ext`, `table`: `shop.sales`, `extract`: {}}", 201);
    JsonNode asked = send("POST", "/api/v1/datasets/ext/refresh", null, 202);
    assertThat(asked.path("status").asText()).isIn("queued", "building", "refreshing", "ready");
    JsonNode extract = send("GET", "/api/v1/datasets/ext", null, 200).path("extract");
    for (int i = 0; i < 2400 && !extract.path("status").asText().equals("ready"); i++) {
      Thread.sleep(50);
      extract = send("GET", "/api/v1/datasets/ext", null, 200).path("extract");
    }
    assertThat(extract.path("status").asText()).as(extract.toString()).isEqualTo("ready");
    assertThat(extract.path("rows").asLong()).isEqualTo(3);
    assertThat(extract.path("bytes").asLong()).isPositive();
    assertThat(extract.path("sourceSnapshots").has("shop.sales")).isTrue();
    assertThat(extract.path("refresh").asText()).isEqualTo("onSnapshot");

    JsonNode missing = send("POST", "/api/v1/datasets/nope/refresh", null, 404);
    assertThat(missing.path("error").path("code").asText()).isEqualTo("DATASET_NOT_FOUND");
    send("POST", "/api/v1/datasets", "{`name`: `noext`, `table`: `shop.sales`}", 201);
    JsonNode none = send("POST", "/api/v1/datasets/noext/refresh", null, 400);
    assertThat(none.path("error").path("code").asText()).isEqualTo("INVALID_REQUEST");
    assertThat(none.path("error").path("message").asText())
        .contains("dataset 'noext' has no extract");
    send("DELETE", "/api/v1/datasets/ext", null, 204);
    send("DELETE", "/api/v1/datasets/noext", null, 204);
  }
}
