package dev.basin.server.http;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows password guessing per user name: from the {@value #FREE_FAILURES}th failed sign-in in a row
 * on, each failure refuses sign-ins with that name for a window that starts at {@link
 * #FIRST_WINDOW} and doubles with every further failure up to {@link #MAX_WINDOW}. A successful
 * sign-in forgets the failures; so does a quiet period of {@link #FORGET_AFTER} without failures.
 * Names that do not exist are counted like names that do, so the refusals say nothing about which
 * users exist. Kept in memory (a restart forgets it) and bounded in size. Thread-safe.
 */
final class SignInBackoff {
  /** The failures in a row after which sign-ins are refused for a while. */
  static final int FREE_FAILURES = 5;

  /** The window after the {@value #FREE_FAILURES}th failure. */
  static final Duration FIRST_WINDOW = Duration.ofSeconds(30);

  /** The longest window. */
  static final Duration MAX_WINDOW = Duration.ofMinutes(15);

  /** How long after the last failure (and the end of its window) the failures are forgotten. */
  static final Duration FORGET_AFTER = Duration.ofMinutes(30);

  private static final int MAX_NAMES = 10_000;

  private record Failures(int count, Instant last, Instant lockedUntil) {}

  private final Map<String, Failures> byName = new ConcurrentHashMap<>();
  private final Clock clock;

  SignInBackoff(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** How long sign-ins with {@code name} are still refused; zero when they may be tried. */
  Duration lockedFor(String name) {
    Failures f = byName.get(name);
    if (f == null) {
      return Duration.ZERO;
    }
    Instant now = clock.instant();
    return f.lockedUntil().isAfter(now) ? Duration.between(now, f.lockedUntil()) : Duration.ZERO;
  }

  /** Records a failed sign-in with {@code name}. */
  void failed(String name) {
    Instant now = clock.instant();
    if (byName.size() >= MAX_NAMES && !byName.containsKey(name)) {
      prune(now);
    }
    byName.compute(
        name,
        (k, f) -> {
          int count = f == null || forgotten(f, now) ? 1 : f.count() + 1;
          Instant lockedUntil = now;
          if (count >= FREE_FAILURES) {
            int doublings = Math.min(count - FREE_FAILURES, 20);
            Duration window = FIRST_WINDOW.multipliedBy(1L << doublings);
            lockedUntil = now.plus(window.compareTo(MAX_WINDOW) > 0 ? MAX_WINDOW : window);
          }
          return new Failures(count, now, lockedUntil);
        });
  }

  /** Forgets the failures of {@code name} after a successful sign-in. */
  void succeeded(String name) {
    byName.remove(name);
  }

  private static boolean forgotten(Failures f, Instant now) {
    Instant latest = f.lockedUntil().isAfter(f.last()) ? f.lockedUntil() : f.last();
    return !latest.plus(FORGET_AFTER).isAfter(now);
  }

  private void prune(Instant now) {
    byName.values().removeIf(f -> forgotten(f, now));
    if (byName.size() >= MAX_NAMES) {
      // Still full of recent failures: drop those not refused now rather than grow without bound.
      byName.values().removeIf(f -> !f.lockedUntil().isAfter(now));
    }
  }
}
