package dev.basin.it;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.ChildShard;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.ListShardsResponse;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;

/** Reading whole shards and streams with the AWS SDK, the way a careful consumer does. */
public final class KinesisReads {
  /** Upper bound on GetRecords calls for one shard, so a misbehaving server cannot hang a test. */
  private static final int MAX_CALLS = 20_000;

  private KinesisReads() {}

  /** Everything one shard returned when read to its end. */
  public record ShardRead(
      String shardId,
      List<Record> records,
      boolean closed,
      List<ChildShard> childShards,
      long lastMillisBehindLatest) {}

  /**
   * Reads a shard from TRIM_HORIZON to its end: for a closed shard until NextShardIterator is null,
   * for an open shard until a call returns no records and MillisBehindLatest 0 (so writers must be
   * stopped).
   */
  public static ShardRead readShard(KinesisClient k, String stream, String shardId, int limit) {
    String it =
        k.getShardIterator(
                r ->
                    r.streamName(stream)
                        .shardId(shardId)
                        .shardIteratorType(ShardIteratorType.TRIM_HORIZON))
            .shardIterator();
    return readFrom(k, shardId, it, limit);
  }

  /** Reads from an iterator to the shard's end (see {@link #readShard}). */
  public static ShardRead readFrom(KinesisClient k, String shardId, String iterator, int limit) {
    List<Record> out = new ArrayList<>();
    String it = iterator;
    for (int call = 0; call < MAX_CALLS; call++) {
      String current = it;
      GetRecordsResponse r = k.getRecords(g -> g.shardIterator(current).limit(limit));
      out.addAll(r.records());
      if (r.nextShardIterator() == null) {
        return new ShardRead(shardId, out, true, r.childShards(), r.millisBehindLatest());
      }
      if (r.records().isEmpty() && r.millisBehindLatest() != null && r.millisBehindLatest() == 0) {
        return new ShardRead(shardId, out, false, List.of(), 0);
      }
      it = r.nextShardIterator();
    }
    throw new AssertionError(
        "shard " + shardId + " did not reach its end within " + MAX_CALLS + " GetRecords calls");
  }

  /** Every shard of a stream (all pages of ListShards). */
  public static List<Shard> listAllShards(KinesisClient k, String stream) {
    List<Shard> shards = new ArrayList<>();
    ListShardsResponse page = k.listShards(r -> r.streamName(stream));
    shards.addAll(page.shards());
    while (page.nextToken() != null) {
      String token = page.nextToken();
      page = k.listShards(r -> r.nextToken(token));
      shards.addAll(page.shards());
    }
    return shards;
  }

  /**
   * Reads every shard of a stream, parents before children (a shard is read only after each of its
   * parents was read to its end), and returns the reads in that order.
   */
  public static List<ShardRead> readStreamByLineage(KinesisClient k, String stream, int limit) {
    List<Shard> shards = listAllShards(k, stream);
    Map<String, Shard> byId = new LinkedHashMap<>();
    shards.forEach(s -> byId.put(s.shardId(), s));
    Set<String> done = new HashSet<>();
    List<ShardRead> reads = new ArrayList<>();
    while (done.size() < byId.size()) {
      boolean progress = false;
      for (Shard s : byId.values()) {
        if (done.contains(s.shardId())) {
          continue;
        }
        if (parentsDone(s, byId, done)) {
          reads.add(readShard(k, stream, s.shardId(), limit));
          done.add(s.shardId());
          progress = true;
        }
      }
      if (!progress) {
        throw new AssertionError("shard lineage has a cycle or a missing parent: " + shards);
      }
    }
    return reads;
  }

  private static boolean parentsDone(Shard s, Map<String, Shard> byId, Set<String> done) {
    for (String p : new String[] {s.parentShardId(), s.adjacentParentShardId()}) {
      if (p != null && byId.containsKey(p) && !done.contains(p)) {
        return false;
      }
    }
    return true;
  }

  /** The Kinesis hash key of a partition key: MD5 as an unsigned 128-bit integer. */
  public static BigInteger hashKey(String partitionKey) {
    try {
      return new BigInteger(
          1,
          MessageDigest.getInstance("MD5").digest(partitionKey.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Whether a shard's hash key range contains {@code hash}. */
  public static boolean owns(Shard s, BigInteger hash) {
    return new BigInteger(s.hashKeyRange().startingHashKey()).compareTo(hash) <= 0
        && new BigInteger(s.hashKeyRange().endingHashKey()).compareTo(hash) >= 0;
  }
}
