package dev.basin.dashboards;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ResultCacheTest extends DashboardTestBase {

  static final String VISUAL =
      "{`id`: `c`, `type`: `kpi`, `dataset`: `cached`, `measures`: [{`aggregation`: `count`}]}";

  @Test
  void cachedResultsLastUntilAnInputTableGetsANewSnapshot() {
    dashboards.createDataset(
        json("{`name`: `cached`, `table`: `lake.sales`, `cache`: {`maxAgeSeconds`: 0}}"), "t");
    VisualData first = preview(VISUAL);
    assertThat(first.cached()).isFalse();
    assertThat(rows(first)).containsExactly(row(8L));
    VisualData second = preview(VISUAL);
    assertThat(second.cached()).isTrue();
    assertThat(rows(second)).containsExactly(row(8L));

    exec("INSERT INTO lake.sales VALUES ('EU', 'fig', DATE '2024-04-01', 1.0, 1)");
    VisualData fresh = preview(VISUAL);
    assertThat(fresh.cached()).isFalse();
    assertThat(rows(fresh)).containsExactly(row(9L));
    assertThat(dashboards.cacheStats()).containsExactly(1L, 2L);
  }

  @Test
  void uncachedDatasetsAlwaysRunAndBadCacheSettingsAreRejected() {
    dashboards.createDataset(json("{`name`: `cached`, `table`: `lake.sales`}"), "t");
    assertThat(preview(VISUAL).cached()).isFalse();
    assertThat(preview(VISUAL).cached()).isFalse();
    assertThatThrownBy(
            () ->
                dashboards.createDataset(
                    json("{`name`: `x`, `table`: `lake.sales`, `cache`: {`maxAgeSeconds`: -5}}"),
                    "t"))
        .hasMessageContaining("cache must be true or {\"maxAgeSeconds\": N}");
  }
}
