package dev.basin.bench.etl;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The three CSV files of {@code basin sample-data spotify} with the column types a crawler gives
 * them, and the seed job ({@code examples/jobs/spotify_join.yaml}) written as one DuckDB statement
 * for the peer.
 */
final class SpotifyTables {
  /** Table name to its columns ({@code name -> Glue type}), in file order. */
  static final Map<String, Map<String, String>> COLUMNS = new LinkedHashMap<>();

  static {
    COLUMNS.put(
        "artists",
        columns(
            "artist_id string",
            "artist_name string",
            "artist_popularity bigint",
            "followers bigint",
            "genres string"));
    COLUMNS.put(
        "albums",
        columns(
            "album_id string",
            "album_name string",
            "artist_id string",
            "artist_name string",
            "release_date date",
            "label string",
            "total_tracks bigint",
            "album_popularity bigint",
            "album_type string"));
    COLUMNS.put(
        "tracks",
        columns(
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
  }

  private SpotifyTables() {}

  private static Map<String, String> columns(String... nameType) {
    Map<String, String> m = new LinkedHashMap<>();
    for (String c : nameType) {
      String[] p = c.split(" ");
      m.put(p[0], p[1]);
    }
    return m;
  }

  /** The relative path of a table's file, as {@code SampleDatasets} writes it. */
  static String file(String table) {
    return table + "/" + table + ".csv";
  }

  /**
   * The job as one statement: tracks ⋈ albums on album_id ⋈ artists on artist_id, the right-hand
   * copies of the keys and of {@code artist_name} dropped, one row per track_id, written as one
   * Snappy Parquet file. Columns come out in the job's order.
   *
   * @param csvDir the folder holding {@code tracks/tracks.csv} and the others
   */
  static String duckDbCopy(String csvDir, String out) {
    String select =
        "SELECT t.*, a.album_name, a.artist_name, a.release_date, a.label, a.total_tracks,"
            + " a.album_popularity, a.album_type, r.artist_popularity, r.followers, r.genres"
            + " FROM "
            + readCsv(csvDir, "tracks")
            + " t JOIN "
            + readCsv(csvDir, "albums")
            + " a ON t.album_id = a.album_id JOIN "
            + readCsv(csvDir, "artists")
            + " r ON t.artist_id = r.artist_id"
            + " QUALIFY row_number() OVER (PARTITION BY t.track_id) = 1";
    return "COPY ("
        + select
        + ") TO '"
        + out.replace("'", "''")
        + "' (FORMAT parquet, COMPRESSION snappy)";
  }

  /**
   * The job as Basin runs it, step by step in one DuckDB session (for the diagnostic peer run):
   * each external CSV read as all-VARCHAR and cast with {@code TRY_CAST(NULLIF(…, ''))} into a temp
   * table, each join and the deduplication materialised into a temp table and counted, DropFields a
   * view, then one COPY of the result. Step name to its statements, in order.
   */
  static Map<String, List<String>> basinSteps(String csvDir, String out) {
    Map<String, List<String>> steps = new LinkedHashMap<>();
    for (String t : List.of("tracks", "albums", "artists")) {
      steps.put(t, materialise(t, "SELECT " + casts(t) + " FROM " + readVarchar(csvDir, t)));
    }
    steps.put(
        "tracks_albums",
        materialise(
            "tracks_albums",
            "SELECT l.*, r.album_name, r.artist_id AS albums_artist_id, r.artist_name,"
                + " r.release_date, r.label, r.total_tracks, r.album_popularity, r.album_type"
                + " FROM tracks AS l INNER JOIN albums AS r ON l.album_id = r.album_id"));
    steps.put(
        "with_artists",
        materialise(
            "with_artists",
            "SELECT l.*, r.artist_name AS artists_artist_name, r.artist_popularity, r.followers,"
                + " r.genres FROM tracks_albums AS l INNER JOIN artists AS r"
                + " ON l.artist_id = r.artist_id"));
    steps.put(
        "dropped",
        List.of(
            "CREATE OR REPLACE TEMP VIEW dropped AS SELECT * EXCLUDE (albums_artist_id,"
                + " artists_artist_name) FROM with_artists"));
    steps.put(
        "unique_tracks",
        materialise(
            "unique_tracks",
            "SELECT * EXCLUDE (basin_row) FROM (SELECT *, row_number() OVER (PARTITION BY"
                + " track_id) AS basin_row FROM dropped) AS basin_dedup WHERE basin_row = 1"));
    steps.put(
        "datalake",
        List.of(
            "COPY (SELECT * FROM unique_tracks) TO '"
                + out.replace("'", "''")
                + "' (FORMAT parquet, COMPRESSION snappy)"));
    return steps;
  }

  private static List<String> materialise(String name, String select) {
    return List.of(
        "CREATE OR REPLACE TEMP TABLE " + name + " AS " + select, "SELECT count(*) FROM " + name);
  }

  private static String casts(String table) {
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, String> c : COLUMNS.get(table).entrySet()) {
      String type = duckType(c.getValue());
      sb.append(sb.length() == 0 ? "" : ", ")
          .append(
              type.equals("VARCHAR")
                  ? c.getKey()
                  : "TRY_CAST(NULLIF(" + c.getKey() + ", '') AS " + type + ") AS " + c.getKey());
    }
    return sb.toString();
  }

  private static String readVarchar(String dir, String table) {
    StringBuilder cols = new StringBuilder("{");
    for (String c : COLUMNS.get(table).keySet()) {
      cols.append(cols.length() > 1 ? ", " : "").append('\'').append(c).append("': 'VARCHAR'");
    }
    cols.append('}');
    String path = (dir.endsWith("/") ? dir : dir + "/") + file(table);
    return "read_csv('"
        + path.replace("'", "''")
        + "', columns = "
        + cols
        + ", delim = ',', quote = '\"', escape = '\"', header = false, skip = 1,"
        + " nullstr = '\\N', auto_detect = false, null_padding = true, strict_mode = false)";
  }

  private static String readCsv(String dir, String table) {
    StringBuilder cols = new StringBuilder("{");
    for (Map.Entry<String, String> c : COLUMNS.get(table).entrySet()) {
      cols.append(cols.length() > 1 ? ", " : "")
          .append('\'')
          .append(c.getKey())
          .append("': '")
          .append(duckType(c.getValue()))
          .append('\'');
    }
    cols.append('}');
    String path = (dir.endsWith("/") ? dir : dir + "/") + file(table);
    return "read_csv('" + path.replace("'", "''") + "', header = true, columns = " + cols + ")";
  }

  private static String duckType(String glue) {
    return switch (glue) {
      case "string" -> "VARCHAR";
      case "bigint" -> "BIGINT";
      case "double" -> "DOUBLE";
      case "boolean" -> "BOOLEAN";
      case "date" -> "DATE";
      default -> throw new IllegalArgumentException("no DuckDB type for " + glue);
    };
  }

  /** The table names, artists first (the order the files are written). */
  static List<String> tables() {
    return List.copyOf(COLUMNS.keySet());
  }
}
