package dev.basin.stream.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.basin.common.error.BasinException;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class RatePlanTest {
  private static Duration ms(long millis) {
    return Duration.ofMillis(millis);
  }

  @Test
  void constantRateSchedulesRecordsEvenlyStartingAtZero() {
    RatePlan plan = RatePlan.constant(500);
    assertThat(plan.targetCount(Duration.ZERO)).isEqualTo(1);
    assertThat(plan.targetCount(ms(1))).isEqualTo(1);
    assertThat(plan.targetCount(ms(2))).isEqualTo(2);
    assertThat(plan.targetCount(Duration.ofSeconds(1))).isEqualTo(501);
    assertThat(plan.targetCount(Duration.ofMinutes(10))).isEqualTo(300_001);
    assertThat(plan.timeOf(1)).contains(Duration.ZERO);
    assertThat(plan.timeOf(2)).contains(ms(2));
    assertThat(plan.timeOf(501)).contains(Duration.ofSeconds(1));
    assertThat(plan.rateAt(Duration.ofHours(1))).isEqualTo(500.0);
    assertThat(plan.isBounded()).isFalse();
    assertThat(plan.totalRecords()).isEmpty();
  }

  @Test
  void durationBoundsTheTotal() {
    RatePlan plan = RatePlan.constant(500).withDuration(Duration.ofSeconds(10));
    assertThat(plan.totalRecords()).isEqualTo(OptionalLong.of(5000));
    assertThat(plan.targetCount(ms(9_998))).isEqualTo(5000);
    assertThat(plan.targetCount(Duration.ofSeconds(10))).isEqualTo(5000);
    assertThat(plan.targetCount(Duration.ofSeconds(60))).isEqualTo(5000);
    assertThat(plan.timeOf(5000)).contains(ms(9_998));
    assertThat(plan.timeOf(5001)).isEmpty();
    assertThat(plan.isOver(Duration.ofSeconds(10), 4999)).isFalse();
    assertThat(plan.isOver(Duration.ofSeconds(10), 5000)).isTrue();
    assertThat(plan.isOver(ms(9_999), 5000)).isFalse();
  }

  @Test
  void fractionalRates() {
    RatePlan plan = RatePlan.constant(0.5).withDuration(Duration.ofSeconds(10));
    assertThat(plan.totalRecords()).isEqualTo(OptionalLong.of(5));
    assertThat(plan.timeOf(2)).contains(Duration.ofSeconds(2));
    assertThat(plan.targetCount(ms(1_999))).isEqualTo(1);
    assertThat(plan.targetCount(Duration.ofSeconds(2))).isEqualTo(2);
  }

  @Test
  void maxRecordsCapsTheTarget() {
    RatePlan plan = RatePlan.constant(1000).withMaxRecords(10);
    assertThat(plan.targetCount(Duration.ofSeconds(5))).isEqualTo(10);
    assertThat(plan.totalRecords()).isEqualTo(OptionalLong.of(10));
    assertThat(plan.timeOf(11)).isEmpty();
    assertThat(plan.isOver(Duration.ZERO, 10)).isTrue();
    assertThat(plan.withDuration(ms(5)).totalRecords()).isEqualTo(OptionalLong.of(5));
  }

  @Test
  void linearRampIntegratesTheRate() {
    RatePlan plan = RatePlan.ramp(0, 100, Duration.ofSeconds(10));
    // the rate rises from 0 to 100/s, so 500 records are due over the ramp and 100/s after it
    assertThat(plan.rateAt(Duration.ofSeconds(5))).isEqualTo(50.0);
    assertThat(plan.rateAt(Duration.ofSeconds(20))).isEqualTo(100.0);
    assertThat(plan.targetCount(Duration.ofSeconds(5))).isEqualTo(126); // 125 due + the first
    assertThat(plan.timeOf(126)).contains(Duration.ofSeconds(5));
    assertThat(plan.targetCount(Duration.ofSeconds(10))).isEqualTo(501);
    assertThat(plan.targetCount(Duration.ofSeconds(11))).isEqualTo(601);
    assertThat(plan.withDuration(Duration.ofSeconds(10)).totalRecords())
        .isEqualTo(OptionalLong.of(500));
  }

  @Test
  void rampDownEndsWhenTheRateReachesZero() {
    RatePlan plan = RatePlan.ramp(100, 0, Duration.ofSeconds(10));
    assertThat(plan.targetCount(Duration.ofSeconds(10))).isEqualTo(501);
    assertThat(plan.targetCount(Duration.ofHours(1))).isEqualTo(501);
    // the rate approaches 0, so the last record is due a hair before 10 s
    assertThat(plan.timeOf(501).orElseThrow()).isBetween(ms(9_999), Duration.ofSeconds(10));
    assertThat(plan.timeOf(502)).isEmpty();
  }

  @Test
  void timeOfIsTheInverseOfTargetCount() {
    for (RatePlan plan :
        new RatePlan[] {
          RatePlan.constant(333),
          RatePlan.ramp(10, 2000, Duration.ofSeconds(7)),
          RatePlan.ramp(2000, 10, Duration.ofSeconds(7)),
          RatePlan.ramp(0, 50, Duration.ofSeconds(3))
        }) {
      for (long k = 1; k <= 3000; k += 7) {
        Optional<Duration> at = plan.timeOf(k);
        assertThat(at).as("%s record %d", plan, k).isPresent();
        assertThat(plan.targetCount(at.get()))
            .as("%s at %s", plan, at.get())
            .isGreaterThanOrEqualTo(k);
        if (!at.get().isZero()) {
          assertThat(plan.targetCount(at.get().minusNanos(1)))
              .as("%s before record %d", plan, k)
              .isLessThan(k);
        }
      }
    }
  }

  @Test
  void unlimitedHasNoTargetButEndsAtItsBounds() {
    RatePlan plan = RatePlan.unlimited().withDuration(Duration.ofSeconds(1));
    assertThat(plan.isUnlimited()).isTrue();
    assertThat(plan.targetCount(Duration.ZERO)).isEqualTo(Long.MAX_VALUE);
    assertThat(plan.totalRecords()).isEmpty();
    assertThat(plan.isOver(ms(999), 1_000_000)).isFalse();
    assertThat(plan.isOver(Duration.ofSeconds(1), 0)).isTrue();
    assertThat(RatePlan.unlimited().withMaxRecords(7).targetCount(Duration.ZERO)).isEqualTo(7);
  }

  @Test
  void parsesConstantRampAndMax() {
    assertThat(RatePlan.parse("500", null).targetCount(Duration.ofSeconds(1))).isEqualTo(501);
    assertThat(RatePlan.parse(" 500/s ", null).toString()).isEqualTo("500/s");
    assertThat(RatePlan.parse("2.5", Duration.ofSeconds(4)).totalRecords())
        .isEqualTo(OptionalLong.of(10));
    RatePlan ramp = RatePlan.parse("100..2000", Duration.ofMinutes(1));
    assertThat(ramp.rateAt(Duration.ZERO)).isEqualTo(100.0);
    assertThat(ramp.rateAt(Duration.ofSeconds(30))).isCloseTo(1050.0, within(1e-9));
    assertThat(ramp.totalRecords()).isEqualTo(OptionalLong.of(63_000));
    assertThat(ramp.duration()).contains(Duration.ofMinutes(1));
    assertThat(ramp.toString()).isEqualTo("100..2000/s over PT1M for PT1M");
    assertThat(RatePlan.parse("max", Duration.ofSeconds(5)).isUnlimited()).isTrue();
    assertThat(RatePlan.parse("300..300", Duration.ofSeconds(1)).totalRecords())
        .isEqualTo(OptionalLong.of(300));
  }

  @Test
  void parseErrorsSayWhatIsWrong() {
    assertThatThrownBy(() -> RatePlan.parse("fast", null))
        .isInstanceOf(BasinException.class)
        .hasMessage(
            "invalid rate 'fast': expected records per second such as 500, a ramp such as"
                + " 100..2000, or max");
    assertThatThrownBy(() -> RatePlan.parse("100..2000", null))
        .hasMessage(
            "rate '100..2000' ramps over the whole run, so it needs a duration (for example"
                + " --duration 5m)");
    assertThatThrownBy(() -> RatePlan.parse("-5", null))
        .hasMessageContaining("rates must be between 0 and 1000000000 records per second");
    assertThatThrownBy(() -> RatePlan.parse("0", null))
        .hasMessage("rate must be greater than 0 records per second, got 0.0");
    assertThatThrownBy(() -> RatePlan.parse("0..0", Duration.ofSeconds(1)))
        .hasMessage("a ramp from 0 to 0 records per second never sends anything");
    assertThatThrownBy(() -> RatePlan.parse("1..x", Duration.ofSeconds(1)))
        .hasMessageStartingWith("invalid rate '1..x'");
    assertThatThrownBy(() -> RatePlan.constant(10).withMaxRecords(0))
        .hasMessage("record count must be positive, got 0");
    assertThatThrownBy(() -> RatePlan.constant(10).withDuration(Duration.ZERO))
        .hasMessage("duration must be positive, got PT0S");
  }
}
