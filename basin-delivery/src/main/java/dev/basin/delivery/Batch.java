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

  private final List<SourceRecord> read;
  private final List<FailedRecord> processingFailures;
  private final long dropped;

  Batch(List<SourceRecord> records) {
    this(records, records, List.of(), 0);
  }

  /**
   * A batch after record processing.
   *
   * @param read the records as read; they alone decide the ranges and the id
   * @param records what processing made of them, to deliver
   * @param processingFailures records that failed processing, bound for the error output
   * @param dropped records that processing dropped on purpose
   */
  Batch(
      List<SourceRecord> read,
      List<SourceRecord> records,
      List<FailedRecord> processingFailures,
      long dropped) {
    this.read = List.copyOf(read);
    this.records = List.copyOf(records);
    this.processingFailures = List.copyOf(processingFailures);
    this.dropped = dropped;
    Map<String, Range> r = new TreeMap<>();
    for (SourceRecord s : read) {
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

  /** The records to deliver (after processing). */
  List<SourceRecord> records() {
    return records;
  }

  /** How many records were read from the source. */
  int readCount() {
    return read.size();
  }

  /** Records that failed processing; the sink writes them to the error output with its own. */
  List<FailedRecord> processingFailures() {
    return processingFailures;
  }

  /** Records that processing dropped on purpose. */
  long dropped() {
    return dropped;
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
    for (SourceRecord r : read) {
      min = Math.min(min, r.record().arrivalMillis());
    }
    return min == Long.MAX_VALUE ? 0 : min;
  }

  /** Compares Basin sequence numbers (decimal, at most 39 digits). */
  static int compareSequence(String a, String b) {
    return new BigInteger(a).compareTo(new BigInteger(b));
  }
}
