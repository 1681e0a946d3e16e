package dev.basin.server.http;

import dev.basin.server.auth.Role;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Single-use, short-lived tickets that let the server's own headless browser open one console page
 * as the user who asked for a dashboard export (so row-level security applies to what it renders).
 * A ticket names its user and the one console path (a hash route such as {@code
 * /dashboards/sales?print=1}) it may open; it is consumed by its first use, right or wrong, and
 * expires {@link #DEFAULT_TTL} after it was issued. The console session its use opens is {@link
 * #attach attached} to it, so that the exporter can end that session with {@link #finish} whatever
 * became of the browser. Tickets live in memory only. Thread-safe.
 */
public final class PrintTickets {
  /** How long a ticket may wait for its first use, and how long its print session may last. */
  public static final Duration DEFAULT_TTL = Duration.ofSeconds(60);

  private static final int MAX_TICKETS = 256;

  /**
   * What a consumed ticket grants: a console session for {@code user} with {@code role} (the role
   * the user had when asking for the export), opened on {@code target}; {@code id} names the ticket
   * for {@link #attach}.
   */
  public record Grant(String id, String user, Role role, String target) {}

  private record Entry(byte[] digest, String user, Role role, String target, Instant expiresAt) {}

  private final Map<String, Entry> tickets = new ConcurrentHashMap<>();
  // Ticket id -> the print session's token ("" until the ticket is used), from issue to finish.
  private final Map<String, String> exports = new LinkedHashMap<>();
  private final SecureRandom random = new SecureRandom();
  private final Clock clock;
  private final Duration ttl;

  public PrintTickets(Clock clock, Duration ttl) {
    this.clock = Objects.requireNonNull(clock, "clock");
    if (ttl == null || ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("ticket ttl must be positive, was " + ttl);
    }
    this.ttl = ttl;
  }

  /**
   * Issues a ticket for {@code user} (with {@code role}) to open {@code target}.
   *
   * @return the ticket: 43 URL-safe characters
   * @throws IllegalArgumentException if the user is blank or the target is not a dashboard path
   */
  public String issue(String user, Role role, String target) {
    String ticket = issue0(user, role, target);
    synchronized (exports) {
      if (exports.size() >= MAX_TICKETS) {
        // An exporter that never called finish: its session expires with the ttl anyway.
        exports.remove(exports.keySet().iterator().next());
      }
      exports.put(HexFormat.of().formatHex(sha256(ticket)), "");
    }
    return ticket;
  }

  private String issue0(String user, Role role, String target) {
    if (user == null || user.isBlank() || role == null) {
      throw new IllegalArgumentException("a print ticket needs a user and a role");
    }
    if (!validTarget(target)) {
      throw new IllegalArgumentException("not a dashboard path: '" + target + "'");
    }
    Instant now = clock.instant();
    tickets.values().removeIf(e -> !e.expiresAt().isAfter(now));
    if (tickets.size() >= MAX_TICKETS) {
      // Oldest first: a burst of export requests cannot grow the map without end.
      tickets.entrySet().stream()
          .sorted((a, b) -> a.getValue().expiresAt().compareTo(b.getValue().expiresAt()))
          .limit(tickets.size() - MAX_TICKETS + 1L)
          .map(Map.Entry::getKey)
          .toList()
          .forEach(tickets::remove);
    }
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    String ticket = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    byte[] digest = sha256(ticket);
    tickets.put(
        HexFormat.of().formatHex(digest), new Entry(digest, user, role, target, now.plus(ttl)));
    return ticket;
  }

  /**
   * Consumes a ticket. The ticket is removed whatever the outcome, so a ticket presented with the
   * wrong target cannot be retried.
   *
   * @return the grant, or empty when the ticket is unknown, already used, expired, or was issued
   *     for another target
   */
  public Optional<Grant> consume(String ticket, String target) {
    if (ticket == null || ticket.isEmpty() || ticket.length() > 128 || target == null) {
      return Optional.empty();
    }
    // Looked up by the ticket's digest and compared in constant time: neither the map nor the
    // comparison reveals how much of a guessed ticket was right.
    byte[] digest = sha256(ticket);
    Entry e = tickets.remove(HexFormat.of().formatHex(digest));
    if (e == null
        || !MessageDigest.isEqual(digest, e.digest())
        || !e.expiresAt().isAfter(clock.instant())
        || !e.target().equals(target)) {
      return Optional.empty();
    }
    return Optional.of(new Grant(HexFormat.of().formatHex(digest), e.user(), e.role(), e.target()));
  }

  /**
   * Records the console session that a consumed ticket opened, so that {@link #finish} returns it.
   *
   * @return false when the export already finished: the caller must revoke the session itself
   */
  public boolean attach(Grant grant, String sessionToken) {
    synchronized (exports) {
      if (!exports.containsKey(grant.id())) {
        return false;
      }
      exports.put(grant.id(), sessionToken);
      return true;
    }
  }

  /**
   * Ends the export of {@code ticket}: the ticket can no longer be used (nor a session attached).
   *
   * @return the token of the session its use opened, to revoke; empty when it was not used
   */
  public Optional<String> finish(String ticket) {
    String id = HexFormat.of().formatHex(sha256(ticket));
    tickets.remove(id);
    synchronized (exports) {
      String token = exports.remove(id);
      return token == null || token.isEmpty() ? Optional.empty() : Optional.of(token);
    }
  }

  /** How long a print session opened with a ticket may last: the export's time limit. */
  public Duration sessionTtl() {
    return ttl;
  }

  /**
   * Whether {@code target} may be opened with a ticket: a console dashboard route ({@code
   * /dashboards/<id>}, optionally followed by {@code ?<query>}) made only of URL-safe characters,
   * so that redirecting to {@code /ui/#<target>} can never leave the console.
   */
  public static boolean validTarget(String target) {
    if (target == null || target.length() > 8192 || !target.startsWith("/dashboards/")) {
      return false;
    }
    int q = target.indexOf('?');
    String path = q < 0 ? target : target.substring(0, q);
    if (path.length() <= "/dashboards/".length() || path.contains("//") || path.contains("..")) {
      return false;
    }
    for (int i = 0; i < target.length(); i++) {
      char c = target.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || "-._~%/?=&+".indexOf(c) >= 0;
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
