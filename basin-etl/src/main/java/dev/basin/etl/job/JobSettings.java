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
 * @param rowCounts whether a run counts the rows of every node (default true): nodes that change
 *     the row count are then materialized; false fuses them into the target's query (faster; only
 *     sources, quality nodes and targets are counted)
 */
public record JobSettings(
    Duration timeout,
    int maxRetries,
    BookmarkOption bookmarks,
    int maxConcurrentRuns,
    boolean rowCounts) {

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

  /** Settings with row counts on. */
  public JobSettings(
      Duration timeout, int maxRetries, BookmarkOption bookmarks, int maxConcurrentRuns) {
    this(timeout, maxRetries, bookmarks, maxConcurrentRuns, true);
  }

  /** 48 hours, no retries, bookmarks disabled, one run at a time, rows counted. */
  public static JobSettings defaults() {
    return new JobSettings(DEFAULT_TIMEOUT, 0, BookmarkOption.DISABLE, 1, true);
  }
}
