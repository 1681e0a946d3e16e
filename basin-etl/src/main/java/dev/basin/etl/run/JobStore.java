package dev.basin.etl.run;

import static dev.basin.common.jdbc.JdbcStatements.exists;
import static dev.basin.common.jdbc.JdbcStatements.query;
import static dev.basin.common.jdbc.JdbcStatements.update;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.basin.catalog.CatalogConfig;
import dev.basin.common.jdbc.JdbcStore;
import dev.basin.common.jdbc.ServiceErrors;
import dev.basin.common.json.Json;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

/**
 * The job service's tables in the metadata database (the catalog's JDBC database): job definitions,
 * runs, run logs, and bookmark state — epochs (the input set of one bookmarked run, recorded before
 * it is processed), the objects each source has seen, and which targets an epoch has committed. The
 * SQL is the subset SQLite and PostgreSQL share; the schema is versioned in {@code
 * basin_etl_schema}.
 *
 * <p>Thread-safe; each call is one transaction.
 */
final class JobStore implements AutoCloseable {

  private static final List<List<String>> MIGRATIONS =
      List.of(
          List.of(
              "CREATE TABLE IF NOT EXISTS basin_etl_jobs ("
                  + "name VARCHAR(255) NOT NULL PRIMARY KEY, "
                  + "definition TEXT NOT NULL, "
                  + "source_text TEXT, "
                  + "created_at BIGINT NOT NULL, "
                  + "updated_at BIGINT NOT NULL)",
              "CREATE TABLE IF NOT EXISTS basin_etl_runs ("
                  + "id VARCHAR(64) NOT NULL PRIMARY KEY, "
                  + "job_name VARCHAR(255) NOT NULL, "
                  + "attempt INTEGER NOT NULL, "
                  + "previous_run_id VARCHAR(64), "
                  + "trigger_name VARCHAR(64) NOT NULL, "
                  + "state VARCHAR(16) NOT NULL, "
                  + "arguments TEXT NOT NULL, "
                  + "started_at BIGINT NOT NULL, "
                  + "completed_at BIGINT, "
                  + "error TEXT, "
                  + "epoch BIGINT, "
                  + "steps_done INTEGER NOT NULL, "
                  + "steps_total INTEGER NOT NULL, "
                  + "nodes TEXT NOT NULL, "
                  + "quality TEXT NOT NULL)",
              "CREATE INDEX IF NOT EXISTS basin_etl_runs_by_job"
                  + " ON basin_etl_runs (job_name, started_at, id)",
              "CREATE INDEX IF NOT EXISTS basin_etl_runs_by_state ON basin_etl_runs (state)",
              "CREATE TABLE IF NOT EXISTS basin_etl_run_logs ("
                  + "run_id VARCHAR(64) NOT NULL, "
                  + "seq BIGINT NOT NULL, "
                  + "at BIGINT NOT NULL, "
                  + "level VARCHAR(8) NOT NULL, "
                  + "message TEXT NOT NULL, "
                  + "PRIMARY KEY (run_id, seq))",
              "CREATE TABLE IF NOT EXISTS basin_etl_epochs ("
                  + "job_name VARCHAR(255) NOT NULL, "
                  + "epoch BIGINT NOT NULL, "
                  + "state VARCHAR(16) NOT NULL, "
                  + "inputs TEXT NOT NULL, "
                  + "token VARCHAR(32) NOT NULL, "
                  + "run_id VARCHAR(64), "
                  + "created_at BIGINT NOT NULL, "
                  + "committed_at BIGINT, "
                  + "PRIMARY KEY (job_name, epoch))",
              "CREATE TABLE IF NOT EXISTS basin_etl_seen ("
                  + "job_name VARCHAR(255) NOT NULL, "
                  + "source_node VARCHAR(64) NOT NULL, "
                  + "object_uri VARCHAR(2048) NOT NULL, "
                  + "etag VARCHAR(128) NOT NULL, "
                  + "epoch BIGINT NOT NULL, "
                  + "PRIMARY KEY (job_name, source_node, object_uri, etag))",
              "CREATE TABLE IF NOT EXISTS basin_etl_outputs ("
                  + "job_name VARCHAR(255) NOT NULL, "
                  + "epoch BIGINT NOT NULL, "
                  + "target_node VARCHAR(64) NOT NULL, "
                  + "run_id VARCHAR(64) NOT NULL, "
                  + "committed_at BIGINT NOT NULL, "
                  + "PRIMARY KEY (job_name, epoch, target_node))",
              "CREATE TABLE IF NOT EXISTS basin_etl_pending_files ("
                  + "run_id VARCHAR(64) NOT NULL, "
                  + "target_node VARCHAR(64) NOT NULL, "
                  + "prefix_uri VARCHAR(2048) NOT NULL, "
                  + "tag VARCHAR(128) NOT NULL, "
                  + "PRIMARY KEY (run_id, target_node, prefix_uri))"));

