package dev.basin.stream;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The persisted description of a stream. Immutable: every change produces a new instance, which the
 * service writes durably before it answers.
 *
 * @param createdAt creation time in epoch millis; also the stream's incarnation, so iterators of a
 *     deleted stream never work on a new stream of the same name
 * @param shards every shard the stream has had that is still retained, ordered by index
 */
public record StreamMetadata(
    String name,
    long createdAt,
    StreamMode mode,
    int retentionHours,
    Map<String, String> tags,
    List<ShardDescriptor> shards,
    int nextShardIndex) {

  public StreamMetadata {
    tags = new TreeMap<>(tags);
    shards = List.copyOf(shards);
  }

  public List<ShardDescriptor> openShards() {
    return shards.stream().filter(ShardDescriptor::open).toList();
  }

  public Optional<ShardDescriptor> shard(int index) {
    for (ShardDescriptor s : shards) {
      if (s.index() == index) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }

  StreamMetadata withShards(List<ShardDescriptor> newShards, int next) {
    List<ShardDescriptor> sorted = new ArrayList<>(newShards);
    sorted.sort((a, b) -> Integer.compare(a.index(), b.index()));
    return new StreamMetadata(name, createdAt, mode, retentionHours, tags, sorted, next);
  }

  StreamMetadata withRetention(int hours) {
    return new StreamMetadata(name, createdAt, mode, hours, tags, shards, nextShardIndex);
  }

  StreamMetadata withTags(Map<String, String> newTags) {
    return new StreamMetadata(
        name, createdAt, mode, retentionHours, newTags, shards, nextShardIndex);
  }

  StreamMetadata withMode(StreamMode newMode) {
    return new StreamMetadata(
        name, createdAt, newMode, retentionHours, tags, shards, nextShardIndex);
  }
}
