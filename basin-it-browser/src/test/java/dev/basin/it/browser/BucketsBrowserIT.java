package dev.basin.it.browser;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Download;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.FilePayload;
import dev.basin.common.json.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Buckets page in Chromium: create a versioned bucket (and see a bad name refused), upload two
 * files into a folder through the file input, browse into the folder, download a file and compare
 * its bytes, re-upload it and download the older version, delete a file, and set a lifecycle rule
 * (after an invalid one is refused). Screenshots go to {@code <target>/screenshots/buckets-*}.
 */
class BucketsBrowserIT {
  @TempDir static Path dir;
  private static BrowserFixture fx;

  @BeforeAll
  static void start() throws Exception {
    fx = BrowserFixture.start(dir.resolve("data"), Map.of());
  }

  @AfterAll
  static void stop() {
    if (fx != null) {
      fx.close();
    }
  }

  private static FilePayload file(String name, String type, String content) {
    return new FilePayload(name, type, content.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] download(Page page, Locator link) throws Exception {
    Download d = page.waitForDownload(link::click);
    return Files.readAllBytes(d.path());
  }

  @Test
  void createUploadBrowseDownloadVersionsDeleteAndLifecycle() throws Exception {
    try (BrowserContext context =
        fx.browser.newContext(
            new Browser.NewContextOptions().setViewportSize(1400, 900).setAcceptDownloads(true))) {
      Page page = context.newPage();
      page.onDialog(d -> d.accept());
      fx.signIn(page);
      page.navigate(fx.base() + "/ui/#/buckets");
      assertThat(page.locator("#bucket-list li[data-bucket=raw]")).isVisible();

      // A name S3 refuses: the server's reason is shown, nothing is created.
      page.locator("#create-bucket-name").fill("Bad_Name");
      page.locator("#create-bucket-button").click();
      assertThat(page.locator("#create-bucket-error"))
          .containsText("invalid bucket name 'Bad_Name'");

      page.locator("#create-bucket-name").fill("photos");
      page.locator("#create-bucket-versioning").check();
      page.locator("#create-bucket-button").click();
      assertThat(page.locator("#bucket-title")).hasText("photos");
      assertThat(page.locator("#bucket-versioning")).hasText("ENABLED");
      assertThat(page.locator("#bucket-list li[data-bucket=photos]")).hasClass("selected");
      assertThat(page.locator("#objects")).containsText("This bucket is empty");

      // Two files into the folder reports/.
      page.locator("#new-folder-name").fill("reports");
      page.locator("#new-folder-button").click();
      assertThat(page.locator("#breadcrumb")).containsText("reports");
      page.locator("#upload-input")
          .setInputFiles(
              new FilePayload[] {
                file("sales.csv", "text/csv", "region,amount\nEU,10\nUS,7\n"),
                file("notes.txt", "text/plain", "first notes")
              });
      assertThat(page.locator("#upload-status")).containsText("2 of 2 uploaded");
      assertThat(page.locator("#upload-status li.done")).hasCount(2);

      // Back to the top: the folder is listed; browse into it.
      page.locator("#breadcrumb a").first().click();
      Locator folder = page.locator("#objects-table tr[data-folder='reports/']");
      assertThat(folder).isVisible();
      fx.screenshot(page, "buckets-top-level");
      folder.click();
      Locator sales = page.locator("#objects-table tr[data-key='reports/sales.csv']");
      Locator notes = page.locator("#objects-table tr[data-key='reports/notes.txt']");
      assertThat(sales).isVisible();
      assertThat(notes).isVisible();
      assertThat(sales.locator("td").nth(1)).hasText("25 B");

      assertThat(download(page, sales.locator("a.bk-download")))
          .isEqualTo("region,amount\nEU,10\nUS,7\n".getBytes(StandardCharsets.UTF_8));

      // A re-upload makes a second version; the first stays downloadable.
      page.locator("#upload-input")
          .setInputFiles(file("sales.csv", "text/csv", "region,amount\nEU,11\n"));
      assertThat(page.locator("#upload-status")).containsText("1 of 1 uploaded");
      sales.click();
      Locator versions = page.locator("#versions-table tbody tr");
      assertThat(versions).hasCount(2);
      assertThat(page.locator("#object-details")).containsText("reports/sales.csv");
      assertThat(page.locator("#object-details")).containsText("text/csv");
      assertThat(download(page, page.locator("#details-download")))
          .isEqualTo("region,amount\nEU,11\n".getBytes(StandardCharsets.UTF_8));
      assertThat(download(page, versions.nth(1).locator("a.bk-download")))
          .isEqualTo("region,amount\nEU,10\nUS,7\n".getBytes(StandardCharsets.UTF_8));
      fx.screenshot(page, "buckets-object-versions");

      // Delete (confirmed): the row goes away, the S3 view agrees.
      notes.locator("button.bk-delete").click();
      assertThat(notes).hasCount(0);
      assertThat(sales).isVisible();
      JsonNode listed =
          Json.read(
              fx.api("GET", "/api/v1/buckets/photos/objects?prefix=reports/", null, 200),
              JsonNode.class);
      assertThat(listed.path("objects")).hasSize(1);
      assertThat(listed.path("objects").get(0).path("key").asText()).isEqualTo("reports/sales.csv");

      // Lifecycle rules: an invalid document shows the server's reason; a valid one is listed.
      page.locator("#tab-lifecycle").click();
      assertThat(page.locator("#lifecycle-rules")).containsText("No lifecycle rules");
      page.locator("#lifecycle-json")
          .fill("{\"rules\": [{\"id\": \"old\", \"enabled\": true, \"expirationDays\": 0}]}");
      page.locator("#lifecycle-save").click();
      assertThat(page.locator("#lifecycle-message .error")).containsText("old");
      page.locator("#lifecycle-json").fill("{\"rules\": [ not json");
      page.locator("#lifecycle-save").click();
      assertThat(page.locator("#lifecycle-message .error"))
          .containsText("The lifecycle JSON is not valid JSON at line 1, column 13");
      assertThat(page.locator("#lifecycle-message .error")).containsText("Nothing was sent");
      page.locator("#lifecycle-json")
          .fill(
              "{\"rules\": [{\"id\": \"expire-drafts\", \"enabled\": true, \"filter\":"
                  + " {\"prefix\": \"drafts/\"}, \"expirationDays\": 30, \"noncurrentDays\":"
                  + " 7}]}");
      page.locator("#lifecycle-save").click();
      assertThat(page.locator("#lifecycle-message")).containsText("Saved 1 rule");
      Locator rule = page.locator("#lifecycle-rules tbody tr");
      assertThat(rule).hasCount(1);
      assertThat(rule).containsText("expire-drafts");
      assertThat(rule).containsText("prefix drafts/");
      assertThat(rule).containsText("expire after 30d");
      fx.screenshot(page, "buckets-lifecycle");
      JsonNode rules =
          Json.read(fx.api("GET", "/api/v1/buckets/photos/lifecycle", null, 200), JsonNode.class);
      assertThat(rules.path("rules").get(0).path("noncurrentDays").asInt()).isEqualTo(7);

      page.locator("#tab-history").click();
      assertThat(page.locator("#lifecycle-history")).containsText("No lifecycle actions yet");
    }
  }

  /**
   * Paging: a double click on "Next" moves one page (the pager is disabled while a page loads), and
   * an object deleted after the list was loaded shows the server's message and a way to refresh.
   */
  @Test
  void pagingAndAnObjectDeletedMeanwhile() throws Exception {
    fx.api("POST", "/api/v1/buckets", "{\"name\": \"paged\"}", 201);
    // One more object than a page (100) holds: f100.txt is alone on page 2.
    for (int i = 0; i <= 100; i++) {
      fx.api(
          "PUT",
          "/api/v1/buckets/paged/objects/content?key=" + String.format("f%03d.txt", i),
          "x" + i,
          200);
    }
    try (BrowserContext context =
        fx.browser.newContext(new Browser.NewContextOptions().setViewportSize(1400, 900))) {
      Page page = context.newPage();
      fx.signIn(page);
      page.navigate(fx.base() + "/ui/#/buckets/paged");
      Locator rows = page.locator("#objects-table tbody tr");
      assertThat(rows).hasCount(100);
      assertThat(page.locator("#objects-page")).hasText("page 1");

      page.locator("#objects-next").dblclick();
      assertThat(page.locator("#objects-table tr[data-key='f100.txt']")).isVisible();
      assertThat(rows).hasCount(1);
      assertThat(page.locator("#objects-page")).hasText("page 2");
      assertThat(page.locator("#objects-next")).isDisabled();
      page.locator("#objects-prev").click();
      assertThat(page.locator("#objects-table tr[data-key='f000.txt']")).isVisible();
      assertThat(page.locator("#objects-page")).hasText("page 1");

      // f000.txt is deleted behind the page's back; its row is still listed until a refresh.
      fx.api("DELETE", "/api/v1/buckets/paged/objects?key=f000.txt", null, 200);
      page.locator("#objects-table tr[data-key='f000.txt']").click();
      Locator missing = page.locator("#object-missing");
      assertThat(missing).containsText("object 'f000.txt' does not exist in bucket 'paged'");
      assertThat(missing).containsText("It was deleted after the list was loaded");
      fx.screenshot(page, "buckets-object-deleted-meanwhile");
      page.locator("#object-missing button").click();
      assertThat(page.locator("#objects-table tr[data-key='f001.txt']")).isVisible();
      assertThat(page.locator("#objects-table tr[data-key='f000.txt']")).hasCount(0);
      assertThat(page.locator("#object-missing")).hasCount(0);
    }
  }
}
