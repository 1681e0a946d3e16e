package dev.basin.testing.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.basin.spi.stream.AppendResult;
import dev.basin.spi.stream.LogRecord;
import dev.basin.spi.stream.OffsetOutOfRangeException;
import dev.basin.spi.stream.ReadResult;
import dev.basin.spi.stream.ShardLog;
import dev.basin.spi.stream.StoredRecord;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The behaviour every {@link ShardLog} implementation must show, in the style of Iceberg's {@code
 * CatalogTests}: a backend's test extends this class and supplies fresh logs and a way to reopen
 * one.
 *
 * <p>Nothing here depends on wall-clock time: timestamps are compared with the ones the log
 * reported in its {@link AppendResult}s.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class AbstractShardLogContractTest {
  private static final long AWAIT_SECONDS = 30;
  private final List<ShardLog> opened = new ArrayList<>();

  /** A new, empty log, independent of every other log this test created. */
  protected abstract ShardLog newLog();

  /**
   * Closes {@code log} and opens it again from its stored state, as after a restart. A backend
   * without storage may return a new view over the same in-memory state.
   */
  protected abstract ShardLog reopen(ShardLog log);

  @AfterEach
  void closeLogs() {
    for (ShardLog log : opened) {
      log.close();
    }
    opened.clear();
  }

  private ShardLog log() {
    ShardLog log = newLog();
    opened.add(log);
    return log;
  }

  private ShardLog reopened(ShardLog log) {
    ShardLog again = reopen(log);
    opened.add(again);
    return again;
  }

  protected static LogRecord record(String key, String data) {
    return new LogRecord(key, data.getBytes(StandardCharsets.UTF_8));
  }

  /** A batch of {@code n} records whose keys and payloads name their batch and position. */
  protected static List<LogRecord> batch(String prefix, int n) {
    List<LogRecord> records = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      records.add(record(prefix + "-k" + i, prefix + "-data-" + i));
    }
    return records;
  }

  protected static AppendResult await(CompletableFuture<AppendResult> future) {
    try {
      return future.get(AWAIT_SECONDS, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("append did not complete", e);
    }
  }

  /** Every readable record from {@code from}, read in small pieces. */
  protected static List<StoredRecord> readAll(ShardLog log, long from) {
    List<StoredRecord> all = new ArrayList<>();
    long next = from;
    while (true) {
      ReadResult r = log.read(next, 7, Long.MAX_VALUE);
      all.addAll(r.records());
      if (r.records().isEmpty()) {
        assertThat(r.caughtUp()).isTrue();
        return all;
      }
      assertThat(r.nextOffset()).isEqualTo(r.records().get(r.records().size() - 1).offset() + 1);
      next = r.nextOffset();
    }
  }

  private static void assertSameRecord(StoredRecord actual, long offset, long ts, LogRecord given) {
    assertThat(actual.offset()).isEqualTo(offset);
    assertThat(actual.timestamp()).isEqualTo(ts);
    assertThat(actual.key()).isEqualTo(given.key());
    assertThat(actual.data()).isEqualTo(given.data());
  }

  /** Appends batches, checks their results, and returns (offset order) what was appended. */
  private static List<StoredRecord> appendBatches(ShardLog log, int batches, int maxBatchSize) {
    List<StoredRecord> expected = new ArrayList<>();
    Random random = new Random(batches * 31L + maxBatchSize);
    long next = log.endOffset();
    for (int b = 0; b < batches; b++) {
      List<LogRecord> records = batch("b" + b, 1 + random.nextInt(maxBatchSize));
      AppendResult r = await(log.append(records));
      assertThat(r.firstOffset()).isEqualTo(next);
      assertThat(r.count()).isEqualTo(records.size());
      assertThat(r.lastOffset()).isEqualTo(next + records.size() - 1);
      for (int i = 0; i < records.size(); i++) {
        LogRecord g = records.get(i);
        expected.add(new StoredRecord(next + i, r.timestamp(), g.key(), g.data()));
      }
      next += records.size();
    }
    return expected;
  }

  private static void assertRecords(List<StoredRecord> actual, List<StoredRecord> expected) {
    assertThat(actual).hasSameSizeAs(expected);
    for (int i = 0; i < expected.size(); i++) {
      StoredRecord e = expected.get(i);
      assertSameRecord(actual.get(i), e.offset(), e.timestamp(), new LogRecord(e.key(), e.data()));
    }
  }

  @Test
  void newLogIsEmpty() {
    ShardLog log = log();
    assertThat(log.startOffset()).isZero();
    assertThat(log.endOffset()).isZero();
    assertThat(log.lastTimestamp()).isEqualTo(-1);
    assertThat(log.offsetAt(0)).isZero();
    assertThat(log.offsetAt(Long.MAX_VALUE)).isZero();
    ReadResult r = log.read(0, 10, 1000);
    assertThat(r.records()).isEmpty();
    assertThat(r.nextOffset()).isZero();
    assertThat(r.endOffset()).isZero();
    assertThat(r.lastTimestamp()).isEqualTo(-1);
    assertThat(r.caughtUp()).isTrue();
  }

  @Test
  void appendsGetConsecutiveOffsetsAndReadBackUnchanged() {
    ShardLog log = log();
    List<StoredRecord> expected = appendBatches(log, 40, 9);
    assertThat(log.startOffset()).isZero();
    assertThat(log.endOffset()).isEqualTo(expected.size());
    assertRecords(readAll(log, 0), expected);
    for (int i = 1; i < expected.size(); i++) {
      assertThat(expected.get(i).timestamp())
          .isGreaterThanOrEqualTo(expected.get(i - 1).timestamp());
    }
    assertThat(log.lastTimestamp()).isEqualTo(expected.get(expected.size() - 1).timestamp());
  }

  @Test
  void recordsOfOneBatchShareItsTimestamp() {
    ShardLog log = log();
    AppendResult r = await(log.append(batch("one", 5)));
    assertThat(log.read(0, 10, Long.MAX_VALUE).records())
        .extracting(StoredRecord::timestamp)
        .containsOnly(r.timestamp());
  }

  @Test
  void emptyKeysEmptyPayloadsUnicodeAndLargeRecordsRoundTrip() {
    ShardLog log = log();
    byte[] large = new byte[1 << 20];
    new Random(7).nextBytes(large);
    List<LogRecord> records =
        List.of(
            new LogRecord("", new byte[0]),
            record("schlüssel-ключ-键-🔑", "données-数据"),
            new LogRecord("big", large),
            new LogRecord("x", new byte[] {0, -1, 127, -128}));
    await(log.append(records));
    List<StoredRecord> read = readAll(log, 0);
    assertThat(read).hasSize(records.size());
    for (int i = 0; i < records.size(); i++) {
      assertThat(read.get(i).key()).isEqualTo(records.get(i).key());
      assertThat(read.get(i).data()).isEqualTo(records.get(i).data());
    }
  }

  @Test
  void appendRejectsAnEmptyBatch() {
    ShardLog log = log();
    assertThatThrownBy(() -> log.append(List.of())).isInstanceOf(IllegalArgumentException.class);
    assertThat(log.endOffset()).isZero();
  }

  @Test
  void readStopsAtMaxRecords() {
    ShardLog log = log();
    await(log.append(batch("a", 10)));
    await(log.append(batch("b", 10)));
    ReadResult r = log.read(3, 12, Long.MAX_VALUE);
    assertThat(r.records())
        .extracting(StoredRecord::offset)
        .containsExactlyElementsOf(range(3, 15));
    assertThat(r.nextOffset()).isEqualTo(15);
    assertThat(r.endOffset()).isEqualTo(20);
    assertThat(r.caughtUp()).isFalse();
  }

  @Test
  void readStopsBeforeMaxBytesIsExceeded() {
    ShardLog log = log();
    // each record counts 1 key byte + 9 data bytes = 10
    List<LogRecord> records = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      records.add(record("k", "123456789"));
    }
    await(log.append(records));
    assertThat(log.read(0, 100, 30).records()).hasSize(3);
    assertThat(log.read(0, 100, 29).records()).hasSize(2);
    assertThat(log.read(0, 100, 31).records()).hasSize(3);
    ReadResult r = log.read(4, 100, 25);
    assertThat(r.records()).extracting(StoredRecord::offset).containsExactly(4L, 5L);
    assertThat(r.nextOffset()).isEqualTo(6);
  }

  @Test
  void readReturnsOneRecordEvenIfItAloneExceedsMaxBytes() {
    ShardLog log = log();
    await(
        log.append(
            List.of(record("key", "a payload far larger than the limit"), record("k", "v"))));
    ReadResult r = log.read(0, 10, 5);
    assertThat(r.records()).extracting(StoredRecord::offset).containsExactly(0L);
    assertThat(r.nextOffset()).isEqualTo(1);
    assertThat(log.read(0, 10, 0).records()).hasSize(1);
  }

  @Test
  void readFromTheMiddleOfABatch() {
    ShardLog log = log();
    List<LogRecord> records = batch("mid", 8);
    AppendResult a = await(log.append(records));
    ReadResult r = log.read(5, 2, Long.MAX_VALUE);
    assertThat(r.records()).hasSize(2);
    assertSameRecord(r.records().get(0), 5, a.timestamp(), records.get(5));
    assertSameRecord(r.records().get(1), 6, a.timestamp(), records.get(6));
  }

  @Test
  void readAtTheEndReturnsNothingAndIsCaughtUp() {
    ShardLog log = log();
    AppendResult a = await(log.append(batch("a", 3)));
    ReadResult r = log.read(3, 10, 1000);
    assertThat(r.records()).isEmpty();
    assertThat(r.nextOffset()).isEqualTo(3);
    assertThat(r.endOffset()).isEqualTo(3);
    assertThat(r.lastTimestamp()).isEqualTo(a.timestamp());
    assertThat(r.caughtUp()).isTrue();
  }

  @Test
  void readOutsideTheRetainedRangeThrows() {
    ShardLog log = log();
    await(log.append(batch("a", 3)));
    assertThatThrownBy(() -> log.read(4, 10, 1000))
        .isInstanceOfSatisfying(
            OffsetOutOfRangeException.class,
            e -> {
              assertThat(e.requested()).isEqualTo(4);
              assertThat(e.startOffset()).isZero();
              assertThat(e.endOffset()).isEqualTo(3);
            });
    assertThatThrownBy(() -> log.read(-1, 10, 1000))
        .isInstanceOf(OffsetOutOfRangeException.class)
        .hasMessageContaining("-1");
  }

  @Test
  void readRejectsBadLimits() {
    ShardLog log = log();
    await(log.append(batch("a", 1)));
    assertThatThrownBy(() -> log.read(0, 0, 1000))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("0");
    assertThatThrownBy(() -> log.read(0, 10, -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-1");
  }

  @Test
  void offsetAtFindsTheFirstRecordArrivingAtOrAfterATime() {
    ShardLog log = log();
    List<StoredRecord> expected = appendBatches(log, 30, 4);
    for (StoredRecord e : expected) {
      long t = e.timestamp();
      long first =
          expected.stream().filter(x -> x.timestamp() >= t).findFirst().orElseThrow().offset();
      assertThat(log.offsetAt(t)).as("offsetAt(%d)", t).isEqualTo(first);
      long afterT =
          expected.stream()
              .filter(x -> x.timestamp() >= t + 1)
              .mapToLong(StoredRecord::offset)
              .findFirst()
              .orElse(log.endOffset());
      assertThat(log.offsetAt(t + 1)).isEqualTo(afterT);
    }
    assertThat(log.offsetAt(Long.MIN_VALUE)).isEqualTo(log.startOffset());
    assertThat(log.offsetAt(log.lastTimestamp() + 1)).isEqualTo(log.endOffset());
  }

  @Test
  void acknowledgedRecordsAreReadableAtOnce() {
    ShardLog log = log();
    for (int i = 0; i < 50; i++) {
      AppendResult r = await(log.append(List.of(record("k" + i, "v" + i))));
      assertThat(log.endOffset()).isGreaterThan(r.lastOffset());
      assertThat(log.lastTimestamp()).isGreaterThanOrEqualTo(r.timestamp());
      assertThat(log.read(r.firstOffset(), 1, 100).records()).hasSize(1);
    }
  }

  @Test
  void concurrentAppendsGetUniqueGapFreeOffsets() throws Exception {
    ShardLog log = log();
    int threads = 8;
    int appendsPerThread = 150;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<List<AppendResult>>> futures = new ArrayList<>();
    try {
      for (int t = 0; t < threads; t++) {
        int thread = t;
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  List<CompletableFuture<AppendResult>> inFlight = new ArrayList<>();
                  for (int i = 0; i < appendsPerThread; i++) {
                    inFlight.add(log.append(batch("t" + thread + "-" + i, 1 + i % 4)));
                    if (i % 10 == 9) {
                      inFlight.forEach(AbstractShardLogContractTest::await);
                    }
                  }
                  List<AppendResult> results = new ArrayList<>();
                  inFlight.forEach(f -> results.add(await(f)));
                  return results;
                }));
      }
      start.countDown();
      List<long[]> ranges = new ArrayList<>();
      long total = 0;
      for (int t = 0; t < threads; t++) {
        List<AppendResult> results = futures.get(t).get(AWAIT_SECONDS, TimeUnit.SECONDS);
        for (int i = 0; i < results.size(); i++) {
          AppendResult r = results.get(i);
          assertThat(r.count()).isEqualTo(1 + i % 4);
          if (i > 0) {
            assertThat(r.firstOffset()).isGreaterThan(results.get(i - 1).lastOffset());
          }
          ranges.add(new long[] {r.firstOffset(), r.lastOffset(), t, i});
          total += r.count();
        }
      }
      ranges.sort((x, y) -> Long.compare(x[0], y[0]));
      long next = 0;
      for (long[] range : ranges) {
        assertThat(range[0]).as("gap or overlap").isEqualTo(next);
        next = range[1] + 1;
      }
      assertThat(log.endOffset()).isEqualTo(total);
      List<StoredRecord> all = readAll(log, 0);
      assertThat(all).hasSize((int) total);
      for (long[] range : ranges) {
        String prefix = "t" + range[2] + "-" + range[3];
        for (long o = range[0]; o <= range[1]; o++) {
          assertThat(all.get((int) o).key()).isEqualTo(prefix + "-k" + (o - range[0]));
        }
      }
      for (int i = 1; i < all.size(); i++) {
        assertThat(all.get(i).timestamp()).isGreaterThanOrEqualTo(all.get(i - 1).timestamp());
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void readsRunningAlongsideAppendsSeeOnlyAcknowledgedGapFreeRecords() throws Exception {
    ShardLog log = log();
    int writers = 4;
    int appendsPerWriter = 100;
    long total = (long) writers * appendsPerWriter * 2;
    AtomicBoolean failed = new AtomicBoolean();
    ExecutorService pool = Executors.newFixedThreadPool(writers + 1);
    try {
      Future<Long> reader =
          pool.submit(
              () -> {
                long next = 0;
                while (next < total && !Thread.currentThread().isInterrupted()) {
                  ReadResult r = log.read(next, 50, 10_000);
                  for (StoredRecord rec : r.records()) {
                    if (rec.offset() != next || rec.offset() >= r.endOffset()) {
                      failed.set(true);
                    }
                    next++;
                  }
                  if (r.nextOffset() != next || r.endOffset() > log.endOffset()) {
                    failed.set(true);
                  }
                  if (r.records().isEmpty()) {
                    Thread.onSpinWait();
                  }
                }
                return next;
              });
      List<Future<?>> writerFutures = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        int writer = w;
        writerFutures.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < appendsPerWriter; i++) {
                    await(log.append(batch("w" + writer + "-" + i, 2)));
                  }
                  return null;
                }));
      }
      for (Future<?> f : writerFutures) {
        f.get(AWAIT_SECONDS, TimeUnit.SECONDS);
      }
      assertThat(reader.get(AWAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo(total);
      assertThat(failed).isFalse();
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void recordsSurviveCloseAndReopen() {
    ShardLog log = log();
    List<StoredRecord> expected = appendBatches(log, 25, 6);
    long end = log.endOffset();
    long lastTimestamp = log.lastTimestamp();
    ShardLog again = reopened(log);
    assertThat(again.startOffset()).isZero();
    assertThat(again.endOffset()).isEqualTo(end);
    assertThat(again.lastTimestamp()).isEqualTo(lastTimestamp);
    assertRecords(readAll(again, 0), expected);
    AppendResult next = await(again.append(batch("after", 2)));
    assertThat(next.firstOffset()).isEqualTo(end);
    assertThat(next.timestamp()).isGreaterThanOrEqualTo(lastTimestamp);
  }

  @Test
  void closeCompletesAppendsStillInFlight() {
    ShardLog log = log();
    List<CompletableFuture<AppendResult>> futures = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      futures.add(log.append(batch("c" + i, 1)));
    }
    log.close();
    for (CompletableFuture<AppendResult> f : futures) {
      assertThat(f).isCompleted();
      assertThat(f.isCompletedExceptionally()).isFalse();
    }
    ShardLog again = reopened(log);
    assertThat(again.endOffset()).isEqualTo(200);
  }

  @Test
  void appendAfterCloseThrows() {
    ShardLog log = log();
    await(log.append(batch("a", 1)));
    log.close();
    log.close();
    assertThatThrownBy(() -> log.append(batch("b", 1))).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void deleteBeforeTheFirstArrivalRemovesNothing() {
    ShardLog log = log();
    List<StoredRecord> expected = appendBatches(log, 10, 3);
    assertThat(log.deleteBefore(expected.get(0).timestamp())).isZero();
    assertThat(log.deleteBefore(Long.MIN_VALUE)).isZero();
    assertThat(log.startOffset()).isZero();
    assertRecords(readAll(log, 0), expected);
  }

  @Test
  void deleteBeforeRemovesOnlyWholeOldRecordsAndNeverMovesTheEnd() {
    ShardLog log = log();
    List<StoredRecord> expected = appendBatches(log, 40, 5);
    long end = log.endOffset();
    long cutoff = log.lastTimestamp() + 1;
    long removed = log.deleteBefore(cutoff);
    long start = log.startOffset();
    assertThat(removed).isEqualTo(start);
    assertThat(start).isBetween(0L, end);
    assertThat(log.endOffset()).isEqualTo(end);
    if (start > 0) {
      assertThatThrownBy(() -> log.read(start - 1, 1, 100))
          .isInstanceOf(OffsetOutOfRangeException.class);
    }
    assertRecords(readAll(log, start), expected.subList((int) start, expected.size()));
    assertThat(log.offsetAt(Long.MIN_VALUE)).isEqualTo(start);
    AppendResult next = await(log.append(batch("after", 1)));
    assertThat(next.firstOffset()).isEqualTo(end);
    assertThat(log.deleteBefore(cutoff)).as("a second run finds nothing older").isZero();
  }

  @Test
  void retentionSurvivesReopen() {
    ShardLog log = log();
    appendBatches(log, 20, 5);
    long end = log.endOffset();
    log.deleteBefore(log.lastTimestamp() + 1);
    long start = log.startOffset();
    ShardLog again = reopened(log);
    assertThat(again.startOffset()).isGreaterThanOrEqualTo(start);
    assertThat(again.endOffset()).isEqualTo(end);
    assertThat(await(again.append(batch("x", 1))).firstOffset()).isEqualTo(end);
  }

  private static List<Long> range(long from, long to) {
    List<Long> out = new ArrayList<>();
    for (long i = from; i < to; i++) {
      out.add(i);
    }
    return Collections.unmodifiableList(out);
  }
}
