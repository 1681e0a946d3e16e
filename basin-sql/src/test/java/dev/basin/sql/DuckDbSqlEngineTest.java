package dev.basin.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.basin.catalog.Column;
import dev.basin.catalog.DataFormat;
import dev.basin.catalog.PartitionInput;
import dev.basin.catalog.TableInput;
import dev.basin.spi.sql.PreparedSql;
import dev.basin.spi.sql.ResultCursor;
import dev.basin.spi.sql.SqlException;
import dev.basin.spi.sql.SqlState;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DuckDbSqlEngineTest {

  @TempDir Path dir;

  static List<Object> row(Object... values) {
    return java.util.Arrays.asList(values);
  }

  SqlFixture f;

  @BeforeEach
  void setUp() {
    f = new SqlFixture(dir);
    f.run("CREATE DATABASE sales");
  }

  @AfterEach
  void tearDown() {
    f.close();
  }

  @Test
  void plainDuckDbQueries() {
    assertThat(f.value("SELECT 1 + 1")).isEqualTo(2);
    assertThat(f.value("SELECT count(*) FROM range(1000)")).isEqualTo(1000L);
  }

  @Test
  void createTableAsSelectThenQuery() {
    assertThat(
            f.run(
                "CREATE TABLE sales.orders AS SELECT range AS id, 'item' || (range % 3) AS item,"
                    + " CAST(range * 1.5 AS DECIMAL(10,2)) AS amount, DATE '2024-01-01' + CAST(range"
                    + " % 10 AS INTEGER) AS day FROM range(100)"))
        .isEqualTo("SELECT 100");
    assertThat(f.value("SELECT count(*) FROM sales.orders")).isEqualTo(100L);
    assertThat(f.value("SELECT sum(amount) FROM sales.orders WHERE item = 'item1'"))
        .isEqualTo(new BigDecimal("2425.50"));
    assertThat(f.rows("SELECT o.id, o.day FROM sales.orders o WHERE o.id < 2 ORDER BY 1"))
        .containsExactly(row(0L, LocalDate.of(2024, 1, 1)), row(1L, LocalDate.of(2024, 1, 2)));
    Table t = f.catalog.iceberg().loadTable(TableIdentifier.of("sales", "orders"));
    assertThat(t.schema().findField("amount").type().toString()).isEqualTo("decimal(10, 2)");
    // DuckDB wrote Iceberg field ids and the commit carries real column metrics
    var file = t.currentSnapshot().addedDataFiles(t.io()).iterator().next();
    assertThat(file.recordCount()).isEqualTo(100);
    assertThat(file.lowerBounds()).containsKey(t.schema().findField("id").fieldId());
  }

  @Test
  void usesSessionDatabaseAndAthenaCatalogPrefix() {
    f.run("CREATE TABLE sales.t AS SELECT 1 AS x");
    f.run("USE sales");
    assertThat(f.value("SELECT x FROM t")).isEqualTo(1);
    assertThat(f.value("SELECT x FROM \"awsdatacatalog\".\"sales\".\"t\"")).isEqualTo(1);
    assertThat(f.value("WITH t AS (SELECT 2 AS x) SELECT x FROM t")).isEqualTo(2);
  }

  @Test
  void partitionedTablePrunesFilesByPartitionAndStats() {
    f.run(
        "CREATE TABLE sales.events WITH (partitioning = ARRAY['day(ts)', 'kind']) AS SELECT range"
            + " AS id, TIMESTAMP '2024-03-01 00:00:00' + INTERVAL (range % 5) DAY AS ts, CASE WHEN"
            + " range % 2 = 0 THEN 'a' ELSE 'b' END AS kind FROM range(1000)");
    Table t = f.catalog.iceberg().loadTable(TableIdentifier.of("sales", "events"));
    assertThat(t.spec().fields()).hasSize(2);
    assertThat(f.rows("EXPLAIN (TYPE IO) SELECT count(*) FROM sales.events"))
        .singleElement()
        .satisfies(r -> assertThat(r.get(2)).isEqualTo(10L));
    List<List<Object>> io =
        f.rows(
            "EXPLAIN (TYPE IO) SELECT count(*) FROM sales.events WHERE ts >= TIMESTAMP"
                + " '2024-03-04 00:00:00' AND kind = 'a'");
    assertThat(io.get(0).get(2)).isEqualTo(2L);
    assertThat(io.get(0).get(3)).isEqualTo(10L);
    assertThat(
            f.value(
                "SELECT count(*) FROM sales.events WHERE ts >= TIMESTAMP '2024-03-04 00:00:00'"
                    + " AND kind = 'a'"))
        .isEqualTo(200L);
    // a join: each side pruned by its own predicate
    assertThat(
            f.value(
                "SELECT count(*) FROM sales.events e JOIN sales.events g ON e.id = g.id WHERE"
                    + " e.kind = 'a' AND g.id < 10"))
        .isEqualTo(5L);
  }

  @Test
  void insertAndTimeTravel() {
    f.run("CREATE TABLE sales.t AS SELECT range AS id FROM range(3)");
    long first =
        f.catalog
            .iceberg()
            .loadTable(TableIdentifier.of("sales", "t"))
            .currentSnapshot()
            .snapshotId();
    assertThat(f.run("INSERT INTO sales.t SELECT range + 3 FROM range(2)")).isEqualTo("INSERT 0 2");
    assertThat(f.value("SELECT count(*) FROM sales.t")).isEqualTo(5L);
    assertThat(f.value("SELECT count(*) FROM sales.t FOR VERSION AS OF " + first)).isEqualTo(3L);
    assertThat(f.value("SELECT count(*) FROM sales.t AT (VERSION => " + first + ")")).isEqualTo(3L);
    assertThat(
            f.value(
                "SELECT count(*) FROM sales.t FOR VERSION AS OF "
                    + first
                    + " AS old WHERE old.id >= 0"))
        .isEqualTo(3L);
    assertThat(
            f.value(
                "SELECT count(*) FROM sales.t FOR TIMESTAMP AS OF TIMESTAMP '2999-01-01 00:00:00'"))
        .isEqualTo(5L);
    assertThatThrownBy(() -> f.value("SELECT count(*) FROM sales.t FOR VERSION AS OF 42"))
        .isInstanceOf(SqlException.class)
        .hasMessageContaining("has no snapshot 42");
    assertThatThrownBy(
            () ->
                f.value(
                    "SELECT count(*) FROM sales.t FOR TIMESTAMP AS OF TIMESTAMP '2000-01-01 00:00:00'"))
        .hasMessageContaining("no snapshot as of");
  }

  @Test
  void renamedAndAddedColumnsReadByFieldId() {
    f.run("CREATE TABLE sales.t AS SELECT 1 AS a, 'x' AS b");
    long before =
        f.catalog
            .iceberg()
            .loadTable(TableIdentifier.of("sales", "t"))
            .currentSnapshot()
            .snapshotId();
    f.run("ALTER TABLE sales.t RENAME COLUMN a TO alpha");
    f.run("ALTER TABLE sales.t ADD COLUMN c bigint");
    f.run("INSERT INTO sales.t SELECT 2, 'y', 30");
    assertThat(f.rows("SELECT alpha, b, c FROM sales.t ORDER BY alpha"))
        .containsExactly(row(1, "x", null), row(2, "y", 30L));
    // the old snapshot is read with its own schema
    assertThat(f.rows("SELECT * FROM sales.t FOR VERSION AS OF " + before))
        .containsExactly(row(1, "x"));
    f.run("ALTER TABLE sales.t DROP COLUMN b");
    assertThat(f.rows("SELECT * FROM sales.t ORDER BY alpha"))
        .containsExactly(row(1, null), row(2, 30L));
  }

  @Test
  void partitionEvolutionReadsOldAndNewFiles() {
    f.run(
        "CREATE TABLE sales.p WITH (partitioning = ARRAY['kind']) AS SELECT range AS id, 'k' ||"
            + " (range % 2) AS kind FROM range(10)");
    Table t = f.catalog.iceberg().loadTable(TableIdentifier.of("sales", "p"));
    t.updateSpec()
        .removeField("kind")
        .addField(org.apache.iceberg.expressions.Expressions.bucket("id", 4))
        .commit();
    // bucket is not a transform SQL writes support: refused clearly
    assertThatThrownBy(() -> f.run("INSERT INTO sales.p SELECT 100, 'k0'"))
        .isInstanceOf(SqlException.class)
        .hasMessageContaining("partition transform bucket[4]");
    t.updateSpec()
        .removeField(org.apache.iceberg.expressions.Expressions.bucket("id", 4))
        .addField(org.apache.iceberg.expressions.Expressions.truncate("id", 100))
        .commit();
    f.run("INSERT INTO sales.p SELECT 100 + range, 'k0' FROM range(5)");
    assertThat(f.value("SELECT count(*) FROM sales.p WHERE kind = 'k0'")).isEqualTo(10L);
    assertThat(f.value("SELECT count(*) FROM sales.p")).isEqualTo(15L);
  }

  @Test
  void externalCsvJsonAndParquetTables() {
    f.put("raw", "emp/dept=eng/part-0.csv", "1,ann,100.5\n2,bob,200\n");
    f.put("raw", "emp/dept=ops/part-0.csv", "3,cid,\\N\n4,dee,notanumber\n");
    f.catalog
        .externalTables()
        .create(
            "sales",
            new TableInput(
                "emp",
                null,
                List.of(
                    Column.of("id", "bigint"),
                    Column.of("name", "string"),
                    Column.of("salary", "double")),
                List.of(Column.of("dept", "string")),
                "s3://raw/emp/",
                DataFormat.CSV,
                null,
                Map.of("field.delim", ","),
                Map.of()));
    f.catalog
        .externalTables()
        .addPartition(
            "sales", "emp", new PartitionInput(List.of("eng"), "s3://raw/emp/dept=eng/", Map.of()));
    f.catalog
        .externalTables()
        .addPartition(
            "sales", "emp", new PartitionInput(List.of("ops"), "s3://raw/emp/dept=ops/", Map.of()));
    assertThat(f.rows("SELECT id, name, salary, dept FROM sales.emp ORDER BY id"))
        .containsExactly(
            row(1L, "ann", 100.5, "eng"),
            row(2L, "bob", 200.0, "eng"),
            row(3L, "cid", null, "ops"),
            row(4L, "dee", null, "ops"));
    List<List<Object>> io = f.rows("EXPLAIN (TYPE IO) SELECT * FROM sales.emp WHERE dept = 'ops'");
    assertThat(io.get(0).get(2)).isEqualTo(1L);

    f.put(
        "raw",
        "ev/a.json",
        "{\"id\": 1, \"tags\": [\"x\"], \"who\": {\"n\": \"a\"}}\n{\"id\": 2, \"tags\": [], \"who\": {\"n\": \"b\"}}\n");
    f.catalog
        .externalTables()
        .create(
            "sales",
            new TableInput(
                "ev",
                null,
                List.of(
                    Column.of("id", "int"),
                    Column.of("tags", "array<string>"),
                    Column.of("who", "struct<n:string>")),
                List.of(),
                "s3://raw/ev/",
                DataFormat.JSON,
                null,
                Map.of(),
                Map.of()));
    assertThat(f.rows("SELECT id, len(tags), who.n FROM sales.ev ORDER BY id"))
        .containsExactly(row(1, 1L, "a"), row(2, 0L, "b"));

    f.run("CREATE TABLE sales.src AS SELECT range AS k, range * 2 AS v FROM range(4)");
    f.copyFirstDataFile("sales", "src", "raw", "pq/data.parquet");
    f.catalog
        .externalTables()
        .create(
            "sales",
            new TableInput(
                "pq",
                null,
                List.of(Column.of("v", "bigint"), Column.of("k", "bigint")),
                List.of(),
                "s3://raw/pq/",
                DataFormat.PARQUET,
                null,
                Map.of(),
                Map.of()));
    assertThat(f.value("SELECT sum(v) FROM sales.pq WHERE k < 2"))
        .isEqualTo(java.math.BigInteger.TWO);
  }

  @Test
  void viewsShowAndDescribe() {
    f.run("CREATE TABLE sales.t AS SELECT range AS id, range % 2 = 0 AS even FROM range(10)");
    f.run("CREATE VIEW sales.evens AS SELECT id FROM t WHERE even");
    assertThat(f.value("SELECT count(*) FROM sales.evens")).isEqualTo(5L);
    assertThat(f.rows("SHOW DATABASES")).contains(row("sales"));
    assertThat(f.rows("SHOW TABLES IN sales"))
        .containsExactly(row("evens", "VIEW"), row("t", "ICEBERG"));
    assertThat(f.rows("DESCRIBE sales.t"))
        .containsExactly(row("id", "bigint", null), row("even", "boolean", null));
    assertThat(f.run("DROP VIEW sales.evens")).isEqualTo("DROP VIEW");
    assertThat(f.run("DROP TABLE sales.t")).isEqualTo("DROP TABLE");
    assertThat(f.run("DROP TABLE IF EXISTS sales.t")).isEqualTo("DROP TABLE");
  }

  @Test
  void copyLoadsCsvFromThePrefix() {
    f.run("CREATE TABLE sales.c (id bigint, name string, day date)");
    f.put("raw", "load/a.csv", "id,name,day\n1,ann,2024-01-01\n2,,2024-01-02\n");
    f.put("raw", "load/b.csv", "id,name,day\n3,cid,2024-01-03\n");
    assertThat(f.run("COPY sales.c FROM 's3://raw/load/' (FORMAT csv, HEADER true)"))
        .isEqualTo("COPY 3");
    assertThat(f.rows("SELECT id, name FROM sales.c ORDER BY id"))
        .containsExactly(row(1L, "ann"), row(2L, null), row(3L, "cid"));
    assertThatThrownBy(() -> f.run("COPY sales.c FROM 's3://raw/nothing-here/' (FORMAT csv)"))
        .hasMessageContaining("found no objects");
    f.put("raw", "bad/a.csv", "id,oops\n1,2\n");
    assertThatThrownBy(() -> f.run("COPY sales.c FROM 's3://raw/bad/' (FORMAT csv)"))
        .hasMessageContaining("oops");
    assertThat(f.value("SELECT count(*) FROM sales.c")).isEqualTo(3L);
  }

  @Test
  void preparedStatementsWithParameters() {
    f.run("CREATE TABLE sales.t AS SELECT range AS id, 'n' || range AS name FROM range(10)");
    try (PreparedSql p = f.session.prepare("SELECT name FROM sales.t WHERE id = ? OR name = $2")) {
      assertThat(p.parameterTypes()).hasSize(2);
      try (ResultCursor c = p.execute(List.of(3L, "n5"))) {
        int n = 0;
        while (c.next()) {
          n++;
        }
        assertThat(n).isEqualTo(2);
      }
      f.run("INSERT INTO sales.t SELECT 3, 'again'");
      try (ResultCursor c = p.execute(List.of(3L, "none"))) {
        int n = 0;
        while (c.next()) {
          n++;
        }
        assertThat(n).isEqualTo(2);
      }
    }
  }

  @Test
  void badInputGetsClearErrors() {
    f.run("CREATE TABLE sales.orders AS SELECT 1 AS id");
    assertThatThrownBy(() -> f.run("SELEC 1"))
        .isInstanceOf(SqlException.class)
        .satisfies(e -> assertThat(((SqlException) e).state()).isEqualTo(SqlState.SYNTAX_ERROR))
        .hasMessageContaining("unknown statement 'SELEC'");
    assertThatThrownBy(() -> f.run("SELECT * FROM sales.orders WHERE"))
        .satisfies(
            e -> {
              SqlException s = (SqlException) e;
              assertThat(s.state()).isEqualTo(SqlState.SYNTAX_ERROR);
              assertThat(s.position()).isGreaterThan(0);
              assertThat(s.getMessage()).startsWith("line 1:");
            });
    assertThatThrownBy(() -> f.run("SELECT * FROM sales.order"))
        .satisfies(e -> assertThat(((SqlException) e).state()).isEqualTo(SqlState.UNDEFINED_TABLE))
        .hasMessageContaining("did you mean sales.orders");
    assertThatThrownBy(() -> f.run("SELECT nope FROM sales.orders"))
        .satisfies(e -> assertThat(((SqlException) e).state()).isEqualTo(SqlState.UNDEFINED_COLUMN))
        .hasMessageNotContaining("read_parquet");
    assertThatThrownBy(() -> f.run("SELECT * FROM nodb.orders"))
        .satisfies(
            e -> assertThat(((SqlException) e).state()).isEqualTo(SqlState.INVALID_SCHEMA_NAME));
    assertThatThrownBy(() -> f.run("DELETE FROM sales.orders"))
        .satisfies(
            e -> assertThat(((SqlException) e).state()).isEqualTo(SqlState.FEATURE_NOT_SUPPORTED));
    assertThatThrownBy(() -> f.run("SELECT * FROM read_csv('/etc/passwd')"))
        .hasMessageContaining("Cannot access file");
    assertThatThrownBy(() -> f.run("SET memory_limit = '1TB'; SELECT 1"))
        .hasMessageContaining("one statement");
    assertThatThrownBy(
            () -> f.run("SELECT current_setting('memory_limit'); COPY (SELECT 1) TO '/tmp/x'"))
        .hasMessageContaining("one statement");
    assertThatThrownBy(() -> f.run("CREATE TABLE sales.orders AS SELECT 2 AS id"))
        .satisfies(e -> assertThat(((SqlException) e).state()).isEqualTo(SqlState.DUPLICATE_TABLE));
    assertThatThrownBy(() -> f.run("INSERT INTO sales.orders SELECT 1, 2"))
        .hasMessageContaining("expects 1 column(s)");
    assertThat(f.value("SELECT count(*) FROM sales.orders")).isEqualTo(1L);
  }

  @Test
  void cancelStopsARunningQuery() throws Exception {
    CompletableFuture<Object> running =
        CompletableFuture.supplyAsync(
            () -> f.value("SELECT count(*) FROM range(100000000000) a WHERE a.range % 7 = 3"));
    Thread.sleep(300);
    f.session.cancel();
    assertThatThrownBy(() -> running.get(60, TimeUnit.SECONDS))
        .hasCauseInstanceOf(SqlException.class)
        .satisfies(
            e ->
                assertThat(((SqlException) e.getCause()).state())
                    .isEqualTo(SqlState.QUERY_CANCELED));
    assertThat(f.value("SELECT 42")).isEqualTo(42);
  }

  @Test
  void catalogMetadataIsVisibleToInformationSchema() {
    f.run("CREATE TABLE sales.orders AS SELECT 1 AS id, 'x' AS name");
    assertThat(
            f.rows(
                "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema"
                    + " = 'sales' AND table_name = 'orders' ORDER BY ordinal_position"))
        .containsExactly(row("id", "INTEGER"), row("name", "VARCHAR"));
  }
}
