package dev.basin.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.basin.it.BasinProcess.Exit;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code basin crawler} as a user runs it against a real server: the Spotify sample set uploaded to
 * the lake, a crawler created, a dry run that shows the plan and writes nothing, the plan applied,
 * the tables queried by the SQL engine, a recrawl that changes nothing, a rollback, and the errors
 * for bad input.
 */
@ExtendWith(BasinProcess.DumpLogsOnFailure.class)
class CrawlerIT {
  private static final Duration CLI_TIMEOUT = Duration.ofMinutes(2);

  @TempDir Path dir;

  private static Exit cli(String dataDir, String... args) {
    List<String> full = new ArrayList<>(List.of(args));
    full.add("--data-dir");
    full.add(dataDir);
    return BasinProcess.runMain(Map.of(), null, CLI_TIMEOUT, full.toArray(new String[0]));
  }

  private static Exit ok(Exit e) {
    assertThat(e.code()).as("stdout: %s\nstderr: %s", e.stdout(), e.stderr()).isZero();
    return e;
  }

  private static Exit fails(Exit e) {
    assertThat(e.code()).as("stdout: %s\nstderr: %s", e.stdout(), e.stderr()).isNotZero();
    return e;
  }

  private static String sql(String dataDir, String query) {
    return ok(cli(dataDir, "sql", query, "--format", "csv")).stdout();
  }

  @Test
  void crawlsTheSpotifySetIntoQueryableTables() {
    try (BasinProcess server = BasinProcess.start(dir.resolve("data"))) {
      String dd = server.dataDir().toString();
      ok(
          cli(
              dd,
              "sample-data",
              "spotify",
              "--rows",
              "200",
              "--seed",
              "7",
              "--out",
              "s3://raw/spotify/"));
      ok(cli(dd, "catalog", "create-database", "music"));

      Exit created =
          ok(
              cli(
                  dd,
                  "crawler",
                  "create",
                  "spotify",
                  "--target",
                  "s3://raw/spotify/",
                  "--exclude",
                  "**.tmp",
                  "--database",
                  "music",
                  "--table-threshold",
                  "10",
                  "--schedule",
                  "0 3 * * *"));
      assertThat(created.stdout()).contains("created crawler spotify");
      assertThat(ok(cli(dd, "crawler", "list")).stdout())
          .contains("spotify")
          .contains("s3://raw/spotify/")
          .contains("0 3 * * *");

      Exit dry = ok(cli(dd, "crawler", "run", "spotify", "--dry-run"));
      assertThat(dry.stdout())
          .contains("+ table artists (")
          .contains("+ table albums (")
          .contains("+ table tracks (18 columns, 0 partitions) at s3://raw/spotify/tracks/")
          .contains("why:")
          .contains("split at s3://raw/spotify/")
          .contains("run 1 of crawler spotify: PLANNED")
          .contains("`basin crawler apply spotify 1`");
      assertThat(ok(cli(dd, "catalog", "tables", "music")).stdout()).doesNotContain("tracks");

      Exit applied = ok(cli(dd, "crawler", "apply", "spotify", "1"));
      assertThat(applied.stdout()).contains("SUCCEEDED: tables 3 created");
      assertThat(sql(dd, "SELECT count(*) AS n FROM music.tracks")).isEqualTo("\"n\"\n\"200\"\n");
      assertThat(
              sql(
                  dd,
                  "SELECT count(*) AS n FROM music.tracks t"
                      + " JOIN music.albums a ON t.album_id = a.album_id"
                      + " JOIN music.artists r ON a.artist_id = r.artist_id"))
          .isEqualTo("\"n\"\n\"200\"\n");
      assertThat(sql(dd, "SELECT count(*) AS n FROM music.tracks WHERE tempo IS NULL"))
          .isEqualTo("\"n\"\n\"0\"\n");

      Exit again = ok(cli(dd, "crawler", "run", "spotify"));
      assertThat(again.stdout()).contains("(no changes to the catalog)").contains("SUCCEEDED");
      assertThat(ok(cli(dd, "crawler", "runs", "spotify")).stdout())
          .contains("SUCCEEDED (dry run)")
          .contains("3/0/0/0");

      JsonNode run = NativeApi.call(server, "GET", "/api/v1/crawlers/spotify/runs/1", null, 200);
      assertThat(run.path("plan").path("tables").size()).isEqualTo(3);
      assertThat(run.path("versionsAfter").path("tracks").asText()).isEqualTo("1");

      // bad input: clear errors, nothing stored
      Exit unknown = fails(cli(dd, "crawler", "run", "nope"));
      assertThat(unknown.stderr()).contains("crawler 'nope' not found");
      Exit badUri =
          fails(
              cli(
                  dd,
                  "crawler",
                  "create",
                  "bad",
                  "--target",
                  "http://raw/x/",
                  "--database",
                  "music"));
      assertThat(badUri.stderr())
          .contains("target 'http://raw/x/' is not an s3://bucket/prefix/ URI");
      Exit badCron =
          fails(
              cli(
                  dd,
                  "crawler",
                  "create",
                  "bad",
                  "--target",
                  "s3://raw/x/",
                  "--database",
                  "music",
                  "--schedule",
                  "99 * * * *"));
      assertThat(badCron.stderr())
          .contains("schedule '99 * * * *' is not valid cron")
          .contains("out of range 0-59");
      Exit noDb =
          fails(
              cli(dd, "crawler", "create", "bad", "--target", "s3://raw/x/", "--database", "nodb"));
      assertThat(noDb.stderr()).contains("database 'nodb' does not exist");
      Exit badRecrawl =
          fails(
              cli(
                  dd,
                  "crawler",
                  "create",
                  "bad",
                  "--target",
                  "s3://raw/x/",
                  "--database",
                  "music",
                  "--recrawl",
                  "SOMETIMES"));
      assertThat(badRecrawl.stderr()).contains("\"recrawlBehavior\" must be one of");
      assertThat(ok(cli(dd, "crawler", "list")).stdout()).doesNotContain("bad");
      JsonNode err = NativeApi.call(server, "GET", "/api/v1/crawlers/nope", null, 404);
      assertThat(err.path("error").path("code").asText()).isEqualTo("CRAWLER_NOT_FOUND");
      NativeApi.call(server, "POST", "/api/v1/crawlers/spotify/runs/99/apply", "{}", 404);

      // rollback drops the tables the run created
      Exit rolled = ok(cli(dd, "crawler", "rollback", "spotify", "1"));
      assertThat(rolled.stdout()).contains("ROLLED_BACK");
      assertThat(ok(cli(dd, "catalog", "tables", "music")).stdout()).doesNotContain("tracks");
      Exit gone = fails(cli(dd, "sql", "SELECT count(*) FROM music.tracks"));
      assertThat(gone.stderr()).containsIgnoringCase("tracks");
    }
  }
}
