package dev.basin.etl.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.basin.common.error.BasinException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The job runner on a real object store, catalog and DuckDB: runs, bookmarks, quality, targets. */
class JobServiceTest extends JobTestBase {

  static final String ORDERS_JOB =
      """
      name: orders
      settings: {bookmarks: enable}
      nodes:
        - id: orders
          type: source
          prefix: {uri: "s3://raw/orders/", format: csv}
        - id: valid
          type: Filter
          inputs: [orders]
          condition: "qty > 0"
        - id: out
          type: target
          input: valid
          iceberg: {database: lake, table: orders, mode: append}
      """;

  @Test
  void bookmarksReadOnlyNewObjectsAndANoOpRunChangesNothing() throws Exception {
    put("raw", "orders/a.csv", "id,qty\n1,5\n2,0\n3,7\n");
    put("raw", "orders/b.csv", "id,qty\n4,1\n");
    jobs.create(ORDERS_JOB);
    JobRun first = runToEnd("orders", Map.of());
    assertThat(first.state()).as(first.error()).isEqualTo(RunState.SUCCEEDED);
    assertThat(first.epoch()).isEqualTo(1L);
    assertThat(first.nodes())
        .extracting(JobRun.NodeMetrics::node)
        .containsExactly("orders", "valid", "out");
    assertThat(first.nodes().get(0).rows()).isEqualTo(4L);
    assertThat(first.nodes().get(2).rows()).isEqualTo(3L);
    assertThat(count("SELECT count(*) FROM lake.orders")).isEqualTo(3);

    JobRun idle = runToEnd("orders", Map.of());
    assertThat(idle.state()).isEqualTo(RunState.SUCCEEDED);
    assertThat(idle.epoch()).isNull();
    assertThat(jobs.logs(idle.id(), 0, 100)).anyMatch(l -> l.message().contains("no new input"));

    put("raw", "orders/c.csv", "id,qty\n5,2\n6,-1\n");
    JobRun third = runToEnd("orders", Map.of());
    assertThat(third.state()).as(third.error()).isEqualTo(RunState.SUCCEEDED);
    assertThat(third.nodes().get(0).rows()).isEqualTo(2L);
    assertThat(rows("SELECT id FROM lake.orders ORDER BY id"))
        .containsExactly(List.of(1L), List.of(3L), List.of(4L), List.of(5L));

    // Rewind to after the first run: the next run reads c.csv again (outputs are not rolled back).
    jobs.rewindBookmark("orders", first.id());
    assertThat(jobs.bookmark("orders").committedEpochs()).isEqualTo(1);
    JobRun again = runToEnd("orders", Map.of());
    assertThat(again.nodes().get(0).rows()).isEqualTo(2L);
    jobs.resetBookmark("orders");
    assertThat(jobs.bookmark("orders").committedEpochs()).isZero();
  }

  @Test
  void aRerunOfAPendingEpochSkipsTargetsItAlreadyCommitted() throws Exception {
    put("raw", "orders/a.csv", "id,qty\n1,5\n2,3\n");
    jobs.create(
        """
        name: two_targets
        settings: {bookmarks: enable}
        nodes:
          - id: orders
            type: source
            prefix: {uri: "s3://raw/orders/", format: csv}
          - id: lake
            type: target
            input: orders
            iceberg: {database: lake, table: orders2, mode: append}
          - id: copy
            type: target
            input: orders
            prefix: {uri: "s3://missing-bucket/orders/", format: parquet}
        """);
    JobRun failed = runToEnd("two_targets", Map.of());
    assertThat(failed.state()).isEqualTo(RunState.FAILED);
    assertThat(failed.error()).contains("missing-bucket");
    assertThat(count("SELECT count(*) FROM lake.orders2")).isEqualTo(2);
    assertThat(jobs.bookmark("two_targets").pendingEpoch()).isEqualTo(1L);

    // New input arrives meanwhile; the rerun still processes exactly epoch 1's input first.
    put("raw", "orders/b.csv", "id,qty\n3,1\n");
    store.createBucket("missing-bucket");
    JobRun rerun = runToEnd("two_targets", Map.of());
    assertThat(rerun.state()).as(rerun.error()).isEqualTo(RunState.SUCCEEDED);
    assertThat(rerun.epoch()).isEqualTo(1L);
    assertThat(count("SELECT count(*) FROM lake.orders2")).isEqualTo(2);
    assertThat(keys("missing-bucket", "orders/"))
        .singleElement()
        .matches(k -> k.matches("orders/part-two_targets-[0-9a-f]{12}-0\\.parquet"), "tagged");

    JobRun next = runToEnd("two_targets", Map.of());
    assertThat(next.epoch()).isEqualTo(2L);
    assertThat(count("SELECT count(*) FROM lake.orders2")).isEqualTo(3);
  }

