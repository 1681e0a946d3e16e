package dev.basin.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.basin.delivery.DeliveryMetrics;
import dev.basin.delivery.FailureKind;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class DeliveryStreamMetricsTest {

  private static DeliveryMetrics.Snapshot snapshot(long records, long failedConversions) {
    Map<FailureKind, Long> failures = new EnumMap<>(FailureKind.class);
    for (FailureKind k : FailureKind.values()) {
      failures.put(k, 0L);
    }
    failures.put(FailureKind.FORMAT_CONVERSION_FAILED, failedConversions);
    return new DeliveryMetrics.Snapshot(
        records, records * 10, failures, 3, 1_767_225_600_000L, 250, 2);
  }

  @Test
  void publishesEachDeliveryStreamsCountersAndRemovesThemOnDelete() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    DeliveryStreamMetrics metrics = new DeliveryStreamMetrics(registry);
    AtomicReference<DeliveryMetrics.Snapshot> now = new AtomicReference<>(snapshot(5, 1));
    metrics.created("to-lake", now::get);

    String scrape = registry.scrape();
    assertThat(scrape)
        .contains("basin_delivery_records_delivered_total{delivery=\"to-lake\"} 5.0")
        .contains("basin_delivery_bytes_delivered_bytes_total{delivery=\"to-lake\"} 50.0")
        .contains(
            "basin_delivery_failures_total{delivery=\"to-lake\",kind=\"format-conversion-failed\"}"
                + " 1.0")
        .contains(
            "basin_delivery_failures_total{delivery=\"to-lake\",kind=\"processing-failed\"} 0.0")
        .contains("basin_delivery_records_dropped_total{delivery=\"to-lake\"} 2.0")
        .contains("basin_delivery_commits_total{delivery=\"to-lake\"} 3.0")
        .contains("basin_delivery_last_commit_time_seconds{delivery=\"to-lake\"} 1.7672256E9")
        .contains("basin_delivery_lag_milliseconds{delivery=\"to-lake\"} 250.0");

    now.set(snapshot(9, 1));
    assertThat(registry.scrape())
        .contains("basin_delivery_records_delivered_total{delivery=\"to-lake\"} 9.0");

    metrics.deleted("to-lake");
    assertThat(registry.scrape()).doesNotContain("to-lake");
  }
}
