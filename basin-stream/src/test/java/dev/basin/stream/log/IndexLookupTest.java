package dev.basin.stream.log;

import static dev.basin.stream.log.LogTestSupport.SHARD;
import static dev.basin.stream.log.LogTestSupport.STREAM;
import static dev.basin.stream.log.LogTestSupport.append;
import static dev.basin.stream.log.LogTestSupport.assertSameRecords;
import static dev.basin.stream.log.LogTestSupport.indexFiles;
import static dev.basin.stream.log.LogTestSupport.randomBatch;
import static dev.basin.stream.log.LogTestSupport.readAll;
import static dev.basin.stream.log.LogTestSupport.segmentFiles;
import static dev.basin.stream.log.LogTestSupport.shardDir;
import static org.assertj.core.api.Assertions.assertThat;

import dev.basin.spi.stream.ReadResult;
import dev.basin.spi.stream.ShardLog;
import dev.basin.spi.stream.StoredRecord;
import dev.basin.testing.ManualClock;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sparse index lookups across many segments, from the active segment's in-memory index and the
 * closed segments' index files, and rebuilding of index files that are missing or wrong.
 */
class IndexLookupTest {
  @TempDir Path root;
  private final ManualClock clock = new ManualClock(1_700_000_000_000L);
  private final List<StoredRecord> expected = new ArrayList<>();

  private LocalStreamLogConfig config() {
    return LocalStreamLogConfig.defaults(root).withSegmentBytes(4096).withIndexIntervalBytes(128);
  }

  @BeforeEach
  void fill() {
    Random random = new Random(3);
    LocalStreamLogConfig fast = config().withFsyncMode(LocalStreamLogConfig.FsyncMode.INTERVAL);
    try (LocalStreamLog streams = new LocalStreamLog(fast, clock)) {
      ShardLog log = streams.open(STREAM, SHARD);
      for (int b = 0; b < 300; b++) {
        clock.advance(Duration.ofMillis(random.nextInt(3)));
        append(log, randomBatch(random, "b" + b, 4, 120), expected);
      }
    }
    assertThat(segmentFiles(shardDir(root))).hasSizeGreaterThan(10);
  }

  private void assertEveryLookup(ShardLog log) {
    for (StoredRecord e : expected) {
      ReadResult r = log.read(e.offset(), 3, Long.MAX_VALUE);
      int n = (int) Math.min(3, expected.size() - e.offset());
      assertSameRecords(r.records(), expected.subList((int) e.offset(), (int) e.offset() + n));
      assertThat(r.nextOffset()).isEqualTo(e.offset() + n);
    }
    long first = expected.get(0).timestamp();
    long last = expected.get(expected.size() - 1).timestamp();
    for (long t = first - 2; t <= last + 2; t++) {
      long time = t;
      long want =
          expected.stream()
              .filter(r -> r.timestamp() >= time)
              .mapToLong(StoredRecord::offset)
              .findFirst()
              .orElse(expected.size());
      assertThat(log.offsetAt(t)).as("offsetAt(%d)", t).isEqualTo(want);
    }
  }

  @Test
  void everyOffsetAndTimestampIsFoundAcrossSegments() {
    try (LocalStreamLog streams = new LocalStreamLog(config(), clock)) {
      ShardLog log = streams.open(STREAM, SHARD);
      assertEveryLookup(log);
      Random random = new Random(5);
      for (int b = 0; b < 60; b++) {
        clock.advance(Duration.ofMillis(1));
        append(log, randomBatch(random, "more" + b, 4, 120), expected);
      }
      assertEveryLookup(log);
    }
  }

  @Test
  void closedSegmentFilesStayOpenOnlyWhileCached() {
    try (LocalStreamLog streams = new LocalStreamLog(config(), clock)) {
      SegmentedShardLog log = (SegmentedShardLog) streams.open(STREAM, SHARD);
      assertSameRecords(readAll(log), expected);
      assertThat(log.openSegmentFiles())
          .isLessThanOrEqualTo(SegmentedShardLog.OPEN_CLOSED_SEGMENTS + 1);
    }
  }

