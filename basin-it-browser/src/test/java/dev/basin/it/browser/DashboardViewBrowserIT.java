package dev.basin.it.browser;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Download;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Route;
import com.microsoft.playwright.options.FilePayload;
import dev.basin.common.json.Json;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard list and view in Debian's Chromium: a dashboard over a two-year sales table with a
 * bar, a line with year → month → day drill-down, a KPI with comparison and a table, driven by a
 * multi-select parameter. Checks the exact values drawn (ECharts options and DOM), the URL state,
 * drill-down and its breadcrumb, click-to-filter, the CSV download, the print layout, a visual
 * whose query fails, a missing dashboard, a hostile filter value and the JSON import. Screenshots
 * go to {@code <target>/screenshots/dashboard-*.png}.
 */
class DashboardViewBrowserIT {
  @TempDir static Path dir;
  private static BrowserFixture fx;

  // Totals per region: EU 340, US 180, APAC 150. Per year: 2024 270, 2025 400.
  private static final String ROWS =
      "(DATE '2024-01-05', 'EU', 'apple', 100.0, 1),"
          + " (DATE '2024-01-20', 'US', 'apple', 50.0, 2),"
          + " (DATE '2024-03-03', 'EU', 'kiwi', 30.0, 1),"
          + " (DATE '2024-03-03', 'APAC', 'kiwi', 20.0, 1),"
          + " (DATE '2024-07-14', 'US', 'kiwi', 70.0, 3),"
          + " (DATE '2025-02-01', 'EU', 'apple', 200.0, 2),"
          + " (DATE '2025-02-15', 'APAC', 'apple', 40.0, 1),"
          + " (DATE '2025-06-30', 'US', 'kiwi', 60.0, 2),"
          + " (DATE '2025-06-30', 'EU', 'kiwi', 10.0, 1),"
          + " (DATE '2025-11-11', 'APAC', 'apple', 90.0, 4)";

  private static final String VIEW = "sales-view";

  static final String DASHBOARD =
      ("{`id`: `sales-view`, `name`: `Sales view`, `description`: `Revenue by region and time`,"
              + " `sheets`: [{`id`: `main`, `name`: `Overview`}, {`id`: `checks`, `name`: `Checks`}],"
              + " `parameters`: [{`name`: `region`, `label`: `Region`, `control`: `multiselect`},"
              + "   {`name`: `product`, `label`: `Product`, `control`: `dropdown`},"
              + "   {`name`: `period`, `label`: `Order date`, `control`: `dateRange`, `type`: `date`}],"
              + " `filters`: [{`id`: `f_region`, `field`: `region`, `type`: `in`, `parameter`: `region`,"
              + "   `dataset`: `sales`},"
              + "   {`id`: `f_product`, `field`: `product`, `type`: `equals`, `parameter`: `product`,"
              + "   `visuals`: [`by_region`, `trend`]},"
              + "   {`id`: `f_period`, `field`: `order_date`, `type`: `dateRange`, `parameter`: `period`,"
              + "   `dataset`: `sales`}],"
              + " `texts`: [{`id`: `intro`, `sheet`: `main`, `layout`: {`x`: 0, `y`: 0, `w`: 12, `h`: 1},"
              + "   `text`: `# Sales overview\\nClick a bar to filter; click a year to drill down.`}],"
              + " `visuals`: ["
              + "  {`id`: `by_region`, `type`: `bar`, `title`: `Revenue by region`, `dataset`: `sales`,"
              + "   `sheet`: `main`, `layout`: {`x`: 0, `y`: 1, `w`: 6, `h`: 4},"
              + "   `dimensions`: [`region`], `measures`: [{`column`: `revenue`, `alias`: `revenue`}],"
              + "   `sort`: [{`field`: `revenue`, `direction`: `desc`}]},"
              + "  {`id`: `trend`, `type`: `line`, `title`: `Revenue over time`, `dataset`: `sales`,"
              + "   `sheet`: `main`, `layout`: {`x`: 6, `y`: 1, `w`: 6, `h`: 4},"
              + "   `dimensions`: [{`field`: `order_date`, `granularity`: `year`}],"
              + "   `drillDown`: {`levels`: [{`field`: `order_date`, `granularity`: `year`},"
              + "     {`field`: `order_date`, `granularity`: `month`},"
              + "     {`field`: `order_date`, `granularity`: `day`}]},"
              + "   `measures`: [{`column`: `revenue`, `alias`: `revenue`}]},"
              + "  {`id`: `total`, `type`: `kpi`, `title`: `Revenue this year`, `dataset`: `sales`,"
              + "   `sheet`: `main`, `layout`: {`x`: 0, `y`: 5, `w`: 4, `h`: 3},"
              + "   `measures`: [{`column`: `revenue`, `alias`: `revenue`}],"
              + "   `comparison`: {`field`: `order_date`, `period`: `year`},"
              + "   `options`: {`format`: {`style`: `currency`, `currency`: `USD`, `decimals`: 0}}},"
              + "  {`id`: `by_product`, `type`: `table`, `title`: `By product`, `dataset`: `sales`,"
              + "   `sheet`: `main`, `layout`: {`x`: 4, `y`: 5, `w`: 8, `h`: 3},"
              + "   `dimensions`: [`product`], `measures`: [{`column`: `revenue`, `alias`: `revenue`},"
              + "     {`column`: `qty`, `alias`: `qty`}]},"
              + "  {`id`: `broken`, `type`: `bar`, `title`: `Average of a text column`,"
              + "   `dataset`: `sales`, `sheet`: `checks`, `dimensions`: [`product`],"
              + "   `measures`: [{`column`: `region`, `aggregation`: `avg`}]},"
              + "  {`id`: `by_month`, `type`: `area`, `title`: `Monthly revenue`, `dataset`: `sales`,"
              + "   `sheet`: `checks`, `dimensions`: [{`field`: `order_date`, `granularity`: `month`}],"
              + "   `measures`: [{`column`: `revenue`, `alias`: `revenue`}]}"
              + " ]}")
          .replace('`', '"');

