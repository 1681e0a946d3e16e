package dev.basin.spi.sql;

import java.util.Objects;

/**
 * A statement failed. The message says what went wrong and, where it can, what to do about it.
 * Unchecked.
 */
public class SqlException extends RuntimeException {

  private final SqlState state;
  private final int position;

  public SqlException(SqlState state, String message) {
    this(state, message, 0, null);
  }

  public SqlException(SqlState state, String message, Throwable cause) {
    this(state, message, 0, cause);
  }

  /**
   * @param position the 1-based character position in the statement the error refers to, or 0
   */
  public SqlException(SqlState state, String message, int position, Throwable cause) {
    super(message, cause);
    this.state = Objects.requireNonNull(state, "state");
    this.position = position;
  }

  public SqlState state() {
    return state;
  }

  /** The 1-based character position in the statement, or 0 when the error has none. */
  public int position() {
    return position;
  }
}
