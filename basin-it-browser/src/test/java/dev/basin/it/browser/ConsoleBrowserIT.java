package dev.basin.it.browser;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Download;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.options.Cookie;
import com.microsoft.playwright.options.SameSiteAttribute;
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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web console in Debian's Chromium, driven by Playwright: sign-in (wrong and right key pair),
 * the SQL editor (grid values, paging, CSV download, the ECharts chart), the catalog, sign-out —
 * and the native API's answer to requests without credentials, with a signed-out cookie, and
 * without the CSRF header. Screenshots go to {@code <target>/screenshots/}.
 */
class ConsoleBrowserIT {
  @TempDir static Path dir;
  private static BasinServer server;
  private static Playwright playwright;
  private static Browser browser;
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Path SCREENSHOTS =
      Path.of(System.getProperty("basin.browser.screenshots", "target/screenshots"));

  @BeforeAll
  static void start() throws Exception {
    server =
        new BasinServer(
                ServerConfig.definition()
                    .resolve(
                        Map.of(),
                        Map.of(),
                        Map.of(
                            "data-dir", dir.resolve("data").toString(),
                            "http-port", "0",
                            "pg-port", "0",
                            "sql.threads", "2",
                            "sql.memory-limit", "512MB")))
            .start();
    api("POST", "/api/v1/queries", "{\"sql\":\"CREATE DATABASE shop\",\"wait\":true}", 200);
    api(
        "POST",
        "/api/v1/queries",
        "{\"sql\":\"CREATE TABLE shop.sales AS SELECT range AS id, 'region ' || (range % 3) AS"
            + " region, range * 10 AS amount FROM range(15)\",\"wait\":true}",
        200);
    Files.createDirectories(SCREENSHOTS);
    playwright =
        Playwright.create(
            new Playwright.CreateOptions().setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
    BrowserType.LaunchOptions launch =
        new BrowserType.LaunchOptions()
            .setExecutablePath(
                Path.of(System.getProperty("basin.browser.executable", "/usr/bin/chromium")))
            .setHeadless(true);
    if ("root".equals(System.getProperty("user.name"))) {
      // Chromium refuses to sandbox itself as root (CI containers)
      launch.setArgs(List.of("--no-sandbox"));
    }
    browser = playwright.chromium().launch(launch);
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.close();
    }
    if (playwright != null) {
      playwright.close();
    }
    if (server != null) {
      server.close();
    }
  }

  private static String base() {
    return "http://127.0.0.1:" + server.httpPort();
  }

