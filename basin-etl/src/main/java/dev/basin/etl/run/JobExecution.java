package dev.basin.etl.run;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.basin.catalog.ExternalTable;
import dev.basin.common.error.BasinException;
import dev.basin.common.json.Json;
import dev.basin.etl.job.BookmarkOption;
import dev.basin.etl.job.BoundSource;
import dev.basin.etl.job.CatalogSource;
import dev.basin.etl.job.CompiledJob;
import dev.basin.etl.job.IcebergTarget;
import dev.basin.etl.job.JobCompiler;
import dev.basin.etl.job.JobDefinition;
import dev.basin.etl.job.JobEnvironment;
import dev.basin.etl.job.JobNode;
import dev.basin.etl.job.PrefixSource;
import dev.basin.etl.job.PrefixTarget;
import dev.basin.etl.job.QualityAction;
import dev.basin.etl.job.QualityNode;
import dev.basin.etl.job.SourceNode;
import dev.basin.etl.job.Step;
import dev.basin.etl.job.TargetNode;
import dev.basin.spi.sql.SessionContext;
import dev.basin.spi.sql.SqlColumn;
import dev.basin.sql.DuckDbSession;
import dev.basin.sql.Sql;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One attempt of a job: binds the sources (to what is new since the bookmark when bookmarks are
 * on), compiles the DAG, records the epoch — the exact input set — before any output is written,
 * runs the steps in one DuckDB session, evaluates quality nodes, writes the targets (each skipped
 * if this epoch already committed it) and finally commits the epoch, which moves the bookmark.
 *
 * <p>A crash anywhere leaves either a pending epoch, which the next run resumes with the same
 * input, or a committed one. Targets of a resumed epoch that were already committed are not written
 * again, so a crash-and-rerun neither loses nor duplicates rows.
 */
final class JobExecution {

  private static final TypeReference<Map<String, SourceInput>> INPUTS = new TypeReference<>() {};

  private final JobService.Context ctx;
  private final JobService.Handle handle;
  private final JobDefinition job;
  private final Map<String, String> arguments;

  private DuckDbSession session;
  private Sources sources;
  private final Map<String, SourceInput> inputs = new LinkedHashMap<>();
  private final Map<String, List<SourceInput.ObjectRef>> allObjects = new LinkedHashMap<>();
  private Map<String, SourceInput> recorded = Map.of();
  private String token;
  private Map<String, String> countedByTarget = Map.of();
  private final List<JobRun.NodeMetrics> metrics = new ArrayList<>();
  private final List<JobRun.QualityOutcome> quality = new ArrayList<>();
  private final Map<String, Long> rowsByNode = new LinkedHashMap<>();

  JobExecution(
      JobService.Context ctx,
      JobService.Handle handle,
      JobDefinition job,
      Map<String, String> arguments) {
    this.ctx = ctx;
    this.handle = handle;
    this.job = job;
    this.arguments = arguments;
  }

  List<JobRun.NodeMetrics> metrics() {
    return metrics;
  }

  List<JobRun.QualityOutcome> quality() {
    return quality;
  }

