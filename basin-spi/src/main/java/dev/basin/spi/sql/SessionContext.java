package dev.basin.spi.sql;

import java.util.Objects;

/**
 * Who runs statements and where unqualified names resolve.
 *
 * @param user the authenticated user (an access key id), recorded in history
 * @param database the catalog database unqualified table names resolve in, or null for none
 */
public record SessionContext(String user, String database) {

  public SessionContext {
    Objects.requireNonNull(user, "user");
  }
}
