package dev.basin.stream;

import java.util.List;

/** A shard created from a closed shard, reported when a reader reaches the closed shard's end. */
public record ChildShard(String shardId, List<String> parentShards, HashKeyRange range) {}
