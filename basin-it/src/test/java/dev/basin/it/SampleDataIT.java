package dev.basin.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.basin.it.BasinProcess.Exit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code basin sample-data} as a user runs it: the Spotify set uploaded to the lake, described as
 * external CSV tables through the catalog API, then counted and joined by the SQL engine.
 */
@ExtendWith(BasinProcess.DumpLogsOnFailure.class)
class SampleDataIT {
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

  private static String sql(String dataDir, String query) {
    return ok(cli(dataDir, "sql", query, "--format", "csv")).stdout();
  }

  private static void externalCsvTable(BasinProcess server, String name, String columns) {
    NativeApi.call(
        server,
        "POST",
        "/api/v1/catalog/databases/music/tables",
        "{\"name\":\""
            + name
            + "\",\"format\":\"csv\",\"location\":\"s3://raw/staging/spotify/"
            + name
            + "/\",\"columns\":["
            + columns
            + "],\"parameters\":{\"skip.header.line.count\":\"1\"}}",
        201);
  }

  private static String cols(String... nameType) {
    StringBuilder sb = new StringBuilder();
    for (String c : nameType) {
      String[] p = c.split(" ");
      sb.append(sb.length() == 0 ? "" : ",")
          .append("{\"name\":\"")
          .append(p[0])
          .append("\",\"type\":\"")
          .append(p[1])
          .append("\"}");
    }
    return sb.toString();
  }

  @Test
  void uploadsTheSpotifySetThatTheEngineCanJoin() throws Exception {
    try (BasinProcess server = BasinProcess.start(dir.resolve("data"))) {
      String dd = server.dataDir().toString();
      Exit gen =
          ok(
              cli(
                  dd,
                  "sample-data",
                  "spotify",
                  "--rows",
                  "500",
                  "--seed",
                  "7",
                  "--out",
                  "s3://raw/staging/spotify/"));
      assertThat(gen.stdout())
          .contains("upload: s3://raw/staging/spotify/artists/artists.csv (10 rows,")
          .contains("upload: s3://raw/staging/spotify/albums/albums.csv (50 rows,")
          .contains("upload: s3://raw/staging/spotify/tracks/tracks.csv (500 rows,");

      String ls = ok(cli(dd, "s3", "ls", "s3://raw/staging/spotify/", "--recursive")).stdout();
      assertThat(ls)
          .contains("staging/spotify/artists/artists.csv")
          .contains("staging/spotify/albums/albums.csv")
          .contains("staging/spotify/tracks/tracks.csv");

      // the same seed in another process, written locally: the very same bytes
      Path local = dir.resolve("local");
      Exit localRun =
          ok(
              cli(
                  dd,
                  "sample-data",
                  "spotify",
                  "--rows",
                  "500",
                  "--seed",
                  "7",
                  "--out-dir",
                  local.toString()));
      assertThat(localRun.stdout()).contains("tracks.csv (500 rows,");
      Path downloaded = dir.resolve("tracks.csv");
      ok(cli(dd, "s3", "cp", "s3://raw/staging/spotify/tracks/tracks.csv", downloaded.toString()));
      assertThat(Files.readAllBytes(downloaded))
          .isEqualTo(Files.readAllBytes(local.resolve("tracks/tracks.csv")));

      NativeApi.call(server, "POST", "/api/v1/catalog/databases", "{\"name\":\"music\"}", 201);
      externalCsvTable(
          server,
          "artists",
          cols(
              "artist_id string",
              "artist_name string",
              "artist_popularity bigint",
              "followers bigint",
              "genres string"));
      externalCsvTable(
          server,
          "albums",
          cols(
              "album_id string",
              "album_name string",
              "artist_id string",
              "artist_name string",
              "release_date date",
              "label string",
              "total_tracks bigint",
              "album_popularity bigint",
              "album_type string"));
      externalCsvTable(
          server,
          "tracks",
          cols(
              "track_id string",
              "track_name string",
              "album_id string",
              "artist_id string",
              "track_number bigint",
              "duration_ms bigint",
              "explicit boolean",
              "popularity bigint",
              "danceability double",
              "energy double",
              "loudness double",
              "speechiness double",
              "acousticness double",
              "instrumentalness double",
              "liveness double",
              "valence double",
              "tempo double",
              "time_signature bigint"));

      assertThat(sql(dd, "SELECT count(*) AS n FROM music.tracks")).isEqualTo("\"n\"\n\"500\"\n");
      assertThat(
              sql(
                  dd,
                  "SELECT count(*) AS n FROM music.tracks t"
                      + " JOIN music.albums a ON t.album_id = a.album_id"
                      + " AND t.artist_id = a.artist_id"
                      + " JOIN music.artists r ON a.artist_id = r.artist_id"
                      + " AND a.artist_name = r.artist_name"))
          .isEqualTo("\"n\"\n\"500\"\n");
      // typed columns parsed everywhere, and quoted values with commas survived
      assertThat(
              sql(
                  dd,
                  "SELECT count(*) AS n FROM music.tracks WHERE tempo IS NULL"
                      + " OR popularity IS NULL OR explicit IS NULL OR time_signature IS NULL"))
          .isEqualTo("\"n\"\n\"0\"\n");
      assertThat(sql(dd, "SELECT count(*) > 0 AS b FROM music.tracks WHERE track_name LIKE '%,%'"))
          .isEqualTo("\"b\"\n\"true\"\n");
      assertThat(sql(dd, "SELECT sum(total_tracks) AS n FROM music.albums"))
          .isEqualTo("\"n\"\n\"500\"\n");

      Exit unknown =
          cli(dd, "sample-data", "netflix", "--rows", "5", "--out-dir", local.toString());
      assertThat(unknown.code()).isNotZero();
      assertThat(unknown.stderr())
          .contains("unknown sample dataset 'netflix'; choose one of spotify, employees, sales");
      Exit zero = cli(dd, "sample-data", "sales", "--rows", "0", "--out", "s3://raw/x/");
      assertThat(zero.code()).isNotZero();
      assertThat(zero.stderr()).contains("rows must be between 1 and");
      Exit noBucket = cli(dd, "sample-data", "sales", "--rows", "5", "--out", "s3://nope/x/");
      assertThat(noBucket.code()).isNotZero();
      assertThat(ok(cli(dd, "s3", "ls", "s3://raw/x/", "--recursive")).stdout()).isBlank();
    }
  }
}
