package dev.basin.stream;

/** Where a shard iterator starts, as in Kinesis GetShardIterator. */
public enum IteratorType {
  AT_SEQUENCE_NUMBER,
  AFTER_SEQUENCE_NUMBER,
  AT_TIMESTAMP,
  TRIM_HORIZON,
  LATEST
}
