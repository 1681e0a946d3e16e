package dev.basin.catalog;

import dev.basin.common.error.ErrorCode;
import dev.basin.common.error.ErrorKind;

/** Error codes of the data catalog. */
public enum CatalogErrorCode implements ErrorCode {
  DATABASE_NOT_FOUND(ErrorKind.NOT_FOUND),
  DATABASE_ALREADY_EXISTS(ErrorKind.CONFLICT),
  /** A database still holds tables or views and was dropped without cascade. */
  DATABASE_NOT_EMPTY(ErrorKind.CONFLICT),
  TABLE_NOT_FOUND(ErrorKind.NOT_FOUND),
  TABLE_ALREADY_EXISTS(ErrorKind.CONFLICT),
  TABLE_VERSION_NOT_FOUND(ErrorKind.NOT_FOUND),
  PARTITION_NOT_FOUND(ErrorKind.NOT_FOUND),
  PARTITION_ALREADY_EXISTS(ErrorKind.CONFLICT),
  /** Someone else changed the same object in between; reload and retry. */
  CONCURRENT_MODIFICATION(ErrorKind.CONFLICT),
  /** A database, table, column or partition key name breaks the naming rules. */
  INVALID_NAME(ErrorKind.INVALID),
  /** A column type string does not parse. */
  INVALID_TYPE(ErrorKind.INVALID),
  /** A location is not an {@code s3://bucket/prefix} URI or names a bucket that does not exist. */
  INVALID_LOCATION(ErrorKind.INVALID),
  /** Any other invalid input: a missing field, a bad SerDe parameter, a bad filter. */
  INVALID_INPUT(ErrorKind.INVALID),
  /** The metadata database failed. */
  METADATA_STORE_FAILURE(ErrorKind.INTERNAL);

  private final ErrorKind kind;

  CatalogErrorCode(ErrorKind kind) {
    this.kind = kind;
  }

  @Override
  public ErrorKind kind() {
    return kind;
  }
}