  private static HttpResponse<String> http(String method, String path, String body, String... h)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base() + path));
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

  private static String api(String method, String path, String body, int status) throws Exception {
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

  private static void screenshot(Page page, String name) {
    page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve(name + ".png")));
  }

  private static void signIn(Page page, String id, String secret) {
    page.navigate(base() + "/ui/");
    page.locator("#access-key-id").fill(id);
    page.locator("#secret-access-key").fill(secret);
    page.locator("#signin-button").click();
  }

  @Test
  void wrongCredentialsShowAClearMessage() {
    try (BrowserContext context = browser.newContext()) {
      Page page = context.newPage();
      signIn(page, server.credentials().accessKeyId(), "not-the-secret");
      assertThat(page.locator("#signin-error"))
          .containsText("wrong access key id or secret access key");
      assertThat(page.locator("#shell")).isHidden();
      assertThat(context.cookies()).isEmpty();
      screenshot(page, "signin-wrong-credentials");
    }
  }

  @Test
  void apiRefusesRequestsWithoutCredentials() throws Exception {
    HttpResponse<String> r = http("GET", "/api/v1/queries", null);
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.body()).contains("UNAUTHENTICATED");
    assertThat(
            http("GET", "/api/v1/catalog/databases", null, "Cookie", "basin_session=forged")
                .statusCode())
        .isEqualTo(401);
    assertThat(http("GET", "/ui/api/session", null).statusCode()).isEqualTo(401);
  }

  @Test
  void signInRunQueryPageDownloadChartCatalogAndSignOut() throws Exception {
    Credentials c = server.credentials();
    try (BrowserContext context =
        browser.newContext(
            new Browser.NewContextOptions().setViewportSize(1400, 900).setAcceptDownloads(true))) {
      Page page = context.newPage();
      List<String> consoleErrors = new java.util.concurrent.CopyOnWriteArrayList<>();
      page.onConsoleMessage(
          m -> {
            if (m.type().equals("error")) {
              consoleErrors.add(m.text());
            }
          });
      List<String> failed = new java.util.concurrent.CopyOnWriteArrayList<>();
      page.onResponse(
          r -> {
            if (r.status() >= 400) {
              failed.add(r.status() + " " + r.request().method() + " " + r.url());
            }
          });
      List<String> external = new java.util.concurrent.CopyOnWriteArrayList<>();
      page.onRequest(
          req -> {
            if (!req.url().startsWith(base())) {
              external.add(req.url());
            }
          });
      signIn(page, c.accessKeyId(), c.secretAccessKey());
      assertThat(page.locator("#shell")).isVisible();
      assertThat(page.locator("#user-name")).hasText(c.accessKeyId());

      Cookie session =
          context.cookies().stream()
              .filter(k -> k.name.equals("basin_session"))
              .findFirst()
              .orElseThrow();
      assertThat(session.httpOnly).isTrue();
      assertThat(session.sameSite).isEqualTo(SameSiteAttribute.STRICT);

      // The cookie alone reads; a state-changing call also needs the console's CSRF header.
      Object withoutCsrf =
          page.evaluate(
              "async () => (await fetch('/api/v1/queries', {method: 'POST', headers:"
                  + " {'Content-Type': 'application/json'}, body: JSON.stringify({sql: 'SELECT"
                  + " 1'})})).status");
      assertThat(withoutCsrf).isEqualTo(401);
      Object read = page.evaluate("async () => (await fetch('/api/v1/queries')).status");
      assertThat(read).isEqualTo(200);

      // SQL editor: run, check the exact values, page through them
      page.navigate(base() + "/ui/#/sql");
      page.locator("#sql-input").fill("SELECT id, amount FROM shop.sales ORDER BY id");
      page.locator("#page-size").selectOption("10");
      page.locator("#run").click();
      assertThat(page.locator("#query-status")).containsText("SUCCEEDED");
      assertThat(page.locator("#query-status")).containsText("15 rows");
      Locator rows = page.locator("#result-grid tbody tr");
      assertThat(rows).hasCount(10);
      assertThat(page.locator("#result-grid thead th")).hasText(new String[] {"id", "amount"});
      for (int i = 0; i < 10; i++) {
        assertThat(rows.nth(i).locator("td"))
            .hasText(new String[] {Integer.toString(i), Integer.toString(i * 10)});
      }
      assertThat(page.locator("#page-info")).hasText("Rows 1–10");
      screenshot(page, "sql-editor-page-1");
      page.locator("#next-page").click();
      assertThat(page.locator("#page-info")).hasText("Rows 11–15");
      assertThat(rows).hasCount(5);
      assertThat(rows.nth(0).locator("td")).hasText(new String[] {"10", "100"});
      assertThat(rows.nth(4).locator("td")).hasText(new String[] {"14", "140"});
      assertThat(page.locator("#next-page")).isDisabled();
      page.locator("#prev-page").click();
      assertThat(page.locator("#page-info")).hasText("Rows 1–10");

      // CSV download of the whole result
      Download download = page.waitForDownload(() -> page.locator("#download-csv").click());
      List<String> csv = Files.readAllLines(download.path(), StandardCharsets.UTF_8);
      assertThat(csv).hasSize(16);
      assertThat(csv.get(0).replace("\"", "")).isEqualTo("id,amount");
      assertThat(csv.get(1).replace("\"", "")).isEqualTo("0,0");
      assertThat(csv.get(15).replace("\"", "")).isEqualTo("14,140");

      // The chart: ECharts, served by Basin, draws the page's rows
      page.locator("#tab-chart").click();
      assertThat(page.locator("#chart canvas").first()).isVisible();
      page.waitForFunction(
          "() => window.echarts && echarts.getInstanceByDom(document.getElementById('chart'))"
              + " .getOption().series[0].data.length === 10");
      screenshot(page, "sql-editor-chart");
      page.locator("#chart-kind").selectOption("line");
      page.waitForFunction(
          "() => echarts.getInstanceByDom(document.getElementById('chart'))"
              + ".getOption().series[0].type === 'line'");

      // History lists the query
      assertThat(page.locator("#history li").first())
          .containsText("SELECT id, amount FROM shop.sales ORDER BY id");

      // Catalog: the table and its columns
      page.locator("#nav a[data-page=catalog]").click();
      assertThat(page.locator("[data-table='shop.sales']")).isVisible();
      page.locator("[data-table='shop.sales']").click();
      Locator detail = page.locator("#catalog-detail");
      assertThat(detail).containsText("shop.sales");
      assertThat(detail.locator("td", new Locator.LocatorOptions().setHasText("amount")).first())
          .isVisible();
      assertThat(detail.locator("td", new Locator.LocatorOptions().setHasText("region")).first())
          .isVisible();
      screenshot(page, "catalog-table");

      page.locator("#nav a[data-page=jobs]").click();
      assertThat(page.locator("#jobs-list")).isVisible();
      screenshot(page, "jobs");

      // Sign out: the old cookie no longer opens the API
      page.locator("#signout").click();
      assertThat(page.locator("#signin")).isVisible();
      HttpResponse<String> after =
          http("GET", "/api/v1/queries", null, "Cookie", "basin_session=" + session.value);
      assertThat(after.statusCode()).isEqualTo(401);
      assertThat(page.evaluate("async () => (await fetch('/api/v1/catalog/databases')).status"))
          .isEqualTo(401);
      screenshot(page, "signed-out");

      assertThat(external).as("requests to other origins").isEmpty();
      // Only the deliberate refusals: the POST without CSRF header and the calls after sign-out.
      assertThat(failed).as("failed responses").allMatch(f -> f.startsWith("401 "));
      assertThat(consoleErrors)
          .as("browser console errors")
          .allMatch(m -> m.startsWith("Failed to load resource"));
    }
  }
}
