package dev.basin.sql.service;

/**
 * Why a query execution failed, in Athena's terms plus the SQLSTATE the engine reported.
 *
 * @param category Athena's error category: 1 system, 2 user, 3 other
 * @param type Athena's error type, e.g. 1006 for a syntax error (see Athena's error catalog)
 * @param sqlState the five-character SQLSTATE, e.g. {@code 42601}
 * @param message the engine's message (syntax errors begin with {@code line L:C:})
 * @param retryable whether running the same query again may succeed
 */
public record QueryError(
    int category, int type, String sqlState, String message, boolean retryable) {

  public static final int SYSTEM = 1;
  public static final int USER = 2;
  public static final int OTHER = 3;
}
