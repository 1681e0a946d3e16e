package dev.basin.etl.run;

import dev.basin.common.error.ErrorCode;
import dev.basin.common.error.ErrorKind;

/** Errors of the job service's own requests (not of the jobs it runs). */
public enum RunErrorCode implements ErrorCode {
  /** A request member is missing or malformed. */
  INVALID_REQUEST(ErrorKind.INVALID),
  /** No job has the name. */
  JOB_NOT_FOUND(ErrorKind.NOT_FOUND),
  /** A job with the name exists. */
  JOB_EXISTS(ErrorKind.CONFLICT),
  /** No run of the job has the id. */
  RUN_NOT_FOUND(ErrorKind.NOT_FOUND),
  /** The job already runs {@code maxConcurrentRuns} times. */
  CONCURRENT_RUNS_EXCEEDED(ErrorKind.LIMIT_EXCEEDED),
  /** The run is not in a state that allows the operation. */
  INVALID_STATE(ErrorKind.CONFLICT),
  /** A job run failed: a source, transform, quality rule or target reported an error. */
  RUN_FAILED(ErrorKind.INVALID),
  /** The service is shut down. */
  SHUT_DOWN(ErrorKind.UNAVAILABLE),
  /** The metadata database failed. */
  METADATA_STORE_FAILURE(ErrorKind.INTERNAL);

  private final ErrorKind kind;

  RunErrorCode(ErrorKind kind) {
    this.kind = kind;
  }

  @Override
  public ErrorKind kind() {
    return kind;
  }
}