  /** Runs the attempt; returns normally on success. */
  void execute() {
    session = ctx.engine().openSession(new SessionContext("job:" + job.name(), null));
    handle.session(session);
    try {
      handle.checkStop();
      sources = new Sources(ctx.catalog(), ctx.objects(), ctx.engine().files(), session);
      BookmarkOption bookmarks = job.settings().bookmarks();
      Optional<JobStore.Epoch> pending =
          bookmarks == BookmarkOption.ENABLE
              ? ctx.store().pendingEpoch(job.name())
              : Optional.empty();
      if (pending.isPresent()) {
        recorded = JobStore.readJson(pending.get().inputs(), INPUTS);
      }
      handle.log(
          "INFO",
          "compiling job '"
              + job.name()
              + "' (bookmarks "
              + bookmarks.name().toLowerCase(Locale.ROOT)
              + ")");
      CompiledJob compiled =
          JobCompiler.compile(job, arguments, new Environment(), job.settings().rowCounts());
      handle.steps(0, compiled.steps().size());
      Long epoch = null;
      if (bookmarks != BookmarkOption.DISABLE) {
        boolean nothingNew =
            !inputs.isEmpty() && inputs.values().stream().allMatch(SourceInput::empty);
        if (pending.isPresent()) {
          epoch = pending.get().epoch();
          token = pending.get().token();
          if (!ctx.store().claimEpoch(job.name(), epoch, handle.runId())) {
            throw new BasinException(
                RunErrorCode.INVALID_STATE,
                "bookmark epoch "
                    + epoch
                    + " is being processed by run "
                    + pending.get().runId()
                    + "; wait for it to end");
          }
          verifyRecorded(epoch);
          handle.log(
              "INFO",
              "resuming bookmark epoch "
                  + epoch
                  + " left by run "
                  + pending.get().runId()
                  + " with the same input");
        } else if (nothingNew) {
          handle.log("INFO", "no new input since the bookmark; nothing to do");
          handle.steps(compiled.steps().size(), compiled.steps().size());
          return;
        } else if (bookmarks == BookmarkOption.ENABLE) {
          JobStore.Epoch created =
              ctx.store()
                  .createEpoch(
                      job.name(), Json.write(inputs), handle.runId(), ctx.clock().instant())
                  .orElseThrow(
                      () ->
                          new BasinException(
                              RunErrorCode.INVALID_STATE,
                              "another run of job '"
                                  + job.name()
                                  + "' recorded a bookmark epoch first; run the job again after it"
                                  + " ends"));
          epoch = created.epoch();
          token = created.token();
          handle.log("INFO", "bookmark epoch " + epoch + ": " + describeInputs());
        } else {
          handle.log(
              "INFO",
              "bookmarks paused: reading " + describeInputs() + " without moving the bookmark");
        }
        handle.epoch(epoch);
      }
      Map<String, Step> byNode = new LinkedHashMap<>();
      compiled.steps().forEach(s -> byNode.put(s.node().id(), s));
      countedByTarget = countedByTarget(compiled.steps(), byNode);
      List<Step> targets = new ArrayList<>();
      int done = 0;
      for (Step step : compiled.steps()) {
        if (step.node() instanceof TargetNode) {
          targets.add(step);
          continue;
        }
        handle.checkStop();
        try {
          runStep(step, byNode, epoch);
        } catch (RuntimeException e) {
          throw inNode(step.node(), e);
        }
        handle.steps(++done, compiled.steps().size());
      }
      for (Step step : targets) {
        handle.checkStop();
        try {
          writeTarget(step, byNode, epoch);
        } catch (RuntimeException e) {
          throw inNode(step.node(), e);
        }
        handle.steps(++done, compiled.steps().size());
      }
      fillCountsFromTargets(byNode);
      handle.checkStop();
      if (epoch != null) {
        List<JobStore.Seen> seen = new ArrayList<>();
        inputs.forEach(
            (node, input) -> {
              for (SourceInput.ObjectRef o : input.objects()) {
                seen.add(new JobStore.Seen(node, o.uri(), o.etag()));
              }
            });
        ctx.store().commitEpoch(job.name(), epoch, seen, ctx.clock().instant());
        handle.log("INFO", "bookmark moved: epoch " + epoch + " committed");
      }
    } finally {
      handle.session(null);
      session.close();
    }
  }

  /**
   * Nodes that need not be materialized to be counted: their only consumer is a target, directly or
   * through 1:1 views (select, drop, rename, derive …), so the target's written rows are theirs.
   */
  private static Map<String, String> countedByTarget(List<Step> steps, Map<String, Step> byNode) {
    Map<String, List<String>> consumers = new LinkedHashMap<>();
    for (Step s : steps) {
      for (String in : s.node().inputs()) {
        consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(s.node().id());
      }
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Step s : steps) {
      if (!(s.node() instanceof dev.basin.etl.job.TransformNode) || !s.materialize()) {
        continue;
      }
      String cur = s.node().id();
      while (true) {
        List<String> cons = consumers.getOrDefault(cur, List.of());
        if (cons.size() != 1) {
          break;
        }
        Step c = byNode.get(cons.get(0));
        if (c.node() instanceof TargetNode) {
          out.put(s.node().id(), c.node().id());
          break;
        }
        if (!(c.node() instanceof dev.basin.etl.job.TransformNode)
            || c.materialize()
            || !cur.equals(c.rowsSameAs())) {
          break;
        }
        cur = c.node().id();
      }
    }
    return out;
  }

