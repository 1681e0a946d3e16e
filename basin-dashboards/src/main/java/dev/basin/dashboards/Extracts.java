package dev.basin.dashboards;

import com.fasterxml.jackson.databind.JsonNode;
import dev.basin.common.error.BasinException;
import dev.basin.common.io.DurableFiles;
import dev.basin.common.json.Json;
import dev.basin.spi.sql.SessionContext;
import dev.basin.sql.DuckDbSession;
import dev.basin.sql.DuckDbSqlEngine;
import dev.basin.sql.Sql;
import dev.basin.sql.plan.QueryPlanner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Datasets' extracts: each dataset with an enabled {@code extract} has its rows (source and
 * calculated fields, before row-level security) materialized to one Parquet file in {@code
 * directory/<dataset>/}, which visual queries read instead of the source while it is current.
 *
 * <p>A refresh writes {@code <id>.parquet.tmp}, fsyncs it, renames it atomically to {@code
 * <id>.parquet}, fsyncs the directory, records the new file in the metadata database and only then
 * deletes the previous file. A crash at any point leaves the previous extract readable; temporary
 * and unreferenced files are removed when the refresher starts.
 *
 * <p>One background thread polls every {@code pollInterval}: {@code onSnapshot} extracts are
 * rebuilt when the version of an input table differs from the one the file was built from, {@code
 * schedule} and {@code everySeconds} extracts when their next time has come; a missing or outdated
 * extract (new dataset, changed definition) is built at once. A refresh that fails is recorded with
 * its error and retried at the next trigger; visuals read the source meanwhile.
 *
 * <p>Thread-safe.
 */
