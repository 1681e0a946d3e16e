package dev.basin.sql;

import dev.basin.spi.sql.SqlException;
import dev.basin.spi.sql.SqlState;
import java.sql.SQLException;
import java.util.Locale;

/**
 * Turns DuckDB's JDBC exceptions into {@link SqlException}s with a SQLSTATE and a clean message.
 */
public final class SqlErrors {

  private SqlErrors() {}

  /**
   * Maps a DuckDB failure. The message drops DuckDB's "LINE 1: …" excerpt, which would show the
   * rewritten statement (file lists) rather than the user's.
   */
  public static SqlException translate(SQLException e) {
    String raw = e.getMessage() == null ? e.toString() : e.getMessage();
    String message = raw;
    int line = message.indexOf("\n\nLINE ");
    if (line < 0) {
      line = message.indexOf("\nLINE ");
    }
    if (line >= 0) {
      message = message.substring(0, line);
    }
    message = message.strip();
    String lower = message.toLowerCase(Locale.ROOT);
    SqlState state;
    if (lower.startsWith("parser error") || lower.contains("syntax error")) {
      state = SqlState.SYNTAX_ERROR;
    } else if (lower.startsWith("interrupt") || lower.contains("interrupted")) {
      state = SqlState.QUERY_CANCELED;
      message = "the query was cancelled";
    } else if (lower.startsWith("catalog error") && lower.contains("table with name")) {
      state = SqlState.UNDEFINED_TABLE;
    } else if (lower.startsWith("catalog error") && lower.contains("function")) {
      state = SqlState.UNDEFINED_FUNCTION;
    } else if (lower.startsWith("catalog error") && lower.contains("schema")) {
      state = SqlState.INVALID_SCHEMA_NAME;
    } else if (lower.startsWith("binder error")
        && (lower.contains("referenced column")
            || lower.contains("column") && lower.contains("not found"))) {
      state = SqlState.UNDEFINED_COLUMN;
    } else if (lower.startsWith("binder error") && lower.contains("no function matches")) {
      state = SqlState.UNDEFINED_FUNCTION;
    } else if (lower.startsWith("binder error") || lower.startsWith("catalog error")) {
      state = SqlState.DATATYPE_MISMATCH;
    } else if (lower.startsWith("conversion error")
        || lower.startsWith("invalid input error")
        || lower.startsWith("out of range error")
        || lower.contains("division by zero")) {
      state = SqlState.DATA_EXCEPTION;
    } else if (lower.startsWith("out of memory")) {
      state = SqlState.LIMIT_EXCEEDED;
    } else if (lower.startsWith("permission error")) {
      state = SqlState.FEATURE_NOT_SUPPORTED;
      message = message + " (queries may read lake tables, not arbitrary files)";
    } else if (lower.startsWith("not implemented")) {
      state = SqlState.FEATURE_NOT_SUPPORTED;
    } else {
      state = SqlState.INTERNAL_ERROR;
    }
    return new SqlException(state, message, 0, e);
  }
}
