package dev.basin.etl.job;

import java.time.Duration;
import java.util.Objects;

/**
 * Run settings of a job.
 *
 * @param timeout a run that takes longer is stopped with state TIMEOUT (default 48 hours, as Glue)
 * @param maxRetries how often a failed run is retried (default 0)
 * @param bookmarks the bookmark option (default {@link BookmarkOption#DISABLE})
 * @param maxConcurrentRuns how many runs of the job may run at once (default 1)
 */
public record JobSettings(
    Duration timeout, int maxRetries, BookmarkOption bookmarks, int maxConcurrentRuns) {

  /** The default timeout: 2,880 minutes. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofHours(48);

  public JobSettings {
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(bookmarks, "bookmarks");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive: " + timeout);
    }
    if (maxRetries < 0) {
      throw new IllegalArgumentException("maxRetries must be >= 0: " + maxRetries);
    }
    if (maxConcurrentRuns < 1) {
      throw new IllegalArgumentException("maxConcurrentRuns must be >= 1: " + maxConcurrentRuns);
    }
  }

  /** 48 hours, no retries, bookmarks disabled, one run at a time. */
  public static JobSettings defaults() {
    return new JobSettings(DEFAULT_TIMEOUT, 0, BookmarkOption.DISABLE, 1);
  }
}
