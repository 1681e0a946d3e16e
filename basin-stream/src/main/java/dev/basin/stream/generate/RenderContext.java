package dev.basin.stream.generate;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Locale;
import java.util.Objects;
import java.util.Random;
import net.datafaker.Faker;

/**
 * The source of randomness and time for rendering templates: a {@link Faker} (English locale) and
 * the {@link Random} it draws from, and a {@link Clock} whose zone date helpers format in.
 *
 * <p>Two contexts created with the same seed and clocks that answer the same instants render
 * byte-identical output for the same sequence of renders. Each render reads the clock once, so all
 * date helpers in one record see the same "now".
 *
 * <p>Not thread-safe: use one context per rendering thread.
 */
public final class RenderContext {
  private final Random random;
  private final Faker faker;
  private final Clock clock;
  private final ZoneId zone;
  private final StringBuilder buffer = new StringBuilder(256);
  private long nowMillis;
  private boolean nowRead;
  private ZonedDateTime nowZoned;

  private RenderContext(Random random, Clock clock) {
    this.random = Objects.requireNonNull(random, "random");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.zone = clock.getZone();
    this.faker = new Faker(Locale.ENGLISH, random);
  }

  /** A context with a {@code new Random(seed)} and {@code clock}. */
  public static RenderContext seeded(long seed, Clock clock) {
    return new RenderContext(new Random(seed), clock);
  }

  /** A context with a {@code new Random(seed)} and the system clock in UTC. */
  public static RenderContext seeded(long seed) {
    return seeded(seed, Clock.systemUTC());
  }

  /** A context with an unseeded {@link Random} and the system clock in UTC. */
  public static RenderContext unseeded() {
    return new RenderContext(new Random(), Clock.systemUTC());
  }

  /** A context drawing from {@code random}; the context owns it from now on. */
  public static RenderContext of(Random random, Clock clock) {
    return new RenderContext(random, clock);
  }

  /** The clock date helpers read. */
  public Clock clock() {
    return clock;
  }

  /** The zone {@code date.now} and friends format in (the clock's zone). */
  public ZoneId zone() {
    return zone;
  }

  Random random() {
    return random;
  }

  Faker faker() {
    return faker;
  }

  /** Starts a render: returns the cleared shared buffer and forgets the previous "now". */
  StringBuilder beginRender() {
    nowRead = false;
    nowZoned = null;
    buffer.setLength(0);
    return buffer;
  }

  /** Epoch milliseconds of this render's "now", read from the clock once per render. */
  long nowMillis() {
    if (!nowRead) {
      nowMillis = clock.millis();
      nowRead = true;
    }
    return nowMillis;
  }

  /** This render's "now" in the clock's zone. */
  ZonedDateTime now() {
    if (nowZoned == null) {
      nowZoned = ZonedDateTime.ofInstant(Instant.ofEpochMilli(nowMillis()), zone);
    }
    return nowZoned;
  }

  /** A uniformly random long in {@code [min, max]} (inclusive). */
  long nextLong(long min, long max) {
    if (min == max) {
      return min;
    }
    if (max == Long.MAX_VALUE && min == Long.MIN_VALUE) {
      return random.nextLong();
    }
    return max == Long.MAX_VALUE
        ? random.nextLong(min - 1, max) + 1
        : random.nextLong(min, max + 1);
  }

  /** A uniformly random int in {@code [0, bound)}. */
  int nextInt(int bound) {
    return random.nextInt(bound);
  }
}
