package dev.basin.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.basin.common.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * In-process servers for tests, on port 0 in a given data directory, and the HTTP requests the
 * tests send them. In a request body a backtick stands for a double quote, so that JSON reads
 * without escapes.
 */
public final class TestServers {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private TestServers() {}

  /**
   * Starts a server on {@code dataDir} with HTTP and PostgreSQL on free ports; {@code settings}
   * (such as {@code sql.threads}) add to those. The caller closes it.
   */
  public static BasinServer start(Path dataDir, Map<String, String> settings) {
    Map<String, String> all = new HashMap<>();
    all.put("data-dir", dataDir.toString());
    all.put("http-port", "0");
    all.put("pg-port", "0");
    all.putAll(settings);
    return new BasinServer(ServerConfig.definition().resolve(Map.of(), Map.of(), all)).start();
  }

  /** The {@code Authorization} header value of the server's own key pair. */
  public static String bearer(BasinServer server) {
    return "Bearer "
        + server.credentials().accessKeyId()
        + ":"
        + server.credentials().secretAccessKey();
  }

  /**
   * Sends {@code method path} with the JSON {@code body} (none when null) and the given header
   * name/value pairs, without authentication unless they carry it.
   */
  public static HttpResponse<String> request(
      BasinServer server, String method, String path, String body, String... headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + path));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    if (body != null) {
      b.header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(body.replace('`', '"')));
    } else {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  /** {@link #request} authenticated with the server's key pair. */
  public static HttpResponse<String> authenticated(
      BasinServer server, String method, String path, String body)
      throws IOException, InterruptedException {
    return request(server, method, path, body, "Authorization", bearer(server));
  }

  /**
   * {@link #authenticated}, asserting that the answer has {@code status}; returns its JSON body, or
   * null when it is empty.
   */
  public static JsonNode json(
      BasinServer server, String method, String path, String body, int status)
      throws IOException, InterruptedException {
    HttpResponse<String> r = authenticated(server, method, path, body);
    assertThat(r.statusCode()).as(method + " " + path + ": " + r.body()).isEqualTo(status);
    return r.body().isEmpty() ? null : Json.read(r.body(), JsonNode.class);
  }
}
