package dev.basin.stream;

/**
 * Observes stream traffic, e.g. to publish metrics. Called on request threads; implementations must
 * be fast and thread-safe and must not throw.
 */
public interface StreamListener {

  /**
   * Records were durably stored in {@code stream}; {@code bytes} counts data plus partition keys.
   */
  default void recordsPut(String stream, int records, long bytes) {}

  /**
   * A GetRecords call on {@code stream} was served in {@code latencyNanos}; {@code
   * millisBehindLatest} is the answer's lag behind the newest record (the iterator age).
   */
  default void recordsRead(
      String stream, int records, long bytes, long millisBehindLatest, long latencyNanos) {}

  /** {@code stream} was deleted. */
  default void streamDeleted(String stream) {}

  StreamListener NONE = new StreamListener() {};
}