  @Test
  void concurrentReadersAcrossMoreSegmentsThanTheCacheHoldsAllSucceed() throws Exception {
    try (LocalStreamLog streams = new LocalStreamLog(config(), clock)) {
      SegmentedShardLog log = (SegmentedShardLog) streams.open(STREAM, SHARD);
      int readers = 8;
      ExecutorService pool = Executors.newFixedThreadPool(readers);
      try {
        List<Future<?>> done = new ArrayList<>();
        for (int r = 0; r < readers; r++) {
          int reader = r;
          done.add(
              pool.submit(
                  () -> {
                    for (int round = 0; round < 3; round++) {
                      long from = (long) expected.size() * ((reader + round) % readers) / readers;
                      long next = from;
                      while (next < expected.size()) {
                        ReadResult result = log.read(next, 2, Long.MAX_VALUE);
                        assertSameRecords(
                            result.records(),
                            expected.subList((int) next, (int) result.nextOffset()));
                        next = result.nextOffset();
                      }
                    }
                    return null;
                  }));
        }
        for (Future<?> f : done) {
          f.get(30, TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }
      assertThat(log.openSegmentFiles())
          .isLessThanOrEqualTo(SegmentedShardLog.OPEN_CLOSED_SEGMENTS + 1);
    }
  }

  private Map<Path, byte[]> indexBytes() throws IOException {
    Map<Path, byte[]> out = new HashMap<>();
    for (Path idx : indexFiles(shardDir(root))) {
      out.put(idx.getFileName(), Files.readAllBytes(idx));
    }
    return out;
  }

  /** Damages every closed segment's index with {@code damage}, reopens, and checks the rebuild. */
  private void assertRebuiltAfter(BiConsumer<Path, byte[]> damage) throws IOException {
    Map<Path, byte[]> original = indexBytes();
    List<Path> segments = segmentFiles(shardDir(root));
    for (Path segment : segments.subList(0, segments.size() - 1)) {
      Path idx = shardDir(root).resolve(segment.getFileName().toString().replace(".log", ".idx"));
      damage.accept(idx, original.get(idx.getFileName()));
    }
    try (LocalStreamLog streams = new LocalStreamLog(config(), clock)) {
      ShardLog log = streams.open(STREAM, SHARD);
      assertThat(log.endOffset()).isEqualTo(expected.size());
      assertEveryLookup(log);
    }
    Map<Path, byte[]> rebuilt = indexBytes();
    assertThat(rebuilt.keySet()).isEqualTo(original.keySet());
    rebuilt.forEach(
        (name, bytes) -> assertThat(bytes).as("rebuilt %s", name).isEqualTo(original.get(name)));
  }

  @Test
  void missingIndexFilesAreRebuilt() throws IOException {
    assertRebuiltAfter((idx, bytes) -> write(idx, null));
  }

  @Test
  void truncatedIndexFilesAreRebuilt() throws IOException {
    assertRebuiltAfter(
        (idx, bytes) -> write(idx, java.util.Arrays.copyOf(bytes, bytes.length / 2)));
  }

  @Test
  void garbageIndexFilesAreRebuilt() throws IOException {
    Random random = new Random(9);
    assertRebuiltAfter(
        (idx, bytes) -> {
          byte[] garbage = new byte[bytes.length];
          random.nextBytes(garbage);
          write(idx, garbage);
        });
  }

  @Test
  void indexFilesWithACorruptEntryAreRebuilt() throws IOException {
    assertRebuiltAfter(
        (idx, bytes) -> {
          byte[] copy = bytes.clone();
          if (copy.length > IndexFile.HEADER_SIZE) {
            copy[IndexFile.HEADER_SIZE + 9] ^= 0x10;
          } else {
            copy[3] ^= 0x10;
          }
          write(idx, copy);
        });
  }

  @Test
  void indexFilesDescribingAnotherFileSizeAreRebuilt() throws IOException {
    assertRebuiltAfter(
        (idx, bytes) -> {
          ByteBuffer b = ByteBuffer.wrap(bytes.clone());
          b.putLong(37, b.getLong(37) + 1);
          CRC32C crc = new CRC32C();
          crc.update(bytes, 0, 37);
          crc.update(b.array(), 37, 16);
          b.putInt(53, (int) crc.getValue());
          write(idx, b.array());
        });
  }

  private static void write(Path file, byte[] bytes) {
    try {
      if (bytes == null) {
        Files.delete(file);
      } else {
        Files.write(file, bytes);
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
