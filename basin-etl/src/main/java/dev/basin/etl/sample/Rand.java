package dev.basin.etl.sample;

import java.util.List;
import java.util.Random;

/**
 * Deterministic randomness: every row gets its own {@link Random}, seeded from the dataset seed, a
 * per-entity salt and the row's index, so any row can be recomputed on its own (foreign keys need
 * no lookup tables) and the output depends only on the seed and the row count.
 */
final class Rand {
  private static final String BASE62 =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

  private Rand() {}

  /** SplitMix64's finalizer: a bijection on longs that spreads neighbouring inputs. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  private static long key(long seed, long salt) {
    return mix(seed * 0x9E3779B97F4A7C15L + salt);
  }

  static Random of(long seed, long salt, long index) {
    return new Random(mix(key(seed, salt) + index));
  }

  /**
   * A Spotify-style 22-character base-62 id. Distinct indexes give distinct ids: the first 11
   * characters encode a bijection of the index.
   */
  static String id(long seed, long salt, long index) {
    long a = mix(key(seed, salt) + index);
    long b = mix(a ^ 0x5DEECE66DL);
    char[] c = new char[22];
    base62(a, c, 0);
    base62(b, c, 11);
    return new String(c);
  }

  private static void base62(long v, char[] out, int at) {
    // 62^11 > 2^64, so 11 digits hold any unsigned long
    for (int i = at + 10; i >= at; i--) {
      out[i] = BASE62.charAt((int) Long.remainderUnsigned(v, 62));
      v = Long.divideUnsigned(v, 62);
    }
  }

  static <T> T pick(Random r, List<T> from) {
    return from.get(r.nextInt(from.size()));
  }

  static int between(Random r, int min, int maxInclusive) {
    return min + r.nextInt(maxInclusive - min + 1);
  }

  /** {@code v} with exactly {@code decimals} decimal places, independent of the locale. */
  static String fixed(double v, int decimals) {
    long scale = 1;
    for (int i = 0; i < decimals; i++) {
      scale *= 10;
    }
    long n = Math.round(v * scale);
    StringBuilder sb = new StringBuilder(24);
    if (n < 0) {
      sb.append('-');
      n = -n;
    }
    sb.append(n / scale);
    if (decimals > 0) {
      String frac = Long.toString(n % scale);
      sb.append('.');
      for (int i = frac.length(); i < decimals; i++) {
        sb.append('0');
      }
      sb.append(frac);
    }
    return sb.toString();
  }

  static double clamp(double v, double min, double max) {
    return Math.max(min, Math.min(max, v));
  }
}