  @Test
  void qualityQuarantinesFailingRowsWithReasonsAndNothingIsLost() throws Exception {
    put("raw", "sales/s.csv", "order_id,qty,price\n1,2,9.5\n2,-1,3.0\n,4,1.0\n4,1,2.0\n");
    jobs.create(
        """
        name: sales_dq
        nodes:
          - id: sales
            type: source
            prefix: {uri: "s3://raw/sales/", format: csv}
          - id: dq
            type: DataQuality
            input: sales
            action: quarantine
            quarantine: "s3://processed/quarantine/"
            rules: |
              Rules = [
                IsComplete "order_id",
                ColumnValues "qty" > 0,
                RowCount > 100
              ]
          - id: out
            type: target
            input: dq
            iceberg: {database: lake, table: sales_clean, mode: overwrite}
        """);
    JobRun r = runToEnd("sales_dq", Map.of());
    assertThat(r.state()).as(r.error()).isEqualTo(RunState.SUCCEEDED);
    assertThat(count("SELECT count(*) FROM lake.sales_clean")).isEqualTo(2);
    assertThat(r.quality()).hasSize(3);
    assertThat(r.quality().get(0).passed()).isFalse();
    assertThat(r.quality().get(0).failedRows()).isEqualTo(1L);
    assertThat(r.quality().get(1).failedRows()).isEqualTo(1L);
    assertThat(r.quality().get(2).passed()).isFalse();
    List<String> q = keys("processed", "quarantine/");
    assertThat(q).hasSize(1);
    String body =
        new String(
            store.get("processed", q.get(0), dev.basin.spi.storage.GetOptions.current()).stream()
                .readAllBytes(),
            StandardCharsets.UTF_8);
    assertThat(body.lines()).hasSize(2);
    assertThat(body).contains("dq_failed_rules").contains("ColumnValues");
    JobRun.NodeMetrics dq = r.nodes().get(1);
    assertThat(dq.rows()).isEqualTo(2L);
    assertThat(((Number) dq.detail().get("quarantinedRows")).longValue()).isEqualTo(2L);
  }

  @Test
  void aFailingQualityCheckFailsTheRunAndWritesNothing() throws Exception {
    put("raw", "sales/s.csv", "order_id,qty\n1,2\n2,-1\n");
    jobs.create(
        """
        name: strict
        nodes:
          - id: sales
            type: source
            prefix: {uri: "s3://raw/sales/", format: csv}
          - id: dq
            type: DataQuality
            input: sales
            action: fail
            rules: 'Rules = [ ColumnValues "qty" > 0 ]'
          - id: out
            type: target
            input: dq
            iceberg: {database: lake, table: strict_out, mode: append}
        """);
    JobRun r = runToEnd("strict", Map.of());
    assertThat(r.state()).isEqualTo(RunState.FAILED);
    assertThat(r.error()).contains("dq").contains("ColumnValues");
    assertThat(
            catalog
                .iceberg()
                .tableExists(org.apache.iceberg.catalog.TableIdentifier.of("lake", "strict_out")))
        .isFalse();
  }

  @Test
  void unreadableCsvRowsFailTheRunUnlessQuarantined() throws Exception {
    byte[] bad = "id,qty\n1,5\n2,notanumber,extra\n3,7\n".getBytes(StandardCharsets.UTF_8);
    putBytes("raw", "bad/a.csv", bad);
    String job =
        """
        name: bad_rows
        nodes:
          - id: src
            type: source
            prefix: {uri: "s3://raw/bad/", format: csv, options: {columns: "id:BIGINT, qty:BIGINT" %s}}
          - id: out
            type: target
            input: src
            iceberg: {database: lake, table: bad_rows, mode: append}
        """;
    jobs.create(job.formatted(""));
    JobRun r = runToEnd("bad_rows", Map.of());
    assertThat(r.state()).isEqualTo(RunState.FAILED);
    assertThat(r.error())
        .contains("could not be read")
        .contains("s3://raw/bad/a.csv")
        .contains("badRecords");

    jobs.update("bad_rows", job.formatted(", badRecords: \"s3://processed/bad/\""));
    r = runToEnd("bad_rows", Map.of());
    assertThat(r.state()).as(r.error()).isEqualTo(RunState.SUCCEEDED);
    assertThat(count("SELECT count(*) FROM lake.bad_rows")).isEqualTo(2);
    assertThat(((Number) r.nodes().get(0).detail().get("rejectedRows")).longValue()).isEqualTo(1L);
    assertThat(keys("processed", "bad/")).hasSize(1);
  }

