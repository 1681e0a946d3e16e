package dev.basin.stream.log;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of a {@link LocalStreamLog}.
 *
 * @param root directory holding {@code <stream>/<shardId>/} log directories
 * @param segmentBytes a segment rolls when the next batch would make it larger than this; a single
 *     batch larger than this gets a segment of its own (default 64 MiB)
 * @param segmentAge a non-empty segment whose first batch arrived this long ago rolls on the next
 *     append (default 1 h)
 * @param fsyncMode when an append is acknowledged (default {@link FsyncMode#GROUP})
 * @param fsyncInterval how often {@link FsyncMode#INTERVAL} fsyncs (default 1 s)
 * @param indexIntervalBytes bytes of log between two sparse index entries (default 4096)
 */
public record LocalStreamLogConfig(
    Path root,
    long segmentBytes,
    Duration segmentAge,
    FsyncMode fsyncMode,
    Duration fsyncInterval,
    int indexIntervalBytes) {

  public static final long DEFAULT_SEGMENT_BYTES = 64L * 1024 * 1024;
  public static final Duration DEFAULT_SEGMENT_AGE = Duration.ofHours(1);
  public static final Duration DEFAULT_FSYNC_INTERVAL = Duration.ofSeconds(1);
  public static final int DEFAULT_INDEX_INTERVAL_BYTES = 4096;

  /** When an append's future completes. */
  public enum FsyncMode {
    /**
     * The future completes once the batch is written and fsynced; concurrent appends share one
     * fsync. Survives power loss.
     */
    GROUP,
    /**
     * The future completes once the batch is written to the file (the OS page cache), and a timer
     * fsyncs every {@code fsyncInterval}. Survives a process kill; a power loss may lose up to one
     * interval of acknowledged records.
     */
    INTERVAL
  }

  /**
   * @throws IllegalArgumentException if a size or duration is not positive
   * @throws NullPointerException if an argument is null
   */
  public LocalStreamLogConfig {
    Objects.requireNonNull(root, "root");
    Objects.requireNonNull(segmentAge, "segmentAge");
    Objects.requireNonNull(fsyncMode, "fsyncMode");
    Objects.requireNonNull(fsyncInterval, "fsyncInterval");
    if (segmentBytes <= 0) {
      throw new IllegalArgumentException("segmentBytes must be positive: " + segmentBytes);
    }
    if (segmentAge.isNegative() || segmentAge.isZero()) {
      throw new IllegalArgumentException("segmentAge must be positive: " + segmentAge);
    }
    if (fsyncInterval.isNegative() || fsyncInterval.isZero()) {
      throw new IllegalArgumentException("fsyncInterval must be positive: " + fsyncInterval);
    }
    if (indexIntervalBytes <= 0) {
      throw new IllegalArgumentException(
          "indexIntervalBytes must be positive: " + indexIntervalBytes);
    }
  }

  /** The default settings with logs stored under {@code root}. */
  public static LocalStreamLogConfig defaults(Path root) {
    return new LocalStreamLogConfig(
        root,
        DEFAULT_SEGMENT_BYTES,
        DEFAULT_SEGMENT_AGE,
        FsyncMode.GROUP,
        DEFAULT_FSYNC_INTERVAL,
        DEFAULT_INDEX_INTERVAL_BYTES);
  }

  public LocalStreamLogConfig withSegmentBytes(long value) {
    return new LocalStreamLogConfig(
        root, value, segmentAge, fsyncMode, fsyncInterval, indexIntervalBytes);
  }

  public LocalStreamLogConfig withSegmentAge(Duration value) {
    return new LocalStreamLogConfig(
        root, segmentBytes, value, fsyncMode, fsyncInterval, indexIntervalBytes);
  }

  public LocalStreamLogConfig withFsyncMode(FsyncMode value) {
    return new LocalStreamLogConfig(
        root, segmentBytes, segmentAge, value, fsyncInterval, indexIntervalBytes);
  }

  public LocalStreamLogConfig withFsyncInterval(Duration value) {
    return new LocalStreamLogConfig(
        root, segmentBytes, segmentAge, fsyncMode, value, indexIntervalBytes);
  }

  public LocalStreamLogConfig withIndexIntervalBytes(int value) {
    return new LocalStreamLogConfig(
        root, segmentBytes, segmentAge, fsyncMode, fsyncInterval, value);
  }
}
