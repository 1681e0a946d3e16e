package dev.basin.dashboards;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TruncationTest extends DashboardTestBase {

  @Override
  int maxRows() {
    return 3;
  }

  @Test
  void resultsOverTheCapAreCutAndFlagged() {
    salesDataset();
    VisualData d =
        preview(
            "{`id`: `t`, `type`: `table`, `dataset`: `sales`, `dimensions`: [`qty`],"
                + " `sort`: [{`field`: `qty`}]}");
    assertThat(rows(d)).containsExactly(row(1L), row(2L), row(3L));
    assertThat(d.truncated()).isTrue();
    assertThat(d.rowLimit()).isEqualTo(3);
    assertThat(d.toJson().path("truncated").asBoolean()).isTrue();
    VisualData small =
        preview(
            "{`id`: `t`, `type`: `pie`, `dataset`: `sales`, `dimensions`: [`product`],"
                + " `measures`: [{`aggregation`: `count`}]}");
    assertThat(small.truncated()).isFalse();
    assertThat(small.rows()).hasSize(3);
  }
}
