package dev.basin.etl.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.basin.spi.sql.SqlColumn;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shipped example jobs parse, round-trip and compile against tables of the sample data. */
class ExampleJobsTest {
  private static final Path EXAMPLES = Path.of("..", "examples", "jobs");

  @TempDir static Path dir;
  static JobTestEngine db;

  @BeforeAll
  static void open() {
    db = new JobTestEngine(dir);
  }

  @AfterAll
  static void close() {
    db.close();
  }

  static String read(String name) throws IOException {
    return Files.readString(EXAMPLES.resolve(name), StandardCharsets.UTF_8);
  }

  @Test
  void everyExampleParsesAndRoundTrips() throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.list(EXAMPLES)) {
      files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().collect(Collectors.toList());
    }
    assertThat(files).isNotEmpty();
    for (Path f : files) {
      JobDefinition job = JobParser.parse(Files.readString(f, StandardCharsets.UTF_8));
      assertThat(JobParser.parseJson(JobParser.toJson(job))).as(f.toString()).isEqualTo(job);
    }
  }

  @Test
  void spotifyJoinCompilesOverTheSampleColumns() throws IOException {
    // column names as SpotifyDataset writes them (types as the crawler would infer)
    db.table(
        "tracks",
        "track_id VARCHAR, track_name VARCHAR, album_id VARCHAR, artist_id VARCHAR,"
            + " track_number BIGINT, duration_ms BIGINT",
        "('t1', 'Intro', 'al1', 'ar1', 1, 61000), ('t1', 'Intro', 'al1', 'ar1', 1, 61000)");
    db.table(
        "albums",
        "album_id VARCHAR, album_name VARCHAR, artist_id VARCHAR, artist_name VARCHAR,"
            + " release_date DATE",
        "('al1', 'First', 'ar1', 'Ann', '2001-02-03')");
    db.table(
        "artists",
        "artist_id VARCHAR, artist_name VARCHAR, artist_popularity BIGINT, followers BIGINT,"
            + " genres VARCHAR",
        "('ar1', 'Ann', 50, 1000, 'pop')");
    CompiledJob job = JobCompiler.compile(JobParser.parse(read("spotify_join.yaml")), Map.of(), db);
    assertThat(job.step("datalake").columns().stream().map(SqlColumn::name))
        .containsExactly(
            "track_id",
            "track_name",
            "album_id",
            "artist_id",
            "track_number",
            "duration_ms",
            "album_name",
            "artist_name",
            "release_date",
            "artist_popularity",
            "followers",
            "genres");
    assertThat(db.run(job).get("datalake"))
        .containsExactly("t1|Intro|al1|ar1|1|61000|First|Ann|2001-02-03|50|1000|pop");
  }

  @Test
  void salesRawToProcessedCompilesOverTheSampleColumns() throws IOException {
    db.table(
        "sales",
        "transaction_id BIGINT, date VARCHAR, store VARCHAR, product VARCHAR, category VARCHAR,"
            + " customer VARCHAR, quantity BIGINT, price DOUBLE",
        "(1, '2024-03-05', 's1', 'p', 'c', 'x', 2, 1.25)");
    CompiledJob job =
        JobCompiler.compile(JobParser.parse(read("sales_raw_to_processed.yaml")), Map.of(), db);
    assertThat(JobTestEngine.columns(job.step("processed")))
        .containsExactly(
            "transaction_id BIGINT",
            "sale_date DATE",
            "store VARCHAR",
            "product VARCHAR",
            "category VARCHAR",
            "customer VARCHAR",
            "quantity INTEGER",
            "price DECIMAL(10,2)",
            "revenue DECIMAL(12,2)",
            "month VARCHAR");
    assertThat(job.step("checked").materialize()).isTrue();
    assertThat(db.run(job).get("processed"))
        .containsExactly("1|2024-03-05|s1|p|c|x|2|1.25|2.50|2024-03");
  }
}
