package dev.basin.server.http;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The web console's sign-in sessions, kept in memory: a restart of the server signs every user out.
 * A session is created by signing in with the server's key pair and names a random cookie token and
 * a separate CSRF token that the console sends in the {@value #CSRF_HEADER} header of every
 * state-changing request. Sessions expire a fixed time after sign-in. Thread-safe.
 */
public final class ConsoleSessions {
  /** The cookie that carries the session token. */
  public static final String COOKIE = "basin_session";

  /** The header that must carry the session's CSRF token on requests that change state. */
  public static final String CSRF_HEADER = "X-Basin-Csrf";

  /** How long a session lasts after sign-in. */
  public static final Duration DEFAULT_TTL = Duration.ofHours(12);

  private static final int MAX_SESSIONS = 1_000;

  /** One signed-in browser. */
  public record Session(String token, String csrfToken, String accessKeyId, Instant expiresAt) {
    @Override
    public String toString() {
      return "Session[accessKeyId=" + accessKeyId + ", expiresAt=" + expiresAt + "]";
    }
  }

  private final Map<String, Session> sessions = new ConcurrentHashMap<>();
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

  /** Creates a session for a user who has just proved they hold the key pair. */
  public Session create(String accessKeyId) {
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
    Session s = new Session(randomToken(), randomToken(), accessKeyId, now.plus(ttl));
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
      return Optional.empty();
    }
    return Optional.of(s);
  }

  /**
   * Whether a request that carries this cookie token may use the native API: the session must be
   * live and, unless the method is safe (GET, HEAD, OPTIONS), the CSRF header must match it.
   */
  public boolean allows(String method, String token, String csrfHeader) {
    Optional<Session> s = find(token);
    if (s.isEmpty()) {
      return false;
    }
    if (method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS")) {
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
    }
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
