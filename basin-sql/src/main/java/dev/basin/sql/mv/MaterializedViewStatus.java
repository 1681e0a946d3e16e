package dev.basin.sql.mv;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * One materialized view as the status call reports it.
 *
 * @param name {@code database.view}
 * @param sql the defining query
 * @param incremental whether the view can be refreshed incrementally (a single-table aggregate)
 * @param fullReason why it cannot, or null
 * @param autoRefresh whether it refreshes after each commit to an input
 * @param refreshEvery its refresh period, or null
 * @param lastRefreshMode how the last committed refresh ran (FULL or INCREMENTAL), or null
 * @param lastRefreshTime when the last committed refresh started, or null
 * @param lastRefreshDuration how long it took, or null
 * @param rows rows in the view
 * @param staleInputs Iceberg inputs whose current snapshot the view does not reflect yet (empty
 *     when fresh); external-table inputs are never listed: their changes are only picked up by
 *     REFRESH or a refresh period
 * @param refreshing whether a refresh is running now
 * @param lastError the last failed refresh's message since the last success, or null
 * @param lastErrorTime when it failed, or null
 */
public record MaterializedViewStatus(
    String name,
    String sql,
    boolean incremental,
    String fullReason,
    boolean autoRefresh,
    Duration refreshEvery,
    RefreshMode lastRefreshMode,
    Instant lastRefreshTime,
    Duration lastRefreshDuration,
    long rows,
    List<String> staleInputs,
    boolean refreshing,
    String lastError,
    Instant lastErrorTime) {

  public MaterializedViewStatus {
    staleInputs = List.copyOf(staleInputs);
  }

  /** Whether some input has changed since the view was last refreshed. */
  public boolean stale() {
    return !staleInputs.isEmpty();
  }
}
