package dev.basin.delivery;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Records flushed together, in read order (a parent shard's records before its children's), with
 * the range of sequence numbers taken from each shard. Its {@link #id()} depends only on those
 * ranges, so the same batch re-read after a crash gets the same id and the same output names.
 */
final class Batch {
  private final List<SourceRecord> records;
  private final Map<String, Range> ranges;
  private final String id;

  /** The first and last sequence number a batch took from one shard. */
  record Range(String first, String last) {}

  Batch(List<SourceRecord> records) {
    this.records = List.copyOf(records);
    Map<String, Range> r = new TreeMap<>();
    for (SourceRecord s : records) {
      String seq = s.record().sequenceNumber();
      r.merge(s.shardId(), new Range(seq, seq), (a, b) -> new Range(a.first(), b.last()));
    }
    this.ranges = java.util.Collections.unmodifiableMap(r);
    StringBuilder sb = new StringBuilder();
    ranges.forEach(
        (k, v) ->
            sb.append(k).append(':').append(v.first()).append('-').append(v.last()).append(';'));
    try {
      byte[] h =
          MessageDigest.getInstance("SHA-256")
              .digest(sb.toString().getBytes(StandardCharsets.UTF_8));
      this.id = HexFormat.of().formatHex(h, 0, 10);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  List<SourceRecord> records() {
    return records;
  }

  /** Per shard (sorted by shard id), the sequence numbers taken. */
  Map<String, Range> ranges() {
    return ranges;
  }

  /** 20 hex characters identifying the batch by its ranges. */
  String id() {
    return id;
  }

  /** Records grouped by shard, each in sequence order. */
  Map<String, List<SourceRecord>> byShard() {
    Map<String, List<SourceRecord>> out = new LinkedHashMap<>();
    for (SourceRecord r : records) {
      out.computeIfAbsent(r.shardId(), k -> new ArrayList<>()).add(r);
    }
    return out;
  }

  long oldestArrival() {
    long min = Long.MAX_VALUE;
    for (SourceRecord r : records) {
      min = Math.min(min, r.record().arrivalMillis());
    }
    return min == Long.MAX_VALUE ? 0 : min;
  }

  /** Compares Basin sequence numbers (decimal, at most 39 digits). */
  static int compareSequence(String a, String b) {
    return new BigInteger(a).compareTo(new BigInteger(b));
  }
}
