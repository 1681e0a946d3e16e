package dev.basin.it;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waits for conditions by polling, always with a timeout. */
public final class Poll {
  private Poll() {}

  /** Polls {@code condition} every few milliseconds until it holds; fails after {@code timeout}. */
  public static void until(Duration timeout, String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout + " waiting for " + what);
      }
      pause();
    }
  }

  /** Polls {@code value} until it is non-null; fails after {@code timeout}. */
  public static <T> T forValue(Duration timeout, String what, Supplier<T> value) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      T v = value.get();
      if (v != null) {
        return v;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout + " waiting for " + what);
      }
      pause();
    }
  }

  /** Waits until the wall clock has passed {@code epochMillis} (timestamps must differ). */
  public static void clockPast(long epochMillis) {
    until(
        Duration.ofSeconds(10),
        "the clock to pass " + epochMillis,
        () -> System.currentTimeMillis() > epochMillis);
  }

  private static void pause() {
    try {
      Thread.sleep(2);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
