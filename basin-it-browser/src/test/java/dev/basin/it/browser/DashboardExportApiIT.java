package dev.basin.it.browser;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.basin.common.json.Json;
import dev.basin.server.auth.Credentials;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PNG and PDF export of a dashboard through the native API, rendered by the server's own headless
 * Chromium (Debian's, as users install it): the charts are drawn, the page is rendered as the
 * requesting user (row-level security), and the browser's print session ends with the export.
 *
 * <p>The server runs Chromium through a wrapper that writes the browser's network log (with
 * cookies) next to the test's data, so that the test can see which session the browser held.
 */
class DashboardExportApiIT {
  @TempDir static Path dir;
  private static BrowserFixture fx;
  private static Path netlogs;
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final String READER = "rita";
  private static final String PASSWORD = "reader-password-42";
  private static final String STATE =
      "{\"filters\":[{\"field\":\"region\",\"type\":\"in\",\"values\":[\"EU\",\"US\",\"APAC\"]}]}";

  @BeforeAll
  static void start() throws Exception {
    netlogs = Files.createDirectories(dir.resolve("netlogs"));
    Path wrapper = dir.resolve("chromium-with-netlog");
    Files.writeString(
        wrapper,
        "#!/bin/sh\nexec \""
            + BrowserFixture.chromium()
            + "\" --log-net-log=\""
            + netlogs
            + "/netlog-$$.json\" --net-log-capture-mode=Everything \"$@\"\n");
    assertThat(wrapper.toFile().setExecutable(true)).isTrue();
    fx =
        BrowserFixture.start(
            dir.resolve("data"),
            Map.of(
                "export.chromium",
                wrapper.toString(),
                // CI runs as root, where Chromium cannot sandbox itself.
                "export.chromium-no-sandbox",
                "true"));
    fx.sql("CREATE DATABASE shop");
    fx.sql(
        "CREATE TABLE shop.sales AS SELECT * FROM (VALUES ('EU', 'books', 10.0), ('EU', 'games',"
            + " 5.0), ('US', 'books', 7.0), ('US', 'games', 12.0), ('APAC', 'books', 3.0)) AS"
            + " t(region, category, revenue)");
    fx.api("POST", "/api/v1/datasets", json("{`name`: `sales`, `table`: `shop.sales`}"), 201);
    fx.api(
        "POST",
        "/api/v1/dashboards",
        json(
            "{`id`: `sales`, `name`: `Sales by region`, `visuals`: [{`id`: `bars`, `type`: `bar`,"
                + " `title`: `Revenue by region`, `dataset`: `sales`, `dimensions`: [`region`],"
                + " `measures`: [{`column`: `revenue`, `aggregation`: `sum`, `alias`:"
                + " `revenue`}]}, {`id`: `pie`, `type`: `pie`, `title`: `Revenue by category`,"
                + " `dataset`: `sales`, `dimensions`: [`category`], `measures`: [{`column`:"
                + " `revenue`, `aggregation`: `sum`, `alias`: `revenue`}]}]}"),
        201);
    // Row-level security: the reader sees the EU rows, the key pair all three regions.
    fx.api(
        "POST",
        "/api/v1/datasets",
        json(
            "{`name`: `sales_rls`, `table`: `shop.sales`, `rowLevelSecurity`: {`column`:"
                + " `region`, `rules`: {`"
                + READER
                + "`: [`EU`], `"
                + fx.server.credentials().accessKeyId()
                + "`: [`EU`, `US`, `APAC`]}}}"),
        201);
    fx.api(
        "POST",
        "/api/v1/dashboards",
        json(
            "{`id`: `rls`, `name`: `Revenue`, `visuals`: [{`id`: `bars`, `type`: `bar`,"
                + " `dataset`: `sales_rls`, `dimensions`: [`region`], `measures`: [{`column`:"
                + " `revenue`, `aggregation`: `sum`, `alias`: `revenue`}]}]}"),
        201);
    fx.api(
        "POST",
        "/api/v1/users",
        json("{`name`: `" + READER + "`, `role`: `READER`, `password`: `" + PASSWORD + "`}"),
        201);
  }

  @AfterAll
  static void stop() {
    if (fx != null) {
      fx.close();
    }
  }

  private static String json(String backticked) {
    return backticked.replace('`', '"');
  }

