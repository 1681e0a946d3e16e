package dev.basin.bench.dashboards;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The native REST calls the dashboards benchmark makes, as the server's admin key pair. One
 * HTTP/1.1 client: as in a browser, each request in flight holds its own connection. Thread-safe.
 */
final class BasinApi {
  static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10))
          .build();
  private final String endpoint;
  private final String bearer;

  BasinApi(String endpoint, String accessKeyId, String secretAccessKey) {
    this.endpoint = endpoint;
    this.bearer = "Bearer " + accessKeyId + ":" + secretAccessKey;
  }

  String endpoint() {
    return endpoint;
  }

  /**
   * Sends {@code method path} with a JSON body (or none).
   *
   * @throws IllegalStateException naming the call and the server's answer if the status is not
   *     {@code expected}
   */
  JsonNode call(String method, String path, String body, int expected) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(endpoint + path))
            .timeout(Duration.ofMinutes(10))
            .header("Authorization", bearer)
            .header("Content-Type", "application/json");
    b.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != expected) {
      throw new IllegalStateException(
          method + " " + path + " answered " + r.statusCode() + ": " + r.body());
    }
    return r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body());
  }

  /** Runs one SQL statement through the query service and waits for it to succeed. */
  JsonNode sql(String sql) throws Exception {
    String body =
        JSON.createObjectNode()
            .put("sql", sql)
            .put("wait", true)
            .put("waitSeconds", 300)
            .put("includeResults", true)
            .toString();
    JsonNode e = call("POST", "/api/v1/queries", body, 200);
    if (!e.path("state").asText().equals("SUCCEEDED")) {
      throw new IllegalStateException("query did not succeed: " + e + "\n" + sql);
    }
    return e;
  }
}
