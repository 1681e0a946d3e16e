package dev.basin.etl.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.basin.catalog.Column;
import dev.basin.catalog.DataFormat;
import dev.basin.catalog.TableInput;
import dev.basin.etl.sample.SampleDatasets;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The shipped example jobs ({@code examples/jobs/}) on the sample datasets, with the staging tables
 * defined as the crawler defines them (the crawler itself is exercised end to end in basin-it).
 */
class ExampleJobsTest extends JobTestBase {

  static Path examples() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.isDirectory(p.resolve("examples/jobs"))) {
      p = p.getParent();
    }
    if (p == null) {
      throw new IllegalStateException(
          "examples/jobs not found above " + Path.of("").toAbsolutePath());
    }
    return p.resolve("examples/jobs");
  }

  void upload(String dataset, long rows, String bucket, String prefix) throws IOException {
    SampleDatasets.write(
        dataset,
        rows,
        7,
        name ->
            new ByteArrayOutputStream() {
              @Override
              public void close() throws IOException {
                super.close();
                putBytes(bucket, prefix + name, toByteArray());
              }
            });
  }

  void csvTable(String db, String name, String location, List<String> columns, List<String> types) {
    List<Column> cols = new ArrayList<>();
    for (int i = 0; i < columns.size(); i++) {
      cols.add(Column.of(columns.get(i), types.get(i)));
    }
    catalog
        .externalTables()
        .create(
            db,
            new TableInput(
                name,
                null,
                cols,
                List.of(),
                location,
                DataFormat.CSV,
                DataFormat.OPEN_CSV_SERDE,
                Map.of("separatorChar", ","),
                Map.of("skip.header.line.count", "1")));
  }

  @Test
  void seed001SpotifyJoinDropsDuplicatesAndKeepsEveryTrack() throws Exception {
    upload("spotify", 2000, "raw", "spotify/");
    exec("CREATE DATABASE staging");
    csvTable(
        "staging",
        "artists",
        "s3://raw/spotify/artists/",
        List.of("artist_id", "artist_name", "artist_popularity", "followers", "genres"),
        List.of("string", "string", "bigint", "bigint", "string"));
    csvTable(
        "staging",
        "albums",
        "s3://raw/spotify/albums/",
        List.of(
            "album_id",
            "album_name",
            "artist_id",
            "artist_name",
            "release_date",
            "label",
            "total_tracks",
            "album_popularity",
            "album_type"),
        List.of(
            "string", "string", "string", "string", "date", "string", "bigint", "bigint",
            "string"));
    csvTable(
        "staging",
        "tracks",
        "s3://raw/spotify/tracks/",
        List.of(
            "track_id",
            "track_name",
            "album_id",
            "artist_id",
            "track_number",
            "duration_ms",
            "explicit",
            "popularity",
            "danceability",
            "energy",
            "loudness",
            "speechiness",
            "acousticness",
            "instrumentalness",
            "liveness",
            "valence",
            "tempo",
            "time_signature"),
        List.of(
            "string", "string", "string", "string", "bigint", "bigint", "boolean", "bigint",
            "double", "double", "double", "double", "double", "double", "double", "double",
            "double", "bigint"));
    long tracks = count("SELECT count(*) FROM staging.tracks");
    assertThat(tracks).isPositive();

    jobs.create(Files.readString(examples().resolve("spotify_join.yaml")));
    JobRun r = runToEnd("spotify_join", Map.of());
    assertThat(r.state()).as(r.error()).isEqualTo(RunState.SUCCEEDED);
    assertThat(r.nodes().get(r.nodes().size() - 1).rows()).isEqualTo(tracks);
    // Every node is counted, also the dedup fused into the target's query.
    assertThat(r.nodes()).allSatisfy(n -> assertThat(n.rows()).as(n.node()).isNotNull());
    assertThat(
            r.nodes().stream()
                .filter(n -> n.node().equals("unique_tracks"))
                .findFirst()
                .orElseThrow()
                .rows())
        .isEqualTo(tracks);

    // With rowCounts off the same job fuses its transforms and writes the same rows.
    jobs.update(
        "spotify_join",
        Files.readString(examples().resolve("spotify_join.yaml"))
            .replace("timeout: 30m", "timeout: 30m\n  rowCounts: false"));
    JobRun fused = runToEnd("spotify_join", Map.of());
    assertThat(fused.state()).as(fused.error()).isEqualTo(RunState.SUCCEEDED);
    assertThat(fused.nodes().get(fused.nodes().size() - 1).rows()).isEqualTo(tracks);
    assertThat(
            fused.nodes().stream()
                .filter(n -> n.node().equals("tracks_albums"))
                .findFirst()
                .orElseThrow()
                .rows())
        .isNull();
    List<String> files = keys("processed", "spotify/");
    assertThat(files).isNotEmpty().allMatch(k -> k.endsWith(".parquet"));

    // The lake as a table (what the second crawl produces), queried with SQL.
    exec("CREATE DATABASE datalake");
    List<List<Object>> cols =
        rows(
            "SELECT column_name FROM (DESCRIBE SELECT * FROM read_parquet('"
                + engine.files().localPath("s3://processed/" + files.get(0))
                + "'))");
    List<String> names = cols.stream().map(c -> (String) c.get(0)).toList();
    assertThat(names)
        .contains("track_id", "track_name", "album_name", "artist_name", "followers")
        .doesNotHaveDuplicates()
        .noneMatch(n -> n.startsWith("albums_") || n.startsWith("artists_"));
    assertThat(
            count(
                "SELECT count(DISTINCT track_id) FROM read_parquet('"
                    + engine.files().localPath("s3://processed/" + files.get(0))
                    + "')"))
        .isEqualTo(tracks);
  }

  @Test
  void seed004SalesRawToProcessedToCuratedKeepsEveryCent() throws Exception {
    upload("sales", 3000, "raw", "sales/");
    // A late file with rows that break the rules: quarantined, not lost.
    put(
        "raw",
        "sales/late.csv",
        "transaction_id,date,store,product,category,customer,quantity,price\n"
            + "900001,2025-12-31,Store 1 - Downtown,Gadget,Electronics,c1,9,10.00\n"
            + ",2025-12-31,Store 1 - Downtown,Gadget,Electronics,c2,1,10.00\n"
            + "900003,2025-12-31,Store 1 - Downtown,Gadget,Electronics,c3,2,10.00\n");
    exec("CREATE DATABASE raw");
    exec("CREATE DATABASE processed");
    exec("CREATE DATABASE curated");
    csvTable(
        "raw",
        "sales",
        "s3://raw/sales/",
        List.of(
            "transaction_id",
            "date",
            "store",
            "product",
            "category",
            "customer",
            "quantity",
            "price"),
        List.of(
            "bigint", "date", "string", "string", "string", "string", "bigint", "decimal(10,2)"));
    BigDecimal rawRevenue =
        (BigDecimal)
            rows("SELECT CAST(sum(quantity * price) AS DECIMAL(18,2)) FROM raw.sales"
                    + " WHERE transaction_id IS NOT NULL AND quantity BETWEEN 1 AND 5")
                .get(0)
                .get(0);
    long rawRows = count("SELECT count(*) FROM raw.sales");

    jobs.create(Files.readString(examples().resolve("sales_raw_to_processed.yaml")));
    JobRun r = runToEnd("sales_raw_to_processed", Map.of());
    assertThat(r.state()).as(r.error()).isEqualTo(RunState.SUCCEEDED);
    long processed = count("SELECT count(*) FROM processed.sales");
    JobRun.NodeMetrics dq =
        r.nodes().stream().filter(n -> n.node().equals("checked")).findFirst().orElseThrow();
    long quarantined = ((Number) dq.detail().get("quarantinedRows")).longValue();
    assertThat(quarantined).isEqualTo(2);
    assertThat(processed + quarantined).isEqualTo(rawRows);
    assertThat(keys("processed", "quarantine/sales/")).hasSize(1);

    jobs.create(Files.readString(examples().resolve("sales_aggregate.yaml")));
    JobRun agg = runToEnd("sales_aggregate", Map.of());
    assertThat(agg.state()).as(agg.error()).isEqualTo(RunState.SUCCEEDED);
    BigDecimal curated =
        (BigDecimal)
            rows("SELECT CAST(sum(revenue) AS DECIMAL(18,2)) FROM curated.daily_sales")
                .get(0)
                .get(0);
    assertThat(curated).isEqualByComparingTo(rawRevenue);
    assertThat(count("SELECT sum(transactions) FROM curated.daily_sales")).isEqualTo(processed);

    // Bookmarks: a second raw file is the only input of the next run.
    put(
        "raw",
        "sales/more.csv",
        "transaction_id,date,store,product,category,customer,quantity,price\n"
            + "910001,2025-12-30,Store 2 - Mall,Gadget,Electronics,c9,1,5.00\n");
    JobRun second = runToEnd("sales_raw_to_processed", Map.of());
    assertThat(second.state()).as(second.error()).isEqualTo(RunState.SUCCEEDED);
    assertThat(second.nodes().get(0).rows()).isEqualTo(1L);
    assertThat(count("SELECT count(*) FROM processed.sales")).isEqualTo(processed + 1);
  }

  @SuppressWarnings("unused")
  private static OutputStream unused() {
    return OutputStream.nullOutputStream();
  }
}