  @Test
  void prefixTargetsArePartitionedAndRegisteredInTheCatalog() throws Exception {
    put("raw", "sales/s.csv", "day,store,amount\n2025-01-01,a,1\n2025-01-01,b,2\n2025-01-02,a,3\n");
    exec("CREATE DATABASE processed");
    jobs.create(
        """
        name: to_parquet
        nodes:
          - id: sales
            type: source
            prefix: {uri: "s3://raw/sales/", format: csv}
          - id: out
            type: target
            input: sales
            prefix:
              uri: "s3://processed/sales/"
              format: parquet
              partitionKeys: [store]
              register: {database: processed, table: sales}
        """);
    JobRun r = runToEnd("to_parquet", Map.of());
    assertThat(r.state()).as(r.error()).isEqualTo(RunState.SUCCEEDED);
    assertThat(keys("processed", "sales/")).hasSize(2).allMatch(k -> k.contains("store="));
    assertThat(
            rows(
                "SELECT store, CAST(sum(amount) AS BIGINT) FROM processed.sales GROUP BY store ORDER BY store"))
        .containsExactly(List.of("a", 4L), List.of("b", 2L));
  }

  @Test
  void mergeByKeysReplacesMatchingRowsAndKeepsTheRest() throws Exception {
    exec(
        "CREATE TABLE lake.dim AS SELECT * FROM (VALUES (CAST(1 AS BIGINT), 'old'), (2, 'keep'))"
            + " t(id, name)");
    put("raw", "dim/d.csv", "id,name\n1,new\n3,added\n");
    jobs.create(
        """
        name: merge_dim
        nodes:
          - id: d
            type: source
            prefix: {uri: "s3://raw/dim/", format: csv}
          - id: out
            type: target
            input: d
            iceberg: {database: lake, table: dim, mode: merge, keys: [id]}
        """);
    JobRun r = runToEnd("merge_dim", Map.of());
    assertThat(r.state()).as(r.error()).isEqualTo(RunState.SUCCEEDED);
    assertThat(rows("SELECT id, name FROM lake.dim ORDER BY id"))
        .containsExactly(List.of(1L, "new"), List.of(2L, "keep"), List.of(3L, "added"));
  }

  @Test
  void failedRunsAreRetriedAndTimeoutsEndTheRun() throws Exception {
    jobs.create(
        """
        name: flaky
        settings: {maxRetries: 1}
        nodes:
          - id: src
            type: source
            prefix: {uri: "s3://raw/nothing-here/", format: csv}
          - id: out
            type: target
            input: src
            iceberg: {database: lake, table: flaky, mode: append}
        """);
    JobRun first = runToEnd("flaky", Map.of());
    assertThat(first.state()).isEqualTo(RunState.FAILED);
    assertThat(first.error()).contains("no objects under s3://raw/nothing-here/");
    long deadline = System.currentTimeMillis() + 60_000;
    List<JobRun> runs = jobs.runs("flaky", 10);
    while ((runs.size() < 2 || !runs.get(0).state().terminal())
        && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
      runs = jobs.runs("flaky", 10);
    }
    assertThat(runs).hasSize(2);
    assertThat(runs.get(0).attempt()).isEqualTo(1);
    assertThat(runs.get(0).previousRunId()).isEqualTo(first.id());
    assertThat(runs.get(0).trigger()).isEqualTo("retry");

    put("raw", "one/x.csv", "n\n1\n");
    jobs.create(
        """
        name: slow
        settings: {timeout: 1s}
        nodes:
          - id: src
            type: source
            prefix: {uri: "s3://raw/one/", format: csv}
          - id: spin
            type: Sql
            inputs: [src]
            sql: "SELECT count(*) AS n FROM src, range(100000000000) r"
          - id: out
            type: target
            input: spin
            iceberg: {database: lake, table: slow, mode: append}
        """);
    JobRun slow = runToEnd("slow", Map.of());
    assertThat(slow.state()).isEqualTo(RunState.TIMEOUT);
    assertThat(slow.error()).contains("timeout");
  }

