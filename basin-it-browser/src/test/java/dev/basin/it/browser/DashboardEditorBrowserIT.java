package dev.basin.it.browser;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Download;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import dev.basin.common.json.Json;
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
 * The datasets page and the dashboard editor in Debian's Chromium: a dataset with a calculated
 * field built in the form (and the server's message for one that does not parse), a dashboard with
 * a bar, a line and a KPI visual and a parameter filter built in the editor, saved, checked through
 * the API and in the view, saved again and seen in the version history — and the editor's bad
 * input: invalid JSON (nothing is sent), a visual naming a missing field (the server's message next
 * to that visual), a hostile parameter default (saved, inert) and a preview over the row cap (the
 * truncated note). Screenshots go to {@code <target>/screenshots/editor-*.png}.
 */
class DashboardEditorBrowserIT {
  private static final String HOSTILE = "'; DROP TABLE x; --";

  @TempDir static Path dir;
  private static BrowserFixture fx;

  @BeforeAll
  static void start() throws Exception {
    fx = BrowserFixture.start(dir.resolve("data"), Map.of());
    fx.sql("CREATE DATABASE shop");
    fx.sql(
        "CREATE TABLE shop.orders AS SELECT * FROM (VALUES"
            + " ('EU', DATE '2024-01-05', 10, 2), ('EU', DATE '2024-02-10', 20, 1),"
            + " ('US', DATE '2024-01-20', 5, 4), ('US', DATE '2024-03-02', 7, 3),"
            + " ('APAC', DATE '2024-02-14', 8, 1)) AS t(region, order_date, price, qty)");
    fx.sql("CREATE TABLE shop.x AS SELECT 1 AS keep");
    fx.sql("CREATE TABLE shop.big AS SELECT range AS id, range % 7 AS k FROM range(12000)");
    // The bad-input test builds on datasets of its own, made through the API.
    fx.api(
        "POST", "/api/v1/datasets", "{\"name\": \"orders_api\", \"table\": \"shop.orders\"}", 201);
    fx.api("POST", "/api/v1/datasets", "{\"name\": \"big\", \"table\": \"shop.big\"}", 201);
  }

  @AfterAll
  static void stop() {
    if (fx != null) {
      fx.close();
    }
  }

  @Test
  void buildDatasetAndDashboardInTheUi() throws Exception {
    try (BrowserContext context = newContext()) {
      Page page = context.newPage();
      List<String> pageErrors = pageErrors(page);
      fx.signIn(page);

      // A dataset from a catalog table, with a calculated field.
      page.navigate(fx.base() + "/ui/#/datasets");
      page.locator("#dataset-new").click();
      page.locator("#ds-name").fill("orders");
      assertThat(page.locator("#ds-database option[value=shop]")).hasCount(1);
      page.locator("#ds-database").selectOption("shop");
      assertThat(page.locator("#ds-table option[value=orders]")).hasCount(1);
      page.locator("#ds-table").selectOption("orders");
      assertThat(page.locator("#ds-source-columns")).containsText("order_date");
      page.locator("#ds-add-field").click();
      page.locator(".calc-name").fill("revenue");
      // First an expression the engine rejects: its message is shown as it is, nothing is created.
      page.locator(".calc-expr").fill("price * nope");
      page.locator("#ds-save").click();
      assertThat(page.locator("#ds-error")).containsText("dataset 'orders'");
      assertThat(page.locator("#ds-error")).containsText("nope");
      fx.screenshot(page, "editor-01-dataset-error");
      assertThat(
              Json.read(fx.api("GET", "/api/v1/datasets", null, 200), JsonNode.class)
                  .path("datasets")
                  .size())
          .isEqualTo(2);
      page.locator(".calc-expr").fill("price * qty");
      page.locator("#ds-save").click();
      assertThat(page.locator("#ds-columns")).containsText("revenue");
      assertThat(page.locator("#dataset-list [data-dataset=orders]")).hasCount(1);
      page.locator("#ds-preview-button").click();
      assertThat(page.locator("#ds-preview")).containsText("5 rows");
      assertThat(page.locator("#ds-preview table")).containsText("APAC");
      fx.screenshot(page, "editor-02-dataset-saved");
      JsonNode ds = Json.read(fx.api("GET", "/api/v1/datasets/orders", null, 200), JsonNode.class);
      assertThat(ds.path("table").asText()).isEqualTo("shop.orders");
      assertThat(ds.path("calculatedFields").get(0).path("expression").asText())
          .isEqualTo("price * qty");

      // A dataset from a SQL query with row-level security and a cache: rules that are not JSON
      // are refused in the page; valid ones restrict the preview to the signed-in user's rows.
      page.locator("#dataset-new").click();
      page.locator("#ds-name").fill("eu_orders");
      page.locator("#ds-source-kind").selectOption("sql");
      page.locator("#ds-sql").fill("SELECT region, price FROM shop.orders");
      page.locator("#ds-rls-enabled").check();
      page.locator("#ds-rls-column").fill("region");
      String user = fx.server.credentials().accessKeyId();
      page.locator("#ds-rls-rules").fill("{\"" + user + "\": [\"EU\"]");
      page.locator("#ds-cache").fill("{\"maxAgeSeconds\": 60}");
      page.locator("#ds-save").click();
      assertThat(page.locator("#ds-error"))
          .containsText("Row-level security rules is not valid JSON at line 1, column");
      fx.api("GET", "/api/v1/datasets/eu_orders", null, 404);
      page.locator("#ds-rls-rules").fill("{\"" + user + "\": [\"EU\"]}");
      page.locator("#ds-save").click();
      assertThat(page.locator("#dataset-list [data-dataset=eu_orders]")).hasCount(1);
      page.locator("#ds-preview-button").click();
      assertThat(page.locator("#ds-preview")).containsText("2 rows");
      assertThat(page.locator("#ds-preview table")).not().containsText("US");
      fx.screenshot(page, "editor-02b-sql-dataset-rls");
      JsonNode eu =
          Json.read(fx.api("GET", "/api/v1/datasets/eu_orders", null, 200), JsonNode.class);
      assertThat(eu.path("sql").asText()).isEqualTo("SELECT region, price FROM shop.orders");
      assertThat(eu.path("rowLevelSecurity").path("rules").path(user).toString())
          .isEqualTo("[\"EU\"]");
      assertThat(eu.path("cache").path("maxAgeSeconds").asInt()).isEqualTo(60);
      page.onDialog(d -> d.accept());
      page.locator("#ds-delete").click();
      assertThat(page.locator("#dataset-list [data-dataset=eu_orders]")).hasCount(0);
      fx.api("GET", "/api/v1/datasets/eu_orders", null, 404);

      // A dashboard with a bar, a line and a KPI visual and a parameter filter.
      openEditor(page, "new");
      page.locator("#ed-id").fill("sales");
      page.locator("#ed-name").fill("Sales");
      page.locator("#ed-add-parameter").click();
      page.locator(".param-row .p-name").fill("region");
      page.locator(".param-row .p-default").fill("EU");

      page.locator("#ed-add-visual").click();
      Locator bar = visual(page, 0);
      bar.locator(".v-dataset").selectOption("orders");
      bar.locator(".v-id").fill("by_region");
      bar.locator(".v-id").press("Tab");
      bar = visual(page, 0);
      bar.locator(".v-title").fill("Revenue by region");
      bar.locator(".dim-field").selectOption("region");
      bar.locator(".m-column").selectOption("revenue");
      bar.locator(".m-aggregation").selectOption("sum");
      bar = visual(page, 0);
      bar.locator(".m-alias").fill("revenue");
      assertThat(bar.locator(".v-preview")).hasAttribute("data-state", "ready");
      assertThat(bar.locator(".v-preview table")).containsText("APAC");
      assertThat(bar.locator(".v-preview canvas")).hasCount(1);
      bar.locator(".v-add-sort").click();
      visual(page, 0).locator(".s-field").fill("revenue");
      visual(page, 0).locator(".v-topn").fill("2");
      assertThat(visual(page, 0).locator(".v-preview table tbody tr")).hasCount(2);

      page.locator("#ed-add-visual").click();
      Locator line = visual(page, 1);
      line.locator(".v-dataset").selectOption("orders");
      line.locator(".v-type").selectOption("line");
      line = visual(page, 1);
      line.locator(".v-id").fill("trend");
      line.locator(".v-id").press("Tab");
      line = visual(page, 1);
      line.locator(".dim-field").selectOption("order_date");
      line.locator(".dim-granularity").selectOption("month");
      line.locator(".m-column").selectOption("revenue");
      line.locator(".m-aggregation").selectOption("sum");
      line = visual(page, 1);
      line.locator(".m-alias").fill("revenue");
      line.locator(".v-add-level").click();
      visual(page, 1).locator(".v-add-level").click();
      assertThat(visual(page, 1).locator(".drill-row")).hasCount(2);
      visual(page, 1)
          .locator(".drill-row")
          .nth(0)
          .locator(".drill-field")
          .selectOption("order_date");
      visual(page, 1)
          .locator(".drill-row")
          .nth(1)
          .locator(".drill-field")
          .selectOption("order_date");

      page.locator("#ed-add-visual").click();
      Locator kpi = visual(page, 2);
      kpi.locator(".v-dataset").selectOption("orders");
      kpi.locator(".v-type").selectOption("kpi");
      kpi = visual(page, 2);
      kpi.locator(".v-id").fill("total");
      kpi.locator(".v-id").press("Tab");
      kpi = visual(page, 2);
      kpi.locator(".dim-row .row-remove").click();
      kpi = visual(page, 2);
      kpi.locator(".m-column").selectOption("revenue");
      kpi.locator(".m-aggregation").selectOption("sum");
      kpi = visual(page, 2);
      kpi.locator(".m-alias").fill("total");
      assertThat(kpi.locator(".v-preview")).hasAttribute("data-state", "ready");
      assertThat(kpi.locator(".v-preview table")).containsText("89");

      // Reorder: down and up again.
      visual(page, 0).locator(".v-down").click();
      assertThat(visual(page, 0).locator(".v-id")).hasValue("trend");
      visual(page, 1).locator(".v-up").click();
      assertThat(visual(page, 0).locator(".v-id")).hasValue("by_region");
      page.locator("#ed-add-text").click();
      page.locator(".text-row .t-text").fill("# Sales\nRevenue of the chosen region.");

      page.locator("#ed-add-filter").click();
      page.locator(".filter-row .f-field").fill("region");
      page.locator(".filter-row .f-parameter").selectOption("region");
      page.locator(".filter-row .f-target[value=by_region]").check();
      page.locator(".filter-row .f-target[value=trend]").check();
      // The previews follow the parameter's default: the bar shows EU only.
      assertThat(visual(page, 0).locator(".v-preview table tbody tr")).hasCount(1);
      assertThat(visual(page, 0).locator(".v-preview table")).containsText("40");
      fx.screenshot(page, "editor-03-dashboard-form");

      // The JSON tab shows the same document and carries edits back to the form.
      page.locator("#ed-tab-json").click();
      JsonNode shown = Json.read(page.locator("#ed-json-text").inputValue(), JsonNode.class);
      assertThat(shown.path("visuals").size()).isEqualTo(3);
      page.locator("#ed-json-text")
          .fill(
              page.locator("#ed-json-text")
                  .inputValue()
                  .replace("\"Revenue by region\"", "\"Revenue per region\""));
      fx.screenshot(page, "editor-04-json-tab");
      page.locator("#ed-tab-form").click();
      assertThat(visual(page, 0).locator(".v-title")).hasValue("Revenue per region");

      save(page, "sales");
      JsonNode saved =
          Json.read(fx.api("GET", "/api/v1/dashboards/sales", null, 200), JsonNode.class);
      JsonNode doc = saved.path("document");
      assertThat(saved.path("version").asInt()).isEqualTo(1);
      assertThat(doc.path("name").asText()).isEqualTo("Sales");
      List<String> types = new ArrayList<>();
      doc.path("visuals").forEach(v -> types.add(v.path("id").asText() + ":" + v.path("type")));
      assertThat(types).containsExactly("by_region:\"bar\"", "trend:\"line\"", "total:\"kpi\"");
      assertThat(doc.path("visuals").get(0).path("title").asText()).isEqualTo("Revenue per region");
      assertThat(doc.path("visuals").get(1).path("dimensions").get(0).toString())
          .isEqualTo("{\"field\":\"order_date\",\"granularity\":\"month\"}");
      assertThat(doc.path("visuals").get(1).path("drillDown").toString())
          .isEqualTo(
              "{\"levels\":[{\"field\":\"order_date\",\"granularity\":\"year\"},"
                  + "{\"field\":\"order_date\",\"granularity\":\"month\"}]}");
      assertThat(doc.path("visuals").get(0).path("sort").toString())
          .isEqualTo("[{\"field\":\"revenue\",\"direction\":\"desc\"}]");
      assertThat(doc.path("visuals").get(0).path("topN").toString()).isEqualTo("{\"n\":2}");
      JsonNode total = doc.path("visuals").get(2);
      assertThat(total.path("dimensions").size()).isZero();
      assertThat(total.path("measures").size()).isEqualTo(1);
      assertThat(total.path("measures").get(0).path("column").asText()).isEqualTo("revenue");
      assertThat(total.path("measures").get(0).path("aggregation").asText()).isEqualTo("sum");
      assertThat(total.path("measures").get(0).path("alias").asText()).isEqualTo("total");
      assertThat(doc.path("parameters").toString())
          .isEqualTo("[{\"name\":\"region\",\"control\":\"dropdown\",\"default\":\"EU\"}]");
      assertThat(doc.path("texts").get(0).path("text").asText())
          .isEqualTo("# Sales\nRevenue of the chosen region.");
      JsonNode filter = doc.path("filters").get(0);
      assertThat(filter.path("field").asText()).isEqualTo("region");
      assertThat(filter.path("parameter").asText()).isEqualTo("region");
      assertThat(filter.path("visuals").toString()).isEqualTo("[\"by_region\",\"trend\"]");

      // The view draws the saved dashboard; the data endpoint answers the filtered values.
      assertThat(page.locator("#dashboard")).hasAttribute("data-state", "ready");
      assertThat(page.locator("section.visual[data-visual-id=total]")).containsText("89");
      assertThat(page.locator("section.visual[data-state=error]")).hasCount(0);
      assertThat(visualData("sales", "by_region")).isEqualTo("[[\"EU\",40]]");
      assertThat(visualData("sales", "total")).isEqualTo("[[89]]");
      // The trend's first drill level is the year: EU's 2024 revenue.
      JsonNode trend = rows("sales", "trend");
      assertThat(trend.size()).as(trend.toString()).isEqualTo(1);
      assertThat(trend.get(0).get(1).asInt()).isEqualTo(40);
      assertThat(page.locator("section.visual[data-visual-id=by_region] canvas")).hasCount(1);
      // The print view draws without the charts' entry animation: the screenshot shows them whole.
      page.navigate(fx.base() + "/ui/#/dashboards/sales?print=1");
      Locator printed = page.locator("body.print #dashboard");
      assertThat(printed).hasAttribute("data-state", "ready");
      assertThat(printed.locator("section.visual[data-visual-id=by_region] canvas")).hasCount(1);
      assertThat(printed.locator("section.visual[data-visual-id=trend] canvas")).hasCount(1);
      fx.screenshot(page, "editor-05-dashboard-view");

      // A second save makes version 2; the history lists both and opens the first read-only.
      openEditor(page, "sales");
      assertThat(page.locator("#ed-id")).hasValue("sales");
      page.locator("#ed-name").fill("Sales (v2)");
      save(page, "sales");
      assertThat(
              Json.read(
                      fx.api("GET", "/api/v1/dashboards/sales/versions", null, 200), JsonNode.class)
                  .path("versions")
                  .size())
          .isEqualTo(2);
      openEditor(page, "sales");
      page.locator("#ed-tab-history").click();
      assertThat(page.locator("#ed-versions .version-row")).hasCount(2);
      page.locator("#ed-versions .version-row[data-version='1'] .version-open").click();
      assertThat(page.locator("#ed-version-json"))
          .hasValue(java.util.regex.Pattern.compile("\"name\": \"Sales\""));
      fx.screenshot(page, "editor-06-version-history");
      page.locator("#ed-versions .version-row[data-version='1'] .version-restore").click();
      assertThat(page.locator("#ed-status")).containsText("Restored version 1 as version 3");
      assertThat(page.locator("#ed-versions .version-row")).hasCount(3);
      assertThat(
              Json.read(fx.api("GET", "/api/v1/dashboards/sales", null, 200), JsonNode.class)
                  .path("name")
                  .asText())
          .isEqualTo("Sales");

      // Export JSON downloads the dashboard with the datasets it uses.
      Download export = page.waitForDownload(() -> page.locator("#ed-export").click());
      JsonNode bundle =
          Json.read(
              java.nio.file.Files.readString(
                  export.path(), java.nio.charset.StandardCharsets.UTF_8),
              JsonNode.class);
      assertThat(export.suggestedFilename()).isEqualTo("sales.json");
      assertThat(bundle.path("format").asText()).isEqualTo("basin-dashboard/1");
      assertThat(bundle.path("dashboard").path("visuals").size()).isEqualTo(3);
      assertThat(bundle.path("datasets").get(0).path("name").asText()).isEqualTo("orders");

      // A save based on a stale version answers 409 and offers a reload.
      openEditor(page, "sales");
      fx.api(
          "PUT",
          "/api/v1/dashboards/sales",
          doc.toString().replace("\"Sales\"", "\"Sales (elsewhere)\""),
          200);
      page.locator("#ed-name").fill("Sales (mine)");
      page.locator("#ed-save").click();
      assertThat(page.locator("#ed-error")).containsText("is at version 4, not 3");
      assertThat(page.locator("#ed-reload")).isVisible();
      fx.screenshot(page, "editor-07-version-conflict");
      page.locator("#ed-reload").click();
      assertThat(page.locator("#ed-name")).hasValue("Sales (elsewhere)");
      assertThat(pageErrors).isEmpty();
    }
  }

  @Test
  void badInputShowsClearMessages() throws Exception {
    try (BrowserContext context = newContext()) {
      Page page = context.newPage();
      fx.signIn(page);
      List<String> saves = new CopyOnWriteArrayList<>();
      page.onRequest(
          r -> {
            if (!r.method().equals("GET") && r.url().contains("/api/v1/dashboards")) {
              saves.add(r.method() + " " + r.url());
            }
          });

      // Invalid JSON: a message with the position, and nothing is sent.
      openEditor(page, "new");
      page.locator("#ed-tab-json").click();
      page.locator("#ed-json-text")
          .fill("{\"id\": \"bad\",\n \"name\": \"Bad\",\n \"visuals\": [}");
      page.locator("#ed-save").click();
      assertThat(page.locator("#ed-error"))
          .containsText("The dashboard JSON is not valid JSON at line 3, column");
      assertThat(page.locator("#ed-error")).containsText("Nothing was sent");
      fx.screenshot(page, "editor-08-invalid-json");
      page.locator("#ed-tab-form").click();
      assertThat(page.locator("#ed-json")).isVisible();
      assertThat(saves).isEmpty();
      fx.api("GET", "/api/v1/dashboards/bad", null, 404);

      // A visual naming a field its dataset lacks: the server's message, next to that visual.
      page.locator("#ed-json-text")
          .fill(
              "{\"id\": \"bad\", \"name\": \"Bad\", \"visuals\": ["
                  + visualJson("ok", "bar", "orders_api", "region", "price")
                  + ", "
                  + visualJson("broken", "bar", "orders_api", "region", "revnue")
                  + "]}");
      page.locator("#ed-save").click();
      String message = "visuals[1].measures[0].column 'revnue' is not in dataset 'orders_api'";
      assertThat(visual(page, 1).locator(".visual-error")).containsText(message);
      assertThat(visual(page, 0).locator(".visual-error")).isHidden();
      assertThat(page.locator("#ed-error")).containsText(message);
      fx.screenshot(page, "editor-09-missing-field");
      fx.api("GET", "/api/v1/dashboards/bad", null, 404);

      // A hostile parameter default is saved as text and is inert: no rows match, nothing dropped.
      openEditor(page, "new");
      page.locator("#ed-id").fill("hostile");
      page.locator("#ed-name").fill("Hostile");
      page.locator("#ed-add-parameter").click();
      page.locator(".param-row .p-name").fill("region");
      page.locator(".param-row .p-default").fill(HOSTILE);
      page.locator("#ed-add-visual").click();
      Locator v = visual(page, 0);
      v.locator(".v-dataset").selectOption("orders_api");
      v = visual(page, 0);
      v.locator(".dim-field").selectOption("region");
      page.locator("#ed-add-filter").click();
      page.locator(".filter-row .f-field").fill("region");
      page.locator(".filter-row .f-parameter").selectOption("region");
      assertThat(visual(page, 0).locator(".v-preview")).hasAttribute("data-state", "ready");
      save(page, "hostile");
      JsonNode hostile =
          Json.read(fx.api("GET", "/api/v1/dashboards/hostile", null, 200), JsonNode.class);
      assertThat(hostile.path("document").path("parameters").get(0).path("default").asText())
          .isEqualTo(HOSTILE);
      assertThat(visualData("hostile", "v1")).isEqualTo("[]");
      assertThat(page.locator("#dashboard")).hasAttribute("data-state", "ready");
      assertThat(page.locator("section.visual[data-visual-id=v1]"))
          .hasAttribute("data-state", "ready");
      assertThat(count("SELECT count(*) FROM shop.x")).isEqualTo(1);
      assertThat(count("SELECT count(*) FROM shop.orders")).isEqualTo(5);
      fx.screenshot(page, "editor-10-hostile-default");

      // A new dashboard with an id that is taken: the server refuses it (409) and the editor says
      // to
      // choose another id; the existing dashboard keeps its version and its document.
      openEditor(page, "new");
      page.locator("#ed-id").fill("hostile");
      page.locator("#ed-name").fill("Not hostile");
      page.locator("#ed-save").click();
      assertThat(page.locator("#ed-error")).containsText("dashboard 'hostile' already exists");
      assertThat(page.locator("#ed-error")).containsText("change the Id above and save again");
      assertThat(page.locator("#ed-existing")).hasAttribute("href", "#/dashboards/hostile/edit");
      assertThat(page.locator("#ed-reload")).hasCount(0);
      assertThat(page.locator("#dashboard-editor")).isVisible();
      fx.screenshot(page, "editor-10b-id-taken");
      JsonNode kept =
          Json.read(fx.api("GET", "/api/v1/dashboards/hostile", null, 200), JsonNode.class);
      assertThat(kept.path("version").asInt()).isEqualTo(hostile.path("version").asInt());
      assertThat(kept.path("name").asText()).isEqualTo("Hostile");
      assertThat(
              Json.read(
                      fx.api("GET", "/api/v1/dashboards/hostile/versions", null, 200),
                      JsonNode.class)
                  .path("versions")
                  .size())
          .isEqualTo(1);

      // A preview with more rows than the server's cap says it was truncated.
      saves.clear();
      openEditor(page, "new");
      page.locator("#ed-tab-json").click();
      page.locator("#ed-json-text")
          .fill(
              "{\"id\": \"huge\", \"name\": \"Huge\", \"visuals\": [{\"id\": \"all\", \"type\":"
                  + " \"table\", \"dataset\": \"big\", \"dimensions\": [\"id\"], \"measures\":"
                  + " [{\"column\": \"k\", \"aggregation\": \"max\"}]}]}");
      page.locator("#ed-tab-form").click();
      Locator huge = visual(page, 0);
      assertThat(huge.locator(".v-preview")).hasAttribute("data-state", "ready");
      assertThat(huge.locator(".truncated-note"))
          .containsText("Truncated: the result has more than 10000 rows");
      assertThat(huge.locator(".v-preview table tbody tr")).hasCount(200);
      fx.screenshot(page, "editor-11-truncated-preview");
      assertThat(saves).isEmpty();
    }
  }

  /** Opens the editor afresh (leaving the page first, so that the same hash renders again). */
  private static void openEditor(Page page, String id) {
    page.navigate(fx.base() + "/ui/#/datasets");
    // The console renders one route at a time: let this one finish before the next.
    assertThat(page.locator("#dataset-list li").first()).isVisible();
    page.navigate(fx.base() + "/ui/#/dashboards/" + id + "/edit");
    assertThat(page.locator("#dashboard-editor")).hasAttribute("data-state", "ready");
  }

  /** Saves in the editor and waits for the view of {@code id}; a save error fails with its text. */
  private static void save(Page page, String id) {
    page.locator("#ed-save").click();
    page.waitForCondition(
        () ->
            page.url().endsWith("#/dashboards/" + id)
                || page.locator("#ed-error:not([hidden])").count() > 0);
    if (!page.url().endsWith("#/dashboards/" + id)) {
      throw new AssertionError(
          "the save failed: " + page.locator("#ed-error").textContent() + " at " + page.url());
    }
  }

  private static BrowserContext newContext() {
    return fx.browser.newContext(
        new Browser.NewContextOptions().setViewportSize(1400, 1000).setAcceptDownloads(true));
  }

  /** Uncaught script errors of the page (HTTP error answers are expected and shown in the UI). */
  private static List<String> pageErrors(Page page) {
    List<String> errors = new CopyOnWriteArrayList<>();
    page.onPageError(errors::add);
    return errors;
  }

  private static Locator visual(Page page, int index) {
    return page.locator(".visual-editor[data-index='" + index + "']");
  }

  private static String visualJson(
      String id, String type, String dataset, String dimension, String measure) {
    return "{\"id\": \""
        + id
        + "\", \"type\": \""
        + type
        + "\", \"dataset\": \""
        + dataset
        + "\", \"dimensions\": [\""
        + dimension
        + "\"], \"measures\": [{\"column\": \""
        + measure
        + "\", \"aggregation\": \"sum\"}]}";
  }

  /** The rows of a saved visual's data, as compact JSON. */
  private static String visualData(String dashboard, String visual) throws Exception {
    return rows(dashboard, visual).toString();
  }

  /** The rows of a saved visual's data (its latest version, default parameter values). */
  private static JsonNode rows(String dashboard, String visual) throws Exception {
    return Json.read(
            fx.api(
                "POST",
                "/api/v1/dashboards/" + dashboard + "/visuals/" + visual + "/data",
                "{}",
                200),
            JsonNode.class)
        .path("rows");
  }

  private static long count(String sql) throws Exception {
    JsonNode r =
        Json.read(
            fx.api(
                "POST",
                "/api/v1/queries",
                Json.mapper()
                    .createObjectNode()
                    .put("sql", sql)
                    .put("wait", true)
                    .put("includeResults", true)
                    .toString(),
                200),
            JsonNode.class);
    return r.path("results").path("rows").get(0).get(0).asLong();
  }
}
