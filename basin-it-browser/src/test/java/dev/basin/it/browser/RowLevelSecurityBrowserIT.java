package dev.basin.it.browser;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import dev.basin.common.json.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Row-level security by signed-in user, end to end in Chromium: an admin creates (through the
 * native API) a staff table, a dataset whose rule grants alice Engineering and bob Sales, a
 * dashboard with a table and a bar chart, and three readers; each reader signs in through the
 * console's user-name form and sees only their department's rows and totals, a reader is refused
 * the query API, and a reader without a grant sees no rows at all.
 */
class RowLevelSecurityBrowserIT {
  @TempDir static Path dir;
  private static BrowserFixture fx;

  @BeforeAll
  static void start() throws Exception {
    fx = BrowserFixture.start(dir.resolve("data"), Map.of());
    fx.sql("CREATE DATABASE hr");
    fx.sql(
        "CREATE TABLE hr.staff AS SELECT * FROM (VALUES"
            + " ('Ada', 'Engineering', 120), ('Grace', 'Engineering', 130),"
            + " ('Linus', 'Engineering', 100), ('Sam', 'Sales', 80), ('Tina', 'Sales', 90),"
            + " ('Mo', 'Marketing', 70)) AS t(name, department, salary)");
    fx.api(
        "POST",
        "/api/v1/datasets",
        json(
            "{`name`: `staff`, `table`: `hr.staff`, `rowLevelSecurity`: {`column`: `department`,"
                + " `rules`: {`alice`: [`Engineering`], `bob`: [`Sales`]}}}"),
        201);
    fx.api(
        "POST",
        "/api/v1/dashboards",
        json(
            "{`id`: `people`, `name`: `People`, `visuals`: ["
                + "{`id`: `roster`, `type`: `table`, `title`: `Roster`, `dataset`: `staff`,"
                + " `dimensions`: [`name`, `department`],"
                + " `measures`: [{`column`: `salary`, `alias`: `salary`}],"
                + " `sort`: [{`field`: `name`}]},"
                + "{`id`: `totals`, `type`: `bar`, `title`: `Salaries by department`,"
                + " `dataset`: `staff`, `dimensions`: [`department`],"
                + " `measures`: [{`column`: `salary`, `alias`: `total`}]}]}"),
        201);
    for (String user : List.of("alice", "bob", "carol")) {
      fx.api(
          "POST",
          "/api/v1/users",
          json("{`name`: `" + user + "`, `role`: `reader`, `password`: `pw-" + user + "-2026`}"),
          201);
    }
  }

  @AfterAll
  static void stop() {
    if (fx != null) {
      fx.close();
    }
  }

  private static String json(String backticked) {
    return backticked.replace('`', '"');
  }

  /** Signs in through the console's user-name form and waits for the shell. */
  private static void signInAsUser(Page page, String user, String password) {
    page.navigate(fx.base() + "/ui/");
    page.locator("#signin-toggle").click();
    page.locator("#user-name-input").fill(user);
    page.locator("#password-input").fill(password);
    page.locator("#signin-button").click();
    assertThat(page.locator("#shell")).isVisible();
    assertThat(page.locator("#user-name")).hasText(user);
  }

  /** Opens the dashboard and waits until every visual is drawn. */
  private static void openDashboard(Page page) {
    page.navigate(fx.base() + "/ui/#/dashboards/people");
    assertThat(page.locator("#dashboard[data-id='people'][data-state=ready]")).isAttached();
    assertThat(page.locator("section.visual[data-state=error]")).hasCount(0);
  }

  /** The roster table's body rows as cell texts. */
  private static List<List<String>> rosterRows(Page page) {
    List<List<String>> rows = new ArrayList<>();
    for (var row : page.locator("section[data-visual-id=roster] tbody tr").all()) {
      rows.add(row.locator("td").allInnerTexts().stream().map(String::strip).toList());
    }
    return rows;
  }

  /** The bar chart's categories and values, from its ECharts option. */
  private static JsonNode barOption(Page page) throws Exception {
    Object option =
        page.evaluate(
            "() => { const o = echarts.getInstanceByDom("
                + "document.querySelector('section[data-visual-id=totals] .visual-chart'))"
                + ".getOption();"
                + " const axis = [...(o.xAxis || []), ...(o.yAxis || [])]"
                + ".find((a) => a.type === 'category');"
                + " return JSON.stringify({categories: axis.data,"
                + " values: o.series[0].data.map((d) => (d && typeof d === 'object' && 'value' in d)"
                + " ? d.value : d)}); }");
    return Json.read((String) option, JsonNode.class);
  }

