package dev.basin.server.auth;

import java.time.Instant;
import java.util.Objects;

/**
 * A named user of the web console and the native API, as the user store describes it: never with
 * its password hash.
 *
 * @param name the sign-in name, also the name row-level security rules grant values to
 * @param createdBy the user name or access key id that created it
 * @param disabled a disabled user cannot sign in and its sessions stop working
 */
public record User(String name, Role role, Instant createdAt, String createdBy, boolean disabled) {
  public User {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(createdBy, "createdBy");
  }
}
