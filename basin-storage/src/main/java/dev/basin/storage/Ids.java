package dev.basin.storage;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicLong;

/** Identifiers for versions, uploads and data files. */
final class Ids {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final AtomicLong LAST = new AtomicLong();

  private Ids() {}

  /**
   * A unique id that sorts (as a string) in creation order within this process: 16 hex digits of
   * milliseconds shifted left by 20 bits plus a counter, then 8 random hex digits that keep ids of
   * different processes apart.
   */
  static String timeOrdered(long epochMillis) {
    long candidate = epochMillis << 20;
    long value = LAST.accumulateAndGet(candidate, (prev, c) -> Math.max(prev + 1, c));
    byte[] random = new byte[4];
    RANDOM.nextBytes(random);
    return String.format("%016x", value) + HexFormat.of().formatHex(random);
  }

  /** 32 random hex digits. */
  static String random() {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }
}
