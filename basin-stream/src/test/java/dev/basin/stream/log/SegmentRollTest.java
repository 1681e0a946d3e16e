package dev.basin.stream.log;

import static dev.basin.stream.log.LogTestSupport.SHARD;
import static dev.basin.stream.log.LogTestSupport.STREAM;
import static dev.basin.stream.log.LogTestSupport.append;
import static dev.basin.stream.log.LogTestSupport.assertSameRecords;
import static dev.basin.stream.log.LogTestSupport.baseOffsetOf;
import static dev.basin.stream.log.LogTestSupport.batchCounts;
import static dev.basin.stream.log.LogTestSupport.batchEnds;
import static dev.basin.stream.log.LogTestSupport.indexFiles;
import static dev.basin.stream.log.LogTestSupport.readAll;
import static dev.basin.stream.log.LogTestSupport.segmentFiles;
import static dev.basin.stream.log.LogTestSupport.shardDir;
import static org.assertj.core.api.Assertions.assertThat;

import dev.basin.spi.stream.AppendResult;
import dev.basin.spi.stream.LogRecord;
import dev.basin.spi.stream.ShardLog;
import dev.basin.spi.stream.StoredRecord;
import dev.basin.testing.ManualClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** When the local log starts a new segment, and what a rolled segment leaves on disk. */
class SegmentRollTest {
  @TempDir Path root;
  private final ManualClock clock = new ManualClock(1_700_000_000_000L);
  private final List<StoredRecord> expected = new ArrayList<>();

