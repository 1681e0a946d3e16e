package dev.basin.delivery;

import dev.basin.common.error.ErrorCode;
import dev.basin.common.error.ErrorKind;

/** Error codes of delivery streams. */
public enum DeliveryErrorCode implements ErrorCode {
  /** A delivery stream's configuration is invalid; the message names the field at fault. */
  INVALID_CONFIG(ErrorKind.INVALID),
  /**
   * The destination's committed checkpoints changed under a running worker (another worker of the
   * same delivery committed); the worker stops and must be restarted to reload them.
   */
  CHECKPOINT_CONFLICT(ErrorKind.CONFLICT);

  private final ErrorKind kind;

  DeliveryErrorCode(ErrorKind kind) {
    this.kind = kind;
  }

  @Override
  public ErrorKind kind() {
    return kind;
  }
}
