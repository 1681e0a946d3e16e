package dev.basin.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.basin.server.BasinServer;
import dev.basin.server.TestServers;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /api/v1/queries}, named queries and workgroups over HTTP against an in-process server. */
class QueriesRestApiTest {
  @TempDir static Path dir;
  private static BasinServer server;

  @BeforeAll
  static void start() throws Exception {
    server = TestServers.start(dir, Map.of("sql.threads", "2", "sql.memory-limit", "512MB"));
    send("POST", "/api/v1/queries", "{\"sql\":\"CREATE DATABASE shop\",\"wait\":true}", 200);
    send(
        "POST",
        "/api/v1/queries",
        "{\"sql\":\"CREATE TABLE shop.items AS SELECT range AS id, 'item ' || range AS name,"
            + " range * 0.5 AS price FROM range(5)\",\"wait\":true}",
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
  void runsAQueryAndReturnsTypedRowsAndTheCsv() throws Exception {
    JsonNode e =
        send(
            "POST",
            "/api/v1/queries",
            "{\"sql\":\"SELECT id, name, price FROM items WHERE id >= ? ORDER BY id\","
                + "\"database\":\"shop\",\"parameters\":[3],\"wait\":true}",
            200);
    assertThat(e.get("state").asText()).isEqualTo("SUCCEEDED");
    assertThat(e.get("user").asText()).isEqualTo(server.credentials().accessKeyId());
    assertThat(e.at("/statistics/rows").asLong()).isEqualTo(2);
    String id = e.get("id").asText();

    JsonNode page = send("GET", "/api/v1/queries/" + id + "/results?maxResults=1", null, 200);
    assertThat(page.at("/columns/0/name").asText()).isEqualTo("id");
    assertThat(page.at("/rows/0/0").isNumber()).isTrue();
    assertThat(page.at("/rows/0/1").asText()).isEqualTo("item 3");
    JsonNode next =
        send(
            "GET",
            "/api/v1/queries/"
                + id
                + "/results?maxResults=1&nextToken="
                + page.get("nextToken").asText(),
            null,
            200);
    assertThat(next.at("/rows/0/0").asLong()).isEqualTo(4);
    assertThat(next.has("nextToken")).isFalse();

    HttpResponse<String> csv = raw("GET", "/api/v1/queries/" + id + "/results.csv", null);
    assertThat(csv.statusCode()).isEqualTo(200);
    assertThat(csv.headers().firstValue("Content-Type").orElse("")).startsWith("text/csv");
    assertThat(csv.body())
        .isEqualTo(
            "\"id\",\"name\",\"price\"\n\"3\",\"item 3\",\"1.5\"\n\"4\",\"item 4\",\"2.0\"\n");

    JsonNode one = send("GET", "/api/v1/queries/" + id + "?waitSeconds=1", null, 200);
    assertThat(one.get("id").asText()).isEqualTo(id);
    JsonNode list = send("GET", "/api/v1/queries?state=SUCCEEDED&limit=100", null, 200);
    assertThat(list.get("queries").findValuesAsText("id")).contains(id);
  }

  @Test
  void aWaitedQueryCanCarryItsFirstPage() throws Exception {
    JsonNode e =
        send(
            "POST",
            "/api/v1/queries",
            "{\"sql\":\"SELECT id FROM shop.items ORDER BY id\",\"wait\":true,"
                + "\"includeResults\":true,\"maxResults\":2}",
            200);
    assertThat(e.get("state").asText()).isEqualTo("SUCCEEDED");
    assertThat(e.at("/results/columns/0/name").asText()).isEqualTo("id");
    assertThat(e.at("/results/rows")).hasSize(2);
    assertThat(e.at("/results/nextToken").isTextual()).isTrue();
    JsonNode without = send("POST", "/api/v1/queries", "{\"sql\":\"SELECT 1\",\"wait\":true}", 200);
    assertThat(without.has("results")).isFalse();
  }

  @Test
  void asyncSubmitThenPollAndCancel() throws Exception {
    JsonNode e =
        send(
            "POST",
            "/api/v1/queries",
            "{\"sql\":\"SELECT count(*) FROM range(100000000000) a WHERE a.range % 7 = 3\"}",
            202);
    String id = e.get("id").asText();
    send("DELETE", "/api/v1/queries/" + id, null, 200);
    JsonNode done = send("GET", "/api/v1/queries/" + id + "?waitSeconds=30", null, 200);
    assertThat(done.get("state").asText()).isEqualTo("CANCELLED");
    JsonNode err = send("GET", "/api/v1/queries/" + id + "/results", null, 400);
    assertThat(err.at("/error/code").asText()).isEqualTo("QUERY_NOT_SUCCEEDED");
  }

  @Test
  void dryRunReportsScansAndSyntaxErrorsWithTheirPosition() throws Exception {
    JsonNode d =
        send("POST", "/api/v1/queries/dry-run", "{\"sql\":\"SELECT * FROM shop.items\"}", 200);
    assertThat(d.at("/tables/0/table").asText()).isEqualTo("shop.items");
    assertThat(d.get("bytesPlanned").asLong()).isPositive();
    assertThat(d.get("exceedsCutoff").asBoolean()).isFalse();
    JsonNode bad =
        send("POST", "/api/v1/queries/dry-run", "{\"sql\":\"SELECT * FORM shop.items\"}", 400);
    assertThat(bad.at("/error/code").asText()).isEqualTo("SYNTAX_ERROR");
    assertThat(bad.at("/error/message").asText()).startsWith("line 1:");
  }

  @Test
  void badInputGetsClearErrorsAndRunsNothing() throws Exception {
    int before = send("GET", "/api/v1/queries?limit=1000", null, 200).get("queries").size();
    JsonNode db =
        send(
            "POST",
            "/api/v1/queries",
            "{\"sql\":\"SELECT 1\",\"database\":\"shop; DROP DATABASE shop\"}",
            400);
    assertThat(db.at("/error/code").asText()).isEqualTo("INVALID_REQUEST");
    assertThat(db.at("/error/message").asText()).contains("invalid database name");
    JsonNode wg =
        send("POST", "/api/v1/queries", "{\"sql\":\"SELECT 1\",\"workgroup\":\"x/../y\"}", 400);
    assertThat(wg.at("/error/message").asText()).contains("invalid workgroup name");
    JsonNode params =
        send("POST", "/api/v1/queries", "{\"sql\":\"SELECT ?\",\"parameters\":[{\"a\":1}]}", 400);
    assertThat(params.at("/error/message").asText()).contains("parameter 1");
    send("POST", "/api/v1/queries", "not json", 400);
    send("POST", "/api/v1/queries", "{\"database\":\"shop\"}", 400);
    assertThat(send("GET", "/api/v1/queries/nope", null, 404).at("/error/code").asText())
        .isEqualTo("QUERY_NOT_FOUND");
    assertThat(send("GET", "/api/v1/queries?limit=1000", null, 200).get("queries").size())
        .isEqualTo(before);
    // a quote in a parameter is a value, not SQL
    JsonNode quoted =
        send(
            "POST",
            "/api/v1/queries",
            "{\"sql\":\"SELECT count(*) AS n FROM shop.items WHERE name = ?\",\"parameters\":"
                + "[\"x' OR '1'='1\"],\"wait\":true}",
            200);
    JsonNode rows =
        send("GET", "/api/v1/queries/" + quoted.get("id").asText() + "/results", null, 200);
    assertThat(rows.at("/rows/0/0").asLong()).isZero();
  }

  @Test
  void workgroupsAndNamedQueries() throws Exception {
    JsonNode wg =
        send(
            "POST",
            "/api/v1/workgroups",
            "{\"name\":\"team\",\"bytesScannedCutoffPerQuery\":1,\"description\":\"d\"}",
            201);
    assertThat(wg.get("bytesScannedCutoffPerQuery").asLong()).isEqualTo(1);
    send("POST", "/api/v1/workgroups", "{\"name\":\"team\"}", 409);
    JsonNode capped =
        send(
            "POST",
            "/api/v1/queries",
            "{\"sql\":\"SELECT * FROM shop.items\",\"workgroup\":\"team\",\"wait\":true}",
            200);
    assertThat(capped.get("state").asText()).isEqualTo("CANCELLED");
    assertThat(capped.get("stateChangeReason").asText())
        .isEqualTo("Query cancelled! : Bytes scanned limit was exceeded");
    send("PUT", "/api/v1/workgroups/team", "{\"bytesScannedCutoffPerQuery\":null}", 200);
    assertThat(send("GET", "/api/v1/workgroups/team", null, 200).has("bytesScannedCutoffPerQuery"))
        .isFalse();

    JsonNode q =
        send(
            "POST",
            "/api/v1/named-queries",
            "{\"name\":\"all items\",\"database\":\"shop\",\"sql\":\"SELECT * FROM items\","
                + "\"workgroup\":\"team\"}",
            201);
    String id = q.get("id").asText();
    assertThat(send("GET", "/api/v1/named-queries/" + id, null, 200).get("sql").asText())
        .isEqualTo("SELECT * FROM items");
    assertThat(
            send("GET", "/api/v1/named-queries?workgroup=team", null, 200)
                .get("namedQueries")
                .size())
        .isEqualTo(1);
    send("DELETE", "/api/v1/workgroups/team", null, 409);
    send("DELETE", "/api/v1/named-queries/" + id, null, 204);
    send("DELETE", "/api/v1/workgroups/team?recursive=true", null, 204);
    send("GET", "/api/v1/workgroups/team", null, 404);
  }
}
