package dev.basin.stream.log;

import static dev.basin.stream.log.LogTestSupport.SHARD;
import static dev.basin.stream.log.LogTestSupport.STREAM;
import static dev.basin.stream.log.LogTestSupport.append;
import static dev.basin.stream.log.LogTestSupport.assertSameRecords;
import static dev.basin.stream.log.LogTestSupport.baseOffsetOf;
import static dev.basin.stream.log.LogTestSupport.batchCounts;
import static dev.basin.stream.log.LogTestSupport.batchEnds;
import static dev.basin.stream.log.LogTestSupport.copyDir;
import static dev.basin.stream.log.LogTestSupport.randomBatch;
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
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Recovery of the local log from torn and corrupt segment files. */
class ShardLogRecoveryTest {
  @TempDir Path tmp;
  private final ManualClock clock = new ManualClock(1_700_000_000_000L);
  private Path original;
  private final List<StoredRecord> expected = new ArrayList<>();
  private Path lastSegment;
  private long lastBase;

  private LocalStreamLogConfig config(Path root) {
    return LocalStreamLogConfig.defaults(root).withSegmentBytes(8192).withIndexIntervalBytes(256);
  }

  @BeforeEach
  void writeLog() {
    original = tmp.resolve("original");
    Random random = new Random(42);
    // INTERVAL mode only to write the fixture quickly; the file format is the same.
    LocalStreamLogConfig fast =
        config(original).withFsyncMode(LocalStreamLogConfig.FsyncMode.INTERVAL);
    try (LocalStreamLog streams = new LocalStreamLog(fast, clock)) {
      ShardLog log = streams.open(STREAM, SHARD);
      for (int b = 0; b < 120; b++) {
        clock.advance(Duration.ofMillis(random.nextInt(3)));
        append(log, randomBatch(random, "b" + b, 5, 200), expected);
      }
    }
    List<Path> segments = segmentFiles(shardDir(original));
    assertThat(segments).hasSizeGreaterThan(3);
    lastSegment = segments.get(segments.size() - 1);
    lastBase = baseOffsetOf(lastSegment);
  }

  private Path copy(String name) throws IOException {
    Path root = tmp.resolve(name);
    copyDir(original, root);
    return root;
  }

  private static Path inCopy(Path root, Path originalFile) {
    return shardDir(root).resolve(originalFile.getFileName().toString());
  }

  /** Opens {@code root}, checks it holds exactly {@code survivors} records, appends and reopens. */
  private void assertRecoveredTo(Path root, int survivors, long expectedFileSize) {
    Path segment = inCopy(root, lastSegment);
    List<StoredRecord> kept = new ArrayList<>(expected.subList(0, survivors));
    try (LocalStreamLog streams = new LocalStreamLog(config(root), clock)) {
      ShardLog log = streams.open(STREAM, SHARD);
      assertThat(log.endOffset()).isEqualTo(survivors);
      assertThat(log.lastTimestamp()).isEqualTo(kept.get(kept.size() - 1).timestamp());
      assertThat(size(segment)).isEqualTo(expectedFileSize);
      assertSameRecords(readAll(log), kept);
      AppendResult next = append(log, List.of(new LogRecord("after", new byte[] {1, 2})), kept);
      assertThat(next.firstOffset()).isEqualTo(survivors);
    }
    try (LocalStreamLog streams = new LocalStreamLog(config(root), clock)) {
      assertSameRecords(readAll(streams.open(STREAM, SHARD)), kept);
    }
  }

  private int recordsBefore(long position) throws IOException {
    List<Long> ends = batchEnds(lastSegment);
    List<Integer> counts = batchCounts(lastSegment);
    int n = (int) lastBase;
    for (int i = 0; i < ends.size() && ends.get(i) <= position; i++) {
      n += counts.get(i);
    }
    return n;
  }

  private long lastBoundaryAtOrBefore(long position) throws IOException {
    long boundary = 0;
    for (long end : batchEnds(lastSegment)) {
      if (end <= position) {
        boundary = end;
      }
    }
    return boundary;
  }

  @Test
  void tornTailAtAnyPositionKeepsEveryCompleteBatch() throws IOException {
    long size = size(lastSegment);
    TreeSet<Long> cuts = new TreeSet<>();
    Random random = new Random(7);
    for (int i = 0; i < 40; i++) {
      cuts.add((long) random.nextInt((int) size));
    }
    for (long end : batchEnds(lastSegment)) {
      cuts.add(end);
      cuts.add(end - 1);
    }
    cuts.add(0L);
    cuts.add(1L);
    cuts.add(size - 1);
    int trial = 0;
    for (long cut : cuts) {
      Path root = copy("cut" + trial++);
      try (FileChannel ch = FileChannel.open(inCopy(root, lastSegment), StandardOpenOption.WRITE)) {
        ch.truncate(cut);
      }
      assertRecoveredTo(root, recordsBefore(cut), lastBoundaryAtOrBefore(cut));
    }
  }

