package dev.basin.server.metrics;

import dev.basin.stream.StreamListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Publishes per-stream traffic to Micrometer: incoming records and bytes, outgoing records and
 * bytes, GetRecords latency, and the iterator age (the latest MillisBehindLatest answered).
 */
public final class StreamMetrics implements StreamListener {
  private final MeterRegistry registry;
  private final ConcurrentHashMap<String, Meters> meters = new ConcurrentHashMap<>();

  public StreamMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public void recordsPut(String stream, int records, long bytes) {
    Meters m = meters(stream);
    m.incomingRecords.increment(records);
    m.incomingBytes.increment(bytes);
  }

  @Override
  public void recordsRead(
      String stream, int records, long bytes, long millisBehindLatest, long latencyNanos) {
    Meters m = meters(stream);
    m.outgoingRecords.increment(records);
    m.outgoingBytes.increment(bytes);
    m.getLatency.record(latencyNanos, TimeUnit.NANOSECONDS);
    m.iteratorAge.set(millisBehindLatest);
  }

  @Override
  public void streamDeleted(String stream) {
    Meters m = meters.remove(stream);
    if (m != null) {
      m.remove(registry);
    }
  }

  /** A stream's traffic since the server started (zeros for a stream without any yet). */
  public record Traffic(
      long incomingRecords,
      long incomingBytes,
      long outgoingRecords,
      long outgoingBytes,
      long iteratorAgeMillis) {}

  /** The traffic counted for {@code stream} since the server started. */
  public Traffic traffic(String stream) {
    Meters m = meters.get(stream);
    if (m == null) {
      return new Traffic(0, 0, 0, 0, 0);
    }
    return new Traffic(
        (long) m.incomingRecords.count(),
        (long) m.incomingBytes.count(),
        (long) m.outgoingRecords.count(),
        (long) m.outgoingBytes.count(),
        m.iteratorAge.get());
  }

  private Meters meters(String stream) {
    return meters.computeIfAbsent(stream, s -> new Meters(registry, s));
  }

  private static final class Meters {
    final Counter incomingRecords;
    final Counter incomingBytes;
    final Counter outgoingRecords;
    final Counter outgoingBytes;
    final Timer getLatency;
    final AtomicLong iteratorAge = new AtomicLong();
    final Gauge iteratorAgeGauge;

    Meters(MeterRegistry r, String stream) {
      incomingRecords =
          Counter.builder("basin.stream.incoming.records")
              .description("Records durably stored")
              .tag("stream", stream)
              .register(r);
      incomingBytes =
          Counter.builder("basin.stream.incoming.bytes")
              .description("Bytes (data plus partition keys) durably stored")
              .baseUnit("bytes")
              .tag("stream", stream)
              .register(r);
      outgoingRecords =
          Counter.builder("basin.stream.outgoing.records")
              .description("Records returned by GetRecords")
              .tag("stream", stream)
              .register(r);
      outgoingBytes =
          Counter.builder("basin.stream.outgoing.bytes")
              .description("Bytes returned by GetRecords")
              .baseUnit("bytes")
              .tag("stream", stream)
              .register(r);
      getLatency =
          Timer.builder("basin.stream.get.latency")
              .description("Time to serve a GetRecords call")
              .tag("stream", stream)
              .publishPercentiles(0.5, 0.99)
              .register(r);
      iteratorAgeGauge =
          Gauge.builder("basin.stream.iterator.age", iteratorAge, AtomicLong::doubleValue)
              .description("MillisBehindLatest of the latest GetRecords answer")
              .baseUnit("milliseconds")
              .tag("stream", stream)
              .register(r);
    }

    void remove(MeterRegistry r) {
      r.remove(incomingRecords);
      r.remove(incomingBytes);
      r.remove(outgoingRecords);
      r.remove(outgoingBytes);
      r.remove(getLatency);
      r.remove(iteratorAgeGauge);
    }
  }
}
