package dev.basin.it.browser;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Download;
import com.microsoft.playwright.Page;
import java.awt.image.BufferedImage;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard view's Export PNG and Export PDF buttons in Chromium: each downloads the file the
 * server rendered with its own headless Chromium from the print view, with the view's filters.
 */
class DashboardExportBrowserIT {
  @TempDir static Path dir;
  private static BrowserFixture fx;

  @BeforeAll
  static void start() throws Exception {
    fx = BrowserFixture.start(dir.resolve("data"), Map.of("export.chromium-no-sandbox", "true"));
    fx.sql("CREATE DATABASE shop");
    fx.sql(
        "CREATE TABLE shop.sales AS SELECT * FROM (VALUES ('EU', 'books', 10.0), ('EU', 'games',"
            + " 5.0), ('US', 'books', 7.0), ('US', 'games', 12.0), ('APAC', 'books', 3.0)) AS"
            + " t(region, category, revenue)");
    fx.api("POST", "/api/v1/datasets", "{\"name\": \"sales\", \"table\": \"shop.sales\"}", 201);
    fx.api(
        "POST",
        "/api/v1/dashboards",
        ("{`id`: `sales`, `name`: `Sales by region`, `visuals`: [{`id`: `bars`, `type`: `bar`,"
                + " `title`: `Revenue by region`, `dataset`: `sales`, `dimensions`: [`region`],"
                + " `measures`: [{`column`: `revenue`, `aggregation`: `sum`, `alias`:"
                + " `revenue`}]}, {`id`: `pie`, `type`: `pie`, `title`: `Revenue by category`,"
                + " `dataset`: `sales`, `dimensions`: [`category`], `measures`: [{`column`:"
                + " `revenue`, `aggregation`: `sum`, `alias`: `revenue`}]}]}")
            .replace('`', '"'),
        201);
    fx.api(
        "POST",
        "/api/v1/dashboards",
        ("{`id`: `regions`, `name`: `Regions`, `visuals`: [{`id`: `bars`, `type`: `bar`,"
                + " `title`: `Revenue by region`, `dataset`: `sales`, `dimensions`: [`region`],"
                + " `measures`: [{`column`: `revenue`, `aggregation`: `sum`, `alias`:"
                + " `revenue`}]}]}")
            .replace('`', '"'),
        201);
  }

  @AfterAll
  static void stop() {
    if (fx != null) {
      fx.close();
    }
  }

  @Test
  void exportButtonsDownloadTheRenderedDashboard() throws Exception {
    try (BrowserContext context =
        fx.browser.newContext(
            new Browser.NewContextOptions().setViewportSize(1400, 900).setAcceptDownloads(true))) {
      Page page = context.newPage();
      fx.signIn(page);
      String state =
          URLEncoder.encode(
              "{\"filters\":[{\"field\":\"region\",\"type\":\"in\",\"values\":[\"EU\",\"US\"]}]}",
              StandardCharsets.UTF_8);
      page.navigate(fx.base() + "/ui/#/dashboards/sales?s=" + state);
      assertThat(page.locator("#dashboard[data-id='sales'][data-state=ready]")).isVisible();
      fx.screenshot(page, "dashboard-export-view");

      Download png =
          page.waitForDownload(
              new Page.WaitForDownloadOptions().setTimeout(90_000),
              () -> page.locator("#export-png").click());
      assertThat(png.suggestedFilename()).isEqualTo("sales.png");
      byte[] pngBytes = Files.readAllBytes(png.path());
      assertThat(pngBytes).startsWith(0x89, 'P', 'N', 'G');
      Path pngFile = BrowserFixture.SCREENSHOTS.resolve("dashboard-export-download.png");
      Files.write(pngFile, pngBytes);
      BufferedImage image = ImageIO.read(png.path().toFile());
      assertThat(image.getWidth()).isEqualTo(1400);
      assertThat(image.getHeight()).isGreaterThan(200);
      assertThat(colouredPixels(image)).as("chart pixels in " + pngFile).isGreaterThan(5_000);

      Download pdf =
          page.waitForDownload(
              new Page.WaitForDownloadOptions().setTimeout(90_000),
              () -> page.locator("#export-pdf").click());
      assertThat(pdf.suggestedFilename()).isEqualTo("sales.pdf");
      byte[] pdfBytes = Files.readAllBytes(pdf.path());
      assertThat(new String(pdfBytes, 0, 5, StandardCharsets.ISO_8859_1)).isEqualTo("%PDF-");
      Matcher pages =
          Pattern.compile("/Type\\s*/Page(?!s)")
              .matcher(new String(pdfBytes, StandardCharsets.ISO_8859_1));
      assertThat(pages.find()).as("a PDF page object").isTrue();
      assertThat(page.locator("#export-error .error")).hasCount(0);
    }
  }

