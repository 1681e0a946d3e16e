package dev.basin.stream.log;

import static dev.basin.stream.log.LogTestSupport.SHARD;
import static dev.basin.stream.log.LogTestSupport.STREAM;
import static dev.basin.stream.log.LogTestSupport.copyDir;
import static dev.basin.stream.log.LogTestSupport.readAll;
import static dev.basin.stream.log.LogTestSupport.segmentFiles;
import static dev.basin.stream.log.LogTestSupport.shardDir;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.basin.spi.stream.AppendResult;
import dev.basin.spi.stream.LogRecord;
import dev.basin.spi.stream.ShardLog;
import dev.basin.spi.stream.StoredRecord;
import dev.basin.testing.ManualClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Acknowledgement and fsync behaviour of the two fsync modes, close, and thread interrupts. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FsyncModeTest {
  @TempDir Path tmp;
  private final ManualClock clock = new ManualClock(1_700_000_000_000L);

  private static List<LogRecord> batch(String prefix, int n) {
    List<LogRecord> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new LogRecord(prefix + "-" + i, ("payload-" + prefix + "-" + i).getBytes()));
    }
    return out;
  }

  @Test
  void intervalModeAcknowledgesOnWriteBeforeAnyFsync() throws Exception {
    Path root = tmp.resolve("interval");
    LocalStreamLogConfig config =
        LocalStreamLogConfig.defaults(root)
            .withFsyncMode(LocalStreamLogConfig.FsyncMode.INTERVAL)
            .withFsyncInterval(Duration.ofHours(1));
    try (LocalStreamLog streams = new LocalStreamLog(config, clock)) {
      SegmentedShardLog log = (SegmentedShardLog) streams.open(STREAM, SHARD);
      CompletableFuture<AppendResult> first = log.append(batch("a", 3));
      CompletableFuture<AppendResult> second = log.append(batch("b", 2));
      assertThat(first).isCompleted();
      assertThat(second).isCompleted();
      assertThat(log.endOffset()).isEqualTo(5);
      assertThat(log.read(0, 10, Long.MAX_VALUE).records()).hasSize(5);
      assertThat(log.fsyncedOffset()).as("the hourly timer has not run").isZero();
      assertThat(Files.size(segmentFiles(shardDir(root)).get(0))).isPositive();

      // Copying the files of a log that was never closed is what a process kill leaves behind.
      Path copy = tmp.resolve("after-kill");
      copyDir(root, copy);
      try (LocalStreamLog recovered =
          new LocalStreamLog(LocalStreamLogConfig.defaults(copy), clock)) {
        List<StoredRecord> records = readAll(recovered.open(STREAM, SHARD));
        assertThat(records)
            .extracting(StoredRecord::key)
            .containsExactly("a-0", "a-1", "a-2", "b-0", "b-1");
      }
    }
  }

  @Test
  void intervalModeFsyncsOnItsTimer() throws Exception {
    LocalStreamLogConfig config =
        LocalStreamLogConfig.defaults(tmp)
            .withFsyncMode(LocalStreamLogConfig.FsyncMode.INTERVAL)
            .withFsyncInterval(Duration.ofMillis(10));
    try (LocalStreamLog streams = new LocalStreamLog(config, clock)) {
      SegmentedShardLog log = (SegmentedShardLog) streams.open(STREAM, SHARD);
      log.append(batch("a", 4)).get();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (log.fsyncedOffset() < 4 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertThat(log.fsyncedOffset()).isEqualTo(4);
    }
  }

  @Test
  void groupModeAcknowledgesOnlyWhatIsFsynced() throws Exception {
    try (LocalStreamLog streams = new LocalStreamLog(LocalStreamLogConfig.defaults(tmp), clock)) {
      SegmentedShardLog log = (SegmentedShardLog) streams.open(STREAM, SHARD);
      for (int i = 0; i < 20; i++) {
        AppendResult r = log.append(batch("g" + i, 2)).get();
        assertThat(log.fsyncedOffset()).isGreaterThan(r.lastOffset());
        assertThat(log.endOffset()).isGreaterThan(r.lastOffset());
      }
    }
  }

  @Test
  void closeCompletesAppendsInFlightFromManyThreads() throws Exception {
    Path root = tmp.resolve("close");
    int threads = 8;
    int perThread = 50;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<CompletableFuture<AppendResult>> futures = new ArrayList<>();
    try {
      LocalStreamLog streams = new LocalStreamLog(LocalStreamLogConfig.defaults(root), clock);
      ShardLog log = streams.open(STREAM, SHARD);
      CountDownLatch start = new CountDownLatch(1);
      List<Future<List<CompletableFuture<AppendResult>>>> submitted = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        submitted.add(
            pool.submit(
                () -> {
                  start.await();
                  List<CompletableFuture<AppendResult>> mine = new ArrayList<>();
                  for (int i = 0; i < perThread; i++) {
                    mine.add(log.append(batch("t" + thread + "-" + i, 1)));
                  }
                  return mine;
                }));
      }
      start.countDown();
      for (Future<List<CompletableFuture<AppendResult>>> f : submitted) {
        futures.addAll(f.get());
      }
      streams.close();
      assertThat(futures).allSatisfy(f -> assertThat(f).isCompleted());
      assertThat(futures).noneMatch(CompletableFuture::isCompletedExceptionally);
      assertThatThrownBy(() -> log.append(batch("late", 1)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("closed");
    } finally {
      pool.shutdownNow();
    }
    try (LocalStreamLog streams = new LocalStreamLog(LocalStreamLogConfig.defaults(root), clock)) {
      assertThat(streams.open(STREAM, SHARD).endOffset()).isEqualTo(threads * perThread);
    }
  }

  @Test
  void anInterruptedThreadDoesNotBreakTheLogForOthers() throws Exception {
    LocalStreamLogConfig config =
        LocalStreamLogConfig.defaults(tmp).withSegmentBytes(300).withIndexIntervalBytes(50);
    try (LocalStreamLog streams = new LocalStreamLog(config, clock)) {
      ShardLog log = streams.open(STREAM, SHARD);
      for (int i = 0; i < 20; i++) {
        log.append(batch("pre" + i, 2)).get();
      }
      Thread.currentThread().interrupt();
      try {
        assertThat(log.read(0, 100, Long.MAX_VALUE).records()).hasSize(40);
        CompletableFuture<AppendResult> f = log.append(batch("while-interrupted", 2));
        assertThat(Thread.currentThread().isInterrupted()).as("interrupt status kept").isTrue();
        assertThat(Thread.interrupted()).isTrue();
        assertThat(f.get().firstOffset()).isEqualTo(40);
      } finally {
        Thread.interrupted();
      }
      ExecutorService other = Executors.newSingleThreadExecutor();
      try {
        assertThat(other.submit(() -> log.append(batch("other", 1)).get()).get().firstOffset())
            .isEqualTo(42);
        assertThat(other.submit(() -> readAll(log).size()).get()).isEqualTo(43);
      } finally {
        other.shutdownNow();
      }
    }
  }
}
