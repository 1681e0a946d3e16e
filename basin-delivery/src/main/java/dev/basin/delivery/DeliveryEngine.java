package dev.basin.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.basin.catalog.LakeCatalog;
import dev.basin.common.error.BasinException;
import dev.basin.common.io.DurableFiles;
import dev.basin.common.json.Json;
import dev.basin.spi.storage.ObjectStore;
import dev.basin.stream.StreamErrorCode;
import dev.basin.stream.StreamService;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import org.apache.iceberg.catalog.TableIdentifier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delivery streams of one server: persists each {@link DeliveryStreamConfig} as {@code
 * <dir>/<name>.json} (written atomically and fsynced), runs one {@link DeliveryWorker} per delivery
 * stream from {@link #open} or {@link #create} until {@link #delete} or {@link #close}.
 *
 * <p>Durability: when {@link #create} returns, the delivery stream survives a crash and its worker
 * runs; when {@link #delete} returns, its worker has stopped and it is gone for good. Its progress
 * (checkpoints) lives with the destination, not here, so a delivery stream re-created under the
 * same name to the same destination resumes where the old one stopped instead of re-delivering.
 *
 * <p>Thread-safe: create and delete are serialized; describe and list may run concurrently with
 * them.
 */
public final class DeliveryEngine implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DeliveryEngine.class);

  /** Firehose's default quota of delivery streams per region. */
  public static final int DEFAULT_MAX_DELIVERY_STREAMS = 50;

  /** How often each worker looks for new records by default. */
  public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMillis(100);

  /** A delivery stream's state, with Firehose's names. */
  public enum Status {
    /** Being created (not yet running). */
    CREATING,
    /** Its worker runs. */
    ACTIVE,
    /** Its worker could not be started when the server started; {@code failure} says why. */
    CREATING_FAILED,
    /** Being deleted: its worker is stopping. */
    DELETING
  }

  /**
   * What {@link #describe} returns.
   *
   * @param config the configuration
   * @param status the state now
   * @param createdMillis when it was created, epoch millis
   * @param failure why the worker is not running (status CREATING_FAILED), else null
   * @param metrics the worker's counters (zeros when it does not run)
   */
  public record Description(
      DeliveryStreamConfig config,
      Status status,
      long createdMillis,
      String failure,
      DeliveryMetrics.Snapshot metrics) {}

  private static final class Entry {
    final DeliveryStreamConfig config;
    final long createdMillis;
    volatile Status status;
    volatile DeliveryWorker worker;
    volatile String failure;

    Entry(DeliveryStreamConfig config, long createdMillis, Status status) {
      this.config = config;
      this.createdMillis = createdMillis;
      this.status = status;
    }
  }

  private final Path dir;
  private final StreamService streams;
  private final ObjectStore store;
  private final LakeCatalog catalog;
  private final Clock clock;
  private final Duration pollInterval;
  private final int maxDeliveryStreams;
  private final Map<String, Entry> entries = new ConcurrentSkipListMap<>();
  private volatile boolean closed;

  private DeliveryEngine(
      Path dir,
      StreamService streams,
      ObjectStore store,
      LakeCatalog catalog,
      Clock clock,
      Duration pollInterval,
      int maxDeliveryStreams) {
    this.dir = dir;
    this.streams = streams;
    this.store = store;
    this.catalog = catalog;
    this.clock = clock;
    this.pollInterval = pollInterval;
    this.maxDeliveryStreams = maxDeliveryStreams;
  }

  /**
   * Loads the delivery streams persisted in {@code dir} and starts their workers. A delivery stream
   * whose worker cannot start (its table was dropped, its bucket deleted) is kept with status
   * {@link Status#CREATING_FAILED} and the reason, so that it can be described and deleted.
   *
   * @param dir where delivery streams are persisted, e.g. {@code DATA_DIR/delivery}
   * @param pollInterval how often each worker looks for new records
   * @param maxDeliveryStreams how many delivery streams may exist
   * @throws UncheckedIOException if {@code dir} cannot be created or read, or a file is unreadable
   */
  public static DeliveryEngine open(
      Path dir,
      StreamService streams,
      ObjectStore store,
      LakeCatalog catalog,
      Clock clock,
      Duration pollInterval,
      int maxDeliveryStreams) {
    if (pollInterval.isNegative() || pollInterval.isZero()) {
      throw new IllegalArgumentException("poll interval must be positive, was " + pollInterval);
    }
    if (maxDeliveryStreams < 1) {
      throw new IllegalArgumentException(
          "max delivery streams must be at least 1, was " + maxDeliveryStreams);
    }
    DeliveryEngine engine =
        new DeliveryEngine(dir, streams, store, catalog, clock, pollInterval, maxDeliveryStreams);
    engine.load();
    return engine;
  }

  private void load() {
    try {
      DurableFiles.createDirectories(dir);
      try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
        for (Path f : files) {
          JsonNode json = Json.mapper().readTree(Files.readAllBytes(f));
          DeliveryStreamConfig config = DeliveryStreamConfigParser.fromJson(json.get("config"));
          Entry e = new Entry(config, json.path("createdMillis").asLong(), Status.CREATING);
          entries.put(config.name(), e);
          try {
            e.worker = startWorker(config);
            e.status = Status.ACTIVE;
          } catch (RuntimeException ex) {
            e.status = Status.CREATING_FAILED;
            e.failure = ex.getMessage();
            LOG.atError()
                .addKeyValue("delivery", config.name())
                .setCause(ex)
                .log("cannot start delivery stream; describe it for the reason, or delete it");
          }
        }
      }
    } catch (IOException e) {
      close();
      throw new UncheckedIOException("cannot load delivery streams from " + dir, e);
    }
  }

  /**
   * Creates a delivery stream and starts delivering. The source stream, the destination table and
   * buckets must exist.
   *
   * @return the new delivery stream's description (status ACTIVE)
   * @throws BasinException {@link DeliveryErrorCode#DELIVERY_EXISTS} if the name is taken, {@link
   *     DeliveryErrorCode#DELIVERY_LIMIT_EXCEEDED} at the limit, {@link
   *     DeliveryErrorCode#INVALID_CONFIG} when something it names does not exist or the source is
   *     direct put (not built yet)
   */
  public synchronized Description create(DeliveryStreamConfig config) {
    checkOpen();
    if (entries.containsKey(config.name())) {
      throw new BasinException(
          DeliveryErrorCode.DELIVERY_EXISTS,
          "delivery stream '"
              + config.name()
              + "' already exists; delete it first with `basin delivery delete "
              + config.name()
              + "` or choose another name");
    }
    if (entries.size() >= maxDeliveryStreams) {
      throw new BasinException(
          DeliveryErrorCode.DELIVERY_LIMIT_EXCEEDED,
          "this server has "
              + entries.size()
              + " delivery streams, its limit (setting delivery.max-streams); delete one first");
    }
    checkReferences(config);
    DeliveryWorker worker = startWorker(config);
    Entry e = new Entry(config, clock.millis(), Status.CREATING);
    try {
      ObjectNode json = Json.mapper().createObjectNode();
      json.put("createdMillis", e.createdMillis);
      json.set("config", DeliveryStreamConfigParser.toJson(config));
      Json.writeAtomically(file(config.name()), json);
    } catch (RuntimeException ex) {
      worker.close();
      throw ex;
    }
    e.worker = worker;
    e.status = Status.ACTIVE;
    entries.put(config.name(), e);
    LOG.atInfo().addKeyValue("delivery", config.name()).log("delivery stream created");
    return describe(e);
  }

  private void checkReferences(DeliveryStreamConfig config) {
    if (!config.processors().isEmpty()) {
      // DeliveryStreamConfigParser does not persist processors yet: refuse rather than lose them
      throw DeliveryStreamConfig.invalid(
          "ProcessingConfiguration",
          "record processors cannot be saved by the delivery engine yet; create the delivery"
              + " stream without them");
    }
    if (config.source() instanceof DeliveryStreamConfig.DirectPut) {
      throw DeliveryStreamConfig.invalid(
          "Source",
          "direct put (PutRecord/PutRecordBatch) is not built yet; put the records into a Basin"
              + " stream and use it as the source (Firehose's KinesisStreamAsSource)");
    }
    String stream = config.sourceStream();
    try {
      streams.describe(stream);
    } catch (BasinException e) {
      if (e.code() == StreamErrorCode.STREAM_NOT_FOUND) {
        throw DeliveryStreamConfig.invalid(
            "Source.StreamName",
            "names stream '"
                + stream
                + "', which does not exist; create it with `basin stream create "
                + stream
                + "`");
      }
      throw e;
    }
    if (config.destination() instanceof DeliveryStreamConfig.IcebergTable t) {
      requireBucket("IcebergDestination.ErrorBucket", t.errorBucket());
      if (!catalog.iceberg().tableExists(TableIdentifier.of(t.database(), t.table()))) {
        throw DeliveryStreamConfig.invalid(
            "IcebergDestination.Table",
            "names table "
                + t.database()
                + "."
                + t.table()
                + ", which is not an Iceberg table of the catalog; create it with `basin catalog"
                + " create-table "
                + t.database()
                + "."
                + t.table()
                + " --column …`");
      }
    } else if (config.destination() instanceof DeliveryStreamConfig.RawObjects r) {
      requireBucket("S3Destination.BucketName", r.bucket());
    }
  }

  private void requireBucket(String field, String bucket) {
    if (store.bucket(bucket).isEmpty()) {
      throw DeliveryStreamConfig.invalid(
          field,
          "names bucket '"
              + bucket
              + "', which does not exist; create it with `basin s3 mb s3://"
              + bucket
              + "`");
    }
  }

  private DeliveryWorker startWorker(DeliveryStreamConfig config) {
    DeliveryWorker w =
        config.destination() instanceof DeliveryStreamConfig.IcebergTable
            ? DeliveryWorker.iceberg(config, streams, catalog, store, clock)
            : DeliveryWorker.rawObjects(config, streams, store, clock);
    w.start(pollInterval);
    return w;
  }

  /**
   * Stops a delivery stream's worker (records read but not yet delivered are not flushed) and
   * removes it durably.
   *
   * @throws BasinException {@link DeliveryErrorCode#DELIVERY_NOT_FOUND}
   */
  public synchronized void delete(String name) {
    checkOpen();
    Entry e = entry(name);
    e.status = Status.DELETING;
    DeliveryWorker w = e.worker;
    if (w != null) {
      w.close();
    }
    try {
      Files.deleteIfExists(file(name));
      DurableFiles.fsyncDirectory(dir);
    } catch (IOException ex) {
      throw new UncheckedIOException("cannot delete delivery stream file " + file(name), ex);
    }
    entries.remove(name);
    LOG.atInfo().addKeyValue("delivery", name).log("delivery stream deleted");
  }

  /**
   * The delivery stream's configuration, status and metrics.
   *
   * @throws BasinException {@link DeliveryErrorCode#DELIVERY_NOT_FOUND}
   */
  public Description describe(String name) {
    return describe(entry(name));
  }

  /** The names of every delivery stream, sorted. */
  public List<String> list() {
    return new ArrayList<>(entries.keySet());
  }

  /** Whether the engine has loaded its delivery streams and is not closed. */
  public boolean ready() {
    return !closed;
  }

  private Description describe(Entry e) {
    DeliveryWorker w = e.worker;
    DeliveryMetrics.Snapshot m =
        w != null ? w.metrics() : new DeliveryMetrics().snapshot(clock.millis());
    return new Description(e.config, e.status, e.createdMillis, e.failure, m);
  }

  private Entry entry(String name) {
    Entry e = name == null ? null : entries.get(name);
    if (e == null) {
      throw new BasinException(
          DeliveryErrorCode.DELIVERY_NOT_FOUND,
          "delivery stream '"
              + name
              + "' not found; list them with `basin delivery list` or create it with `basin"
              + " delivery create`");
    }
    return e;
  }

  private Path file(String name) {
    return dir.resolve(name + ".json");
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("the delivery engine is closed");
    }
  }

  /** Stops every worker; records read but not yet delivered are re-read on the next start. */
  @Override
  public synchronized void close() {
    closed = true;
    for (Entry e : entries.values()) {
      DeliveryWorker w = e.worker;
      if (w != null) {
        w.close();
      }
    }
  }
}