  @Test
  void exportDrawsTheViewsFilters() throws Exception {
    try (BrowserContext context =
        fx.browser.newContext(
            new Browser.NewContextOptions().setViewportSize(1400, 900).setAcceptDownloads(true))) {
      Page page = context.newPage();
      fx.signIn(page);
      BufferedImage all = exportPng(page, null, "dashboard-export-regions-all");
      BufferedImage eu =
          exportPng(
              page,
              "{\"filters\":[{\"field\":\"region\",\"type\":\"equals\",\"value\":\"EU\"}]}",
              "dashboard-export-regions-eu");
      // One bar per region (EU, US, APAC) without the filter; only EU's with it.
      assertThat(bars(all)).as("bars in the unfiltered export").isEqualTo(3);
      assertThat(bars(eu)).as("bars in the export filtered on EU").isEqualTo(1);
    }
  }

  /** Opens the regions dashboard with URL state s (none when null) and exports it as PNG. */
  private static BufferedImage exportPng(Page page, String s, String name) throws Exception {
    page.navigate(
        fx.base()
            + "/ui/#/dashboards/regions"
            + (s == null ? "" : "?s=" + URLEncoder.encode(s, StandardCharsets.UTF_8)));
    assertThat(page.locator("#dashboard[data-id='regions'][data-state=ready]")).isVisible();
    assertThat(page.locator("#filter-chips .chip")).hasCount(s == null ? 0 : 1);
    Download png =
        page.waitForDownload(
            new Page.WaitForDownloadOptions().setTimeout(90_000),
            () -> page.locator("#export-png").click());
    Path file = BrowserFixture.SCREENSHOTS.resolve(name + ".png");
    Files.copy(png.path(), file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    assertThat(page.locator("#export-error .error")).hasCount(0);
    return ImageIO.read(file.toFile());
  }

  /**
   * The bars of a bar chart: runs of at least 8 adjacent pixel columns that each hold at least 10
   * strongly coloured pixels (text, axes and grid lines are grey).
   */
  private static int bars(BufferedImage image) {
    int runs = 0;
    int width = 0;
    for (int x = 0; x < image.getWidth(); x++) {
      int n = 0;
      for (int y = 0; y < image.getHeight(); y++) {
        if (coloured(image.getRGB(x, y))) {
          n++;
        }
      }
      if (n >= 10) {
        width++;
      } else {
        runs += width >= 8 ? 1 : 0;
        width = 0;
      }
    }
    return runs + (width >= 8 ? 1 : 0);
  }

  private static boolean coloured(int rgb) {
    int r = (rgb >> 16) & 0xff;
    int g = (rgb >> 8) & 0xff;
    int b = rgb & 0xff;
    return Math.max(r, Math.max(g, b)) - Math.min(r, Math.min(g, b)) > 80;
  }

  /** Pixels in strong colours: only drawn charts have many; the console is grey and white. */
  private static int colouredPixels(BufferedImage image) {
    int n = 0;
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        if (coloured(image.getRGB(x, y))) {
          n++;
        }
      }
    }
    return n;
  }
}
