package dev.basin.stream.log;

import static dev.basin.stream.log.LogTestSupport.SHARD;
import static dev.basin.stream.log.LogTestSupport.STREAM;
import static dev.basin.stream.log.LogTestSupport.append;
import static dev.basin.stream.log.LogTestSupport.assertSameRecords;
import static dev.basin.stream.log.LogTestSupport.indexFiles;
import static dev.basin.stream.log.LogTestSupport.readAll;
import static dev.basin.stream.log.LogTestSupport.segmentFiles;
import static dev.basin.stream.log.LogTestSupport.shardDir;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.basin.spi.stream.AppendResult;
import dev.basin.spi.stream.LogRecord;
import dev.basin.spi.stream.OffsetOutOfRangeException;
import dev.basin.spi.stream.ShardLog;
import dev.basin.spi.stream.StoredRecord;
import dev.basin.testing.ManualClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code deleteBefore} on the local log: whole segments only, and the end never moves back. */
class RetentionTest {
  private static final long T0 = 1_700_000_000_000L;
  @TempDir Path root;
  private final ManualClock clock = new ManualClock(T0);
  private final List<StoredRecord> expected = new ArrayList<>();
  private LocalStreamLog streams;
  private ShardLog log;

  private LocalStreamLogConfig config() {
    return LocalStreamLogConfig.defaults(root).withSegmentAge(Duration.ofMinutes(1));
  }

  private static List<LogRecord> records(String prefix, int n) {
    List<LogRecord> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new LogRecord(prefix + i, new byte[] {(byte) i}));
    }
    return out;
  }

  /** Segments: [0,4) at T0..T0+30s, [4,8) at T0+1m..+1m30s, [8,12) at T0+2m..; active [12,16). */
  @BeforeEach
  void fill() {
    streams = new LocalStreamLog(config(), clock);
    log = streams.open(STREAM, SHARD);
    for (int s = 0; s < 4; s++) {
      clock.set(T0 + s * 60_000L);
      append(log, records("s" + s + "a", 2), expected);
      clock.advance(Duration.ofSeconds(30));
      append(log, records("s" + s + "b", 2), expected);
    }
    assertThat(segmentFiles(shardDir(root)))
        .extracting(LogTestSupport::baseOffsetOf)
        .containsExactly(0L, 4L, 8L, 12L);
  }

  @org.junit.jupiter.api.AfterEach
  void close() {
    streams.close();
  }

  @Test
  void deletesOnlySegmentsWhoseLastRecordIsOlderThanTheCutoff() {
    assertThat(log.deleteBefore(T0 + 30_000)).isZero();
    assertThat(log.deleteBefore(T0 + 30_001)).isEqualTo(4);
    assertThat(log.startOffset()).isEqualTo(4);
    assertThat(segmentFiles(shardDir(root)))
        .extracting(LogTestSupport::baseOffsetOf)
        .containsExactly(4L, 8L, 12L);
    assertThat(indexFiles(shardDir(root)))
        .extracting(LogTestSupport::baseOffsetOf)
        .containsExactly(4L, 8L);

    assertThat(log.deleteBefore(T0 + 60_000 + 45_000))
        .as("segment [8,12) starts before the cutoff but ends after it: kept whole")
        .isEqualTo(4);
    assertThat(log.startOffset()).isEqualTo(8);
    assertThat(log.endOffset()).isEqualTo(16);
    assertThatThrownBy(() -> log.read(7, 1, 100)).isInstanceOf(OffsetOutOfRangeException.class);
    assertSameRecords(readAll(log), expected.subList(8, 16));
    assertThat(log.offsetAt(0)).isEqualTo(8);
  }

  @Test
  void anExpiredActiveSegmentRollsSoTheEndStays() {
    long lastTimestamp = log.lastTimestamp();
    assertThat(log.deleteBefore(clock.millis() + 1)).isEqualTo(16);
    assertThat(log.startOffset()).isEqualTo(16);
    assertThat(log.endOffset()).isEqualTo(16);
    assertThat(log.lastTimestamp()).isEqualTo(lastTimestamp);
    assertThat(log.read(16, 10, 100).records()).isEmpty();
    assertThat(log.offsetAt(0)).isEqualTo(16);
    assertThat(segmentFiles(shardDir(root)))
        .extracting(LogTestSupport::baseOffsetOf)
        .containsExactly(16L);
    assertThat(log.deleteBefore(Long.MAX_VALUE)).as("an empty log has nothing to delete").isZero();

    streams.close();
    streams = new LocalStreamLog(config(), clock);
    log = streams.open(STREAM, SHARD);
    assertThat(log.startOffset()).isEqualTo(16);
    assertThat(log.endOffset()).isEqualTo(16);
    assertThat(log.lastTimestamp()).as("survives a restart").isEqualTo(lastTimestamp);
    clock.advance(Duration.ofMinutes(-30));
    AppendResult next = append(log, records("after", 1), expected);
    assertThat(next.firstOffset()).isEqualTo(16);
    assertThat(next.timestamp()).as("never decreases").isEqualTo(lastTimestamp);
  }

  @Test
  void anExpiredLogKeepsItsEndAndLastTimestampAcrossACrash() {
    long lastTimestamp = log.lastTimestamp();
    log.deleteBefore(clock.millis() + 1);
    // No close: the second instance sees only what deleteBefore made durable.
    try (LocalStreamLog again = new LocalStreamLog(config(), clock)) {
      ShardLog reopened = again.open(STREAM, SHARD);
      assertThat(reopened.startOffset()).isEqualTo(16);
      assertThat(reopened.endOffset()).isEqualTo(16);
      assertThat(reopened.lastTimestamp()).isEqualTo(lastTimestamp);
    }
  }

  @Test
  void appendsContinueAfterRetention() {
    log.deleteBefore(T0 + 90_001);
    clock.set(T0 + 10 * 60_000L);
    AppendResult next = append(log, records("late", 3), expected);
    assertThat(next.firstOffset()).isEqualTo(16);
    assertSameRecords(readAll(log), expected.subList(8, 19));
  }
}
