package dev.basin.stream;

import java.util.List;

/**
 * The answer to GetRecords.
 *
 * @param nextShardIterator iterator for the next call, or null when the shard is closed and fully
 *     read; then {@code childShards} names where to continue
 * @param millisBehindLatest how far the response is behind the newest record of the shard; 0 when
 *     caught up
 */
public record GetRecordsResult(
    List<StreamRecord> records,
    String nextShardIterator,
    long millisBehindLatest,
    List<ChildShard> childShards) {}
