package dev.basin.catalog.crawler;

import dev.basin.common.error.ErrorCode;
import dev.basin.common.error.ErrorKind;

/** Error codes of the crawler's classifiers. */
public enum CrawlerErrorCode implements ErrorCode {
  /** An object cannot be read as the format its content announces (a truncated Parquet file). */
  CORRUPT_OBJECT(ErrorKind.INVALID),
  /** Files that were asked to be classified as one table have different formats or dialects. */
  INCOMPATIBLE_FILES(ErrorKind.INVALID),
  /** A classifier setting is out of range. */
  INVALID_CONFIG(ErrorKind.INVALID),
  /** Reading an object's bytes failed. */
  READ_FAILED(ErrorKind.INTERNAL);

  private final ErrorKind kind;

  CrawlerErrorCode(ErrorKind kind) {
    this.kind = kind;
  }

  @Override
  public ErrorKind kind() {
    return kind;
  }
}
