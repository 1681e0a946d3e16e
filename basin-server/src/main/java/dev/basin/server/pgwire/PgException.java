package dev.basin.server.pgwire;

import dev.basin.spi.sql.SqlException;

/**
 * An error to report to the client in an ErrorResponse: a SQLSTATE, a message and, where known, the
 * 1-based character position in the query text. {@code fatal} errors end the connection.
 */
final class PgException extends RuntimeException {
  static final String PROTOCOL_VIOLATION = "08P01";
  static final String INVALID_PASSWORD = "28P01";
  static final String INVALID_AUTHORIZATION = "28000";
  static final String INVALID_CATALOG_NAME = "3D000";
  static final String TOO_MANY_CONNECTIONS = "53300";
  static final String FEATURE_NOT_SUPPORTED = "0A000";
  static final String SYNTAX_ERROR = "42601";
  static final String INVALID_TEXT_REPRESENTATION = "22P02";
  static final String INVALID_BINARY_REPRESENTATION = "22P03";
  static final String INVALID_PARAMETER_VALUE = "22023";
  static final String UNDEFINED_OBJECT = "42704";
  static final String DUPLICATE_PREPARED_STATEMENT = "42P05";
  static final String DUPLICATE_CURSOR = "42P03";
  static final String INVALID_SQL_STATEMENT_NAME = "26000";
  static final String INVALID_CURSOR_NAME = "34000";
  static final String IN_FAILED_TRANSACTION = "25P02";
  static final String NO_ACTIVE_TRANSACTION = "25P01";
  static final String CANT_CHANGE_PARAMETER = "55P02";
  static final String INSUFFICIENT_PRIVILEGE = "42501";
  static final String INTERNAL_ERROR = "XX000";

  private final String sqlState;
  private final int position;
  private final boolean fatal;

  PgException(String sqlState, String message) {
    this(sqlState, message, 0, false);
  }

  PgException(String sqlState, String message, int position, boolean fatal) {
    super(message);
    this.sqlState = sqlState;
    this.position = position;
    this.fatal = fatal;
  }

  static PgException fatal(String sqlState, String message) {
    return new PgException(sqlState, message, 0, true);
  }

  /** The engine's error, its position shifted by {@code offset} characters of the query text. */
  static PgException from(SqlException e, int offset) {
    String message = e.getMessage() == null ? e.state().name() : e.getMessage();
    return new PgException(
        e.state().code(), message, e.position() > 0 ? e.position() + offset : 0, false);
  }

  String sqlState() {
    return sqlState;
  }

  /** The 1-based character position in the query text, or 0. */
  int position() {
    return position;
  }

  boolean fatal() {
    return fatal;
  }
}