final class Extracts implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Extracts.class);

  /** The session user that builds extracts (no row-level security applies to it). */
  static final String SYSTEM_USER = "basin-extracts";

  static final String READY = "ready";
  static final String FAILED = "failed";

  /** The last refresh attempt of a dataset query in this process. */
  private record Attempt(String querySql, Map<String, String> snapshots, Instant at) {}

  private final DashboardStore store;
  private final DuckDbSqlEngine engine;
  private final Clock clock;
  private final Path directory;
  private final Duration pollInterval;
  private final Supplier<List<Dataset>> datasets;
  private final Object lock = new Object();
  private final Map<String, String> running = new ConcurrentHashMap<>();
  private final Set<String> requested = ConcurrentHashMap.newKeySet();
  private final Map<String, Attempt> attempts = new ConcurrentHashMap<>();
  private final ScheduledExecutorService thread;
  private volatile DuckDbSession building;
  private volatile boolean closed;

  /**
   * @param directory where extract files live; DuckDB must be allowed to read and write below it
   * @param datasets every dataset as defined now
   */
  Extracts(
      DashboardStore store,
      DuckDbSqlEngine engine,
      Clock clock,
      Path directory,
      Duration pollInterval,
      Supplier<List<Dataset>> datasets) {
    this.store = store;
    this.engine = engine;
    this.clock = clock;
    this.directory = directory.toAbsolutePath().normalize();
    this.pollInterval = pollInterval;
    this.datasets = datasets;
    this.thread =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "basin-extract-refresher");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * The directory below the engine's lake (the only place DuckDB may read besides its work dir).
   */
  static Path directory(DuckDbSqlEngine engine) {
    Path lake = engine.config().lakeDirectory();
    // Without a local lake the work directory is the only readable place; the engine empties it
    // on start, so extracts are rebuilt after a restart there.
    return lake != null
        ? lake.resolve(".extracts")
        : engine.config().workDirectory().resolve("extracts");
  }

  /** Removes leftovers of a crash, then starts polling. */
  void start() {
    thread.execute(this::sweep);
    thread.scheduleWithFixedDelay(this::tick, 0, pollInterval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Asks for a poll now (after a dataset was created or changed). */
  void poke() {
    try {
      thread.execute(this::tick);
    } catch (RejectedExecutionException e) {
      // closed: nothing to refresh
    }
  }

  /**
   * Queues a refresh of the dataset's extract and returns its state.
   *
   * @throws BasinException INVALID_REQUEST if the dataset has no enabled extract
   */
  ExtractStatus requestRefresh(Dataset ds) {
    if (ds.extract() == null || !ds.extract().enabled()) {
      throw new BasinException(
          DashboardErrorCode.INVALID_REQUEST,
          "dataset '"
              + ds.name()
              + "' has no "
              + (ds.extract() == null ? "" : "enabled ")
              + "extract; add \"extract\": {\"refresh\": \"onSnapshot\"} to its definition with"
              + " PUT /api/v1/datasets/"
              + ds.name());
    }
    requested.add(ds.name());
    poke();
    return status(ds, store.extract(ds.name()).orElse(null));
  }

  /** The dataset's extract state, from its stored row (or null if it has none). */
  ExtractStatus status(Dataset ds, DashboardStore.StoredExtract row) {
    if (!ds.extract().enabled()) {
      return new ExtractStatus("disabled", 0, 0, null, 0, Map.of(), null);
    }
    String q = QueryBuilder.datasetSql(ds, null);
    boolean same = row != null && q.equals(row.querySql());
    String state;
    String run = running.get(ds.name());
    if (run != null) {
      state = run;
    } else if (requested.contains(ds.name())) {
      state = "queued";
    } else if (!same || READY.equals(row.status()) && !usable(row)) {
      state = "pending";
    } else {
      state = row.status();
    }
    if (!same) {
      return new ExtractStatus(state, 0, 0, null, 0, Map.of(), null);
    }
    return new ExtractStatus(
        state,
        row.rows(),
        row.bytes(),
        row.refreshedAt(),
        row.durationMs(),
        snapshots(row.sourceSnapshots()),
        row.lastError());
  }

  /**
   * The file visuals of this dataset should read, or null to read the source: the extract is
   * enabled, its last refresh succeeded, it was built from the dataset's current query and its file
   * exists.
   */
  Path readable(Dataset ds) {
    if (ds.extract() == null || !ds.extract().enabled()) {
      return null;
    }
    DashboardStore.StoredExtract row = store.extract(ds.name()).orElse(null);
    if (row == null
        || !READY.equals(row.status())
        || !row.querySql().equals(QueryBuilder.datasetSql(ds, null))
        || !usable(row)) {
      return null;
    }
    return Path.of(row.file());
  }

  /**
   * Runs {@code delete} (which removes the dataset and its extract row) and then deletes the
   * dataset's extract files; a refresh finishing meanwhile finds the dataset gone and deletes its
   * own file.
   */
  void deleting(String dataset, Runnable delete) {
    synchronized (lock) {
      delete.run();
      deleteQuietly(directory.resolve(dataset));
    }
    attempts.remove(dataset);
    requested.remove(dataset);
  }

  private static boolean usable(DashboardStore.StoredExtract row) {
    return row.file() != null && Files.isRegularFile(Path.of(row.file()));
  }

  // ------------------------------------------------------------------ refresher thread

  /** Deletes temporary files, files no row references and directories of deleted datasets. */
  private void sweep() {
    if (!Files.isDirectory(directory)) {
      return;
    }
    try {
      Set<String> names = new HashSet<>();
      for (Dataset d : datasets.get()) {
        names.add(d.name());
      }
      Set<Path> referenced = new HashSet<>();
      for (DashboardStore.StoredExtract e : store.extracts()) {
        if (e.file() != null) {
          referenced.add(Path.of(e.file()).toAbsolutePath().normalize());
        }
      }
      int removed = 0;
      synchronized (lock) {
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(directory)) {
          for (Path dir : dirs) {
            if (!names.contains(dir.getFileName().toString()) || !Files.isDirectory(dir)) {
              DurableFiles.deleteRecursively(dir);
              removed++;
              continue;
            }
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
              for (Path f : files) {
                if (!referenced.contains(f.toAbsolutePath().normalize())) {
                  Files.deleteIfExists(f);
                  removed++;
                }
              }
            }
          }
        }
      }
      if (removed > 0) {
        LOG.info(
            "extracts in {}: removed {} temporary or unreferenced files left by an earlier run",
            directory,
            removed);
      }
    } catch (IOException | RuntimeException e) {
      LOG.warn("extracts in {}: cannot remove leftover files: {}", directory, e.toString());
    }
  }

  private void tick() {
    if (closed) {
      return;
    }
    List<Dataset> all;
    Map<String, DashboardStore.StoredExtract> rows = new HashMap<>();
    try {
      all = datasets.get();
      for (DashboardStore.StoredExtract e : store.extracts()) {
        rows.put(e.dataset(), e);
      }
    } catch (RuntimeException e) {
      if (!closed) {
        LOG.warn("extract refresher: cannot list datasets: {}", e.toString());
      }
      return;
    }
    for (Dataset ds : all) {
      if (closed) {
        return;
      }
      try {
        DashboardStore.StoredExtract row = rows.get(ds.name());
        if (ds.extract() == null || !ds.extract().enabled()) {
          if (row != null) {
            dropExtract(ds.name());
          }
          requested.remove(ds.name());
          continue;
        }
        String q = QueryBuilder.datasetSql(ds, null);
        if (requested.remove(ds.name()) || due(ds, q, row)) {
          refresh(ds, q, row);
        }
      } catch (RuntimeException e) {
        if (!closed) {
          LOG.warn("extract of dataset '{}': refresh check failed: {}", ds.name(), e.toString());
        }
      }
    }
  }

  private boolean due(Dataset ds, String q, DashboardStore.StoredExtract row) {
    Attempt last = attempts.get(ds.name());
    if (last == null || !last.querySql().equals(q)) {
      if (row == null || !row.querySql().equals(q)) {
        return true;
      }
      last = new Attempt(q, snapshots(row.sourceSnapshots()), row.attemptedAt());
      if (READY.equals(row.status()) && !usable(row)) {
        return true;
      }
      if (FAILED.equals(row.status())) {
        // A failure recorded by an earlier run: try once more after a restart.
        return true;
      }
    }
    Dataset.Extract x = ds.extract();
    Instant now = clock.instant();
    switch (x.refresh()) {
      case Dataset.Extract.SCHEDULE:
        Instant next = CronSchedule.parse(x.schedule()).next(last.at());
        return next != null && !next.isAfter(now);
      case Dataset.Extract.EVERY_SECONDS:
        return !last.at().plusSeconds(x.everySeconds()).isAfter(now);
      default:
        Map<String, String> current;
        try (DuckDbSession s = engine.openSession(new SessionContext(SYSTEM_USER, null))) {
          current = ResultCache.inputVersions(s.plan(q).scans());
        } catch (RuntimeException e) {
          // The source cannot be planned now (a table was dropped…): visuals fail on it anyway,
          // and the next successful poll compares again.
          LOG.debug("extract of dataset '{}': cannot plan the source: {}", ds.name(), e.toString());
          return false;
        }
        return !current.equals(last.snapshots());
    }
  }

  /** Builds a new extract file and swaps it in, or records why that failed. */
  private void refresh(Dataset ds, String q, DashboardStore.StoredExtract previous) {
    boolean serving =
        previous != null
            && READY.equals(previous.status())
            && previous.querySql().equals(q)
            && usable(previous);
    running.put(ds.name(), serving ? "refreshing" : "building");
    long start = System.nanoTime();
    Map<String, String> snaps = null;
    Path dir = directory.resolve(ds.name());
    String id = UUID.randomUUID().toString();
    Path tmp = dir.resolve(id + ".parquet.tmp");
    Path file = dir.resolve(id + ".parquet");
    try (DuckDbSession s = engine.openSession(new SessionContext(SYSTEM_USER, null))) {
      building = s;
      if (closed) {
        return;
      }
      QueryPlanner.Planned planned = s.plan(q);
      snaps = ResultCache.inputVersions(planned.scans());
      DurableFiles.createDirectories(dir);
      long rows =
          s.updateInternal(
              "COPY ("
                  + planned.sql()
                  + "\n) TO "
                  + Sql.quoteString(tmp.toString())
                  + " (FORMAT parquet, COMPRESSION zstd)");
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ch.force(true);
      }
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file);
      }
      DurableFiles.fsyncDirectory(dir);
      long bytes = Files.size(file);
      Instant now = clock.instant();
      long ms = (System.nanoTime() - start) / 1_000_000;
      synchronized (lock) {
        boolean recorded =
            store.putExtract(
                new DashboardStore.StoredExtract(
                    ds.name(),
                    q,
                    file.toString(),
                    rows,
                    bytes,
                    Json.write(new TreeMap<>(snaps)),
                    now,
                    now,
                    ms,
                    READY,
                    null));
        if (!recorded) {
          deleteQuietly(dir);
          return;
        }
        if (previous != null
            && previous.file() != null
            && !previous.file().equals(file.toString())) {
          // The new extract is recorded: failing to delete the old file must not undo that.
          deleteQuietly(Path.of(previous.file()));
        }
      }
      attempts.put(ds.name(), new Attempt(q, snaps, now));
      LOG.info(
          "extract of dataset '{}': {} rows, {} bytes in {} ms from {}",
          ds.name(),
          rows,
          bytes,
          ms,
          snaps);
    } catch (IOException | RuntimeException e) {
      deleteQuietly(tmp);
      if (closed) {
        return;
      }
      String why =
          e instanceof IOException
              ? "cannot write the extract file in " + dir + ": " + e
              : String.valueOf(e.getMessage());
      Instant now = clock.instant();
      long ms = (System.nanoTime() - start) / 1_000_000;
      // The previous file stays recorded (and on disk, unread) until a refresh succeeds; reads go
      // to the source while the status is failed.
      store.putExtract(
          new DashboardStore.StoredExtract(
              ds.name(),
              q,
              previous == null ? null : previous.file(),
              previous == null ? 0 : previous.rows(),
              previous == null ? 0 : previous.bytes(),
              previous == null ? "{}" : previous.sourceSnapshots(),
              previous == null ? null : previous.refreshedAt(),
              now,
              ms,
              FAILED,
              why));
      attempts.put(ds.name(), new Attempt(q, snaps, now));
      LOG.warn(
          "extract of dataset '{}': refresh failed; visuals read the source: {}", ds.name(), why);
    } finally {
      building = null;
      running.remove(ds.name());
    }
  }

  /** Forgets the extract of a dataset whose definition no longer has one (or disabled it). */
  private void dropExtract(String dataset) {
    synchronized (lock) {
      store.deleteExtract(dataset);
      deleteQuietly(directory.resolve(dataset));
    }
    attempts.remove(dataset);
  }

  private static Map<String, String> snapshots(String json) {
    Map<String, String> out = new TreeMap<>();
    Json.read(json, JsonNode.class)
        .fields()
        .forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
    return out;
  }

  /** Deletes a file or directory tree; a failure is logged (the next start sweeps it). */
  private static void deleteQuietly(Path p) {
    try {
      DurableFiles.deleteRecursively(p);
    } catch (IOException | UncheckedIOException e) {
      LOG.warn("cannot delete {} (removed at the next start): {}", p, e.toString());
    }
  }

  /** Stops the refresher, cancelling a refresh in progress (its temporary file is swept later). */
  @Override
  public void close() {
    closed = true;
    DuckDbSession s = building;
    if (s != null) {
      try {
        s.cancel();
      } catch (RuntimeException e) {
        LOG.debug("cancelling the extract refresh failed", e);
      }
    }
    thread.shutdownNow();
    try {
      if (!thread.awaitTermination(30, TimeUnit.SECONDS)) {
        LOG.warn("the extract refresher did not stop within 30 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
