package dev.basin.etl.run;

import com.fasterxml.jackson.databind.JsonNode;
import dev.basin.catalog.CatalogConfig;
import dev.basin.catalog.LakeCatalog;
import dev.basin.common.error.BasinException;
import dev.basin.common.json.Json;
import dev.basin.etl.job.JobDefinition;
import dev.basin.etl.job.JobParser;
import dev.basin.spi.sql.SqlException;
import dev.basin.spi.storage.ObjectStore;
import dev.basin.sql.DuckDbSession;
import dev.basin.sql.DuckDbSqlEngine;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Glue-style ETL jobs: stores job definitions (YAML or JSON DAGs), starts runs on a small worker
 * pool, tracks their states (STARTING → RUNNING → SUCCEEDED | FAILED | TIMEOUT | STOPPED), per-node
 * row counts, logs and data-quality results, retries failed runs up to the job's {@code
 * maxRetries}, enforces its timeout, and keeps job bookmarks (reset and rewind included).
 *
 * <p>A run that was cut short by a server stop is marked FAILED when the service opens again; the
 * objects it had written under prefix targets are deleted, and its bookmark epoch (if any) stays
 * pending so that the next run processes exactly the same input.
 *
 * <p>Thread-safe.
 */
public final class JobService implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(JobService.class);

  /** A stored job. */
  public record JobInfo(
      String name, JobDefinition definition, String sourceText, Instant created, Instant updated) {}

  /**
   * The bookmark of a job.
   *
   * @param job the job
   * @param committedEpochs epochs committed so far
   * @param pendingEpoch an epoch recorded by a run that did not finish, or null
   * @param lastRunId the run that committed the last epoch, or null
   */
  public record BookmarkState(
      String job, int committedEpochs, Long pendingEpoch, String lastRunId) {}

  /** What executions need. */
  record Context(
      DuckDbSqlEngine engine,
      LakeCatalog catalog,
      ObjectStore objects,
      JobStore store,
      Clock clock,
      Path staging) {
    Targets targets(DuckDbSession session) {
      return new Targets(catalog, objects, session, staging);
    }
  }

  private final Context ctx;
  private final ExecutorService workers;
  private final ScheduledExecutorService timers;
  private final Map<String, Handle> active = new ConcurrentHashMap<>();
  private volatile boolean closed;

  private JobService(Context ctx, int workers) {
    this.ctx = ctx;
    this.workers =
        Executors.newFixedThreadPool(
            workers,
            r -> {
              Thread t = new Thread(r, "basin-job-worker");
              t.setDaemon(true);
              return t;
            });
    this.timers =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "basin-job-timer");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Opens the service: its tables in the catalog's metadata database, and recovery of runs a stop
   * cut short.
   *
   * @param workers runs executed at the same time (more wait in STARTING)
   */
  public static JobService open(
      CatalogConfig catalogConfig,
      DuckDbSqlEngine engine,
      ObjectStore objects,
      Clock clock,
      int workers) {
    JobStore store = JobStore.open(catalogConfig);
    Path staging = engine.config().workDirectory().resolve("etl-staging");
    JobService s =
        new JobService(
            new Context(engine, engine.catalog(), objects, store, clock, staging),
            Math.max(1, workers));
    s.recover();
    return s;
  }

  // ------------------------------------------------------------------ jobs

  /**
   * Creates a job from YAML or JSON text.
   *
   * @throws BasinException {@code INVALID_JOB} (with the node and field) or {@code JOB_EXISTS}
   */
  public JobInfo create(String text) {
    JobDefinition def = JobParser.parse(text);
    requireRunnable(def);
    if (!ctx.store()
        .insertJob(def.name(), Json.write(JobParser.toJson(def)), text, ctx.clock().instant())) {
      throw new BasinException(
          RunErrorCode.JOB_EXISTS,
          "job '" + def.name() + "' exists; update it, or delete it first");
    }
    return get(def.name());
  }

  /** Creates a job from the API's JSON body. */
  public JobInfo create(JsonNode json) {
    return create(Json.write(json));
  }

  /**
   * Replaces a job's definition. The bookmark stays (Glue invalidates it when sources change; here
   * sources are tracked by node id, so renaming a source node starts it from scratch).
   */
  public JobInfo update(String name, String text) {
    JobDefinition def = JobParser.parse(text);
    requireRunnable(def);
    if (!def.name().equals(name)) {
      throw new BasinException(
          RunErrorCode.INVALID_REQUEST,
          "the definition names job '" + def.name() + "' but the request updates '" + name + "'");
    }
    if (!ctx.store()
        .updateJob(name, Json.write(JobParser.toJson(def)), text, ctx.clock().instant())) {
      throw notFound(name);
    }
    return get(name);
  }

  /** Deletes a job, its runs and its bookmark. Refused while it runs. */
  public void delete(String name) {
    get(name);
    for (Handle h : active.values()) {
      if (h.job.equals(name) && !h.run.state().terminal()) {
        throw new BasinException(
            RunErrorCode.INVALID_STATE,
            "job '" + name + "' is running (run " + h.runId + "); stop it first");
      }
    }
    if (!ctx.store().deleteJob(name)) {
      throw notFound(name);
    }
  }

  public JobInfo get(String name) {
    return find(name).orElseThrow(() -> notFound(name));
  }

  public Optional<JobInfo> find(String name) {
    return ctx.store().job(name).map(JobService::info);
  }

  public List<JobInfo> list() {
    return ctx.store().jobs().stream().map(JobService::info).toList();
  }

  private static JobInfo info(JobStore.StoredJob j) {
    return new JobInfo(
        j.name(),
        JobParser.parseJson(Json.read(j.definition(), JsonNode.class)),
        j.sourceText(),
        j.created(),
        j.updated());
  }

  /** Bookmarked runs of one job must not overlap: they would claim the same unseen input. */
  private static void requireRunnable(JobDefinition def) {
    if (def.settings().bookmarks() != dev.basin.etl.job.BookmarkOption.DISABLE
        && def.settings().maxConcurrentRuns() > 1) {
      throw new BasinException(
          RunErrorCode.INVALID_REQUEST,
          "job '"
              + def.name()
              + "': bookmarks need maxConcurrentRuns: 1 (concurrent runs would claim the same new"
              + " input); lower maxConcurrentRuns or disable bookmarks");
    }
  }

  private static BasinException notFound(String name) {
    return new BasinException(
        RunErrorCode.JOB_NOT_FOUND,
        "job '" + name + "' does not exist; ./basin job list shows the jobs");
  }

  // ------------------------------------------------------------------ runs

  /**
   * Starts a run.
   *
   * @param arguments run arguments over the job's defaults
   * @param trigger who starts it ({@code manual}, {@code schedule}, …)
   * @throws BasinException {@code JOB_NOT_FOUND}, {@code CONCURRENT_RUNS_EXCEEDED}
   */
  public JobRun start(String name, Map<String, String> arguments, String trigger) {
    JobInfo job = get(name);
    return start(job, arguments == null ? Map.of() : arguments, trigger, 0, null);
  }

  private JobRun start(
      JobInfo job, Map<String, String> arguments, String trigger, int attempt, String previous) {
    if (closed) {
      throw new BasinException(RunErrorCode.SHUT_DOWN, "the job service is shut down");
    }
    String id = newRunId();
    JobRun run =
        new JobRun(
            id,
            job.name(),
            attempt,
            previous,
            trigger,
            RunState.STARTING,
            arguments,
            ctx.clock().instant(),
            null,
            null,
            null,
            0,
            0,
            List.of(),
            List.of());
    int max = job.definition().settings().maxConcurrentRuns();
    if (!ctx.store().insertRun(run, max)) {
      throw new BasinException(
          RunErrorCode.CONCURRENT_RUNS_EXCEEDED,
          "job '"
              + job.name()
              + "' already runs "
              + max
              + " time(s) (maxConcurrentRuns); wait for a run to end or stop one");
    }
    Handle h = new Handle(run, job.definition());
    active.put(id, h);
    h.log(
        "INFO",
        "run "
            + id
            + " of job '"
            + job.name()
            + "' accepted (attempt "
            + (attempt + 1)
            + ", trigger "
            + trigger
            + ")");
    Duration timeout = job.definition().settings().timeout();
    h.timer = timers.schedule(() -> h.timeOut(timeout), timeout.toMillis(), TimeUnit.MILLISECONDS);
    workers.execute(() -> execute(h));
    return run;
  }

  private void execute(Handle h) {
    JobExecution exec = new JobExecution(ctx, h, h.definition, h.run.arguments());
    RunState end = RunState.FAILED;
    String error = null;
    try {
      h.transition(RunState.RUNNING, null);
      exec.execute();
      end = RunState.SUCCEEDED;
      h.forgetPending();
    } catch (Throwable e) {
      RunState requested = h.requested;
      if (requested != null) {
        end = requested;
        error = requested == RunState.TIMEOUT ? h.timeoutMessage : "stopped on request";
      } else {
        end = RunState.FAILED;
        error = message(e);
        if (!(e instanceof BasinException) && !(e instanceof SqlException)) {
          LOG.warn("job run {} failed", h.runId, e);
        }
      }
      try {
        h.log("ERROR", error);
        cleanupPending(h.runId);
      } catch (RuntimeException cleanup) {
        LOG.warn("job run {}: cleanup after the failure failed", h.runId, cleanup);
      }
    } finally {
      if (h.timer != null) {
        h.timer.cancel(false);
      }
      try {
        h.finish(end, error, exec.metrics(), exec.quality());
      } catch (RuntimeException e) {
        LOG.error(
            "job run {}: cannot record its end ({}); a restart marks it FAILED", h.runId, end, e);
      } finally {
        active.remove(h.runId);
      }
    }
    if (end == RunState.FAILED
        && h.run.attempt() < h.definition.settings().maxRetries()
        && !closed) {
      try {
        JobInfo job = get(h.job);
        JobRun retry = start(job, h.run.arguments(), "retry", h.run.attempt() + 1, h.runId);
        h.log("INFO", "retrying as run " + retry.id());
      } catch (RuntimeException e) {
        LOG.warn("job run {}: cannot retry: {}", h.runId, e.getMessage());
      }
    }
  }

  private static String message(Throwable e) {
    if (e instanceof BasinException || e instanceof SqlException) {
      return e.getMessage();
    }
    return e.getClass().getSimpleName() + ": " + e.getMessage();
  }

  /** Deletes objects a run wrote under prefix targets but did not commit. */
  private void cleanupPending(String runId) {
    for (JobStore.PendingFiles p : ctx.store().pendingFiles(runId)) {
      try {
        int n =
            new Targets(ctx.catalog(), ctx.objects(), null, ctx.staging())
                .deleteTagged(p.prefixUri(), p.tag());
        if (n > 0) {
          LOG.info("run {}: deleted {} uncommitted object(s) under {}", runId, n, p.prefixUri());
        }
        ctx.store().forgetPendingFiles(runId, p.target());
      } catch (RuntimeException e) {
        LOG.warn("run {}: cannot delete uncommitted objects under {}", runId, p.prefixUri(), e);
      }
    }
  }

  /** Marks runs a stop cut short as FAILED, cleans up after them and retries when allowed. */
  private void recover() {
    for (JobRun r : ctx.store().unfinishedRuns()) {
      String msg = "the server stopped during the run; the next run resumes its bookmark epoch";
      JobRun failed =
          r.finished(RunState.FAILED, ctx.clock().instant(), msg, r.nodes(), r.quality());
      ctx.store().updateRun(failed);
      long seq = ctx.store().lastLogSeq(r.id()) + 1;
      ctx.store().appendLog(r.id(), seq, ctx.clock().instant(), "ERROR", msg);
      cleanupPending(r.id());
      LOG.info("job run {} of '{}' was cut short by a stop; marked FAILED", r.id(), r.job());
      Optional<JobInfo> job = find(r.job());
      if (job.isPresent() && r.attempt() < job.get().definition().settings().maxRetries()) {
        start(job.get(), r.arguments(), "retry", r.attempt() + 1, r.id());
      }
    }
  }

  public JobRun run(String job, String runId) {
    JobRun r = run(runId);
    if (!r.job().equals(job)) {
      throw runNotFound(job, runId);
    }
    return r;
  }

  public JobRun run(String runId) {
    Handle h = active.get(runId);
    if (h != null) {
      return h.run;
    }
    return ctx.store().run(runId).orElseThrow(() -> runNotFound(null, runId));
  }

  private static BasinException runNotFound(String job, String runId) {
    return new BasinException(
        RunErrorCode.RUN_NOT_FOUND,
        "run '"
            + runId
            + "' does not exist"
            + (job == null ? "" : " for job '" + job + "'")
            + "; ./basin job runs JOB lists them");
  }

  /** The job's runs, newest first. */
  public List<JobRun> runs(String job, int limit) {
    get(job);
    List<JobRun> out = new ArrayList<>();
    for (JobRun r : ctx.store().runs(job, Math.max(1, Math.min(limit, 1000)))) {
      Handle h = active.get(r.id());
      out.add(h == null ? r : h.run);
    }
    return out;
  }

  /** A run's log lines after {@code afterSeq}. */
  public List<RunLogEntry> logs(String runId, long afterSeq, int limit) {
    run(runId);
    return ctx.store().logs(runId, afterSeq, Math.max(1, Math.min(limit, 10_000)));
  }

  /** Asks a run to stop; it ends STOPPED at its next step (a running statement is cancelled). */
  public JobRun stop(String runId) {
    Handle h = active.get(runId);
    if (h == null) {
      JobRun r = run(runId);
      throw new BasinException(
          RunErrorCode.INVALID_STATE,
          "run " + runId + " is " + r.state() + " and cannot be stopped");
    }
    h.requestStop(RunState.STOPPED, "stop requested");
    return h.run;
  }

  /** Waits until a run is over or {@code max} passes; returns its latest state. */
  public JobRun await(String runId, Duration max) throws InterruptedException {
    long deadline = System.nanoTime() + max.toNanos();
    while (true) {
      JobRun r = run(runId);
      if (r.state().terminal() || System.nanoTime() > deadline) {
        return r;
      }
      Thread.sleep(25);
    }
  }

  // ------------------------------------------------------------------ bookmarks

  public BookmarkState bookmark(String job) {
    get(job);
    List<JobStore.Epoch> committed = ctx.store().committedEpochs(job);
    Optional<JobStore.Epoch> pending = ctx.store().pendingEpoch(job);
    return new BookmarkState(
        job,
        committed.size(),
        pending.map(JobStore.Epoch::epoch).orElse(null),
        committed.isEmpty() ? null : committed.get(committed.size() - 1).runId());
  }

  /** Forgets everything the job has processed: the next run reads all input again. */
  public BookmarkState resetBookmark(String job) {
    requireIdle(job);
    ctx.store().rewind(job, 0);
    return bookmark(job);
  }

  /**
   * Returns the bookmark to where it was right after {@code runId} committed: later input is read
   * again by the next run. Outputs are not rolled back (as with Glue): rewinding a job that appends
   * duplicates rows unless its target merges by keys or overwrites.
   */
  public BookmarkState rewindBookmark(String job, String runId) {
    requireIdle(job);
    JobRun r = run(job, runId);
    if (r.epoch() == null || r.state() != RunState.SUCCEEDED) {
      throw new BasinException(
          RunErrorCode.INVALID_STATE,
          "run "
              + runId
              + " did not commit a bookmark epoch (state "
              + r.state()
              + "); pick a SUCCEEDED run with bookmarks enabled");
    }
    ctx.store().rewind(job, r.epoch());
    return bookmark(job);
  }

  private void requireIdle(String job) {
    get(job);
    for (Handle h : active.values()) {
      if (h.job.equals(job) && !h.run.state().terminal()) {
        throw new BasinException(
            RunErrorCode.INVALID_STATE,
            "job '" + job + "' is running (run " + h.runId + "); wait for it or stop it first");
      }
    }
  }

  private static String newRunId() {
    byte[] b = new byte[6];
    ThreadLocalRandom.current().nextBytes(b);
    return "jr_" + Long.toString(System.currentTimeMillis(), 36) + HexFormat.of().formatHex(b);
  }

  @Override
  public void close() {
    closed = true;
    for (Handle h : active.values()) {
      h.requestStop(RunState.STOPPED, "the server is shutting down");
    }
    workers.shutdown();
    try {
      workers.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    timers.shutdownNow();
    ctx.store().close();
  }

  // ------------------------------------------------------------------ run handle

  /** A run in progress: its latest state, its session (to cancel) and its log. */
  final class Handle {
    final String runId;
    final String job;
    final JobDefinition definition;
    volatile JobRun run;
    volatile RunState requested;
    volatile String timeoutMessage;
    private volatile DuckDbSession session;
    private long logSeq;
    ScheduledFuture<?> timer;

    Handle(JobRun run, JobDefinition definition) {
      this.run = run;
      this.runId = run.id();
      this.job = run.job();
      this.definition = definition;
    }

    String runId() {
      return runId;
    }

    void session(DuckDbSession s) {
      this.session = s;
      if (s != null && requested != null) {
        s.cancel();
      }
    }

    synchronized void log(String level, String message) {
      logSeq++;
      ctx.store().appendLog(runId, logSeq, ctx.clock().instant(), level, message);
      if (level.equals("ERROR")) {
        LOG.info("job {} run {}: {}", job, runId, message);
      }
    }

    /** The run succeeded: what it wrote under prefixes is committed. */
    void forgetPending() {
      for (JobStore.PendingFiles p : ctx.store().pendingFiles(runId)) {
        ctx.store().forgetPendingFiles(runId, p.target());
      }
    }

    void checkStop() {
      RunState r = requested;
      if (r != null) {
        throw new BasinException(
            RunErrorCode.RUN_FAILED, r == RunState.TIMEOUT ? timeoutMessage : "stopped on request");
      }
    }

    void requestStop(RunState state, String why) {
      if (requested == null) {
        requested = state;
        log("WARN", why);
        if (run.state() == RunState.RUNNING || run.state() == RunState.STARTING) {
          update(run.with(RunState.STOPPING, null));
        }
      }
      DuckDbSession s = session;
      if (s != null) {
        s.cancel();
      }
    }

    void timeOut(Duration timeout) {
      timeoutMessage =
          "the run exceeded the job's timeout of " + timeout.toMinutes() + " minute(s)";
      requestStop(RunState.TIMEOUT, timeoutMessage);
    }

    void transition(RunState state, String error) {
      if (requested == null) {
        update(run.with(state, error));
      }
    }

    synchronized void steps(int done, int total) {
      update(run.withSteps(done, total));
    }

    synchronized void epoch(Long epoch) {
      update(run.withEpoch(epoch));
    }

    synchronized void metrics(List<JobRun.NodeMetrics> nodes) {
      run = run.withNodes(List.copyOf(nodes));
    }

    synchronized void finish(
        RunState state,
        String error,
        List<JobRun.NodeMetrics> nodes,
        List<JobRun.QualityOutcome> quality) {
      JobRun last = run.finished(state, ctx.clock().instant(), error, nodes, quality);
      ctx.store().updateRun(last);
      run = last;
      log(
          state == RunState.SUCCEEDED ? "INFO" : "ERROR",
          "run " + state + " after " + last.executionMillis(ctx.clock().instant()) + " ms");
    }

    private synchronized void update(JobRun r) {
      run = r;
      ctx.store().updateRun(r);
    }
  }
}
