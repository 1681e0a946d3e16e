package dev.basin.stream.log;

import static org.assertj.core.api.Assertions.assertThat;

import dev.basin.spi.stream.AppendResult;
import dev.basin.spi.stream.LogRecord;
import dev.basin.spi.stream.ReadResult;
import dev.basin.spi.stream.ShardLog;
import dev.basin.spi.stream.StoredRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Helpers shared by the local log tests. */
final class LogTestSupport {
  static final String STREAM = "orders";
  static final String SHARD = "shardId-000000000000";

  private LogTestSupport() {}

  static List<LogRecord> randomBatch(Random random, String prefix, int maxRecords, int maxData) {
    int n = 1 + random.nextInt(maxRecords);
    List<LogRecord> records = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      byte[] data = new byte[random.nextInt(maxData + 1)];
      random.nextBytes(data);
      records.add(new LogRecord(prefix + "-" + i, data));
    }
    return records;
  }

  /** Appends {@code records}, waits for the ack and adds what the log should now hold. */
  static AppendResult append(ShardLog log, List<LogRecord> records, List<StoredRecord> expected) {
    AppendResult r;
    try {
      r = log.append(records).get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("append failed", e);
    }
    for (int i = 0; i < records.size(); i++) {
      LogRecord g = records.get(i);
      expected.add(new StoredRecord(r.firstOffset() + i, r.timestamp(), g.key(), g.data()));
    }
    return r;
  }

  static List<StoredRecord> readAll(ShardLog log) {
    List<StoredRecord> all = new ArrayList<>();
    long next = log.startOffset();
    while (true) {
      ReadResult r = log.read(next, 1000, Long.MAX_VALUE);
      if (r.records().isEmpty()) {
        return all;
      }
      all.addAll(r.records());
      next = r.nextOffset();
    }
  }

  static void assertSameRecords(List<StoredRecord> actual, List<StoredRecord> expected) {
    assertThat(actual).hasSameSizeAs(expected);
    for (int i = 0; i < expected.size(); i++) {
      StoredRecord a = actual.get(i);
      StoredRecord e = expected.get(i);
      assertThat(a.offset()).isEqualTo(e.offset());
      assertThat(a.timestamp()).as("timestamp of offset %d", e.offset()).isEqualTo(e.timestamp());
      assertThat(a.key()).isEqualTo(e.key());
      assertThat(a.data()).as("data of offset %d", e.offset()).isEqualTo(e.data());
    }
  }

  static Path shardDir(Path root) {
    return root.resolve(STREAM).resolve(SHARD);
  }

  /** Segment log files of a shard directory in offset order. */
  static List<Path> segmentFiles(Path shardDir) {
    return files(shardDir, Segment.LOG_SUFFIX);
  }

  static List<Path> indexFiles(Path shardDir) {
    return files(shardDir, Segment.INDEX_SUFFIX);
  }

  private static List<Path> files(Path dir, String suffix) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static long baseOffsetOf(Path segmentFile) {
    String name = segmentFile.getFileName().toString();
    return Long.parseLong(name.substring(0, name.indexOf('.')));
  }

  /** File positions where batches of a segment end, parsed from the length fields. */
  static List<Long> batchEnds(Path segmentFile) throws IOException {
    ByteBuffer buf = ByteBuffer.wrap(Files.readAllBytes(segmentFile));
    List<Long> ends = new ArrayList<>();
    long pos = 0;
    while (pos + 4 <= buf.capacity()) {
      pos += 4 + buf.getInt((int) pos);
      ends.add(pos);
    }
    assertThat(pos).as("batches of %s end at its size", segmentFile).isEqualTo(buf.capacity());
    return ends;
  }

  /** Record counts of the batches of a segment, in file order. */
  static List<Integer> batchCounts(Path segmentFile) throws IOException {
    ByteBuffer buf = ByteBuffer.wrap(Files.readAllBytes(segmentFile));
    List<Integer> counts = new ArrayList<>();
    int pos = 0;
    while (pos + 4 <= buf.capacity()) {
      counts.add(buf.getInt(pos + RecordBatch.COUNT_OFFSET));
      pos += 4 + buf.getInt(pos);
    }
    return counts;
  }

  static void copyDir(Path from, Path to) throws IOException {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : s.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }
}
