package dev.basin.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.basin.server.BasinServer;
import dev.basin.server.TestServers;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
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

/**
 * With authentication off ({@code --no-auth}), the native API still refuses what a browser sends on
 * behalf of a page from another site, while command-line clients and the console's own pages keep
 * working.
 */
class NoAuthCrossSiteTest {
  @TempDir static Path dir;
  private static BasinServer server;
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final String QUERY = "{\"sql\": \"SELECT 1\", \"wait\": true}";

  @BeforeAll
  static void start() throws Exception {
    server =
        TestServers.start(
            dir, Map.of("auth.enabled", "false", "sql.threads", "1", "sql.memory-limit", "256MB"));
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  private static HttpResponse<String> post(String contentType, String... headers) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.httpPort() + "/api/v1/queries"))
            .header("Content-Type", contentType)
            .POST(HttpRequest.BodyPublishers.ofString(QUERY));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void commandLineClientsNeedNoCredentials() throws Exception {
    assertThat(post("application/json").statusCode()).isEqualTo(200);
  }

  @Test
  void sameOriginPagesAreAllowed() throws Exception {
    String self = "http://127.0.0.1:" + server.httpPort();
    assertThat(
            post("application/json", "Origin", self, "Sec-Fetch-Site", "same-origin").statusCode())
        .isEqualTo(200);
    assertThat(post("application/json", "Origin", self).statusCode()).isEqualTo(200);
  }

  private static String refusal() {
    return "{\"error\":{\"code\":\"CROSS_SITE_REFUSED\",\"message\":\"requests from other sites'"
        + " pages are refused while auth.enabled=false; use the CLI or open http://127.0.0.1:"
        + server.httpPort()
        + "/ui/\"}}";
  }

  @Test
  void crossSiteBrowserRequestsAreRefused() throws Exception {
    HttpResponse<String> formPost =
        post("text/plain", "Origin", "http://evil.example", "Sec-Fetch-Site", "cross-site");
    assertThat(formPost.statusCode()).isEqualTo(403);
    assertThat(formPost.body()).isEqualTo(refusal());
    assertThat(formPost.headers().firstValue("WWW-Authenticate")).isEmpty();
    // another port on the same host is another origin, and the same site
    assertThat(
            post("text/plain", "Origin", "http://127.0.0.1:1", "Sec-Fetch-Site", "same-site")
                .statusCode())
        .isEqualTo(403);
    // a browser that sends only Origin
    assertThat(post("text/plain", "Origin", "http://evil.example").statusCode()).isEqualTo(403);
  }

  /** A raw HTTP/1.1 request (Java's HttpClient cannot set Host): the status line and body. */
  private static String[] raw(String host, String... headers) throws Exception {
    StringBuilder req =
        new StringBuilder("POST /api/v1/queries HTTP/1.1\r\nHost: ")
            .append(host)
            .append("\r\nContent-Type: application/json\r\nConnection: close\r\n");
    for (int i = 0; i < headers.length; i += 2) {
      req.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
    }
    byte[] body = QUERY.getBytes(StandardCharsets.UTF_8);
    req.append("Content-Length: ").append(body.length).append("\r\n\r\n");
    try (Socket s = new Socket("127.0.0.1", server.httpPort())) {
      s.setSoTimeout(60_000);
      OutputStream out = s.getOutputStream();
      out.write(req.toString().getBytes(StandardCharsets.US_ASCII));
      out.write(body);
      out.flush();
      InputStream in = s.getInputStream();
      String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      int end = response.indexOf("\r\n\r\n");
      return new String[] {
        response.substring(0, response.indexOf("\r\n")), response.substring(end + 4)
      };
    }
  }

  @Test
  void dnsRebindingIsRefusedByTheHostHeader() throws Exception {
    int port = server.httpPort();
    // A page on evil.example whose name now resolves to 127.0.0.1: same-origin to the browser.
    String[] rebound =
        raw(
            "evil.example:" + port,
            "Origin",
            "http://evil.example:" + port,
            "Sec-Fetch-Site",
            "same-origin");
    assertThat(rebound[0]).contains(" 403 ");
    assertThat(rebound[1]).contains(refusal());
    // the same without browser headers, as a script would send it
    assertThat(raw("evil.example:" + port)[0]).contains(" 403 ");
    // local names pass, with or without a port
    for (String host :
        new String[] {"127.0.0.1:" + port, "localhost:" + port, "localhost", "127.0.0.1"}) {
      String[] ok = raw(host, "Origin", "http://" + host, "Sec-Fetch-Site", "same-origin");
      assertThat(ok[0]).as(host).contains(" 200 ");
    }
  }
}
