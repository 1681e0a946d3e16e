package dev.basin.bench.dashboards;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Opens the dashboard in headless Chromium (Playwright, the system's browser), signed in to the
 * console, and reads the viewer's readiness marker: {@code window.basinDashboardReady.ms}, the time
 * from the view starting to load until every visual is drawn or failed.
 */
final class BrowserLoads implements AutoCloseable {

  /** One load: the viewer's own figure, the time from navigation to ready, and failed visuals. */
  record Load(double viewerMs, double navigationMs, int visuals, int errors) {}

  private final Playwright playwright;
  private final Browser browser;
  private final Page page;
  private final String base;

  BrowserLoads(String executable, String base, String accessKeyId, String secretAccessKey) {
    this.base = base;
    playwright =
        Playwright.create(
            new Playwright.CreateOptions().setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
    BrowserType.LaunchOptions launch =
        new BrowserType.LaunchOptions().setExecutablePath(Path.of(executable)).setHeadless(true);
    if ("root".equals(System.getProperty("user.name"))) {
      launch.setArgs(List.of("--no-sandbox")); // Chromium refuses to sandbox itself as root
    }
    browser = playwright.chromium().launch(launch);
    page = browser.newPage(new Browser.NewPageOptions().setViewportSize(1440, 1000));
    page.navigate(base + "/ui/");
    page.locator("#access-key-id").fill(accessKeyId);
    page.locator("#secret-access-key").fill(secretAccessKey);
    page.locator("#signin-button").click();
    page.waitForSelector("#shell:not([hidden])");
  }

  /**
   * Opens {@code #/dashboards/{id}?s=<state>} in a fresh document and waits until it is ready.
   *
   * @throws IllegalStateException if the viewer sets no readiness marker
   */
  Load load(String dashboardId, String state) {
    page.navigate("about:blank");
    String url =
        base
            + "/ui/#/dashboards/"
            + dashboardId
            + "?s="
            + URLEncoder.encode(state, StandardCharsets.UTF_8).replace("+", "%20");
    long start = System.nanoTime();
    page.navigate(url);
    page.waitForSelector(
        "#dashboard[data-state=ready]", new Page.WaitForSelectorOptions().setTimeout(180_000));
    double navigationMs = (System.nanoTime() - start) / 1e6;
    Object marker = page.evaluate("() => window.basinDashboardReady");
    if (!(marker instanceof Map<?, ?> m) || !(m.get("ms") instanceof Number ms)) {
      throw new IllegalStateException(
          "the dashboard view set no window.basinDashboardReady = {ms, visuals}; got " + marker);
    }
    int errors = page.locator("section.visual[data-state=error]").count();
    int visuals = page.locator("section.visual").count();
    return new Load(ms.doubleValue(), navigationMs, visuals, errors);
  }

  /** Saves a screenshot of the current page. */
  void screenshot(Path file) {
    page.screenshot(new Page.ScreenshotOptions().setPath(file).setFullPage(true));
  }

  @Override
  public void close() {
    browser.close();
    playwright.close();
  }
}
