package dev.basin.stream;

import java.time.Duration;

/**
 * Settings of the stream service.
 *
 * @param defaultRetentionHours retention of new streams (Kinesis: 24)
 * @param maxShardsPerStream the most open shards one stream may have
 * @param maxOpenShards the most open shards across all streams
 * @param onDemandShards shard count of a stream created in on-demand mode
 * @param maxRecordBytes largest record (data plus partition key)
 * @param maxPutRecordsBytes largest PutRecords request (data plus partition keys)
 * @param iteratorTtl how long a shard iterator stays valid after it is issued
 * @param throttling per-shard limits, or null when throttling is off
 */
public record StreamsConfig(
    int defaultRetentionHours,
    int maxShardsPerStream,
    int maxOpenShards,
    int onDemandShards,
    int maxRecordBytes,
    int maxPutRecordsBytes,
    Duration iteratorTtl,
    ShardLimits throttling) {

  public static final int MIN_RETENTION_HOURS = 24;
  public static final int MAX_RETENTION_HOURS = 8760;

  public StreamsConfig {
    if (defaultRetentionHours < MIN_RETENTION_HOURS
        || defaultRetentionHours > MAX_RETENTION_HOURS) {
      throw new IllegalArgumentException(
          "default retention must be 24..8760 hours, was " + defaultRetentionHours);
    }
    if (maxShardsPerStream < 1 || maxOpenShards < 1 || onDemandShards < 1) {
      throw new IllegalArgumentException("shard limits must be positive");
    }
  }

  /** Kinesis's defaults, throttling off. */
  public static StreamsConfig defaults() {
    return new StreamsConfig(
        24, 10_000, 20_000, 4, 1024 * 1024, 5 * 1024 * 1024, Duration.ofMinutes(5), null);
  }

  public StreamsConfig withThrottling(ShardLimits limits) {
    return new StreamsConfig(
        defaultRetentionHours,
        maxShardsPerStream,
        maxOpenShards,
        onDemandShards,
        maxRecordBytes,
        maxPutRecordsBytes,
        iteratorTtl,
        limits);
  }

  /**
   * Per-shard throughput limits, enforced over one-second windows with a one-second burst.
   *
   * @param writeBytesPerSecond Kinesis: 1 MB/s
   * @param writeRecordsPerSecond Kinesis: 1,000 records/s
   * @param readBytesPerSecond Kinesis: 2 MB/s
   * @param readCallsPerSecond Kinesis: 5 GetRecords calls/s
   */
  public record ShardLimits(
      long writeBytesPerSecond,
      long writeRecordsPerSecond,
      long readBytesPerSecond,
      long readCallsPerSecond) {

    public static ShardLimits kinesis() {
      return new ShardLimits(1_000_000, 1_000, 2_000_000, 5);
    }
  }
}
