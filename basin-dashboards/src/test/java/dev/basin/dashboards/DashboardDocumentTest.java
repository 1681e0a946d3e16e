package dev.basin.dashboards;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.basin.common.error.BasinException;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DashboardDocumentTest extends DashboardTestBase {

  static final String DOC =
      "{`id`: `sales-overview`, `name`: `Sales overview`, `refreshSeconds`: 30,"
          + " `sheets`: [{`id`: `s1`, `name`: `Overview`}],"
          + " `parameters`: [{`name`: `region`, `control`: `multiselect`}],"
          + " `filters`: [{`id`: `f1`, `field`: `region`, `type`: `in`, `parameter`: `region`,"
          + "   `visuals`: [`by_region`, `trend`]}],"
          + " `texts`: [{`id`: `intro`, `text`: `# Sales`, `sheet`: `s1`}],"
          + " `visuals`: ["
          + "  {`id`: `by_region`, `type`: `bar`, `dataset`: `sales`, `sheet`: `s1`,"
          + "   `layout`: {`x`: 0, `y`: 0, `w`: 6, `h`: 4}, `dimensions`: [`region`],"
          + "   `measures`: [{`column`: `revenue`, `alias`: `revenue`}]},"
          + "  {`id`: `trend`, `type`: `line`, `dataset`: `sales`,"
          + "   `dimensions`: [{`field`: `order_date`, `granularity`: `year`}],"
          + "   `drillDown`: {`levels`: [{`field`: `order_date`, `granularity`: `year`},"
          + "     {`field`: `order_date`, `granularity`: `month`}, {`field`: `order_date`, `granularity`: `day`}]},"
          + "   `measures`: [{`column`: `revenue`, `alias`: `revenue`}]},"
          + "  {`id`: `total`, `type`: `kpi`, `dataset`: `sales`, `measures`: [{`column`: `qty`, `alias`: `qty`}]}"
          + " ]}";

  @BeforeEach
  void dataset() {
    salesDataset();
  }

  @Test
  void createRefusesAnExistingIdAndKeepsTheDashboard() {
    Dashboard v1 = dashboards.createDashboard(json(DOC), "alice");
    assertThat(v1.version()).isEqualTo(1);
    ObjectNode other = (ObjectNode) json(DOC);
    other.put("name", "Someone else's");
    assertThatThrownBy(() -> dashboards.createDashboard(other, "bob"))
        .hasMessageContaining("dashboard 'sales-overview' already exists (version 1)")
        .hasMessageContaining("PUT /api/v1/dashboards/sales-overview?expectedVersion=1")
        .extracting(e -> ((BasinException) e).code())
        .isEqualTo(DashboardErrorCode.DASHBOARD_EXISTS);
    assertThat(dashboards.dashboard("sales-overview").version()).isEqualTo(1);
    assertThat(dashboards.dashboard("sales-overview").name()).isEqualTo("Sales overview");
  }

  @Test
  void savesVersionsAndReadsThemBack() {
    Dashboard v1 = dashboards.saveDashboard(json(DOC), null, "alice");
    assertThat(v1.version()).isEqualTo(1);
    assertThat(v1.savedBy()).isEqualTo("alice");
    ObjectNode edited = (ObjectNode) json(DOC);
    edited.put("name", "Sales overview (v2)");
    Dashboard v2 = dashboards.saveDashboard("sales-overview", edited, 1, "bob");
    assertThat(v2.version()).isEqualTo(2);
    assertThat(dashboards.dashboard("sales-overview").name()).isEqualTo("Sales overview (v2)");
    assertThat(dashboards.dashboard("sales-overview", 1).name()).isEqualTo("Sales overview");
    assertThat(dashboards.versions("sales-overview"))
        .extracting(Dashboard::version, Dashboard::savedBy)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(2, "bob"),
            org.assertj.core.groups.Tuple.tuple(1, "alice"));
    assertThatThrownBy(() -> dashboards.saveDashboard("sales-overview", json(DOC), 1, "carol"))
        .hasMessageContaining("is at version 2, not 1")
        .extracting(e -> ((BasinException) e).code())
        .isEqualTo(DashboardErrorCode.VERSION_CONFLICT);
    assertThatThrownBy(() -> dashboards.dashboard("sales-overview", 7))
        .hasMessageContaining("has no version 7");
    assertThat(dashboards.dashboards()).extracting(Dashboard::id).containsExactly("sales-overview");
    assertThatThrownBy(() -> dashboards.deleteDataset("sales"))
        .hasMessageContaining("is used by dashboards [sales-overview]");
    dashboards.deleteDashboard("sales-overview");
    assertThat(dashboards.dashboards()).isEmpty();
  }

  @Test
  void validationErrorsNameThePath() {
    assertError(
        "visuals[0].measures[0].column",
        "revnue",
        "visuals[0].measures[0].column 'revnue' is not in dataset 'sales' (did you mean 'revenue'?)");
    assertError("visuals[1].type", "sankey", "visuals[1].type 'sankey' is not a visual type");
    assertError(
        "visuals[2].dataset",
        "sale",
        "visuals[2].dataset 'sale' does not exist (did you mean 'sales'?)");
    assertError(
        "filters[0].visuals[1]",
        "trnd",
        "filters[0].visuals[1] 'trnd' is not a visual of this dashboard (did you mean 'trend'?)");
    assertError(
        "filters[0].parameter",
        "regin",
        "filters[0].parameter 'regin' is not declared in parameters (did you mean 'region'?)");
    assertError("visuals[0].sheet", "s9", "visuals[0].sheet 's9' is not one of the sheets");
    assertError("refreshSeconds", 2, "refreshSeconds must be 0 (off) or 5-86400");
    ObjectNode dup = (ObjectNode) json(DOC);
    ((ObjectNode) dup.withArray("visuals").get(1)).put("id", "by_region");
    assertThatThrownBy(() -> dashboards.saveDashboard(dup, null, "t"))
        .hasMessageContaining("visuals[1].id 'by_region' is used by another visual");
    ObjectNode unknown = (ObjectNode) json(DOC);
    unknown.put("colour", "red");
    assertThatThrownBy(() -> dashboards.saveDashboard(unknown, null, "t"))
        .hasMessageContaining("colour: unknown member");
    assertThatThrownBy(() -> dashboards.saveDashboard(json("[1, 2]"), null, "t"))
        .hasMessageContaining("a dashboard must be a JSON object");
    assertThat(dashboards.dashboards()).isEmpty();
  }

  private void assertError(String path, Object value, String message) {
    ObjectNode doc = (ObjectNode) json(DOC);
    String[] parts = path.split("\\.");
    JsonNode node = doc;
    for (int i = 0; i < parts.length - 1; i++) {
      node = step(node, parts[i]);
    }
    String last = parts[parts.length - 1];
    if (last.endsWith("]")) {
      String name = last.substring(0, last.indexOf('['));
      int idx = Integer.parseInt(last.substring(last.indexOf('[') + 1, last.length() - 1));
      ((com.fasterxml.jackson.databind.node.ArrayNode) node.get(name)).set(idx, value.toString());
    } else if (value instanceof Integer n) {
      ((ObjectNode) node).put(last, n);
    } else {
      ((ObjectNode) node).put(last, value.toString());
    }
    assertThatThrownBy(() -> dashboards.saveDashboard(doc, null, "t"))
        .as(path)
        .isInstanceOf(BasinException.class)
        .hasMessageContaining(message);
  }

  private static JsonNode step(JsonNode node, String part) {
    if (part.endsWith("]")) {
      String name = part.substring(0, part.indexOf('['));
      int idx = Integer.parseInt(part.substring(part.indexOf('[') + 1, part.length() - 1));
      return node.get(name).get(idx);
    }
    return node.get(part);
  }

  @Test
  void dashboardFiltersParametersAndDrillDownShapeVisualData() {
    dashboards.saveDashboard(json(DOC), null, "t");
    VisualData all = dashboards.visualData("sales-overview", "by_region", null, "t");
    assertThat(rows(all)).hasSize(4);
    VisualData eu =
        dashboards.visualData(
            "sales-overview", "by_region", json("{`parameters`: {`region`: [`EU`, `US`]}}"), "t");
    assertThat(rows(eu)).containsExactly(row("EU", 90.0), row("US", 140.0));
    // The filter targets by_region and trend only: the KPI ignores it.
    VisualData kpi =
        dashboards.visualData(
            "sales-overview", "total", json("{`parameters`: {`region`: [`EU`]}}"), "t");
    assertThat(rows(kpi)).containsExactly(row(36L));
    // Click-to-filter: a request filter adds to the dashboard's.
    VisualData clicked =
        dashboards.visualData(
            "sales-overview",
            "by_region",
            json("{`filters`: [{`field`: `product`, `type`: `equals`, `value`: `kiwi`}]}"),
            "t");
    assertThat(rows(clicked)).containsExactly(row("EU", 60.0), row("US", 40.0));

    VisualData years = dashboards.visualData("sales-overview", "trend", null, "t");
    assertThat(rows(years)).hasSize(1);
    assertThat(rows(years).get(0).get(0).toString()).startsWith("2024-01-01");
    assertThat(rows(years).get(0).get(1)).isEqualTo(360.0);
    VisualData months =
        dashboards.visualData(
            "sales-overview",
            "trend",
            json("{`drill`: {`level`: 1, `path`: [`2024-01-01`]}}"),
            "t");
    assertThat(rows(months)).extracting(r -> r.get(1)).containsExactly(30.0, 70.0, 260.0);
    VisualData days =
        dashboards.visualData(
            "sales-overview",
            "trend",
            json("{`drill`: {`level`: 2, `path`: [`2024-01-01`, `2024-02-01`]}}"),
            "t");
    assertThat(rows(days)).extracting(r -> r.get(1)).containsExactly(30.0, 40.0);
    assertThatThrownBy(
            () ->
                dashboards.visualData(
                    "sales-overview", "trend", json("{`drill`: {`level`: 3, `path`: []}}"), "t"))
        .hasMessageContaining("drill level must be 0-2");
    assertThatThrownBy(
            () ->
                dashboards.visualData(
                    "sales-overview", "by_region", json("{`parameters`: {`colour`: 1}}"), "t"))
        .hasMessageContaining("declares no such parameter");
    assertThatThrownBy(() -> dashboards.visualData("sales-overview", "nope", null, "t"))
        .hasMessageContaining("has no visual 'nope'");
  }

  @Test
  void exportAndImportRoundTrip() {
    dashboards.saveDashboard(json(DOC), null, "t");
    ObjectNode export = dashboards.exportDashboard("sales-overview");
    assertThat(export.path("datasets")).hasSize(1);
    assertThat(export.path("dashboard").has("version")).isFalse();
    dashboards.deleteDashboard("sales-overview");
    Dashboard imported = dashboards.importDashboard(export, "t");
    assertThat(imported.version()).isEqualTo(1);
    assertThat(imported.document().path("visuals")).hasSize(3);
    assertThat(dashboards.visualData("sales-overview", "total", null, "t").rows()).hasSize(1);
  }

  @Test
  void csvExportQuotesAndDefusesFormulas() {
    exec(
        "CREATE TABLE lake.notes AS SELECT * FROM (VALUES ('=1+2', 'a,b'), ('x\"y', 'plain')) AS t(f, g)");
    dashboards.createDataset(json("{`name`: `notes`, `table`: `lake.notes`}"), "t");
    VisualData d =
        preview(
            "{`id`: `n`, `type`: `table`, `dataset`: `notes`, `dimensions`: [`f`, `g`], `sort`: [{`field`: `f`}]}");
    assertThat(d.toCsv()).isEqualTo("f,g\r\n'=1+2,\"a,b\"\r\n\"x\"\"y\",plain\r\n");
    assertThat(d.toJson().path("rows").get(0).get(0).asText()).isEqualTo("=1+2");
    assertThat(d.toJson().path("serverMillis").isNumber()).isTrue();
    assertThat(List.of(d.sql())).allMatch(s -> s.contains("lake.notes"));
  }
}
