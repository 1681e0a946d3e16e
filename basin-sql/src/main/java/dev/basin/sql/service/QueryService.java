package dev.basin.sql.service;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.basin.catalog.CatalogConfig;
import dev.basin.common.error.BasinException;
import dev.basin.common.json.Json;
import dev.basin.spi.sql.PreparedSql;
import dev.basin.spi.sql.ResultCursor;
import dev.basin.spi.sql.SessionContext;
import dev.basin.spi.sql.SqlColumn;
import dev.basin.spi.sql.SqlEngine;
import dev.basin.spi.sql.SqlException;
import dev.basin.spi.sql.SqlSession;
import dev.basin.spi.sql.SqlState;
import dev.basin.spi.sql.StatementKind;
import dev.basin.spi.sql.TableScan;
import dev.basin.spi.storage.ByteRange;
import dev.basin.spi.storage.GetOptions;
import dev.basin.spi.storage.ObjectContent;
import dev.basin.spi.storage.ObjectMetadata;
import dev.basin.spi.storage.ObjectStore;
import dev.basin.spi.storage.ObjectStoreException;
import dev.basin.spi.storage.PutOptions;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Athena-style query service: runs statements on a {@link SqlEngine} as asynchronous query
 * executions, writes their results to the lake as Athena's CSV plus a {@code .metadata} file, pages
 * them back, keeps the history, named queries and workgroups in the metadata database, and answers
 * a repeated query from an earlier result while the tables it reads have not changed.
 *
 * <p><b>Lifecycle of an execution.</b> {@link #submit} validates the request, records the execution
 * as {@code QUEUED} in the history and returns at once; at most {@code maxConcurrentQueries} run at
 * a time and at most {@code maxQueuedQueries} wait, beyond which submissions fail with {@link
 * QueryErrorCode#TOO_MANY_QUERIES} (nothing is recorded). A worker plans the statement, then in
 * order: answers it from a previous result if one matches (see below), cancels it with Athena's
 * reason {@value #BYTES_LIMIT_REASON} when the planned bytes exceed the workgroup's per-query
 * limit, or runs it and streams its rows into {@code <outputLocation><id>.csv}. Statement errors do
 * not fail the submission: the execution ends {@code FAILED} with the engine's message. A query
 * that runs past its timeout ends {@code FAILED} (as Athena's do); {@link #cancel} ends it {@code
 * CANCELLED}. When the final state is visible, its history row and its result file are durable.
 *
 * <p><b>Result reuse.</b> A query is answered from an earlier execution's result when the
 * whitespace-normalized text, database, workgroup, parameters and the version of every table it
 * reads (as planned) are equal, the earlier result is younger than {@code resultReuseMaxAge}, and
 * its file still exists. Only queries that return rows and call nothing volatile ({@code now()},
 * {@code random()} …) or unpinned (system views, file readers) are reused; writes never are. The
 * new execution points at the earlier CSV and reports {@link QueryExecution#reusedFrom()}.
 *
 * <p><b>Restart.</b> Executions that were queued or running when the previous server stopped are
 * marked {@code FAILED} when the service opens.
 *
 * <p>Thread-safe.
 */
public final class QueryService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(QueryService.class);

  /** The longest statement accepted, in characters (Athena's limit). */
  public static final int MAX_QUERY_LENGTH = 262_144;

  /** The most rows one result page holds (Athena's limit and default). */
  public static final int MAX_PAGE_ROWS = 1000;

  /** The reason a query over its workgroup's bytes-scanned limit is cancelled with (Athena's). */
  public static final String BYTES_LIMIT_REASON =
      "Query cancelled! : Bytes scanned limit was exceeded";

  /** The reason a query stopped by a user is cancelled with. */
  public static final String USER_CANCEL_REASON = "Query cancelled by user";

  static final String INTERRUPTED_REASON =
      "Query failed because the Basin server stopped while it was queued or running; run it again";

  private static final Pattern WORKGROUP_NAME = Pattern.compile("[a-zA-Z0-9._-]{1,128}");
  private static final Pattern DATABASE_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_-]{0,254}");
  private static final int MAX_DESCRIPTION = 1024;
  private static final int MAX_NAME = 128;

  private final QueryServiceConfig config;
  private final SqlEngine engine;
  private final ObjectStore store;
  private final QueryStore db;
  private final Clock clock;
  private final ThreadPoolExecutor workers;
  private final ScheduledExecutorService timers;
  private final ConcurrentHashMap<String, Active> active = new ConcurrentHashMap<>();
  private final AtomicInteger outstanding = new AtomicInteger();
  private volatile boolean closed;

  /** Why a running query is being stopped. */
  private enum Stop {
    USER,
    TIMEOUT,
    SHUTDOWN
  }

  /** A live execution: its run, session and stop request. */
  private final class Active implements Runnable {
    final Run run;
    final List<Object> values;
    final Long bytesCutoff;
    final CompletableFuture<QueryExecution> done = new CompletableFuture<>();
    final AtomicReference<Stop> stop = new AtomicReference<>();
    volatile SqlSession session;
    volatile ScheduledFuture<?> timeoutTask;
    volatile ScheduledFuture<?> pokeTask;

    Active(Run run, List<Object> values, Long bytesCutoff) {
      this.run = run;
      this.values = values;
      this.bytesCutoff = bytesCutoff;
    }

    @Override
    public void run() {
      execute(this);
    }

    /** Asks the running statement to stop, now and every 100 ms until it has. */
    void requestStop(Stop why) {
      if (!stop.compareAndSet(null, why)) {
        return;
      }
      try {
        pokeTask =
            timers.scheduleWithFixedDelay(
                () -> {
                  SqlSession s = session;
                  if (s != null) {
                    s.cancel();
                  }
                },
                0,
                100,
                TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        SqlSession s = session;
        if (s != null) {
          s.cancel();
        }
      }
    }
  }

  private QueryService(
      QueryServiceConfig config, SqlEngine engine, ObjectStore store, QueryStore db, Clock clock) {
    this.config = config;
    this.engine = engine;
    this.store = store;
    this.db = db;
    this.clock = clock;
    AtomicInteger seq = new AtomicInteger();
    this.workers =
        new ThreadPoolExecutor(
            config.maxConcurrentQueries(),
            config.maxConcurrentQueries(),
            60,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            r -> {
              Thread t = new Thread(r, "basin-query-" + seq.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    this.timers =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "basin-query-timer");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Opens the service: brings its tables in the metadata database up to date, creates the {@value
   * WorkGroup#PRIMARY} workgroup if missing and marks executions left queued or running by a
   * previous server as failed.
   *
   * @param metadata the metadata database (the catalog's)
   * @throws BasinException {@link QueryErrorCode#METADATA_STORE_FAILURE} if the database fails
   */
  public static QueryService open(
      QueryServiceConfig config,
      SqlEngine engine,
      ObjectStore store,
      CatalogConfig metadata,
      Clock clock) {
    try {
      Files.createDirectories(config.workDirectory());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + config.workDirectory(), e);
    }
    QueryStore db = QueryStore.open(metadata);
    try {
      if (db.loadWorkGroup(WorkGroup.PRIMARY) == null) {
        db.insertWorkGroup(
            WorkGroup.named(WorkGroup.PRIMARY)
                .withDescription("The default workgroup")
                .withCreatedAt(clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS)));
      }
      int failed = db.failInterrupted(clock.instant(), INTERRUPTED_REASON);
      if (failed > 0) {
        LOG.atWarn()
            .addKeyValue("executions", failed)
            .log("marked query executions interrupted by the last shutdown as FAILED");
      }
      return new QueryService(config, engine, store, db, clock);
    } catch (RuntimeException e) {
      db.close();
      throw e;
    }
  }

  // ==================================================================== executions

  /**
   * Accepts a query and returns its execution at once, normally {@code QUEUED}. Repeating a request
   * with the same client request token returns the first execution.
   *
   * @throws BasinException {@link QueryErrorCode#INVALID_REQUEST} for a missing, too long or
   *     malformed member (statement, database or workgroup name, parameter, output location whose
   *     bucket does not exist); {@link QueryErrorCode#WORKGROUP_NOT_FOUND}; {@link
   *     QueryErrorCode#IDEMPOTENCY_MISMATCH} when the token was used for a different request;
   *     {@link QueryErrorCode#TOO_MANY_QUERIES} when running and queued queries are at their limits
   */
  public QueryExecution submit(QueryRequest request) {
    ensureOpen();
    String sql = request.sql();
    if (sql == null || sql.isBlank()) {
      throw invalid("the query string is empty; pass the SQL statement to run");
    }
    if (sql.length() > MAX_QUERY_LENGTH) {
      throw invalid(
          "the query string has " + sql.length() + " characters; the limit is " + MAX_QUERY_LENGTH);
    }
    if (request.user().isBlank()) {
      throw invalid("a user is required");
    }
    String database = checkDatabase(request.database(), true);
    WorkGroup wg = enabledWorkGroup(request.workgroup());
    String token = checkToken(request.clientRequestToken());
    OutputLocation location = outputLocation(wg, request.outputLocation());
    List<Object> values = Literals.parse(request.parameters());
    boolean reuse = request.reuseResults() == null || request.reuseResults();
    Duration timeout = request.timeout() == null ? config.defaultTimeout() : request.timeout();
    if (timeout.isNegative() || timeout.isZero()) {
      throw invalid("the timeout must be positive, got " + timeout);
    }
    String fingerprint =
        sha256(
            "submit",
            sql,
            String.valueOf(database),
            wg.name(),
            String.join("\u0001", request.parameters()),
            location.toString(),
            Boolean.toString(reuse));
    if (token != null) {
      Run earlier = db.loadExecutionByToken(token);
      if (earlier != null) {
        return idempotent(earlier, fingerprint);
      }
    }
    if (outstanding.incrementAndGet() > config.maxConcurrentQueries() + config.maxQueuedQueries()) {
      outstanding.decrementAndGet();
      throw new BasinException(
          QueryErrorCode.TOO_MANY_QUERIES,
          "too many queries: "
              + config.maxConcurrentQueries()
              + " are running and "
              + config.maxQueuedQueries()
              + " are queued (query.max-concurrent, query.max-queued); retry after a back-off");
    }
    boolean handedOver = false;
    try {
      String id = UUID.randomUUID().toString();
      Run run =
          new Run(
              id,
              sql,
              SqlText.statementType(sql),
              wg.name(),
              database,
              request.user(),
              request.parameters(),
              token,
              fingerprint,
              reuse,
              now(),
              location.uri(id + ".csv"),
              timeout);
      if (!db.insertExecution(run)) {
        // another submission with the same token won the race
        Run earlier = db.loadExecutionByToken(token);
        if (earlier == null) {
          throw new BasinException(
              QueryErrorCode.METADATA_STORE_FAILURE,
              "query execution " + id + " could not be recorded; retry");
        }
        return idempotent(earlier, fingerprint);
      }
      Active a = new Active(run, values, wg.bytesScannedCutoffPerQuery());
      active.put(id, a);
      try {
        workers.execute(a);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        active.remove(id);
        finish(a, QueryState.FAILED, "the query service is shutting down", internal(e.toString()));
        throw new BasinException(QueryErrorCode.SHUT_DOWN, "the query service is shut down");
      }
      handedOver = true;
      return run.snapshot();
    } finally {
      if (!handedOver) {
        outstanding.decrementAndGet();
      }
    }
  }

  /**
   * Submits a query and waits up to {@code wait} for it to end.
   *
   * @return the execution, final unless {@code wait} ran out first
   * @throws BasinException as {@link #submit}
   */
  public QueryExecution submitAndWait(QueryRequest request, Duration wait) {
    QueryExecution e = submit(request);
    return await(e.id(), wait);
  }

  /**
   * Waits up to {@code wait} for an execution to end.
   *
   * @return the execution, final unless {@code wait} ran out first
   * @throws BasinException {@link QueryErrorCode#QUERY_NOT_FOUND}
   */
  public QueryExecution await(String id, Duration wait) {
    Active a = active.get(id);
    if (a == null) {
      return get(id);
    }
    try {
      return a.done.get(Math.max(0, wait.toMillis()), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      return a.run.snapshot();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return a.run.snapshot();
    } catch (ExecutionException e) {
      throw new IllegalStateException("query worker failed", e.getCause());
    }
  }

  /**
   * The execution's current state.
   *
   * @throws BasinException {@link QueryErrorCode#QUERY_NOT_FOUND}
   */
  public QueryExecution get(String id) {
    return find(id)
        .orElseThrow(
            () ->
                new BasinException(
                    QueryErrorCode.QUERY_NOT_FOUND,
                    "QueryExecution " + id + " was not found; list executions to find its id"));
  }

  /** The execution, if it exists. */
  public Optional<QueryExecution> find(String id) {
    Run r = run(id);
    return r == null ? Optional.empty() : Optional.of(r.snapshot());
  }

  private Run run(String id) {
    if (id == null || id.isEmpty() || id.length() > 128) {
      return null;
    }
    Active a = active.get(id);
    if (a != null) {
      return a.run;
    }
    Run r = db.loadExecution(id);
    if (r != null) {
      Active again = active.get(id);
      return again != null ? again.run : r;
    }
    return null;
  }

  /**
   * The history, newest first: optionally of one workgroup and in one state.
   *
   * @param limit 1–1000 executions per page
   * @param nextToken the token of the previous page, or null
   * @throws BasinException {@link QueryErrorCode#WORKGROUP_NOT_FOUND}, {@link
   *     QueryErrorCode#INVALID_TOKEN}
   */
  public Page<QueryExecution> list(
      String workgroup, QueryState state, int limit, String nextToken) {
    if (limit < 1 || limit > 1000) {
      throw invalid("the page size must be 1..1000, got " + limit);
    }
    if (workgroup != null) {
      workGroup(workgroup);
    }
    PageTokens.HistoryPosition after =
        nextToken == null || nextToken.isEmpty() ? null : PageTokens.parseHistory(nextToken);
    List<QueryExecution> items;
    if (state == QueryState.QUEUED || state == QueryState.RUNNING) {
      // live executions are only in memory in their current state
      items =
          active.values().stream()
              .map(a -> a.run.snapshot())
              .filter(e -> e.state() == state)
              .filter(e -> workgroup == null || e.workgroup().equals(workgroup))
              .filter(e -> after == null || before(e, after))
              .sorted(NEWEST_FIRST)
              .limit(limit + 1L)
              .toList();
    } else {
      items =
          db.listExecutions(workgroup, state, after, limit + 1).stream()
              .map(
                  r -> {
                    Active a = active.get(r.id);
                    return a != null ? a.run.snapshot() : r.snapshot();
                  })
              .toList();
    }
    if (items.size() <= limit) {
      return new Page<>(items, null);
    }
    List<QueryExecution> page = items.subList(0, limit);
    QueryExecution last = page.get(limit - 1);
    return new Page<>(page, PageTokens.history(last.submittedAt().toEpochMilli(), last.id()));
  }

  private static final Comparator<QueryExecution> NEWEST_FIRST =
      Comparator.comparing((QueryExecution e) -> e.submittedAt().toEpochMilli())
          .thenComparing(QueryExecution::id)
          .reversed();

  private static boolean before(QueryExecution e, PageTokens.HistoryPosition p) {
    long t = e.submittedAt().toEpochMilli();
    return t < p.submittedMillis()
        || (t == p.submittedMillis() && e.id().compareTo(p.executionId()) < 0);
  }

  /**
   * Stops an execution: a queued one ends {@code CANCELLED} at once, a running one as soon as the
   * engine notices (its state stays {@code RUNNING} until then). An execution that has ended is
   * left as it is, as Athena does.
   *
   * @return the execution after the request
   * @throws BasinException {@link QueryErrorCode#QUERY_NOT_FOUND}
   */
  public QueryExecution cancel(String id) {
    Active a = active.get(id);
    if (a == null) {
      return get(id);
    }
    a.requestStop(Stop.USER);
    if (workers.remove(a)) {
      finish(a, QueryState.CANCELLED, USER_CANCEL_REASON, null);
      release(a);
    }
    return a.run.snapshot();
  }

  // ==================================================================== results

  /**
   * One page of a succeeded execution's rows, without the header row. The token is the byte offset
   * of the next row in the result file, so each page costs one ranged read.
   *
   * @param nextToken the previous page's token, or null for the first page
   * @param maxResults 1–{@value #MAX_PAGE_ROWS}
   * @throws BasinException {@link QueryErrorCode#QUERY_NOT_FOUND}, {@link
   *     QueryErrorCode#QUERY_NOT_FINISHED}, {@link QueryErrorCode#QUERY_NOT_SUCCEEDED}, {@link
   *     QueryErrorCode#INVALID_TOKEN}, {@link QueryErrorCode#RESULTS_NOT_FOUND}
   */
  public ResultPage results(String id, String nextToken, int maxResults) {
    if (maxResults < 1 || maxResults > MAX_PAGE_ROWS) {
      throw invalid("MaxResults must be 1.." + MAX_PAGE_ROWS + ", got " + maxResults);
    }
    Run r = succeeded(id);
    List<ResultColumn> columns = r.columns();
    if (columns.isEmpty()) {
      return new ResultPage(List.of(), List.of(), null, r.updateCount());
    }
    long offset =
        nextToken == null || nextToken.isEmpty()
            ? r.dataOffset()
            : PageTokens.parseResult(nextToken, id).offset();
    if (offset < r.dataOffset() || offset > r.resultBytes()) {
      throw new BasinException(
          QueryErrorCode.INVALID_TOKEN,
          "NextToken points outside the result of query execution " + id);
    }
    if (offset == r.resultBytes()) {
      return new ResultPage(columns, List.of(), null, r.updateCount());
    }
    OutputLocation loc = locationOf(r);
    String key = keyOf(r);
    ResultCsv.Chunk chunk;
    try (ObjectContent content =
            store.get(loc.bucket(), key, GetOptions.range(ByteRange.from(offset)));
        InputStream in = new BufferedInputStream(content.stream(), 64 * 1024)) {
      chunk = ResultCsv.read(in, maxResults);
    } catch (ObjectStoreException e) {
      throw resultsGone(r, e);
    } catch (IOException e) {
      throw new BasinException(
          QueryErrorCode.RESULTS_NOT_FOUND,
          "the result file " + r.outputLocation() + " cannot be read: " + e.getMessage(),
          e);
    }
    long next = offset + chunk.bytesRead();
    String token = next < r.resultBytes() ? PageTokens.result(id, next) : null;
    return new ResultPage(columns, chunk.rows(), token, r.updateCount());
  }

  /**
   * Opens a succeeded execution's whole result CSV (header row included). The caller closes it.
   *
   * @throws BasinException as {@link #results}; {@link QueryErrorCode#RESULTS_NOT_FOUND} also for a
   *     statement that returns no rows
   */
  public ObjectContent openResults(String id) {
    Run r = succeeded(id);
    if (r.columns().isEmpty()) {
      throw new BasinException(
          QueryErrorCode.RESULTS_NOT_FOUND,
          "query execution "
              + id
              + " returned no rows (it is a "
              + r.statementType
              + " statement)");
    }
    try {
      return store.get(locationOf(r).bucket(), keyOf(r), GetOptions.current());
    } catch (ObjectStoreException e) {
      throw resultsGone(r, e);
    }
  }

  /** The columns of a succeeded execution's result (empty for statements without rows). */
  public List<ResultColumn> resultColumns(String id) {
    return succeeded(id).columns();
  }

  private Run succeeded(String id) {
    Run r = run(id);
    if (r == null) {
      throw new BasinException(
          QueryErrorCode.QUERY_NOT_FOUND,
          "QueryExecution " + id + " was not found; list executions to find its id");
    }
    QueryState s = r.state();
    if (!s.isFinal()) {
      throw new BasinException(
          QueryErrorCode.QUERY_NOT_FINISHED,
          "Query has not yet finished. Current state: " + s + "; poll until it is SUCCEEDED");
    }
    if (s != QueryState.SUCCEEDED) {
      QueryExecution e = r.snapshot();
      throw new BasinException(
          QueryErrorCode.QUERY_NOT_SUCCEEDED,
          "Query did not finish successfully. Final query state: "
              + s
              + (e.stateChangeReason() == null ? "" : ". " + e.stateChangeReason()));
    }
    return r;
  }

  private BasinException resultsGone(Run r, ObjectStoreException e) {
    return new BasinException(
        QueryErrorCode.RESULTS_NOT_FOUND,
        "the result file "
            + r.outputLocation()
            + " of query execution "
            + r.id
            + " is gone ("
            + e.getMessage()
            + "); run the query again",
        e);
  }

  private static OutputLocation locationOf(Run r) {
    String uri = r.outputLocation();
    int slash = uri.lastIndexOf('/');
    return OutputLocation.parse(uri.substring(0, slash + 1));
  }

  private static String keyOf(Run r) {
    String uri = r.outputLocation();
    String rest = uri.substring("s3://".length());
    return rest.substring(rest.indexOf('/') + 1);
  }

  // ==================================================================== dry run

  /**
   * Plans a statement without running it and reports what it would read.
   *
   * @param workgroup the workgroup whose per-query limit to compare with, or null for primary
   * @throws BasinException {@link QueryErrorCode#INVALID_REQUEST}, {@link
   *     QueryErrorCode#WORKGROUP_NOT_FOUND}
   * @throws SqlException when the statement does not plan: a syntax error (with its position), an
   *     unknown database, table or column
   */
  public DryRun dryRun(String sql, String database, String workgroup, String user) {
    ensureOpen();
    if (sql == null || sql.isBlank()) {
      throw invalid("the query string is empty; pass the SQL statement to plan");
    }
    if (sql.length() > MAX_QUERY_LENGTH) {
      throw invalid("the query string is longer than " + MAX_QUERY_LENGTH + " characters");
    }
    String db = checkDatabase(database, true);
    WorkGroup wg = workGroup(workgroup == null ? WorkGroup.PRIMARY : workgroup);
    try (SqlSession session = engine.openSession(new SessionContext(user, db));
        PreparedSql prepared = session.prepare(sql)) {
      List<TableScan> scans = prepared.scans();
      long files = 0;
      long bytes = 0;
      for (TableScan s : scans) {
        files += s.filesPlanned();
        bytes += s.bytesPlanned();
      }
      return new DryRun(
          prepared.kind(),
          SqlText.statementType(sql),
          columns(prepared.columns()),
          scans,
          files,
          bytes,
          wg.bytesScannedCutoffPerQuery(),
          prepared.fileAccess());
    }
  }

  /**
   * What a query would read besides catalog tables, views and its CTEs (files, file-reading table
   * functions, settings), found without opening any file; see {@link SqlSession#fileAccess}.
   *
   * @throws BasinException {@link QueryErrorCode#INVALID_REQUEST}
   * @throws SqlException when the statement does not parse or names an unknown database
   */
  public List<String> fileAccess(String sql, String database, String user) {
    ensureOpen();
    if (sql == null || sql.isBlank()) {
      throw invalid("the query string is empty; pass the SQL statement to plan");
    }
    if (sql.length() > MAX_QUERY_LENGTH) {
      throw invalid("the query string is longer than " + MAX_QUERY_LENGTH + " characters");
    }
    String db = checkDatabase(database, true);
    try (SqlSession session = engine.openSession(new SessionContext(user, db))) {
      return session.fileAccess(sql);
    }
  }

  // ==================================================================== named queries

  /**
   * Saves a query in a workgroup. Repeating a request with the same client request token returns
   * the first one.
   *
   * @throws BasinException {@link QueryErrorCode#INVALID_REQUEST}, {@link
   *     QueryErrorCode#WORKGROUP_NOT_FOUND}, {@link QueryErrorCode#IDEMPOTENCY_MISMATCH}
   */
  public NamedQuery createNamedQuery(NamedQuery.Input in) {
    ensureOpen();
    String name = checkText("Name", in.name(), MAX_NAME, true);
    String description = checkText("Description", in.description(), MAX_DESCRIPTION, false);
    String database = checkDatabase(in.database(), false);
    String sql = checkText("QueryString", in.queryString(), MAX_QUERY_LENGTH, true);
    WorkGroup wg = workGroup(in.workgroup() == null ? WorkGroup.PRIMARY : in.workgroup());
    String token = checkToken(in.clientRequestToken());
    if (token != null) {
      NamedQuery earlier = db.loadNamedQueryByToken(token);
      if (earlier != null) {
        return sameNamed(earlier, name, description, database, sql, wg.name());
      }
    }
    NamedQuery q =
        new NamedQuery(
            UUID.randomUUID().toString(), name, description, database, sql, wg.name(), now());
    if (!db.insertNamedQuery(q, token)) {
      NamedQuery earlier = db.loadNamedQueryByToken(token);
      if (earlier == null) {
        throw new BasinException(
            QueryErrorCode.METADATA_STORE_FAILURE, "named query could not be saved; retry");
      }
      return sameNamed(earlier, name, description, database, sql, wg.name());
    }
    return q;
  }

  private static NamedQuery sameNamed(
      NamedQuery q, String name, String description, String database, String sql, String wg) {
    if (q.name().equals(name)
        && Objects.equals(q.description(), description)
        && q.database().equals(database)
        && q.queryString().equals(sql)
        && q.workgroup().equals(wg)) {
      return q;
    }
    throw new BasinException(
        QueryErrorCode.IDEMPOTENCY_MISMATCH,
        "the ClientRequestToken was used to save a different named query ("
            + q.id()
            + "); use a new token for a new request");
  }

  /**
   * A named query.
   *
   * @throws BasinException {@link QueryErrorCode#NAMED_QUERY_NOT_FOUND}
   */
  public NamedQuery namedQuery(String id) {
    return findNamedQuery(id)
        .orElseThrow(
            () ->
                new BasinException(
                    QueryErrorCode.NAMED_QUERY_NOT_FOUND,
                    "named query " + id + " was not found; list named queries to find its id"));
  }

  public Optional<NamedQuery> findNamedQuery(String id) {
    if (id == null || id.isEmpty() || id.length() > 128) {
      return Optional.empty();
    }
    return Optional.ofNullable(db.loadNamedQuery(id));
  }

  /**
   * A workgroup's named queries, oldest first.
   *
   * @param limit 1–1000 per page
   * @throws BasinException {@link QueryErrorCode#WORKGROUP_NOT_FOUND}, {@link
   *     QueryErrorCode#INVALID_TOKEN}
   */
  public Page<NamedQuery> listNamedQueries(String workgroup, int limit, String nextToken) {
    if (limit < 1 || limit > 1000) {
      throw invalid("the page size must be 1..1000, got " + limit);
    }
    WorkGroup wg = workGroup(workgroup == null ? WorkGroup.PRIMARY : workgroup);
    int offset =
        nextToken == null || nextToken.isEmpty() ? 0 : PageTokens.parseOffset("n1", nextToken);
    List<NamedQuery> items = db.listNamedQueries(wg.name(), offset, limit + 1);
    if (items.size() <= limit) {
      return new Page<>(items, null);
    }
    return new Page<>(items.subList(0, limit), PageTokens.offset("n1", offset + limit));
  }

  /**
   * Changes a named query's name, description and statement.
   *
   * @throws BasinException {@link QueryErrorCode#NAMED_QUERY_NOT_FOUND}, {@link
   *     QueryErrorCode#INVALID_REQUEST}
   */
  public NamedQuery updateNamedQuery(String id, String name, String description, String sql) {
    NamedQuery q = namedQuery(id);
    NamedQuery updated =
        new NamedQuery(
            q.id(),
            checkText("Name", name, MAX_NAME, true),
            checkText("Description", description, MAX_DESCRIPTION, false),
            q.database(),
            checkText("QueryString", sql, MAX_QUERY_LENGTH, true),
            q.workgroup(),
            q.createdAt());
    db.updateNamedQuery(updated);
    return updated;
  }

  /**
   * Deletes a named query.
   *
   * @throws BasinException {@link QueryErrorCode#NAMED_QUERY_NOT_FOUND}
   */
  public void deleteNamedQuery(String id) {
    namedQuery(id);
    db.deleteNamedQuery(id);
  }

  // ==================================================================== workgroups

  /**
   * Creates a workgroup.
   *
   * @throws BasinException {@link QueryErrorCode#INVALID_REQUEST}, {@link
   *     QueryErrorCode#WORKGROUP_EXISTS}
   */
  public WorkGroup createWorkGroup(WorkGroup spec) {
    ensureOpen();
    String name = checkWorkGroupName(spec.name());
    WorkGroup w =
        new WorkGroup(
            name,
            checkText("Description", spec.description(), MAX_DESCRIPTION, false),
            spec.enabled(),
            spec.outputLocation() == null
                ? null
                : OutputLocation.parse(spec.outputLocation()).toString(),
            checkCutoff(spec.bytesScannedCutoffPerQuery()),
            spec.enforceConfiguration(),
            now());
    if (!db.insertWorkGroup(w)) {
      throw new BasinException(
          QueryErrorCode.WORKGROUP_EXISTS,
          "WorkGroup " + name + " is already created; update it or choose another name");
    }
    return w;
  }

  /**
   * A workgroup.
   *
   * @throws BasinException {@link QueryErrorCode#WORKGROUP_NOT_FOUND}, {@link
   *     QueryErrorCode#INVALID_REQUEST} for a malformed name
   */
  public WorkGroup workGroup(String name) {
    String n = checkWorkGroupName(name);
    WorkGroup w = db.loadWorkGroup(n);
    if (w == null) {
      throw new BasinException(
          QueryErrorCode.WORKGROUP_NOT_FOUND,
          "WorkGroup " + n + " is not found; create it first or use " + WorkGroup.PRIMARY);
    }
    return w;
  }

  /**
   * Workgroups in name order.
   *
   * @param limit 1–1000 per page
   */
  public Page<WorkGroup> listWorkGroups(int limit, String nextToken) {
    if (limit < 1 || limit > 1000) {
      throw invalid("the page size must be 1..1000, got " + limit);
    }
    int offset =
        nextToken == null || nextToken.isEmpty() ? 0 : PageTokens.parseOffset("w1", nextToken);
    List<WorkGroup> items = db.listWorkGroups(offset, limit + 1);
    if (items.size() <= limit) {
      return new Page<>(items, null);
    }
    return new Page<>(items.subList(0, limit), PageTokens.offset("w1", offset + limit));
  }

  /**
   * Changes a workgroup's settings; queries already submitted keep the settings they started with.
   *
   * @throws BasinException {@link QueryErrorCode#WORKGROUP_NOT_FOUND}, {@link
   *     QueryErrorCode#INVALID_REQUEST}
   */
  public WorkGroup updateWorkGroup(String name, WorkGroup.Update u) {
    WorkGroup w = workGroup(name);
    if (u.description() != null) {
      w = w.withDescription(checkText("Description", u.description(), MAX_DESCRIPTION, false));
    }
    if (u.enabled() != null) {
      w = w.withEnabled(u.enabled());
    }
    if (u.removeOutputLocation()) {
      w = w.withOutputLocation(null);
    } else if (u.outputLocation() != null) {
      w = w.withOutputLocation(OutputLocation.parse(u.outputLocation()).toString());
    }
    if (u.removeBytesScannedCutoff()) {
      w = w.withBytesScannedCutoffPerQuery(null);
    } else if (u.bytesScannedCutoffPerQuery() != null) {
      w = w.withBytesScannedCutoffPerQuery(checkCutoff(u.bytesScannedCutoffPerQuery()));
    }
    if (u.enforceConfiguration() != null) {
      w = w.withEnforceConfiguration(u.enforceConfiguration());
    }
    db.updateWorkGroup(w);
    return w;
  }

  /**
   * Deletes a workgroup. Without {@code recursive} it must hold no named queries and no history;
   * with it, they are deleted too (result files stay in the lake).
   *
   * @throws BasinException {@link QueryErrorCode#WORKGROUP_NOT_FOUND}; {@link
   *     QueryErrorCode#INVALID_REQUEST} for {@value WorkGroup#PRIMARY}; {@link
   *     QueryErrorCode#WORKGROUP_IN_USE} when it is not empty or queries run in it
   */
  public void deleteWorkGroup(String name, boolean recursive) {
    WorkGroup w = workGroup(name);
    if (w.name().equals(WorkGroup.PRIMARY)) {
      throw invalid("the primary workgroup cannot be deleted");
    }
    for (Active a : active.values()) {
      if (a.run.workgroup.equals(w.name())) {
        throw new BasinException(
            QueryErrorCode.WORKGROUP_IN_USE,
            "WorkGroup "
                + w.name()
                + " has queries queued or running (e.g. "
                + a.run.id
                + "); wait for them or stop them first");
      }
    }
    if (!recursive) {
      long named = db.countNamedQueries(w.name());
      long history = db.countExecutions(w.name());
      if (named > 0 || history > 0) {
        throw new BasinException(
            QueryErrorCode.WORKGROUP_IN_USE,
            "WorkGroup "
                + w.name()
                + " holds "
                + named
                + " named queries and "
                + history
                + " query executions; delete it recursively to delete them too");
      }
    }
    db.deleteWorkGroup(w.name());
  }

  // ==================================================================== the worker

  private void execute(Active a) {
    Run r = a.run;
    try {
      if (a.stop.get() != null) {
        stopped(a);
        return;
      }
      r.started(now());
      a.timeoutTask =
          timers.schedule(
              () -> a.requestStop(Stop.TIMEOUT), r.timeout.toMillis(), TimeUnit.MILLISECONDS);
      try (SqlSession session = engine.openSession(new SessionContext(r.user, r.database))) {
        a.session = session;
        try {
          runIn(session, a);
        } finally {
          // no stop request may reach the session once it closes
          a.session = null;
        }
      }
    } catch (SqlException e) {
      if (e.state() == SqlState.QUERY_CANCELED && a.stop.get() != null) {
        stopped(a);
      } else {
        finish(a, QueryState.FAILED, e.getMessage(), sqlError(r, e));
      }
    } catch (RuntimeException | Error e) {
      LOG.atError()
          .addKeyValue("execution", r.id)
          .setCause(e)
          .log("query execution failed unexpectedly");
      finish(
          a,
          QueryState.FAILED,
          "Basin failed while running the query: " + e.getMessage(),
          internal(String.valueOf(e.getMessage())));
    } finally {
      release(a);
    }
  }

  /** Plans and runs the statement in its session; ends the run unless it throws. */
  private void runIn(SqlSession session, Active a) {
    Run r = a.run;
    if (a.stop.get() != null) {
      stopped(a);
      return;
    }
    long t0 = System.nanoTime();
    try (PreparedSql prepared = session.prepare(r.sql)) {
      r.planned(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
      List<TableScan> scans = prepared.scans();
      long planned = 0;
      for (TableScan s : scans) {
        planned += s.bytesPlanned();
      }
      String cacheKey = cacheKey(r, prepared, scans);
      if (cacheKey != null && reuse(a, cacheKey)) {
        return;
      }
      if (a.bytesCutoff != null && planned > a.bytesCutoff) {
        finish(a, QueryState.CANCELLED, BYTES_LIMIT_REASON, null);
        return;
      }
      if (a.stop.get() != null) {
        stopped(a);
        return;
      }
      try (ResultCursor cursor = prepared.execute(a.values)) {
        writeResults(a, cursor, planned);
      }
      // A write that returned has committed: report it as done even if a stop came meanwhile,
      // or a retry would apply it twice.
      if (a.stop.get() != null && prepared.kind() == dev.basin.spi.sql.StatementKind.QUERY) {
        stopped(a);
        return;
      }
      if (finish(a, QueryState.SUCCEEDED, null, null) && cacheKey != null) {
        db.putCache(cacheKey, r.id, r.workgroup, now());
      }
    }
  }

  private void stopped(Active a) {
    Stop why = a.stop.get();
    if (why == Stop.TIMEOUT) {
      String limit = describe(a.run.timeout);
      String msg =
          "Query timeout: it ran longer than its limit of "
              + limit
              + " (query.timeout); narrow the query or raise the limit";
      finish(a, QueryState.FAILED, msg, new QueryError(QueryError.SYSTEM, 206, "57014", msg, true));
    } else if (why == Stop.SHUTDOWN) {
      String msg = "the Basin server shut down while the query ran; run it again";
      finish(a, QueryState.FAILED, msg, internal(msg));
    } else {
      finish(a, QueryState.CANCELLED, USER_CANCEL_REASON, null);
    }
  }

  /** Ends a run, persists it and returns whether this call ended it. */
  private boolean finish(Active a, QueryState state, String reason, QueryError error) {
    if (!a.run.end(state, reason, error, now())) {
      return false;
    }
    try {
      db.updateExecution(a.run);
    } catch (RuntimeException e) {
      LOG.atError()
          .addKeyValue("execution", a.run.id)
          .setCause(e)
          .log("cannot record the end of a query execution; it shows as FAILED after a restart");
    }
    return true;
  }

  private void release(Active a) {
    ScheduledFuture<?> t = a.timeoutTask;
    if (t != null) {
      t.cancel(false);
    }
    ScheduledFuture<?> p = a.pokeTask;
    if (p != null) {
      p.cancel(false);
    }
    a.session = null;
    if (active.remove(a.run.id, a)) {
      outstanding.decrementAndGet();
    }
    a.done.complete(a.run.snapshot());
  }

  private void writeResults(Active a, ResultCursor cursor, long planned) {
    Run r = a.run;
    List<SqlColumn> engineColumns = cursor.columns();
    if (engineColumns.isEmpty()) {
      r.results(
          List.of(),
          0,
          0,
          0,
          scanned(cursor.scans(), planned),
          cursor.updateCount(),
          r.outputLocation(),
          null);
      return;
    }
    List<ResultColumn> columns = columns(engineColumns);
    Path tmp = config.workDirectory().resolve(r.id + ".csv");
    try {
      long rows = 0;
      long dataOffset;
      try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 64 * 1024)) {
        ResultCsv.Writer w = new ResultCsv.Writer(out);
        List<String> header = new ArrayList<>(columns.size());
        for (ResultColumn c : columns) {
          header.add(c.name());
        }
        w.row(header);
        dataOffset = w.bytes();
        int n = columns.size();
        List<String> values = new ArrayList<>(n);
        while (cursor.next()) {
          if (a.stop.get() != null) {
            throw new SqlException(SqlState.QUERY_CANCELED, "stopped");
          }
          values.clear();
          for (int i = 0; i < n; i++) {
            values.add(AthenaTypes.format(cursor.value(i)));
          }
          w.row(values);
          rows++;
        }
      }
      long size = Files.size(tmp);
      if (a.stop.get() != null) {
        return;
      }
      OutputLocation loc = locationOf(r);
      try (InputStream in = Files.newInputStream(tmp)) {
        store.put(
            loc.bucket(),
            keyOf(r),
            in,
            size,
            PutOptions.of(ObjectMetadata.ofContentType("text/csv; charset=utf-8")));
      }
      byte[] metadata = metadata(r, columns, rows, dataOffset, size);
      store.put(
          loc.bucket(),
          keyOf(r) + ".metadata",
          new ByteArrayInputStream(metadata),
          metadata.length,
          PutOptions.of(ObjectMetadata.ofContentType("application/json")));
      r.results(
          columns,
          rows,
          dataOffset,
          size,
          scanned(cursor.scans(), planned),
          cursor.updateCount(),
          r.outputLocation(),
          null);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the result file of " + r.id, e);
    } finally {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException e) {
        LOG.atWarn().addKeyValue("file", tmp).setCause(e).log("cannot remove a temporary file");
      }
    }
  }

  private static byte[] metadata(
      Run r, List<ResultColumn> columns, long rows, long dataOffset, long size) {
    ObjectNode json = Json.mapper().createObjectNode();
    json.put("queryExecutionId", r.id);
    json.put("statementType", r.statementType);
    json.put("rows", rows);
    json.put("headerBytes", dataOffset);
    json.put("bytes", size);
    ArrayNode cols = json.putArray("columns");
    for (ResultColumn c : columns) {
      ObjectNode o = cols.addObject();
      o.put("name", c.name());
      o.put("type", c.type());
      o.put("precision", c.precision());
      o.put("scale", c.scale());
      o.put("nullable", c.nullable() ? "NULLABLE" : "NOT_NULL");
      o.put("engineType", c.engineType());
    }
    return json.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static long scanned(List<TableScan> scans, long planned) {
    if (scans == null || scans.isEmpty()) {
      return planned;
    }
    long sum = 0;
    for (TableScan s : scans) {
      sum += s.bytesPlanned();
    }
    return sum;
  }

  /** The result cache key, or null when the statement must not be answered from a cache. */
  private String cacheKey(Run r, PreparedSql prepared, List<TableScan> scans) {
    if (!r.reuseEnabled
        || config.resultReuseMaxAge().isZero()
        || prepared.kind() != StatementKind.QUERY
        || prepared.columns().isEmpty()
        || !SqlText.isDeterministicQuery(r.sql)) {
      return null;
    }
    List<String> parts = new ArrayList<>();
    parts.add("cache-v1");
    parts.add(SqlText.normalize(r.sql));
    parts.add(String.valueOf(r.database));
    parts.add(r.workgroup);
    parts.add(String.join("\u0001", r.parameters));
    scans.stream().map(s -> s.table() + "\u0001" + s.version()).sorted().forEach(parts::add);
    return sha256(parts.toArray(new String[0]));
  }

  /** Answers the run from a cached result if there is a usable one. */
  private boolean reuse(Active a, String cacheKey) {
    Instant since = now().minus(config.resultReuseMaxAge());
    String id = db.cachedExecution(cacheKey, since);
    if (id == null) {
      return false;
    }
    Run source = db.loadExecution(id);
    if (source == null
        || source.state() != QueryState.SUCCEEDED
        || source.columns().isEmpty()
        || !resultExists(source)) {
      db.removeCache(cacheKey);
      return false;
    }
    String root = source.reusedFrom() != null ? source.reusedFrom() : source.id;
    a.run.results(
        source.columns(),
        source.rows(),
        source.dataOffset(),
        source.resultBytes(),
        0,
        -1,
        source.outputLocation(),
        root);
    finish(a, QueryState.SUCCEEDED, null, null);
    return true;
  }

  private boolean resultExists(Run r) {
    try {
      store.head(locationOf(r).bucket(), keyOf(r), null);
      return true;
    } catch (ObjectStoreException e) {
      return false;
    }
  }

  private static QueryError sqlError(Run r, SqlException e) {
    int category = QueryError.USER;
    int type;
    boolean retryable = false;
    switch (e.state()) {
      case DATA_EXCEPTION:
      case INVALID_PARAMETER_VALUE:
        type = 1001;
        break;
      case SERIALIZATION_FAILURE:
        type = 1000;
        retryable = true;
        break;
      case INTERNAL_ERROR:
        category = QueryError.SYSTEM;
        type = 200;
        break;
      case LIMIT_EXCEEDED:
        type = 0;
        break;
      default:
        type = "DDL".equals(r.statementType) ? 1003 : 1000;
    }
    return new QueryError(category, type, e.state().code(), e.getMessage(), retryable);
  }

  private static QueryError internal(String message) {
    return new QueryError(QueryError.SYSTEM, 100, SqlState.INTERNAL_ERROR.code(), message, true);
  }

  private static List<ResultColumn> columns(List<SqlColumn> engineColumns) {
    List<ResultColumn> out = new ArrayList<>(engineColumns.size());
    for (SqlColumn c : engineColumns) {
      out.add(AthenaTypes.column(c));
    }
    return out;
  }

  // ==================================================================== validation

  private QueryExecution idempotent(Run earlier, String fingerprint) {
    if (!earlier.fingerprint.equals(fingerprint)) {
      throw new BasinException(
          QueryErrorCode.IDEMPOTENCY_MISMATCH,
          "the ClientRequestToken was used for a different request (query execution "
              + earlier.id
              + "); use a new token for a new request");
    }
    Active a = active.get(earlier.id);
    return a != null ? a.run.snapshot() : earlier.snapshot();
  }

  private WorkGroup enabledWorkGroup(String name) {
    WorkGroup wg = workGroup(name == null || name.isEmpty() ? WorkGroup.PRIMARY : name);
    if (!wg.enabled()) {
      throw invalid("WorkGroup " + wg.name() + " is disabled; enable it or use another workgroup");
    }
    return wg;
  }

  private OutputLocation outputLocation(WorkGroup wg, String requested) {
    String uri;
    if (wg.outputLocation() != null && (wg.enforceConfiguration() || requested == null)) {
      uri = wg.outputLocation();
    } else if (requested != null) {
      uri = requested;
    } else {
      uri = config.defaultOutputLocation();
    }
    OutputLocation loc = OutputLocation.parse(uri);
    if (store.bucket(loc.bucket()).isEmpty()) {
      throw invalid(
          "Unable to verify/create output bucket "
              + loc.bucket()
              + ": it does not exist; create it (basin s3 mb s3://"
              + loc.bucket()
              + ") or choose another output location");
    }
    return loc;
  }

  private static String checkWorkGroupName(String name) {
    if (name == null || !WORKGROUP_NAME.matcher(name).matches()) {
      throw invalid(
          "invalid workgroup name " + shown(name) + ": use 1-128 letters, digits, '.', '_' or '-'");
    }
    return name;
  }

  private static String checkDatabase(String database, boolean optional) {
    if (database == null || database.isEmpty()) {
      if (optional) {
        return null;
      }
      throw invalid("a database is required");
    }
    if (!DATABASE_NAME.matcher(database).matches()) {
      throw invalid(
          "invalid database name "
              + shown(database)
              + ": use 1-255 letters, digits, '_' or '-' (as the catalog names them)");
    }
    return database;
  }

  private static String checkToken(String token) {
    if (token == null) {
      return null;
    }
    if (token.length() < 32 || token.length() > 128) {
      throw invalid(
          "ClientRequestToken must have 32-128 characters, got "
              + token.length()
              + " (a UUID will do)");
    }
    return token;
  }

  private static Long checkCutoff(Long cutoff) {
    if (cutoff != null && cutoff < 1) {
      throw invalid("BytesScannedCutoffPerQuery must be a positive number of bytes, got " + cutoff);
    }
    return cutoff;
  }

  private static String checkText(String member, String value, int max, boolean required) {
    if (value == null || value.isEmpty()) {
      if (required) {
        throw invalid(member + " is required");
      }
      return null;
    }
    if (value.length() > max) {
      throw invalid(member + " has " + value.length() + " characters; the limit is " + max);
    }
    return value;
  }

  private static String shown(String s) {
    if (s == null) {
      return "null";
    }
    return "'" + (s.length() > 80 ? s.substring(0, 77) + "..." : s) + "'";
  }

  private static BasinException invalid(String message) {
    return new BasinException(QueryErrorCode.INVALID_REQUEST, message);
  }

  private void ensureOpen() {
    if (closed) {
      throw new BasinException(QueryErrorCode.SHUT_DOWN, "the query service is shut down");
    }
  }

  private static String describe(Duration d) {
    long s = d.toSeconds();
    if (s % 3600 == 0 && s > 0) {
      return (s / 3600) + " h";
    }
    if (s % 60 == 0 && s > 0) {
      return (s / 60) + " min";
    }
    return s > 0 ? s + " s" : d.toMillis() + " ms";
  }

  private static String sha256(String... parts) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (String p : parts) {
        md.update(p.getBytes(StandardCharsets.UTF_8));
        md.update((byte) 0);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from the JDK", e);
    }
  }

  /** The clock's time at millisecond precision, as the history stores it. */
  private Instant now() {
    return clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
  }

  /** Queries queued or running now. */
  public int outstanding() {
    return outstanding.get();
  }

  /** The settings the service runs with. */
  public QueryServiceConfig config() {
    return config;
  }

  /**
   * Stops accepting queries, stops running ones (they end {@code FAILED}, as do queued ones) and
   * releases the metadata database. Idempotent.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    workers.shutdown();
    List<Runnable> queued = new ArrayList<>();
    workers.getQueue().drainTo(queued);
    for (Runnable q : queued) {
      if (q instanceof Active a) {
        a.stop.compareAndSet(null, Stop.SHUTDOWN);
        stopped(a);
        release(a);
      }
    }
    for (Active a : active.values()) {
      a.requestStop(Stop.SHUTDOWN);
    }
    try {
      if (!workers.awaitTermination(10, TimeUnit.SECONDS)) {
        LOG.warn("query workers did not stop within 10 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    timers.shutdownNow();
    db.close();
  }
}
