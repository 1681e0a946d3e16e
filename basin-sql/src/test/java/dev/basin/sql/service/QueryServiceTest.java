package dev.basin.sql.service;

import static dev.basin.sql.service.FakeSqlEngine.col;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.basin.catalog.CatalogConfig;
import dev.basin.common.error.BasinException;
import dev.basin.spi.sql.SqlException;
import dev.basin.spi.sql.SqlState;
import dev.basin.spi.sql.SqlType;
import dev.basin.spi.sql.StatementKind;
import dev.basin.spi.storage.ObjectContent;
import dev.basin.storage.LocalObjectStore;
import dev.basin.storage.LocalObjectStoreConfig;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QueryServiceTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;
  private final Clock clock = Clock.systemUTC();
  private LocalObjectStore store;
  private FakeSqlEngine engine;
  private QueryService service;

  @BeforeEach
  void setUp() throws IOException {
    Files.createDirectories(dir.resolve("meta"));
    store = LocalObjectStore.open(LocalObjectStoreConfig.defaults(dir), clock);
    store.createBucket("results");
    engine = new FakeSqlEngine();
    service = open(QueryServiceConfig.defaults(dir));
  }

  private QueryService open(QueryServiceConfig config) {
    return QueryService.open(config, engine, store, CatalogConfig.sqlite(dir), clock);
  }

  @AfterEach
  void tearDown() {
    if (service != null) {
      service.close();
    }
    store.close();
  }

  private QueryExecution run(String sql) {
    return service.submitAndWait(QueryRequest.of(sql, "db", null, "alice"), WAIT);
  }

  // ------------------------------------------------------------------ running and paging

  @Test
  void runsAQueryWritesAthenaCsvAndPagesItBackByByteOffset() throws IOException {
    engine.table("db.t", "1", 4096);
    engine.range("SELECT n FROM db.t", 2500, List.of("db.t"));

    QueryExecution e = run("SELECT n FROM db.t");

    assertThat(e.state()).isEqualTo(QueryState.SUCCEEDED);
    assertThat(e.rows()).isEqualTo(2500);
    assertThat(e.bytesScanned()).isEqualTo(4096);
    assertThat(e.statementType()).isEqualTo("DML");
    assertThat(e.user()).isEqualTo("alice");
    assertThat(e.outputLocation()).isEqualTo("s3://results/" + e.id() + ".csv");
    assertThat(e.startedAt()).isNotNull();
    assertThat(e.completedAt()).isAfterOrEqualTo(e.startedAt());

    List<String> seen = new ArrayList<>();
    String token = null;
    List<Integer> pageSizes = new ArrayList<>();
    do {
      ResultPage page = service.results(e.id(), token, 1000);
      assertThat(page.columns()).extracting(ResultColumn::name).containsExactly("n");
      assertThat(page.columns().get(0).type()).isEqualTo("bigint");
      pageSizes.add(page.rows().size());
      page.rows().forEach(r -> seen.add(r.get(0)));
      token = page.nextToken();
    } while (token != null);
    assertThat(pageSizes).containsExactly(1000, 1000, 500);
    assertThat(seen).hasSize(2500);
    assertThat(seen.get(0)).isEqualTo("0");
    assertThat(seen.get(2499)).isEqualTo("2499");

    try (ObjectContent csv = service.openResults(e.id())) {
      String text = new String(csv.stream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(text).startsWith("\"n\"\n\"0\"\n\"1\"\n");
    }
    assertThat(store.head("results", e.id() + ".csv.metadata", null).size()).isPositive();
  }

  @Test
  void writesValuesInAthenasCsvFormatAndReadsThemBackExactly() throws IOException {
    engine.query(
        "SELECT * FROM db.v",
        List.of(
            col("s", SqlType.Kind.VARCHAR),
            col("d", SqlType.Kind.DECIMAL),
            col("ts", SqlType.Kind.TIMESTAMP),
            col("day", SqlType.Kind.DATE),
            col("b", SqlType.Kind.BOOLEAN),
            col("bin", SqlType.Kind.BLOB)),
        List.of(),
        List.of(
            new Object[] {
              "a \"quoted\", comma\nand newline",
              new BigDecimal("12.50"),
              LocalDateTime.of(2024, 1, 31, 12, 0),
              LocalDate.of(2024, 2, 29),
              true,
              new byte[] {0x68, 0x69}
            },
            new Object[] {"", null, null, null, null, null}));

    QueryExecution e = run("SELECT * FROM db.v");
    ResultPage page = service.results(e.id(), null, 10);

    assertThat(page.rows())
        .containsExactly(
            Arrays.asList(
                "a \"quoted\", comma\nand newline",
                "12.50",
                "2024-01-31 12:00:00.000",
                "2024-02-29",
                "true",
                "68 69"),
            Arrays.asList("", null, null, null, null, null));
    try (ObjectContent csv = service.openResults(e.id())) {
      String text = new String(csv.stream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(text)
          .isEqualTo(
              "\"s\",\"d\",\"ts\",\"day\",\"b\",\"bin\"\n"
                  + "\"a \"\"quoted\"\", comma\nand newline\",\"12.50\",\"2024-01-31 12:00:00.000\","
                  + "\"2024-02-29\",\"true\",\"68 69\"\n"
                  + "\"\",,,,,\n");
    }
  }

  @Test
  void pagesOfOneRowWalkEveryRowOnce() {
    engine.range("SELECT n FROM db.small", 7, List.of());
    QueryExecution e = run("SELECT n FROM db.small");
    List<String> seen = new ArrayList<>();
    String token = null;
    do {
      ResultPage p = service.results(e.id(), token, 1);
      p.rows().forEach(r -> seen.add(r.get(0)));
      token = p.nextToken();
    } while (token != null);
    assertThat(seen).containsExactly("0", "1", "2", "3", "4", "5", "6");
  }

  @Test
  void refusesBadPagingRequests() {
    engine.range("SELECT n FROM db.a", 3, List.of());
    engine.range("SELECT n FROM db.b", 3, List.of());
    QueryExecution a = run("SELECT n FROM db.a");
    QueryExecution b = run("SELECT n FROM db.b");
    String tokenOfA = service.results(a.id(), null, 1).nextToken();

    assertThatThrownBy(() -> service.results(b.id(), tokenOfA, 1))
        .isInstanceOf(BasinException.class)
        .hasMessageContaining("belongs to query execution " + a.id());
    assertThatThrownBy(() -> service.results(a.id(), "not-a-token!", 1))
        .hasMessageContaining("is not valid");
    assertThatThrownBy(() -> service.results(a.id(), null, 1001))
        .hasMessageContaining("MaxResults must be 1..1000");
    assertThatThrownBy(() -> service.results("no-such-id", null, 10))
        .satisfies(t -> assertThat(code(t)).isEqualTo(QueryErrorCode.QUERY_NOT_FOUND));
  }

  // ------------------------------------------------------------------ failures

  @Test
  void aSyntaxErrorFailsTheExecutionWithTheEnginesMessage() {
    QueryExecution e = run("SELEC 1");

    assertThat(e.state()).isEqualTo(QueryState.FAILED);
    assertThat(e.stateChangeReason()).isEqualTo("line 1:1: mismatched input 'SELEC'");
    assertThat(e.error().category()).isEqualTo(QueryError.USER);
    assertThat(e.error().sqlState()).isEqualTo("42601");
    assertThatThrownBy(() -> service.results(e.id(), null, 10))
        .satisfies(t -> assertThat(code(t)).isEqualTo(QueryErrorCode.QUERY_NOT_SUCCEEDED))
        .hasMessageContaining("Final query state: FAILED");
  }

  @Test
  void anUnknownTableFailsTheExecution() {
    engine.define(
        "SELECT * FROM db.nope",
        new FakeSqlEngine.Def(
            StatementKind.QUERY,
            List.of(),
            List.of(),
            p -> List.of(),
            -1,
            false,
            new SqlException(
                SqlState.UNDEFINED_TABLE, "line 1:15: Table 'db.nope' does not exist", 15, null),
            null));
    QueryExecution e = run("SELECT * FROM db.nope");
    assertThat(e.state()).isEqualTo(QueryState.FAILED);
    assertThat(e.error().sqlState()).isEqualTo("42P01");
    assertThat(e.stateChangeReason()).contains("db.nope");
  }

  @Test
  void anUnknownDatabaseFailsTheExecution() {
    engine.range("SELECT 1", 1, List.of());
    QueryExecution e =
        service.submitAndWait(QueryRequest.of("SELECT 1", "other", null, "alice"), WAIT);
    assertThat(e.state()).isEqualTo(QueryState.FAILED);
    assertThat(e.stateChangeReason()).contains("Schema 'other' does not exist");
  }

  @Test
  void injectionThroughDatabaseWorkgroupAndParametersIsRefusedBeforeAnythingRuns() {
    engine.range("SELECT 1", 1, List.of());
    assertThatThrownBy(
            () -> service.submit(QueryRequest.of("SELECT 1", "x; DROP TABLE t", null, "alice")))
        .hasMessageContaining("invalid database name 'x; DROP TABLE t'");
    assertThatThrownBy(
            () -> service.submit(QueryRequest.of("SELECT 1", "db", "wg'; DELETE --", "alice")))
        .hasMessageContaining("invalid workgroup name");
    assertThatThrownBy(
            () ->
                service.submit(
                    QueryRequest.of("SELECT 1", "db", null, "alice")
                        .withParameters(List.of("1; DROP TABLE t"))))
        .hasMessageContaining("execution parameter 1 (1; DROP TABLE t) is invalid");
    assertThatThrownBy(
            () ->
                service.submit(
                    QueryRequest.of("SELECT 1", "db", null, "alice")
                        .withParameters(List.of("'a' OR 1=1 --'"))))
        .hasMessageContaining("a quote inside a string must be doubled");
    assertThat(engine.prepares).hasValue(0);
    assertThat(service.list(null, null, 100, null).items()).isEmpty();
  }

  @Test
  void parametersAreBoundAsValues() {
    engine.define(
        "SELECT ?",
        new FakeSqlEngine.Def(
            StatementKind.QUERY,
            List.of(col("p", SqlType.Kind.VARCHAR)),
            List.of(),
            p ->
                List.<Object[]>of(
                    new Object[] {p.get(0) + "/" + p.get(0).getClass().getSimpleName()}),
            -1,
            false,
            null,
            null));
    for (String[] c :
        new String[][] {
          {"'it''s'", "it's/String"},
          {"42", "42/Long"},
          {"1.50", "1.50/BigDecimal"},
          {"DATE '2024-01-31'", "2024-01-31/LocalDate"},
          {"TIMESTAMP '2024-01-31 12:30:00'", "2024-01-31T12:30/LocalDateTime"},
          {"true", "true/Boolean"}
        }) {
      QueryExecution e =
          service.submitAndWait(
              QueryRequest.of("SELECT ?", "db", null, "alice").withParameters(List.of(c[0])), WAIT);
      assertThat(service.results(e.id(), null, 1).rows().get(0).get(0)).isEqualTo(c[1]);
      assertThat(e.parameters()).containsExactly(c[0]);
    }
  }

  @Test
  void refusesEmptyAndOverlongStatements() {
    assertThatThrownBy(() -> service.submit(QueryRequest.of("  ", "db", null, "alice")))
        .hasMessageContaining("query string is empty");
    String longSql = "SELECT " + "1".repeat(QueryService.MAX_QUERY_LENGTH);
    assertThatThrownBy(() -> service.submit(QueryRequest.of(longSql, "db", null, "alice")))
        .hasMessageContaining("the limit is 262144");
  }

  // ------------------------------------------------------------------ queue, cancel, timeout

  @Test
  void queuesUpToTheLimitRefusesBeyondItAndCancelsQueuedAndRunningQueries() throws Exception {
    service.close();
    service = open(QueryServiceConfig.defaults(dir).withConcurrency(1, 1));
    engine.blocking("SELECT block()");
    engine.range("SELECT 1", 1, List.of());

    QueryExecution running = service.submit(QueryRequest.of("SELECT block()", "db", null, "a"));
    assertThat(engine.blockingStarted.tryAcquire(30, TimeUnit.SECONDS)).isTrue();
    QueryExecution queued = service.submit(QueryRequest.of("SELECT 1", "db", null, "a"));
    assertThat(service.get(running.id()).state()).isEqualTo(QueryState.RUNNING);
    assertThat(service.get(queued.id()).state()).isEqualTo(QueryState.QUEUED);
    assertThat(service.list(null, QueryState.QUEUED, 10, null).items())
        .extracting(QueryExecution::id)
        .containsExactly(queued.id());

    assertThatThrownBy(() -> service.submit(QueryRequest.of("SELECT 1", "db", null, "a")))
        .satisfies(t -> assertThat(code(t)).isEqualTo(QueryErrorCode.TOO_MANY_QUERIES))
        .hasMessageContaining("retry after a back-off");

    QueryExecution c = service.cancel(queued.id());
    assertThat(c.state()).isEqualTo(QueryState.CANCELLED);
    assertThat(c.stateChangeReason()).isEqualTo(QueryService.USER_CANCEL_REASON);

    service.cancel(running.id());
    QueryExecution r = service.await(running.id(), WAIT);
    assertThat(r.state()).isEqualTo(QueryState.CANCELLED);
    assertThat(engine.executes).hasValue(1);
    assertThat(service.outstanding()).isZero();

    // a slot is free again; cancelling a finished execution changes nothing
    QueryExecution next = service.submitAndWait(QueryRequest.of("SELECT 1", "db", null, "a"), WAIT);
    assertThat(next.state()).isEqualTo(QueryState.SUCCEEDED);
    assertThat(service.cancel(next.id()).state()).isEqualTo(QueryState.SUCCEEDED);
  }

  @Test
  void aQueryOverItsTimeoutFails() {
    engine.blocking("SELECT block()");
    QueryExecution e =
        service.submitAndWait(
            QueryRequest.of("SELECT block()", "db", null, "a").withTimeout(Duration.ofMillis(200)),
            WAIT);
    assertThat(e.state()).isEqualTo(QueryState.FAILED);
    assertThat(e.stateChangeReason()).startsWith("Query timeout").contains("200 ms");
    assertThat(e.error().type()).isEqualTo(206);
  }

  // ------------------------------------------------------------------ workgroups and limits

  @Test
  void aQueryOverItsWorkgroupsBytesLimitIsCancelledBeforeItRuns() {
    engine.table("db.big", "1", 5000);
    engine.range("SELECT n FROM db.big", 3, List.of("db.big"));
    service.createWorkGroup(WorkGroup.named("capped").withBytesScannedCutoffPerQuery(1000L));

    QueryExecution e =
        service.submitAndWait(QueryRequest.of("SELECT n FROM db.big", "db", "capped", "a"), WAIT);

    assertThat(e.state()).isEqualTo(QueryState.CANCELLED);
    assertThat(e.stateChangeReason())
        .isEqualTo("Query cancelled! : Bytes scanned limit was exceeded");
    assertThat(e.workgroup()).isEqualTo("capped");
    assertThat(engine.executes).hasValue(0);

    DryRun dry = service.dryRun("SELECT n FROM db.big", "db", "capped", "a");
    assertThat(dry.bytesPlanned()).isEqualTo(5000);
    assertThat(dry.exceedsCutoff()).isTrue();
    assertThat(dry.tables()).extracting(t -> t.table()).containsExactly("db.big");
    assertThat(engine.executes).hasValue(0);

    // the same query in primary (no limit) runs
    assertThat(run("SELECT n FROM db.big").state()).isEqualTo(QueryState.SUCCEEDED);
  }

  @Test
  void workgroupsAreCreatedListedUpdatedAndDeleted() {
    assertThat(service.workGroup("primary").enabled()).isTrue();
    store.createBucket("reports");
    WorkGroup w =
        service.createWorkGroup(
            WorkGroup.named("analysts")
                .withDescription("team")
                .withOutputLocation("s3://reports/athena"));
    assertThat(w.outputLocation()).isEqualTo("s3://reports/athena/");
    assertThatThrownBy(() -> service.createWorkGroup(WorkGroup.named("analysts")))
        .satisfies(t -> assertThat(code(t)).isEqualTo(QueryErrorCode.WORKGROUP_EXISTS));
    assertThat(service.listWorkGroups(10, null).items())
        .extracting(WorkGroup::name)
        .containsExactly("analysts", "primary");
    Page<WorkGroup> first = service.listWorkGroups(1, null);
    assertThat(first.items()).extracting(WorkGroup::name).containsExactly("analysts");
    assertThat(service.listWorkGroups(1, first.nextToken()).items())
        .extracting(WorkGroup::name)
        .containsExactly("primary");

    engine.range("SELECT 1", 1, List.of());
    QueryExecution e =
        service.submitAndWait(QueryRequest.of("SELECT 1", "db", "analysts", "a"), WAIT);
    assertThat(e.outputLocation()).isEqualTo("s3://reports/athena/" + e.id() + ".csv");
    // a client location is used unless the workgroup enforces its own
    QueryExecution mine =
        service.submitAndWait(
            QueryRequest.of("SELECT 1", "db", "analysts", "a")
                .withOutputLocation("s3://results/mine/")
                .withReuseResults(false),
            WAIT);
    assertThat(mine.outputLocation()).startsWith("s3://results/mine/");
    service.updateWorkGroup(
        "analysts", new WorkGroup.Update(null, false, null, false, null, false, true));
    assertThatThrownBy(() -> service.submit(QueryRequest.of("SELECT 1", "db", "analysts", "a")))
        .hasMessageContaining("WorkGroup analysts is disabled");

    assertThatThrownBy(() -> service.deleteWorkGroup("analysts", false))
        .satisfies(t -> assertThat(code(t)).isEqualTo(QueryErrorCode.WORKGROUP_IN_USE))
        .hasMessageContaining("2 query executions");
    service.deleteWorkGroup("analysts", true);
    assertThatThrownBy(() -> service.workGroup("analysts"))
        .satisfies(t -> assertThat(code(t)).isEqualTo(QueryErrorCode.WORKGROUP_NOT_FOUND));
    assertThat(service.find(e.id())).isEmpty();
    assertThatThrownBy(() -> service.deleteWorkGroup("primary", true))
        .hasMessageContaining("primary workgroup cannot be deleted");
    assertThatThrownBy(() -> service.submit(QueryRequest.of("SELECT 1", "db", "ghost", "a")))
        .hasMessageContaining("WorkGroup ghost is not found");
    assertThatThrownBy(
            () ->
                service.submit(
                    QueryRequest.of("SELECT 1", "db", null, "a")
                        .withOutputLocation("s3://no-such-bucket/")))
        .hasMessageContaining("output bucket no-such-bucket");
  }

  @Test
  void namedQueriesAreSavedPagedAndDeletedPerWorkgroup() {
    NamedQuery q =
        service.createNamedQuery(
            new NamedQuery.Input("daily", "per day", "db", "SELECT 1", null, null));
    assertThat(service.namedQuery(q.id())).isEqualTo(q);
    assertThat(q.workgroup()).isEqualTo("primary");
    for (int i = 0; i < 4; i++) {
      service.createNamedQuery(new NamedQuery.Input("q" + i, null, "db", "SELECT 1", null, null));
    }
    List<String> names = new ArrayList<>();
    String token = null;
    do {
      Page<NamedQuery> p = service.listNamedQueries("primary", 2, token);
      p.items().forEach(n -> names.add(n.name()));
      token = p.nextToken();
    } while (token != null);
    assertThat(names).containsExactlyInAnyOrder("daily", "q0", "q1", "q2", "q3");

    String token32 = "0123456789abcdef0123456789abcdef";
    NamedQuery once =
        service.createNamedQuery(
            new NamedQuery.Input("once", null, "db", "SELECT 2", null, token32));
    assertThat(
            service.createNamedQuery(
                new NamedQuery.Input("once", null, "db", "SELECT 2", null, token32)))
        .isEqualTo(once);
    assertThatThrownBy(
            () ->
                service.createNamedQuery(
                    new NamedQuery.Input("once", null, "db", "SELECT 3", null, token32)))
        .satisfies(t -> assertThat(code(t)).isEqualTo(QueryErrorCode.IDEMPOTENCY_MISMATCH));

    NamedQuery renamed = service.updateNamedQuery(q.id(), "daily2", null, "SELECT 9");
    assertThat(service.namedQuery(q.id()).queryString()).isEqualTo("SELECT 9");
    assertThat(renamed.name()).isEqualTo("daily2");
    service.deleteNamedQuery(q.id());
    assertThatThrownBy(() -> service.namedQuery(q.id()))
        .satisfies(t -> assertThat(code(t)).isEqualTo(QueryErrorCode.NAMED_QUERY_NOT_FOUND));
    assertThatThrownBy(
            () ->
                service.createNamedQuery(
                    new NamedQuery.Input("x", null, "db", "SELECT 1", "nowhere", null)))
        .satisfies(t -> assertThat(code(t)).isEqualTo(QueryErrorCode.WORKGROUP_NOT_FOUND));
    assertThatThrownBy(
            () ->
                service.createNamedQuery(
                    new NamedQuery.Input("x", null, "db; drop", "SELECT 1", null, null)))
        .hasMessageContaining("invalid database name");
  }

  // ------------------------------------------------------------------ result cache

  @Test
  void aRepeatedQueryIsAnsweredFromTheCacheUntilATableItReadsChanges() {
    engine.table("db.t", "snap-1", 100);
    engine.range("SELECT n FROM db.t", 3, List.of("db.t"));

    QueryExecution first = run("SELECT n FROM db.t");
    QueryExecution second = run("SELECT   n\n FROM db.t");

    assertThat(second.state()).isEqualTo(QueryState.SUCCEEDED);
    assertThat(second.reusedFrom()).isEqualTo(first.id());
    assertThat(second.reusedPreviousResult()).isTrue();
    assertThat(second.outputLocation()).isEqualTo(first.outputLocation());
    assertThat(second.bytesScanned()).isZero();
    assertThat(second.rows()).isEqualTo(3);
    assertThat(engine.executes).hasValue(1);
    assertThat(service.results(second.id(), null, 10).rows()).hasSize(3);

    // a new snapshot of db.t: the query runs again
    engine.versions.put("db.t", "snap-2");
    QueryExecution third = run("SELECT n FROM db.t");
    assertThat(third.reusedFrom()).isNull();
    assertThat(engine.executes).hasValue(2);
    QueryExecution fourth = run("SELECT n FROM db.t");
    assertThat(fourth.reusedFrom()).isEqualTo(third.id());

    // other workgroup, other database, opt-out: no reuse
    service.createWorkGroup(WorkGroup.named("other"));
    assertThat(
            service
                .submitAndWait(QueryRequest.of("SELECT n FROM db.t", "db", "other", "a"), WAIT)
                .reusedFrom())
        .isNull();
    assertThat(
            service
                .submitAndWait(
                    QueryRequest.of("SELECT n FROM db.t", "db", null, "a").withReuseResults(false),
                    WAIT)
                .reusedFrom())
        .isNull();
    assertThat(engine.executes).hasValue(4);
  }

  @Test
  void volatileFunctionsWritesAndDeletedResultsAreNeverReused() {
    engine.range("SELECT now()", 1, List.of());
    engine.define(
        "INSERT INTO db.t SELECT 1",
        new FakeSqlEngine.Def(
            StatementKind.WRITE, List.of(), List.of("db.t"), p -> List.of(), 5, false, null, null));
    engine.range("SELECT n FROM db.t", 2, List.of("db.t"));

    run("SELECT now()");
    assertThat(run("SELECT now()").reusedFrom()).isNull();
    QueryExecution w1 = run("INSERT INTO db.t SELECT 1");
    assertThat(w1.updateCount()).isEqualTo(5);
    assertThat(w1.statementType()).isEqualTo("DML");
    assertThat(service.results(w1.id(), null, 10).updateCount()).isEqualTo(5);
    assertThat(service.results(w1.id(), null, 10).rows()).isEmpty();
    assertThat(run("INSERT INTO db.t SELECT 1").reusedFrom()).isNull();

    QueryExecution a = run("SELECT n FROM db.t");
    store.delete("results", a.id() + ".csv", null);
    assertThat(run("SELECT n FROM db.t").reusedFrom()).isNull();
    assertThatThrownBy(() -> service.results(a.id(), null, 10))
        .satisfies(t -> assertThat(code(t)).isEqualTo(QueryErrorCode.RESULTS_NOT_FOUND))
        .hasMessageContaining("run the query again");
  }

  // ------------------------------------------------------------------ history, idempotency

  @Test
  void aClientRequestTokenMakesSubmissionIdempotent() {
    engine.range("SELECT 1", 1, List.of());
    String token = "tok-0123456789abcdef0123456789abcdef";
    QueryRequest req = QueryRequest.of("SELECT 1", "db", null, "a").withClientRequestToken(token);
    QueryExecution first = service.submitAndWait(req, WAIT);
    QueryExecution again = service.submit(req);
    assertThat(again.id()).isEqualTo(first.id());
    assertThat(again.state()).isEqualTo(QueryState.SUCCEEDED);
    assertThat(engine.executes).hasValue(1);
    assertThatThrownBy(
            () ->
                service.submit(
                    QueryRequest.of("SELECT 2", "db", null, "a").withClientRequestToken(token)))
        .satisfies(t -> assertThat(code(t)).isEqualTo(QueryErrorCode.IDEMPOTENCY_MISMATCH));
    assertThatThrownBy(() -> service.submit(req.withClientRequestToken("short")))
        .hasMessageContaining("32-128 characters");
  }

  @Test
  void historyIsListedNewestFirstPerWorkgroupAndState() {
    engine.range("SELECT 1", 1, List.of());
    service.createWorkGroup(WorkGroup.named("wg2"));
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ids.add(
          service
              .submitAndWait(
                  QueryRequest.of("SELECT 1", "db", null, "a").withReuseResults(false), WAIT)
              .id());
    }
    String failed = run("SELEC x").id();
    service.submitAndWait(QueryRequest.of("SELECT 1", "db", "wg2", "a"), WAIT);

    List<String> listed = new ArrayList<>();
    String token = null;
    do {
      Page<QueryExecution> p = service.list("primary", QueryState.SUCCEEDED, 2, token);
      p.items().forEach(e -> listed.add(e.id()));
      token = p.nextToken();
    } while (token != null);
    List<String> newestFirst = new ArrayList<>(ids);
    java.util.Collections.reverse(newestFirst);
    assertThat(listed).containsExactlyElementsOf(newestFirst);
    assertThat(service.list("primary", QueryState.FAILED, 10, null).items())
        .extracting(QueryExecution::id)
        .containsExactly(failed);
    assertThat(service.list("wg2", null, 10, null).items()).hasSize(1);
    assertThat(service.list(null, null, 100, null).items()).hasSize(7);
  }

  @Test
  void historyAndResultsSurviveARestartAndInterruptedQueriesAreMarkedFailed() throws Exception {
    engine.range("SELECT n FROM db.t", 3, List.of());
    engine.blocking("SELECT block()");
    QueryExecution done = run("SELECT n FROM db.t");
    QueryExecution interrupted = service.submit(QueryRequest.of("SELECT block()", "db", null, "a"));
    assertThat(engine.blockingStarted.tryAcquire(30, TimeUnit.SECONDS)).isTrue();

    // a second service over the same database stands in for the next server after a crash
    try (QueryService next = open(QueryServiceConfig.defaults(dir))) {
      QueryExecution e = next.get(interrupted.id());
      assertThat(e.state()).isEqualTo(QueryState.FAILED);
      assertThat(e.stateChangeReason()).isEqualTo(QueryService.INTERRUPTED_REASON);
      assertThat(e.error().retryable()).isTrue();
      QueryExecution d = next.get(done.id());
      assertThat(d.state()).isEqualTo(QueryState.SUCCEEDED);
      assertThat(d.rows()).isEqualTo(3);
      assertThat(d.user()).isEqualTo("alice");
      assertThat(next.results(done.id(), null, 10).rows()).hasSize(3);
    }
  }

  @Test
  void closingTheServiceFailsQueuedAndRunningQueries() throws Exception {
    service.close();
    service = open(QueryServiceConfig.defaults(dir).withConcurrency(1, 5));
    engine.blocking("SELECT block()");
    engine.range("SELECT 1", 1, List.of());
    QueryExecution running = service.submit(QueryRequest.of("SELECT block()", "db", null, "a"));
    assertThat(engine.blockingStarted.tryAcquire(30, TimeUnit.SECONDS)).isTrue();
    QueryExecution queued = service.submit(QueryRequest.of("SELECT 1", "db", null, "a"));
    service.close();
    service = open(QueryServiceConfig.defaults(dir));
    assertThat(service.get(running.id()).state()).isEqualTo(QueryState.FAILED);
    assertThat(service.get(queued.id()).state()).isEqualTo(QueryState.FAILED);
    assertThat(service.get(queued.id()).stateChangeReason()).contains("shut down");
  }

  private static QueryErrorCode code(Throwable t) {
    assertThat(t).isInstanceOf(BasinException.class);
    return (QueryErrorCode) ((BasinException) t).code();
  }
}
