package dev.basin.server.api;

import static dev.basin.server.api.ApiResponses.error;
import static dev.basin.server.api.ApiResponses.guarded;

import com.fasterxml.jackson.databind.JsonNode;
import dev.basin.common.json.Json;
import dev.basin.dashboards.DashboardService;
import dev.basin.server.api.ApiResponses.BadRequest;
import dev.basin.server.auth.Role;
import dev.basin.server.http.Authenticator;
import dev.basin.server.http.ConsoleSessions;
import dev.basin.server.http.PrintTickets;
import dev.basin.server.ui.HeadlessChromium;
import dev.basin.server.ui.HeadlessChromium.Format;
import io.javalin.http.Context;
import io.javalin.router.JavalinDefaultRoutingApi;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Server-side PNG and PDF export of a dashboard, rendered by headless Chromium from the console's
 * print view as the requesting user (row-level security applies to the picture as to the page).
 *
 * <ul>
 *   <li>{@code GET /api/v1/dashboards/{id}/export.png} and {@code …/export.pdf}, with optional
 *       {@code ?state=<URL-encoded JSON>} (the view URL's state: {@code {"parameters", "filters",
 *       "drill"}}) and {@code &width=} (CSS pixels, {@value #MIN_WIDTH}-{@value #MAX_WIDTH},
 *       default {@value #DEFAULT_WIDTH}) → the file, as an attachment named {@code <id>.png|pdf}.
 * </ul>
 *
 * <p>The browser opens {@code /ui/print?ticket=…} with a single-use {@link PrintTickets ticket}
 * bound to the user and the page, which signs it in and redirects to {@code
 * /ui/#/dashboards/{id}?print=1&s=<state>}; the export waits for the view's readiness marker {@code
 * #dashboard[data-state=ready]}, captures the whole page (at most {@link
 * HeadlessChromium#MAX_PIXELS} pixels: a taller dashboard is clipped), and revokes the browser's
 * read-only print session, which the ticket's use {@link PrintTickets#attach attached} to it,
 * whatever the outcome.
 *
 * <p>The Chromium binary is resolved once at start ({@code export.chromium}); {@code
 * export.chromium-no-sandbox} must be set to run it when Basin runs as root.
 *
 * <p>Errors: 400 INVALID_ARGUMENT (state, width), 404 DASHBOARD_NOT_FOUND, 429 EXPORT_BUSY (with
 * {@code Retry-After}: the user already has an export running, or {@value #MAX_CONCURRENT} exports
 * run at once), 503 EXPORT_UNAVAILABLE (no Chromium, or root without {@code
 * export.chromium-no-sandbox}), 500 EXPORT_FAILED (with Chromium's stderr tail).
 */
public final class DashboardExportApi {
  static final int DEFAULT_WIDTH = 1400;
  static final int MIN_WIDTH = 320;
  static final int MAX_WIDTH = 3840;
  static final int MAX_CONCURRENT = 2;

  /** The longest one export may take; the print session's lifetime too. */
  public static final Duration TIMEOUT = PrintTickets.DEFAULT_TTL;

  private static final String READY = "#dashboard[data-state=ready]";
  static final String NO_SANDBOX_AS_ROOT =
      "Chromium cannot sandbox itself when Basin runs as root: run Basin as a non-root user, or set"
          + " export.chromium-no-sandbox: true to accept the risk";
  private static final Set<String> STATE_FIELDS = Set.of("parameters", "filters", "drill");
  private static final Logger LOG = LoggerFactory.getLogger(DashboardExportApi.class);

  private final DashboardService service;
  private final ConsoleSessions sessions;
  private final PrintTickets tickets;
  private final String host;
  private final IntSupplier port;
  private final Semaphore slots = new Semaphore(MAX_CONCURRENT);
  private final Set<String> exporting = ConcurrentHashMap.newKeySet();
  private final Optional<Path> chromium;
  private final boolean noSandbox;
  private final String unavailable;

  /**
   * @param chromium the Chromium executable resolved at start, or empty when there is none
   * @param noSandbox run Chromium with {@code --no-sandbox} ({@code export.chromium-no-sandbox});
   *     without it, export is unavailable when the server runs as root
   * @param bind the address the HTTP port listens on (a wildcard address means loopback)
   * @param port the HTTP port, read at export time (it is known only once the server listens)
   */
  public DashboardExportApi(
      DashboardService service,
      Authenticator auth,
      PrintTickets tickets,
      Optional<Path> chromium,
      boolean noSandbox,
      String bind,
      IntSupplier port) {
    this.service = service;
    this.sessions = auth.sessions();
    this.tickets = tickets;
    this.chromium = chromium;
    this.noSandbox = noSandbox;
    this.host = loopbackFor(bind);
    this.port = port;
    if (chromium.isEmpty()) {
      this.unavailable =
          "dashboard export needs Chromium on the server: install the chromium package (apt-get"
              + " install chromium), or set export.chromium (BASIN_CHROMIUM) to an executable"
              + " Chromium, and restart Basin";
    } else if (!noSandbox && HeadlessChromium.runningAsRoot()) {
      this.unavailable = NO_SANDBOX_AS_ROOT;
    } else {
      this.unavailable = null;
    }
  }

  /** Registers the routes (authentication is the {@code /api/v1/*} filter's). */
  public void register(JavalinDefaultRoutingApi routes) {
    routes.get("/api/v1/dashboards/{id}/export.png", guarded(ctx -> export(ctx, Format.PNG)));
    routes.get("/api/v1/dashboards/{id}/export.pdf", guarded(ctx -> export(ctx, Format.PDF)));
  }

  private void export(Context ctx, Format format) {
    if (unavailable != null) {
      error(ctx, 503, "EXPORT_UNAVAILABLE", unavailable);
      return;
    }
    String id = ctx.pathParam("id");
    int width = width(ctx.queryParam("width"));
    String state = state(ctx.queryParam("state"));
    service.dashboard(id); // 404 DASHBOARD_NOT_FOUND before a browser is started
    String attr = ctx.attribute(Authenticator.USER_ATTRIBUTE);
    String user = attr != null ? attr : "anonymous";
    Role attrRole = ctx.attribute(Authenticator.ROLE_ATTRIBUTE);
    Role role = attrRole != null ? attrRole : Role.READER;
    if (!exporting.add(user)) {
      busy(ctx, "an export by '" + user + "' is already running (one at a time per user)");
      return;
    }
    try {
      if (!slots.tryAcquire()) {
        busy(ctx, MAX_CONCURRENT + " dashboard exports are already running");
        return;
      }
      try {
        export(ctx, format, id, width, state, user, role);
      } finally {
        slots.release();
      }
    } finally {
      exporting.remove(user);
    }
  }

  private static void busy(Context ctx, String why) {
    ctx.header("Retry-After", "10");
    error(ctx, 429, "EXPORT_BUSY", why + "; retry in a few seconds");
  }

  private void export(
      Context ctx, Format format, String id, int width, String state, String user, Role role) {
    String target =
        "/dashboards/" + encode(id) + "?print=1" + (state == null ? "" : "&s=" + encode(state));
    String ticket = tickets.issue(user, role, target);
    try {
      URI url =
          URI.create(
              "http://"
                  + host
                  + ":"
                  + port.getAsInt()
                  + "/ui/print?ticket="
                  + ticket
                  + "&target="
                  + encode(target));
      byte[] file;
      try {
        file =
            new HeadlessChromium(chromium.orElseThrow(), TIMEOUT, noSandbox)
                .render(url, format, width, READY);
      } catch (HeadlessChromium.RenderException e) {
        LOG.atWarn()
            .addKeyValue("dashboard", id)
            .log("dashboard export failed: {}", e.getMessage());
        error(ctx, 500, "EXPORT_FAILED", "cannot export dashboard '" + id + "': " + e.getMessage());
        return;
      }
      String ext = format == Format.PNG ? "png" : "pdf";
      ctx.header(
          "Content-Disposition", "attachment; filename=\"" + fileName(id) + "." + ext + "\"");
      ctx.header("Cache-Control", "no-store");
      ctx.header("X-Content-Type-Options", "nosniff");
      ctx.status(200)
          .contentType(format == Format.PNG ? "image/png" : "application/pdf")
          .result(file);
    } finally {
      // The browser's print session ends with the export, whatever became of the browser.
      tickets.finish(ticket).ifPresent(sessions::revoke);
    }
  }

  private static int width(String raw) {
    if (raw == null || raw.isBlank()) {
      return DEFAULT_WIDTH;
    }
    int w;
    try {
      w = Integer.parseInt(raw.strip());
    } catch (NumberFormatException e) {
      throw new BadRequest("width must be a whole number of pixels, was '" + raw + "'");
    }
    if (w < MIN_WIDTH || w > MAX_WIDTH) {
      throw new BadRequest(
          "width must be between " + MIN_WIDTH + " and " + MAX_WIDTH + " pixels, was " + w);
    }
    return w;
  }

  /** The state JSON, validated and re-serialized compactly; null when absent. */
  private static String state(String raw) {
    if (raw == null || raw.isBlank()) {
      return null;
    }
    JsonNode n;
    try {
      n = Json.mapper().readTree(raw);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new BadRequest(
          "state is not valid JSON (send the view URL's state, e.g. {\"filters\": […]}): "
              + e.getOriginalMessage());
    }
    if (n == null || !n.isObject()) {
      throw new BadRequest(
          "state must be a JSON object like {\"parameters\": {…}, \"filters\": […], \"drill\":"
              + " {…}}");
    }
    n.fieldNames()
        .forEachRemaining(
            f -> {
              if (!STATE_FIELDS.contains(f)) {
                throw new BadRequest(
                    "state has an unknown field \"" + f + "\"; use parameters, filters, drill");
              }
            });
    if (n.has("filters") && !n.get("filters").isArray()) {
      throw new BadRequest("state.filters must be an array of filter objects");
    }
    for (String f : new String[] {"parameters", "drill"}) {
      if (n.has(f) && !n.get(f).isObject()) {
        throw new BadRequest("state." + f + " must be a JSON object");
      }
    }
    return n.toString();
  }

  private static String encode(String s) {
    // %20, not +: the console decodes path parts with decodeURIComponent.
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** The id as a safe file name for Content-Disposition (ids are simple, but never trust). */
  private static String fileName(String id) {
    String f = id.replaceAll("[^A-Za-z0-9._-]", "_");
    return f.isEmpty() ? "dashboard" : f;
  }

  private static String loopbackFor(String bind) {
    if (bind == null || bind.isBlank() || bind.equals("0.0.0.0") || bind.equals("localhost")) {
      return "127.0.0.1";
    }
    if (bind.equals("::") || bind.equals("[::]")) {
      return "[::1]";
    }
    return bind.contains(":") && !bind.startsWith("[") ? "[" + bind + "]" : bind;
  }
}
