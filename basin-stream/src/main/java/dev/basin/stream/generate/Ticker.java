package dev.basin.stream.generate;

import java.util.concurrent.locks.LockSupport;

/**
 * The generator's time source for pacing: a monotonic nanosecond reading and a way to wait. Tests
 * inject a ticker whose {@link #sleep} just advances its reading, so pacing is checked without
 * waiting on the wall clock.
 */
public interface Ticker {

  /** Nanoseconds from an arbitrary fixed origin; never decreases. */
  long read();

  /**
   * Waits about {@code nanos} nanoseconds. May return early (for example when the generator is
   * stopped); callers re-read the ticker and decide again.
   */
  void sleep(long nanos);

  /** {@link System#nanoTime()} and {@link LockSupport#parkNanos(long)}. */
  static Ticker system() {
    return SystemTicker.INSTANCE;
  }
}