  @BeforeAll
  static void start() throws Exception {
    // CI runs as root, where the export's Chromium cannot sandbox itself.
    fx = BrowserFixture.start(dir.resolve("data"), Map.of("export.chromium-no-sandbox", "true"));
    fx.sql("CREATE DATABASE shop");
    fx.sql(
        "CREATE TABLE shop.sales AS SELECT * FROM (VALUES "
            + ROWS
            + ") AS t(order_date, region, product, revenue, qty)");
    fx.api("POST", "/api/v1/datasets", "{\"name\": \"sales\", \"table\": \"shop.sales\"}", 201);
    fx.api("POST", "/api/v1/dashboards", DASHBOARD, 201);
  }

  @AfterAll
  static void stop() {
    if (fx != null) {
      fx.close();
    }
  }

  private static BrowserContext context() {
    return fx.browser.newContext(
        new Browser.NewContextOptions()
            .setViewportSize(1400, 1000)
            .setLocale("en-US")
            .setAcceptDownloads(true));
  }

  @Test
  void viewFilterShareDrillClickToFilterDownloadAndPrint() throws Exception {
    try (BrowserContext context = context()) {
      Page page = context.newPage();
      signIn(page);
      List<String> consoleErrors = consoleErrors(page);
      List<String> failed = new CopyOnWriteArrayList<>();
      page.onResponse(
          r -> {
            if (r.status() >= 400) {
              failed.add(r.status() + " " + r.request().method() + " " + r.url());
            }
          });
      page.navigate(fx.base() + "/ui/#/dashboards/sales-view");
      ready(page, VIEW);
      assertThat(page.locator("#dashboard h1")).hasText("Sales view");
      assertThat(page.locator(".text-block h2")).hasText("Sales overview");
      assertThat(page.locator("#sheet-tabs button")).hasText(new String[] {"Overview", "Checks"});
      assertThat(page.locator("section.visual")).hasCount(4);
      assertThat(categories(page, "by_region")).containsExactly("EU", "US", "APAC");
      assertThat(values(page, "by_region")).containsExactly(340.0, 180.0, 150.0);
      // The charts fill their boxes of the 12-column grid (two side by side, 4 rows high).
      assertThat(((Number) page.evaluate("() => " + chart("by_region") + ".getWidth()")).intValue())
          .isGreaterThan(500);
      assertThat(((Number) page.evaluate("() => " + chart("trend") + ".getHeight()")).intValue())
          .isGreaterThan(200);
      assertThat(categories(page, "trend")).containsExactly("2024", "2025");
      assertThat(values(page, "trend")).containsExactly(270.0, 400.0);
      assertKpi(page, "$400", "+48.1%");
      assertTable(page, new String[][] {{"apple", "480", "10"}, {"kiwi", "190", "8"}});
      fx.screenshot(page, "dashboard-view");

      // The multi-select offers the field's distinct values; choosing EU and US filters all four.
      Locator control = page.locator(".control[data-parameter=region]");
      control.locator("summary").click();
      assertThat(control.locator("label.option")).hasText(new String[] {"APAC", "EU", "US"});
      control.locator("input[value=EU]").check();
      ready(page, VIEW);
      control.locator("input[value=US]").check();
      ready(page, VIEW);
      assertThat(control.locator("summary")).hasText("EU, US");
      fx.screenshot(page, "dashboard-filter-open");
      control.locator("summary").click();
      assertFilteredEuUs(page);
      fx.screenshot(page, "dashboard-filtered");

      // The URL carries the state: a new page opens the same filtered view.
      String url = page.url();
      JsonNode state = state(url);
      assertThat(state.path("parameters").path("region").toString()).isEqualTo("[\"EU\",\"US\"]");
      Page second = context.newPage();
      second.navigate(url);
      ready(second, VIEW);
      assertFilteredEuUs(second);
      assertThat(second.locator(".control[data-parameter=region] summary")).hasText("EU, US");

      // Drill down: 2024 → its months → January's days, and back up with the breadcrumb.
      clickPoint(second, "trend", 0);
      ready(second, VIEW);
      assertThat(categories(second, "trend")).containsExactly("Jan 2024", "Mar 2024", "Jul 2024");
      assertThat(values(second, "trend")).containsExactly(150.0, 30.0, 70.0);
      Locator crumbs = second.locator("[data-visual-id=trend] .breadcrumb");
      assertThat(crumbs).hasText("All years › 2024");
      JsonNode drill = state(second.url()).path("drill").path("trend");
      assertThat(drill.path("level").asInt()).isEqualTo(1);
      assertThat(drill.path("path").get(0).asText()).startsWith("2024-01-01");
      fx.screenshot(second, "dashboard-drill-months");
      clickPoint(second, "trend", 0);
      ready(second, VIEW);
      assertThat(categories(second, "trend")).containsExactly("2024-01-05", "2024-01-20");
      assertThat(values(second, "trend")).containsExactly(100.0, 50.0);
      assertThat(crumbs).hasText("All years › 2024 › Jan 2024");
      fx.screenshot(second, "dashboard-drill-days");
      crumbs.locator("a[data-level='1']").click();
      ready(second, VIEW);
      assertThat(values(second, "trend")).containsExactly(150.0, 30.0, 70.0);
      crumbs.locator("a[data-level='0']").click();
      ready(second, VIEW);
      assertThat(categories(second, "trend")).containsExactly("2024", "2025");
      assertThat(crumbs).isHidden();
      assertThat(state(second.url()).path("drill").size()).isZero();
      second.close();

      // Click-to-filter: the EU bar filters the other visuals of the dataset, not the bar itself.
      clickPoint(page, "by_region", 0);
      ready(page, VIEW);
      assertThat(page.locator("#filter-chips .chip")).hasCount(1);
      assertThat(page.locator("#filter-chips .chip")).containsText("region = EU");
      assertThat(values(page, "by_region")).containsExactly(340.0, 180.0);
      assertThat(
              page.evaluate(
                  "() => "
                      + chart("by_region")
                      + ".getOption().series[0].data[1].itemStyle.opacity"))
          .isEqualTo(0.35);
      assertThat(values(page, "trend")).containsExactly(130.0, 210.0);
      assertKpi(page, "$210", "+61.5%");
      assertTable(page, new String[][] {{"apple", "300", "3"}, {"kiwi", "40", "2"}});
      fx.screenshot(page, "dashboard-click-to-filter");

      // The CSV has the table's rows under the current state.
      Locator table = page.locator("[data-visual-id=by_product]");
      table.locator(".visual-menu summary").click();
      Download download = page.waitForDownload(() -> table.locator(".menu-csv").click());
      assertThat(download.suggestedFilename()).isEqualTo("by_product.csv");
      List<String> csv = Files.readAllLines(download.path(), StandardCharsets.UTF_8);
      assertThat(csv).containsExactly("product,revenue,qty", "apple,300.0,3", "kiwi,40.0,2");

      // Removing the chip restores the parameter-filtered view.
      page.locator("#filter-chips .chip-remove").click();
      ready(page, VIEW);
      assertThat(page.locator("#filter-chips .chip")).hasCount(0);
      assertFilteredEuUs(page);

      // Insights on the time series: the narrative and the forecast band.
      Locator trend = page.locator("[data-visual-id=trend]");
      trend.locator(".visual-menu summary").click();
      trend.locator(".menu-insights").click();
      ready(page, VIEW);
      assertThat(trend.locator(".narrative")).isVisible();
      assertThat(trend.locator(".narrative")).containsText("Insight:");
      Object seriesNames =
          page.evaluate(
              "() => echarts.getInstanceByDom(document.querySelector("
                  + "'[data-visual-id=trend] .visual-chart')).getOption().series.map(s => s.name)");
      assertThat(((List<?>) seriesNames).stream().map(String::valueOf).toList())
          .contains("p10–p90", "actual", "anomaly");
      fx.screenshot(page, "dashboard-insights");

      // Print mode: no chrome, no animation, every visual ready.
      Page printed = context.newPage();
      printed.navigate(url + "&print=1");
      ready(printed, VIEW);
      assertThat(printed.locator("body")).hasClass(java.util.regex.Pattern.compile("\\bprint\\b"));
      assertThat(printed.locator(".topbar")).isHidden();
      assertThat(printed.locator("#dashboard-controls")).isHidden();
      assertThat(printed.locator("#print-summary")).hasText("Filtered on Region: EU, US");
      assertThat(printed.locator(".visual-menu").first()).isHidden();
      assertThat(
              printed.evaluate(
                  "() => echarts.getInstanceByDom(document.querySelector("
                      + "'[data-visual-id=by_region] .visual-chart')).getOption().animation"))
          .isEqualTo(false);
      assertThat(values(printed, "by_region")).containsExactly(340.0, 180.0);
      Object ready = printed.evaluate("() => window.basinDashboardReady.visuals");
      assertThat(((Number) ready).intValue()).isEqualTo(6);
      fx.screenshot(printed, "dashboard-print");
      printed.close();

      // Export PNG: the server renders the same view (with the current state) and the page saves
      // it.
      Download png = page.waitForDownload(() -> page.locator("#export-png").click());
      assertThat(png.suggestedFilename()).isEqualTo("sales-view.png");
      byte[] image = Files.readAllBytes(png.path());
      assertThat(image).startsWith((byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G');
      assertThat(page.locator("#export-error")).isEmpty();

      assertThat(failed).as("failed responses").isEmpty();
      assertThat(consoleErrors).as("browser console errors").isEmpty();
    }
  }

  @Test
  void hostileFilterValueInTheUrlMatchesNothing() throws Exception {
    try (BrowserContext context = context()) {
      Page page = context.newPage();
      signIn(page);
      String s = "{\"parameters\": {\"region\": [\"' OR 1=1 --\"]}}";
      page.navigate(
          fx.base()
              + "/ui/#/dashboards/sales-view?s="
              + URLEncoder.encode(s, StandardCharsets.UTF_8));
      ready(page, VIEW);
      assertThat(page.locator("section.visual[data-state=error]")).hasCount(0);
      assertThat(page.locator("section.visual[data-state=ready]")).hasCount(4);
      assertThat(page.locator("[data-visual-id=by_region] .dv-body"))
          .hasText("No data for the current filters.");
      assertThat(page.locator("[data-visual-id=by_product] .dv-body"))
          .hasText("No rows for the current filters.");
      assertThat(page.locator("[data-visual-id=total] .kpi-value")).hasText("—");
      // The hostile value is shown as a chosen option, so it can be unchecked.
      Locator control = page.locator(".control[data-parameter=region]");
      assertThat(control.locator("summary")).hasText("' OR 1=1 --");
      fx.screenshot(page, "dashboard-hostile-filter");
      control.locator("summary").click();
      control.locator("label.option", new Locator.LocatorOptions().setHasText("OR 1=1")).click();
      ready(page, VIEW);
      assertThat(values(page, "by_region")).containsExactly(340.0, 180.0, 150.0);
    }
  }

  @Test
  void malformedFilterInTheUrlIsIgnoredWithANote() throws Exception {
    // "values" of an "in" filter must be a list; the region filter next to it is valid.
    String s =
        "{\"filters\": [{\"field\": \"x\", \"type\": \"in\", \"values\": \"a\"},"
            + " {\"field\": \"region\", \"type\": \"equals\", \"value\": \"EU\","
            + " \"dataset\": \"sales\", \"source\": \"by_region\"}]}";
    try (BrowserContext context = context()) {
      Page page = context.newPage();
      signIn(page);
      page.navigate(
          fx.base()
              + "/ui/#/dashboards/sales-view?s="
              + URLEncoder.encode(s, StandardCharsets.UTF_8));
      ready(page, VIEW);
      assertThat(page.locator("#state-note"))
          .hasText("Parts of the link were ignored: the filter on 'x' needs \"values\" as a list.");
      assertThat(page.locator("section.visual[data-state=ready]")).hasCount(4);
      assertThat(page.locator("#filter-chips .chip")).hasCount(1);
      assertThat(page.locator("#filter-chips .chip")).containsText("region = EU");
      assertThat(values(page, "by_region")).containsExactly(340.0, 180.0, 150.0);
      assertThat(values(page, "trend")).containsExactly(130.0, 210.0);
      fx.screenshot(page, "dashboard-malformed-state");
    }
    // The server's export opens the same print view, which must settle instead of timing out.
    String png =
        fx.api(
            "GET",
            "/api/v1/dashboards/sales-view/export.png?state="
                + URLEncoder.encode(s, StandardCharsets.UTF_8),
            null,
            200);
    assertThat(png).startsWith("\uFFFDPNG");
  }

  /**
   * Counts the ECharts instances the page creates and the answers to by_month's data requests the
   * page has read (so that a test can wait until a held answer was handled).
   */
  private static final String CHART_PROBE =
      "(() => { let real; const made = []; window.__charts = made; window.__byMonthRead = 0;"
          + " Object.defineProperty(window, 'echarts', { configurable: true, set(v) { real = v; },"
          + "   get() { if (real && real.init && !real.__counted) { const init = real.init;"
          + "     real.init = function (...a) { const c = init.apply(this, a); made.push(c); return c; };"
          + "     real.__counted = true; } return real; } });"
          + " const fetch0 = window.fetch;"
          + " window.fetch = (...a) => fetch0(...a).then((r) => { const text = r.text.bind(r);"
          + "   r.text = () => text().then((t) => {"
          + "     if (String(a[0]).includes('/visuals/by_month/data')) window.__byMonthRead++;"
          + "     return t; });"
          + "   return r; }); })();";

  @Test
  void sheetSwitchDuringALoadLeavesNoChartBehind() throws Exception {
    try (BrowserContext context = context()) {
      Page page = context.newPage();
      // Before the console's first load: the dashboard opens in the same document.
      page.addInitScript(CHART_PROBE);
      signIn(page);
      page.navigate(fx.base() + "/ui/#/dashboards/sales-view");
      ready(page, VIEW);
      // Hold the Checks sheet's chart data, go back to Overview, then let the answer arrive.
      List<Route> held = new ArrayList<>();
      page.route("**/visuals/by_month/data", held::add);
      page.locator("#sheet-tabs button[data-sheet=checks]").click();
      page.waitForCondition(() -> !held.isEmpty());
      page.locator("#sheet-tabs button[data-sheet=main]").click();
      ready(page, VIEW);
      page.unroute("**/visuals/by_month/data");
      held.forEach(Route::resume);
      page.waitForFunction("() => window.__byMonthRead === 1");
      // Only Overview's two charts are alive; none was drawn into the removed Checks sheet.
      Object alive =
          page.evaluate(
              "() => window.__charts.filter((c) => !c.isDisposed())"
                  + ".map((c) => c.getDom().isConnected"
                  + " ? c.getDom().closest('[data-visual-id]').dataset.visualId : 'detached')");
      assertThat(((List<?>) alive).stream().map(String::valueOf).sorted().toList())
          .containsExactly("by_region", "trend");
      assertThat(page.locator("section.visual[data-visual-id=by_month]")).hasCount(0);
      assertThat(values(page, "by_region")).containsExactly(340.0, 180.0, 150.0);
    }
  }

  @Test
  void failingVisualMissingDashboardListAndImport() throws Exception {
    try (BrowserContext context = context()) {
      Page page = context.newPage();
      signIn(page);

      // A visual whose query fails shows the error in its own box; the sheet's other visual draws.
      page.navigate(fx.base() + "/ui/#/dashboards/sales-view");
      ready(page, VIEW);
      page.locator("#sheet-tabs button[data-sheet=checks]").click();
      ready(page, VIEW);
      assertThat(page).hasURL(java.util.regex.Pattern.compile("sheet=checks"));
      Locator broken = page.locator("section.visual[data-visual-id=broken]");
      assertThat(broken).hasAttribute("data-state", "error");
      assertThat(broken.locator(".error")).containsText("avg");
      assertThat(page.locator("section.visual[data-visual-id=by_month]"))
          .hasAttribute("data-state", "ready");
      assertThat(values(page, "by_month")).containsExactly(150.0, 50.0, 70.0, 240.0, 70.0, 90.0);
      fx.screenshot(page, "dashboard-visual-error");

      // Insights: the forecast band (one polygon over p10–p90), the p50 line and the narrative.
      Locator byMonth = page.locator("[data-visual-id=by_month]");
      byMonth.locator(".visual-menu summary").click();
      byMonth.locator(".menu-insights").click();
      ready(page, VIEW);
      assertThat(byMonth.locator(".narrative"))
          .hasText(
              "Insight: Revenue in November 2025 was in line with the forecast, within the"
                  + " expected range.");
      List<?> series =
          (List<?>)
              page.evaluate(
                  "() => "
                      + chart("by_month")
                      + ".getOption().series.map(s => s.type + ':' + s.name"
                      + " + ':' + s.data.length)");
      assertThat(series.stream().map(String::valueOf).toList())
          .containsExactly(
              "custom:p10–p90:12", "line:forecast p50:12", "line:actual:6", "scatter:anomaly:0");
      fx.screenshot(page, "dashboard-insights-band");

      // A missing dashboard says so.
      page.navigate(fx.base() + "/ui/#/dashboards/no-such-dashboard");
      ready(page, "no-such-dashboard");
      assertThat(page.locator("#dashboard .error"))
          .containsText("Dashboard 'no-such-dashboard' does not exist");
      fx.screenshot(page, "dashboard-missing");

      // The list, an import that is not JSON, and a real exported bundle under a new id.
      page.navigate(fx.base() + "/ui/#/dashboards");
      Locator row =
          page.locator("#dashboards-list tr", new Page.LocatorOptions().setHasText("sales-view"));
      assertThat(row).containsText("Sales view");
      assertThat(row.locator("td").nth(2)).hasText("1");
      assertThat(page.locator("#new-dashboard")).hasAttribute("href", "#/dashboards/new/edit");
      page.locator("#import-file")
          .setInputFiles(
              new FilePayload(
                  "notes.json", "application/json", "{not json".getBytes(StandardCharsets.UTF_8)));
      assertThat(page.locator("#import-result .error"))
          .containsText("notes.json is not valid JSON");
      page.locator("#import-file")
          .setInputFiles(
              new FilePayload(
                  "bad.json",
                  "application/json",
                  ("{\"dashboard\": {\"id\": \"x\", \"name\": \"X\", \"visuals\": [{\"id\":"
                          + " \"v\", \"type\": \"sankey\", \"dataset\": \"sales\"}]}}")
                      .getBytes(StandardCharsets.UTF_8)));
      assertThat(page.locator("#import-result .error"))
          .containsText("visuals[0].type 'sankey' is not a visual type");
      ObjectNode bundle =
          (ObjectNode)
              Json.mapper()
                  .readTree(fx.api("GET", "/api/v1/dashboards/sales-view/export", null, 200));
      ((ObjectNode) bundle.get("dashboard")).put("id", "sales-copy").put("name", "Sales copy");
      page.locator("#import-file")
          .setInputFiles(
              new FilePayload(
                  "sales.json",
                  "application/json",
                  bundle.toString().getBytes(StandardCharsets.UTF_8)));
      assertThat(page.locator("#import-result")).containsText("Imported dashboard 'Sales copy'");
      assertThat(
              page.locator(
                  "#dashboards-list a.dashboard-link",
                  new Page.LocatorOptions().setHasText("Sales copy")))
          .hasAttribute("href", "#/dashboards/sales-copy");
      fx.screenshot(page, "dashboard-list");
      page.locator("#import-result a").click();
      ready(page, "sales-copy");
      assertThat(values(page, "by_region")).containsExactly(340.0, 180.0, 150.0);

      // An export the server refuses shows the API's error text.
      fx.api("DELETE", "/api/v1/dashboards/sales-copy", null, 204);
      page.locator("#export-pdf").click();
      assertThat(page.locator("#export-error .error"))
          .hasText("dashboard 'sales-copy' not found; GET /api/v1/dashboards lists them");
      fx.screenshot(page, "dashboard-export-error");
    }
  }

  /**
   * Signs in and waits for the console's start page, so that its late rendering cannot land on the
   * dashboard page opened next.
   */
  private static void signIn(Page page) {
    fx.signIn(page);
    page.locator("#sql-input").waitFor();
  }

  @Test
  void dropdownAndDateRangeControlsFilterTheirVisuals() throws Exception {
    try (BrowserContext context = context()) {
      Page page = context.newPage();
      signIn(page);
      page.navigate(fx.base() + "/ui/#/dashboards/sales-view");
      ready(page, VIEW);
      Locator product = page.locator(".control[data-parameter=product] select");
      assertThat(product.locator("option")).hasText(new String[] {"(all)", "apple", "kiwi"});
      product.selectOption("kiwi");
      ready(page, VIEW);
      assertThat(categories(page, "by_region")).containsExactly("US", "EU", "APAC");
      assertThat(values(page, "by_region")).containsExactly(130.0, 40.0, 20.0);
      // The product filter targets the bar and the line only: the table still has both products.
      assertTable(page, new String[][] {{"apple", "480", "10"}, {"kiwi", "190", "8"}});

      page.locator(".control[data-parameter=period] input").first().fill("2025-01-01");
      ready(page, VIEW);
      assertThat(categories(page, "by_region")).containsExactly("US", "EU");
      assertThat(values(page, "by_region")).containsExactly(60.0, 10.0);
      assertThat(categories(page, "trend")).containsExactly("2025");
      assertTable(page, new String[][] {{"apple", "330", "7"}, {"kiwi", "70", "3"}});
      JsonNode state = state(page.url());
      assertThat(state.path("parameters").path("product").asText()).isEqualTo("kiwi");
      assertThat(state.path("parameters").path("period").toString())
          .isEqualTo("{\"from\":\"2025-01-01\",\"to\":null}");
      fx.screenshot(page, "dashboard-dropdown-date-range");

      product.selectOption("");
      ready(page, VIEW);
      assertThat(values(page, "by_region")).containsExactly(210.0, 130.0, 60.0);
    }
  }

  @Test
  void readerGetsTheChoicesFromASavedVisual() throws Exception {
    // Readers may not run unsaved visuals (the preview route): the multi-select's values come from
    // the saved bar grouped by region instead.
    fx.api(
        "POST",
        "/api/v1/users",
        "{\"name\": \"rita\", \"role\": \"reader\", \"password\": \"pw-rita-2026\"}",
        201);
    try (BrowserContext context = context()) {
      Page page = context.newPage();
      page.navigate(fx.base() + "/ui/");
      page.locator("#signin-toggle").click();
      page.locator("#user-name-input").fill("rita");
      page.locator("#password-input").fill("pw-rita-2026");
      page.locator("#signin-button").click();
      page.locator("#dashboards-list table").waitFor();
      page.navigate(fx.base() + "/ui/#/dashboards/sales-view");
      ready(page, VIEW);
      Locator control = page.locator(".control[data-parameter=region]");
      control.locator("summary").click();
      assertThat(control.locator("label.option")).hasText(new String[] {"APAC", "EU", "US"});
      assertThat(control.locator(".error")).hasCount(0);
      control.locator("input[value=APAC]").check();
      ready(page, VIEW);
      assertThat(values(page, "by_region")).containsExactly(150.0);
      assertThat(page.locator("#edit")).hasCount(0);
      fx.screenshot(page, "dashboard-reader");
    }
  }

  @Test
  void refreshButtonAndAutoRefreshShowNewRows() throws Exception {
    fx.sql("CREATE TABLE shop.ticks AS SELECT 1 AS n");
    fx.api("POST", "/api/v1/datasets", "{\"name\": \"ticks\", \"table\": \"shop.ticks\"}", 201);
    String visuals =
        " \"visuals\": [{\"id\": \"rows\", \"type\": \"kpi\", \"dataset\": \"ticks\","
            + " \"measures\": [{\"aggregation\": \"count\", \"alias\": \"rows\"}]}]}";
    fx.api("POST", "/api/v1/dashboards", "{\"id\": \"still\", \"name\": \"Still\"," + visuals, 201);
    // An hour between refreshes: only the test's fake clock gets there.
    fx.api(
        "POST",
        "/api/v1/dashboards",
        "{\"id\": \"live\", \"name\": \"Live\", \"refreshSeconds\": 3600," + visuals,
        201);
    try (BrowserContext context = context()) {
      // Without auto-refresh, only the Refresh button shows a new row.
      Page page = context.newPage();
      signIn(page);
      page.navigate(fx.base() + "/ui/#/dashboards/still");
      ready(page, "still");
      Locator kpi = page.locator("[data-visual-id=rows] .kpi-value");
      assertThat(kpi).hasText("1");
      assertThat(page.locator("#dashboard-status")).not().containsText("Auto-refresh");
      fx.sql("INSERT INTO shop.ticks VALUES (2)");
      page.locator("#refresh").click();
      assertThat(kpi).hasText("2");
      ready(page, "still");
      page.close();

      // Auto-refresh: the view reloads itself when the interval has passed on the page's clock
      // (the context's session cookie signs the new page in).
      Page live = context.newPage();
      live.clock().install();
      live.navigate(fx.base() + "/ui/#/dashboards/live");
      ready(live, "live");
      Locator liveKpi = live.locator("[data-visual-id=rows] .kpi-value");
      assertThat(liveKpi).hasText("2");
      assertThat(live.locator("#dashboard-status")).containsText("Auto-refresh every 3600 s");
      fx.sql("INSERT INTO shop.ticks VALUES (3)");
      live.clock().runFor(3_600_000);
      assertThat(liveKpi).hasText("3");
      ready(live, "live");
      fx.screenshot(live, "dashboard-auto-refresh");
    }
  }

  private static List<String> consoleErrors(Page page) {
    List<String> errors = new CopyOnWriteArrayList<>();
    page.onConsoleMessage(
        m -> {
          if (m.type().equals("error")) {
            errors.add(m.text());
          }
        });
    page.onPageError(errors::add);
    return errors;
  }

  /**
   * Waits until dashboard {@code id} (not a previous page's dashboard) and every one of its visuals
   * finished loading.
   */
  private static void ready(Page page, String id) {
    page.waitForFunction(
        "([id]) => { const d = document.querySelector('#dashboard[data-state=ready]');"
            + " return d !== null && d.dataset.id === id"
            + " && !d.querySelector('section.visual[data-state=loading]'); }",
        List.of(id));
  }

  private static JsonNode state(String url) throws Exception {
    String hash = url.substring(url.indexOf('#'));
    for (String part : hash.substring(hash.indexOf('?') + 1).split("&")) {
      if (part.startsWith("s=")) {
        return Json.mapper().readTree(URLDecoder.decode(part.substring(2), StandardCharsets.UTF_8));
      }
    }
    throw new AssertionError("no state in " + url);
  }

  private static String chart(String visualId) {
    return "echarts.getInstanceByDom(document.querySelector('[data-visual-id="
        + visualId
        + "] .visual-chart'))";
  }

  @SuppressWarnings("unchecked")
  private static List<String> categories(Page page, String visualId) {
    return (List<String>) page.evaluate("() => " + chart(visualId) + ".getOption().xAxis[0].data");
  }

  private static List<Double> values(Page page, String visualId) {
    List<?> raw =
        (List<?>) page.evaluate("() => " + chart(visualId) + ".getOption().series[0].data");
    // A faded (not selected) category is {value, itemStyle}.
    return raw.stream()
        .map(v -> v instanceof Map<?, ?> m ? m.get("value") : v)
        .map(v -> v == null ? null : ((Number) v).doubleValue())
        .toList();
  }

  /** Clicks the data point (bar or line symbol) of the first series at category index. */
  private static void clickPoint(Page page, String visualId, int index) {
    List<?> xy =
        (List<?>)
            page.evaluate(
                "([i]) => { const c = "
                    + chart(visualId)
                    + "; const v = c.getOption().series[0].data[i];"
                    + " const p = c.convertToPixel({seriesIndex: 0}, [i, c.getOption().series[0].type"
                    + " === 'bar' ? v / 2 : v]); const r = c.getDom().getBoundingClientRect();"
                    + " return [p[0] + r.left, p[1] + r.top]; }",
                List.of(index));
    page.mouse().click(((Number) xy.get(0)).doubleValue(), ((Number) xy.get(1)).doubleValue());
  }

  private static void assertKpi(Page page, String value, String delta) {
    Locator kpi = page.locator("[data-visual-id=total]");
    assertThat(kpi.locator(".kpi-value")).hasText(value);
    assertThat(kpi.locator(".kpi-delta")).containsText(delta);
  }

  private static void assertTable(Page page, String[][] rows) {
    Locator table = page.locator("[data-visual-id=by_product] table");
    assertThat(table.locator("thead th")).hasText(new String[] {"product", "revenue", "qty"});
    Locator trs = table.locator("tbody tr");
    assertThat(trs).hasCount(rows.length);
    for (int i = 0; i < rows.length; i++) {
      assertThat(trs.nth(i).locator("td")).hasText(rows[i]);
    }
  }

  private static void assertFilteredEuUs(Page page) {
    assertThat(categories(page, "by_region")).containsExactly("EU", "US");
    assertThat(values(page, "by_region")).containsExactly(340.0, 180.0);
    assertThat(values(page, "trend")).containsExactly(250.0, 270.0);
    assertKpi(page, "$270", "+8%");
    assertTable(page, new String[][] {{"apple", "350", "5"}, {"kiwi", "170", "7"}});
  }
}
