package dev.basin.spi.sql;

/**
 * A SQL engine over the lake: resolves {@code database.table} names through the catalog, reads and
 * writes the tables' files, and answers statements through sessions.
 *
 * <p>Thread-safe. Each session is used by one thread at a time; many sessions run concurrently.
 */
public interface SqlEngine extends AutoCloseable {

  /**
   * Opens a session. Sessions are cheap; close them when done.
   *
   * @throws SqlException {@link SqlState#INVALID_SCHEMA_NAME} if the context names a database that
   *     does not exist
   */
  SqlSession openSession(SessionContext context);

  /** Cancels running statements and releases the engine. Idempotent. */
  @Override
  void close();
}
