package dev.basin.server.metrics;

import dev.basin.delivery.DeliveryEngine;
import dev.basin.delivery.DeliveryMetrics;
import dev.basin.delivery.FailureKind;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * Publishes each delivery stream's counters to Micrometer, tagged {@code delivery=<name>}:
 *
 * <ul>
 *   <li>{@code basin.delivery.records.delivered}, {@code basin.delivery.bytes.delivered}: records
 *       and source bytes written to the destination;
 *   <li>{@code basin.delivery.failures} (tag {@code kind}: processing-failed,
 *       format-conversion-failed, …): records sent to the error output;
 *   <li>{@code basin.delivery.records.dropped}: records a transform or filter dropped;
 *   <li>{@code basin.delivery.commits}: flushes committed;
 *   <li>{@code basin.delivery.last.commit.time} (gauge): epoch seconds of the last commit, or -1;
 *   <li>{@code basin.delivery.lag} (gauge, milliseconds): age of the oldest record read but not yet
 *       committed, 0 when none.
 * </ul>
 *
 * The meters read the delivery's counters when scraped; they are added when a delivery stream is
 * created (or loaded) and removed when it is deleted. Thread-safe.
 */
public final class DeliveryStreamMetrics implements DeliveryEngine.Listener {
  private final MeterRegistry registry;
  private final ConcurrentHashMap<String, List<Meter>> meters = new ConcurrentHashMap<>();

  public DeliveryStreamMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public void created(String name, Supplier<DeliveryMetrics.Snapshot> metrics) {
    List<Meter> list = new ArrayList<>();
    list.add(
        counter(
            "basin.delivery.records.delivered",
            "Records written to the destination",
            name,
            metrics,
            DeliveryMetrics.Snapshot::recordsDelivered,
            null));
    list.add(
        counter(
            "basin.delivery.bytes.delivered",
            "Source bytes of the records written to the destination",
            name,
            metrics,
            DeliveryMetrics.Snapshot::bytesDelivered,
            "bytes"));
    for (FailureKind kind : FailureKind.values()) {
      list.add(
          FunctionCounter.builder("basin.delivery.failures", metrics, m -> m.get().failures(kind))
              .description("Records sent to the error output, by kind")
              .tag("delivery", name)
              .tag("kind", kind.outputType())
              .register(registry));
    }
    list.add(
        counter(
            "basin.delivery.records.dropped",
            "Records a transform or filter dropped on purpose",
            name,
            metrics,
            DeliveryMetrics.Snapshot::recordsDropped,
            null));
    list.add(
        counter(
            "basin.delivery.commits",
            "Batches committed to the destination",
            name,
            metrics,
            DeliveryMetrics.Snapshot::commits,
            null));
    list.add(
        gauge(
            "basin.delivery.last.commit.time",
            "Time of the last commit, epoch seconds (-1: none yet)",
            name,
            metrics,
            s -> s.lastCommitMillis() < 0 ? -1 : s.lastCommitMillis() / 1000.0,
            "seconds"));
    list.add(
        gauge(
            "basin.delivery.lag",
            "Age of the oldest record read but not yet committed",
            name,
            metrics,
            DeliveryMetrics.Snapshot::lagMillis,
            "milliseconds"));
    List<Meter> old = meters.put(name, list);
    if (old != null) {
      old.forEach(registry::remove);
    }
  }

  @Override
  public void deleted(String name) {
    List<Meter> list = meters.remove(name);
    if (list != null) {
      list.forEach(registry::remove);
    }
  }

  private Meter counter(
      String meter,
      String description,
      String delivery,
      Supplier<DeliveryMetrics.Snapshot> metrics,
      ToDoubleFunction<DeliveryMetrics.Snapshot> value,
      String unit) {
    return FunctionCounter.builder(meter, metrics, m -> value.applyAsDouble(m.get()))
        .description(description)
        .baseUnit(unit)
        .tag("delivery", delivery)
        .register(registry);
  }

  private Meter gauge(
      String meter,
      String description,
      String delivery,
      Supplier<DeliveryMetrics.Snapshot> metrics,
      ToDoubleFunction<DeliveryMetrics.Snapshot> value,
      String unit) {
    return Gauge.builder(meter, metrics, m -> value.applyAsDouble(m.get()))
        .description(description)
        .baseUnit(unit)
        .tag("delivery", delivery)
        .register(registry);
  }
}
