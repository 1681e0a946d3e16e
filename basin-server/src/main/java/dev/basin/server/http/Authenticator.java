package dev.basin.server.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.basin.common.json.Json;
import dev.basin.server.auth.Credentials;
import dev.basin.server.auth.Permissions;
import dev.basin.server.auth.Principal;
import dev.basin.server.auth.Role;
import dev.basin.server.auth.SigV4Exception;
import dev.basin.server.auth.SigV4Verifier;
import dev.basin.server.auth.SignedRequest;
import dev.basin.server.auth.User;
import dev.basin.server.auth.Users;
import dev.basin.server.aws.AwsErrorException;
import io.javalin.http.Context;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Authenticates requests against the server's key pair: SigV4 on the AWS-compatible endpoints, a
 * bearer token ({@code Authorization: Bearer <access key id>:<secret access key>}) on the native
 * API. The native API and the web console also accept named {@link Users} (console sessions only),
 * and {@link #authorize} limits what each {@link Role} may do there; the AWS-compatible endpoints,
 * the Iceberg REST catalog, {@code /metrics} and pgwire accept the key pair alone. When
 * authentication is disabled (a local-experiments flag, never the default) every request passes as
 * the anonymous principal, an admin.
 */
public final class Authenticator {
  private static final Pattern SCOPE =
      Pattern.compile("Credential=[^/]+/\\d{8}/([^/]+)/([^/]+)/aws4_request");

  /**
   * The request attribute naming who made a native API request: the key pair's access key id
   * (bearer token or key-pair session), a user's name, or {@code anonymous}. Row-level security
   * rules name these.
   */
  public static final String USER_ATTRIBUTE = "basin.user";

  /** The request attribute holding the {@link Role} of a native API request. */
  public static final String ROLE_ATTRIBUTE = "basin.role";

  /**
   * The request attribute holding the {@link Refusal} of a native API request that {@link
   * #nativeRequestValid} refused for another reason than missing credentials; absent otherwise.
   */
  public static final String REFUSAL_ATTRIBUTE = "basin.refusal";

  /** The error code of a sign-in refused because of too many sign-ins (answered with 429). */
  public static final String TOO_MANY_SIGN_INS = "TOO_MANY_SIGN_INS";

  /** The error code of a request refused as cross-site while authentication is off (403). */
  public static final String CROSS_SITE_REFUSED = "CROSS_SITE_REFUSED";

  /** Why a native API request was refused: the status, error code and message to answer with. */
  public record Refusal(int status, String code, String message) {}

  /**
   * Thrown by {@link #userValid} when a sign-in was not checked at all: too many sign-ins are being
   * checked at once, or too many failed in a row for the user name. Answer 429 {@value
   * #TOO_MANY_SIGN_INS} with {@code Retry-After: }{@link #retryAfterSeconds()}; it says nothing
   * about whether the password was right.
   */
  public static final class TooManySignIns extends RuntimeException {
    private final long retryAfterSeconds;

    TooManySignIns(String message, long retryAfterSeconds) {
      super(message, null, false, false);
      this.retryAfterSeconds = retryAfterSeconds;
    }

    /** Whole seconds to wait before trying again, at least 1. */
    public long retryAfterSeconds() {
      return retryAfterSeconds;
    }
  }

  /** How long a sign-in waits for a turn to check its password before it is refused. */
  static final Duration PASSWORD_CHECK_WAIT = Duration.ofMillis(250);

  private final Credentials credentials;
  private final boolean enabled;
  private final SigV4Verifier verifier;
  private final ConsoleSessions sessions;
  private final Users users;
  // Each password check costs a PBKDF2 hash (~0.1 s of CPU): a flood of sign-ins may use at most
  // half the cores; a sign-in that cannot get a turn quickly is refused (429), not queued.
  final Semaphore passwordChecks =
      new Semaphore(Math.max(1, Runtime.getRuntime().availableProcessors() / 2), true);
  private final SignInBackoff backoff;

  /** An authenticator for the key pair alone: no named user can sign in. */
  public Authenticator(Credentials credentials, boolean enabled, Clock clock) {
    this(credentials, enabled, clock, null);
  }

  /**
   * @param users the named users who may sign in to the console, or null for none
   */
  public Authenticator(Credentials credentials, boolean enabled, Clock clock, Users users) {
    this.credentials = credentials;
    this.enabled = enabled;
    this.users = users;
    this.sessions = new ConsoleSessions(clock, ConsoleSessions.DEFAULT_TTL);
    this.backoff = new SignInBackoff(clock);
    if (users != null) {
      // A password, role or enabled-state change, or a deletion, ends the user's sessions.
      users.onSignOut(sessions::revokeUser);
    }
    this.verifier =
        new SigV4Verifier(
            id ->
                id.equals(credentials.accessKeyId())
                    ? Optional.of(credentials.secretAccessKey())
                    : Optional.empty(),
            clock);
  }

  public boolean enabled() {
    return enabled;
  }

  /**
   * Verifies a SigV4-signed request.
   *
   * @throws AwsErrorException with the AWS JSON protocol's error name and status
   */
  public Principal authenticateAws(Context ctx, byte[] body) {
    if (!enabled) {
      return anonymous(ctx);
    }
    try {
      return verifier.verify(signedRequest(ctx, body));
    } catch (SigV4Exception e) {
      throw new AwsErrorException(e.awsCode(), e.getMessage(), e.httpStatus());
    }
  }

  /** The request in the verifier's framework-neutral form. */
  public static SignedRequest signedRequest(Context ctx, byte[] body) {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    var names = ctx.req().getHeaderNames();
    while (names.hasMoreElements()) {
      String n = names.nextElement();
      List<String> values = new ArrayList<>();
      var vs = ctx.req().getHeaders(n);
      while (vs.hasMoreElements()) {
        values.add(vs.nextElement());
      }
      headers.put(n, values);
    }
    return new SignedRequest(
        ctx.method().name(), ctx.req().getRequestURI(), ctx.req().getQueryString(), headers, body);
  }

  /**
   * Checks the native API's bearer token.
   *
   * @return true if the request may proceed
   */
  public boolean bearerValid(String authorizationHeader) {
    if (!enabled) {
      return true;
    }
    if (authorizationHeader == null
        || !authorizationHeader.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    byte[] given = authorizationHeader.substring(7).trim().getBytes(StandardCharsets.UTF_8);
    byte[] expected = bearerToken(credentials).getBytes(StandardCharsets.UTF_8);
    return MessageDigest.isEqual(given, expected);
  }

  /**
   * Checks a native API request: the bearer token, or the web console's session cookie (with its
   * CSRF header on state-changing methods, see {@link ConsoleSessions#allows}).
   *
   * @return true if the request may proceed
   */
  public boolean nativeRequestValid(Context ctx) {
    // The user is set here, from what was verified, and only read by the APIs (never taken from
    // an unchecked header).
    if (!enabled) {
      // Without authentication, a web page on another site could still make the browser send
      // "simple" cross-site requests (form posts, no-cors fetches) to 127.0.0.1; browsers mark
      // those with Origin / Sec-Fetch-Site, command-line clients send neither. A page whose host
      // name was rebound to 127.0.0.1 (DNS rebinding) looks same-origin, but its Host header
      // still names the attacker's host.
      if (crossSite(ctx) || !localHost(ctx)) {
        int port = ctx.req().getLocalPort();
        ctx.attribute(
            REFUSAL_ATTRIBUTE,
            new Refusal(
                403,
                CROSS_SITE_REFUSED,
                "requests from other sites' pages are refused while auth.enabled=false; use the"
                    + " CLI or open http://127.0.0.1:"
                    + port
                    + "/ui/"));
        return false;
      }
      ctx.attribute(USER_ATTRIBUTE, "anonymous");
      ctx.attribute(ROLE_ATTRIBUTE, Role.ADMIN);
      return true;
    }
    if (bearerValid(ctx.header("Authorization"))) {
      ctx.attribute(USER_ATTRIBUTE, credentials.accessKeyId());
      ctx.attribute(ROLE_ATTRIBUTE, Role.ADMIN);
      return true;
    }
    String token = ctx.cookie(ConsoleSessions.COOKIE);
    Optional<ConsoleSessions.Session> session = sessions.find(token);
    if (session.isEmpty()
        || !sessions.allows(
            ctx.method().name(), ctx.path(), token, ctx.header(ConsoleSessions.CSRF_HEADER))) {
      return false;
    }
    Optional<Role> role = currentRole(session.get());
    if (role.isEmpty()) {
      // The user was deleted or disabled since signing in.
      sessions.revoke(token);
      return false;
    }
    ctx.attribute(USER_ATTRIBUTE, session.get().user());
    ctx.attribute(ROLE_ATTRIBUTE, role.get());
    return true;
  }

  /** Whether a browser says the request comes from a page of another origin. */
  static boolean crossSite(Context ctx) {
    String fetchSite = ctx.header("Sec-Fetch-Site");
    if (fetchSite != null) {
      return fetchSite.equalsIgnoreCase("cross-site") || fetchSite.equalsIgnoreCase("same-site");
    }
    String origin = ctx.header("Origin");
    if (origin == null || origin.equals("null") && ctx.method().name().equals("GET")) {
      return false;
    }
    String host = ctx.header("Host");
    return host == null
        || !(origin.equalsIgnoreCase("http://" + host)
            || origin.equalsIgnoreCase("https://" + host));
  }

  /**
   * Whether the request's {@code Host} header names this machine: a loopback address ({@code
   * 127.0.0.1}, {@code [::1]}), {@code localhost}, or the address the request arrived on (the bind
   * address), with any port. True without a {@code Host} header (browsers always send one). Never
   * looks a name up in DNS.
   */
  static boolean localHost(Context ctx) {
    String host = ctx.header("Host");
    if (host == null) {
      return true;
    }
    return localHost(host.strip(), ctx.req().getLocalAddr());
  }

  static boolean localHost(String hostHeader, String localAddress) {
    String h = hostHeader.toLowerCase(Locale.ROOT);
    String name;
    if (h.startsWith("[")) {
      int end = h.indexOf(']');
      if (end < 0 || !(end == h.length() - 1 || h.charAt(end + 1) == ':')) {
        return false;
      }
      name = h.substring(1, end);
    } else {
      int colon = h.indexOf(':');
      name = colon < 0 ? h : h.substring(0, colon);
    }
    if (name.equals("localhost")) {
      return true;
    }
    Optional<InetAddress> address = ipLiteral(name);
    if (address.isEmpty()) {
      return false;
    }
    if (address.get().isLoopbackAddress()) {
      return true;
    }
    Optional<InetAddress> local = localAddress == null ? Optional.empty() : ipLiteral(localAddress);
    return local.isPresent() && local.get().equals(address.get());
  }

  /** The address an IP literal names; empty for anything else (never a DNS lookup). */
  private static Optional<InetAddress> ipLiteral(String s) {
    String t = s.startsWith("[") && s.endsWith("]") ? s.substring(1, s.length() - 1) : s;
    try {
      if (t.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
        String[] parts = t.split("\\.");
        byte[] b = new byte[4];
        for (int i = 0; i < 4; i++) {
          int v = Integer.parseInt(parts[i]);
          if (v > 255) {
            return Optional.empty();
          }
          b[i] = (byte) v;
        }
        return Optional.of(InetAddress.getByAddress(b));
      }
      // With a colon, getByName parses an IPv6 literal and never asks DNS.
      if (t.contains(":") && t.matches("[0-9a-fA-F:.]+(%[0-9A-Za-z_.-]+)?")) {
        return Optional.of(InetAddress.getByName(t));
      }
    } catch (UnknownHostException e) {
      // not a valid literal
    }
    return Optional.empty();
  }

  /** Whether a session's user is the key pair (its access key id) rather than a named user. */
  public boolean isKeyPair(String user) {
    return user.equals(credentials.accessKeyId());
  }

  /**
   * The role a session has now: {@link Role#ADMIN} for the key pair, a user's current role, or
   * empty when the user no longer exists or is disabled.
   */
  public Optional<Role> currentRole(ConsoleSessions.Session session) {
    if (!enabled || isKeyPair(session.user())) {
      return Optional.of(Role.ADMIN);
    }
    if (users == null) {
      return Optional.empty();
    }
    return users.find(session.user()).filter(u -> !u.disabled()).map(User::role);
  }

  /**
   * The {@code /api/v1/*} check that runs after {@link #nativeRequestValid}: answers 403 {@code
   * FORBIDDEN} (and skips the remaining handlers) when the request's role may not make it, see
   * {@link Permissions}. Does nothing for a request that was not authenticated.
   */
  public void authorize(Context ctx) {
    Role role = ctx.attribute(ROLE_ATTRIBUTE);
    if (role == null || Permissions.allows(role, ctx.method().name(), ctx.path())) {
      return;
    }
    String user = ctx.attribute(USER_ATTRIBUTE);
    ObjectNode body = Json.mapper().createObjectNode();
    body.putObject("error")
        .put("code", "FORBIDDEN")
        .put("message", Permissions.denial(user, role, ctx.method().name(), ctx.path()));
    ctx.status(403).contentType("application/json").result(body.toString());
    ctx.skipRemainingHandlers();
  }

  /**
   * Checks a user name and password typed into the console's sign-in form; empty when the user is
   * unknown or disabled, the password is wrong, or there are no users. Clears {@code password}.
   *
   * <p>At most half the cores check passwords at once; a sign-in that gets no turn within {@link
   * #PASSWORD_CHECK_WAIT} is refused without being checked. From the fifth failure in a row for a
   * user name on, sign-ins with that name are refused for a window that doubles with each further
   * failure (30 s up to 15 min); a successful sign-in resets the count.
   *
   * @throws TooManySignIns when the password was not checked for either reason; it never means the
   *     password was wrong
   */
  public Optional<User> userValid(String name, char[] password) {
    try {
      if (users == null) {
        return Optional.empty();
      }
      String key = name == null ? "" : name;
      Duration locked = backoff.lockedFor(key);
      if (!locked.isZero()) {
        long seconds = Math.max(1, (locked.toMillis() + 999) / 1000);
        throw new TooManySignIns(
            "too many failed sign-ins for user '"
                + key
                + "'; wait "
                + seconds
                + " s before trying again, or ask an admin to set a new password",
            seconds);
      }
      boolean acquired = false;
      try {
        acquired = passwordChecks.tryAcquire(PASSWORD_CHECK_WAIT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (!acquired) {
        throw new TooManySignIns(
            "too many sign-ins are being checked at once; try again in a second", 1);
      }
      Optional<User> user;
      try {
        user = users.authenticate(name, password);
      } finally {
        passwordChecks.release();
      }
      if (user.isPresent()) {
        backoff.succeeded(key);
      } else if (key.length() <= Users.MAX_NAME_LENGTH) {
        // longer names can never sign in; they need no slowing down and must not fill the table
        backoff.failed(key);
      }
      return user;
    } finally {
      Arrays.fill(password, '\0');
    }
  }

  /** The web console's sessions, signed in with this authenticator's key pair. */
  public ConsoleSessions sessions() {
    return sessions;
  }

  /**
   * Whether a key pair typed into the web console's sign-in form is the server's (always true when
   * authentication is disabled). Compares in constant time.
   */
  public boolean keyPairValid(String accessKeyId, String secretAccessKey) {
    if (!enabled) {
      return true;
    }
    if (accessKeyId == null || secretAccessKey == null) {
      return false;
    }
    return MessageDigest.isEqual(
        (accessKeyId + ":" + secretAccessKey).getBytes(StandardCharsets.UTF_8),
        bearerToken(credentials).getBytes(StandardCharsets.UTF_8));
  }

  /** The bearer token for a key pair: {@code <access key id>:<secret access key>}. */
  public static String bearerToken(Credentials c) {
    return c.accessKeyId() + ":" + c.secretAccessKey();
  }

  private static Principal anonymous(Context ctx) {
    String auth = ctx.header("Authorization");
    if (auth != null) {
      Matcher m = SCOPE.matcher(auth);
      if (m.find()) {
        return new Principal("anonymous", m.group(1), m.group(2));
      }
    }
    return new Principal("anonymous", "us-east-1", "unknown");
  }
}
