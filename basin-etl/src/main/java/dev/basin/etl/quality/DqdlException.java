package dev.basin.etl.quality;

import dev.basin.common.error.BasinException;

/**
 * A ruleset that cannot be parsed or compiled. Parse errors carry the 1-based line and column of
 * the offending token, and the message starts with {@code line L:C:}.
 */
public final class DqdlException extends BasinException {
  private final int line;
  private final int column;

  DqdlException(int line, int column, String message) {
    super(QualityErrorCode.INVALID_DQDL, "line " + line + ":" + column + ": " + message);
    this.line = line;
    this.column = column;
  }

  DqdlException(QualityErrorCode code, String message) {
    super(code, message);
    this.line = 0;
    this.column = 0;
  }

  /** The 1-based line of the error, or 0 when the error has no position. */
  public int line() {
    return line;
  }

  /** The 1-based column of the error, or 0 when the error has no position. */
  public int column() {
    return column;
  }
}
