package dev.basin.stream;

import java.math.BigInteger;

/**
 * One shard of a stream as persisted in the stream's metadata. A shard is open until a reshard
 * closes it; a closed shard keeps its records (until retention removes them) and names its children
 * through their parent links.
 *
 * @param index the shard's number within the stream, never reused; the id is derived from it
 * @param parentIndex index of the parent shard, or -1
 * @param adjacentParentIndex index of the second parent of a merge, or -1
 * @param createdAt creation time, epoch millis
 * @param closedAt time the shard was closed, epoch millis, or -1 while open
 * @param endOffset for a closed shard, the offset after its last record; -1 while open
 */
public record ShardDescriptor(
    int index,
    BigInteger startHashKey,
    BigInteger endHashKey,
    int parentIndex,
    int adjacentParentIndex,
    long createdAt,
    long closedAt,
    long endOffset) {

  /** The Kinesis shard id, e.g. {@code shardId-000000000003}. */
  public String shardId() {
    return shardId(index);
  }

  public static String shardId(int index) {
    String digits = Integer.toString(index);
    return "shardId-" + "0".repeat(Math.max(0, 12 - digits.length())) + digits;
  }

  /** Parses a Kinesis shard id; returns -1 if the text is not one. */
  public static int indexOf(String shardId) {
    if (shardId == null || !shardId.matches("shardId-\\d{12}")) {
      return -1;
    }
    long v = Long.parseLong(shardId.substring(8));
    return v > Integer.MAX_VALUE ? -1 : (int) v;
  }

  public HashKeyRange range() {
    return new HashKeyRange(startHashKey, endHashKey);
  }

  public boolean open() {
    return closedAt < 0;
  }

  ShardDescriptor close(long when, long finalEndOffset) {
    return new ShardDescriptor(
        index,
        startHashKey,
        endHashKey,
        parentIndex,
        adjacentParentIndex,
        createdAt,
        when,
        finalEndOffset);
  }

  static ShardDescriptor create(
      int index, HashKeyRange range, int parent, int adjacentParent, long createdAt) {
    return new ShardDescriptor(
        index, range.start(), range.end(), parent, adjacentParent, createdAt, -1, -1);
  }
}
