package dev.basin.sql.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.basin.catalog.CatalogConfig;
import dev.basin.spi.sql.SqlException;
import dev.basin.sql.SqlFixture;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The query service over the real DuckDB engine, Iceberg tables and the lake. */
class QueryServiceEngineTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path dir;
  private SqlFixture f;
  private QueryService service;

  @BeforeEach
  void setUp() {
    f = new SqlFixture(dir);
    f.run("CREATE DATABASE sales");
    f.run("CREATE TABLE sales.orders AS SELECT range AS id, range * 1.5 AS total FROM range(3)");
    service =
        QueryService.open(
            QueryServiceConfig.defaults(dir),
            f.engine,
            f.store,
            CatalogConfig.sqlite(dir),
            Clock.systemUTC());
  }

  @AfterEach
  void tearDown() {
    service.close();
    f.close();
  }

  private QueryExecution run(String sql) {
    return service.submitAndWait(QueryRequest.of(sql, "sales", null, "alice"), WAIT);
  }

  private List<List<String>> rows(QueryExecution e) {
    List<List<String>> out = new ArrayList<>();
    String token = null;
    do {
      ResultPage p = service.results(e.id(), token, 1000);
      out.addAll(p.rows());
      token = p.nextToken();
    } while (token != null);
    return out;
  }

  @Test
  void aRepeatedQueryIsReusedUntilAnAppendCreatesANewSnapshot() {
    QueryExecution first = run("SELECT count(*) AS n FROM sales.orders");
    assertThat(first.state()).isEqualTo(QueryState.SUCCEEDED);
    assertThat(first.bytesScanned()).isPositive();
    assertThat(rows(first)).containsExactly(List.of("3"));

    QueryExecution again = run("SELECT count(*)  AS n\nFROM sales.orders");
    assertThat(again.reusedFrom()).isEqualTo(first.id());
    assertThat(rows(again)).containsExactly(List.of("3"));

    Table table = f.catalog.iceberg().loadTable(TableIdentifier.of("sales", "orders"));
    List<Record> records = new ArrayList<>();
    for (long i = 10; i < 12; i++) {
      Record r = GenericRecord.create(table.schema());
      r.setField("id", i);
      r.setField("total", new java.math.BigDecimal("1.0"));
      records.add(r);
    }
    f.catalog.appender().append(table, records);

    QueryExecution after = run("SELECT count(*) AS n FROM sales.orders");
    assertThat(after.reusedFrom()).isNull();
    assertThat(rows(after)).containsExactly(List.of("5"));
    assertThat(run("SELECT count(*) AS n FROM sales.orders").reusedFrom()).isEqualTo(after.id());
  }

  @Test
  void pagesALargeResultAndKeepsTypes() {
    QueryExecution e =
        run(
            "SELECT range AS n, 'v' || range AS s, range % 2 = 0 AS even, DATE '2024-01-01' AS d"
                + " FROM range(2500) ORDER BY n");
    assertThat(e.state()).isEqualTo(QueryState.SUCCEEDED);
    assertThat(e.rows()).isEqualTo(2500);
    List<List<String>> rows = rows(e);
    assertThat(rows).hasSize(2500);
    assertThat(rows.get(2499)).containsExactly("2499", "v2499", "false", "2024-01-01");
    assertThat(service.resultColumns(e.id()))
        .extracting(ResultColumn::type)
        .containsExactly("bigint", "varchar", "boolean", "date");
  }

  @Test
  void failuresCarryTheEnginesMessage() {
    QueryExecution syntax = run("SELECT * FORM sales.orders");
    assertThat(syntax.state()).isEqualTo(QueryState.FAILED);
    assertThat(syntax.stateChangeReason()).startsWith("line 1:");
    assertThat(syntax.error().sqlState()).isEqualTo("42601");

    QueryExecution table = run("SELECT * FROM sales.nope");
    assertThat(table.state()).isEqualTo(QueryState.FAILED);
    assertThat(table.stateChangeReason()).contains("nope");
    assertThat(table.error().sqlState()).isEqualTo("42P01");
  }

  @Test
  void writesAndSystemQueriesAreNeverReused() {
    QueryExecution w = run("INSERT INTO sales.orders SELECT 100, 2.5");
    assertThat(w.state()).isEqualTo(QueryState.SUCCEEDED);
    assertThat(w.updateCount()).isEqualTo(1);
    assertThat(run("SHOW TABLES").reusedFrom()).isNull();
    assertThat(run("SHOW TABLES").reusedFrom()).isNull();
    QueryExecution ctas = run("CREATE TABLE sales.copy AS SELECT * FROM sales.orders");
    assertThat(ctas.state()).isEqualTo(QueryState.SUCCEEDED);
    assertThat(ctas.statementType()).isEqualTo("DDL");
    assertThat(rows(run("SELECT count(*) FROM sales.copy"))).containsExactly(List.of("4"));
  }

  @Test
  void dryRunReportsTheFilesAndBytesAQueryWouldScan() {
    DryRun d = service.dryRun("SELECT * FROM sales.orders", "sales", null, "alice");
    assertThat(d.tables()).extracting(t -> t.table()).containsExactly("sales.orders");
    assertThat(d.filesPlanned()).isPositive();
    assertThat(d.bytesPlanned()).isPositive();
    Assertions.assertThatThrownBy(() -> service.dryRun("SELECT * FORM x", "sales", null, "a"))
        .isInstanceOf(SqlException.class)
        .hasMessageStartingWith("line 1:");
  }

  @Test
  void theBytesScannedLimitCancelsAQueryBeforeItRuns() {
    service.createWorkGroup(WorkGroup.named("tiny").withBytesScannedCutoffPerQuery(10L));
    QueryExecution e =
        service.submitAndWait(
            QueryRequest.of("SELECT * FROM sales.orders", "sales", "tiny", "a"), WAIT);
    assertThat(e.state()).isEqualTo(QueryState.CANCELLED);
    assertThat(e.stateChangeReason()).isEqualTo(QueryService.BYTES_LIMIT_REASON);
    // a query that reads no lake table is not limited
    assertThat(
            service.submitAndWait(QueryRequest.of("SELECT 1", "sales", "tiny", "a"), WAIT).state())
        .isEqualTo(QueryState.SUCCEEDED);
  }

  @Test
  void cancellingARunningQueryStopsTheEngine() throws Exception {
    QueryExecution e =
        service.submit(
            QueryRequest.of(
                "SELECT count(*) FROM range(100000000000) a WHERE a.range % 7 = 3",
                "sales", null, "a"));
    while (service.get(e.id()).state() == QueryState.QUEUED) {
      Thread.sleep(10);
    }
    service.cancel(e.id());
    QueryExecution done = service.await(e.id(), WAIT);
    assertThat(done.state()).isEqualTo(QueryState.CANCELLED);
    assertThat(run("SELECT 42").state()).isEqualTo(QueryState.SUCCEEDED);
  }

  @Test
  void aTimeoutStopsTheEngineAndFailsTheQuery() {
    QueryExecution e =
        service.submitAndWait(
            QueryRequest.of(
                    "SELECT count(*) FROM range(100000000000) a WHERE a.range % 7 = 3",
                    "sales", null, "a")
                .withTimeout(Duration.ofMillis(500)),
            WAIT);
    assertThat(e.state()).isEqualTo(QueryState.FAILED);
    assertThat(e.stateChangeReason()).startsWith("Query timeout");
  }

  @Test
  void parametersAreBound() {
    QueryExecution e =
        service.submitAndWait(
            QueryRequest.of(
                    "SELECT id FROM sales.orders WHERE id >= ? ORDER BY id", "sales", null, "a")
                .withParameters(List.of("1")),
            WAIT);
    assertThat(e.state()).as(e.stateChangeReason()).isEqualTo(QueryState.SUCCEEDED);
    assertThat(rows(e)).containsExactly(List.of("1"), List.of("2"));
  }
}
