package dev.basin.server.http;

import dev.basin.server.auth.Permissions;
import dev.basin.server.auth.Role;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The web console's sign-in sessions, kept in memory: a restart of the server signs every user out.
 * A session is created by signing in with the server's key pair or as a named user, records who
 * signed in and with which role, and names a random cookie token and a separate CSRF token that the
 * console sends in the {@value #CSRF_HEADER} header of every state-changing request. Sessions
 * expire a fixed time after sign-in. Thread-safe.
 */
public final class ConsoleSessions {
  /** The cookie that carries the session token. */
  public static final String COOKIE = "basin_session";

  /** The header that must carry the session's CSRF token on requests that change state. */
  public static final String CSRF_HEADER = "X-Basin-Csrf";

  /** How long a session lasts after sign-in. */
  public static final Duration DEFAULT_TTL = Duration.ofHours(12);

  private static final int MAX_SESSIONS = 1_000;

  /**
   * One signed-in browser.
   *
   * @param user the key pair's access key id, or the name of a user
   * @param role the role at sign-in ({@link Role#ADMIN} for the key pair); the authenticator checks
   *     a user's current role on every request
   */
  public record Session(String token, String csrfToken, String user, Role role, Instant expiresAt) {
    public Session {
      Objects.requireNonNull(user, "user");
      Objects.requireNonNull(role, "role");
    }

    @Override
    public String toString() {
      return "Session[user=" + user + ", role=" + role + ", expiresAt=" + expiresAt + "]";
    }
  }

  private final Map<String, Session> sessions = new ConcurrentHashMap<>();
  // Tokens of print sessions (see createPrintSession): read-only, whatever their role.
  private final Set<String> readOnly = ConcurrentHashMap.newKeySet();
  private final SecureRandom random = new SecureRandom();
  private final Clock clock;
  private final Duration ttl;

  public ConsoleSessions(Clock clock, Duration ttl) {
    this.clock = Objects.requireNonNull(clock, "clock");
    if (ttl == null || ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("session ttl must be positive, was " + ttl);
    }
    this.ttl = ttl;
  }

  /** Creates a session for someone who has just proved they hold the key pair (an admin). */
  public Session create(String accessKeyId) {
    return create(accessKeyId, Role.ADMIN);
  }

  /**
   * Creates a session for {@code user} with {@code role}: the key pair's access key id with {@link
   * Role#ADMIN}, or a user who has just given their password.
   */
  public Session create(String user, Role role) {
    Instant now = clock.instant();
    sessions.values().removeIf(s -> !s.expiresAt().isAfter(now));
    if (sessions.size() >= MAX_SESSIONS) {
      // The oldest sign-ins make room: a flood of sign-ins cannot exhaust memory.
      sessions.values().stream()
          .sorted((a, b) -> a.expiresAt().compareTo(b.expiresAt()))
          .limit(sessions.size() - MAX_SESSIONS + 1L)
          .toList()
          .forEach(s -> sessions.remove(s.token()));
    }
    Session s = new Session(randomToken(), randomToken(), user, role, now.plus(ttl));
    sessions.put(s.token(), s);
    return s;
  }

  /**
   * Creates a read-only session for the server's own headless browser, which renders a dashboard
   * export as {@code user}: it lasts {@code ttl} (the export's time limit) and may make only safe
   * requests (GET, HEAD, OPTIONS) and POSTs of a saved visual's data and insights, see {@link
   * #allows(String, String, String, String)}. The exporter revokes it when the export ends.
   */
  public Session createPrintSession(String user, Role role, Duration ttl) {
    if (ttl == null || ttl.isNegative() || ttl.isZero() || ttl.compareTo(this.ttl) > 0) {
      throw new IllegalArgumentException(
          "print session ttl must be positive and at most " + this.ttl + ", was " + ttl);
    }
    readOnly.removeIf(t -> !sessions.containsKey(t));
    Session full = create(user, role);
    Session s = new Session(full.token(), full.csrfToken(), user, role, clock.instant().plus(ttl));
    // Marked read-only before the shorter expiry replaces the entry; the token is not out yet.
    readOnly.add(s.token());
    sessions.put(s.token(), s);
    return s;
  }

  /** The live session with this cookie token; empty when unknown, expired or null. */
  public Optional<Session> find(String token) {
    if (token == null || token.isEmpty()) {
      return Optional.empty();
    }
    Session s = sessions.get(token);
    if (s == null) {
      return Optional.empty();
    }
    if (!s.expiresAt().isAfter(clock.instant())) {
      sessions.remove(token, s);
      readOnly.remove(token);
      return Optional.empty();
    }
    return Optional.of(s);
  }

  /**
   * Whether a request that carries this cookie token may use the native API: the session must be
   * live and, unless the method is safe (GET, HEAD, OPTIONS), the CSRF header must match it.
   */
  public boolean allows(String method, String token, String csrfHeader) {
    return allows(method, null, token, csrfHeader);
  }

  /**
   * Like {@link #allows(String, String, String)}, and a print session may besides make only the
   * POSTs of a saved visual's data and insights ({@code path} {@code
   * /api/v1/dashboards/{id}/visuals/{visual}/data|insights}); with a null path it may make none.
   */
  public boolean allows(String method, String path, String token, String csrfHeader) {
    Optional<Session> s = find(token);
    if (s.isEmpty()) {
      return false;
    }
    boolean safe = method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS");
    if (!safe
        && readOnly.contains(token)
        && !(method.equals("POST") && Permissions.allows(Role.READER, method, path))) {
      return false;
    }
    if (safe) {
      return true;
    }
    return csrfHeader != null
        && MessageDigest.isEqual(
            csrfHeader.getBytes(java.nio.charset.StandardCharsets.UTF_8),
            s.get().csrfToken().getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  /** Ends a session; unknown tokens are ignored. */
  public void revoke(String token) {
    if (token != null) {
      sessions.remove(token);
      readOnly.remove(token);
    }
  }

  /**
   * Ends every session of {@code user} (a user name or the key pair's access key id): called when
   * the user's password, role or enabled state changes and when the user is deleted, so that no
   * session outlives the credentials it was signed in with. Sessions created concurrently with the
   * call may survive it; the authenticator still checks the user's current state on each request.
   *
   * @return how many sessions ended
   */
  public int revokeUser(String user) {
    if (user == null) {
      return 0;
    }
    int[] ended = {0};
    sessions
        .values()
        .removeIf(
            s -> {
              boolean match = s.user().equals(user);
              if (match) {
                ended[0]++;
              }
              return match;
            });
    return ended[0];
  }

  /** How long a session lasts after sign-in. */
  public Duration ttl() {
    return ttl;
  }

  private String randomToken() {
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
