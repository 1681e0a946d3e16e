package dev.basin.spi.stream;

/**
 * A record read back from a {@link ShardLog}.
 *
 * @param offset the record's position in its shard, strictly increasing, starting at 0
 * @param timestamp the arrival time in epoch milliseconds, assigned by the log on append and
 *     non-decreasing along the shard
 * @param key the partition key given at append
 * @param data the payload given at append
 */
public record StoredRecord(long offset, long timestamp, String key, byte[] data) {

  /** Size counted against read limits: key bytes plus data bytes, as Kinesis counts them. */
  public int size() {
    return key.length() + data.length;
  }
}
