package dev.basin.stream;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntToLongFunction;

/**
 * A resharding in progress: splits and merges applied to a working copy of a stream's shards. Every
 * operation closes its parents at their current end offset and creates children linked to them, so
 * a reader that finishes parents before children reads each hash key's records in order.
 */
final class Reshard {
  private final Map<Integer, ShardDescriptor> shards = new LinkedHashMap<>();
  private final long now;
  private final IntToLongFunction endOffsetOf;
  private final java.util.Set<Integer> created = new java.util.HashSet<>();
  private int nextIndex;

  Reshard(StreamMetadata meta, long now, IntToLongFunction endOffsetOf) {
    for (ShardDescriptor s : meta.shards()) {
      shards.put(s.index(), s);
    }
    this.now = now;
    this.endOffsetOf = endOffsetOf;
    this.nextIndex = meta.nextShardIndex();
  }

  ShardDescriptor find(int index) {
    return shards.get(index);
  }

  int openCount() {
    return (int) shards.values().stream().filter(ShardDescriptor::open).count();
  }

  List<ShardDescriptor> shards() {
    return new ArrayList<>(shards.values());
  }

  int nextIndex() {
    return nextIndex;
  }

  /** Splits {@code parent} so the second child starts at {@code key}; returns the two children. */
  ShardDescriptor[] split(ShardDescriptor parent, BigInteger key) {
    close(parent);
    ShardDescriptor low =
        add(
            new HashKeyRange(parent.startHashKey(), key.subtract(BigInteger.ONE)),
            parent.index(),
            -1);
    ShardDescriptor high = add(new HashKeyRange(key, parent.endHashKey()), parent.index(), -1);
    return new ShardDescriptor[] {low, high};
  }

  /**
   * Merges two adjacent open shards; {@code a} becomes the parent, {@code b} the adjacent parent.
   */
  ShardDescriptor merge(ShardDescriptor a, ShardDescriptor b) {
    close(a);
    close(b);
    BigInteger start = a.startHashKey().min(b.startHashKey());
    BigInteger end = a.endHashKey().max(b.endHashKey());
    return add(new HashKeyRange(start, end), a.index(), b.index());
  }

  /**
   * Reshapes the open shards into {@code target} uniform ranges: first splits every open shard at
   * each target boundary inside it, then merges neighbours that fall into one target range,
   * pairwise.
   */
  void rescale(int target) {
    List<BigInteger> bounds = new ArrayList<>();
    for (int i = 1; i < target; i++) {
      bounds.add(HashKeyRange.boundary(i, target));
    }
    for (ShardDescriptor s : sortedOpen()) {
      ShardDescriptor current = s;
      for (BigInteger b : bounds) {
        if (b.compareTo(current.startHashKey()) > 0 && b.compareTo(current.endHashKey()) <= 0) {
          current = split(current, b)[1];
        }
      }
    }
    List<HashKeyRange> ranges = HashKeyRange.uniform(target);
    for (HashKeyRange range : ranges) {
      List<ShardDescriptor> inside = new ArrayList<>();
      for (ShardDescriptor s : sortedOpen()) {
        if (range.contains(s.startHashKey())) {
          inside.add(s);
        }
      }
      while (inside.size() > 1) {
        ShardDescriptor merged = merge(inside.get(0), inside.get(1));
        inside.remove(0);
        inside.set(0, merged);
      }
    }
  }

  private List<ShardDescriptor> sortedOpen() {
    List<ShardDescriptor> open = new ArrayList<>();
    for (ShardDescriptor s : shards.values()) {
      if (s.open()) {
        open.add(s);
      }
    }
    open.sort((x, y) -> x.startHashKey().compareTo(y.startHashKey()));
    return open;
  }

  private void close(ShardDescriptor s) {
    long end = created.contains(s.index()) ? 0 : endOffsetOf.applyAsLong(s.index());
    shards.put(s.index(), s.close(now, end));
  }

  private ShardDescriptor add(HashKeyRange range, int parent, int adjacentParent) {
    ShardDescriptor child = ShardDescriptor.create(nextIndex++, range, parent, adjacentParent, now);
    shards.put(child.index(), child);
    created.add(child.index());
    return child;
  }
}
