package dev.basin.it.browser;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The streams and delivery pages with live traffic: the incoming rate and chart, the live tail, the
 * delivery streams reading a stream with their lag, and a delivery stream's counters.
 */
class StreamsPagesBrowserIT {
  @TempDir static Path dir;
  private static BrowserFixture fx;

  @BeforeAll
  static void start() throws Exception {
    fx = BrowserFixture.start(dir.resolve("data"), Map.of());
    fx.api("POST", "/api/v1/streams", "{\"name\": \"clicks\", \"shards\": 1}", 201);
    fx.api(
        "POST",
        "/api/v1/delivery-streams",
        "{\"name\": \"clicks-to-raw\", \"source\": {\"type\": \"stream\", \"stream\": \"clicks\"},"
            + " \"destination\": {\"type\": \"objects\", \"bucket\": \"raw\", \"prefix\":"
            + " \"clicks/\"}, \"buffering\": {\"sizeMiB\": 1, \"intervalSeconds\": 1}}",
        201);
  }

  @AfterAll
  static void stop() {
    if (fx != null) {
      fx.close();
    }
  }

  private static void put(int from, int count) throws Exception {
    String lines =
        IntStream.range(from, from + count)
            .mapToObj(i -> "{\"n\": " + i + ", \"page\": \"/p" + (i % 7) + "\"}")
            .collect(Collectors.joining("\n"));
    fx.api("POST", "/api/v1/streams/clicks/records?partitionKey=k", lines, 200);
  }

  @Test
  void streamPageShowsRateTailAndDeliveryLag() throws Exception {
    try (BrowserContext context = fx.browser.newContext()) {
      Page page = context.newPage();
      fx.signIn(page);
      page.navigate(fx.base() + "/ui/#/streams/clicks");
      assertThat(page.locator("#stream-rate-chart canvas").first()).isVisible();
      // the tail starts at the newest record: records put from now on appear in it
      for (int i = 0; i < 5; i++) {
        put(i * 50, 50);
      }
      assertThat(page.locator("#tail")).containsText("\"page\": \"/p");
      page.waitForFunction(
          "() => /[1-9][0-9.]* (k )?records\\/s in/.test("
              + "document.getElementById('incoming-rate').textContent)");
      assertThat(page.locator("#stream-consumers")).containsText("clicks-to-raw");
      fx.screenshot(page, "stream-traffic");

      page.locator("#stream-consumers tr.clickable").first().click();
      assertThat(page.locator("#delivery-list")).containsText("clicks-to-raw");
      assertThat(page.locator("#delivery-list")).containsText("s3://raw/clicks/");
      page.waitForFunction(
          "() => { const dd = [...document.querySelectorAll('dl.kv dt')]"
              + ".find(dt => dt.textContent === 'records delivered');"
              + " return dd && Number(dd.nextElementSibling.textContent) === 250; }");
      assertThat(page.locator("#delivery-failures")).containsText("No failed records.");
      assertThat(page.locator("#delivery-rate-chart canvas").first()).isVisible();
      fx.screenshot(page, "delivery-detail");
    }
  }
}
