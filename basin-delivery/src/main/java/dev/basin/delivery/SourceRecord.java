package dev.basin.delivery;

import dev.basin.stream.StreamRecord;
import java.util.Map;

/**
 * A record read from one shard of the source stream, possibly as transformed by the delivery's
 * processing.
 *
 * @param partitionKeys the transforms' {@code partitionKeyFromLambda} values; empty when none
 */
record SourceRecord(String shardId, StreamRecord record, Map<String, String> partitionKeys) {
  SourceRecord {
    partitionKeys = partitionKeys == null ? Map.of() : partitionKeys;
  }

  SourceRecord(String shardId, StreamRecord record) {
    this(shardId, record, Map.of());
  }

  long size() {
    return record.data().length;
  }
}
