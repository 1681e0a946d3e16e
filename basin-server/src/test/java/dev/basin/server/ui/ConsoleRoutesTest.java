package dev.basin.server.ui;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.basin.common.json.Json;
import dev.basin.server.BasinServer;
import dev.basin.server.TestServers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The console's files and its session cookie against an in-process server. */
class ConsoleRoutesTest {
  @TempDir static Path dir;
  private static BasinServer server;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  static void start() {
    server = TestServers.start(dir, Map.of("sql.threads", "1"));
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  private static HttpResponse<String> send(String method, String path, String body, String... h)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + path));
    for (int i = 0; i < h.length; i += 2) {
      b.header(h[i], h[i + 1]);
    }
    b.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  private static String type(HttpResponse<String> r) {
    return r.headers().firstValue("Content-Type").orElseThrow().replace(" ", "").toLowerCase();
  }

  private static String signInBody() {
    return "{\"accessKeyId\":\""
        + server.credentials().accessKeyId()
        + "\",\"secretAccessKey\":\""
        + server.credentials().secretAccessKey()
        + "\"}";
  }

  @Test
  void servesTheConsoleWithContentTypesAndCaching() throws Exception {
    HttpResponse<String> index = send("GET", "/ui/", null);
    assertThat(index.statusCode()).isEqualTo(200);
    assertThat(type(index)).isEqualTo("text/html;charset=utf-8");
    assertThat(index.headers().firstValue("Cache-Control")).hasValue("no-cache");
    assertThat(index.headers().firstValue("Content-Security-Policy").orElseThrow())
        .contains("default-src 'self'");
    assertThat(index.body()).contains("<title>Basin console</title>");
    String etag = index.headers().firstValue("ETag").orElseThrow();
    assertThat(send("GET", "/ui/", null, "If-None-Match", etag).statusCode()).isEqualTo(304);

    HttpResponse<String> js = send("GET", "/ui/pages/sql.js", null);
    assertThat(js.statusCode()).isEqualTo(200);
    assertThat(js.headers().firstValue("Content-Type")).hasValue("text/javascript; charset=utf-8");
    assertThat(send("GET", "/ui/app.css", null).headers().firstValue("Content-Type"))
        .hasValue("text/css; charset=utf-8");

    HttpResponse<String> echarts = send("GET", "/ui/vendor/echarts.min.js", null);
    assertThat(echarts.statusCode()).isEqualTo(200);
    assertThat(echarts.headers().firstValue("Cache-Control")).hasValue("public, max-age=86400");
    assertThat(echarts.body()).contains("echarts");

    assertThat(send("GET", "/ui", null).statusCode()).isEqualTo(302);
    assertThat(send("GET", "/ui/nope.js", null).statusCode()).isEqualTo(404);
    assertThat(send("GET", "/ui/..%2f..%2fcredentials", null).statusCode()).isEqualTo(404);
    assertThat(send("GET", "/ui/../credentials", null).statusCode()).isNotEqualTo(200);
  }

  @Test
  void sessionCookieOpensTheNativeApiUntilSignOut() throws Exception {
    HttpResponse<String> wrong =
        send(
            "POST",
            "/ui/api/session",
            "{\"accessKeyId\":\""
                + server.credentials().accessKeyId()
                + "\",\"secretAccessKey\":\"x\"}");
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(wrong.body()).contains("wrong access key id or secret access key");
    assertThat(wrong.headers().firstValue("Set-Cookie")).isEmpty();
    assertThat(send("POST", "/ui/api/session", "not json").statusCode()).isEqualTo(400);

    HttpResponse<String> ok = send("POST", "/ui/api/session", signInBody());
    assertThat(ok.statusCode()).isEqualTo(200);
    String setCookie = ok.headers().firstValue("Set-Cookie").orElseThrow();
    assertThat(setCookie).contains("HttpOnly").contains("SameSite=Strict").contains("Path=/");
    String cookie = setCookie.substring(0, setCookie.indexOf(';'));
    JsonNode session = Json.mapper().readTree(ok.body());
    String csrf = session.get("csrfToken").asText();
    assertThat(ok.body()).doesNotContain(server.credentials().secretAccessKey());

    assertThat(send("GET", "/api/v1/streams", null, "Cookie", cookie).statusCode()).isEqualTo(200);
    assertThat(send("GET", "/ui/api/session", null, "Cookie", cookie).statusCode()).isEqualTo(200);
    String create = "{\"name\":\"console\",\"shards\":1}";
    // State-changing calls need the CSRF header, and only the right one will do.
    assertThat(send("POST", "/api/v1/streams", create, "Cookie", cookie).statusCode())
        .isEqualTo(401);
    assertThat(
            send("POST", "/api/v1/streams", create, "Cookie", cookie, "X-Basin-Csrf", "x")
                .statusCode())
        .isEqualTo(401);
    assertThat(send("GET", "/api/v1/streams/console", null, "Cookie", cookie).statusCode())
        .isEqualTo(404);
    HttpResponse<String> created =
        send("POST", "/api/v1/streams", create, "Cookie", cookie, "X-Basin-Csrf", csrf);
    assertThat(created.statusCode()).as(created.body()).isIn(200, 201);

    // The query history names the console user.
    HttpResponse<String> q =
        send(
            "POST",
            "/api/v1/queries",
            "{\"sql\":\"SELECT 1\",\"wait\":true}",
            "Cookie",
            cookie,
            "X-Basin-Csrf",
            csrf);
    assertThat(Json.mapper().readTree(q.body()).get("user").asText())
        .isEqualTo(server.credentials().accessKeyId());

    HttpResponse<String> out = send("DELETE", "/ui/api/session", null, "Cookie", cookie);
    assertThat(out.statusCode()).isEqualTo(204);
    assertThat(out.headers().firstValue("Set-Cookie").orElseThrow()).contains("Max-Age=0");
    assertThat(send("GET", "/api/v1/streams", null, "Cookie", cookie).statusCode()).isEqualTo(401);
    assertThat(send("GET", "/ui/api/session", null, "Cookie", cookie).statusCode()).isEqualTo(401);
  }
}
