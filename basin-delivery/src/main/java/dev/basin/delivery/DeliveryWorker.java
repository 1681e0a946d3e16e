package dev.basin.delivery;

import dev.basin.catalog.LakeCatalog;
import dev.basin.common.error.BasinException;
import dev.basin.delivery.transform.RecordProcessing;
import dev.basin.delivery.transform.TransformInput;
import dev.basin.spi.storage.ObjectStore;
import dev.basin.stream.GetRecordsResult;
import dev.basin.stream.IteratorType;
import dev.basin.stream.ShardDescriptor;
import dev.basin.stream.StreamErrorCode;
import dev.basin.stream.StreamMetadata;
import dev.basin.stream.StreamRecord;
import dev.basin.stream.StreamService;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one delivery stream: reads every shard of the source stream from the destination's committed
 * checkpoints, buffers records per the {@link BufferingHints}, and flushes them to the destination
 * together with the new checkpoints. On flush, each record goes through the configured {@link
 * DeliveryStreamConfig#processors()} first: records that fail processing go to the error output as
 * {@code processing-failed}, dropped ones are counted; both advance the checkpoints.
 *
 * <p>Order: a shard created by a reshard is read only after all its parents have been read to their
 * end, and a batch lists a parent's records before its children's, so records of one partition key
 * are delivered in put order and a child's records are never committed before its parent's.
 *
 * <p>Exactly-once: on start and after any failed flush the worker forgets what it buffered and
 * resumes after the destination's committed checkpoints. Either {@link #pollOnce()} (driven by the
 * caller, e.g. tests) or {@link #start(Duration)} (a background thread) runs it, not both. Not
 * thread-safe apart from {@link #metrics()} and {@link #close()}.
 */
public final class DeliveryWorker implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DeliveryWorker.class);
  private static final int READ_LIMIT = 10_000;

  private final DeliveryStreamConfig config;
  private final StreamService streams;
  private final DeliverySink sink;
  private final Clock clock;
  private final DeliveryMetrics metrics = new DeliveryMetrics();
  private final RecordProcessing processing;

  private Map<String, String> committed;
  private final Map<String, String> readPositions = new TreeMap<>();
  private final Set<String> finished = new HashSet<>();
  private final List<SourceRecord> buffer = new ArrayList<>();
  private long bufferBytes;
  private Map<String, String> replay = Map.of();

  private final Object sleeper = new Object();
  private volatile boolean running;
  private Thread thread;

  private DeliveryWorker(
      DeliveryStreamConfig config, StreamService streams, DeliverySink sink, Clock clock) {
    this.config = config;
    this.streams = streams;
    this.sink = sink;
    this.clock = clock;
    this.processing = processing(config);
    try {
      reset();
    } catch (RuntimeException e) {
      processing.close();
      throw e;
    }
  }

  private static RecordProcessing processing(DeliveryStreamConfig config) {
    try {
      return RecordProcessing.create(config.processors());
    } catch (IllegalArgumentException e) {
      throw DeliveryStreamConfig.invalid("ProcessingConfiguration", e.getMessage());
    }
  }

  /**
   * A worker for an Iceberg table destination.
   *
   * @param errorStore where the error output bucket lives
   */
  public static DeliveryWorker iceberg(
      DeliveryStreamConfig config,
      StreamService streams,
      LakeCatalog catalog,
      ObjectStore errorStore,
      Clock clock) {
    return iceberg(config, streams, catalog, errorStore, clock, () -> {});
  }

  /** As {@link #iceberg}, running {@code beforeCommit} just before each table commit (tests). */
  static DeliveryWorker iceberg(
      DeliveryStreamConfig config,
      StreamService streams,
      LakeCatalog catalog,
      ObjectStore errorStore,
      Clock clock,
      Runnable beforeCommit) {
    requireKind(config, DeliveryStreamConfig.IcebergTable.class);
    return new DeliveryWorker(
        config, streams, new IcebergSink(config, catalog, errorStore, beforeCommit), clock);
  }

  /** A worker for a raw-object destination. */
  public static DeliveryWorker rawObjects(
      DeliveryStreamConfig config, StreamService streams, ObjectStore store, Clock clock) {
    return rawObjects(config, streams, store, clock, () -> {});
  }

  /** As {@link #rawObjects}, running {@code beforeCheckpoint} after the data objects (tests). */
  static DeliveryWorker rawObjects(
      DeliveryStreamConfig config,
      StreamService streams,
      ObjectStore store,
      Clock clock,
      Runnable beforeCheckpoint) {
    requireKind(config, DeliveryStreamConfig.RawObjects.class);
    return new DeliveryWorker(
        config, streams, new RawObjectSink(config, store, beforeCheckpoint), clock);
  }

  private static void requireKind(DeliveryStreamConfig config, Class<?> kind) {
    if (!kind.isInstance(config.destination())) {
      throw new IllegalArgumentException(
          "delivery '"
              + config.name()
              + "' does not have a "
              + kind.getSimpleName()
              + " destination");
    }
  }

  public DeliveryStreamConfig config() {
    return config;
  }

  public DeliveryMetrics.Snapshot metrics() {
    return metrics.snapshot(clock.millis());
  }

  /** The checkpoints this worker knows to be committed (shard id → last delivered sequence). */
  public Map<String, String> committedCheckpoints() {
    return Map.copyOf(committed);
  }

  private void reset() {
    committed = new TreeMap<>(sink.committedCheckpoints());
    readPositions.clear();
    readPositions.putAll(committed);
    finished.clear();
    buffer.clear();
    bufferBytes = 0;
    replay = new TreeMap<>(sink.pendingLasts());
    metrics.oldestUndelivered(-1);
  }

  /**
   * Reads what the source has and flushes if the buffer is due (or a replay of an unfinished batch
   * is complete).
   *
   * @return records flushed to the destination or the error output in this call
   * @throws RuntimeException a failed read or flush; the worker has then reset itself to the
   *     destination's committed checkpoints and the next call retries
   */
  public int pollOnce() {
    try {
      read();
      if (!replay.isEmpty()) {
        if (replayReached()) {
          replay = Map.of();
          return flush();
        }
        return 0;
      }
      long oldest = oldestBuffered();
      long age = oldest < 0 ? 0 : clock.millis() - oldest;
      if (config.hints().due(bufferBytes, age)) {
        return flush();
      }
      return 0;
    } catch (RuntimeException e) {
      reset();
      throw e;
    }
  }

  /** Flushes whatever is buffered now, regardless of the hints. */
  public int flushNow() {
    try {
      read();
      return flush();
    } catch (RuntimeException e) {
      reset();
      throw e;
    }
  }

  private long oldestBuffered() {
    long min = -1;
    for (SourceRecord r : buffer) {
      long a = r.record().arrivalMillis();
      if (min < 0 || a < min) {
        min = a;
      }
    }
    return min;
  }

  private boolean replayReached() {
    for (Map.Entry<String, String> e : replay.entrySet()) {
      String pos = readPositions.get(e.getKey());
      if (!finished.contains(e.getKey())
          && (pos == null || Batch.compareSequence(pos, e.getValue()) < 0)) {
        return false;
      }
    }
    return true;
  }

  private void read() {
    String stream = config.sourceStream();
    StreamMetadata meta = streams.describe(stream);
    List<ShardDescriptor> shards = new ArrayList<>(meta.shards());
    shards.sort((a, b) -> Integer.compare(a.index(), b.index()));
    for (ShardDescriptor s : shards) {
      if (bufferBytes >= config.hints().sizeBytes()) {
        break;
      }
      if (finished.contains(s.shardId()) || !parentsFinished(meta, s)) {
        continue;
      }
      readShard(stream, s);
    }
    metrics.oldestUndelivered(oldestBuffered());
  }

  private boolean parentsFinished(StreamMetadata meta, ShardDescriptor s) {
    for (int p : new int[] {s.parentIndex(), s.adjacentParentIndex()}) {
      // a parent that retention has removed is finished for good
      if (p >= 0 && meta.shard(p).isPresent() && !finished.contains(ShardDescriptor.shardId(p))) {
        return false;
      }
    }
    return true;
  }

  private void readShard(String stream, ShardDescriptor shard) {
    String id = shard.shardId();
    String target = replay.get(id);
    String after = readPositions.get(id);
    if (target != null && after != null && Batch.compareSequence(after, target) >= 0) {
      return;
    }
    String iterator;
    try {
      iterator =
          after == null
              ? streams.getShardIterator(stream, id, IteratorType.TRIM_HORIZON, null, null)
              : streams.getShardIterator(
                  stream, id, IteratorType.AFTER_SEQUENCE_NUMBER, after, null);
    } catch (BasinException e) {
      if (e.code() == StreamErrorCode.SHARD_NOT_FOUND) {
        finished.add(id);
        return;
      }
      throw e;
    }
    while (true) {
      GetRecordsResult r = streams.getRecords(iterator, READ_LIMIT);
      for (StreamRecord rec : r.records()) {
        if (target != null && Batch.compareSequence(rec.sequenceNumber(), target) > 0) {
          return;
        }
        buffer.add(new SourceRecord(id, rec));
        bufferBytes += rec.data().length;
        readPositions.put(id, rec.sequenceNumber());
      }
      if (r.nextShardIterator() == null) {
        finished.add(id);
        return;
      }
      if (r.records().isEmpty() || bufferBytes >= config.hints().sizeBytes()) {
        return;
      }
      iterator = r.nextShardIterator();
    }
  }

  private int flush() {
    if (buffer.isEmpty()) {
      return 0;
    }
    Batch batch = process(buffer);
    Map<String, String> next = new TreeMap<>(committed);
    batch.ranges().forEach((shard, range) -> next.put(shard, range.last()));
    DeliverySink.Outcome outcome = sink.deliver(batch, committed, next);
    committed = next;
    buffer.clear();
    bufferBytes = 0;
    long now = clock.millis();
    metrics.delivered(outcome.records(), outcome.bytes(), now);
    metrics.dropped(batch.dropped());
    for (FailedRecord f : outcome.failures()) {
      metrics.failed(f.kind());
    }
    metrics.oldestUndelivered(-1);
    LOG.atDebug()
        .addKeyValue("delivery", config.name())
        .addKeyValue("batch", batch.id())
        .addKeyValue("records", outcome.records())
        .addKeyValue("failed", outcome.failures().size())
        .addKeyValue("dropped", batch.dropped())
        .log("delivered a batch");
    return batch.readCount();
  }

  /** The batch of the buffered records after record processing (de-aggregation, transforms). */
  private Batch process(List<SourceRecord> read) {
    if (processing.isEmpty()) {
      return new Batch(read);
    }
    List<TransformInput> inputs = new ArrayList<>(read.size());
    for (SourceRecord r : read) {
      inputs.add(
          new TransformInput(
              r.shardId() + ":" + r.record().sequenceNumber(),
              r.record().arrivalMillis(),
              r.record().data()));
    }
    List<SourceRecord> out = new ArrayList<>(read.size());
    List<FailedRecord> failed = new ArrayList<>();
    long dropped = 0;
    for (RecordProcessing.Processed p : processing.process(inputs)) {
      SourceRecord src = read.get(p.input());
      switch (p.result()) {
        case OK -> {
          StreamRecord r = src.record();
          out.add(
              new SourceRecord(
                  src.shardId(),
                  new StreamRecord(
                      r.sequenceNumber(), r.arrivalMillis(), r.partitionKey(), p.data()),
                  p.partitionKeys()));
        }
        case DROPPED -> dropped++;
        case PROCESSING_FAILED ->
            failed.add(
                new FailedRecord(
                    src,
                    FailureKind.PROCESSING_FAILED,
                    "ProcessingFailed",
                    "record " + p.recordId() + ": " + p.errorMessage()));
      }
    }
    return new Batch(read, out, failed, dropped);
  }

  /**
   * Starts a background thread that polls every {@code interval}; after a failure it waits
   * (doubling up to 30 s) and retries from the committed checkpoints.
   */
  public synchronized void start(Duration interval) {
    if (thread != null) {
      throw new IllegalStateException("delivery '" + config.name() + "' is already running");
    }
    running = true;
    thread =
        new Thread(
            () -> {
              long backoff = interval.toMillis();
              while (running) {
                long wait = interval.toMillis();
                try {
                  pollOnce();
                  backoff = interval.toMillis();
                } catch (RuntimeException e) {
                  LOG.atWarn()
                      .addKeyValue("delivery", config.name())
                      .setCause(e)
                      .log("delivery failed; retrying from the committed checkpoints");
                  backoff = Math.min(30_000, Math.max(100, backoff * 2));
                  wait = backoff;
                }
                synchronized (sleeper) {
                  try {
                    if (running) {
                      sleeper.wait(Math.max(1, wait));
                    }
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              }
            },
            "basin-delivery-" + config.name());
    thread.setDaemon(true);
    thread.start();
  }

  /** Stops the background thread, if any; buffered records are not flushed (they are re-read). */
  @Override
  public synchronized void close() {
    running = false;
    synchronized (sleeper) {
      sleeper.notifyAll();
    }
    if (thread != null) {
      try {
        thread.join(60_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      thread = null;
    }
    processing.close();
  }
}
