package dev.basin.stream;

/**
 * A token bucket refilled continuously at {@code ratePerSecond} up to a capacity of one second's
 * worth. Thread-safe.
 */
final class TokenBucket {
  private final double ratePerNano;
  private final double capacity;
  private double tokens;
  private long lastNanos;

  TokenBucket(long ratePerSecond, long nowNanos) {
    this.ratePerNano = ratePerSecond / 1e9;
    this.capacity = ratePerSecond;
    this.tokens = ratePerSecond;
    this.lastNanos = nowNanos;
  }

  /** Takes {@code n} tokens if available; otherwise takes nothing and returns false. */
  synchronized boolean tryTake(long n, long nowNanos) {
    refill(nowNanos);
    if (tokens >= n) {
      tokens -= n;
      return true;
    }
    return false;
  }

  /**
   * Takes {@code n} tokens even if that drives the balance negative (for reads sized after the
   * fact).
   */
  synchronized void take(long n, long nowNanos) {
    refill(nowNanos);
    tokens -= n;
  }

  /** True if at least one token is available. */
  synchronized boolean available(long nowNanos) {
    refill(nowNanos);
    return tokens >= 1;
  }

  private void refill(long nowNanos) {
    long elapsed = nowNanos - lastNanos;
    if (elapsed > 0) {
      tokens = Math.min(capacity, tokens + elapsed * ratePerNano);
      lastNanos = nowNanos;
    }
  }
}
