package dev.basin.common.error;

import java.util.Objects;

/**
 * The unchecked exception every Basin service throws for a failure a user can act on. The message
 * says what went wrong with the offending value and, where there is one, what to do about it.
 */
public class BasinException extends RuntimeException {
  private final ErrorCode code;

  public BasinException(ErrorCode code, String message) {
    super(message);
    this.code = Objects.requireNonNull(code, "code");
  }

  public BasinException(ErrorCode code, String message, Throwable cause) {
    super(message, cause);
    this.code = Objects.requireNonNull(code, "code");
  }

  public ErrorCode code() {
    return code;
  }

  public ErrorKind kind() {
    return code.kind();
  }
}
