package dev.basin.it.browser;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import dev.basin.server.BasinServer;
import dev.basin.server.ServerConfig;
import dev.basin.server.auth.Credentials;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One in-process Basin server on a temporary data directory plus Debian's Chromium driven by
 * Playwright, shared by the browser tests: start it in {@code @BeforeAll}, close it in
 * {@code @AfterAll}. Screenshots go to {@code basin.browser.screenshots} ({@code
 * <target>/screenshots/}).
 */
final class BrowserFixture implements AutoCloseable {
  static final Path SCREENSHOTS =
      Path.of(System.getProperty("basin.browser.screenshots", "target/screenshots"));
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  final BasinServer server;
  final Playwright playwright;
  final Browser browser;

  private BrowserFixture(BasinServer server, Playwright playwright, Browser browser) {
    this.server = server;
    this.playwright = playwright;
    this.browser = browser;
  }

  /** Starts a server on {@code dataDir} with {@code settings} over small test defaults. */
  static BrowserFixture start(Path dataDir, Map<String, String> settings) throws Exception {
    Map<String, String> all = new HashMap<>();
    all.put("data-dir", dataDir.toString());
    all.put("http-port", "0");
    all.put("pg-port", "0");
    all.put("sql.threads", "2");
    all.put("sql.memory-limit", "512MB");
    if ("root".equals(System.getProperty("user.name"))) {
      // CI containers run as root, where Chromium (the server's exports too) cannot sandbox
      all.put("export.chromium-no-sandbox", "true");
    }
    all.putAll(settings);
    BasinServer server =
        new BasinServer(ServerConfig.definition().resolve(Map.of(), Map.of(), all)).start();
    Files.createDirectories(SCREENSHOTS);
    Playwright playwright = null;
    try {
      playwright =
          Playwright.create(
              new Playwright.CreateOptions()
                  .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
      BrowserType.LaunchOptions launch =
          new BrowserType.LaunchOptions().setExecutablePath(Path.of(chromium())).setHeadless(true);
      if ("root".equals(System.getProperty("user.name"))) {
        // Chromium refuses to sandbox itself as root (CI containers)
        launch.setArgs(List.of("--no-sandbox"));
      }
      return new BrowserFixture(server, playwright, playwright.chromium().launch(launch));
    } catch (RuntimeException e) {
      if (playwright != null) {
        playwright.close();
      }
      server.close();
      throw e;
    }
  }

  /** The Chromium binary the tests drive. */
  static String chromium() {
    return System.getProperty("basin.browser.executable", "/usr/bin/chromium");
  }

  String base() {
    return "http://127.0.0.1:" + server.httpPort();
  }

  /** A raw request; {@code headers} are name, value pairs. */
  HttpResponse<String> http(String method, String path, String body, String... headers)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base() + path));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    b.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  /** A native API call with the server's key pair that must answer {@code status}. */
  String api(String method, String path, String body, int status) throws Exception {
    Credentials c = server.credentials();
    HttpResponse<String> r =
        http(
            method,
            path,
            body,
            "Authorization",
            "Bearer " + c.accessKeyId() + ":" + c.secretAccessKey(),
            "Content-Type",
            "application/json");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    return r.body();
  }

  /** Runs SQL to completion through the native API. */
  void sql(String sql) throws Exception {
    api(
        "POST",
        "/api/v1/queries",
        dev.basin.common.json.Json.mapper()
            .createObjectNode()
            .put("sql", sql)
            .put("wait", true)
            .toString(),
        200);
  }

  void screenshot(Page page, String name) {
    page.screenshot(
        new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve(name + ".png")).setFullPage(true));
  }

  /** Opens the console and signs in; does not wait for the shell. */
  void signIn(Page page, String id, String secret) {
    page.navigate(base() + "/ui/");
    page.locator("#access-key-id").fill(id);
    page.locator("#secret-access-key").fill(secret);
    page.locator("#signin-button").click();
  }

  /** Signs in with the server's key pair and waits for the shell. */
  void signIn(Page page) {
    Credentials c = server.credentials();
    signIn(page, c.accessKeyId(), c.secretAccessKey());
    com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat(page.locator("#shell"))
        .isVisible();
  }

  @Override
  public void close() {
    try {
      browser.close();
      playwright.close();
    } finally {
      server.close();
    }
  }
}
