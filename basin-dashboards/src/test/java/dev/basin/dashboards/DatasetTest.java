package dev.basin.dashboards;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.basin.common.error.BasinException;
import org.junit.jupiter.api.Test;

class DatasetTest extends DashboardTestBase {

  static final String BY_REGION =
      "{`id`: `r`, `type`: `bar`, `dataset`: `%s`, `dimensions`: [`region`],"
          + " `measures`: [{`column`: `revenue`, `alias`: `revenue`}]}";

  @Test
  void tableDatasetDescribesColumnsAndIsStored() {
    Dataset ds = salesDataset();
    assertThat(ds.columns())
        .extracting(Dataset.Column::name)
        .containsExactly("region", "product", "order_date", "revenue", "qty");
    assertThat(ds.column("order_date").orElseThrow().temporal()).isTrue();
    assertThat(ds.column("REVENUE").orElseThrow().numeric()).isTrue();
    assertThat(dashboards.dataset("sales").columns()).isEqualTo(ds.columns());
    assertThat(dashboards.datasets()).extracting(Dataset::name).containsExactly("sales");
    assertThatThrownBy(this::salesDataset)
        .hasMessageContaining("dataset 'sales' exists")
        .extracting(e -> ((BasinException) e).code())
        .isEqualTo(DashboardErrorCode.DATASET_EXISTS);
  }

  @Test
  void sqlDatasetWithCalculatedFields() {
    dashboards.createDataset(
        json(
            "{`name`: `eu`, `sql`: `SELECT region, revenue, qty FROM lake.sales WHERE region <> 'US'`,"
                + " `calculatedFields`: [{`name`: `unit_price`, `expression`: `revenue / qty`}]}"),
        "test");
    VisualData d =
        preview(
            "{`id`: `c`, `type`: `bar`, `dataset`: `eu`, `dimensions`: [`region`],"
                + " `measures`: [{`column`: `unit_price`, `aggregation`: `max`, `alias`: `p`}]}");
    assertThat(rows(d)).containsExactly(row("APAC", 10.0), row("EU", 10.0), row("O'Brien", 10.0));
  }

  @Test
  void datasetSqlMustBeOneQuery() {
    assertThatThrownBy(
            () ->
                dashboards.createDataset(
                    json("{`name`: `x`, `sql`: `SELECT 1; SELECT 2`}"), "test"))
        .hasMessageContaining("holds 2 statements");
    assertThatThrownBy(
            () ->
                dashboards.createDataset(
                    json("{`name`: `x`, `sql`: `DROP TABLE lake.sales`}"), "test"))
        .hasMessageContaining("only a query (SELECT …) is allowed");
    assertThatThrownBy(
            () ->
                dashboards.createDataset(
                    json(
                        "{`name`: `x`, `table`: `lake.sales`, `calculatedFields`:"
                            + " [{`name`: `p`, `expression`: `1) FROM t; DROP TABLE lake.sales; SELECT (1`}]}"),
                    "test"))
        .hasMessageContaining("calculated field 'p'")
        .hasMessageContaining("statements");
    assertThatThrownBy(
            () ->
                dashboards.createDataset(
                    json(
                        "{`name`: `x`, `table`: `lake.sales`, `calculatedFields`:"
                            + " [{`name`: `p`, `expression`: `revnue * 2`}]}"),
                    "test"))
        .hasMessageStartingWith("dataset 'x': the engine rejected its query")
        .hasMessageContaining("revnue");
    assertThatThrownBy(
            () -> dashboards.createDataset(json("{`name`: `x`, `table`: `lake.nope`}"), "test"))
        .hasMessageContaining("dataset 'x'");
    assertThat(count("SELECT count(*) FROM lake.sales")).isEqualTo(8);
    assertThat(dashboards.datasets()).isEmpty();
  }

  @Test
  void rowLevelSecurityRestrictsRowsPerUserAndDeniesByDefault() {
    dashboards.createDataset(
        json(
            "{`name`: `secure`, `table`: `lake.sales`, `rowLevelSecurity`: {`column`: `region`,"
                + " `rules`: {`alice`: [`EU`], `bob`: [`US`, `APAC`]}, `allowAll`: [`admin`]}}"),
        "admin");
    String v = String.format(BY_REGION.replace('`', '"'), "secure");
    assertThat(rows(dashboards.preview(json(v), null, "alice"))).containsExactly(row("EU", 90.0));
    assertThat(rows(dashboards.preview(json(v), null, "bob")))
        .containsExactly(row("APAC", 50.0), row("US", 140.0));
    assertThat(rows(dashboards.preview(json(v), null, "mallory"))).isEmpty();
    assertThat(rows(dashboards.preview(json(v), null, "admin"))).hasSize(4);
    // A filter cannot widen what RLS allows.
    VisualData widened =
        dashboards.preview(
            json(v),
            json("{`filters`: [{`field`: `region`, `type`: `in`, `values`: [`US`, `EU`]}]}"),
            "alice");
    assertThat(rows(widened)).containsExactly(row("EU", 90.0));
  }

  @Test
  void rowLevelSecurityFromARuleTable() {
    exec(
        "CREATE TABLE lake.grants AS SELECT * FROM (VALUES ('carol', 'US'), ('carol', 'EU'))"
            + " AS t(user_name, value)");
    dashboards.createDataset(
        json(
            "{`name`: `ruled`, `table`: `lake.sales`, `rowLevelSecurity`: {`column`: `region`,"
                + " `ruleTable`: `lake.grants`}}"),
        "admin");
    String v = String.format(BY_REGION.replace('`', '"'), "ruled");
    assertThat(rows(dashboards.preview(json(v), null, "carol")))
        .containsExactly(row("EU", 90.0), row("US", 140.0));
    assertThat(rows(dashboards.preview(json(v), null, "dave"))).isEmpty();
  }

  @Test
  void rowLevelSecurityColumnMustExist() {
    assertThatThrownBy(
            () ->
                dashboards.createDataset(
                    json(
                        "{`name`: `s`, `table`: `lake.sales`, `rowLevelSecurity`: {`column`: `regoin`}}"),
                    "test"))
        .hasMessageContaining("rowLevelSecurity.column 'regoin' is not one of its columns")
        .hasMessageContaining("did you mean 'region'?");
  }
}
