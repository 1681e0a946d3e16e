package dev.basin.server.ui;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.basin.common.json.Json;
import dev.basin.server.auth.Credentials;
import dev.basin.server.auth.Role;
import dev.basin.server.http.Authenticator;
import dev.basin.server.http.ConsoleSessions;
import dev.basin.server.http.PrintTickets;
import io.javalin.Javalin;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The console's print route ({@code /ui/print}) over HTTP: a print ticket becomes a session of its
 * user once, and only for its page; and the console's security headers.
 */
class ConsolePrintRouteTest {
  private static final String TARGET = "/dashboards/sales?print=1&s=%7B%22filters%22%3A%5B%5D%7D";

  /** A clock the test moves by hand. */
  private static final class ManualClock extends Clock {
    private volatile Instant now = Instant.parse("2026-01-01T00:00:00Z");

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }
  }

  private final ManualClock clock = new ManualClock();
  private final PrintTickets tickets = new PrintTickets(clock, PrintTickets.DEFAULT_TTL);
  private final HttpClient client =
      HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
  private Javalin http;
  private Authenticator auth;

  @BeforeEach
  void start() {
    auth =
        new Authenticator(
            new Credentials("BASINTESTKEY00000001", "testSecret/0123456789abcdefghijklmnopqrstu"),
            true,
            clock);
    http =
        Javalin.create(
                cfg -> {
                  cfg.startup.showJavalinBanner = false;
                  cfg.startup.showOldJavalinVersionWarning = false;
                  cfg.jetty.host = "127.0.0.1";
                  cfg.jetty.port = 0;
                  new ConsoleRoutes(auth, tickets).register(cfg.routes);
                  // Stand-ins for the native API behind the server's authentication filter.
                  cfg.routes.before(
                      "/api/v1/*",
                      ctx -> {
                        if (!auth.nativeRequestValid(ctx)) {
                          ctx.status(401).result("unauthenticated");
                          ctx.skipRemainingHandlers();
                        }
                      });
                  cfg.routes.post("/api/v1/queries", ctx -> ctx.result("ran"));
                  cfg.routes.post(
                      "/api/v1/dashboards/{id}/visuals/{visual}/data", ctx -> ctx.result("data"));
                  cfg.routes.post(
                      "/api/v1/dashboards/{id}/visuals/{visual}/insights",
                      ctx -> ctx.result("insights"));
                  cfg.routes.post("/api/v1/dashboards/{id}/versions", ctx -> ctx.result("saved"));
                  cfg.routes.get("/api/v1/dashboards/{id}", ctx -> ctx.result("dashboard"));
                })
            .start();
  }

  @AfterEach
  void stop() {
    if (http != null) {
      http.stop();
    }
  }

  private HttpResponse<String> get(String path, String cookie) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port() + path)).GET();
    if (cookie != null) {
      b.header("Cookie", cookie);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  private HttpResponse<String> print(String ticket, String target) throws Exception {
    return get(
        "/ui/print?ticket="
            + URLEncoder.encode(ticket, StandardCharsets.UTF_8)
            + "&target="
            + URLEncoder.encode(target, StandardCharsets.UTF_8),
        null);
  }

  private HttpResponse<String> post(String path, String cookie, String csrf) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port() + path))
            .header("Cookie", cookie)
            .header(ConsoleSessions.CSRF_HEADER, csrf)
            .POST(HttpRequest.BodyPublishers.ofString("{}"))
            .build(),
        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  private static String cookie(HttpResponse<String> printed) {
    String setCookie = printed.headers().firstValue("Set-Cookie").orElseThrow();
    return setCookie.substring(0, setCookie.indexOf(';'));
  }

  @Test
  void aPrintSessionIsReadOnlyShortLivedAndEndsWithItsExport() throws Exception {
    String ticket = tickets.issue("BASINTESTKEY00000001", Role.ADMIN, TARGET);
    HttpResponse<String> printed = print(ticket, TARGET);
    assertThat(printed.statusCode()).as(printed.body()).isEqualTo(302);
    assertThat(printed.headers().firstValue("Set-Cookie").orElseThrow())
        .contains("Max-Age=" + PrintTickets.DEFAULT_TTL.toSeconds());
    String cookie = cookie(printed);
    JsonNode session = Json.read(get("/ui/api/session", cookie).body(), JsonNode.class);
    String csrf = session.path("csrfToken").asText();
    assertThat(Instant.parse(session.path("expiresAt").asText()))
        .isEqualTo(clock.instant().plus(PrintTickets.DEFAULT_TTL));

    // What the print view needs: reads, and its visuals' data and insights.
    assertThat(get("/api/v1/dashboards/sales", cookie).statusCode()).isEqualTo(200);
    assertThat(post("/api/v1/dashboards/sales/visuals/bars/data", cookie, csrf).body())
        .isEqualTo("data");
    assertThat(post("/api/v1/dashboards/sales/visuals/bars/insights", cookie, csrf).body())
        .isEqualTo("insights");
    // Nothing else, though the user who asked for the export is an admin.
    assertThat(post("/api/v1/queries", cookie, csrf).statusCode()).isEqualTo(401);
    assertThat(post("/api/v1/dashboards/sales/versions", cookie, csrf).statusCode()).isEqualTo(401);

    // The exporter ends the export, failed or not: the session no longer authenticates.
    tickets.finish(ticket).ifPresent(auth.sessions()::revoke);
    assertThat(get("/api/v1/dashboards/sales", cookie).statusCode()).isEqualTo(401);
    assertThat(get("/ui/api/session", cookie).statusCode()).isEqualTo(401);
  }

  @Test
  void aPrintSessionExpiresWithTheExportsTimeLimit() throws Exception {
    String cookie =
        cookie(print(tickets.issue("BASINTESTKEY00000001", Role.ADMIN, TARGET), TARGET));
    clock.advance(PrintTickets.DEFAULT_TTL);
    assertThat(get("/api/v1/dashboards/sales", cookie).statusCode()).isEqualTo(401);
  }

  @Test
  void aTicketUsedAfterItsExportEndedOpensNoSession() throws Exception {
    String ticket = tickets.issue("BASINTESTKEY00000001", Role.ADMIN, TARGET);
    tickets.finish(ticket);
    error(print(ticket, TARGET), 401);
  }

  private static JsonNode error(HttpResponse<String> r, int status) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(r.headers().firstValue("Set-Cookie")).isEmpty();
    return Json.read(r.body(), JsonNode.class).path("error");
  }

  @Test
  void aTicketSignsItsUserInOnceAndRedirectsToItsDashboard() throws Exception {
    String ticket = tickets.issue("BASINTESTKEY00000001", Role.ADMIN, TARGET);
    HttpResponse<String> r = print(ticket, TARGET);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(302);
    assertThat(r.headers().firstValue("Location")).hasValue("/ui/#" + TARGET);
    String setCookie = r.headers().firstValue("Set-Cookie").orElseThrow();
    assertThat(setCookie)
        .startsWith(ConsoleSessions.COOKIE + "=")
        .contains("HttpOnly")
        .contains("SameSite=Strict");
    HttpResponse<String> session =
        get("/ui/api/session", setCookie.substring(0, setCookie.indexOf(';')));
    assertThat(session.statusCode()).as(session.body()).isEqualTo(200);
    assertThat(Json.read(session.body(), JsonNode.class).path("user").asText())
        .isEqualTo("BASINTESTKEY00000001");

    JsonNode again = error(print(ticket, TARGET), 401);
    assertThat(again.path("code").asText()).isEqualTo("UNAUTHENTICATED");
    assertThat(again.path("message").asText()).contains("export the dashboard again");
  }

  @Test
  void anExpiredTicketIsRefused() throws Exception {
    String ticket = tickets.issue("BASINTESTKEY00000001", Role.ADMIN, TARGET);
    clock.advance(Duration.ofSeconds(61));
    assertThat(error(print(ticket, TARGET), 401).path("message").asText()).contains("expired");
  }

  @Test
  void aTicketForAnotherPageIsRefusedAndUsedUp() throws Exception {
    String ticket = tickets.issue("BASINTESTKEY00000001", Role.ADMIN, TARGET);
    error(print(ticket, "/dashboards/other?print=1"), 401);
    error(print(ticket, TARGET), 401);
    error(print("made-up", TARGET), 401);
  }

  @Test
  void targetsOutsideTheDashboardsAreRejectedBeforeTheTicketIsLookedAt() throws Exception {
    String ticket = tickets.issue("BASINTESTKEY00000001", Role.ADMIN, TARGET);
    for (String target :
        new String[] {"//evil.example/", "https://evil.example/", "/sql", "/dashboards/x\"y"}) {
      JsonNode e = error(print(ticket, target), 400);
      assertThat(e.path("code").asText()).isEqualTo("INVALID_ARGUMENT");
      assertThat(e.path("message").asText()).contains("/dashboards/");
    }
    assertThat(error(get("/ui/print", null), 400).path("code").asText())
        .isEqualTo("INVALID_ARGUMENT");
    // The refused targets did not burn the ticket.
    assertThat(print(ticket, TARGET).statusCode()).isEqualTo(302);
  }

  @Test
  void consoleResponsesForbidFramingSniffingAndReferrers() throws Exception {
    for (String path : new String[] {"/ui/", "/ui/app.js", "/ui/no-such-file.js"}) {
      HttpResponse<String> r = get(path, null);
      assertThat(r.headers().firstValue("X-Content-Type-Options")).as(path).hasValue("nosniff");
      assertThat(r.headers().firstValue("X-Frame-Options")).as(path).hasValue("DENY");
      assertThat(r.headers().firstValue("Referrer-Policy")).as(path).hasValue("no-referrer");
    }
    assertThat(get("/ui/", null).headers().firstValue("Content-Security-Policy").orElse(""))
        .contains("frame-ancestors 'none'");
  }
}
