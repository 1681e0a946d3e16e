package dev.basin.sql.service;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A snapshot of one query execution: what was asked, where it is, and what it cost.
 *
 * @param id the execution id (a UUID)
 * @param query the statement as submitted
 * @param statementType Athena's classification: {@code DML} (queries and writes), {@code DDL},
 *     {@code UTILITY} (SHOW, DESCRIBE, EXPLAIN, USE)
 * @param workgroup the workgroup it ran in
 * @param database the database unqualified names resolved in, or null
 * @param user who submitted it
 * @param parameters its execution parameters as submitted (SQL literals)
 * @param state where it is
 * @param stateChangeReason why it ended as it did (null while it runs and on success)
 * @param error the failure, for {@link QueryState#FAILED}; null otherwise
 * @param submittedAt when it was accepted
 * @param startedAt when it left the queue, or null
 * @param completedAt when it ended, or null
 * @param planningMillis time spent planning (resolving tables, pruning files)
 * @param engineMillis time from leaving the queue to the end (planning, execution, writing results)
 * @param rows data rows in the result (-1 until known)
 * @param bytesScanned bytes of the data files it read (0 when answered from a previous result)
 * @param updateCount rows written by a write statement, -1 otherwise
 * @param outputLocation the {@code s3://} URI of its result CSV (for a reused result, the earlier
 *     execution's file), or null for statements without rows
 * @param reusedFrom the execution whose result answered this one, or null when it ran
 * @param resultReuseEnabled whether a previous result was allowed to answer it
 */
public record QueryExecution(
    String id,
    String query,
    String statementType,
    String workgroup,
    String database,
    String user,
    List<String> parameters,
    QueryState state,
    String stateChangeReason,
    QueryError error,
    Instant submittedAt,
    Instant startedAt,
    Instant completedAt,
    long planningMillis,
    long engineMillis,
    long rows,
    long bytesScanned,
    long updateCount,
    String outputLocation,
    String reusedFrom,
    boolean resultReuseEnabled) {

  /** Whether a previous result answered this execution (Athena's {@code ReusedPreviousResult}). */
  public boolean reusedPreviousResult() {
    return reusedFrom != null;
  }

  /** Time spent waiting for a slot. */
  public long queueMillis(Instant now) {
    Instant end = startedAt != null ? startedAt : completedAt != null ? completedAt : now;
    return Math.max(0, Duration.between(submittedAt, end).toMillis());
  }

  /** Time from submission to the end (or to {@code now} while it runs). */
  public long totalMillis(Instant now) {
    Instant end = completedAt != null ? completedAt : now;
    return Math.max(0, Duration.between(submittedAt, end).toMillis());
  }
}