  private static HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create(fx.base() + path));
  }

  /** A GET as the key pair (an admin). */
  private static HttpResponse<byte[]> get(String path) throws Exception {
    Credentials c = fx.server.credentials();
    return HTTP.send(
        request(path)
            .header("Authorization", "Bearer " + c.accessKeyId() + ":" + c.secretAccessKey())
            .GET()
            .build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  /** A GET with a console session cookie ({@code name=value}). */
  private static HttpResponse<byte[]> getWithCookie(String path, String cookie) throws Exception {
    return HTTP.send(
        request(path).header("Cookie", cookie).GET().build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  /** Signs the reader in to the console as a browser would; returns the session cookie. */
  private static String signInAsReader() throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            request("/ui/api/session")
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        json("{`user`: `" + READER + "`, `password`: `" + PASSWORD + "`}")))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(Json.read(r.body(), JsonNode.class).path("role").asText()).isEqualTo("READER");
    String setCookie = r.headers().firstValue("Set-Cookie").orElseThrow();
    return setCookie.substring(0, setCookie.indexOf(';'));
  }

  private static void ok(HttpResponse<byte[]> r, String contentType) {
    assertThat(r.statusCode()).as(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValue(contentType);
  }

  @Test
  void exportsThePrintViewAsAPngWithItsCharts() throws Exception {
    HttpResponse<byte[]> r =
        get(
            "/api/v1/dashboards/sales/export.png?width=1000&state="
                + URLEncoder.encode(STATE, StandardCharsets.UTF_8));
    ok(r, "image/png");
    assertThat(r.headers().firstValue("Content-Disposition"))
        .hasValue("attachment; filename=\"sales.png\"");
    byte[] png = r.body();
    assertThat(png).startsWith(0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n');
    Files.write(BrowserFixture.SCREENSHOTS.resolve("dashboard-export-api.png"), png);

    BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
    assertThat(image).isNotNull();
    assertThat(image.getWidth()).isEqualTo(1000);
    assertThat(image.getHeight()).isGreaterThanOrEqualTo(200);
    // The console itself is grey, white and dark text; only drawn charts (bars, pie slices in
    // the palette's colours) give strongly coloured pixels. A blank page, a sign-in form or empty
    // chart boxes have next to none.
    int coloured = 0;
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        int rgb = image.getRGB(x, y);
        int red = (rgb >> 16) & 0xff;
        int green = (rgb >> 8) & 0xff;
        int blue = rgb & 0xff;
        if (Math.max(red, Math.max(green, blue)) - Math.min(red, Math.min(green, blue)) > 80) {
          coloured++;
        }
      }
    }
    assertThat(coloured).as("strongly coloured (chart) pixels").isGreaterThan(5_000);
  }

  @Test
  void exportsThePrintViewAsAPdf() throws Exception {
    HttpResponse<byte[]> r = get("/api/v1/dashboards/sales/export.pdf");
    ok(r, "application/pdf");
    assertThat(r.headers().firstValue("Content-Disposition"))
        .hasValue("attachment; filename=\"sales.pdf\"");
    byte[] pdf = r.body();
    assertThat(new String(pdf, 0, 5, StandardCharsets.ISO_8859_1)).isEqualTo("%PDF-");
    Matcher pages =
        Pattern.compile("/Type\\s*/Page(?![s])")
            .matcher(new String(pdf, StandardCharsets.ISO_8859_1));
    int count = 0;
    while (pages.find()) {
      count++;
    }
    assertThat(count).isGreaterThanOrEqualTo(1);
  }

  @Test
  void rendersAsTheRequestingUserSoRowLevelSecurityApplies() throws Exception {
    // The same dashboard twice: as the key pair (all regions) and as the reader (EU only).
    HttpResponse<byte[]> admin = get("/api/v1/dashboards/rls/export.png");
    ok(admin, "image/png");
    assertThat(bars(ImageIO.read(new ByteArrayInputStream(admin.body())))).isEqualTo(3);

    HttpResponse<byte[]> reader =
        getWithCookie("/api/v1/dashboards/rls/export.png", signInAsReader());
    ok(reader, "image/png");
    Files.write(
        BrowserFixture.SCREENSHOTS.resolve("dashboard-export-api-reader.png"), reader.body());
    assertThat(bars(ImageIO.read(new ByteArrayInputStream(reader.body())))).isEqualTo(1);
  }

  @Test
  void theBrowsersPrintSessionEndsWithTheExport() throws Exception {
    Set<String> before = printSessions();
    ok(get("/api/v1/dashboards/sales/export.png"), "image/png");
    Set<String> tokens = printSessions();
    tokens.removeAll(before);
    assertThat(tokens).as("the print session the browser was given").isNotEmpty();
    for (String token : tokens) {
      String cookie = "basin_session=" + token;
      assertThat(getWithCookie("/ui/api/session", cookie).statusCode()).isEqualTo(401);
      assertThat(getWithCookie("/api/v1/dashboards", cookie).statusCode()).isEqualTo(401);
    }
  }

  /** The session tokens that the export browsers' network logs show the server setting. */
  private static Set<String> printSessions() throws Exception {
    Pattern setCookie = Pattern.compile("basin_session=([A-Za-z0-9_-]{43})");
    Set<String> tokens = new LinkedHashSet<>();
    try (Stream<Path> logs = Files.list(netlogs)) {
      for (Path log : logs.toList()) {
        Matcher m = setCookie.matcher(Files.readString(log, StandardCharsets.ISO_8859_1));
        while (m.find()) {
          tokens.add(m.group(1));
        }
      }
    }
    return tokens;
  }

  /**
   * How many bars of the first palette colour (#2563eb) a bar chart shows: the runs of that colour
   * along a row just above the lowest row that has it (the bars stand on the axis).
   */
  private static int bars(BufferedImage image) {
    int bottom = -1;
    for (int y = image.getHeight() - 1; y >= 0 && bottom < 0; y--) {
      for (int x = 0; x < image.getWidth(); x++) {
        if (barColour(image.getRGB(x, y))) {
          bottom = y;
          break;
        }
      }
    }
    if (bottom < 0) {
      return 0;
    }
    int runs = 0;
    boolean inside = false;
    for (int x = 0; x < image.getWidth(); x++) {
      boolean b = barColour(image.getRGB(x, Math.max(0, bottom - 3)));
      if (b && !inside) {
        runs++;
      }
      inside = b;
    }
    return runs;
  }

  private static boolean barColour(int rgb) {
    return Math.abs(((rgb >> 16) & 0xff) - 0x25) < 24
        && Math.abs(((rgb >> 8) & 0xff) - 0x63) < 24
        && Math.abs((rgb & 0xff) - 0xeb) < 24;
  }
}
