package dev.basin.it.athena;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.basin.it.BasinProcess;
import dev.basin.it.NativeApi;
import dev.basin.it.s3.S3Clients;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.athena.AthenaClient;
import software.amazon.awssdk.services.athena.model.ColumnInfo;
import software.amazon.awssdk.services.athena.model.GetQueryResultsResponse;
import software.amazon.awssdk.services.athena.model.InvalidRequestException;
import software.amazon.awssdk.services.athena.model.NamedQuery;
import software.amazon.awssdk.services.athena.model.QueryExecution;
import software.amazon.awssdk.services.athena.model.QueryExecutionState;
import software.amazon.awssdk.services.athena.model.Row;
import software.amazon.awssdk.services.athena.model.WorkGroupState;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/**
 * The AWS SDK v2 {@code AthenaClient} against a real Basin server: submit, poll and page results
 * (header row first, NextToken), named queries, workgroups with a bytes-scanned limit that cancels
 * a query, failed queries with the engine's message, and injection attempts through request members
 * answered with {@code InvalidRequestException} while nothing runs.
 */
@ExtendWith(BasinProcess.DumpLogsOnFailure.class)
class AthenaSdkIT {
  private static final int ROWS = 2600;
  @TempDir static Path dir;
  private static BasinProcess server;
  private static AthenaClient athena;

  @BeforeAll
  static void start() {
    server = BasinProcess.builder(dir.resolve("data")).maxHeap("768m").start();
    athena =
        AthenaClient.builder()
            .endpointOverride(server.endpoint())
            .region(Region.US_EAST_1)
            .httpClient(ApacheHttpClient.builder().build())
            .credentialsProvider(S3Clients.credentials(server))
            .build();
    sql("CREATE DATABASE sales");
    sql(
        "CREATE TABLE sales.orders AS SELECT range AS id, 'customer ' || (range % 97) AS customer,"
            + " CAST(range / 4 AS DECIMAL(12,2)) AS total, range % 5 = 0 AS flagged FROM range("
            + ROWS
            + ")");
  }

  @AfterAll
  static void stop() {
    if (athena != null) {
      athena.close();
    }
    if (server != null) {
      server.close();
    }
  }

  private static void sql(String statement) {
    JsonNode e =
        NativeApi.call(
            server,
            "POST",
            "/api/v1/queries",
            "{\"sql\":" + quote(statement) + ",\"wait\":true,\"waitSeconds\":120}",
            200);
    assertThat(e.get("state").asText()).as(e.toString()).isEqualTo("SUCCEEDED");
  }

