package dev.basin.delivery;

import dev.basin.common.error.ErrorCode;
import dev.basin.common.error.ErrorKind;

/** Error codes of delivery streams. */
public enum DeliveryErrorCode implements ErrorCode {
  /** A delivery stream's configuration is invalid; the message names the field at fault. */
  INVALID_CONFIG(ErrorKind.INVALID),
  /** A put request breaks a limit (records per batch, batch or record size); nothing was stored. */
  INVALID_REQUEST(ErrorKind.INVALID),
  /**
   * The destination's committed checkpoints changed under a running worker (another worker of the
   * same delivery committed); the worker stops and must be restarted to reload them.
   */
  CHECKPOINT_CONFLICT(ErrorKind.CONFLICT),
  /** No delivery stream has the given name. */
  DELIVERY_NOT_FOUND(ErrorKind.NOT_FOUND),
  /** A delivery stream with the given name exists already. */
  DELIVERY_EXISTS(ErrorKind.CONFLICT),
  /** The server's limit on delivery streams is reached. */
  DELIVERY_LIMIT_EXCEEDED(ErrorKind.LIMIT_EXCEEDED);

  private final ErrorKind kind;

  DeliveryErrorCode(ErrorKind kind) {
    this.kind = kind;
  }

  @Override
  public ErrorKind kind() {
    return kind;
  }
}
