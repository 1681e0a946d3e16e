package dev.basin.etl.quality;

import dev.basin.common.error.ErrorCode;
import dev.basin.common.error.ErrorKind;

/** Error codes of the data-quality package. */
public enum QualityErrorCode implements ErrorCode {
  /** The DQDL text does not parse. */
  INVALID_DQDL,
  /** A rule names a reference dataset the caller did not supply. */
  UNKNOWN_REFERENCE;

  @Override
  public ErrorKind kind() {
    return ErrorKind.INVALID;
  }
}