  private static List<LogRecord> records(int n, int dataBytes) {
    List<LogRecord> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new LogRecord("key" + i, new byte[dataBytes]));
    }
    return out;
  }

  private static int encodedSize(List<LogRecord> records) {
    return RecordBatch.encode(records).limit();
  }

  @Test
  void rollsWhenTheNextBatchWouldExceedTheSegmentSize() throws IOException {
    LocalStreamLogConfig config = LocalStreamLogConfig.defaults(root).withSegmentBytes(1000);
    Map<Long, Integer> batchSizeByFirstOffset = new HashMap<>();
    try (LocalStreamLog streams = new LocalStreamLog(config, clock)) {
      ShardLog log = streams.open(STREAM, SHARD);
      for (int i = 0; i < 40; i++) {
        List<LogRecord> batch = records(1 + i % 3, 40 + i);
        AppendResult r = append(log, batch, expected);
        batchSizeByFirstOffset.put(r.firstOffset(), encodedSize(batch));
      }
      Path dir = shardDir(root);
      List<Path> segments = segmentFiles(dir);
      assertThat(segments).hasSizeGreaterThan(5);
      assertThat(indexFiles(dir))
          .as("closed segments have index files, the active one gets it on close")
          .hasSize(segments.size() - 1);
      long next = 0;
      for (int s = 0; s < segments.size(); s++) {
        Path segment = segments.get(s);
        assertThat(segment.getFileName().toString()).matches("\\d{20}\\.log");
        assertThat(baseOffsetOf(segment)).isEqualTo(next);
        assertThat(Files.size(segment)).isLessThanOrEqualTo(1000);
        next += batchCounts(segment).stream().mapToInt(Integer::intValue).sum();
        if (s < segments.size() - 1) {
          int nextBatch = batchSizeByFirstOffset.get(next);
          assertThat(Files.size(segment) + nextBatch).isGreaterThan(1000);
        }
      }
      assertThat(next).isEqualTo(expected.size());
      assertSameRecords(readAll(log), expected);
    }
    assertThat(indexFiles(shardDir(root))).hasSize(segmentFiles(shardDir(root)).size());
  }

  @Test
  void aBatchLargerThanASegmentGetsASegmentOfItsOwn() throws IOException {
    LocalStreamLogConfig config = LocalStreamLogConfig.defaults(root).withSegmentBytes(100);
    try (LocalStreamLog streams = new LocalStreamLog(config, clock)) {
      ShardLog log = streams.open(STREAM, SHARD);
      append(log, records(1, 10), expected);
      append(log, records(3, 500), expected);
      append(log, records(1, 10), expected);
      List<Path> segments = segmentFiles(shardDir(root));
      assertThat(segments).extracting(LogTestSupport::baseOffsetOf).containsExactly(0L, 1L, 4L);
      assertThat(batchEnds(segments.get(1))).hasSize(1);
      assertSameRecords(readAll(log), expected);
    }
  }

  @Test
  void rollsWhenTheActiveSegmentIsOlderThanTheSegmentAge() {
    LocalStreamLogConfig config =
        LocalStreamLogConfig.defaults(root).withSegmentAge(Duration.ofMinutes(1));
    try (LocalStreamLog streams = new LocalStreamLog(config, clock)) {
      ShardLog log = streams.open(STREAM, SHARD);
      append(log, records(2, 10), expected);
      clock.advance(Duration.ofSeconds(59));
      append(log, records(2, 10), expected);
      assertThat(segmentFiles(shardDir(root))).hasSize(1);
      clock.advance(Duration.ofSeconds(1));
      append(log, records(2, 10), expected);
      assertThat(segmentFiles(shardDir(root)))
          .extracting(LogTestSupport::baseOffsetOf)
          .containsExactly(0L, 4L);
      clock.advance(Duration.ofHours(5));
      AppendResult r = append(log, records(1, 10), expected);
      assertThat(segmentFiles(shardDir(root)))
          .extracting(LogTestSupport::baseOffsetOf)
          .containsExactly(0L, 4L, 6L);
      assertThat(r.firstOffset()).isEqualTo(6);
    }
  }

  @Test
  void segmentAgeCountsFromTheFirstBatchAcrossARestart() {
    LocalStreamLogConfig config =
        LocalStreamLogConfig.defaults(root).withSegmentAge(Duration.ofMinutes(1));
    try (LocalStreamLog streams = new LocalStreamLog(config, clock)) {
      append(streams.open(STREAM, SHARD), records(1, 10), expected);
    }
    clock.advance(Duration.ofSeconds(30));
    try (LocalStreamLog streams = new LocalStreamLog(config, clock)) {
      ShardLog log = streams.open(STREAM, SHARD);
      append(log, records(1, 10), expected);
      assertThat(segmentFiles(shardDir(root))).hasSize(1);
      clock.advance(Duration.ofSeconds(30));
      append(log, records(1, 10), expected);
      assertThat(segmentFiles(shardDir(root))).hasSize(2);
      assertSameRecords(readAll(log), expected);
    }
  }

  @Test
  void anEmptySegmentNeverRolls() {
    LocalStreamLogConfig config =
        LocalStreamLogConfig.defaults(root)
            .withSegmentBytes(10)
            .withSegmentAge(Duration.ofMillis(1));
    try (LocalStreamLog streams = new LocalStreamLog(config, clock)) {
      ShardLog log = streams.open(STREAM, SHARD);
      clock.advance(Duration.ofDays(1));
      append(log, records(1, 100), expected);
      assertThat(segmentFiles(shardDir(root))).hasSize(1);
    }
  }

  @Test
  void timestampsNeverDecreaseWhenTheClockGoesBack() {
    try (LocalStreamLog streams = new LocalStreamLog(LocalStreamLogConfig.defaults(root), clock)) {
      ShardLog log = streams.open(STREAM, SHARD);
      AppendResult first = append(log, records(1, 1), expected);
      clock.advance(Duration.ofMinutes(-10));
      AppendResult second = append(log, records(1, 1), expected);
      assertThat(second.timestamp()).isEqualTo(first.timestamp());
      clock.advance(Duration.ofMinutes(11));
      assertThat(append(log, records(1, 1), expected).timestamp())
          .isEqualTo(first.timestamp() + Duration.ofMinutes(1).toMillis());
    }
  }
}
