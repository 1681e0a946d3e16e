package dev.basin.common.error;

/**
 * A stable, machine-readable error code. Each module declares its own codes as an enum implementing
 * this interface, so protocol adapters can map specific codes to their protocol's error names.
 */
public interface ErrorCode {

  /** The code's stable name, e.g. {@code STREAM_NOT_FOUND}. */
  String name();

  /** The broad class of the failure. */
  ErrorKind kind();
}
