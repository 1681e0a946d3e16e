package dev.basin.delivery;

/**
 * When a delivery stream flushes its buffer to the destination, as Firehose's {@code
 * BufferingHints}: when {@code sizeBytes} of records (before compression) have arrived or {@code
 * intervalSeconds} have passed since the oldest buffered record, whichever comes first; {@code
 * lowLatency} (Iceberg destinations only) commits once the oldest buffered record is {@link
 * #LOW_LATENCY_MILLIS} old, so that with a commit's own ~0.1–0.3 s a record is visible within about
 * a second (one to two commits per second under steady load).
 *
 * @param sizeMiB 1–128, default 5
 * @param intervalSeconds 0–900, default 300; 0 flushes as soon as records arrive
 * @param lowLatency commit within about a second of arrival (Iceberg destinations)
 */
public record BufferingHints(int sizeMiB, int intervalSeconds, boolean lowLatency) {
  public static final int DEFAULT_SIZE_MIB = 5;
  public static final int DEFAULT_INTERVAL_SECONDS = 300;

  /** The age of the oldest buffered record at which low-latency mode commits. */
  public static final long LOW_LATENCY_MILLIS = 500;

  /**
   * @throws IllegalArgumentException with Firehose's ranges when a value is outside them
   */
  public BufferingHints {
    if (sizeMiB < 1 || sizeMiB > 128) {
      throw new IllegalArgumentException(
          "BufferingHints.SizeInMBs must be between 1 and 128, was " + sizeMiB);
    }
    if (intervalSeconds < 0 || intervalSeconds > 900) {
      throw new IllegalArgumentException(
          "BufferingHints.IntervalInSeconds must be between 0 and 900, was " + intervalSeconds);
    }
  }

  /** Firehose's defaults: 5 MiB or 300 s. */
  public static BufferingHints defaults() {
    return new BufferingHints(DEFAULT_SIZE_MIB, DEFAULT_INTERVAL_SECONDS, false);
  }

  /**
   * The hints from a request where either value may be absent; as in Firehose, giving one without
   * the other is an error.
   */
  public static BufferingHints of(Integer sizeMiB, Integer intervalSeconds) {
    if (sizeMiB == null && intervalSeconds == null) {
      return defaults();
    }
    if (sizeMiB == null || intervalSeconds == null) {
      throw new IllegalArgumentException(
          "set both BufferingHints.SizeInMBs and BufferingHints.IntervalInSeconds, or neither");
    }
    return new BufferingHints(sizeMiB, intervalSeconds, false);
  }

  public long sizeBytes() {
    return (long) sizeMiB << 20;
  }

  /**
   * Whether a buffer of {@code bytes}, whose oldest record arrived {@code ageMillis} ago, is due.
   */
  public boolean due(long bytes, long ageMillis) {
    if (bytes <= 0) {
      return false;
    }
    long limitMillis =
        lowLatency
            ? Math.min(LOW_LATENCY_MILLIS, intervalSeconds * 1000L)
            : intervalSeconds * 1000L;
    return bytes >= sizeBytes() || ageMillis >= limitMillis;
  }
}