  /** Fills in the counts of nodes fused into a target, and of the 1:1 views after them. */
  private void fillCountsFromTargets(Map<String, Step> byNode) {
    Map<String, Long> targetRows = new LinkedHashMap<>();
    for (JobRun.NodeMetrics m : metrics) {
      if (byNode.get(m.node()).node() instanceof TargetNode && !m.detail().containsKey("skipped")) {
        targetRows.put(m.node(), m.rows());
      }
    }
    List<JobRun.NodeMetrics> filled = new ArrayList<>();
    for (JobRun.NodeMetrics m : metrics) {
      Long rows = m.rows();
      Step step = byNode.get(m.node());
      if (rows == null && countedByTarget.containsKey(m.node())) {
        rows = targetRows.get(countedByTarget.get(m.node()));
      } else if (rows == null && step.rowsSameAs() != null) {
        rows = rowsByNode.get(step.rowsSameAs());
      }
      rowsByNode.put(m.node(), rows);
      filled.add(
          rows == m.rows()
              ? m
              : new JobRun.NodeMetrics(m.node(), m.type(), rows, m.millis(), m.detail()));
    }
    metrics.clear();
    metrics.addAll(filled);
    handle.metrics(metrics);
  }

  /**
   * A step's failure as the user should read it: naming the node, and the lake objects by their
   * s3:// URIs instead of the local files DuckDB read.
   */
  private RuntimeException inNode(JobNode node, RuntimeException e) {
    if (handle.requested != null) {
      return e;
    }
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    Map<String, String> paths = new LinkedHashMap<>();
    List<SourceInput.ObjectRef> all = new ArrayList<>();
    inputs.values().forEach(in -> all.addAll(in.objects()));
    allObjects.values().forEach(all::addAll);
    for (SourceInput.ObjectRef o : all) {
      paths.put(ctx.engine().files().localPath(o.uri()).toString(), o.uri());
    }
    for (Map.Entry<String, String> p : paths.entrySet()) {
      message = message.replace(p.getKey(), p.getValue());
    }
    if (!message.startsWith("node '") && !message.startsWith("source '")) {
      message = "node '" + node.id() + "' (" + node.type() + "): " + message;
    }
    if (message.equals(e.getMessage())) {
      return e;
    }
    return new BasinException(RunErrorCode.RUN_FAILED, message, e);
  }

  private String describeInputs() {
    List<String> parts = new ArrayList<>();
    inputs.forEach(
        (node, in) -> {
          switch (in.kind()) {
            case "objects" -> parts.add(node + ": " + in.objects().size() + " new object(s)");
            case "snapshots" ->
                parts.add(
                    node + ": snapshots after " + in.fromSnapshot() + " up to " + in.toSnapshot());
            default -> parts.add(node + ": everything");
          }
        });
    return String.join(", ", parts);
  }

  // ---- steps

