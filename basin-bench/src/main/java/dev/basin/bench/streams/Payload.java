package dev.basin.bench.streams;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Record payloads that carry their own send time, so that a consumer in the same process can
 * measure put-to-get latency with {@link System#nanoTime()}.
 *
 * <p>Layout: bytes 0-7 the send time in nanos (big-endian), 8-15 a sequence number, then random
 * filler (not compressible; neither side compresses anyway).
 */
final class Payload {
  static final int HEADER_BYTES = 16;

  private final byte[] filler;

  Payload(int size) {
    filler = new byte[size];
    ThreadLocalRandom.current().nextBytes(filler);
  }

  byte[] make(long sendNanos, long sequence) {
    byte[] b = filler.clone();
    putLong(b, 0, sendNanos);
    putLong(b, 8, sequence);
    return b;
  }

  static long sendNanos(byte[] payload) {
    return getLong(payload, 0);
  }

  private static void putLong(byte[] b, int off, long v) {
    for (int i = 7; i >= 0; i--) {
      b[off + i] = (byte) v;
      v >>>= 8;
    }
  }

  private static long getLong(byte[] b, int off) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (b[off + i] & 0xff);
    }
    return v;
  }
}
