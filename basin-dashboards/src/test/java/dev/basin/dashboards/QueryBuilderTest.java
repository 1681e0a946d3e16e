package dev.basin.dashboards;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.basin.common.error.BasinException;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class QueryBuilderTest extends DashboardTestBase {

  @BeforeEach
  void dataset() {
    salesDataset();
  }

  @Test
  void barSumsByDimensionSortedByMeasure() {
    VisualData d =
        preview(
            "{`id`: `v1`, `type`: `bar`, `dataset`: `sales`, `dimensions`: [`region`],"
                + " `measures`: [{`column`: `revenue`, `aggregation`: `sum`, `alias`: `revenue`}],"
                + " `sort`: [{`field`: `revenue`, `direction`: `desc`}]}");
    assertThat(d.columns())
        .extracting(VisualData.ResultColumn::name)
        .containsExactly("region", "revenue");
    assertThat(rows(d))
        .containsExactly(
            row("US", 140.0), row("EU", 90.0), row("O'Brien", 80.0), row("APAC", 50.0));
    assertThat(d.truncated()).isFalse();
  }

  @Test
  void lineByMonthUsesDateTruncation() {
    VisualData d =
        preview(
            "{`id`: `v1`, `type`: `line`, `dataset`: `sales`,"
                + " `dimensions`: [{`field`: `order_date`, `granularity`: `month`}],"
                + " `measures`: [{`column`: `revenue`}, {`aggregation`: `count`}]}");
    assertThat(d.columns())
        .extracting(VisualData.ResultColumn::name)
        .containsExactly("order_date_month", "sum_revenue", "count");
    List<List<Object>> r = rows(d);
    assertThat(r).hasSize(3);
    assertThat(r.get(0).get(0).toString()).startsWith("2024-01-01");
    assertThat(r.get(2).get(0).toString()).startsWith("2024-03-01");
    assertThat(r)
        .extracting(x -> x.subList(1, 3))
        .containsExactly(row(30.0, 2L), row(70.0, 2L), row(260.0, 4L));
  }

  @Test
  void pieAndDonutCountRows() {
    for (String type : List.of("pie", "donut")) {
      VisualData d =
          preview(
              "{`id`: `p`, `type`: `"
                  + type
                  + "`, `dataset`: `sales`, `dimensions`: [`product`],"
                  + " `measures`: [{`aggregation`: `count`, `alias`: `n`}]}");
      assertThat(rows(d)).containsExactly(row("apple", 4L), row("kiwi", 2L), row("pear", 2L));
    }
  }

  @Test
  void topNWithOtherAddsUpTheRest() {
    VisualData d =
        preview(
            "{`id`: `t`, `type`: `bar`, `dataset`: `sales`, `dimensions`: [`region`],"
                + " `measures`: [{`column`: `revenue`, `alias`: `revenue`}],"
                + " `topN`: {`n`: 2, `other`: true}}");
    assertThat(rows(d)).containsExactly(row("US", 140.0), row("EU", 90.0), row("Other", 130.0));
    VisualData plain =
        preview(
            "{`id`: `t`, `type`: `bar`, `dataset`: `sales`, `dimensions`: [`region`],"
                + " `measures`: [{`column`: `revenue`, `alias`: `revenue`}], `topN`: {`n`: 2}}");
    assertThat(rows(plain)).containsExactly(row("US", 140.0), row("EU", 90.0));
  }

  @Test
  void histogramBinsInSql() {
    VisualData d =
        preview(
            "{`id`: `h`, `type`: `histogram`, `dataset`: `sales`,"
                + " `bins`: {`field`: `revenue`, `count`: 4}}");
    assertThat(rows(d))
        .containsExactly(
            row(0L, 10.0, 27.5, 2L),
            row(1L, 27.5, 45.0, 2L),
            row(2L, 45.0, 62.5, 2L),
            row(3L, 62.5, 80.0, 2L));
  }

  @Test
  void boxplotComputesQuartilesAndWhiskers() {
    VisualData d =
        preview(
            "{`id`: `b`, `type`: `boxplot`, `dataset`: `sales`, `measures`: [{`column`: `revenue`}]}");
    assertThat(d.columns())
        .extracting(VisualData.ResultColumn::name)
        .containsExactly(
            "min", "q1", "median", "q3", "max", "count", "whisker_low", "whisker_high");
    assertThat(rows(d)).containsExactly(row(10.0, 27.5, 45.0, 62.5, 80.0, 8L, 10.0, 80.0));
    VisualData byRegion =
        preview(
            "{`id`: `b`, `type`: `boxplot`, `dataset`: `sales`, `dimensions`: [`region`],"
                + " `measures`: [{`column`: `revenue`}]}");
    assertThat(rows(byRegion).get(1))
        .containsExactly("EU", 10.0, 15.0, 20.0, 40.0, 60.0, 3L, 10.0, 60.0);
  }

  @Test
  void kpiComparesWithThePreviousPeriod() {
    VisualData d =
        preview(
            "{`id`: `k`, `type`: `kpi`, `dataset`: `sales`,"
                + " `measures`: [{`column`: `revenue`, `alias`: `revenue`}],"
                + " `comparison`: {`field`: `order_date`, `period`: `month`}}");
    assertThat(d.columns())
        .extracting(VisualData.ResultColumn::name)
        .containsExactly("period", "revenue", "previous", "change", "change_ratio");
    List<Object> r = rows(d).get(0);
    assertThat(r.get(0).toString()).startsWith("2024-03-01");
    assertThat(r.subList(1, 4)).containsExactly(260.0, 70.0, 190.0);
    assertThat((Double) r.get(4))
        .isCloseTo(190.0 / 70.0, org.assertj.core.data.Offset.offset(1e-9));
  }

  @Test
  void kpiAndGaugeWithoutComparisonAggregateEverything() {
    for (String type : List.of("kpi", "gauge")) {
      VisualData d =
          preview(
              "{`id`: `k`, `type`: `"
                  + type
                  + "`, `dataset`: `sales`,"
                  + " `measures`: [{`column`: `qty`, `aggregation`: `avg`}]}");
      assertThat(rows(d)).containsExactly(row(4.5));
    }
  }

  @Test
  void heatmapPivotAndComboGroupByAllDimensions() {
    String wells =
        "`dataset`: `sales`, `dimensions`: [`region`, `product`],"
            + " `measures`: [{`column`: `qty`, `aggregation`: `max`, `alias`: `q`}],"
            + " `filters`: [{`field`: `region`, `type`: `in`, `values`: [`EU`, `APAC`]}]}";
    for (String type : List.of("heatmap", "pivot", "combo", "area")) {
      VisualData d = preview("{`id`: `x`, `type`: `" + type + "`, " + wells);
      assertThat(rows(d))
          .as(type)
          .containsExactly(
              row("APAC", "apple", 5L),
              row("EU", "apple", 1L),
              row("EU", "kiwi", 6L),
              row("EU", "pear", 2L));
    }
  }

  @Test
  void scatterAndBubbleCanPlotRawOrAggregatedPoints() {
    VisualData raw =
        preview(
            "{`id`: `s`, `type`: `scatter`, `dataset`: `sales`,"
                + " `measures`: [{`column`: `qty`, `aggregation`: `none`},"
                + " {`column`: `revenue`, `aggregation`: `none`}],"
                + " `sort`: [{`field`: `qty`}], `filters`: [{`field`: `qty`, `type`: `range`, `min`: 2, `max`: 3}]}");
    assertThat(rows(raw)).containsExactly(row(2L, 20.0), row(3L, 30.0));
    VisualData bubble =
        preview(
            "{`id`: `s`, `type`: `bubble`, `dataset`: `sales`, `dimensions`: [`product`],"
                + " `measures`: [{`column`: `qty`, `aggregation`: `min`},"
                + " {`column`: `revenue`, `aggregation`: `median`},"
                + " {`column`: `revenue`, `aggregation`: `count_distinct`}]}");
    assertThat(rows(bubble))
        .containsExactly(
            row("apple", 1L, 40.0, 4L), row("kiwi", 4L, 50.0, 2L), row("pear", 2L, 45.0, 2L));
  }

  @Test
  void tableWithoutMeasuresReturnsRowsAndPercentileWorks() {
    VisualData d =
        preview(
            "{`id`: `t`, `type`: `table`, `dataset`: `sales`, `dimensions`: [`region`, `qty`],"
                + " `sort`: [{`field`: `qty`, `direction`: `desc`}],"
                + " `filters`: [{`field`: `product`, `type`: `contains`, `value`: `PP`}]}");
    assertThat(rows(d))
        .containsExactly(row("O'Brien", 8L), row("APAC", 5L), row("US", 3L), row("EU", 1L));
    VisualData p =
        preview(
            "{`id`: `t`, `type`: `table`, `dataset`: `sales`,"
                + " `measures`: [{`column`: `revenue`, `aggregation`: `percentile`, `percentile`: 0.9}]}");
    assertThat(rows(p)).containsExactly(row(73.0));
  }

  @Test
  void dateRangeRangeExcludeAndTopValuesFilters() {
    String v =
        "{`id`: `f`, `type`: `bar`, `dataset`: `sales`, `dimensions`: [`region`],"
            + " `measures`: [{`aggregation`: `count`, `alias`: `n`}], `filters`: [%s]}";
    assertThat(
            rows(
                preview(
                    String.format(
                        v,
                        "{`field`: `order_date`, `type`: `dateRange`, `from`: `2024-02-01`, `to`: `2024-03-01`}"))))
        .containsExactly(row("APAC", 1L), row("US", 2L));
    assertThat(
            rows(
                preview(
                    String.format(
                        v,
                        "{`field`: `region`, `type`: `equals`, `value`: `EU`, `exclude`: true}"))))
        .containsExactly(row("APAC", 1L), row("O'Brien", 1L), row("US", 3L));
    assertThat(rows(preview(String.format(v, "{`field`: `region`, `type`: `topValues`, `n`: 2}"))))
        .containsExactly(row("EU", 3L), row("US", 3L));
  }

  @Test
  void hostileFilterValuesAreInert() {
    String hostile = "'); DROP TABLE lake.sales; --";
    String v =
        "{`id`: `f`, `type`: `bar`, `dataset`: `sales`, `dimensions`: [`region`],"
            + " `measures`: [{`column`: `revenue`, `alias`: `r`}], `filters`: [%s]}";
    for (String filter :
        List.of(
            "{`field`: `region`, `type`: `equals`, `value`: %s}",
            "{`field`: `region`, `type`: `in`, `values`: [%s]}",
            "{`field`: `region`, `type`: `contains`, `value`: %s}")) {
      String f =
          String.format(
              filter,
              com.fasterxml.jackson.databind.node.TextNode.valueOf(hostile)
                  .toString()
                  .replace('"', '`'));
      assertThat(rows(preview(String.format(v, f)))).as(filter).isEmpty();
    }
    // The hostile text reaches the engine as a value: a row holding it would match.
    assertThat(
            rows(
                preview(
                    String.format(v, "{`field`: `region`, `type`: `equals`, `value`: `O'Brien`}"))))
        .containsExactly(row("O'Brien", 80.0));
    VisualData viaParameter =
        dashboards.preview(
            json(String.format(v, "{`field`: `region`, `type`: `in`, `parameter`: `r`}")),
            json("{`parameters`: {`r`: [`EU`, `x\\\\'; SELECT 1; --`]}}"),
            "test");
    assertThat(rows(viaParameter)).containsExactly(row("EU", 90.0));
    assertThat(count("SELECT count(*) FROM lake.sales")).isEqualTo(8);
  }

  @Test
  void unknownFieldsAreRejectedWithVisualPathAndSuggestion() {
    assertThatThrownBy(
            () ->
                preview(
                    "{`id`: `v9`, `type`: `bar`, `dataset`: `sales`, `dimensions`: [`region`],"
                        + " `measures`: [{`column`: `revnue`}]}"))
        .isInstanceOf(BasinException.class)
        .hasMessage(
            "visual.measures[0].column 'revnue' is not in dataset 'sales'"
                + " (did you mean 'revenue'?) (visual 'v9')");
    assertThatThrownBy(
            () ->
                preview(
                    "{`id`: `v9`, `type`: `bar`, `dataset`: `sales`, `dimensions`: [`region`],"
                        + " `measures`: [{`column`: `revenue`}], `sort`: [{`field`: `revenue`}]}"))
        .hasMessageContaining(
            "visual.sort[0].field 'revenue' is not a column of the visual's result")
        .hasMessageContaining("did you mean 'sum_revenue'?");
    assertThatThrownBy(() -> preview("{`id`: `v9`, `type`: `sankey`, `dataset`: `sales`}"))
        .hasMessageContaining("visual.type 'sankey' is not a visual type");
    assertThatThrownBy(
            () ->
                preview(
                    "{`id`: `v9`, `type`: `pie`, `dataset`: `sales`, `dimensions`: [`region`]}"))
        .hasMessageContaining("a pie needs exactly one dimension and one measure");
  }

  @Test
  void valuesOfTheWrongTypeGiveAQueryError() {
    assertThatThrownBy(
            () ->
                preview(
                    "{`id`: `v9`, `type`: `bar`, `dataset`: `sales`, `dimensions`: [`region`],"
                        + " `measures`: [{`column`: `revenue`}],"
                        + " `filters`: [{`field`: `qty`, `type`: `equals`, `value`: `lots`}]}"))
        .isInstanceOf(BasinException.class)
        .hasMessageStartingWith("visual 'v9': the query failed:")
        .extracting(e -> ((BasinException) e).code())
        .isEqualTo(DashboardErrorCode.QUERY_FAILED);
  }
}