  /** An API call from the signed-in page, with the session cookie and its CSRF token. */
  private static JsonNode fetch(Page page, String method, String path, String body) {
    Object r =
        page.evaluate(
            "async ([method, path, body]) => {"
                + " const s = await (await fetch('/ui/api/session')).json();"
                + " const init = {method, headers: {'Content-Type': 'application/json',"
                + " 'X-Basin-Csrf': s.csrfToken}};"
                + " if (body !== null) init.body = body;"
                + " const res = await fetch(path, init);"
                + " return JSON.stringify({status: res.status, body: await res.text()}); }",
            java.util.Arrays.asList(method, path, body));
    try {
      return Json.read((String) r, JsonNode.class);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void eachReaderSeesOnlyTheRowsAndTotalsOfTheirDepartment() throws Exception {
    try (BrowserContext context = fx.browser.newContext()) {
      Page page = context.newPage();
      page.navigate(fx.base() + "/ui/");
      page.locator("#signin-toggle").click();
      assertThat(page.locator("#user-name-input")).isVisible();
      assertThat(page.locator("#access-key-id")).isHidden();
      fx.screenshot(page, "rls-signin-user-form");
      signInAsUser(page, "alice", "pw-alice-2026");
      // a reader's console shows the dashboards only
      assertThat(page.locator("#nav a[data-page=dashboards]")).isVisible();
      assertThat(page.locator("#nav a[data-page=sql]")).isHidden();
      assertThat(page.locator("#nav a[data-page=streams]")).isHidden();
      openDashboard(page);
      assertThat(rosterRows(page))
          .containsExactly(
              List.of("Ada", "Engineering", "120"),
              List.of("Grace", "Engineering", "130"),
              List.of("Linus", "Engineering", "100"));
      JsonNode bar = barOption(page);
      assertThat(bar.path("categories").toString()).isEqualTo("[\"Engineering\"]");
      assertThat(bar.path("values").toString()).isEqualTo("[350]");
      fx.screenshot(page, "rls-alice-engineering");
    }
    try (BrowserContext context = fx.browser.newContext()) {
      Page page = context.newPage();
      signInAsUser(page, "bob", "pw-bob-2026");
      openDashboard(page);
      assertThat(rosterRows(page))
          .containsExactly(List.of("Sam", "Sales", "80"), List.of("Tina", "Sales", "90"));
      JsonNode bar = barOption(page);
      assertThat(bar.path("categories").toString()).isEqualTo("[\"Sales\"]");
      assertThat(bar.path("values").toString()).isEqualTo("[170]");
      fx.screenshot(page, "rls-bob-sales");
    }
  }

  @Test
  void aReaderIsRefusedTheQueryApiAndEditing() throws Exception {
    try (BrowserContext context = fx.browser.newContext()) {
      Page page = context.newPage();
      signInAsUser(page, "bob", "pw-bob-2026");
      JsonNode query =
          fetch(page, "POST", "/api/v1/queries", "{\"sql\": \"SELECT * FROM hr.staff\"}");
      assertThat(query.path("status").asInt()).isEqualTo(403);
      JsonNode error = Json.read(query.path("body").asText(), JsonNode.class).path("error");
      assertThat(error.path("code").asText()).isEqualTo("FORBIDDEN");
      assertThat(error.path("message").asText())
          .startsWith("user 'bob' (READER) may not POST /api/v1/queries; ask an admin");
      assertThat(fetch(page, "GET", "/api/v1/queries", null).path("status").asInt()).isEqualTo(403);
      assertThat(fetch(page, "DELETE", "/api/v1/dashboards/people", null).path("status").asInt())
          .isEqualTo(403);
      // the visual data endpoint is open to the reader, restricted to their rows
      JsonNode data = fetch(page, "POST", "/api/v1/dashboards/people/visuals/totals/data", "{}");
      assertThat(data.path("status").asInt()).isEqualTo(200);
      assertThat(Json.read(data.path("body").asText(), JsonNode.class).path("rows").toString())
          .isEqualTo("[[\"Sales\",170]]");
    }
    // the dashboard is untouched
    assertThat(fx.api("GET", "/api/v1/dashboards/people", null, 200)).contains("\"People\"");
  }

  @Test
  void aReaderWithoutAGrantSeesNoRows() throws Exception {
    try (BrowserContext context = fx.browser.newContext()) {
      Page page = context.newPage();
      signInAsUser(page, "carol", "pw-carol-2026");
      openDashboard(page);
      assertThat(page.locator("section[data-visual-id=roster] tbody tr")).hasCount(0);
      assertThat(page.locator("section[data-visual-id=roster]"))
          .containsText("No rows for the current filters.");
      assertThat(page.locator("section[data-visual-id=totals]"))
          .containsText("No data for the current filters.");
      JsonNode data = fetch(page, "POST", "/api/v1/dashboards/people/visuals/roster/data", "{}");
      assertThat(Json.read(data.path("body").asText(), JsonNode.class).path("rows").size())
          .isZero();
      fx.screenshot(page, "rls-carol-no-grant");
    }
  }

  @Test
  void aWrongPasswordShowsTheGenericMessage() {
    try (BrowserContext context = fx.browser.newContext()) {
      Page page = context.newPage();
      page.navigate(fx.base() + "/ui/");
      page.locator("#signin-toggle").click();
      page.locator("#user-name-input").fill("alice");
      page.locator("#password-input").fill("not-her-password");
      page.locator("#signin-button").click();
      assertThat(page.locator("#signin-error"))
          .containsText("wrong access key id or secret access key, or wrong user name or password");
      assertThat(page.locator("#shell")).isHidden();
      assertThat(context.cookies()).isEmpty();
      fx.screenshot(page, "rls-signin-wrong-password");
    }
  }
}
