package dev.basin.dashboards;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class InsightsTest extends DashboardTestBase {

  @Test
  void flagsAnomaliesForecastsAndNarrates() {
    // 12 days: a weekly pattern (10 on weekdays 0-4, 20 on 5-6) and a spike on the last day.
    exec(
        "CREATE TABLE lake.daily AS SELECT DATE '2024-01-01' + CAST(i AS INTEGER) AS day,"
            + " CASE WHEN i = 15 THEN 100.0 WHEN i % 7 >= 5 THEN 20.0 ELSE 10.0 END AS amount"
            + " FROM range(16) AS t(i)");
    dashboards.createDataset(json("{`name`: `daily`, `table`: `lake.daily`}"), "t");
    Insights in =
        dashboards.previewInsights(
            json(
                "{`id`: `ts`, `type`: `line`, `dataset`: `daily`,"
                    + " `dimensions`: [{`field`: `day`, `granularity`: `day`}],"
                    + " `measures`: [{`column`: `amount`, `alias`: `sales`}]}"),
            null,
            3,
            "t");
    assertThat(in.season()).isEqualTo(7);
    assertThat(in.points()).hasSize(16);
    assertThat(in.points().get(0).p50()).isNull();
    // Residuals are 0 except the spike: the band is exact and only the spike is an anomaly.
    assertThat(in.points().get(10).p50()).isEqualTo(10.0);
    assertThat(in.points())
        .filteredOn(Insights.Point::anomaly)
        .extracting(Insights.Point::period)
        .containsExactly("2024-01-16");
    assertThat(in.forecast())
        .extracting(Insights.Point::period)
        .containsExactly("2024-01-17", "2024-01-18", "2024-01-19");
    assertThat(in.forecast()).extracting(Insights.Point::p50).containsExactly(10.0, 10.0, 10.0);
    assertThat(in.narrative())
        .isEqualTo(
            "Sales in 2024-01-16 was 900% above the forecast, an anomaly"
                + " (1 of 16 periods flagged as anomalies).");
    assertThat(in.toJson().path("forecast")).hasSize(3);
  }

  @Test
  void needsATimeSeries() {
    salesDataset();
    assertThatThrownBy(
            () ->
                dashboards.previewInsights(
                    json(
                        "{`id`: `x`, `type`: `bar`, `dataset`: `sales`, `dimensions`: [`region`],"
                            + " `measures`: [{`column`: `revenue`}]}"),
                    null,
                    3,
                    "t"))
        .hasMessageContaining("insights need a time series");
    Insights months =
        dashboards.previewInsights(
            json(
                "{`id`: `m`, `type`: `line`, `dataset`: `sales`,"
                    + " `dimensions`: [{`field`: `order_date`, `granularity`: `month`}],"
                    + " `measures`: [{`column`: `revenue`, `alias`: `revenue`}]}"),
            null,
            1,
            "t");
    // Three months (30, 70, 260): season 1, residuals 40 and 190.
    assertThat(months.season()).isEqualTo(1);
    assertThat(months.points())
        .extracting(Insights.Point::actual)
        .containsExactly(30.0, 70.0, 260.0);
    assertThat(months.forecast()).extracting(Insights.Point::period).containsExactly("2024-04-01");
    assertThat(months.narrative()).startsWith("Revenue in March 2024 was ");
  }
}
