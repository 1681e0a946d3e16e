package dev.basin.server.http;

import dev.basin.server.auth.Credentials;
import dev.basin.server.auth.Principal;
import dev.basin.server.auth.SigV4Exception;
import dev.basin.server.auth.SigV4Verifier;
import dev.basin.server.auth.SignedRequest;
import dev.basin.server.aws.AwsErrorException;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Authenticates requests against the server's key pair: SigV4 on the AWS-compatible endpoints, a
 * bearer token ({@code Authorization: Bearer <access key id>:<secret access key>}) on the native
 * API. When authentication is disabled (a local-experiments flag, never the default) every request
 * passes as the anonymous principal.
 */
public final class Authenticator {
  private static final Pattern SCOPE =
      Pattern.compile("Credential=[^/]+/\\d{8}/([^/]+)/([^/]+)/aws4_request");

  /** The request attribute naming the console user (access key id) of a session request. */
  public static final String USER_ATTRIBUTE = "basin.user";

  private final Credentials credentials;
  private final boolean enabled;
  private final SigV4Verifier verifier;
  private final ConsoleSessions sessions;

  public Authenticator(Credentials credentials, boolean enabled, Clock clock) {
    this.credentials = credentials;
    this.enabled = enabled;
    this.sessions = new ConsoleSessions(clock, ConsoleSessions.DEFAULT_TTL);
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
      ctx.attribute(USER_ATTRIBUTE, "anonymous");
      return true;
    }
    if (bearerValid(ctx.header("Authorization"))) {
      ctx.attribute(USER_ATTRIBUTE, credentials.accessKeyId());
      return true;
    }
    String token = ctx.cookie(ConsoleSessions.COOKIE);
    java.util.Optional<ConsoleSessions.Session> session = sessions.find(token);
    if (session.isPresent()
        && sessions.allows(ctx.method().name(), token, ctx.header(ConsoleSessions.CSRF_HEADER))) {
      ctx.attribute(USER_ATTRIBUTE, session.get().accessKeyId());
      return true;
    }
    return false;
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