  private static final TypeReference<Map<String, String>> STRING_MAP = new TypeReference<>() {};
  private static final TypeReference<List<JobRun.NodeMetrics>> NODES = new TypeReference<>() {};
  private static final TypeReference<List<JobRun.QualityOutcome>> QUALITY =
      new TypeReference<>() {};

  private final JdbcStore store;

  private JobStore(String url, Properties properties) {
    this.store =
        JdbcStore.builder(
                url,
                new ServiceErrors(
                    url,
                    "job service",
                    RunErrorCode.METADATA_STORE_FAILURE,
                    RunErrorCode.SHUT_DOWN))
            .properties(properties)
            .build();
  }

  /** Opens the store in the catalog's metadata database and brings its schema up to date. */
  static JobStore open(CatalogConfig config) {
    // Bookmarks must survive a crash once a run reports success: full fsync on commit.
    Properties p = config.storeProperties("FULL");
    JobStore s = new JobStore(config.jdbcUrl(), p);
    try {
      s.store.migrate("basin_etl_schema", MIGRATIONS);
    } catch (RuntimeException e) {
      s.close();
      throw e;
    }
    return s;
  }

  // ------------------------------------------------------------------ jobs

  /** A stored job: its definition as JSON text and the text it was created from. */
  record StoredJob(
      String name, String definition, String sourceText, Instant created, Instant updated) {}

  boolean insertJob(String name, String definitionJson, String sourceText, Instant now) {
    return store.transaction(
        c -> {
          if (exists(c, "SELECT 1 FROM basin_etl_jobs WHERE name = ?", name)) {
            return false;
          }
          update(
              c,
              "INSERT INTO basin_etl_jobs (name, definition, source_text, created_at, updated_at)"
                  + " VALUES (?, ?, ?, ?, ?)",
              name,
              definitionJson,
              sourceText,
              now.toEpochMilli(),
              now.toEpochMilli());
          return true;
        });
  }

  boolean updateJob(String name, String definitionJson, String sourceText, Instant now) {
    return store.transaction(
        c ->
            update(
                    c,
                    "UPDATE basin_etl_jobs SET definition = ?, source_text = ?, updated_at = ?"
                        + " WHERE name = ?",
                    definitionJson,
                    sourceText,
                    now.toEpochMilli(),
                    name)
                == 1);
  }

  /** Deletes a job with its runs, logs and bookmark state; false if there was none. */
  boolean deleteJob(String name) {
    return store.transaction(
        c -> {
          update(
              c,
              "DELETE FROM basin_etl_run_logs WHERE run_id IN"
                  + " (SELECT id FROM basin_etl_runs WHERE job_name = ?)",
              name);
          update(
              c,
              "DELETE FROM basin_etl_pending_files WHERE run_id IN"
                  + " (SELECT id FROM basin_etl_runs WHERE job_name = ?)",
              name);
          update(c, "DELETE FROM basin_etl_runs WHERE job_name = ?", name);
          update(c, "DELETE FROM basin_etl_epochs WHERE job_name = ?", name);
          update(c, "DELETE FROM basin_etl_seen WHERE job_name = ?", name);
          update(c, "DELETE FROM basin_etl_outputs WHERE job_name = ?", name);
          return update(c, "DELETE FROM basin_etl_jobs WHERE name = ?", name) == 1;
        });
  }

  Optional<StoredJob> job(String name) {
    List<StoredJob> jobs =
        store.read(
            c ->
                query(
                    c,
                    "SELECT " + JOB_COLUMNS + " FROM basin_etl_jobs WHERE name = ?",
                    JobStore::job,
                    name));
    return jobs.stream().findFirst();
  }

  List<StoredJob> jobs() {
    return store.read(
        c ->
            query(
                c, "SELECT " + JOB_COLUMNS + " FROM basin_etl_jobs ORDER BY name", JobStore::job));
  }

  private static final String JOB_COLUMNS = "name, definition, source_text, created_at, updated_at";

  private static StoredJob job(ResultSet rs) throws SQLException {
    return new StoredJob(
        rs.getString(1),
        rs.getString(2),
        rs.getString(3),
        Instant.ofEpochMilli(rs.getLong(4)),
        Instant.ofEpochMilli(rs.getLong(5)));
  }

