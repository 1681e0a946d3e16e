package dev.basin.bench.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LatencyHistogramTest {

  @Test
  void emptyHistogramReportsZero() {
    LatencyHistogram h = new LatencyHistogram();
    assertThat(h.percentile(50)).isZero();
    assertThat(h.count()).isZero();
    assertThat(h.mean()).isZero();
  }

  @Test
  void smallValuesAreExact() {
    LatencyHistogram h = new LatencyHistogram();
    for (int v = 1; v <= 100; v++) {
      h.record(v);
    }
    assertThat(h.percentile(50)).isEqualTo(50);
    assertThat(h.percentile(99)).isEqualTo(99);
    assertThat(h.percentile(100)).isEqualTo(100);
    assertThat(h.max()).isEqualTo(100);
    assertThat(h.mean()).isEqualTo(50.5);
  }

  @Test
  void bucketsAreContiguousAndCoverEveryValue() {
    for (long v = 0; v < 1_000_000; v++) {
      int i = LatencyHistogram.index(v);
      assertThat(LatencyHistogram.highestEquivalent(i)).isGreaterThanOrEqualTo(v);
      if (i > 0) {
        assertThat(LatencyHistogram.highestEquivalent(i - 1)).isLessThan(v);
      }
    }
    int last = LatencyHistogram.index(Long.MAX_VALUE);
    assertThat(LatencyHistogram.highestEquivalent(last)).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void percentilesOfRandomValuesAreWithinRelativeErrorAndNeverBelow() {
    Random random = new Random(42);
    long[] values = new long[200_000];
    LatencyHistogram h = new LatencyHistogram();
    for (int i = 0; i < values.length; i++) {
      values[i] = (long) Math.exp(random.nextDouble() * 16); // 1 .. ~9 million
      h.record(values[i]);
    }
    Arrays.sort(values);
    for (double p : new double[] {1, 25, 50, 90, 99, 99.9, 100}) {
      long exact = values[(int) Math.ceil(p / 100 * values.length) - 1];
      assertThat(h.percentile(p)).isBetween(exact, exact + exact / 64 + 1);
    }
  }

  @Test
  void weightedRecordsCountEachOccurrence() {
    LatencyHistogram h = new LatencyHistogram();
    h.record(10, 99);
    h.record(5_000, 1);
    assertThat(h.count()).isEqualTo(100);
    assertThat(h.percentile(99)).isEqualTo(10);
    assertThat(h.percentile(100)).isEqualTo(5_000);
  }

  @Test
  void negativeValuesCountAsZeroAndBadPercentilesAreRejected() {
    LatencyHistogram h = new LatencyHistogram();
    h.record(-3);
    assertThat(h.percentile(50)).isZero();
    assertThatThrownBy(() -> h.percentile(0)).hasMessageContaining("(0, 100]: 0.0");
    assertThatThrownBy(() -> h.percentile(101)).hasMessageContaining("101");
  }
}