  @Test
  void garbageAfterTheLastBatchIsCutOff() throws IOException {
    long size = size(lastSegment);
    Random random = new Random(11);
    List<byte[]> tails = new ArrayList<>();
    tails.add(new byte[1]);
    tails.add(new byte[RecordBatch.HEADER_SIZE + 40]);
    for (int i = 0; i < 10; i++) {
      byte[] garbage = new byte[1 + random.nextInt(600)];
      random.nextBytes(garbage);
      tails.add(garbage);
    }
    ByteBuffer hugeLength = ByteBuffer.allocate(64).putInt(0, Integer.MAX_VALUE);
    tails.add(hugeLength.array());
    ByteBuffer negativeLength = ByteBuffer.allocate(64).putInt(0, -5);
    tails.add(negativeLength.array());
    int trial = 0;
    for (byte[] tail : tails) {
      Path root = copy("garbage" + trial++);
      Files.write(inCopy(root, lastSegment), tail, StandardOpenOption.APPEND);
      assertRecoveredTo(root, expected.size(), size);
    }
  }

  @Test
  void aCopiedBatchWithTheWrongBaseOffsetIsCutOff() throws IOException {
    List<Long> ends = batchEnds(lastSegment);
    byte[] bytes = Files.readAllBytes(lastSegment);
    long firstEnd = ends.get(0);
    byte[] firstBatch = java.util.Arrays.copyOf(bytes, (int) firstEnd);
    Path root = copy("replayed");
    Files.write(inCopy(root, lastSegment), firstBatch, StandardOpenOption.APPEND);
    assertRecoveredTo(root, expected.size(), bytes.length);
  }

  @Test
  void corruptCrcInTheMiddleOfTheLastSegmentTruncatesFromThatBatch() throws IOException {
    List<Long> ends = batchEnds(lastSegment);
    assertThat(ends).hasSizeGreaterThan(4);
    int victim = ends.size() / 2;
    long start = ends.get(victim - 1);
    long end = ends.get(victim);
    for (long flip : new long[] {start + RecordBatch.CRC_OFFSET, end - 1, start + 20}) {
      Path root = copy("flip" + flip);
      flipByte(inCopy(root, lastSegment), flip);
      assertRecoveredTo(root, recordsBefore(start), start);
    }
  }

  @Test
  void emptiedLastSegmentKeepsTheEarlierSegmentsAndTheirTimestamps() throws IOException {
    Path root = copy("emptied");
    try (FileChannel ch = FileChannel.open(inCopy(root, lastSegment), StandardOpenOption.WRITE)) {
      ch.truncate(0);
    }
    assertRecoveredTo(root, (int) lastBase, 0);
  }

  @Test
  void corruptionInAClosedSegmentIsReportedNotDropped() throws IOException {
    Path first = segmentFiles(shardDir(original)).get(0);
    long position = batchEnds(first).get(1) + 30;

    Path withIndex = copy("closed-with-index");
    flipByte(inCopy(withIndex, first), position);
    try (LocalStreamLog streams = new LocalStreamLog(config(withIndex), clock)) {
      ShardLog log = streams.open(STREAM, SHARD);
      assertThat(log.endOffset()).isEqualTo(expected.size());
      assertThatThrownBy(() -> readAll(log))
          .isInstanceOf(UncheckedIOException.class)
          .hasMessageContaining(first.getFileName().toString())
          .hasMessageContaining("corrupt");
    }

    Path withoutIndex = copy("closed-without-index");
    flipByte(inCopy(withoutIndex, first), position);
    Files.delete(shardDir(withoutIndex).resolve(Segment.fileName(0, Segment.INDEX_SUFFIX)));
    try (LocalStreamLog streams = new LocalStreamLog(config(withoutIndex), clock)) {
      assertThatThrownBy(() -> streams.open(STREAM, SHARD))
          .isInstanceOf(UncheckedIOException.class)
          .hasMessageContaining(first.getFileName().toString())
          .hasMessageContaining("corrupt");
    }
  }

  @Test
  void segmentsLeftBehindAGapByAnInterruptedRetentionRunAreDropped() throws IOException {
    List<Path> segments = segmentFiles(shardDir(original));
    Path root = copy("gap");
    Files.delete(inCopy(root, segments.get(1)));
    Path secondIndex =
        shardDir(root).resolve(Segment.fileName(baseOffsetOf(segments.get(1)), ".idx"));
    Files.delete(secondIndex);
    long start = baseOffsetOf(segments.get(2));
    try (LocalStreamLog streams = new LocalStreamLog(config(root), clock)) {
      ShardLog log = streams.open(STREAM, SHARD);
      assertThat(log.startOffset()).isEqualTo(start);
      assertThat(log.endOffset()).isEqualTo(expected.size());
      assertSameRecords(readAll(log), expected.subList((int) start, expected.size()));
    }
    assertThat(inCopy(root, segments.get(0))).doesNotExist();
  }

  @Test
  void leftoverTemporaryAndOrphanIndexFilesAreRemoved() throws IOException {
    Path root = copy("leftovers");
    Path dir = shardDir(root);
    Files.write(dir.resolve(Segment.fileName(999_999, ".idx")), new byte[] {1, 2, 3});
    Files.write(dir.resolve(Segment.fileName(0, ".idx.tmp")), new byte[] {1, 2, 3});
    try (LocalStreamLog streams = new LocalStreamLog(config(root), clock)) {
      assertThat(streams.open(STREAM, SHARD).endOffset()).isEqualTo(expected.size());
    }
    assertThat(dir.resolve(Segment.fileName(999_999, ".idx"))).doesNotExist();
    assertThat(dir.resolve(Segment.fileName(0, ".idx.tmp"))).doesNotExist();
  }

  private static void flipByte(Path file, long position) throws IOException {
    try (FileChannel ch =
        FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.allocate(1);
      ch.read(b, position);
      b.put(0, (byte) (b.get(0) ^ 0x5a)).rewind();
      ch.write(b, position);
    }
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
