package dev.basin.server.pgwire;

/**
 * The client broke the wire protocol: a bad length, an unknown message type, a truncated or
 * malformed message. The connection answers with a FATAL {@code 08P01} error and closes; the server
 * keeps serving other connections.
 */
final class PgProtocolException extends RuntimeException {

  PgProtocolException(String message) {
    super(message);
  }
}
