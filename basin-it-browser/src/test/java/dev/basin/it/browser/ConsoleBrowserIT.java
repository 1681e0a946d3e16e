package dev.basin.it.browser;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Download;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.Cookie;
import com.microsoft.playwright.options.SameSiteAttribute;
import dev.basin.server.auth.Credentials;
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
  private static BrowserFixture fx;

  @BeforeAll
  static void start() throws Exception {
    fx = BrowserFixture.start(dir.resolve("data"), Map.of());
    fx.sql("CREATE DATABASE shop");
    fx.sql(
        "CREATE TABLE shop.sales AS SELECT range AS id, 'region ' || (range % 3) AS"
            + " region, range * 10 AS amount FROM range(15)");
  }

  @AfterAll
  static void stop() {
    if (fx != null) {
      fx.close();
    }
  }

  @Test
  void wrongCredentialsShowAClearMessage() {
    try (BrowserContext context = fx.browser.newContext()) {
      Page page = context.newPage();
      fx.signIn(page, fx.server.credentials().accessKeyId(), "not-the-secret");
      assertThat(page.locator("#signin-error"))
          .containsText("wrong access key id or secret access key");
      assertThat(page.locator("#shell")).isHidden();
      assertThat(context.cookies()).isEmpty();
      fx.screenshot(page, "signin-wrong-credentials");
    }
  }

  @Test
  void apiRefusesRequestsWithoutCredentials() throws Exception {
    HttpResponse<String> r = fx.http("GET", "/api/v1/queries", null);
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.body()).contains("UNAUTHENTICATED");
    assertThat(
            fx.http("GET", "/api/v1/catalog/databases", null, "Cookie", "basin_session=forged")
                .statusCode())
        .isEqualTo(401);
    assertThat(fx.http("GET", "/ui/api/session", null).statusCode()).isEqualTo(401);
  }

  @Test
  void signInRunQueryPageDownloadChartCatalogAndSignOut() throws Exception {
    Credentials c = fx.server.credentials();
    try (BrowserContext context =
        fx.browser.newContext(
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
            if (!req.url().startsWith(fx.base())) {
              external.add(req.url());
            }
          });
      fx.signIn(page, c.accessKeyId(), c.secretAccessKey());
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
      page.navigate(fx.base() + "/ui/#/sql");
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
      fx.screenshot(page, "sql-editor-page-1");
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
      fx.screenshot(page, "sql-editor-chart");
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
      fx.screenshot(page, "catalog-table");

      page.locator("#nav a[data-page=jobs]").click();
      assertThat(page.locator("#jobs-list")).isVisible();
      fx.screenshot(page, "jobs");

      // Sign out: the old cookie no longer opens the API
      page.locator("#signout").click();
      assertThat(page.locator("#signin")).isVisible();
      HttpResponse<String> after =
          fx.http("GET", "/api/v1/queries", null, "Cookie", "basin_session=" + session.value);
      assertThat(after.statusCode()).isEqualTo(401);
      assertThat(page.evaluate("async () => (await fetch('/api/v1/catalog/databases')).status"))
          .isEqualTo(401);
      fx.screenshot(page, "signed-out");

      assertThat(external).as("requests to other origins").isEmpty();
      // Only the deliberate refusals: the POST without CSRF header and the calls after sign-out.
      assertThat(failed).as("failed responses").allMatch(f -> f.startsWith("401 "));
      assertThat(consoleErrors)
          .as("browser console errors")
          .allMatch(m -> m.startsWith("Failed to load resource"));
    }
  }
}