  // ------------------------------------------------------------------ runs

  private static final String RUN_COLUMNS =
      "id, job_name, attempt, previous_run_id, trigger_name, state, arguments, started_at,"
          + " completed_at, error, epoch, steps_done, steps_total, nodes, quality";

  /**
   * Records a new run if the job has fewer than {@code maxConcurrent} runs that are not over.
   *
   * @return false if the limit is reached
   */
  boolean insertRun(JobRun r, int maxConcurrent) {
    return store.transaction(
        c -> {
          List<Long> active =
              query(
                  c,
                  "SELECT COUNT(*) FROM basin_etl_runs WHERE job_name = ?"
                      + " AND state IN ('STARTING', 'RUNNING', 'STOPPING')",
                  rs -> rs.getLong(1),
                  r.job());
          if (active.get(0) >= maxConcurrent) {
            return false;
          }
          update(
              c,
              "INSERT INTO basin_etl_runs ("
                  + RUN_COLUMNS
                  + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
              runValues(r));
          return true;
        });
  }

  /** Replaces a run's row; false if it was already over (a late update after a stop). */
  boolean updateRun(JobRun r) {
    return store.transaction(
        c -> {
          Object[] v = runValues(r);
          return update(
                  c,
                  "UPDATE basin_etl_runs SET state = ?, completed_at = ?, error = ?, epoch = ?,"
                      + " steps_done = ?, steps_total = ?, nodes = ?, quality = ? WHERE id = ?"
                      + " AND state NOT IN ('STOPPED', 'SUCCEEDED', 'FAILED', 'TIMEOUT')",
                  v[5],
                  v[8],
                  v[9],
                  v[10],
                  v[11],
                  v[12],
                  v[13],
                  v[14],
                  r.id())
              == 1;
        });
  }

  private static Object[] runValues(JobRun r) {
    return new Object[] {
      r.id(),
      r.job(),
      r.attempt(),
      r.previousRunId(),
      r.trigger(),
      r.state().name(),
      Json.write(r.arguments()),
      r.startedOn().toEpochMilli(),
      r.completedOn() == null ? null : r.completedOn().toEpochMilli(),
      r.error(),
      r.epoch(),
      r.stepsDone(),
      r.stepsTotal(),
      Json.write(r.nodes()),
      Json.write(r.quality())
    };
  }

  Optional<JobRun> run(String id) {
    return store
        .read(
            c ->
                query(
                    c,
                    "SELECT " + RUN_COLUMNS + " FROM basin_etl_runs WHERE id = ?",
                    JobStore::run,
                    id))
        .stream()
        .findFirst();
  }

  /** The job's runs, newest first. */
  List<JobRun> runs(String job, int limit) {
    return store.read(
        c ->
            query(
                c,
                "SELECT "
                    + RUN_COLUMNS
                    + " FROM basin_etl_runs WHERE job_name = ? ORDER BY started_at DESC, id DESC"
                    + " LIMIT "
                    + limit,
                JobStore::run,
                job));
  }

  /** Runs not over: after a restart these were cut short by the stop. */
  List<JobRun> unfinishedRuns() {
    return store.read(
        c ->
            query(
                c,
                "SELECT "
                    + RUN_COLUMNS
                    + " FROM basin_etl_runs WHERE state IN ('STARTING', 'RUNNING', 'STOPPING')"
                    + " ORDER BY started_at",
                JobStore::run));
  }

  private static JobRun run(ResultSet rs) throws SQLException {
    long completed = rs.getLong(9);
    boolean noCompleted = rs.wasNull();
    long epoch = rs.getLong(11);
    boolean noEpoch = rs.wasNull();
    return new JobRun(
        rs.getString(1),
        rs.getString(2),
        rs.getInt(3),
        rs.getString(4),
        rs.getString(5),
        RunState.valueOf(rs.getString(6)),
        readJson(rs.getString(7), STRING_MAP),
        Instant.ofEpochMilli(rs.getLong(8)),
        noCompleted ? null : Instant.ofEpochMilli(completed),
        rs.getString(10),
        noEpoch ? null : epoch,
        rs.getInt(12),
        rs.getInt(13),
        readJson(rs.getString(14), NODES),
        readJson(rs.getString(15), QUALITY));
  }

  // ------------------------------------------------------------------ logs

  void appendLog(String runId, long seq, Instant at, String level, String message) {
    store.transaction(
        c ->
            update(
                c,
                "INSERT INTO basin_etl_run_logs (run_id, seq, at, level, message)"
                    + " VALUES (?, ?, ?, ?, ?)",
                runId,
                seq,
                at.toEpochMilli(),
                level,
                message));
  }

