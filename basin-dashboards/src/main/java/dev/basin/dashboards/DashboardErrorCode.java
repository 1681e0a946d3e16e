package dev.basin.dashboards;

import dev.basin.common.error.ErrorCode;
import dev.basin.common.error.ErrorKind;

/** Errors of the dashboards service: datasets, visuals, dashboards and their queries. */
public enum DashboardErrorCode implements ErrorCode {
  /** A dataset definition is malformed: its source, calculated fields or security rule. */
  INVALID_DATASET(ErrorKind.INVALID),
  /** A visual spec is malformed or references a field its dataset does not have. */
  INVALID_VISUAL(ErrorKind.INVALID),
  /** A dashboard document is malformed; the message names the path of the first problem. */
  INVALID_DASHBOARD(ErrorKind.INVALID),
  /** A request member (filters, parameters, drill state) is malformed. */
  INVALID_REQUEST(ErrorKind.INVALID),
  /** No dataset has the name. */
  DATASET_NOT_FOUND(ErrorKind.NOT_FOUND),
  /** A dataset with the name exists. */
  DATASET_EXISTS(ErrorKind.CONFLICT),
  /** A dataset is still used by dashboards and cannot be deleted. */
  DATASET_IN_USE(ErrorKind.CONFLICT),
  /** No dashboard (or dashboard version) has the id. */
  DASHBOARD_NOT_FOUND(ErrorKind.NOT_FOUND),
  /** The dashboard has no visual with the id. */
  /** A dashboard with the id exists already (on create). */
  DASHBOARD_EXISTS(ErrorKind.CONFLICT),
  VISUAL_NOT_FOUND(ErrorKind.NOT_FOUND),
  /** The dashboard was saved by someone else since the version the caller edited. */
  VERSION_CONFLICT(ErrorKind.CONFLICT),
  /** The SQL engine rejected or failed a visual's query. */
  QUERY_FAILED(ErrorKind.INVALID),
  /** The service is shut down. */
  SHUT_DOWN(ErrorKind.UNAVAILABLE),
  /** The metadata database failed. */
  METADATA_STORE_FAILURE(ErrorKind.INTERNAL);

  private final ErrorKind kind;

  DashboardErrorCode(ErrorKind kind) {
    this.kind = kind;
  }

  @Override
  public ErrorKind kind() {
    return kind;
  }
}