  private static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  private static QueryExecution poll(String id) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (true) {
      QueryExecution e = athena.getQueryExecution(b -> b.queryExecutionId(id)).queryExecution();
      QueryExecutionState s = e.status().state();
      if (s == QueryExecutionState.SUCCEEDED
          || s == QueryExecutionState.FAILED
          || s == QueryExecutionState.CANCELLED) {
        return e;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("query " + id + " still " + s);
      }
      Thread.sleep(50);
    }
  }

  private static String start(String sql, String workgroup) {
    return athena
        .startQueryExecution(
            b -> {
              b.queryString(sql).queryExecutionContext(c -> c.database("sales"));
              if (workgroup != null) {
                b.workGroup(workgroup);
              }
            })
        .queryExecutionId();
  }

  /** How many executions the history holds (the native API lists up to 1000 a page). */
  private static int history() {
    return NativeApi.call(server, "GET", "/api/v1/queries?limit=1000", null, 200)
        .get("queries")
        .size();
  }

  private static List<String> values(Row r) {
    List<String> out = new ArrayList<>();
    r.data().forEach(d -> out.add(d.varCharValue()));
    return out;
  }

  @Test
  void submitPollAndPageThroughResults() throws Exception {
    String id = start("SELECT id, customer, total, flagged FROM orders ORDER BY id", null);
    QueryExecution e = poll(id);
    assertThat(e.status().state()).isEqualTo(QueryExecutionState.SUCCEEDED);
    assertThat(e.statistics().dataScannedInBytes()).isPositive();
    assertThat(e.statistics().totalExecutionTimeInMillis()).isNotNull();
    assertThat(e.status().submissionDateTime()).isNotNull();
    assertThat(e.status().completionDateTime()).isAfterOrEqualTo(e.status().submissionDateTime());
    assertThat(e.resultConfiguration().outputLocation()).isEqualTo("s3://results/" + id + ".csv");
    assertThat(e.queryExecutionContext().database()).isEqualTo("sales");
    assertThat(e.workGroup()).isEqualTo("primary");

    List<List<String>> rows = new ArrayList<>();
    List<ColumnInfo> columns = null;
    int pages = 0;
    for (GetQueryResultsResponse page :
        athena.getQueryResultsPaginator(b -> b.queryExecutionId(id).maxResults(1000))) {
      if (columns == null) {
        columns = page.resultSet().resultSetMetadata().columnInfo();
      }
      page.resultSet().rows().forEach(r -> rows.add(values(r)));
      pages++;
    }
    assertThat(pages).isEqualTo(3);
    assertThat(rows).hasSize(ROWS + 1);
    assertThat(rows.get(0)).containsExactly("id", "customer", "total", "flagged");
    assertThat(rows.get(1)).containsExactly("0", "customer 0", "0.00", "true");
    assertThat(rows.get(ROWS))
        .containsExactly(
            String.valueOf(ROWS - 1), "customer " + ((ROWS - 1) % 97), "649.75", "false");
    assertThat(columns)
        .extracting(ColumnInfo::name)
        .containsExactly("id", "customer", "total", "flagged");
    assertThat(columns)
        .extracting(ColumnInfo::type)
        .containsExactly("bigint", "varchar", "decimal", "boolean");

    // the result file is in the results bucket, in Athena's CSV
    try (S3Client s3 = S3Clients.client(server)) {
      ResponseBytes<GetObjectResponse> csv =
          s3.getObjectAsBytes(b -> b.bucket("results").key(id + ".csv"));
      String text = csv.asString(StandardCharsets.UTF_8);
      assertThat(text)
          .startsWith("\"id\",\"customer\",\"total\",\"flagged\"\n\"0\",\"customer 0\"");
      assertThat(text.split("\n")).hasSize(ROWS + 1);
    }

    // a repeat is answered from the previous result
    QueryExecution again =
        poll(start("SELECT id, customer, total, flagged FROM orders ORDER BY id", null));
    assertThat(again.statistics().resultReuseInformation().reusedPreviousResult()).isTrue();
    assertThat(again.resultConfiguration().outputLocation())
        .isEqualTo(e.resultConfiguration().outputLocation());

    assertThat(athena.listQueryExecutions(b -> b.workGroup("primary")).queryExecutionIds())
        .contains(id, again.queryExecutionId());
    assertThat(
            athena
                .batchGetQueryExecution(b -> b.queryExecutionIds(id, "no-such-id"))
                .unprocessedQueryExecutionIds())
        .hasSize(1);
  }

  @Test
  void failedQueriesCarryTheEnginesMessage() throws Exception {
    QueryExecution syntax = poll(start("SELECT id FORM orders", null));
    assertThat(syntax.status().state()).isEqualTo(QueryExecutionState.FAILED);
    assertThat(syntax.status().stateChangeReason()).startsWith("line 1:");
    assertThat(syntax.status().athenaError().errorCategory()).isEqualTo(2);

    QueryExecution unknown = poll(start("SELECT * FROM sales.no_such_table", null));
    assertThat(unknown.status().state()).isEqualTo(QueryExecutionState.FAILED);
    assertThat(unknown.status().stateChangeReason()).contains("no_such_table");

    assertThatThrownBy(
            () -> athena.getQueryResults(b -> b.queryExecutionId(syntax.queryExecutionId())))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("FAILED")
        .satisfies(e -> assertThat(((InvalidRequestException) e).athenaErrorCode()).isNotBlank());
    assertThatThrownBy(() -> athena.getQueryExecution(b -> b.queryExecutionId("nope")))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("QueryExecution nope was not found");
  }

  @Test
  void aWorkgroupsBytesScannedLimitCancelsTheQuery() throws Exception {
    athena.createWorkGroup(
        b ->
            b.name("capped")
                .description("small queries only")
                .configuration(
                    c ->
                        c.bytesScannedCutoffPerQuery(1024L)
                            .resultConfiguration(r -> r.outputLocation("s3://results/capped/"))));
    var wg = athena.getWorkGroup(b -> b.workGroup("capped")).workGroup();
    assertThat(wg.state()).isEqualTo(WorkGroupState.ENABLED);
    assertThat(wg.configuration().bytesScannedCutoffPerQuery()).isEqualTo(1024L);
    assertThat(athena.listWorkGroups(b -> {}).workGroups())
        .extracting(w -> w.name())
        .contains("primary", "capped");

    QueryExecution e = poll(start("SELECT * FROM orders", "capped"));
    assertThat(e.status().state()).isEqualTo(QueryExecutionState.CANCELLED);
    assertThat(e.status().stateChangeReason())
        .isEqualTo("Query cancelled! : Bytes scanned limit was exceeded");
    assertThat(athena.listQueryExecutions(b -> b.workGroup("capped")).queryExecutionIds())
        .containsExactly(e.queryExecutionId());

    athena.updateWorkGroup(
        b ->
            b.workGroup("capped")
                .configurationUpdates(u -> u.removeBytesScannedCutoffPerQuery(true)));
    QueryExecution ok = poll(start("SELECT count(*) FROM orders", "capped"));
    assertThat(ok.status().state()).isEqualTo(QueryExecutionState.SUCCEEDED);
    assertThat(ok.resultConfiguration().outputLocation()).startsWith("s3://results/capped/");

    assertThatThrownBy(() -> athena.deleteWorkGroup(b -> b.workGroup("capped")))
        .isInstanceOf(InvalidRequestException.class);
    athena.deleteWorkGroup(b -> b.workGroup("capped").recursiveDeleteOption(true));
    assertThatThrownBy(() -> athena.getWorkGroup(b -> b.workGroup("capped")))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("not found");
  }

  @Test
  void namedQueriesAreSavedListedAndDeleted() {
    String id =
        athena
            .createNamedQuery(
                b ->
                    b.name("top customers")
                        .description("by total")
                        .database("sales")
                        .queryString(
                            "SELECT customer, sum(total) FROM orders GROUP BY 1 ORDER BY 2 DESC"))
            .namedQueryId();
    NamedQuery q = athena.getNamedQuery(b -> b.namedQueryId(id)).namedQuery();
    assertThat(q.name()).isEqualTo("top customers");
    assertThat(q.workGroup()).isEqualTo("primary");
    assertThat(athena.listNamedQueries(b -> {}).namedQueryIds()).contains(id);
    assertThat(athena.batchGetNamedQuery(b -> b.namedQueryIds(id)).namedQueries()).hasSize(1);
    athena.deleteNamedQuery(b -> b.namedQueryId(id));
    assertThatThrownBy(() -> athena.getNamedQuery(b -> b.namedQueryId(id)))
        .isInstanceOf(InvalidRequestException.class);
  }

  @Test
  void stoppingARunningQueryCancelsIt() throws Exception {
    String id = start("SELECT count(*) FROM range(100000000000) a WHERE a.range % 7 = 3", null);
    athena.stopQueryExecution(b -> b.queryExecutionId(id));
    QueryExecution e = poll(id);
    assertThat(e.status().state()).isEqualTo(QueryExecutionState.CANCELLED);
  }

  @Test
  void injectionThroughRequestMembersIsRefusedAndNothingRuns() throws Exception {
    int before = history();
    assertThatThrownBy(
            () ->
                athena.startQueryExecution(
                    b ->
                        b.queryString("SELECT 1")
                            .queryExecutionContext(
                                c -> c.database("sales; DROP TABLE sales.orders"))))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("invalid database name");
    assertThatThrownBy(
            () ->
                athena.startQueryExecution(
                    b -> b.queryString("SELECT 1").workGroup("primary'; DROP TABLE x; --")))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("invalid workgroup name");
    assertThatThrownBy(
            () ->
                athena.startQueryExecution(
                    b ->
                        b.queryString("SELECT * FROM sales.orders WHERE id = ?")
                            .executionParameters("1; DROP TABLE sales.orders")))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("execution parameter 1");
    assertThatThrownBy(
            () ->
                athena.createNamedQuery(
                    b -> b.name("x").database("sales\"; --").queryString("SELECT 1")))
        .isInstanceOf(InvalidRequestException.class);
    assertThat(history()).isEqualTo(before);

    // a parameter that looks like SQL is only a value
    String id =
        athena
            .startQueryExecution(
                b ->
                    b.queryString("SELECT count(*) FROM sales.orders WHERE customer = ?")
                        .executionParameters("'x'' OR ''1''=''1'"))
            .queryExecutionId();
    assertThat(poll(id).status().state()).isEqualTo(QueryExecutionState.SUCCEEDED);
    assertThat(
            values(athena.getQueryResults(b -> b.queryExecutionId(id)).resultSet().rows().get(1)))
        .containsExactly("0");
    QueryExecution count = poll(start("SELECT count(*) FROM sales.orders", null));
    assertThat(
            values(
                athena
                    .getQueryResults(b -> b.queryExecutionId(count.queryExecutionId()))
                    .resultSet()
                    .rows()
                    .get(1)))
        .containsExactly(String.valueOf(ROWS));
  }
}
