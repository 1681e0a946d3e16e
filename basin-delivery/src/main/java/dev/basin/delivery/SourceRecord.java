package dev.basin.delivery;

import dev.basin.stream.StreamRecord;

/** A record read from one shard of the source stream. */
record SourceRecord(String shardId, StreamRecord record) {
  long size() {
    return record.data().length;
  }
}
