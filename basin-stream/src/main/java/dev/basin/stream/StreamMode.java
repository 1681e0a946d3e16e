package dev.basin.stream;

/** Capacity mode of a stream, as in Kinesis. */
public enum StreamMode {
  /** The user chooses the shard count and reshards explicitly. */
  PROVISIONED,
  /** The stream starts with a default number of shards. */
  ON_DEMAND
}