  private void runStep(Step step, Map<String, Step> byNode, Long epoch) {
    JobNode node = step.node();
    long t0 = System.nanoTime();
    Map<String, Object> detail = new LinkedHashMap<>();
    Long rows;
    if (node instanceof QualityNode q) {
      Step input = byNode.get(q.input());
      Map<String, String> refs = new LinkedHashMap<>();
      q.references()
          .forEach((alias, ref) -> refs.put(alias, Sql.quoteIdent(byNode.get(ref).relation())));
      Quality.Evaluation e =
          new Quality(session).evaluate(q, input.relation(), input.columns(), refs);
      quality.addAll(e.outcomes());
      List<JobRun.QualityOutcome> failed = e.failed();
      detail.put("rules", e.outcomes().size());
      detail.put("rulesFailed", failed.size());
      detail.put("action", q.action().name());
      for (JobRun.QualityOutcome o : failed) {
        handle.log(
            q.action() == QualityAction.FAIL ? "ERROR" : "WARN",
            "quality " + q.id() + ": " + o.rule() + " failed: " + o.message());
      }
      if (q.action() == QualityAction.FAIL && !failed.isEmpty()) {
        throw new BasinException(
            RunErrorCode.RUN_FAILED,
            "node '"
                + q.id()
                + "' (DataQuality): "
                + failed.size()
                + " of "
                + e.outcomes().size()
                + " rules failed: "
                + String.join(
                    "; ", failed.stream().map(o -> o.rule() + " (" + o.message() + ")").toList()));
      }
      if (e.quarantineQuery() != null) {
        String tag = tag(epoch);
        Map<String, Object> out =
            writeOnce(
                q.id(),
                q.quarantineUri(),
                tag,
                epoch,
                () ->
                    ctx.targets(session)
                        .writeJsonLines(
                            q.id(),
                            e.quarantineQuery(),
                            q.quarantineUri(),
                            "part-" + tag + "-0.json"));
        detail.put("quarantinedRows", e.quarantinedRows());
        if (out != null) {
          detail.put("quarantine", out.get("uri"));
        }
        handle.log(
            "WARN",
            "quality "
                + q.id()
                + ": "
                + e.quarantinedRows()
                + " of "
                + e.rows()
                + " rows failed row-level rules and went to "
                + q.quarantineUri());
      }
      rows = e.passedRows();
    } else {
      // Sources are read once into a table when rows are counted, and always when they are CSV
      // objects (unparseable rows must be found before any target is written).
      boolean table =
          (step.materialize() && !countedByTarget.containsKey(node.id()))
              || (node instanceof SourceNode src
                  && (job.settings().rowCounts() || rejectsChecked(src)));
      SingleQuery.require(session, step.select(), "node '" + node.id() + "' (" + node.type() + ")");
      session.runInternal(
          "CREATE OR REPLACE TEMP "
              + (table ? "TABLE " : "VIEW ")
              + Sql.quoteIdent(step.relation())
              + " AS "
              + step.select());
      if (table) {
        rows = count(step.relation());
      } else if (step.rowsSameAs() != null) {
        rows = rowsByNode.get(step.rowsSameAs());
      } else {
        rows = null;
      }
      if (node instanceof SourceNode s) {
        SourceInput in = inputs.get(s.id());
        if (in != null && in.kind().equals("objects")) {
          detail.put("objects", in.objects().size());
        }
        handleRejects(s, epoch, detail);
      }
    }
    rowsByNode.put(node.id(), rows);
    long ms = (System.nanoTime() - t0) / 1_000_000;
    metrics.add(new JobRun.NodeMetrics(node.id(), node.type(), rows, ms, detail));
    handle.metrics(metrics);
    handle.log(
        "INFO",
        node.id()
            + " ("
            + node.type()
            + "): "
            + (rows == null ? "view" : rows + " rows")
            + " in "
            + ms
            + " ms");
  }

  private long count(String relation) {
    return ((Number)
            session.queryInternal("SELECT count(*) FROM " + Sql.quoteIdent(relation)).get(0)[0])
        .longValue();
  }

  private static boolean rejectsChecked(SourceNode s) {
    return s.source() instanceof PrefixSource p
        && (p.format().equalsIgnoreCase("csv") || p.format().equalsIgnoreCase("tsv"));
  }

