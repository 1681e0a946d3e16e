package dev.basin.server.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.basin.common.json.Json;
import dev.basin.server.http.Authenticator;
import dev.basin.server.http.ConsoleSessions;
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
 *   <li>{@code POST /ui/api/session} with {@code {"accessKeyId", "secretAccessKey"}}: checks the
 *       pair, sets the HttpOnly, SameSite=Strict session cookie and answers the CSRF token the
 *       console sends in {@code X-Basin-Csrf} on state-changing API calls.
 *   <li>{@code GET /ui/api/session}: the current session (and its CSRF token), or 401.
 *   <li>{@code DELETE /ui/api/session}: signs out and clears the cookie.
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
  private final ClassLoader loader = ConsoleRoutes.class.getClassLoader();
  private final Map<String, Optional<Asset>> cache = new ConcurrentHashMap<>();
  private final String echartsResource;

  private record Asset(byte[] bytes, String type, String etag) {}

  public ConsoleRoutes(Authenticator auth) {
    this.auth = auth;
    this.echartsResource = echartsResource(loader);
  }

  /** Registers the routes; call before any catch-all route (S3's {@code /{bucket}/<key>}). */
  public void register(JavalinDefaultRoutingApi routes) {
    routes.post("/ui/api/session", this::signIn);
    routes.get("/ui/api/session", this::session);
    routes.delete("/ui/api/session", this::signOut);
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

  private void signIn(Context ctx) {
    JsonNode body;
    try {
      body = Json.mapper().readTree(RequestBodies.read(ctx, 16 * 1024));
    } catch (IOException e) {
      body = null;
    }
    if (body == null || !body.isObject()) {
      error(ctx, 400, "INVALID_ARGUMENT", "send {\"accessKeyId\": …, \"secretAccessKey\": …}");
      return;
    }
    String id = body.path("accessKeyId").asText("").strip();
    String secret = body.path("secretAccessKey").asText("").strip();
    if (id.isEmpty() || secret.isEmpty()) {
      error(ctx, 400, "INVALID_ARGUMENT", "enter both the access key id and the secret access key");
      return;
    }
    if (!auth.keyPairValid(id, secret)) {
      error(
          ctx,
          401,
          "UNAUTHENTICATED",
          "wrong access key id or secret access key; use the pair in DATA_DIR/credentials");
      return;
    }
    ConsoleSessions.Session s = auth.sessions().create(id);
    ctx.header(
        "Set-Cookie",
        ConsoleSessions.COOKIE
            + "="
            + s.token()
            + "; Path=/; HttpOnly; SameSite=Strict; Max-Age="
            + auth.sessions().ttl().toSeconds());
    json(ctx, 200, sessionJson(s));
  }

  private void session(Context ctx) {
    Optional<ConsoleSessions.Session> s = auth.sessions().find(ctx.cookie(ConsoleSessions.COOKIE));
    if (s.isEmpty()) {
      error(ctx, 401, "UNAUTHENTICATED", "not signed in");
      return;
    }
    json(ctx, 200, sessionJson(s.get()));
  }

  private void signOut(Context ctx) {
    auth.sessions().revoke(ctx.cookie(ConsoleSessions.COOKIE));
    ctx.header(
        "Set-Cookie", ConsoleSessions.COOKIE + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    ctx.status(204);
  }

  private static ObjectNode sessionJson(ConsoleSessions.Session s) {
    ObjectNode o = Json.mapper().createObjectNode();
    o.put("accessKeyId", s.accessKeyId());
    o.put("csrfToken", s.csrfToken());
    o.put("expiresAt", s.expiresAt().toString());
    return o;
  }

  private void serve(Context ctx, String path) {
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
    ctx.header("X-Content-Type-Options", "nosniff");
    ctx.header("Referrer-Policy", "no-referrer");
    ctx.header("ETag", a.etag());
    // The console's own files change with each build: revalidate (cheap with the ETag). The
    // vendored library is versioned by its webjar and may be kept for a day.
    ctx.header("Cache-Control", vendor ? "public, max-age=86400" : "no-cache");
    if (a.type().startsWith("text/html")) {
      ctx.header("Content-Security-Policy", CSP);
      ctx.header("X-Frame-Options", "DENY");
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
