package dev.basin.server.auth;

import dev.basin.common.error.BasinException;
import java.util.Locale;

/**
 * What a named user may do with the native API and the web console (the key pair is always an
 * admin):
 *
 * <ul>
 *   <li>{@link #ADMIN}: everything, including managing users;
 *   <li>{@link #AUTHOR}: datasets and dashboards (not their row-level security), visuals, read-only
 *       queries (their own executions only), and reading the catalog;
 *   <li>{@link #READER}: reading datasets and dashboards and the data of their visuals.
 * </ul>
 */
public enum Role {
  ADMIN,
  AUTHOR,
  READER;

  /**
   * The role named {@code text}, in any case.
   *
   * @throws BasinException ({@code INVALID_USER}) naming the roles there are
   */
  public static Role parse(String text) {
    if (text != null) {
      try {
        return valueOf(text.strip().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        // reported below
      }
    }
    throw new BasinException(
        UserErrorCode.INVALID_USER,
        "role '" + text + "' is unknown; use one of admin, author, reader");
  }
}
