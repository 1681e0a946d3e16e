package dev.basin.spi.stream;

/**
 * Outcome of a durable append: the records were given consecutive offsets starting at {@code
 * firstOffset}, all with arrival time {@code timestamp}.
 */
public record AppendResult(long firstOffset, int count, long timestamp) {

  /** Offset of the last appended record. */
  public long lastOffset() {
    return firstOffset + count - 1;
  }
}
