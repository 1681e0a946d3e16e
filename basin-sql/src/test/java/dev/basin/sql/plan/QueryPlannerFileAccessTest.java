package dev.basin.sql.plan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.basin.spi.sql.PreparedSql;
import dev.basin.sql.SqlFixture;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a statement reads besides catalog tables: files, table functions, settings. */
class QueryPlannerFileAccessTest {

  @TempDir Path dir;
  SqlFixture f;

  @BeforeEach
  void setUp() {
    f = new SqlFixture(dir);
    f.run("CREATE DATABASE db");
    f.run("CREATE TABLE db.t AS SELECT range AS id FROM range(5)");
    f.run("CREATE VIEW db.v AS SELECT id FROM db.t WHERE id > 1");
  }

  @AfterEach
  void tearDown() {
    f.close();
  }

  private List<String> access(String sql) {
    return f.session.plan(sql).fileAccess();
  }

  @Test
  void filesTableFunctionsAndSettingsAreReported() {
    Map<String, List<String>> expected =
        Map.ofEntries(
            Map.entry(
                "SELECT * FROM read_text('" + dir + "/**')", List.of("table function read_text")),
            Map.entry("SELECT file FROM glob('/')", List.of("table function glob")),
            Map.entry(
                "SELECT * FROM db.t WHERE id IN (SELECT a FROM read_csv('x.csv'))",
                List.of("table function read_csv")),
            Map.entry(
                "WITH c AS (SELECT * FROM read_csv('x.csv')) SELECT * FROM c JOIN db.t ON true",
                List.of("table function read_csv")),
            Map.entry(
                "SELECT * FROM read_parquet('a.parquet'), parquet_metadata('a.parquet')",
                List.of("table function read_parquet", "table function parquet_metadata")),
            Map.entry("SELECT * FROM 'file.csv'", List.of("file 'file.csv'")),
            Map.entry("SELECT * FROM \"dir/x.parquet\" AS p", List.of("file 'dir/x.parquet'")),
            Map.entry("SELECT * FROM main.csv", List.of("file 'main.csv'")),
            Map.entry("SELECT * FROM (SUMMARIZE 'file.csv')", List.of("file 'file.csv'")),
            Map.entry(
                "SELECT current_setting('home_directory')", List.of("function current_setting")),
            Map.entry(
                "SELECT id FROM db.t WHERE current_setting('threads') > 0",
                List.of("function current_setting")));
    for (Map.Entry<String, List<String>> e : expected.entrySet()) {
      assertThat(access(e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
    }
    f.run("USE db");
    assertThat(access("SELECT * FROM 'file.csv'")).containsExactly("file 'file.csv'");
  }

  @Test
  void catalogTablesViewsCtesAndSafeFunctionsAreNot() {
    for (String sql :
        List.of(
            "SELECT * FROM range(10)",
            "SELECT * FROM generate_series(1, 3)",
            "SELECT * FROM unnest([1, 2])",
            "SELECT * FROM db.t",
            "SELECT * FROM db.v",
            "WITH c AS (SELECT id FROM db.t) SELECT * FROM c",
            "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3)"
                + " SELECT * FROM r",
            "SELECT table_name FROM information_schema.tables",
            "SELECT lower('A'), (SELECT count(*) FROM db.t)")) {
      assertThat(access(sql)).as(sql).isEmpty();
    }
    f.run("USE db");
    assertThat(access("SELECT * FROM t JOIN v USING (id)")).isEmpty();
  }

  @Test
  void preparedStatementsExplainAndSessionsReportIt() {
    try (PreparedSql p = f.session.prepare("SELECT * FROM glob('" + dir.resolve("lake") + "/*')")) {
      assertThat(p.fileAccess()).containsExactly("table function glob");
    }
    try (PreparedSql p =
        f.session.prepare("EXPLAIN SELECT * FROM glob('" + dir.resolve("lake") + "/*')")) {
      assertThat(p.fileAccess()).containsExactly("table function glob");
    }
    try (PreparedSql p = f.session.prepare("SELECT count(*) FROM db.t")) {
      assertThat(p.fileAccess()).isEmpty();
    }
    // found without opening the file, which preparing would (and fail on a missing one)
    String missing = "SELECT * FROM read_csv('" + dir.resolve("lake") + "/missing.csv')";
    assertThat(f.session.fileAccess(missing)).containsExactly("table function read_csv");
    assertThat(f.session.fileAccess("EXPLAIN " + missing))
        .containsExactly("table function read_csv");
    assertThat(f.session.fileAccess("SELECT * FROM db.t")).isEmpty();
    assertThat(f.session.fileAccess("CREATE DATABASE other")).isEmpty();
  }
}