  /** CSV rows the reader could not parse: quarantined with their reasons, or the run fails. */
  private void handleRejects(SourceNode s, Long epoch, Map<String, Object> detail) {
    if (!(s.source() instanceof PrefixSource p)) {
      return;
    }
    String table = Sources.rejectsTable(s.id());
    String scan = Sources.rejectsScan(s.id());
    List<Object[]> exists =
        session.queryInternal(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name = " + Sql.quoteString(table));
    if (((Number) exists.get(0)[0]).longValue() == 0) {
      return;
    }
    long rejected =
        ((Number)
                session.queryInternal(
                        "SELECT count(*) FROM (SELECT DISTINCT scan_id, file_id, line FROM "
                            + Sql.quoteIdent(table)
                            + ")")
                    .get(0)[0])
            .longValue();
    if (rejected == 0) {
      return;
    }
    detail.put("rejectedRows", rejected);
    List<String> mapping = new ArrayList<>();
    for (SourceInput.ObjectRef o : objectsOf(s.id())) {
      mapping.add(
          "("
              + Sql.quoteString(ctx.engine().files().localPath(o.uri()).toString())
              + ", "
              + Sql.quoteString(o.uri())
              + ")");
    }
    String files =
        mapping.isEmpty()
            ? "(SELECT NULL AS path, NULL AS uri LIMIT 0)"
            : "(VALUES " + String.join(", ", mapping) + ") AS m(path, uri)";
    String query =
        "SELECT coalesce(m.uri, sc.file_path) AS object, e.line,"
            + " string_agg(DISTINCT e.error_type::VARCHAR, ', ') AS error_types,"
            + " string_agg(coalesce(e.column_name || ': ', '') || e.error_message, '; ') AS errors,"
            + " any_value(e.csv_line) AS raw_line FROM "
            + Sql.quoteIdent(table)
            + " e JOIN "
            + Sql.quoteIdent(scan)
            + " sc ON e.scan_id = sc.scan_id AND e.file_id = sc.file_id LEFT JOIN "
            + files
            + " ON m.path = sc.file_path GROUP BY ALL ORDER BY 1, 2";
    String target = null;
    for (Map.Entry<String, String> e : p.options().entrySet()) {
      if (e.getKey().equalsIgnoreCase("badRecords")) {
        target = e.getValue();
      }
    }
    if (target == null) {
      List<Object[]> first = session.queryInternal(query + " LIMIT 3");
      List<String> examples = new ArrayList<>();
      for (Object[] r : first) {
        examples.add(r[0] + " line " + r[1] + ": " + r[3] + " " + r[4]);
      }
      throw new BasinException(
          RunErrorCode.RUN_FAILED,
          "source '"
              + s.id()
              + "': "
              + rejected
              + " row(s) could not be read ("
              + String.join("; ", examples)
              + "); fix the data, or set options.badRecords: s3://bucket/prefix/ on the source to"
              + " quarantine them with their reasons and go on");
    }
    String tag = tag(epoch);
    String uri = target;
    Map<String, Object> out =
        writeOnce(
            s.id(),
            uri,
            tag,
            epoch,
            () ->
                ctx.targets(session)
                    .writeJsonLines(s.id(), query, uri, "part-" + tag + "-rejects.json"));
    if (out != null) {
      detail.put("badRecords", out.get("uri"));
    }
    handle.log(
        "WARN",
        "source "
            + s.id()
            + ": "
            + rejected
            + " row(s) could not be read; quarantined under "
            + uri);
  }

  private List<SourceInput.ObjectRef> objectsOf(String nodeId) {
    SourceInput in = inputs.get(nodeId);
    if (in != null && in.kind().equals("objects")) {
      return in.objects();
    }
    return allObjects.getOrDefault(nodeId, List.of());
  }

  /** The name tag of objects this run writes: unique per epoch (or per run without one). */
  private String tag(Long epoch) {
    return epoch == null ? "r" + handle.runId() : job.name() + "-" + token;
  }

  /**
   * Writes tagged objects under a prefix once per epoch: skipped if the epoch already committed
   * them; otherwise what an interrupted attempt left under the tag is deleted first.
   */
  private Map<String, Object> writeOnce(
      String nodeId,
      String uri,
      String tag,
      Long epoch,
      java.util.function.Supplier<Map<String, Object>> write) {
    if (epoch != null && ctx.store().outputCommitted(job.name(), epoch, nodeId)) {
      handle.log("INFO", nodeId + ": epoch " + epoch + " already wrote " + uri + "; skipped");
      return null;
    }
    ctx.store().addPendingFiles(new JobStore.PendingFiles(handle.runId(), nodeId, uri, tag));
    int removed = ctx.targets(session).deleteTagged(uri, tag);
    if (removed > 0) {
      handle.log(
          "INFO",
          nodeId + ": removed " + removed + " object(s) an interrupted attempt left under " + uri);
    }
    Map<String, Object> out = write.get();
    if (epoch != null) {
      ctx.store().commitOutput(job.name(), epoch, nodeId, handle.runId(), ctx.clock().instant());
    }
    // Without an epoch the objects stay pending until the run succeeds: a failed run's are deleted,
    // so that its retry does not add them twice.
    return out;
  }

  private void writeTarget(Step step, Map<String, Step> byNode, Long epoch) {
    TargetNode node = (TargetNode) step.node();
    Step input = byNode.get(node.input());
    long t0 = System.nanoTime();
    Map<String, Object> detail;
    String relation = Sql.quoteIdent(input.relation());
    if (node.target() instanceof IcebergTarget t) {
      if (epoch != null && ctx.targets(session).icebergCommitted(t, job.name(), token)) {
        handle.log(
            "INFO",
            node.id()
                + ": "
                + t.database()
                + "."
                + t.table()
                + " already has epoch "
                + epoch
                + "; skipped");
        detail = new LinkedHashMap<>();
        detail.put("skipped", "already committed");
      } else {
        Map<String, String> summary = new LinkedHashMap<>();
        summary.put(Targets.SUMMARY_JOB, job.name());
        summary.put(Targets.SUMMARY_RUN, handle.runId());
        if (epoch != null) {
          summary.put(Targets.SUMMARY_EPOCH, token);
        }
        detail =
            ctx.targets(session).writeIceberg(node.id(), t, relation, input.columns(), summary);
      }
    } else {
      PrefixTarget t = (PrefixTarget) node.target();
      String tag = tag(epoch);
      Map<String, Object> out =
          writeOnce(
              node.id(),
              t.uri(),
              tag,
              epoch,
              () -> ctx.targets(session).writePrefix(node.id(), t, relation, input.columns(), tag));
      detail = out == null ? new LinkedHashMap<>(Map.of("skipped", "already committed")) : out;
    }
    Long rows =
        detail.get("rows") instanceof Number n ? n.longValue() : rowsByNode.get(node.input());
    if (detail.containsKey("skipped")) {
      rows = 0L;
    }
    long ms = (System.nanoTime() - t0) / 1_000_000;
    metrics.add(new JobRun.NodeMetrics(node.id(), node.type(), rows, ms, detail));
    handle.metrics(metrics);
    handle.log(
        "INFO",
        node.id() + " (" + node.type() + "): wrote " + rows + " rows in " + ms + " ms " + detail);
  }

  // ---- sources

  private final class Environment implements JobEnvironment {
    private final Map<String, BoundSource> bound = new LinkedHashMap<>();

    @Override
    public BoundSource bind(SourceNode node) {
      BoundSource b = bound.get(node.id());
      if (b != null) {
        return b;
      }
      SourceInput input = planInput(node);
      inputs.put(node.id(), input);
      String relation;
      if (node.source() instanceof PrefixSource p) {
        List<SourceInput.ObjectRef> objects;
        String schemaOnly = null;
        if (input.kind().equals("all")) {
          objects = sources.listObjects(node.id(), p);
          allObjects.put(node.id(), objects);
        } else {
          objects = input.objects();
          if (objects.isEmpty()) {
            schemaOnly = anySeen(node.id());
          }
        }
        relation = sources.prefixRelation(node.id(), p, objects, schemaOnly);
      } else {
        relation = sources.catalogRelation(node.id(), (CatalogSource) node.source(), input);
      }
      List<SqlColumn> columns;
      try {
        columns = session.describeQuery("SELECT * FROM " + relation);
      } catch (RuntimeException e) {
        throw inNode(node, e);
      }
      b = new BoundSource(relation, columns);
      bound.put(node.id(), b);
      return b;
    }

    @Override
    public List<SqlColumn> describe(String sql) {
      SingleQuery.require(session, sql, "job '" + job.name() + "'");
      return session.describeQuery(sql);
    }

    @Override
    public Optional<List<SqlColumn>> tableColumns(String database, String table) {
      if (!ctx.catalog().databases().exists(database)) {
        return Optional.empty();
      }
      var id = org.apache.iceberg.catalog.TableIdentifier.of(database, table);
      if (ctx.catalog().iceberg().tableExists(id)) {
        return Optional.of(
            session.describeQuery(
                "SELECT * FROM "
                    + session
                        .resolver()
                        .resolve(
                            session.resolver().lookup(database, table, null).orElseThrow(),
                            List.of())
                        .sql()));
      }
      return Optional.empty();
    }
  }

  /** A resumed epoch must read what it recorded: every object still there, unchanged. */
  private void verifyRecorded(long epoch) {
    for (Map.Entry<String, SourceInput> e : recorded.entrySet()) {
      for (SourceInput.ObjectRef o : e.getValue().objects()) {
        dev.basin.sql.plan.LakeFiles.Location loc =
            dev.basin.sql.plan.LakeFiles.Location.parse(o.uri());
        String etag;
        try {
          etag = ctx.objects().head(loc.bucket(), loc.key(), null).etag();
        } catch (dev.basin.spi.storage.ObjectStoreException gone) {
          etag = null;
        }
        if (!o.etag().equals(etag)) {
          throw new BasinException(
              RunErrorCode.RUN_FAILED,
              "source '"
                  + e.getKey()
                  + "': "
                  + o.uri()
                  + (etag == null ? " was deleted" : " was rewritten")
                  + " after bookmark epoch "
                  + epoch
                  + " recorded it, so that epoch cannot be re-run as it was; discard it with"
                  + " ./basin job bookmark "
                  + job.name()
                  + " --reset (or --rewind RUN_ID) and run again");
        }
      }
    }
  }

  private String anySeen(String nodeId) {
    for (String s : ctx.store().seen(job.name(), nodeId)) {
      return s.substring(0, s.lastIndexOf(' '));
    }
    return null;
  }

  private SourceInput planInput(SourceNode node) {
    if (job.settings().bookmarks() == BookmarkOption.DISABLE) {
      return SourceInput.all();
    }
    SourceInput r = recorded.get(node.id());
    if (r != null) {
      return r;
    }
    if (node.source() instanceof PrefixSource p) {
      for (Map.Entry<String, String> e : p.options().entrySet()) {
        if (e.getKey().equalsIgnoreCase("bookmark") && e.getValue().equalsIgnoreCase("false")) {
          return SourceInput.all();
        }
      }
      return SourceInput.objects(unseen(node.id(), sources.listObjects(node.id(), p)));
    }
    CatalogSource c = (CatalogSource) node.source();
    if (sources.isIceberg(c)) {
      Long from = null;
      for (JobStore.Epoch e : ctx.store().committedEpochs(job.name())) {
        SourceInput in = JobStore.readJson(e.inputs(), INPUTS).get(node.id());
        if (in != null && in.kind().equals("snapshots") && in.toSnapshot() != null) {
          from = in.toSnapshot();
        }
      }
      return SourceInput.snapshots(from, sources.currentSnapshot(c));
    }
    Optional<ExternalTable> t = sources.external(c);
    if (t.isEmpty()) {
      return SourceInput.all(); // binding reports the missing table
    }
    return SourceInput.objects(unseen(node.id(), sources.listObjects(t.get())));
  }

  private List<SourceInput.ObjectRef> unseen(String nodeId, List<SourceInput.ObjectRef> all) {
    Set<String> seen = new HashSet<>(ctx.store().seen(job.name(), nodeId));
    List<SourceInput.ObjectRef> out = new ArrayList<>();
    for (SourceInput.ObjectRef o : all) {
      if (!seen.contains(o.uri() + " " + o.etag())) {
        out.add(o);
      }
    }
    return out;
  }
}
