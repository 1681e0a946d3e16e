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
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
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
 * <p>Direct-put delivery streams get an internal stream ({@link
 * DeliveryStreamConfig#sourceStream()}) when they are created; {@link #put} appends to it and
 * returns once the records are durable there; {@link #delete} deletes it with the delivery stream.
 *
 * <p>Small files: every {@code compactionInterval} a background thread compacts the small data
 * files of each Iceberg destination ({@link dev.basin.catalog.TableMaintenance#rewriteDataFiles})
 * and expires snapshots older than {@code snapshotRetention} (always keeping each delivery's
 * checkpoint snapshot); {@link #maintainNow()} does the same at once.
 *
 * <p>Thread-safe: create and delete are serialized; describe, list, put and maintenance may run
 * concurrently with them.
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

  /** Default period of the background compaction of Iceberg destinations. */
  public static final Duration DEFAULT_COMPACTION_INTERVAL = Duration.ofMinutes(10);

  /** Default age after which snapshots of Iceberg destinations are expired. */
  public static final Duration DEFAULT_SNAPSHOT_RETENTION = Duration.ofHours(1);

  /**
   * Learns when delivery streams appear and disappear (e.g. to publish their metrics). Called
   * synchronously, from {@link #open} and {@link #create} (after the delivery stream exists) and
   * {@link #delete} (after it is gone); must not call back into the engine's create or delete.
   */
  public interface Listener {
    /** A delivery stream exists; {@code metrics} reads its counters now (zeros if not running). */
    void created(String name, Supplier<DeliveryMetrics.Snapshot> metrics);

    /** A delivery stream was deleted. */
    void deleted(String name);

    /** Listens to nothing. */
    Listener NONE =
        new Listener() {
          @Override
          public void created(String name, Supplier<DeliveryMetrics.Snapshot> metrics) {}

          @Override
          public void deleted(String name) {}
        };
  }

  /**
   * The engine's settings.
   *
   * @param pollInterval how often each worker looks for new records
   * @param maxDeliveryStreams how many delivery streams may exist
   * @param compactionInterval period of the background maintenance of Iceberg destinations
   * @param snapshotRetention snapshots older than this are expired by maintenance
   * @param listener told about created and deleted delivery streams
   */
  public record Options(
      Duration pollInterval,
      int maxDeliveryStreams,
      Duration compactionInterval,
      Duration snapshotRetention,
      Listener listener) {
    public Options {
      if (pollInterval == null || pollInterval.isNegative() || pollInterval.isZero()) {
        throw new IllegalArgumentException("poll interval must be positive, was " + pollInterval);
      }
      if (maxDeliveryStreams < 1) {
        throw new IllegalArgumentException(
            "max delivery streams must be at least 1, was " + maxDeliveryStreams);
      }
      if (compactionInterval == null
          || compactionInterval.isNegative()
          || compactionInterval.isZero()) {
        throw new IllegalArgumentException(
            "compaction interval must be positive, was " + compactionInterval);
      }
      if (snapshotRetention == null || snapshotRetention.isNegative()) {
        throw new IllegalArgumentException(
            "snapshot retention must not be negative, was " + snapshotRetention);
      }
      listener = listener == null ? Listener.NONE : listener;
    }

    /** The defaults, with this poll interval and limit. */
    public static Options of(Duration pollInterval, int maxDeliveryStreams) {
      return new Options(
          pollInterval,
          maxDeliveryStreams,
          DEFAULT_COMPACTION_INTERVAL,
          DEFAULT_SNAPSHOT_RETENTION,
          Listener.NONE);
    }
  }

  /**
   * What one maintenance pass did to one Iceberg table.
   *
   * @param table {@code database.table}
   * @param filesBefore data files before compaction
   * @param filesAfter data files after compaction
   * @param snapshotsExpired snapshots expired
   */
  public record MaintenanceResult(
      String table, int filesBefore, int filesAfter, int snapshotsExpired) {}

  private static final class Entry {
    final DeliveryStreamConfig config;
    final long createdMillis;
    volatile Status status;
    volatile DeliveryWorker worker;
    volatile DirectPutSource directPut;
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
  private final Options options;
  private final Map<String, Entry> entries = new ConcurrentSkipListMap<>();
  private final Object maintenanceLock = new Object();
  private final ScheduledExecutorService maintenance;
  private volatile boolean closed;

  private DeliveryEngine(
      Path dir,
      StreamService streams,
      ObjectStore store,
      LakeCatalog catalog,
      Clock clock,
      Options options) {
    this.dir = dir;
    this.streams = streams;
    this.store = store;
    this.catalog = catalog;
    this.clock = clock;
    this.options = options;
    this.pollInterval = options.pollInterval();
    this.maxDeliveryStreams = options.maxDeliveryStreams();
    this.maintenance =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "basin-delivery-maintenance");
              t.setDaemon(true);
              return t;
            });
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
    return open(dir, streams, store, catalog, clock, Options.of(pollInterval, maxDeliveryStreams));
  }

  /**
   * As {@link #open(Path, StreamService, ObjectStore, LakeCatalog, Clock, Duration, int)}, with
   * every setting, and starts the background maintenance of Iceberg destinations.
   */
  public static DeliveryEngine open(
      Path dir,
      StreamService streams,
      ObjectStore store,
      LakeCatalog catalog,
      Clock clock,
      Options options) {
    DeliveryEngine engine = new DeliveryEngine(dir, streams, store, catalog, clock, options);
    engine.load();
    long period = options.compactionInterval().toMillis();
    engine.maintenance.scheduleWithFixedDelay(
        engine::maintainQuietly, period, period, TimeUnit.MILLISECONDS);
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
          options.listener().created(config.name(), () -> describe(e).metrics());
          try {
            e.directPut = directPut(config);
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
   *     DeliveryErrorCode#INVALID_CONFIG} when something it names does not exist or a processor
   *     cannot be loaded
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
    // the internal stream of a direct put must exist before the worker reads it
    DirectPutSource directPut = directPut(config);
    DeliveryWorker worker;
    try {
      worker = startWorker(config);
    } catch (RuntimeException ex) {
      deleteInternalStream(config);
      throw ex;
    }
    Entry e = new Entry(config, clock.millis(), Status.CREATING);
    try {
      ObjectNode json = Json.mapper().createObjectNode();
      json.put("createdMillis", e.createdMillis);
      json.set("config", DeliveryStreamConfigParser.toJson(config));
      Json.writeAtomically(file(config.name()), json);
    } catch (RuntimeException ex) {
      worker.close();
      deleteInternalStream(config);
      throw ex;
    }
    e.worker = worker;
    e.directPut = directPut;
    e.status = Status.ACTIVE;
    entries.put(config.name(), e);
    options.listener().created(config.name(), () -> describe(e).metrics());
    LOG.atInfo().addKeyValue("delivery", config.name()).log("delivery stream created");
    return describe(e);
  }

  private void checkReferences(DeliveryStreamConfig config) {
    String stream = config.sourceStream();
    try {
      if (config.source() instanceof DeliveryStreamConfig.StreamSource) {
        streams.describe(stream);
      }
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

  /** The direct-put side of a direct-put delivery, its internal stream created; else null. */
  private DirectPutSource directPut(DeliveryStreamConfig config) {
    if (!(config.source() instanceof DeliveryStreamConfig.DirectPut)) {
      return null;
    }
    DirectPutSource source = new DirectPutSource(config, streams);
    source.ensureStream();
    return source;
  }

  private void deleteInternalStream(DeliveryStreamConfig config) {
    if (!(config.source() instanceof DeliveryStreamConfig.DirectPut)) {
      return;
    }
    try {
      streams.deleteStream(config.sourceStream());
    } catch (BasinException e) {
      if (e.code() != StreamErrorCode.STREAM_NOT_FOUND) {
        throw e;
      }
    }
  }

  /**
   * Puts records into a direct-put delivery stream (Firehose's PutRecordBatch): see {@link
   * DirectPutSource#put(List)}. A record reported stored is durable in the internal stream when
   * this returns and will be delivered exactly once.
   *
   * @throws BasinException {@link DeliveryErrorCode#DELIVERY_NOT_FOUND}; {@link
   *     DeliveryErrorCode#INVALID_REQUEST} when the delivery reads a stream (put into that stream
   *     instead), the batch breaks a limit, or the delivery stream could not start
   */
  public List<DirectPutSource.PutResult> put(String name, List<byte[]> records) {
    Entry e = entry(name);
    if (e.config.source() instanceof DeliveryStreamConfig.StreamSource s) {
      throw new BasinException(
          DeliveryErrorCode.INVALID_REQUEST,
          "delivery stream '"
              + name
              + "' reads stream '"
              + s.streamName()
              + "'; put the records into that stream instead (`basin stream put "
              + s.streamName()
              + "`)");
    }
    DirectPutSource source = e.directPut;
    if (source == null || e.status != Status.ACTIVE) {
      throw new BasinException(
          DeliveryErrorCode.INVALID_REQUEST,
          "delivery stream '"
              + name
              + "' is "
              + e.status
              + (e.failure != null ? " (" + e.failure + ")" : "")
              + "; it accepts records only when ACTIVE");
    }
    return source.put(records);
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
   * removes it durably; a direct-put delivery's internal stream is deleted with it, records not yet
   * delivered included.
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
    // after the config file: a crash in between leaves an unused stream, never a delivery
    // stream without its records
    deleteInternalStream(e.config);
    options.listener().deleted(name);
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

  private void maintainQuietly() {
    try {
      maintainNow();
    } catch (RuntimeException e) {
      LOG.atWarn().setCause(e).log("delivery table maintenance failed; retrying next interval");
    }
  }

  /**
   * Maintains every Iceberg table that an ACTIVE delivery stream writes to, now: compacts its small
   * data files (below the table's {@code write.target-file-size-bytes}) and expires snapshots older
   * than the snapshot retention, keeping each delivery's newest checkpoint snapshot so that
   * deliveries resume exactly once. Safe beside running deliveries (their appends and the rewrite
   * commit through Iceberg's optimistic concurrency). Serialized with the background maintenance.
   *
   * @return what was done, one result per table
   * @throws RuntimeException the first table whose maintenance failed (the others were still
   *     maintained)
   */
  public List<MaintenanceResult> maintainNow() {
    synchronized (maintenanceLock) {
      Set<TableIdentifier> tables = new LinkedHashSet<>();
      for (Entry e : entries.values()) {
        if (e.status == Status.ACTIVE
            && e.config.destination() instanceof DeliveryStreamConfig.IcebergTable t) {
          tables.add(TableIdentifier.of(t.database(), t.table()));
        }
      }
      List<MaintenanceResult> results = new ArrayList<>();
      RuntimeException failure = null;
      for (TableIdentifier id : tables) {
        try {
          results.add(maintain(id));
        } catch (RuntimeException ex) {
          LOG.atWarn().addKeyValue("table", id).setCause(ex).log("table maintenance failed");
          if (failure == null) {
            failure = ex;
          }
        }
      }
      if (failure != null) {
        throw failure;
      }
      return results;
    }
  }

  private MaintenanceResult maintain(TableIdentifier id) {
    Table table = catalog.iceberg().loadTable(id);
    int before = dataFiles(table);
    long target =
        Long.parseLong(
            table
                .properties()
                .getOrDefault(
                    TableProperties.WRITE_TARGET_FILE_SIZE_BYTES,
                    Long.toString(TableProperties.WRITE_TARGET_FILE_SIZE_BYTES_DEFAULT)));
    catalog.maintenance().rewriteDataFiles(table, target, 2);
    int expired =
        catalog
            .maintenance()
            .expireSnapshots(
                table, Instant.ofEpochMilli(clock.millis()).minus(options.snapshotRetention()), 1)
            .snapshotsExpired();
    int after = dataFiles(table);
    LOG.atDebug()
        .addKeyValue("table", id)
        .addKeyValue("filesBefore", before)
        .addKeyValue("filesAfter", after)
        .addKeyValue("snapshotsExpired", expired)
        .log("maintained delivery table");
    return new MaintenanceResult(id.toString(), before, after, expired);
  }

  private static int dataFiles(Table table) {
    table.refresh();
    var s = table.currentSnapshot();
    return s == null ? 0 : Integer.parseInt(s.summary().getOrDefault("total-data-files", "0"));
  }

  /** Stops every worker; records read but not yet delivered are re-read on the next start. */
  @Override
  public synchronized void close() {
    closed = true;
    // no interrupt: an interrupted commit would leave its outcome unknown
    maintenance.shutdown();
    for (Entry e : entries.values()) {
      DeliveryWorker w = e.worker;
      if (w != null) {
        w.close();
      }
    }
    try {
      if (!maintenance.awaitTermination(60, TimeUnit.SECONDS)) {
        LOG.warn("table maintenance still running after 60 s; leaving it to finish");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
