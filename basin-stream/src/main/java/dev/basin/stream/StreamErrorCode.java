package dev.basin.stream;

import dev.basin.common.error.ErrorCode;
import dev.basin.common.error.ErrorKind;

/** Failures of the stream service. Protocol adapters map them to their own error names. */
public enum StreamErrorCode implements ErrorCode {
  /** A request value violates a declared constraint (length, range, pattern, missing member). */
  VALIDATION(ErrorKind.INVALID),
  /** A request is well-formed but not acceptable in the stream's current state. */
  INVALID_ARGUMENT(ErrorKind.INVALID),
  STREAM_NOT_FOUND(ErrorKind.NOT_FOUND),
  SHARD_NOT_FOUND(ErrorKind.NOT_FOUND),
  STREAM_EXISTS(ErrorKind.CONFLICT),
  LIMIT_EXCEEDED(ErrorKind.LIMIT_EXCEEDED),
  ITERATOR_EXPIRED(ErrorKind.EXPIRED),
  THROUGHPUT_EXCEEDED(ErrorKind.THROTTLED),
  INTERNAL(ErrorKind.INTERNAL);

  private final ErrorKind kind;

  StreamErrorCode(ErrorKind kind) {
    this.kind = kind;
  }

  @Override
  public ErrorKind kind() {
    return kind;
  }
}
