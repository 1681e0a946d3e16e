package dev.basin.bench.sql;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.basin.bench.support.BenchArgs;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;

/**
 * The client side of the SQL benchmark, in its own JVM: runs each query through Basin's query
 * service (native API, {@code wait=true}, result reuse off, then reads the result page), a repeated
 * query answered from the snapshot-keyed cache, and trivial queries over PostgreSQL wire with
 * pgjdbc. Prints {@code RESULT {…}} with every timing in milliseconds.
 *
 * <p>Options: {@code --endpoint URL --pg-port N --access-key K --secret-key S --database DB --runs
 * N --trivial-runs N}.
 */
public final class SqlServiceDriver {

  private static final ObjectMapper JSON = new ObjectMapper();

  private SqlServiceDriver() {}

  public static void main(String[] argv) throws Exception {
    Map<String, String> a = BenchArgs.parse(argv).asMap();
    String endpoint = a.get("endpoint");
    String bearer = "Bearer " + a.get("access-key") + ":" + a.get("secret-key");
    String db = a.getOrDefault("database", "bench");
    int runs = Integer.parseInt(a.getOrDefault("runs", "5"));
    int trivialRuns = Integer.parseInt(a.getOrDefault("trivial-runs", "200"));
    HttpClient http = HttpClient.newHttpClient();
    ObjectNode result = JSON.createObjectNode();

    ObjectNode service = result.putObject("service");
    for (Map.Entry<String, String> q : SqlQueries.all().entrySet()) {
      String sql = SqlQueries.forBasin(q.getValue(), db);
      query(http, endpoint, bearer, sql, false);
      ArrayNode times = service.putArray(q.getKey());
      for (int i = 0; i < runs; i++) {
        long start = System.nanoTime();
        query(http, endpoint, bearer, sql, false);
        times.add((System.nanoTime() - start) / 1e6);
      }
    }

    String cached = SqlQueries.forBasin(SqlQueries.all().get("join-category"), db);
    JsonNode first = query(http, endpoint, bearer, cached, true);
    ArrayNode cacheTimes = result.putArray("cache");
    boolean reused = false;
    for (int i = 0; i < 20; i++) {
      long start = System.nanoTime();
      JsonNode e = query(http, endpoint, bearer, cached, true);
      cacheTimes.add((System.nanoTime() - start) / 1e6);
      reused = e.path("reusedPreviousResult").asBoolean(e.path("cacheHit").asBoolean(false));
    }
    result.put("cacheReused", reused);
    result.put("cacheFirstId", first.path("id").asText());

    String url = "jdbc:postgresql://127.0.0.1:" + a.get("pg-port") + "/basin";
    try (Connection c =
        DriverManager.getConnection(url, a.get("access-key"), a.get("secret-key"))) {
      ObjectNode pg = result.putObject("pgwire");
      try (Statement s = c.createStatement()) {
        for (Map.Entry<String, String> q : SqlQueries.all().entrySet()) {
          String sql = SqlQueries.forBasin(q.getValue(), db);
          drain(s.executeQuery(sql));
          ArrayNode times = pg.putArray(q.getKey());
          for (int i = 0; i < runs; i++) {
            long start = System.nanoTime();
            drain(s.executeQuery(sql));
            times.add((System.nanoTime() - start) / 1e6);
          }
        }
      }
      ArrayNode select1 = result.putArray("pgSelect1");
      try (Statement s = c.createStatement()) {
        for (int i = 0; i < 20; i++) {
          drain(s.executeQuery("SELECT 1"));
        }
        for (int i = 0; i < trivialRuns; i++) {
          long start = System.nanoTime();
          drain(s.executeQuery("SELECT 1"));
          select1.add((System.nanoTime() - start) / 1e6);
        }
      }
      ArrayNode lookup = result.putArray("pgPointLookup");
      try (PreparedStatement ps =
          c.prepareStatement("SELECT * FROM " + db + ".sales WHERE sale_id = ?")) {
        for (int i = 0; i < 3 + 20; i++) {
          ps.setLong(1, 1000L + i * 7919L);
          long start = System.nanoTime();
          drain(ps.executeQuery());
          if (i >= 3) {
            lookup.add((System.nanoTime() - start) / 1e6);
          }
        }
      }
    }
    System.out.println("RESULT " + JSON.writeValueAsString(result));
  }

  private static void drain(ResultSet rs) throws Exception {
    try (rs) {
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        for (int i = 1; i <= n; i++) {
          rs.getObject(i);
        }
      }
    }
  }

  /**
   * Runs a query to completion and reads its first result page (in the same response when it
   * finished within the wait); returns the execution.
   */
  static JsonNode query(HttpClient http, String endpoint, String bearer, String sql, boolean reuse)
      throws Exception {
    ObjectNode body = JSON.createObjectNode();
    body.put("sql", sql);
    body.put("wait", true);
    body.put("waitSeconds", 300);
    body.put("reuseResults", reuse);
    body.put("includeResults", true);
    JsonNode e = send(http, "POST", endpoint + "/api/v1/queries", bearer, body.toString());
    String id = e.path("id").asText();
    while (!terminal(e.path("state").asText())) {
      Thread.sleep(50);
      e = send(http, "GET", endpoint + "/api/v1/queries/" + id, bearer, null);
    }
    if (!e.path("state").asText().equals("SUCCEEDED")) {
      throw new IllegalStateException("query failed: " + e + "\n" + sql);
    }
    if (!e.has("results")) {
      send(
          http,
          "GET",
          endpoint + "/api/v1/queries/" + id + "/results?maxResults=1000",
          bearer,
          null);
    }
    return e;
  }

  private static boolean terminal(String state) {
    return state.equals("SUCCEEDED") || state.equals("FAILED") || state.equals("CANCELLED");
  }

  static JsonNode send(HttpClient http, String method, String url, String bearer, String body)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofMinutes(10))
            .header("Authorization", bearer);
    if (body == null) {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      b.header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    }
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() >= 300) {
      throw new IllegalStateException(
          method + " " + url + " -> " + r.statusCode() + " " + r.body());
    }
    return JSON.readTree(r.body());
  }
}
