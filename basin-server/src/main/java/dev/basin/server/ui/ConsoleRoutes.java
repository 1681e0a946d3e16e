package dev.basin.server.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.basin.common.json.Json;
import dev.basin.server.auth.Role;
import dev.basin.server.auth.User;
import dev.basin.server.http.Authenticator;
import dev.basin.server.http.ConsoleSessions;
import dev.basin.server.http.PrintTickets;
import dev.basin.server.http.RequestBodies;
import io.javalin.http.Context;
import io.javalin.router.JavalinDefaultRoutingApi;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The web console: its static files under {@code /ui/} (from the classpath folder {@code ui/}), the
 * ECharts library from its webjar at {@code /ui/vendor/echarts.min.js}, and the sign-in session at
 * {@code /ui/api/session}. Nothing is loaded from the internet.
 *
 * <ul>
 *   <li>{@code POST /ui/api/session} with {@code {"accessKeyId", "secretAccessKey"}} (the key pair,
 *       an admin) or {@code {"user", "password"}} (a named user): checks them, sets the HttpOnly,
 *       SameSite=Strict session cookie and answers the session: {@code {user, role, csrfToken,
 *       expiresAt}} ({@code accessKeyId} too for the key pair), where the CSRF token is what the
 *       console sends in {@code X-Basin-Csrf} on state-changing API calls. Any wrong credential
 *       gets the same 401 message; a user sign-in whose password was not checked (too many at once,
 *       or too many failures for the name) gets 429 {@code TOO_MANY_SIGN_INS} with {@code
 *       Retry-After}.
 *   <li>{@code GET /ui/api/session}: the current session (and its CSRF token), or 401.
 *   <li>{@code DELETE /ui/api/session}: signs out and clears the cookie.
 *   <li>{@code GET /ui/print?ticket=…&target=<hash path>}: the dashboard exporter's headless
 *       browser trades a single-use {@link PrintTickets print ticket} for a read-only print session
 *       ({@link ConsoleSessions#createPrintSession}) of the user who asked for the export, attached
 *       to the ticket so that the exporter revokes it when the export ends, and is redirected to
 *       {@code /ui/#<target>}.
 * </ul>
 *
 * <p>Sessions live in memory ({@link ConsoleSessions}): restarting the server signs users out.
 */
public final class ConsoleRoutes {
  private static final String ROOT = "ui/";
  private static final Pattern SAFE_PATH =
      Pattern.compile("[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*\\.[a-z0-9]+");
  private static final Map<String, String> TYPES =
      Map.of(
          "html", "text/html; charset=utf-8",
          "js", "text/javascript; charset=utf-8",
          "css", "text/css; charset=utf-8",
          "svg", "image/svg+xml",
          "png", "image/png",
          "ico", "image/x-icon",
          "json", "application/json");
  private static final String CSP =
      "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline';"
          + " connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

  private final Authenticator auth;
  private final PrintTickets printTickets;
  private final ClassLoader loader = ConsoleRoutes.class.getClassLoader();
  private final Map<String, Optional<Asset>> cache = new ConcurrentHashMap<>();
  private final String echartsResource;

  private record Asset(byte[] bytes, String type, String etag) {}

  /** The console, whose print route accepts the tickets issued by {@code printTickets}. */
  public ConsoleRoutes(Authenticator auth, PrintTickets printTickets) {
    this.auth = auth;
    this.printTickets = printTickets;
    this.echartsResource = echartsResource(loader);
  }

  /** Registers the routes; call before any catch-all route (S3's {@code /{bucket}/<key>}). */
  public void register(JavalinDefaultRoutingApi routes) {
    routes.post("/ui/api/session", this::signIn);
    routes.get("/ui/api/session", this::session);
    routes.delete("/ui/api/session", this::signOut);
    routes.get("/ui/print", this::print);
    routes.get(
        "/ui/",
        ctx -> {
          // Javalin ignores trailing slashes: /ui lands here too, and relative links need the /.
          if (ctx.path().endsWith("/")) {
            serve(ctx, "index.html");
          } else {
            ctx.redirect("/ui/");
          }
        });
    routes.get("/ui/<path>", ctx -> serve(ctx, ctx.pathParam("path")));
  }

  private static final String SIGN_IN_FAILED =
      "wrong access key id or secret access key, or wrong user name or password; use the key pair"
          + " in DATA_DIR/credentials, or ask an admin for a user";

  private void signIn(Context ctx) {
    JsonNode body;
    try {
      body = Json.mapper().readTree(RequestBodies.read(ctx, 16 * 1024));
    } catch (IOException e) {
      body = null;
    }
    if (body == null || !body.isObject()) {
      error(
          ctx,
          400,
          "INVALID_ARGUMENT",
          "send {\"user\": …, \"password\": …} or {\"accessKeyId\": …, \"secretAccessKey\": …}");
      return;
    }
    ConsoleSessions.Session s;
    if (body.has("user") || body.has("password")) {
      String name = body.path("user").asText("").strip();
      String password = body.path("password").asText("");
      if (name.isEmpty() || password.isEmpty()) {
        error(ctx, 400, "INVALID_ARGUMENT", "enter both the user name and the password");
        return;
      }
      Optional<User> user;
      try {
        user = auth.userValid(name, password.toCharArray());
      } catch (Authenticator.TooManySignIns e) {
        ctx.header("Retry-After", Long.toString(e.retryAfterSeconds()));
        error(ctx, 429, Authenticator.TOO_MANY_SIGN_INS, e.getMessage());
        return;
      }
      if (user.isEmpty()) {
        error(ctx, 401, "UNAUTHENTICATED", SIGN_IN_FAILED);
        return;
      }
      s = auth.sessions().create(user.get().name(), user.get().role());
    } else {
      String id = body.path("accessKeyId").asText("").strip();
      String secret = body.path("secretAccessKey").asText("").strip();
      if (id.isEmpty() || secret.isEmpty()) {
        error(
            ctx, 400, "INVALID_ARGUMENT", "enter both the access key id and the secret access key");
        return;
      }
      if (!auth.keyPairValid(id, secret)) {
        error(ctx, 401, "UNAUTHENTICATED", SIGN_IN_FAILED);
        return;
      }
      s = auth.sessions().create(id, Role.ADMIN);
    }
    ctx.header(
        "Set-Cookie",
        ConsoleSessions.COOKIE
            + "="
            + s.token()
            + "; Path=/; HttpOnly; SameSite=Strict; Max-Age="
            + auth.sessions().ttl().toSeconds());
    json(ctx, 200, sessionJson(s, s.role()));
  }

  private void session(Context ctx) {
    String token = ctx.cookie(ConsoleSessions.COOKIE);
    Optional<ConsoleSessions.Session> s = auth.sessions().find(token);
    Optional<Role> role = s.flatMap(auth::currentRole);
    if (role.isEmpty()) {
      // A deleted or disabled user's session ends here too.
      auth.sessions().revoke(token);
      error(ctx, 401, "UNAUTHENTICATED", "not signed in");
      return;
    }
    json(ctx, 200, sessionJson(s.get(), role.get()));
  }

  private void signOut(Context ctx) {
    auth.sessions().revoke(ctx.cookie(ConsoleSessions.COOKIE));
    ctx.header(
        "Set-Cookie", ConsoleSessions.COOKIE + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    ctx.status(204);
  }

  private void print(Context ctx) {
    String target = ctx.queryParam("target");
    ctx.header("Referrer-Policy", "no-referrer");
    if (!PrintTickets.validTarget(target)) {
      error(
          ctx, 400, "INVALID_ARGUMENT", "target must be a console dashboard path (/dashboards/…)");
      return;
    }
    Optional<PrintTickets.Grant> grant = printTickets.consume(ctx.queryParam("ticket"), target);
    if (grant.isEmpty()) {
      error(
          ctx,
          401,
          "UNAUTHENTICATED",
          "this print ticket is unknown, used, expired or for another page; export the dashboard"
              + " again");
      return;
    }
    ConsoleSessions.Session s =
        auth.sessions()
            .createPrintSession(grant.get().user(), grant.get().role(), printTickets.sessionTtl());
    if (!printTickets.attach(grant.get(), s.token())) {
      // The export ended (timed out) while the browser was on its way here.
      auth.sessions().revoke(s.token());
      error(ctx, 401, "UNAUTHENTICATED", "this export has ended; export the dashboard again");
      return;
    }
    ctx.header(
        "Set-Cookie",
        ConsoleSessions.COOKIE
            + "="
            + s.token()
            + "; Path=/; HttpOnly; SameSite=Strict; Max-Age="
            + printTickets.sessionTtl().toSeconds());
    ctx.header("Cache-Control", "no-store");
    ctx.redirect("/ui/#" + grant.get().target());
  }

  private ObjectNode sessionJson(ConsoleSessions.Session s, Role role) {
    ObjectNode o = Json.mapper().createObjectNode();
    o.put("user", s.user());
    o.put("role", role.name());
    if (auth.isKeyPair(s.user())) {
      o.put("accessKeyId", s.user());
    }
    o.put("csrfToken", s.csrfToken());
    o.put("expiresAt", s.expiresAt().toString());
    return o;
  }

  private void serve(Context ctx, String path) {
    ctx.header("X-Content-Type-Options", "nosniff");
    ctx.header("Referrer-Policy", "no-referrer");
    ctx.header("X-Frame-Options", "DENY");
    boolean vendor = path.equals("vendor/echarts.min.js");
    Optional<Asset> asset;
    if (vendor) {
      asset = echartsResource == null ? Optional.empty() : load(echartsResource, "js");
    } else if (!SAFE_PATH.matcher(path).matches()) {
      asset = Optional.empty();
    } else {
      String ext = path.substring(path.lastIndexOf('.') + 1);
      asset = TYPES.containsKey(ext) ? load(ROOT + path, ext) : Optional.empty();
    }
    if (asset.isEmpty()) {
      error(ctx, 404, "NOT_FOUND", "no console file '" + path + "'");
      return;
    }
    Asset a = asset.get();
    ctx.header("ETag", a.etag());
    // The console's own files change with each build: revalidate (cheap with the ETag). The
    // vendored library is versioned by its webjar and may be kept for a day.
    ctx.header("Cache-Control", vendor ? "public, max-age=86400" : "no-cache");
    if (a.type().startsWith("text/html")) {
      ctx.header("Content-Security-Policy", CSP);
    }
    if (a.etag().equals(ctx.header("If-None-Match"))) {
      ctx.status(304);
      return;
    }
    ctx.status(200).contentType(a.type()).result(a.bytes());
  }

  private Optional<Asset> load(String resource, String ext) {
    Optional<Asset> cached = cache.get(resource);
    if (cached != null) {
      return cached;
    }
    // Only files that exist are cached: caching misses would let anyone grow the map without end.
    try (InputStream in = loader.getResourceAsStream(resource)) {
      if (in == null) {
        return Optional.empty();
      }
      byte[] bytes = in.readAllBytes();
      Optional<Asset> a = Optional.of(new Asset(bytes, TYPES.get(ext), etag(bytes)));
      cache.put(resource, a);
      return a;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read console file " + resource, e);
    }
  }

  private static String etag(byte[] bytes) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(bytes);
      return "\"" + HexFormat.of().formatHex(d, 0, 16) + "\"";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The classpath name of echarts.min.js in the ECharts webjar, or null when it is missing. */
  private static String echartsResource(ClassLoader loader) {
    try (InputStream in =
        loader.getResourceAsStream("META-INF/maven/org.webjars.npm/echarts/pom.properties")) {
      if (in == null) {
        return null;
      }
      Properties p = new Properties();
      p.load(in);
      return "META-INF/resources/webjars/echarts/"
          + p.getProperty("version", "").toLowerCase(Locale.ROOT)
          + "/dist/echarts.min.js";
    } catch (IOException e) {
      return null;
    }
  }

  private static void json(Context ctx, int status, ObjectNode body) {
    ctx.header("Cache-Control", "no-store");
    ctx.status(status).contentType("application/json").result(body.toString());
  }

  private static void error(Context ctx, int status, String code, String message) {
    ObjectNode o = Json.mapper().createObjectNode();
    o.putObject("error").put("code", code).put("message", message);
    json(ctx, status, o);
  }
}