  @Test
  void invalidUtf8RowsAreQuarantinedAndATruncatedParquetObjectIsNamed() throws Exception {
    byte[] head = "id,name\n1,ok\n2,".getBytes(StandardCharsets.UTF_8);
    byte[] tail = "\n3,fine\n".getBytes(StandardCharsets.UTF_8);
    byte[] bad = new byte[head.length + 2 + tail.length];
    System.arraycopy(head, 0, bad, 0, head.length);
    bad[head.length] = (byte) 0xC3;
    bad[head.length + 1] = (byte) 0x28; // not a valid UTF-8 sequence
    System.arraycopy(tail, 0, bad, head.length + 2, tail.length);
    putBytes("raw", "utf/a.csv", bad);
    jobs.create(
        """
        name: utf
        nodes:
          - id: src
            type: source
            prefix: {uri: "s3://raw/utf/", format: csv, options: {badRecords: "s3://processed/utf-bad/"}}
          - id: out
            type: target
            input: src
            iceberg: {database: lake, table: utf, mode: append}
        """);
    JobRun r = runToEnd("utf", Map.of());
    assertThat(r.state()).as(r.error()).isEqualTo(RunState.SUCCEEDED);
    assertThat(count("SELECT count(*) FROM lake.utf")).isEqualTo(2);
    assertThat(keys("processed", "utf-bad/")).hasSize(1);

    exec("CREATE TABLE lake.pq AS SELECT range AS n FROM range(1000)");
    var table =
        catalog.iceberg().loadTable(org.apache.iceberg.catalog.TableIdentifier.of("lake", "pq"));
    String file = table.currentSnapshot().addedDataFiles(table.io()).iterator().next().location();
    byte[] whole;
    try (var in = table.io().newInputFile(file).newStream()) {
      whole = in.readAllBytes();
    }
    putBytes("raw", "pq/cut.parquet", java.util.Arrays.copyOf(whole, whole.length / 2));
    jobs.create(
        """
        name: cut
        nodes:
          - id: src
            type: source
            prefix: {uri: "s3://raw/pq/", format: parquet}
          - id: out
            type: target
            input: src
            iceberg: {database: lake, table: cut, mode: append}
        """);
    JobRun cut = runToEnd("cut", Map.of());
    assertThat(cut.state()).isEqualTo(RunState.FAILED);
    assertThat(cut.error()).contains("cut.parquet");
  }

  @Test
  void jobTextCannotSmuggleStatementsIntoTheEngine() throws Exception {
    put("raw", "inj/a.csv", "id,qty\n1,5\n");
    String payload =
        "$$'$$) AS a FROM \"in\") AS q; CREATE TABLE pwned AS SELECT 1 AS y;"
            + " SELECT * FROM (SELECT ($$'$$";
    jobs.create(
        """
        name: inject
        nodes:
          - id: src
            type: source
            prefix: {uri: "s3://raw/inj/", format: csv}
          - id: f
            type: Filter
            inputs: [src]
            condition: |-
              %s
          - id: out
            type: target
            input: f
            iceberg: {database: lake, table: inj, mode: append}
        """
            .formatted(payload));
    JobRun r = runToEnd("inject", Map.of());
    assertThat(r.state()).isEqualTo(RunState.FAILED);
    assertThat(
            sql.queryInternal("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'pwned'")
                .get(0)[0])
        .isEqualTo(0L);
  }

  @Test
  void aResetBookmarkReadsEverythingAgainAndWritesIt() throws Exception {
    put("raw", "orders/a.csv", "id,qty\n1,5\n2,3\n");
    jobs.create(ORDERS_JOB);
    assertThat(runToEnd("orders", Map.of()).state()).isEqualTo(RunState.SUCCEEDED);
    jobs.resetBookmark("orders");
    JobRun again = runToEnd("orders", Map.of());
    assertThat(again.state()).as(again.error()).isEqualTo(RunState.SUCCEEDED);
    assertThat(again.epoch()).isEqualTo(1L);
    // Epoch numbers restart after a reset, but the new epoch is not mistaken for the old one.
    assertThat(count("SELECT count(*) FROM lake.orders")).isEqualTo(4);
    assertThatThrownBy(
            () ->
                jobs.update(
                    "orders",
                    ORDERS_JOB.replace(
                        "bookmarks: enable", "bookmarks: enable, maxConcurrentRuns: 2")))
        .hasMessageContaining("maxConcurrentRuns: 1");
  }

  @Test
  void serviceErrorsNameWhatToDo() {
    assertThatThrownBy(() -> jobs.start("nope", Map.of(), "manual"))
        .isInstanceOf(BasinException.class)
        .hasMessageContaining("job 'nope' does not exist");
    jobs.create(ORDERS_JOB);
    assertThatThrownBy(() -> jobs.create(ORDERS_JOB))
        .isInstanceOf(BasinException.class)
        .hasMessageContaining("exists");
    assertThatThrownBy(() -> jobs.rewindBookmark("orders", "jr_missing"))
        .hasMessageContaining("does not exist");
  }
}
