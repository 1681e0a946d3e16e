package dev.basin.sql.service;

/** Where a query execution is in its life, with Athena's names. */
public enum QueryState {
  /** Accepted and waiting for a free slot. */
  QUEUED,
  /** Planning or executing, or writing its results. */
  RUNNING,
  /** Finished; its results (if it returns rows) are in the output location. */
  SUCCEEDED,
  /** Ended by an error; the execution's error says why. */
  FAILED,
  /** Stopped by a user, or before running because it would scan more than its workgroup allows. */
  CANCELLED;

  /** Whether the execution has ended and will not change again. */
  public boolean isFinal() {
    return this == SUCCEEDED || this == FAILED || this == CANCELLED;
  }
}
