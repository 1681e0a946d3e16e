package dev.basin.sql.service;

import dev.basin.common.error.ErrorCode;
import dev.basin.common.error.ErrorKind;

/** Errors of the query service's own requests (not of the statements it runs). */
public enum QueryErrorCode implements ErrorCode {
  /** A request member is missing, too long or malformed. */
  INVALID_REQUEST(ErrorKind.INVALID),
  /** No query execution has the id. */
  QUERY_NOT_FOUND(ErrorKind.NOT_FOUND),
  /** Results were asked for before the query finished. */
  QUERY_NOT_FINISHED(ErrorKind.INVALID),
  /** Results were asked for but the query failed or was cancelled. */
  QUERY_NOT_SUCCEEDED(ErrorKind.INVALID),
  /** A paging token is malformed or belongs to another query. */
  INVALID_TOKEN(ErrorKind.INVALID),
  /** The query's result file is gone from its output location. */
  RESULTS_NOT_FOUND(ErrorKind.NOT_FOUND),
  /** No named query has the id. */
  NAMED_QUERY_NOT_FOUND(ErrorKind.NOT_FOUND),
  /** No workgroup has the name. */
  WORKGROUP_NOT_FOUND(ErrorKind.NOT_FOUND),
  /** A workgroup with the name exists. */
  WORKGROUP_EXISTS(ErrorKind.CONFLICT),
  /** The workgroup is disabled, or still holds named queries or history. */
  WORKGROUP_IN_USE(ErrorKind.CONFLICT),
  /** A client request token was reused with different parameters. */
  IDEMPOTENCY_MISMATCH(ErrorKind.INVALID),
  /** Too many queries are running and queued; retry after a back-off. */
  TOO_MANY_QUERIES(ErrorKind.THROTTLED),
  /** The service is shut down. */
  SHUT_DOWN(ErrorKind.UNAVAILABLE),
  /** The metadata database failed. */
  METADATA_STORE_FAILURE(ErrorKind.INTERNAL);

  private final ErrorKind kind;

  QueryErrorCode(ErrorKind kind) {
    this.kind = kind;
  }

  @Override
  public ErrorKind kind() {
    return kind;
  }
}
