package dev.basin.server.pgwire;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the PostgreSQL wire-protocol endpoint.
 *
 * @param bind the address to listen on
 * @param port the port (0 picks a free one)
 * @param authMethod how clients authenticate
 * @param authEnabled false accepts every client without a password (auth.enabled=false)
 * @param maxConnections most concurrent sessions; more get FATAL 53300
 * @param maxMessageBytes largest frontend message accepted; larger ones end the connection
 * @param serverVersion the {@code server_version} reported to clients
 * @param startupTimeout how long a client may take from connecting to being authenticated
 */
public record PgWireConfig(
    String bind,
    int port,
    PgAuthMethod authMethod,
    boolean authEnabled,
    int maxConnections,
    int maxMessageBytes,
    String serverVersion,
    Duration startupTimeout) {
  /** What Basin reports as {@code server_version}: new enough for clients' modern code paths. */
  public static final String SERVER_VERSION = "16.0 (Basin)";

  public PgWireConfig {
    Objects.requireNonNull(bind, "bind");
    Objects.requireNonNull(authMethod, "authMethod");
    Objects.requireNonNull(serverVersion, "serverVersion");
    Objects.requireNonNull(startupTimeout, "startupTimeout");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("pg port must be 0 to 65535, got " + port);
    }
    if (maxConnections < 1) {
      throw new IllegalArgumentException(
          "pg.max-connections must be at least 1, got " + maxConnections);
    }
    if (maxMessageBytes < 1024) {
      throw new IllegalArgumentException(
          "pg.max-message-bytes must be at least 1024, got " + maxMessageBytes);
    }
  }

  /** Defaults: SCRAM-SHA-256, 64 connections, 64 MiB messages, one minute to log in. */
  public static PgWireConfig defaults(String bind, int port) {
    return new PgWireConfig(
        bind,
        port,
        PgAuthMethod.SCRAM_SHA_256,
        true,
        64,
        64 * 1024 * 1024,
        SERVER_VERSION,
        Duration.ofMinutes(1));
  }

  public PgWireConfig withAuthMethod(PgAuthMethod method) {
    return new PgWireConfig(
        bind,
        port,
        method,
        authEnabled,
        maxConnections,
        maxMessageBytes,
        serverVersion,
        startupTimeout);
  }

  public PgWireConfig withAuthEnabled(boolean enabled) {
    return new PgWireConfig(
        bind,
        port,
        authMethod,
        enabled,
        maxConnections,
        maxMessageBytes,
        serverVersion,
        startupTimeout);
  }

  public PgWireConfig withMaxConnections(int max) {
    return new PgWireConfig(
        bind, port, authMethod, authEnabled, max, maxMessageBytes, serverVersion, startupTimeout);
  }

  public PgWireConfig withMaxMessageBytes(int max) {
    return new PgWireConfig(
        bind, port, authMethod, authEnabled, maxConnections, max, serverVersion, startupTimeout);
  }

  /** The numeric form of {@link #serverVersion} ({@code 16.0} → 160000). */
  int serverVersionNum() {
    String[] parts = serverVersion.split("[ .]");
    try {
      int major = Integer.parseInt(parts[0]);
      int minor = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
      return major * 10_000 + minor;
    } catch (NumberFormatException e) {
      return 160_000;
    }
  }
}
