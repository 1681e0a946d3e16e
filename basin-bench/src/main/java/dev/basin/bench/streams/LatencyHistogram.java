package dev.basin.bench.streams;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;

/**
 * Log-linear histogram of non-negative long values (the drivers record microseconds).
 *
 * <p>Values below 128 are exact; above, each power of two is split into 64 buckets, so a reported
 * percentile is at most 1/64 (about 1.6 %) above the true value and never below it. {@link #record}
 * may be called from many threads at once; reads taken while writers are active see some but not
 * necessarily all concurrent writes.
 */
final class LatencyHistogram {
  private static final int SUB_BITS = 6;
  private static final int SUB = 1 << SUB_BITS;
  private static final int BUCKETS = index(Long.MAX_VALUE) + 1;

  private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);
  private final LongAdder total = new LongAdder();
  private final LongAdder sum = new LongAdder();
  private final LongAccumulator max = new LongAccumulator(Math::max, 0);

  static int index(long value) {
    if (value < 2L * SUB) {
      return (int) value;
    }
    int shift = 63 - Long.numberOfLeadingZeros(value) - SUB_BITS;
    return (shift + 1) * SUB + (int) (value >>> shift) - SUB;
  }

  /** The largest value that falls into bucket {@code index}. */
  static long highestEquivalent(int index) {
    if (index < 2 * SUB) {
      return index;
    }
    int shift = index / SUB - 1;
    long sub = index % SUB + SUB;
    long next = (sub + 1) << shift;
    return next <= 0 ? Long.MAX_VALUE : next - 1;
  }

  /** Records {@code count} occurrences of {@code value}; negative values count as 0. */
  void record(long value, long count) {
    if (count <= 0) {
      return;
    }
    long v = Math.max(0, value);
    counts.addAndGet(index(v), count);
    total.add(count);
    sum.add(v * count);
    max.accumulate(v);
  }

  void record(long value) {
    record(value, 1);
  }

  long count() {
    return total.sum();
  }

  long max() {
    return max.get();
  }

  double mean() {
    long n = total.sum();
    return n == 0 ? 0 : (double) sum.sum() / n;
  }

  /**
   * The smallest recorded-bucket value such that at least {@code percentile} % of all values are at
   * or below it, capped at the maximum recorded value; 0 when nothing was recorded.
   *
   * @throws IllegalArgumentException if {@code percentile} is not in (0, 100]
   */
  long percentile(double percentile) {
    if (!(percentile > 0 && percentile <= 100)) {
      throw new IllegalArgumentException("percentile must be in (0, 100]: " + percentile);
    }
    long n = total.sum();
    if (n == 0) {
      return 0;
    }
    long rank = Math.max(1, (long) Math.ceil(percentile / 100.0 * n));
    long seen = 0;
    for (int i = 0; i < BUCKETS; i++) {
      seen += counts.get(i);
      if (seen >= rank) {
        return Math.min(highestEquivalent(i), max.get());
      }
    }
    return max.get();
  }
}
