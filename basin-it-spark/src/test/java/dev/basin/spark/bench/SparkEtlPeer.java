package dev.basin.spark.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The Spark peer of basin-bench's ETL benchmark ({@code bench/etl.sh}): the seed job {@code
 * spotify_join} — tracks ⋈ albums on album_id ⋈ artists on artist_id, the duplicated columns
 * dropped, one row per track_id, written as Snappy Parquet — on Spark {@code local[N]} over the
 * same CSV files. Started by the benchmark as its own JVM with this module's test classpath. Times
 * the session start, then one untimed warm-up and {@code --runs} timed runs (output deleted before
 * each), and prints {@code RESULT {"sessionMillis": ms, "millis": [ms…], "rows": N}}.
 *
 * <p>Options: {@code --csv-dir DIR --out-dir DIR --runs N --master local[2]}.
 */
public final class SparkEtlPeer {
  private static final String ARTISTS =
      "artist_id STRING, artist_name STRING, artist_popularity BIGINT, followers BIGINT,"
          + " genres STRING";
  private static final String ALBUMS =
      "album_id STRING, album_name STRING, artist_id STRING, artist_name STRING,"
          + " release_date DATE, label STRING, total_tracks BIGINT, album_popularity BIGINT,"
          + " album_type STRING";
  private static final String TRACKS =
      "track_id STRING, track_name STRING, album_id STRING, artist_id STRING,"
          + " track_number BIGINT, duration_ms BIGINT, explicit BOOLEAN, popularity BIGINT,"
          + " danceability DOUBLE, energy DOUBLE, loudness DOUBLE, speechiness DOUBLE,"
          + " acousticness DOUBLE, instrumentalness DOUBLE, liveness DOUBLE, valence DOUBLE,"
          + " tempo DOUBLE, time_signature BIGINT";

  private SparkEtlPeer() {}

  public static void main(String[] argv) throws Exception {
    String csvDir = null;
    String outDir = null;
    int runs = 5;
    String master = "local[2]";
    for (int i = 0; i + 1 < argv.length; i += 2) {
      switch (argv[i]) {
        case "--csv-dir" -> csvDir = argv[i + 1];
        case "--out-dir" -> outDir = argv[i + 1];
        case "--runs" -> runs = Integer.parseInt(argv[i + 1]);
        case "--master" -> master = argv[i + 1];
        default -> throw new IllegalArgumentException("unknown option " + argv[i]);
      }
    }
    if (csvDir == null || outDir == null) {
      throw new IllegalArgumentException("--csv-dir and --out-dir are required");
    }
    Path out = Path.of(outDir).resolve("spotify");
    long start = System.nanoTime();
    SparkSession spark =
        SparkSession.builder()
            .appName("basin-bench-spotify-join")
            .master(master)
            .config("spark.ui.enabled", "false")
            .config("spark.sql.parquet.compression.codec", "snappy")
            .getOrCreate();
    double sessionMillis = (System.nanoTime() - start) / 1e6;
    List<Double> times = new ArrayList<>();
    try {
      for (int i = -1; i < runs; i++) {
        deleteTree(out);
        long t0 = System.nanoTime();
        job(spark, csvDir).write().parquet(out.toString());
        double ms = (System.nanoTime() - t0) / 1e6;
        System.err.printf(Locale.ROOT, "[spark-etl] run %d: %.0f ms%n", i + 1, ms);
        if (i >= 0) {
          times.add(ms);
        }
      }
      long rows = spark.read().parquet(out.toString()).count();
      StringBuilder json = new StringBuilder("{\"sessionMillis\":").append(sessionMillis);
      json.append(",\"master\":\"").append(master).append("\",\"millis\":[");
      for (int i = 0; i < times.size(); i++) {
        json.append(i == 0 ? "" : ",").append(times.get(i));
      }
      json.append("],\"rows\":").append(rows).append('}');
      System.out.println("RESULT " + json);
    } finally {
      spark.stop();
      deleteTree(out);
    }
  }

  /** The job as a user writes it in Spark: typed CSV reads, two joins, drop, dropDuplicates. */
  private static Dataset<Row> job(SparkSession spark, String dir) {
    Dataset<Row> tracks = csv(spark, dir, "tracks", TRACKS);
    Dataset<Row> albums = csv(spark, dir, "albums", ALBUMS);
    Dataset<Row> artists = csv(spark, dir, "artists", ARTISTS);
    Dataset<Row> joined =
        tracks
            .join(albums.drop("artist_id"), "album_id")
            .join(artists.drop("artist_name"), "artist_id");
    return joined
        .select(
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
            "time_signature",
            "album_name",
            "artist_name",
            "release_date",
            "label",
            "total_tracks",
            "album_popularity",
            "album_type",
            "artist_popularity",
            "followers",
            "genres")
        .dropDuplicates("track_id");
  }

  private static Dataset<Row> csv(SparkSession spark, String dir, String table, String schema) {
    return spark
        .read()
        .option("header", "true")
        .option("escape", "\"") // RFC 4180: a quote inside a quoted value is doubled
        .schema(schema)
        .csv(Path.of(dir, table, table + ".csv").toString());
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
