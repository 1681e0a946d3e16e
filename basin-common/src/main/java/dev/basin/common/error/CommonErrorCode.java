package dev.basin.common.error;

/** Error codes shared by every module. */
public enum CommonErrorCode implements ErrorCode {
  INVALID_ARGUMENT(ErrorKind.INVALID),
  INVALID_CONFIG(ErrorKind.INVALID),
  NOT_FOUND(ErrorKind.NOT_FOUND),
  UNAUTHENTICATED(ErrorKind.UNAUTHENTICATED),
  UNAVAILABLE(ErrorKind.UNAVAILABLE),
  INTERNAL(ErrorKind.INTERNAL);

  private final ErrorKind kind;

  CommonErrorCode(ErrorKind kind) {
    this.kind = kind;
  }

  @Override
  public ErrorKind kind() {
    return kind;
  }
}
