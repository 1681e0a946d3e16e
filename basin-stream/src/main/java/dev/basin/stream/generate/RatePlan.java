package dev.basin.stream.generate;

import dev.basin.common.error.BasinException;
import dev.basin.common.error.CommonErrorCode;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * How many records a generator should have produced after a given time: a constant rate, a linear
 * ramp from one rate to another, or no limit, optionally bounded by a duration and a record count.
 *
 * <p>The plan schedules record {@code k} (1-based) at the elapsed time where the integral of the
 * rate reaches {@code k - 1}: the first record goes out at once, and a constant 500/s plan for 10 s
 * schedules exactly 5000 records. Pacing from {@link #targetCount} (how many should be out by now)
 * instead of sleeping a fixed time per record keeps long runs free of drift.
 *
 * <p>Immutable and thread-safe.
 */
public final class RatePlan {
  private static final double NANOS_PER_SECOND = 1e9;
  private static final double MAX_RATE = 1e9;
  private static final double EPSILON = 1e-12;

  private final double from;
  private final double to;
  private final long rampNanos;
  private final boolean unlimited;
  private final long durationNanos;
  private final long maxRecords;

  private RatePlan(
      double from,
      double to,
      long rampNanos,
      boolean unlimited,
      long durationNanos,
      long maxRecords) {
    this.from = from;
    this.to = to;
    this.rampNanos = rampNanos;
    this.unlimited = unlimited;
    this.durationNanos = durationNanos;
    this.maxRecords = maxRecords;
  }

  /** {@code perSecond} records a second; must be greater than 0. */
  public static RatePlan constant(double perSecond) {
    checkRate("rate", perSecond);
    if (perSecond <= 0) {
      throw invalid("rate must be greater than 0 records per second, got " + perSecond);
    }
    return new RatePlan(perSecond, perSecond, 0, false, -1, -1);
  }

  /**
   * A rate that changes linearly from {@code fromPerSecond} to {@code toPerSecond} over {@code
   * over}, then stays at {@code toPerSecond}.
   */
  public static RatePlan ramp(double fromPerSecond, double toPerSecond, Duration over) {
    checkRate("ramp start rate", fromPerSecond);
    checkRate("ramp end rate", toPerSecond);
    Objects.requireNonNull(over, "over");
    if (over.isNegative() || over.isZero()) {
      throw invalid("a ramp needs a positive duration, got " + over);
    }
    if (fromPerSecond == 0 && toPerSecond == 0) {
      throw invalid("a ramp from 0 to 0 records per second never sends anything");
    }
    if (fromPerSecond == toPerSecond) {
      return constant(fromPerSecond);
    }
    return new RatePlan(fromPerSecond, toPerSecond, over.toNanos(), false, -1, -1);
  }

  /** As fast as the sink takes records; bound it with a duration or a record count. */
  public static RatePlan unlimited() {
    return new RatePlan(Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, 0, true, -1, -1);
  }

  /**
   * Parses a rate as the CLI takes it: {@code "500"} (records per second), {@code "100..2000"} (a
   * ramp over the whole {@code duration}, which is then required) or {@code "max"}; a {@code /s}
   * suffix is allowed. The plan is bounded by {@code duration} when it is not null.
   *
   * @throws BasinException {@code INVALID_ARGUMENT} saying what is wrong with {@code text}
   */
  public static RatePlan parse(String text, Duration duration) {
    Objects.requireNonNull(text, "text");
    String t = text.trim();
    if (t.endsWith("/s")) {
      t = t.substring(0, t.length() - 2).trim();
    }
    RatePlan plan;
    if (t.equalsIgnoreCase("max") || t.equalsIgnoreCase("unlimited")) {
      plan = unlimited();
    } else {
      int dots = t.indexOf("..");
      if (dots >= 0) {
        double a = parseRate(text, t.substring(0, dots));
        double b = parseRate(text, t.substring(dots + 2));
        if (duration == null) {
          throw invalid(
              "rate '"
                  + text
                  + "' ramps over the whole run, so it needs a duration (for example --duration"
                  + " 5m)");
        }
        plan = ramp(a, b, duration);
      } else {
        plan = constant(parseRate(text, t));
      }
    }
    return duration == null ? plan : plan.withDuration(duration);
  }

  private static double parseRate(String original, String part) {
    String p = part.trim();
    double v;
    try {
      v = Double.parseDouble(p);
    } catch (NumberFormatException e) {
      throw invalid(
          "invalid rate '"
              + original
              + "': expected records per second such as 500, a ramp such as 100..2000, or max");
    }
    if (Double.isNaN(v) || v < 0 || v > MAX_RATE || p.startsWith("+") || p.isEmpty()) {
      throw invalid(
          "invalid rate '"
              + original
              + "': rates must be between 0 and "
              + (long) MAX_RATE
              + " records per second");
    }
    return v;
  }

  /** This plan, stopping when {@code duration} has elapsed. */
  public RatePlan withDuration(Duration duration) {
    Objects.requireNonNull(duration, "duration");
    if (duration.isNegative() || duration.isZero()) {
      throw invalid("duration must be positive, got " + duration);
    }
    return new RatePlan(from, to, rampNanos, unlimited, duration.toNanos(), maxRecords);
  }

  /** This plan, stopping after {@code maxRecords} records. */
  public RatePlan withMaxRecords(long maxRecords) {
    if (maxRecords <= 0) {
      throw invalid("record count must be positive, got " + maxRecords);
    }
    return new RatePlan(from, to, rampNanos, unlimited, durationNanos, maxRecords);
  }

  public Optional<Duration> duration() {
    return durationNanos < 0 ? Optional.empty() : Optional.of(Duration.ofNanos(durationNanos));
  }

  public OptionalLong maxRecords() {
    return maxRecords < 0 ? OptionalLong.empty() : OptionalLong.of(maxRecords);
  }

  public boolean isUnlimited() {
    return unlimited;
  }

  /** Whether the plan ends by itself (it has a duration or a record count). */
  public boolean isBounded() {
    return durationNanos >= 0 || maxRecords >= 0;
  }

  /**
   * The total number of records the plan produces, if it is bounded and that number is known in
   * advance (an unlimited plan with only a duration is not).
   */
  public OptionalLong totalRecords() {
    long byDuration = -1;
    if (durationNanos >= 0 && !unlimited) {
      byDuration = scheduledBefore(durationNanos);
    }
    if (byDuration < 0) {
      return maxRecords();
    }
    return OptionalLong.of(maxRecords < 0 ? byDuration : Math.min(byDuration, maxRecords));
  }

  /** The target rate in records per second at {@code elapsed}; infinite for an unlimited plan. */
  public double rateAt(Duration elapsed) {
    return rateAtNanos(elapsed.toNanos());
  }

  double rateAtNanos(long elapsedNanos) {
    if (unlimited) {
      return Double.POSITIVE_INFINITY;
    }
    if (rampNanos == 0 || elapsedNanos >= rampNanos) {
      return to;
    }
    if (elapsedNanos <= 0) {
      return from;
    }
    return from + (to - from) * ((double) elapsedNanos / rampNanos);
  }

  /**
   * How many records should have been produced by {@code elapsed}: every record scheduled at or
   * before it, capped by the plan's duration and record count.
   */
  public long targetCount(Duration elapsed) {
    return targetCountNanos(elapsed.toNanos());
  }

  long targetCountNanos(long elapsedNanos) {
    if (elapsedNanos < 0) {
      return 0;
    }
    long target;
    if (unlimited) {
      target = Long.MAX_VALUE;
    } else if (durationNanos >= 0 && elapsedNanos >= durationNanos) {
      target = scheduledBefore(durationNanos);
    } else {
      target = dueCount(elapsedNanos);
    }
    return maxRecords >= 0 ? Math.min(target, maxRecords) : target;
  }

  /**
   * Whether a run that produced {@code produced} records by {@code elapsed} is over: its record
   * count is reached, or its duration has elapsed and every record scheduled before the end was
   * produced. A run that fell behind (a slow sink) thus still produces exactly {@link
   * #totalRecords()}, finishing late; an unlimited plan ends right at its duration.
   */
  public boolean isOver(Duration elapsed, long produced) {
    return isOverNanos(elapsed.toNanos(), produced);
  }

  boolean isOverNanos(long elapsedNanos, long produced) {
    if (maxRecords >= 0 && produced >= maxRecords) {
      return true;
    }
    if (durationNanos < 0 || elapsedNanos < durationNanos) {
      return false;
    }
    return unlimited || produced >= scheduledBefore(durationNanos);
  }

  /**
   * The elapsed time at which record {@code count} (1-based) is scheduled, or empty if the plan
   * never schedules it (past its duration or record count, or the rate ramps down to 0 first).
   */
  public Optional<Duration> timeOf(long count) {
    long nanos = nanosUntil(count);
    return nanos == Long.MAX_VALUE ? Optional.empty() : Optional.of(Duration.ofNanos(nanos));
  }

  /** {@link #timeOf} in nanoseconds; {@code Long.MAX_VALUE} for never. */
  long nanosUntil(long count) {
    if (count <= 1) {
      return 0;
    }
    if (maxRecords >= 0 && count > maxRecords) {
      return Long.MAX_VALUE;
    }
    if (unlimited) {
      return 0;
    }
    long estimate = estimateNanos(count - 1);
    if (estimate == Long.MAX_VALUE) {
      return Long.MAX_VALUE;
    }
    // the closed form can be a nanosecond off; settle on the first instant targetCount agrees
    long t = Math.max(0, estimate);
    for (int i = 0; i < 1000 && t > 0 && dueCount(t - 1) >= count; i++) {
      t--;
    }
    for (int i = 0; i < 1000 && dueCount(t) < count; i++) {
      t++;
    }
    if (durationNanos >= 0 && t >= durationNanos) {
      return Long.MAX_VALUE;
    }
    return t;
  }

  /** The elapsed nanoseconds at which the integral of the rate reaches {@code area}. */
  private long estimateNanos(double area) {
    double seconds;
    double rampSeconds = rampNanos / NANOS_PER_SECOND;
    double rampArea = rampNanos == 0 ? 0 : (from + to) / 2 * rampSeconds;
    if (rampNanos == 0) {
      seconds = area / to;
    } else if (area <= rampArea) {
      double k = (to - from) / (2 * rampSeconds);
      // from * s + k * s^2 = area; the smaller non-negative root
      double disc = from * from + 4 * k * area;
      seconds = (-from + Math.sqrt(Math.max(0, disc))) / (2 * k);
    } else if (to == 0) {
      return Long.MAX_VALUE;
    } else {
      seconds = rampSeconds + (area - rampArea) / to;
    }
    double nanos = Math.ceil(seconds * NANOS_PER_SECOND);
    if (Double.isNaN(nanos) || nanos >= Long.MAX_VALUE / 2.0) {
      return Long.MAX_VALUE;
    }
    return (long) nanos;
  }

  /** Records scheduled at or before {@code elapsedNanos}, ignoring the plan's bounds. */
  private long dueCount(long elapsedNanos) {
    double area = integral(elapsedNanos);
    // absorb floating-point error (0.29 * 100 = 28.999999999999996) without making records due
    // noticeably early at low rates
    return saturate(Math.floor(area + Math.max(EPSILON, area * 1e-14)) + 1);
  }

  /** The integral of the rate from 0 to {@code elapsedNanos}: records due, as a real number. */
  private double integral(long elapsedNanos) {
    double s = elapsedNanos / NANOS_PER_SECOND;
    if (rampNanos == 0) {
      return to * s;
    }
    double rampSeconds = rampNanos / NANOS_PER_SECOND;
    if (elapsedNanos <= rampNanos) {
      return from * s + (to - from) * s * s / (2 * rampSeconds);
    }
    return (from + to) / 2 * rampSeconds + to * (s - rampSeconds);
  }

  /** Records scheduled strictly before {@code endNanos}. */
  private long scheduledBefore(long endNanos) {
    return endNanos <= 0 ? 0 : dueCount(endNanos - 1);
  }

  private static long saturate(double v) {
    return v >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) Math.max(0, v);
  }

  private static void checkRate(String what, double v) {
    if (Double.isNaN(v) || v < 0 || v > MAX_RATE) {
      throw invalid(
          what + " must be between 0 and " + (long) MAX_RATE + " records per second, got " + v);
    }
  }

  private static BasinException invalid(String message) {
    return new BasinException(CommonErrorCode.INVALID_ARGUMENT, message);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    if (unlimited) {
      sb.append("max");
    } else if (rampNanos == 0) {
      sb.append(JsValues.number(to)).append("/s");
    } else {
      sb.append(JsValues.number(from))
          .append("..")
          .append(JsValues.number(to))
          .append("/s over ")
          .append(Duration.ofNanos(rampNanos));
    }
    if (durationNanos >= 0) {
      sb.append(" for ").append(Duration.ofNanos(durationNanos));
    }
    if (maxRecords >= 0) {
      sb.append(" up to ").append(maxRecords).append(" records");
    }
    return sb.toString();
  }
}
