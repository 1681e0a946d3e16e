package dev.basin.spi.stream;

import java.util.Objects;

/**
 * A record handed to a {@link ShardLog} for appending: an opaque key (the partition key) and the
 * payload bytes. The log does not interpret either.
 *
 * @param key the partition key, never null (may be empty)
 * @param data the payload; the log does not copy it, so callers must not mutate it after append
 */
public record LogRecord(String key, byte[] data) {
  public LogRecord {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(data, "data");
  }
}
