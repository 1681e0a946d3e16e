package dev.basin.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.basin.catalog.Column;
import dev.basin.catalog.DataFormat;
import dev.basin.catalog.PartitionInput;
import dev.basin.catalog.TableInput;
import dev.basin.spi.sql.PreparedSql;
import dev.basin.spi.sql.SqlException;
import dev.basin.spi.sql.SqlState;
import dev.basin.spi.sql.TableScan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Statements that once slipped past the planner: injection, literal types, scopes, caching. */
class EngineEdgeCasesTest {

  @TempDir Path dir;
  SqlFixture f;

  @BeforeEach
  void setUp() {
    f = new SqlFixture(dir);
    f.run("CREATE DATABASE db");
  }

  @AfterEach
  void tearDown() {
    f.close();
  }

  @Test
  void onlyOneStatementEverReachesDuckDb() throws Exception {
    Path target = dir.resolve("lake").resolve("raw").resolve("pwned.csv");
    for (String sql :
        List.of(
            "SELECT 1 --x\r; COPY (SELECT 42) TO '" + target + "'; SELECT 2 --\nAS y",
            "SELECT E'\\''; COPY (SELECT 42) TO '" + target + "'; --'",
            "SELECT 1; CREATE MACRO lower(x) AS 'pwned'",
            "COPY (SELECT 42) TO '" + target + "'",
            "ATTACH '" + dir.resolve("lake/x.db") + "' AS x")) {
      assertThatThrownBy(() -> f.run(sql)).isInstanceOf(SqlException.class);
    }
    assertThat(Files.exists(target)).isFalse();
    assertThat(f.value("SELECT lower('A')")).isEqualTo("a");
  }

  @Test
  void pivotAndSummarizeReadLakeTables() {
    f.run(
        "CREATE TABLE db.t AS SELECT range AS id, CASE WHEN range % 2 = 0 THEN 'a' ELSE 'b' END AS k FROM range(10)");
    assertThatThrownBy(() -> f.rows("PIVOT db.t ON k USING count(*)"))
        .hasMessageContaining("FOR region IN");
    assertThat(f.rows("SELECT * FROM (SELECT k FROM db.t) PIVOT (count(*) FOR k IN ('a', 'b'))"))
        .singleElement()
        .satisfies(r -> assertThat(r).containsExactly(5L, 5L));
    assertThat(f.rows("SUMMARIZE db.t")).hasSize(2);
  }

  @Test
  void dateAndTimestampLiteralsPruneCorrectlyOrNotAtAll() {
    f.run(
        "CREATE TABLE db.ev WITH (partitioning = ARRAY['day(ts)']) AS SELECT range AS id,"
            + " TIMESTAMP '2024-03-01 00:00:00' + INTERVAL (range) HOUR AS ts,"
            + " TIMESTAMPTZ '2024-03-01 00:00:00+00' + INTERVAL (range) HOUR AS tz,"
            + " DATE '2024-03-01' + CAST(range // 24 AS INTEGER) AS d,"
            + " CAST(range / 100 AS DECIMAL(10,2)) AS dec FROM range(120)");
    Map<String, Long> expected =
        Map.ofEntries(
            Map.entry("ts >= '2024-03-04 00:00:00'", 48L),
            Map.entry("ts >= '2024-03-04'", 48L),
            Map.entry("ts >= DATE '2024-03-04'", 48L),
            Map.entry("ts < TIMESTAMP '2024-03-02 01:00:00'", 25L),
            Map.entry("tz >= TIMESTAMP '2024-03-04 00:00:00'", 48L),
            Map.entry("tz >= TIMESTAMPTZ '2024-03-04 00:00:00+00'", 48L),
            Map.entry("d >= TIMESTAMP '2024-03-04 10:00:00'", 24L),
            Map.entry("d < TIMESTAMP '2024-03-04 10:00:00'", 96L),
            Map.entry("d = '2024-03-02'", 24L),
            Map.entry("dec > 1.005", 19L),
            Map.entry("dec > 1.225e0", 0L),
            Map.entry("id = '5'", 1L),
            Map.entry("id IN (1, 2, 300)", 2L),
            Map.entry("id BETWEEN 10 AND 19", 10L));
    for (Map.Entry<String, Long> e : expected.entrySet()) {
      assertThat(f.value("SELECT count(*) FROM db.ev WHERE " + e.getKey()))
          .as(e.getKey())
          .isEqualTo(e.getValue());
    }
  }

  @Test
  void timeTravelFiltersUseTheOldSchemasNames() {
    f.run("CREATE TABLE db.t AS SELECT range AS a, range AS b FROM range(10)");
    long first = table("t").currentSnapshot().snapshotId();
    f.run("ALTER TABLE db.t RENAME COLUMN a TO alpha");
    f.run("ALTER TABLE db.t RENAME COLUMN b TO a");
    f.run("INSERT INTO db.t SELECT 100, 100");
    assertThat(f.value("SELECT count(*) FROM db.t FOR VERSION AS OF " + first + " WHERE a = 1"))
        .isEqualTo(1L);
    assertThat(f.value("SELECT count(*) FROM db.t WHERE a = 100")).isEqualTo(1L);
    assertThat(f.value("SELECT count(*) FROM db.t WHERE alpha < 5")).isEqualTo(5L);
  }

