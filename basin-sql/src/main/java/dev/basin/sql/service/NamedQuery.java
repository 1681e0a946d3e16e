package dev.basin.sql.service;

import java.time.Instant;

/**
 * A saved query of a workgroup.
 *
 * @param id its id (a UUID)
 * @param name 1–128 characters
 * @param description up to 1024 characters, or null
 * @param database the database it runs in
 * @param queryString the statement
 * @param workgroup the workgroup it belongs to
 * @param createdAt when it was saved
 */
public record NamedQuery(
    String id,
    String name,
    String description,
    String database,
    String queryString,
    String workgroup,
    Instant createdAt) {

  /**
   * What to save.
   *
   * @param clientRequestToken an idempotency token, or null
   */
  public record Input(
      String name,
      String description,
      String database,
      String queryString,
      String workgroup,
      String clientRequestToken) {}
}
