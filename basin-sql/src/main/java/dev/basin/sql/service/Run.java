package dev.basin.sql.service;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The mutable record of one query execution, shared by the worker that runs it and the readers that
 * look at it. Every access is synchronized on the run; {@link #snapshot()} gives an immutable view.
 */
final class Run {
  final String id;
  final String sql;
  final String statementType;
  final String workgroup;
  final String database;
  final String user;
  final List<String> parameters;
  final String clientToken;
  final String fingerprint;
  final boolean reuseEnabled;
  final Instant submittedAt;

  /** Not persisted: only a live run has one. */
  final Duration timeout;

  private String outputLocation;
  private QueryState state = QueryState.QUEUED;
  private String reason;
  private QueryError error;
  private Instant startedAt;
  private Instant completedAt;
  private long planningMillis;
  private long engineMillis;
  private long rows = -1;
  private long bytesScanned;
  private long updateCount = -1;
  private String reusedFrom;
  private List<ResultColumn> columns = List.of();
  private long dataOffset;
  private long resultBytes;

  Run(
      String id,
      String sql,
      String statementType,
      String workgroup,
      String database,
      String user,
      List<String> parameters,
      String clientToken,
      String fingerprint,
      boolean reuseEnabled,
      Instant submittedAt,
      String outputLocation,
      Duration timeout) {
    this.id = id;
    this.sql = sql;
    this.statementType = statementType;
    this.workgroup = workgroup;
    this.database = database;
    this.user = user;
    this.parameters = List.copyOf(parameters);
    this.clientToken = clientToken;
    this.fingerprint = fingerprint;
    this.reuseEnabled = reuseEnabled;
    this.submittedAt = submittedAt;
    this.outputLocation = outputLocation;
    this.timeout = timeout;
  }

  synchronized QueryExecution snapshot() {
    return new QueryExecution(
        id,
        sql,
        statementType,
        workgroup,
        database,
        user,
        parameters,
        state,
        reason,
        error,
        submittedAt,
        startedAt,
        completedAt,
        planningMillis,
        engineMillis,
        rows,
        bytesScanned,
        updateCount,
        outputLocation,
        reusedFrom,
        reuseEnabled);
  }

  synchronized QueryState state() {
    return state;
  }

  synchronized void started(Instant at) {
    state = QueryState.RUNNING;
    startedAt = at;
  }

  synchronized void planned(long millis) {
    planningMillis = millis;
  }

  /** Ends the run; the first end wins, later ones are ignored. Returns whether this one won. */
  synchronized boolean end(QueryState to, String why, QueryError err, Instant at) {
    if (state.isFinal()) {
      return false;
    }
    state = to;
    reason = why;
    error = err;
    completedAt = at;
    engineMillis =
        startedAt == null ? 0 : Math.max(0, at.toEpochMilli() - startedAt.toEpochMilli());
    return true;
  }

  synchronized void results(
      List<ResultColumn> cols,
      long rowCount,
      long offset,
      long bytes,
      long scanned,
      long updated,
      String location,
      String reused) {
    columns = List.copyOf(cols);
    rows = rowCount;
    dataOffset = offset;
    resultBytes = bytes;
    bytesScanned = scanned;
    updateCount = updated;
    outputLocation = location;
    reusedFrom = reused;
  }

  synchronized void scanned(long bytes) {
    bytesScanned = bytes;
  }

  /** Restores the persisted end state of a finished run. */
  synchronized void restore(
      QueryState st,
      String why,
      QueryError err,
      Instant started,
      Instant completed,
      long planning,
      long engine) {
    state = st;
    reason = why;
    error = err;
    startedAt = started;
    completedAt = completed;
    planningMillis = planning;
    engineMillis = engine;
  }

  synchronized String outputLocation() {
    return outputLocation;
  }

  synchronized String reason() {
    return reason;
  }

  synchronized QueryError error() {
    return error;
  }

  synchronized Instant startedAt() {
    return startedAt;
  }

  synchronized Instant completedAt() {
    return completedAt;
  }

  synchronized long planningMillis() {
    return planningMillis;
  }

  synchronized long engineMillis() {
    return engineMillis;
  }

  synchronized long rows() {
    return rows;
  }

  synchronized long bytesScanned() {
    return bytesScanned;
  }

  synchronized long updateCount() {
    return updateCount;
  }

  synchronized String reusedFrom() {
    return reusedFrom;
  }

  synchronized List<ResultColumn> columns() {
    return columns;
  }

  synchronized long dataOffset() {
    return dataOffset;
  }

  synchronized long resultBytes() {
    return resultBytes;
  }
}
