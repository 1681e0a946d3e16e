package dev.basin.delivery.partition;

/**
 * A record has no usable value for a partition key. The delivery writes such records to the error
 * output (as Firehose's {@code partitionKeyFromQuery} failures) and carries on.
 */
public final class PartitionKeyException extends RuntimeException {
  public PartitionKeyException(String message) {
    super(message);
  }
}
