package dev.basin.delivery;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Counters of one delivery stream. Thread-safe: the worker updates them, anyone may read a {@link
 * #snapshot()}.
 */
public final class DeliveryMetrics {
  private final AtomicLong recordsDelivered = new AtomicLong();
  private final AtomicLong bytesDelivered = new AtomicLong();
  private final AtomicLongArray failures = new AtomicLongArray(FailureKind.values().length);
  private final AtomicLong lastCommitMillis = new AtomicLong(-1);
  private final AtomicLong oldestUndeliveredArrival = new AtomicLong(-1);
  private final AtomicLong commits = new AtomicLong();
  private final AtomicLong recordsDropped = new AtomicLong();

  /**
   * A point-in-time copy.
   *
   * @param recordsDelivered records written to the destination (not counting failures)
   * @param bytesDelivered their source payload bytes
   * @param failures records sent to the error output, by kind
   * @param commits flushes committed
   * @param lastCommitMillis time of the last commit, epoch millis, or -1
   * @param lagMillis age of the oldest record read but not yet committed, 0 when none
   * @param recordsDropped records a transform or filter dropped on purpose
   */
  public record Snapshot(
      long recordsDelivered,
      long bytesDelivered,
      Map<FailureKind, Long> failures,
      long commits,
      long lastCommitMillis,
      long lagMillis,
      long recordsDropped) {

    public Snapshot(
        long recordsDelivered,
        long bytesDelivered,
        Map<FailureKind, Long> failures,
        long commits,
        long lastCommitMillis,
        long lagMillis) {
      this(recordsDelivered, bytesDelivered, failures, commits, lastCommitMillis, lagMillis, 0);
    }

    public long failures(FailureKind kind) {
      return failures.getOrDefault(kind, 0L);
    }
  }

  void delivered(long records, long bytes, long commitMillis) {
    recordsDelivered.addAndGet(records);
    bytesDelivered.addAndGet(bytes);
    commits.incrementAndGet();
    lastCommitMillis.set(commitMillis);
  }

  void dropped(long records) {
    recordsDropped.addAndGet(records);
  }

  void failed(FailureKind kind) {
    failures.incrementAndGet(kind.ordinal());
  }

  void oldestUndelivered(long arrivalMillis) {
    oldestUndeliveredArrival.set(arrivalMillis);
  }

  /** The counters now; {@code nowMillis} measures the lag. */
  public Snapshot snapshot(long nowMillis) {
    Map<FailureKind, Long> f = new EnumMap<>(FailureKind.class);
    for (FailureKind k : FailureKind.values()) {
      f.put(k, failures.get(k.ordinal()));
    }
    long oldest = oldestUndeliveredArrival.get();
    return new Snapshot(
        recordsDelivered.get(),
        bytesDelivered.get(),
        Map.copyOf(f),
        commits.get(),
        lastCommitMillis.get(),
        oldest < 0 ? 0 : Math.max(0, nowMillis - oldest),
        recordsDropped.get());
  }
}