  long lastLogSeq(String runId) {
    return store.read(
        c ->
            query(
                    c,
                    "SELECT COALESCE(MAX(seq), 0) FROM basin_etl_run_logs WHERE run_id = ?",
                    rs -> rs.getLong(1),
                    runId)
                .get(0));
  }

  List<RunLogEntry> logs(String runId, long afterSeq, int limit) {
    return store.read(
        c ->
            query(
                c,
                "SELECT seq, at, level, message FROM basin_etl_run_logs WHERE run_id = ?"
                    + " AND seq > ? ORDER BY seq LIMIT "
                    + limit,
                rs ->
                    new RunLogEntry(
                        rs.getLong(1),
                        Instant.ofEpochMilli(rs.getLong(2)),
                        rs.getString(3),
                        rs.getString(4)),
                runId,
                afterSeq));
  }

  // ------------------------------------------------------------------ bookmarks

  /**
   * An epoch: the input set of one bookmarked run, recorded before processing. The token is unique
   * for ever (epoch numbers restart after a reset); outputs are tagged with it.
   */
  record Epoch(long epoch, String state, String inputs, String runId, String token) {}

  /** The job's epoch that was recorded but not committed (a run that died), if any. */
  Optional<Epoch> pendingEpoch(String job) {
    return store
        .read(
            c ->
                query(
                    c,
                    "SELECT epoch, state, inputs, run_id, token FROM basin_etl_epochs WHERE job_name = ?"
                        + " AND state = 'PENDING' ORDER BY epoch LIMIT 1",
                    rs ->
                        new Epoch(
                            rs.getLong(1),
                            rs.getString(2),
                            rs.getString(3),
                            rs.getString(4),
                            rs.getString(5)),
                    job))
        .stream()
        .findFirst();
  }

  /** The job's committed epochs, oldest first. */
  List<Epoch> committedEpochs(String job) {
    return store.read(
        c ->
            query(
                c,
                "SELECT epoch, state, inputs, run_id, token FROM basin_etl_epochs WHERE job_name = ?"
                    + " AND state = 'COMMITTED' ORDER BY epoch",
                rs ->
                    new Epoch(
                        rs.getLong(1),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getString(4),
                        rs.getString(5)),
                job));
  }

  /**
   * Records a new pending epoch with the next number and a fresh token, unless the job already has
   * a pending one.
   *
   * @return the epoch, or empty if another run recorded a pending epoch first
   */
  Optional<Epoch> createEpoch(String job, String inputsJson, String runId, Instant now) {
    return store.transaction(
        c -> {
          if (exists(
              c, "SELECT 1 FROM basin_etl_epochs WHERE job_name = ? AND state = 'PENDING'", job)) {
            return Optional.<Epoch>empty();
          }
          long next =
              query(
                          c,
                          "SELECT COALESCE(MAX(epoch), 0) FROM basin_etl_epochs WHERE job_name = ?",
                          rs -> rs.getLong(1),
                          job)
                      .get(0)
                  + 1;
          byte[] random = new byte[6];
          new java.security.SecureRandom().nextBytes(random);
          String token = java.util.HexFormat.of().formatHex(random);
          update(
              c,
              "INSERT INTO basin_etl_epochs (job_name, epoch, state, inputs, token, run_id,"
                  + " created_at) VALUES (?, ?, 'PENDING', ?, ?, ?, ?)",
              job,
              next,
              inputsJson,
              token,
              runId,
              now.toEpochMilli());
          return Optional.of(new Epoch(next, "PENDING", inputsJson, runId, token));
        });
  }

  /**
   * Hands a pending epoch over to the run that resumes it, if the run that holds it is over (or
   * gone).
   *
   * @return false if a live run still holds it
   */
  boolean claimEpoch(String job, long epoch, String runId) {
    return store.transaction(
        c -> {
          List<String> holder =
              query(
                  c,
                  "SELECT r.state FROM basin_etl_epochs e JOIN basin_etl_runs r ON r.id = e.run_id"
                      + " WHERE e.job_name = ? AND e.epoch = ?",
                  rs -> rs.getString(1),
                  job,
                  epoch);
          if (!holder.isEmpty()
              && List.of("STARTING", "RUNNING", "STOPPING").contains(holder.get(0))) {
            return false;
          }
          update(
              c,
              "UPDATE basin_etl_epochs SET run_id = ? WHERE job_name = ? AND epoch = ?",
              runId,
              job,
              epoch);
          return true;
        });
  }

  /** One object a source has processed. */
  record Seen(String sourceNode, String uri, String etag) {}

