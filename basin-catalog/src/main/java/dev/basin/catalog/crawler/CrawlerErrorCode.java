package dev.basin.catalog.crawler;

import dev.basin.common.error.ErrorCode;
import dev.basin.common.error.ErrorKind;

/** Error codes of the crawler: its classifiers, definitions, runs, plans and rollbacks. */
public enum CrawlerErrorCode implements ErrorCode {
  /** An object cannot be read as the format its content announces (a truncated Parquet file). */
  CORRUPT_OBJECT(ErrorKind.INVALID),
  /** Files that were asked to be classified as one table have different formats or dialects. */
  INCOMPATIBLE_FILES(ErrorKind.INVALID),
  /** A classifier setting is out of range. */
  INVALID_CONFIG(ErrorKind.INVALID),
  /** Reading an object's bytes failed. */
  READ_FAILED(ErrorKind.INTERNAL),
  /** No crawler has the name. */
  CRAWLER_NOT_FOUND(ErrorKind.NOT_FOUND),
  /** A crawler with the name exists already. */
  CRAWLER_ALREADY_EXISTS(ErrorKind.CONFLICT),
  /** A crawler definition is invalid: a bad target URI, exclude glob, cron text or setting. */
  INVALID_CRAWLER(ErrorKind.INVALID),
  /** The crawler has no run with the id. */
  RUN_NOT_FOUND(ErrorKind.NOT_FOUND),
  /** The run is not in a state that allows the operation (apply a run that is not PLANNED). */
  INVALID_RUN_STATE(ErrorKind.CONFLICT),
  /** A crawl found more tables than the crawler's table threshold; nothing was written. */
  TABLE_THRESHOLD_EXCEEDED(ErrorKind.LIMIT_EXCEEDED),
  /** The catalog changed between planning and applying; plan again. */
  PLAN_STALE(ErrorKind.CONFLICT),
  /** A table a run touched was changed afterwards by something else; rollback needs force. */
  ROLLBACK_CONFLICT(ErrorKind.CONFLICT);

  private final ErrorKind kind;

  CrawlerErrorCode(ErrorKind kind) {
    this.kind = kind;
  }

  @Override
  public ErrorKind kind() {
    return kind;
  }
}
