package dev.basin.server.auth;

import dev.basin.common.error.ErrorCode;
import dev.basin.common.error.ErrorKind;

/** Error codes of the user store ({@link Users}). */
public enum UserErrorCode implements ErrorCode {
  /** A user name, role or password breaks the rules; the message says which. */
  INVALID_USER(ErrorKind.INVALID),
  USER_NOT_FOUND(ErrorKind.NOT_FOUND),
  USER_EXISTS(ErrorKind.CONFLICT),
  /** The metadata database failed. */
  USER_STORE_FAILURE(ErrorKind.INTERNAL),
  /** The store was used after it was closed. */
  USER_STORE_SHUT_DOWN(ErrorKind.UNAVAILABLE);

  private final ErrorKind kind;

  UserErrorCode(ErrorKind kind) {
    this.kind = kind;
  }

  @Override
  public ErrorKind kind() {
    return kind;
  }
}
