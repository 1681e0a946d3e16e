package dev.basin.stream;

import dev.basin.common.error.BasinException;
import dev.basin.common.io.DurableFiles;
import dev.basin.common.json.Json;
import dev.basin.spi.stream.AppendResult;
import dev.basin.spi.stream.LogRecord;
import dev.basin.spi.stream.ReadResult;
import dev.basin.spi.stream.ShardLog;
import dev.basin.spi.stream.StoredRecord;
import dev.basin.spi.stream.StreamLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kinesis Data Streams semantics over a {@link StreamLog}: streams of hash-key-ranged shards, puts
 * routed by MD5 of the partition key, sequence numbers, shard iterators, resharding with parent
 * lineage, retention, tags and optional per-shard throughput limits.
 *
 * <p>Durability: a put returns only after its records are acknowledged by the shard log (fsynced by
 * default); a control-plane change (create, reshard, retention, tags) returns only after the
 * stream's metadata file has been replaced atomically and fsynced.
 *
 * <p>Thread-safe. Puts and reads on one stream run concurrently; control-plane changes to a stream
 * wait for in-flight puts on it and block new ones while they run, so a shard closed by a reshard
 * never receives a record after its ending sequence number is fixed.
 */
public final class StreamService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StreamService.class);
  private static final Pattern STREAM_NAME = Pattern.compile("[a-zA-Z0-9_.-]+");
  private static final Pattern HASH_KEY = Pattern.compile("0|[1-9]\\d{0,38}");
  private static final String METADATA_FILE = "stream.json";
  private static final int MAX_READ_BYTES = 10 * 1024 * 1024;
  private static final int MAX_TAGS = 50;

  private final StreamLog log;
  private final Path metadataRoot;
  private final ShardIterators iterators;
  private final StreamsConfig config;
  private final Clock clock;
  private final StreamListener listener;
  private final String account;
  private final ConcurrentHashMap<String, StreamState> streams = new ConcurrentHashMap<>();
  private final Object createLock = new Object();

  /**
   * Opens the service, loading every stream whose metadata is stored under {@code metadataRoot}.
   * Leftovers of a deletion interrupted by a crash are removed.
   *
   * @param metadataRoot directory holding {@code <stream>/stream.json}
   * @param iteratorKey secret key authenticating shard iterators (at least 16 bytes); keep it
   *     stable across restarts so iterators issued before a restart stay valid
   * @param account account id used in Kinesis-style messages
   */
  public StreamService(
      StreamLog log,
      Path metadataRoot,
      byte[] iteratorKey,
      StreamsConfig config,
      Clock clock,
      StreamListener listener,
      String account) {
    this.log = log;
    this.metadataRoot = metadataRoot;
    this.iterators = new ShardIterators(iteratorKey);
    this.config = config;
    this.clock = clock;
    this.listener = listener;
    this.account = account;
    load();
  }

  private void load() {
    try {
      DurableFiles.createDirectories(metadataRoot);
      try (var dirs = Files.list(metadataRoot)) {
        for (Path dir : dirs.filter(Files::isDirectory).toList()) {
          Path file = dir.resolve(METADATA_FILE);
          String name = dir.getFileName().toString();
          if (Files.isRegularFile(file)) {
            StreamMetadata meta =
                Json.mapper().readValue(Files.readAllBytes(file), StreamMetadata.class);
            streams.put(meta.name(), new StreamState(meta));
          } else if (STREAM_NAME.matcher(name).matches()) {
            LOG.atInfo()
                .addKeyValue("stream", name)
                .log("removing data of a stream whose deletion was interrupted");
            log.delete(name);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot load stream metadata from " + metadataRoot, e);
    }
  }

  // ---------------------------------------------------------------- control plane

  /**
   * Creates a stream. In {@link StreamMode#PROVISIONED} mode {@code shardCount} is required; in
   * {@link StreamMode#ON_DEMAND} mode it must be null and the stream gets the configured default.
   *
   * @throws BasinException STREAM_EXISTS, VALIDATION, INVALID_ARGUMENT or LIMIT_EXCEEDED
   */
  public StreamMetadata createStream(
      String name, Integer shardCount, StreamMode mode, Map<String, String> tags) {
    validateStreamName(name);
    StreamMode m = mode == null ? StreamMode.PROVISIONED : mode;
    int shards;
    if (m == StreamMode.ON_DEMAND) {
      if (shardCount != null) {
        throw new BasinException(
            StreamErrorCode.INVALID_ARGUMENT,
            "ShardCount must not be given for a stream in ON_DEMAND mode; omit it or use"
                + " PROVISIONED mode");
      }
      shards = config.onDemandShards();
    } else {
      if (shardCount == null) {
        throw new BasinException(
            StreamErrorCode.INVALID_ARGUMENT,
            "ShardCount is required for a stream in PROVISIONED mode (or create it in ON_DEMAND"
                + " mode)");
      }
      shards = shardCount;
    }
    if (shards < 1) {
      throw new BasinException(
          StreamErrorCode.VALIDATION,
          "1 validation error detected: Value '"
              + shards
              + "' at 'shardCount' failed to satisfy constraint: Member must have value greater"
              + " than or equal to 1");
    }
    Map<String, String> initialTags = tags == null ? Map.of() : tags;
    validateTags(initialTags);
    synchronized (createLock) {
      if (streams.containsKey(name)) {
        throw new BasinException(
            StreamErrorCode.STREAM_EXISTS,
            "Stream " + name + " under account " + account + " already exists.");
      }
      checkShardLimit(name, shards, 0);
      long now = clock.millis();
      List<ShardDescriptor> descriptors = new ArrayList<>();
      List<HashKeyRange> ranges = HashKeyRange.uniform(shards);
      for (int i = 0; i < shards; i++) {
        descriptors.add(ShardDescriptor.create(i, ranges.get(i), -1, -1, now));
      }
      StreamMetadata meta =
          new StreamMetadata(
              name, now, m, config.defaultRetentionHours(), initialTags, descriptors, shards);
      persist(meta);
      streams.put(name, new StreamState(meta));
      LOG.atInfo()
          .addKeyValue("stream", name)
          .addKeyValue("shards", shards)
          .addKeyValue("mode", m)
          .log("stream created");
      return meta;
    }
  }

  /**
   * Deletes a stream and all its records. Waits for in-flight puts on it to finish.
   *
   * @throws BasinException STREAM_NOT_FOUND
   */
  public void deleteStream(String name) {
    StreamState state = state(name);
    state.lock.writeLock().lock();
    try {
      if (state.deleted) {
        throw notFound(name);
      }
      state.deleted = true;
      streams.remove(name, state);
      try {
        Files.deleteIfExists(metadataRoot.resolve(name).resolve(METADATA_FILE));
        DurableFiles.fsyncDirectory(metadataRoot.resolve(name));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot delete metadata of stream " + name, e);
      }
      state.logs.clear();
      log.delete(name);
    } finally {
      state.lock.writeLock().unlock();
    }
    listener.streamDeleted(name);
    LOG.atInfo().addKeyValue("stream", name).log("stream deleted");
  }

  /** Names of all streams, sorted. */
  public List<String> listStreams() {
    List<String> names = new ArrayList<>(streams.keySet());
    Collections.sort(names);
    return names;
  }

  /**
   * The stream's current metadata.
   *
   * @throws BasinException STREAM_NOT_FOUND
   */
  public StreamMetadata describe(String name) {
    return state(name).meta;
  }

  /**
   * Shards matching {@code filter} (all retained shards when null), ordered by shard id.
   *
   * @throws BasinException STREAM_NOT_FOUND, INVALID_ARGUMENT for an incomplete filter
   */
  public List<ShardDescriptor> listShards(String name, ShardFilter filter) {
    StreamMetadata meta = state(name).meta;
    if (filter == null) {
      return meta.shards();
    }
    long now = clock.millis();
    long trimHorizon = Math.max(meta.createdAt(), now - meta.retentionHours() * 3_600_000L);
    List<ShardDescriptor> out = new ArrayList<>();
    for (ShardDescriptor s : meta.shards()) {
      boolean keep;
      switch (filter.type()) {
        case AFTER_SHARD_ID:
          if (filter.shardId() == null) {
            throw new BasinException(
                StreamErrorCode.INVALID_ARGUMENT,
                "ShardFilter type AFTER_SHARD_ID requires a ShardId");
          }
          keep = s.shardId().compareTo(filter.shardId()) > 0;
          break;
        case AT_TRIM_HORIZON:
          keep = openAt(s, trimHorizon);
          break;
        case FROM_TRIM_HORIZON:
          keep = true;
          break;
        case AT_LATEST:
          keep = s.open();
          break;
        case AT_TIMESTAMP:
          keep = openAt(s, requireTimestamp(filter));
          break;
        case FROM_TIMESTAMP:
          long ts = requireTimestamp(filter);
          keep = s.open() || s.closedAt() >= ts;
          break;
        default:
          throw new IllegalStateException("unknown filter " + filter.type());
      }
      if (keep) {
        out.add(s);
      }
    }
    return out;
  }

  private static boolean openAt(ShardDescriptor s, long ts) {
    return s.createdAt() <= ts && (s.open() || s.closedAt() > ts);
  }

  private static long requireTimestamp(ShardFilter filter) {
    if (filter.timestampMillis() == null) {
      throw new BasinException(
          StreamErrorCode.INVALID_ARGUMENT,
          "ShardFilter type " + filter.type() + " requires a Timestamp");
    }
    return filter.timestampMillis();
  }

  /** Sets the retention period; it must be longer than the current one. */
  public StreamMetadata increaseRetention(String name, int hours) {
    return update(
        name,
        meta -> {
          checkRetentionRange(hours);
          if (hours < meta.retentionHours()) {
            throw new BasinException(
                StreamErrorCode.INVALID_ARGUMENT,
                "Requested retention period ("
                    + hours
                    + " hours) for stream "
                    + name
                    + " can not be shorter than existing retention period ("
                    + meta.retentionHours()
                    + " hours). Use DecreaseRetentionPeriod API.");
          }
          return meta.withRetention(hours);
        });
  }

  /** Sets the retention period; it must be shorter than the current one. */
  public StreamMetadata decreaseRetention(String name, int hours) {
    return update(
        name,
        meta -> {
          checkRetentionRange(hours);
          if (hours > meta.retentionHours()) {
            throw new BasinException(
                StreamErrorCode.INVALID_ARGUMENT,
                "Requested retention period ("
                    + hours
                    + " hours) for stream "
                    + name
                    + " can not be longer than existing retention period ("
                    + meta.retentionHours()
                    + " hours). Use IncreaseRetentionPeriod API.");
          }
          return meta.withRetention(hours);
        });
  }

  private static void checkRetentionRange(int hours) {
    if (hours < StreamsConfig.MIN_RETENTION_HOURS || hours > StreamsConfig.MAX_RETENTION_HOURS) {
      throw new BasinException(
          StreamErrorCode.INVALID_ARGUMENT,
          "Minimum allowed retention period is "
              + StreamsConfig.MIN_RETENTION_HOURS
              + " hours. Maximum allowed retention period is "
              + StreamsConfig.MAX_RETENTION_HOURS
              + " hours. Requested retention period ("
              + hours
              + " hours) is out of range.");
    }
  }

  /** Adds or overwrites tags (at most 50 per stream). */
  public StreamMetadata addTags(String name, Map<String, String> tags) {
    return update(
        name,
        meta -> {
          Map<String, String> merged = new LinkedHashMap<>(meta.tags());
          merged.putAll(tags);
          validateTags(merged);
          return meta.withTags(merged);
        });
  }

  /** Removes tags by key; absent keys are ignored. */
  public StreamMetadata removeTags(String name, List<String> keys) {
    return update(
        name,
        meta -> {
          Map<String, String> remaining = new LinkedHashMap<>(meta.tags());
          keys.forEach(remaining::remove);
          return meta.withTags(remaining);
        });
  }

  /** Switches the capacity mode. Switching to ON_DEMAND keeps the current shards. */
  public StreamMetadata updateMode(String name, StreamMode mode) {
    return update(name, meta -> meta.withMode(mode));
  }

  /**
   * Splits an open shard into two children at {@code newStartingHashKey}: the first child covers
   * the parent's range below it, the second the rest.
   */
  public StreamMetadata splitShard(String name, String shardId, String newStartingHashKey) {
    return reshard(
        name,
        (meta, work) -> {
          ShardDescriptor parent = openShard(meta, work, shardId, "ShardToSplit");
          BigInteger key = parseHashKey(newStartingHashKey, "NewStartingHashKey");
          if (key.compareTo(parent.startHashKey()) <= 0 || key.compareTo(parent.endHashKey()) > 0) {
            throw new BasinException(
                StreamErrorCode.INVALID_ARGUMENT,
                "NewStartingHashKey "
                    + key
                    + " used in SplitShard() on shard "
                    + shardId
                    + " in stream "
                    + name
                    + " under account "
                    + account
                    + " is not both greater than one plus the shard's StartingHashKey "
                    + parent.startHashKey()
                    + " and less than the shard's EndingHashKey "
                    + parent.endHashKey()
                    + ".");
          }
          checkShardLimit(name, work.openCount() + 1, work.openCount());
          work.split(parent, key);
        });
  }

  /** Merges two open shards with adjacent hash key ranges into one child. */
  public StreamMetadata mergeShards(String name, String shardId, String adjacentShardId) {
    return reshard(
        name,
        (meta, work) -> {
          ShardDescriptor a = openShard(meta, work, shardId, "ShardToMerge");
          ShardDescriptor b = openShard(meta, work, adjacentShardId, "AdjacentShardToMerge");
          if (a.index() == b.index()
              || !(a.range().precedes(b.range()) || b.range().precedes(a.range()))) {
            throw new BasinException(
                StreamErrorCode.INVALID_ARGUMENT,
                "Shards "
                    + shardId
                    + " and "
                    + adjacentShardId
                    + " in stream "
                    + name
                    + " under account "
                    + account
                    + " are not an adjacent pair of shards eligible for merging");
          }
          work.merge(a, b);
        });
  }

  /**
   * Reshards to {@code target} open shards of uniform width, by splitting and merging the open
   * shards so every new shard has at most two parents. Between half and double the current open
   * shard count, as in Kinesis.
   */
  public StreamMetadata updateShardCount(String name, int target) {
    return reshard(
        name,
        (meta, work) -> {
          if (meta.mode() == StreamMode.ON_DEMAND) {
            throw new BasinException(
                StreamErrorCode.INVALID_ARGUMENT,
                "UpdateShardCount is not supported for stream "
                    + name
                    + " in ON_DEMAND mode; switch it to PROVISIONED first");
          }
          int current = work.openCount();
          if (target < 1) {
            throw new BasinException(
                StreamErrorCode.VALIDATION,
                "1 validation error detected: Value '"
                    + target
                    + "' at 'targetShardCount' failed to satisfy constraint: Member must have value"
                    + " greater than or equal to 1");
          }
          if (target > current * 2) {
            throw new BasinException(
                StreamErrorCode.LIMIT_EXCEEDED,
                "UpdateShardCount cannot scale up over double your current open shard count."
                    + " Current open shard count: "
                    + current
                    + " Target shard count: "
                    + target);
          }
          if (target * 2 < current) {
            throw new BasinException(
                StreamErrorCode.LIMIT_EXCEEDED,
                "UpdateShardCount cannot scale down below half your current open shard count."
                    + " Current open shard count: "
                    + current
                    + " Target shard count: "
                    + target);
          }
          checkShardLimit(name, target, current);
          work.rescale(target);
        });
  }

  // ---------------------------------------------------------------- data plane

  /**
   * Puts records. Each record is routed to the open shard owning its hash key; all records for one
   * shard are appended as one batch, preserving their order. Returns one outcome per entry, in
   * order, once every stored record is durable. Records refused by throttling or failing in the log
   * get an error outcome and were not stored.
   *
   * @throws BasinException STREAM_NOT_FOUND, or VALIDATION for a request breaking a size limit
   *     (then nothing was stored)
   */
  public List<PutOutcome> putRecords(String name, List<PutEntry> entries) {
    if (entries.isEmpty() || entries.size() > 500) {
      throw new BasinException(
          StreamErrorCode.VALIDATION,
          "1 validation error detected: Value '"
              + entries.size()
              + " records' at 'records' failed to satisfy constraint: Member must have length"
              + (entries.isEmpty() ? " greater than or equal to 1" : " less than or equal to 500"));
    }
    long total = 0;
    BigInteger[] hashes = new BigInteger[entries.size()];
    for (int i = 0; i < entries.size(); i++) {
      PutEntry e = entries.get(i);
      hashes[i] = validateEntry(e, "records." + (i + 1) + ".member");
      total += e.partitionKey().length() + e.data().length;
    }
    if (total > config.maxPutRecordsBytes()) {
      throw new BasinException(
          StreamErrorCode.INVALID_ARGUMENT,
          "Records size exceeds "
              + (config.maxPutRecordsBytes() / (1024 * 1024))
              + " MB limit: the request carries "
              + total
              + " bytes; send fewer or smaller records per call");
    }
    StreamState state = state(name);
    PutOutcome[] outcomes = new PutOutcome[entries.size()];
    long storedBytes = 0;
    int stored = 0;
    state.lock.readLock().lock();
    try {
      if (state.deleted) {
        throw notFound(name);
      }
      Routing routing = state.routing;
      int[] slot = new int[entries.size()];
      int[] counts = new int[routing.shards.length];
      for (int i = 0; i < entries.size(); i++) {
        slot[i] = routing.route(hashes[i]);
        counts[slot[i]]++;
      }
      long nowNanos = System.nanoTime();
      List<Pending> pending = new ArrayList<>();
      for (int r = 0; r < counts.length; r++) {
        if (counts[r] == 0) {
          continue;
        }
        ShardDescriptor shard = routing.shards[r];
        Throttle throttle = state.throttle(shard.index(), nowNanos);
        List<Integer> accepted = new ArrayList<>(counts[r]);
        List<LogRecord> records = new ArrayList<>(counts[r]);
        for (int i = 0; i < entries.size(); i++) {
          if (slot[i] != r) {
            continue;
          }
          PutEntry e = entries.get(i);
          if (throttle != null
              && !throttle.admitWrite(e.partitionKey().length() + e.data().length, nowNanos)) {
            outcomes[i] =
                PutOutcome.failed(
                    StreamErrorCode.THROUGHPUT_EXCEEDED,
                    "Rate exceeded for shard "
                        + shard.shardId()
                        + " in stream "
                        + name
                        + " under account "
                        + account
                        + ".");
          } else {
            accepted.add(i);
            records.add(new LogRecord(e.partitionKey(), e.data()));
          }
        }
        if (!accepted.isEmpty()) {
          pending.add(new Pending(shard, accepted, state.log(shard.index()).append(records)));
        }
      }
      for (Pending p : pending) {
        try {
          AppendResult r = p.future.get();
          String shardId = p.shard.shardId();
          String[] sequenceNumbers =
              SequenceNumbers.range(
                  SequenceNumbers.base(p.shard.index()), r.firstOffset(), p.indexes.size());
          for (int j = 0; j < p.indexes.size(); j++) {
            int i = p.indexes.get(j);
            outcomes[i] = PutOutcome.stored(shardId, sequenceNumbers[j]);
            storedBytes += entries.get(i).partitionKey().length() + entries.get(i).data().length;
            stored++;
          }
        } catch (ExecutionException | RuntimeException e) {
          LOG.atWarn()
              .addKeyValue("stream", name)
              .addKeyValue("shard", p.shard.shardId())
              .setCause(e instanceof ExecutionException ? e.getCause() : e)
              .log("append failed; records reported as failed with unknown outcome");
          for (int i : p.indexes) {
            outcomes[i] =
                PutOutcome.failed(
                    StreamErrorCode.INTERNAL,
                    "Internal service failure storing the record; its outcome is unknown, retry it");
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new BasinException(StreamErrorCode.INTERNAL, "interrupted while storing records");
        }
      }
    } finally {
      state.lock.readLock().unlock();
    }
    if (stored > 0) {
      listener.recordsPut(name, stored, storedBytes);
    }
    return List.of(outcomes);
  }

  private record Pending(
      ShardDescriptor shard, List<Integer> indexes, CompletableFuture<AppendResult> future) {}

  /**
   * Puts one record.
   *
   * @throws BasinException THROUGHPUT_EXCEEDED when throttled, INTERNAL when the outcome is unknown
   */
  public PutOutcome putRecord(String name, PutEntry entry) {
    validateEntry(entry, "");
    PutOutcome outcome = putRecords(name, List.of(entry)).get(0);
    if (!outcome.succeeded()) {
      throw new BasinException(outcome.error(), outcome.errorMessage());
    }
    return outcome;
  }

  /**
   * Checks one record against the per-record limits (partition key length, size, explicit hash key)
   * without storing anything, so callers can refuse a whole request before any of it is stored.
   *
   * @throws BasinException VALIDATION or INVALID_ARGUMENT naming the offending member
   */
  public void validateRecord(PutEntry entry) {
    validateEntry(entry, "");
  }

  private static String member(String prefix, String name) {
    return prefix.isEmpty() ? name : prefix + "." + name;
  }

  private BigInteger validateEntry(PutEntry e, String field) {
    int pkLen = e.partitionKey().length();
    if (pkLen < 1 || pkLen > 256) {
      throw new BasinException(
          StreamErrorCode.VALIDATION,
          "1 validation error detected: Value '"
              + abbreviate(e.partitionKey())
              + "' at '"
              + member(field, "partitionKey")
              + "' failed to satisfy constraint: Member must have length "
              + (pkLen < 1 ? "greater than or equal to 1" : "less than or equal to 256"));
    }
    if (e.data().length + pkLen > config.maxRecordBytes()) {
      throw new BasinException(
          StreamErrorCode.VALIDATION,
          "1 validation error detected: Value at '"
              + member(field, "data")
              + "' failed to satisfy constraint: Member must have length less than or equal"
              + " to "
              + config.maxRecordBytes()
              + " (data plus partition key; this record has "
              + (e.data().length + pkLen)
              + " bytes)");
    }
    if (e.explicitHashKey() != null) {
      return parseHashKey(e.explicitHashKey(), member(field, "explicitHashKey"));
    }
    return HashKeyRange.hashOf(e.partitionKey());
  }

  private static BigInteger parseHashKey(String text, String field) {
    if (text == null || !HASH_KEY.matcher(text).matches()) {
      throw new BasinException(
          StreamErrorCode.VALIDATION,
          "1 validation error detected: Value '"
              + abbreviate(String.valueOf(text))
              + "' at '"
              + field
              + "' failed to satisfy constraint: Member must satisfy regular expression pattern:"
              + " 0|([1-9]\\d{0,38})");
    }
    BigInteger v = new BigInteger(text);
    if (v.compareTo(HashKeyRange.MAX) > 0) {
      throw new BasinException(
          StreamErrorCode.INVALID_ARGUMENT,
          field
              + " "
              + text
              + " is larger than the largest hash key 2^128-1 ("
              + HashKeyRange.MAX
              + ")");
    }
    return v;
  }

  /**
   * Issues a shard iterator, valid for the configured time (5 minutes).
   *
   * @param sequenceNumber required for AT/AFTER_SEQUENCE_NUMBER
   * @param timestamp required for AT_TIMESTAMP
   * @throws BasinException STREAM_NOT_FOUND, SHARD_NOT_FOUND, INVALID_ARGUMENT
   */
  public String getShardIterator(
      String name, String shardId, IteratorType type, String sequenceNumber, Instant timestamp) {
    StreamState state = state(name);
    StreamMetadata meta = state.meta;
    ShardDescriptor shard = shard(meta, shardId);
    ShardLog shardLog = state.log(shard.index());
    long end = shard.open() ? shardLog.endOffset() : shard.endOffset();
    long offset;
    switch (type) {
      case TRIM_HORIZON:
        offset = shardLog.startOffset();
        break;
      case LATEST:
        offset = end;
        break;
      case AT_TIMESTAMP:
        if (timestamp == null) {
          throw new BasinException(
              StreamErrorCode.INVALID_ARGUMENT,
              "Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. Current"
                  + " request has no timestamp parameter.");
        }
        offset = Math.min(end, shardLog.offsetAt(timestamp.toEpochMilli()));
        break;
      case AT_SEQUENCE_NUMBER:
      case AFTER_SEQUENCE_NUMBER:
        offset = offsetOf(name, shard, sequenceNumber, type, end);
        break;
      default:
        throw new IllegalStateException("unknown iterator type " + type);
    }
    return iterators.encode(
        new ShardIterators.Position(name, meta.createdAt(), shard.index(), offset, clock.millis()));
  }

  private long offsetOf(
      String name, ShardDescriptor shard, String sequenceNumber, IteratorType type, long end) {
    if (sequenceNumber == null) {
      throw new BasinException(
          StreamErrorCode.INVALID_ARGUMENT,
          "Must specify StartingSequenceNumber for iterator of type " + type + ".");
    }
    SequenceNumbers.Position p = SequenceNumbers.parse(sequenceNumber);
    if (p == null || p.shardIndex() != shard.index()) {
      throw new BasinException(
          StreamErrorCode.INVALID_ARGUMENT,
          "StartingSequenceNumber "
              + abbreviate(sequenceNumber)
              + " used in GetShardIterator on shard "
              + shard.shardId()
              + " in stream "
              + name
              + " under account "
              + account
              + " is invalid because it did not come from this stream/shard.");
    }
    long offset = type == IteratorType.AFTER_SEQUENCE_NUMBER ? p.offset() + 1 : p.offset();
    long limit = type == IteratorType.AFTER_SEQUENCE_NUMBER ? end : end - 1;
    if (p.offset() > limit && !(p.offset() == 0 && end == 0)) {
      throw new BasinException(
          StreamErrorCode.INVALID_ARGUMENT,
          "StartingSequenceNumber "
              + sequenceNumber
              + " used in GetShardIterator on shard "
              + shard.shardId()
              + " in stream "
              + name
              + " under account "
              + account
              + " is beyond the last record of the shard.");
    }
    return Math.min(offset, end);
  }

  /**
   * Reads records at an iterator.
   *
   * @param limit at most this many records (1 to 10,000); the response also stops at 10 MiB
   * @throws BasinException INVALID_ARGUMENT for a malformed or forged iterator, ITERATOR_EXPIRED,
   *     STREAM_NOT_FOUND, SHARD_NOT_FOUND, THROUGHPUT_EXCEEDED
   */
  public GetRecordsResult getRecords(String iterator, int limit) {
    long startNanos = System.nanoTime();
    if (limit < 1 || limit > 10_000) {
      throw new BasinException(
          StreamErrorCode.VALIDATION,
          "1 validation error detected: Value '"
              + limit
              + "' at 'limit' failed to satisfy constraint: Member must have value "
              + (limit < 1 ? "greater than or equal to 1" : "less than or equal to 10000"));
    }
    ShardIterators.Position pos = iterator == null ? null : iterators.decode(iterator);
    if (pos == null) {
      throw new BasinException(
          StreamErrorCode.INVALID_ARGUMENT,
          "Invalid ShardIterator: it was not issued by this server or was altered; get a new one"
              + " with GetShardIterator");
    }
    long now = clock.millis();
    long age = now - pos.issuedAt();
    if (age > config.iteratorTtl().toMillis()) {
      throw new BasinException(
          StreamErrorCode.ITERATOR_EXPIRED,
          "Iterator expired. The iterator was created at time "
              + Instant.ofEpochMilli(pos.issuedAt())
              + " while right now it is "
              + Instant.ofEpochMilli(now)
              + " which is further in the future than the tolerated delay of "
              + config.iteratorTtl().toMillis()
              + " milliseconds.");
    }
    StreamState state = streams.get(pos.stream());
    if (state == null || state.meta.createdAt() != pos.incarnation()) {
      throw notFound(pos.stream());
    }
    StreamMetadata meta = state.meta;
    ShardDescriptor shard =
        meta.shard(pos.shardIndex())
            .orElseThrow(
                () -> shardNotFound(pos.stream(), ShardDescriptor.shardId(pos.shardIndex())));
    Throttle throttle = state.throttle(shard.index(), System.nanoTime());
    if (throttle != null && !throttle.admitRead(System.nanoTime())) {
      throw new BasinException(
          StreamErrorCode.THROUGHPUT_EXCEEDED,
          "Rate exceeded for shard "
              + shard.shardId()
              + " in stream "
              + pos.stream()
              + " under account "
              + account
              + ".");
    }
    ShardLog shardLog = state.log(shard.index());
    long end = shard.open() ? shardLog.endOffset() : shard.endOffset();
    long from = Math.max(pos.offset(), shardLog.startOffset());
    List<StreamRecord> records = new ArrayList<>();
    long next = from;
    long bytes = 0;
    long lastReturned = -1;
    if (from < end) {
      ReadResult r = shardLog.read(from, limit, MAX_READ_BYTES);
      List<StoredRecord> stored = r.records();
      // offsets in a read are consecutive, so their sequence numbers come from one conversion
      String[] sequenceNumbers =
          stored.isEmpty()
              ? new String[0]
              : SequenceNumbers.range(
                  SequenceNumbers.base(shard.index()), stored.get(0).offset(), stored.size());
      for (int i = 0; i < stored.size(); i++) {
        StoredRecord s = stored.get(i);
        if (s.offset() >= end) {
          break;
        }
        records.add(new StreamRecord(sequenceNumbers[i], s.timestamp(), s.key(), s.data()));
        bytes += s.size();
        lastReturned = s.timestamp();
        next = s.offset() + 1;
      }
      if (records.isEmpty()) {
        next = Math.min(r.nextOffset(), end);
      }
    }
    if (throttle != null) {
      throttle.chargeRead(bytes, System.nanoTime());
    }
    long latestEnd = shard.open() ? shardLog.endOffset() : end;
    long behind = next >= latestEnd || lastReturned < 0 ? 0 : Math.max(0, now - lastReturned);
    String nextIterator;
    List<ChildShard> children = List.of();
    if (!shard.open() && next >= end) {
      nextIterator = null;
      children = children(meta, shard);
    } else {
      nextIterator =
          iterators.encode(
              new ShardIterators.Position(
                  pos.stream(), pos.incarnation(), shard.index(), next, now));
    }
    listener.recordsRead(
        pos.stream(), records.size(), bytes, behind, System.nanoTime() - startNanos);
    return new GetRecordsResult(records, nextIterator, behind, children);
  }

  /** The shards whose parent or adjacent parent is {@code shard}. */
  public List<ChildShard> children(StreamMetadata meta, ShardDescriptor shard) {
    List<ChildShard> out = new ArrayList<>();
    for (ShardDescriptor s : meta.shards()) {
      if (s.parentIndex() == shard.index() || s.adjacentParentIndex() == shard.index()) {
        List<String> parents = new ArrayList<>();
        parents.add(ShardDescriptor.shardId(s.parentIndex()));
        if (s.adjacentParentIndex() >= 0) {
          parents.add(ShardDescriptor.shardId(s.adjacentParentIndex()));
        }
        out.add(new ChildShard(s.shardId(), parents, s.range()));
      }
    }
    return out;
  }

  /** The sequence number of a shard's first possible record. */
  public static String startingSequenceNumber(ShardDescriptor shard) {
    return SequenceNumbers.of(shard.index(), 0);
  }

  /** The sequence number of a closed shard's last record, or null while the shard is open. */
  public static String endingSequenceNumber(ShardDescriptor shard) {
    return shard.open()
        ? null
        : SequenceNumbers.of(shard.index(), Math.max(0, shard.endOffset() - 1));
  }

  /**
   * Removes records older than each stream's retention period (whole segments at a time) and
   * forgets closed shards whose retention has passed. Safe to call at any time.
   */
  public void enforceRetention() {
    long now = clock.millis();
    for (StreamState state : streams.values()) {
      try {
        enforceRetention(state, now);
      } catch (BasinException e) {
        if (e.code() != StreamErrorCode.STREAM_NOT_FOUND) {
          LOG.atError()
              .addKeyValue("stream", state.meta.name())
              .setCause(e)
              .log("retention failed for this stream; other streams continue, retry next run");
        }
      } catch (RuntimeException e) {
        LOG.atError()
            .addKeyValue("stream", state.meta.name())
            .setCause(e)
            .log("retention failed for this stream; other streams continue, retry next run");
      }
    }
  }

  private void enforceRetention(StreamState state, long now) {
    StreamMetadata meta = state.meta;
    long cutoff = now - meta.retentionHours() * 3_600_000L;
    long removed = 0;
    for (ShardDescriptor s : meta.shards()) {
      if (!s.open() && s.endOffset() == 0) {
        continue; // closed without records (an intermediate shard of a rescale): nothing stored
      }
      removed += state.log(s.index()).deleteBefore(cutoff);
    }
    boolean expiredShards =
        meta.shards().stream().anyMatch(s -> !s.open() && s.closedAt() < cutoff);
    if (expiredShards) {
      try {
        update(
            meta.name(),
            m ->
                m.withShards(
                    m.shards().stream().filter(s -> s.open() || s.closedAt() >= cutoff).toList(),
                    m.nextShardIndex()));
      } catch (BasinException e) {
        if (e.code() != StreamErrorCode.STREAM_NOT_FOUND) {
          throw e;
        }
      }
    }
    if (removed > 0) {
      LOG.atInfo()
          .addKeyValue("stream", meta.name())
          .addKeyValue("records", removed)
          .log("retention removed expired records");
    }
  }

  /** The service's settings. */
  public StreamsConfig config() {
    return config;
  }

  /** Open shard count across all streams. */
  public int openShardCount() {
    int n = 0;
    for (StreamState s : streams.values()) {
      n += s.routing.shards.length;
    }
    return n;
  }

  /** The end offset and last arrival time of every shard log of a stream (for lag metrics). */
  public Map<String, Long> newestArrival(String name) {
    StreamState state = state(name);
    Map<String, Long> out = new HashMap<>();
    for (ShardDescriptor s : state.meta.openShards()) {
      out.put(s.shardId(), state.log(s.index()).lastTimestamp());
    }
    return out;
  }

  /** Closes the service. The stream log is owned by the caller and stays open. */
  @Override
  public void close() {
    streams.clear();
  }

  // ---------------------------------------------------------------- helpers

  private StreamState state(String name) {
    if (name == null) {
      throw new BasinException(
          StreamErrorCode.VALIDATION,
          "1 validation error detected: Value null at 'streamName' failed to satisfy constraint:"
              + " Member must not be null");
    }
    StreamState s = streams.get(name);
    if (s == null) {
      validateStreamName(name);
      throw notFound(name);
    }
    return s;
  }

  private BasinException notFound(String name) {
    return new BasinException(
        StreamErrorCode.STREAM_NOT_FOUND,
        "Stream " + name + " under account " + account + " not found.");
  }

  private BasinException shardNotFound(String name, String shardId) {
    return new BasinException(
        StreamErrorCode.SHARD_NOT_FOUND,
        "Shard "
            + abbreviate(shardId)
            + " in stream "
            + name
            + " under account "
            + account
            + " does not exist");
  }

  private ShardDescriptor shard(StreamMetadata meta, String shardId) {
    int index = ShardDescriptor.indexOf(shardId);
    Optional<ShardDescriptor> s = index < 0 ? Optional.empty() : meta.shard(index);
    return s.orElseThrow(() -> shardNotFound(meta.name(), String.valueOf(shardId)));
  }

  private ShardDescriptor openShard(
      StreamMetadata meta, Reshard work, String shardId, String field) {
    if (shardId == null) {
      throw new BasinException(
          StreamErrorCode.VALIDATION,
          "1 validation error detected: Value null at '"
              + field
              + "' failed to satisfy constraint: Member must not be null");
    }
    ShardDescriptor s = work.find(ShardDescriptor.indexOf(shardId));
    if (s == null) {
      throw shardNotFound(meta.name(), shardId);
    }
    if (!s.open()) {
      throw new BasinException(
          StreamErrorCode.INVALID_ARGUMENT,
          "Shard "
              + shardId
              + " in stream "
              + meta.name()
              + " under account "
              + account
              + " has already been merged or split, and thus is not eligible for merging or"
              + " splitting.");
    }
    return s;
  }

  static void validateStreamName(String name) {
    if (".".equals(name) || "..".equals(name)) {
      throw new BasinException(
          StreamErrorCode.VALIDATION,
          "1 validation error detected: Value '"
              + name
              + "' at 'streamName' failed to satisfy constraint: '.' and '..' are reserved names"
              + " in Basin (they name directories); choose another stream name");
    }
    if (name == null
        || name.isEmpty()
        || name.length() > 128
        || !STREAM_NAME.matcher(name).matches()) {
      throw new BasinException(
          StreamErrorCode.VALIDATION,
          "1 validation error detected: Value '"
              + abbreviate(String.valueOf(name))
              + "' at 'streamName' failed to satisfy constraint: Member must satisfy regular"
              + " expression pattern: [a-zA-Z0-9_.-]+ and have length between 1 and 128");
    }
  }

  private static void validateTags(Map<String, String> tags) {
    if (tags.size() > MAX_TAGS) {
      throw new BasinException(
          StreamErrorCode.LIMIT_EXCEEDED,
          "A stream can have at most "
              + MAX_TAGS
              + " tags; this change would leave "
              + tags.size());
    }
    for (Map.Entry<String, String> t : tags.entrySet()) {
      if (t.getKey() == null || t.getKey().isEmpty() || t.getKey().length() > 128) {
        throw new BasinException(
            StreamErrorCode.INVALID_ARGUMENT,
            "Tag keys must have 1 to 128 characters: '"
                + abbreviate(String.valueOf(t.getKey()))
                + "'");
      }
      if (t.getValue() != null && t.getValue().length() > 256) {
        throw new BasinException(
            StreamErrorCode.INVALID_ARGUMENT,
            "Tag values must have at most 256 characters (tag '" + t.getKey() + "')");
      }
    }
  }

  private void checkShardLimit(String name, int newOpen, int currentOpen) {
    if (newOpen > config.maxShardsPerStream()) {
      throw new BasinException(
          StreamErrorCode.LIMIT_EXCEEDED,
          "Stream "
              + name
              + " would have "
              + newOpen
              + " open shards, more than the limit of "
              + config.maxShardsPerStream()
              + " per stream (setting streams.max-shards-per-stream)");
    }
    int total = openShardCount() - currentOpen + newOpen;
    if (total > config.maxOpenShards()) {
      throw new BasinException(
          StreamErrorCode.LIMIT_EXCEEDED,
          "This request would exceed the shard limit for the account "
              + account
              + ": "
              + total
              + " open shards, limit "
              + config.maxOpenShards()
              + " (setting streams.max-open-shards)");
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 64 ? s : s.substring(0, 61) + "...";
  }

  private interface MetadataChange {
    StreamMetadata apply(StreamMetadata meta);
  }

  private StreamMetadata update(String name, MetadataChange change) {
    StreamState state = state(name);
    state.lock.writeLock().lock();
    try {
      if (state.deleted) {
        throw notFound(name);
      }
      StreamMetadata next = change.apply(state.meta);
      persist(next);
      state.setMeta(next);
      return next;
    } finally {
      state.lock.writeLock().unlock();
    }
  }

  private interface ReshardPlan {
    void apply(StreamMetadata meta, Reshard work);
  }

  private StreamMetadata reshard(String name, ReshardPlan plan) {
    return update(
        name,
        meta -> {
          StreamState state = streams.get(name);
          Reshard work = new Reshard(meta, clock.millis(), index -> state.log(index).endOffset());
          plan.apply(meta, work);
          StreamMetadata next = meta.withShards(work.shards(), work.nextIndex());
          LOG.atInfo()
              .addKeyValue("stream", name)
              .addKeyValue("openShards", next.openShards().size())
              .log("stream resharded");
          return next;
        });
  }

  private void persist(StreamMetadata meta) {
    try {
      DurableFiles.createDirectories(metadataRoot.resolve(meta.name()));
      DurableFiles.writeAtomically(
          metadataRoot.resolve(meta.name()).resolve(METADATA_FILE),
          Json.mapper()
              .writerWithDefaultPrettyPrinter()
              .writeValueAsString(meta)
              .getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot persist metadata of stream " + meta.name(), e);
    }
  }

  /** Live state of one stream: metadata snapshot, routing table, open logs, throttles. */
  private final class StreamState {
    final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    final ConcurrentHashMap<Integer, ShardLog> logs = new ConcurrentHashMap<>();
    final ConcurrentHashMap<Integer, Throttle> throttles = new ConcurrentHashMap<>();
    volatile StreamMetadata meta;
    volatile Routing routing;
    volatile boolean deleted;

    StreamState(StreamMetadata meta) {
      setMeta(meta);
    }

    void setMeta(StreamMetadata m) {
      this.meta = m;
      this.routing = new Routing(m.openShards());
    }

    ShardLog log(int index) {
      if (deleted) {
        throw notFound(meta.name());
      }
      return logs.computeIfAbsent(index, i -> log.open(meta.name(), ShardDescriptor.shardId(i)));
    }

    Throttle throttle(int index, long nowNanos) {
      StreamsConfig.ShardLimits limits = config.throttling();
      if (limits == null) {
        return null;
      }
      return throttles.computeIfAbsent(index, i -> new Throttle(limits, nowNanos));
    }
  }

  /** Open shards sorted by starting hash key, for binary-search routing. */
  private static final class Routing {
    final ShardDescriptor[] shards;

    Routing(List<ShardDescriptor> open) {
      shards = open.toArray(new ShardDescriptor[0]);
      java.util.Arrays.sort(shards, (a, b) -> a.startHashKey().compareTo(b.startHashKey()));
    }

    /** The position in {@link #shards} of the shard owning {@code hash}. */
    int route(BigInteger hash) {
      int lo = 0;
      int hi = shards.length - 1;
      while (lo < hi) {
        int mid = (lo + hi + 1) >>> 1;
        if (shards[mid].startHashKey().compareTo(hash) <= 0) {
          lo = mid;
        } else {
          hi = mid - 1;
        }
      }
      return lo;
    }
  }

  /** Per-shard token buckets for the Kinesis throughput limits. */
  private static final class Throttle {
    final TokenBucket writeBytes;
    final TokenBucket writeRecords;
    final TokenBucket readBytes;
    final TokenBucket readCalls;

    Throttle(StreamsConfig.ShardLimits l, long now) {
      writeBytes = new TokenBucket(l.writeBytesPerSecond(), now);
      writeRecords = new TokenBucket(l.writeRecordsPerSecond(), now);
      readBytes = new TokenBucket(l.readBytesPerSecond(), now);
      readCalls = new TokenBucket(l.readCallsPerSecond(), now);
    }

    synchronized boolean admitWrite(long bytes, long now) {
      if (!writeRecords.tryTake(1, now)) {
        return false;
      }
      if (!writeBytes.tryTake(bytes, now)) {
        writeRecords.take(-1, now);
        return false;
      }
      return true;
    }

    boolean admitRead(long now) {
      return readBytes.available(now) && readCalls.tryTake(1, now);
    }

    void chargeRead(long bytes, long now) {
      readBytes.take(bytes, now);
    }
  }
}