  @Test
  void schemaChangesAndViewRedefinitionsChangeTheScanVersion() {
    f.run("CREATE TABLE db.t AS SELECT 1 AS x");
    f.run("CREATE VIEW db.v AS SELECT x FROM db.t");
    List<TableScan> before = scans("SELECT * FROM db.v");
    f.run("ALTER TABLE db.t ADD COLUMN y bigint");
    List<TableScan> afterAlter = scans("SELECT * FROM db.v");
    f.run("CREATE OR REPLACE VIEW db.v AS SELECT x + 1 AS x FROM db.t");
    List<TableScan> afterView = scans("SELECT * FROM db.v");
    assertThat(afterAlter).isNotEqualTo(before);
    assertThat(afterView).isNotEqualTo(afterAlter);
    assertThat(afterView).extracting(TableScan::table).contains("db.v", "db.t");
  }

  @Test
  void writesReportWhatTheyWillScan() {
    f.run("CREATE TABLE db.t AS SELECT range AS x FROM range(100)");
    try (PreparedSql p = f.session.prepare("INSERT INTO db.t SELECT x FROM db.t")) {
      assertThat(p.scans()).extracting(TableScan::table).containsExactly("db.t");
      assertThat(p.scans().get(0).bytesPlanned()).isPositive();
    }
    try (PreparedSql p = f.session.prepare("CREATE TABLE db.u AS SELECT x FROM db.t")) {
      assertThat(p.scans()).hasSize(1);
    }
  }

  @Test
  void cteNamesOnlyShadowTablesWhereTheyAreVisible() {
    f.run("CREATE TABLE db.t AS SELECT range AS id FROM range(10)");
    f.run("USE db");
    assertThat(f.value("WITH t AS (SELECT * FROM t WHERE id < 3) SELECT count(*) FROM t"))
        .isEqualTo(3L);
    assertThat(
            f.value(
                "SELECT (SELECT count(*) FROM t) + (WITH t AS (SELECT 1 AS id) SELECT count(*)"
                    + " FROM t)"))
        .isEqualTo(11L);
  }

  @Test
  void externalPartitionsCompareTypedValuesAndMissingParquetColumnsReadAsNull() {
    f.put("raw", "ev/dt=2024-01-05/a.csv", "1\n");
    f.put("raw", "ev/dt=2024-01-06/a.csv", "2\n");
    f.catalog
        .externalTables()
        .create(
            "db",
            new TableInput(
                "ev",
                null,
                List.of(Column.of("id", "bigint")),
                List.of(Column.of("dt", "date")),
                "s3://raw/ev/",
                DataFormat.CSV,
                null,
                Map.of("field.delim", ","),
                Map.of()));
    f.catalog
        .externalTables()
        .addPartition(
            "db",
            "ev",
            new PartitionInput(List.of("2024-01-05"), "s3://raw/ev/dt=2024-01-05/", Map.of()));
    f.catalog
        .externalTables()
        .addPartition(
            "db",
            "ev",
            new PartitionInput(List.of("2024-01-06"), "s3://raw/ev/dt=2024-01-06/", Map.of()));
    assertThat(f.value("SELECT count(*) FROM db.ev WHERE dt >= TIMESTAMP '2024-01-05 00:00:00'"))
        .isEqualTo(2L);
    assertThat(f.value("SELECT count(*) FROM db.ev WHERE dt > '2024-01-05'")).isEqualTo(1L);

    f.run("CREATE TABLE db.src AS SELECT 7 AS k");
    f.copyFirstDataFile("db", "src", "raw", "pq/a.parquet");
    f.catalog
        .externalTables()
        .create(
            "db",
            new TableInput(
                "pq",
                null,
                List.of(Column.of("k", "int"), Column.of("added_later", "string")),
                List.of(),
                "s3://raw/pq/",
                DataFormat.PARQUET,
                null,
                Map.of(),
                Map.of()));
    assertThat(f.rows("SELECT k, added_later FROM db.pq"))
        .containsExactly(java.util.Arrays.asList(7, null));
  }

  @Test
  void aFailedStatementLeavesNoStagedFiles() throws Exception {
    f.run("CREATE TABLE db.t AS SELECT range AS x FROM range(10)");
    assertThatThrownBy(() -> f.run("INSERT INTO db.t SELECT CAST('nope' AS BIGINT)"))
        .isInstanceOf(SqlException.class)
        .satisfies(e -> assertThat(((SqlException) e).state()).isEqualTo(SqlState.DATA_EXCEPTION));
    try (var s = Files.walk(dir.resolve("tmp/sql/staging"))) {
      assertThat(s.filter(Files::isRegularFile)).isEmpty();
    }
    assertThat(f.value("SELECT count(*) FROM db.t")).isEqualTo(10L);
  }

  @Test
  void anOpenCursorDoesNotBlockTheNextStatement() {
    f.run("CREATE TABLE db.t AS SELECT range AS x FROM range(5000)");
    try (var first = f.session.execute("SELECT x FROM db.t ORDER BY x")) {
      assertThat(first.next()).isTrue();
      assertThat(f.value("SELECT count(*) FROM db.t")).isEqualTo(5000L);
      f.run("INSERT INTO db.t SELECT 1");
      long n = 1;
      while (first.next()) {
        n++;
      }
      assertThat(n).isEqualTo(5000);
    }
  }

  private List<TableScan> scans(String sql) {
    try (PreparedSql p = f.session.prepare(sql)) {
      return p.scans();
    }
  }

  private Table table(String name) {
    return f.catalog.iceberg().loadTable(TableIdentifier.of("db", name));
  }
}
