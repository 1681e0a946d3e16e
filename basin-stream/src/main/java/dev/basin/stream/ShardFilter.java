package dev.basin.stream;

/**
 * Which shards ListShards returns, as in Kinesis's {@code ShardFilter}.
 *
 * @param shardId used by {@link Type#AFTER_SHARD_ID}
 * @param timestampMillis used by {@link Type#AT_TIMESTAMP} and {@link Type#FROM_TIMESTAMP}
 */
public record ShardFilter(Type type, String shardId, Long timestampMillis) {

  /** The filter types Kinesis defines. */
  public enum Type {
    AFTER_SHARD_ID,
    AT_TRIM_HORIZON,
    FROM_TRIM_HORIZON,
    AT_LATEST,
    AT_TIMESTAMP,
    FROM_TIMESTAMP
  }
}