  /** The objects a prefix or external-table source has processed, as "uri etag". */
  Set<String> seen(String job, String sourceNode) {
    return new HashSet<>(
        store.read(
            c ->
                query(
                    c,
                    "SELECT object_uri, etag FROM basin_etl_seen WHERE job_name = ?"
                        + " AND source_node = ?",
                    rs -> rs.getString(1) + " " + rs.getString(2),
                    job,
                    sourceNode)));
  }

  /** Commits an epoch: marks it committed and records the objects it processed, atomically. */
  void commitEpoch(String job, long epoch, List<Seen> seen, Instant now) {
    store.transaction(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO basin_etl_seen (job_name, source_node, object_uri, etag, epoch)"
                      + " VALUES (?, ?, ?, ?, ?)")) {
            for (Seen s : seen) {
              ps.setString(1, job);
              ps.setString(2, s.sourceNode());
              ps.setString(3, s.uri());
              ps.setString(4, s.etag());
              ps.setLong(5, epoch);
              ps.addBatch();
            }
            ps.executeBatch();
          }
          update(
              c,
              "UPDATE basin_etl_epochs SET state = 'COMMITTED', committed_at = ?"
                  + " WHERE job_name = ? AND epoch = ?",
              now.toEpochMilli(),
              job,
              epoch);
          return null;
        });
  }

  boolean outputCommitted(String job, long epoch, String target) {
    return store.read(
        c ->
            exists(
                c,
                "SELECT 1 FROM basin_etl_outputs WHERE job_name = ? AND epoch = ?"
                    + " AND target_node = ?",
                job,
                epoch,
                target));
  }

  /**
   * Records that a prefix target's files of an epoch are all written, and forgets them as pending.
   */
  void commitOutput(String job, long epoch, String target, String runId, Instant now) {
    store.transaction(
        c -> {
          update(
              c,
              "INSERT INTO basin_etl_outputs (job_name, epoch, target_node, run_id, committed_at)"
                  + " VALUES (?, ?, ?, ?, ?)",
              job,
              epoch,
              target,
              runId,
              now.toEpochMilli());
          update(
              c,
              "DELETE FROM basin_etl_pending_files WHERE run_id = ? AND target_node = ?",
              runId,
              target);
          return null;
        });
  }

  /**
   * Forgets bookmark state after {@code keepEpoch}: 0 resets the bookmark entirely.
   *
   * @return epochs removed
   */
  int rewind(String job, long keepEpoch) {
    return store.transaction(
        c -> {
          update(c, "DELETE FROM basin_etl_seen WHERE job_name = ? AND epoch > ?", job, keepEpoch);
          update(
              c, "DELETE FROM basin_etl_outputs WHERE job_name = ? AND epoch > ?", job, keepEpoch);
          return update(
              c, "DELETE FROM basin_etl_epochs WHERE job_name = ? AND epoch > ?", job, keepEpoch);
        });
  }

  // ------------------------------------------------------------------ pending files

  /** Files a run writes under a prefix, named with {@code tag}, before they are committed. */
  record PendingFiles(String runId, String target, String prefixUri, String tag) {}

  void addPendingFiles(PendingFiles p) {
    store.transaction(
        c -> {
          if (!exists(
              c,
              "SELECT 1 FROM basin_etl_pending_files WHERE run_id = ? AND target_node = ?"
                  + " AND prefix_uri = ?",
              p.runId(),
              p.target(),
              p.prefixUri())) {
            update(
                c,
                "INSERT INTO basin_etl_pending_files (run_id, target_node, prefix_uri, tag)"
                    + " VALUES (?, ?, ?, ?)",
                p.runId(),
                p.target(),
                p.prefixUri(),
                p.tag());
          }
          return null;
        });
  }

  List<PendingFiles> pendingFiles(String runId) {
    return store.read(
        c ->
            query(
                c,
                "SELECT run_id, target_node, prefix_uri, tag FROM basin_etl_pending_files"
                    + " WHERE run_id = ?",
                rs ->
                    new PendingFiles(
                        rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)),
                runId));
  }

  void forgetPendingFiles(String runId, String target) {
    store.transaction(
        c ->
            update(
                c,
                "DELETE FROM basin_etl_pending_files WHERE run_id = ? AND target_node = ?",
                runId,
                target));
  }

  // ------------------------------------------------------------------ helpers

  static <T> T readJson(String text, TypeReference<T> type) {
    try {
      return Json.mapper().readValue(text, type);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("corrupt job-service row: " + text, e);
    }
  }

  @Override
  public void close() {
    store.close();
  }
}
