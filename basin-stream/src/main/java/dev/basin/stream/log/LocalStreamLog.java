package dev.basin.stream.log;

import dev.basin.common.io.DurableFiles;
import dev.basin.spi.stream.ShardLog;
import dev.basin.spi.stream.StreamLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The default {@link dev.basin.spi.stream.StreamLog}: shard logs stored on local disk under {@code
 * root/<stream>/<shardId>/} as segment files {@code <20-digit base offset>.log} with sparse index
 * files {@code <base>.idx} (formats in {@code RecordBatch} and {@code IndexFile}).
 *
 * <p>Every shard log of one instance shares a small pool of flusher threads ({@code max(2, min(8,
 * processors))}). A shard has at most one fsync in flight and the appends written during it share
 * the next one, so the pool bounds thread count without limiting batching, and a busy shard cannot
 * hold a thread forever: after each fsync it queues behind the other shards.
 *
 * <p>Thread-safe. Stream names and shard ids must match {@code [A-Za-z0-9_.-]{1,128}} and not be
 * {@code .} or {@code ..}.
 */
public final class LocalStreamLog implements StreamLog {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,128}");
  private static final String TRASH_MARK = "~deleted~";

  private record ShardKey(String stream, String shardId) {}

  private final LocalStreamLogConfig config;
  private final Clock clock;
  private final Path root;
  private final ScheduledThreadPoolExecutor flusher;
  private final Map<ShardKey, SegmentedShardLog> logs = new ConcurrentHashMap<>();
  private final Object lifecycle = new Object();
  private volatile boolean closed;

  /** A log using the system clock for arrival timestamps. */
  public LocalStreamLog(LocalStreamLogConfig config) {
    this(config, Clock.systemUTC());
  }

  /**
   * A log taking arrival timestamps from {@code clock}. Creates {@code config.root()} durably and
   * finishes removing streams whose deletion was interrupted.
   *
   * @throws UncheckedIOException if the root directory cannot be created or read
   */
  public LocalStreamLog(LocalStreamLogConfig config, Clock clock) {
    this.config = Objects.requireNonNull(config, "config");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.root = config.root().toAbsolutePath();
    try {
      Uninterruptible.run(() -> DurableFiles.createDirectories(root));
      purgeTrash();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare stream log directory " + root, e);
    }
    int threads = Math.max(2, Math.min(8, Runtime.getRuntime().availableProcessors()));
    this.flusher = new ScheduledThreadPoolExecutor(threads, daemonThreads());
    flusher.setRemoveOnCancelPolicy(true);
  }

  public LocalStreamLogConfig config() {
    return config;
  }

  /**
   * {@inheritDoc}
   *
   * <p>Opening a shard for the first time in this process recovers it from disk (see {@link
   * ShardLog}); the shard directory is durable when this returns.
   *
   * @throws IllegalArgumentException if a name is not a valid stream name or shard id
   * @throws IllegalStateException if this log is closed
   * @throws UncheckedIOException if the shard cannot be opened or recovered
   */
  @Override
  public ShardLog open(String stream, String shardId) {
    ShardKey key = new ShardKey(checkName("stream", stream), checkName("shardId", shardId));
    SegmentedShardLog log = logs.get(key);
    if (log != null && !log.isClosed()) {
      return log;
    }
    synchronized (lifecycle) {
      checkOpen();
      log = logs.get(key);
      if (log == null || log.isClosed()) {
        log = SegmentedShardLog.open(root.resolve(stream).resolve(shardId), config, clock, flusher);
        logs.put(key, log);
      }
      return log;
    }
  }

  /** {@inheritDoc} Returns an empty set for an unknown stream. */
  @Override
  public Set<String> shards(String stream) {
    Path dir = root.resolve(checkName("stream", stream));
    Set<String> shards = new TreeSet<>();
    try (Stream<Path> entries = Files.list(dir)) {
      entries
          .filter(Files::isDirectory)
          .map(p -> p.getFileName().toString())
          .filter(LocalStreamLog::isValidName)
          .forEach(shards::add);
    } catch (NoSuchFileException e) {
      return Set.of();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list shards of stream '" + stream + "' in " + dir, e);
    }
    return Collections.unmodifiableSet(shards);
  }

  /**
   * {@inheritDoc}
   *
   * <p>The stream directory is renamed away atomically and then deleted, so after a crash the
   * stream is either fully present or gone; the removal is durable when this returns.
   */
  @Override
  public void delete(String stream) {
    checkName("stream", stream);
    synchronized (lifecycle) {
      List<RuntimeException> errors = new ArrayList<>();
      logs.entrySet()
          .removeIf(
              e -> {
                if (!e.getKey().stream().equals(stream)) {
                  return false;
                }
                closeQuietly(e.getValue(), errors);
                return true;
              });
      Path dir = root.resolve(stream);
      Path trash = root.resolve(stream + TRASH_MARK + UUID.randomUUID());
      try {
        if (Files.exists(dir)) {
          Files.move(dir, trash, StandardCopyOption.ATOMIC_MOVE);
          Uninterruptible.run(() -> DurableFiles.fsyncDirectory(root));
          DurableFiles.deleteRecursively(trash);
          Uninterruptible.run(() -> DurableFiles.fsyncDirectory(root));
        }
      } catch (IOException e) {
        errors.add(new UncheckedIOException("cannot delete stream directory " + dir, e));
      }
      throwFirst(errors);
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>Each shard log waits for its accepted appends to become durable before closing; then the
   * flusher threads stop. Idempotent.
   */
  @Override
  public void close() {
    List<RuntimeException> errors = new ArrayList<>();
    synchronized (lifecycle) {
      if (closed) {
        return;
      }
      closed = true;
      for (SegmentedShardLog log : logs.values()) {
        closeQuietly(log, errors);
      }
      logs.clear();
    }
    flusher.shutdown();
    try {
      if (!flusher.awaitTermination(1, TimeUnit.MINUTES)) {
        errors.add(new IllegalStateException("flusher threads of " + root + " did not stop"));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    throwFirst(errors);
  }

  private void purgeTrash() throws IOException {
    try (Stream<Path> entries = Files.list(root)) {
      for (Path p : (Iterable<Path>) entries::iterator) {
        if (p.getFileName().toString().contains(TRASH_MARK)) {
          DurableFiles.deleteRecursively(p);
        }
      }
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("stream log " + root + " is closed");
    }
  }

  private static String checkName(String what, String name) {
    if (name == null || !isValidName(name)) {
      throw new IllegalArgumentException(
          what + " '" + name + "' is invalid: use 1-128 characters of A-Z a-z 0-9 _ . -");
    }
    return name;
  }

  private static boolean isValidName(String name) {
    return NAME.matcher(name).matches() && !name.equals(".") && !name.equals("..");
  }

  private static void closeQuietly(SegmentedShardLog log, List<RuntimeException> errors) {
    try {
      log.close();
    } catch (RuntimeException e) {
      errors.add(e);
    }
  }

  private static void throwFirst(List<RuntimeException> errors) {
    if (errors.isEmpty()) {
      return;
    }
    RuntimeException first = errors.get(0);
    for (int i = 1; i < errors.size(); i++) {
      first.addSuppressed(errors.get(i));
    }
    throw first;
  }

  private static ThreadFactory daemonThreads() {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, "basin-log-flusher-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
