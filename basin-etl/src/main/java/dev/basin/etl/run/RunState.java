package dev.basin.etl.run;

/** The states of a job run, with Glue's names. */
public enum RunState {
  /** Accepted, waiting for a worker. */
  STARTING,
  /** Executing. */
  RUNNING,
  /** A stop was requested; the run stops at its next step. */
  STOPPING,
  /** Stopped on request. */
  STOPPED,
  /** Every target was written and the bookmark (if any) committed. */
  SUCCEEDED,
  /** An error ended the run; the message says which node. */
  FAILED,
  /** The run took longer than the job's timeout. */
  TIMEOUT;

  /** Whether the run is over. */
  public boolean terminal() {
    return this == STOPPED || this == SUCCEEDED || this == FAILED || this == TIMEOUT;
  }
}
