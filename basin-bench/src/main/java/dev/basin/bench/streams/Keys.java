package dev.basin.bench.streams;

/** Partition keys shared by both drivers: 4096 distinct short strings, so every shard gets load. */
final class Keys {
  private static final String[] KEYS = new String[4096];

  static {
    for (int i = 0; i < KEYS.length; i++) {
      KEYS[i] = "k" + i;
    }
  }

  private Keys() {}

  static String of(long sequence) {
    return KEYS[(int) (sequence & (KEYS.length - 1))];
  }
}
