package dev.basin.sql.mv;

import dev.basin.spi.sql.SessionContext;
import dev.basin.spi.sql.SqlColumn;
import dev.basin.spi.sql.SqlException;
import dev.basin.spi.sql.SqlState;
import dev.basin.spi.sql.TableScan;
import dev.basin.sql.DuckDbSession;
import dev.basin.sql.DuckDbSqlEngine;
import dev.basin.sql.DuckDbTypes;
import dev.basin.sql.MaterializedViewSupport;
import dev.basin.sql.plan.QueryPlanner;
import dev.basin.sql.plan.Statement;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.OverwriteFiles;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.Transaction;
import org.apache.iceberg.UpdateProperties;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.exceptions.CommitStateUnknownException;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.exceptions.ValidationException;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Types;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Materialized views (Redshift semantics) on the DuckDB engine. A view is an Iceberg table {@code
 * database.view} whose properties hold its definition ({@link ViewDefinition}); queries read it
 * like any table. A refresh computes the new rows, has DuckDB write them as data files, and commits
 * them in <em>one</em> Iceberg transaction that removes the old files, adds the new ones and
 * records the input snapshots the rows reflect, so the view never disagrees with its recorded
 * inputs, whatever crashes.
 *
 * <p>A single-table aggregate ({@link AggregateQuery}) whose input only received appends since the
 * last refresh is refreshed incrementally: the query runs over just the appended files and its
 * partial aggregates merge into the stored rows. Anything else recomputes the whole query.
 *
 * <p>{@code DROP TABLE} on a view's table drops the view: nothing outside the table remembers it.
 *
 * <p>Thread-safe. Refreshes of one view never overlap (a per-view lock shared by statements and the
 * {@link MaterializedViewRefresher}); refreshes of different views run in parallel.
 */
public final class MaterializedViews implements MaterializedViewSupport {

  private static final Logger LOG = LoggerFactory.getLogger(MaterializedViews.class);
  private static final Duration MAX_BACKOFF = Duration.ofMinutes(5);

  private final DuckDbSqlEngine engine;
  private final Map<String, Tracked> tracked = new ConcurrentHashMap<>();

  /**
   * What this process knows about one view: its last-read definition and the outcome of its last
   * refresh. Entries stay when a view is dropped (with a null definition) so that a view's lock is
   * never replaced while someone holds it.
   */
  static final class Tracked {
    final String name;
    final TableIdentifier id;
    final ReentrantLock lock = new ReentrantLock();
    volatile ViewDefinition definition;
    volatile RefreshResult lastResult;
    volatile String lastError;
    volatile Instant lastErrorTime;
    volatile int failures;
    volatile Instant nextAttempt = Instant.EPOCH;
    volatile Instant lastAttempt;
    volatile boolean refreshing;

    /** The inputs' current versions when the refresher last started a refresh of the view. */
    volatile Map<String, Object> seenInputs;

    Tracked(String name, TableIdentifier id) {
      this.name = name;
      this.id = id;
    }
  }

  /** What a refresh is about to write and what it read. */
  private record Work(
      String select,
      Map<String, Object> inputs,
      RefreshMode mode,
      long inputFiles,
      long inputBytes,
      String detail) {}

  public MaterializedViews(DuckDbSqlEngine engine) {
    this.engine = engine;
  }

  DuckDbSqlEngine engine() {
    return engine;
  }

  // ---- statements

  /**
   * CREATE MATERIALIZED VIEW: creates the view's table and fills it in one commit. Durable when it
   * returns.
   *
   * @return rows in the view (0 when IF NOT EXISTS found an existing view)
   * @throws SqlException {@link SqlState#DUPLICATE_TABLE} if the name is taken; the planner's and
   *     DuckDB's errors for a query that cannot run, prefixed with the view's name
   */
  @Override
  public long create(DuckDbSession session, Statement.CreateMaterializedView statement) {
    Statement.Name q = session.qualify(statement.view());
    requireDatabase(q.database());
    Tracked t = entry(q.database(), q.name());
    t.lock.lock();
    try {
      if (nameTaken(q)) {
        if (statement.ifNotExists()) {
          return 0;
        }
        throw new SqlException(
            SqlState.DUPLICATE_TABLE,
            "materialized view or table "
                + q
                + " already exists; drop it first (DROP MATERIALIZED VIEW "
                + q
                + ") or use CREATE MATERIALIZED VIEW IF NOT EXISTS");
      }
      String db = session.database() != null ? session.database() : q.database();
      RefreshResult result = inDatabase(session, db, work -> createLocked(work, q, statement, db));
      succeeded(t, result);
      return result.rows();
    } finally {
      t.lock.unlock();
    }
  }

  /**
   * REFRESH MATERIALIZED VIEW: brings the view up to date, incrementally when it can (unless {@code
   * FULL}). Waits for a refresh of the same view that is already running. Durable when it returns.
   *
   * @return rows in the view
   */
  @Override
  public long refresh(DuckDbSession session, Statement.RefreshMaterializedView statement) {
    return refresh(session, statement.view(), statement.full()).rows();
  }

  /**
   * Refreshes a view and reports how. Durable when it returns.
   *
   * @param full recompute even when an incremental refresh (or none) would do
   * @throws SqlException {@link SqlState#UNDEFINED_TABLE} if there is no such view (or the name is
   *     a plain table); {@link SqlState#SERIALIZATION_FAILURE} if a concurrent change to the view's
   *     table won (retry)
   */
  public RefreshResult refresh(DuckDbSession session, Statement.Name view, boolean full) {
    Statement.Name q = session.qualify(view);
    Tracked t = entry(q.database(), q.name());
    t.lock.lock();
    try {
      Table table = loadView(q);
      ViewDefinition def = definition(q, table);
      t.definition = def;
      t.lastAttempt = engine.clock().instant();
      t.refreshing = true;
      try {
        RefreshResult r =
            inDatabase(
                session,
                def.database(),
                work -> refreshLocked(work, t, table, def, full, () -> false));
        succeeded(t, r);
        return r;
      } catch (RuntimeException e) {
        failed(t, e);
        throw e;
      } finally {
        t.refreshing = false;
      }
    } finally {
      t.lock.unlock();
    }
  }

  /**
   * DROP MATERIALIZED VIEW: drops the view's table and its files. Waits for a running refresh of
   * the view. Durable when it returns.
   *
   * @throws SqlException {@link SqlState#UNDEFINED_TABLE} if there is no such view (unless {@code
   *     ifExists}) or the name is a table or view rather than a materialized view
   */
  @Override
  public void drop(DuckDbSession session, Statement.Name view, boolean ifExists) {
    Statement.Name q = session.qualify(view);
    Tracked t = entry(q.database(), q.name());
    t.lock.lock();
    try {
      Table table;
      try {
        table = engine.catalog().iceberg().loadTable(id(q));
      } catch (NoSuchTableException e) {
        if (!ifExists || nameTaken(q)) {
          throw notAView(q);
        }
        t.definition = null;
        return;
      }
      definition(q, table);
      engine.catalog().iceberg().dropTable(id(q), true);
      t.definition = null;
      t.lastResult = null;
      t.lastError = null;
    } finally {
      t.lock.unlock();
    }
  }

  // ---- status

  /**
   * Every materialized view in the catalog with its refresh state. Reads the catalog (every table's
   * properties, every input's current snapshot), so it costs a few milliseconds per table.
   */
  public List<MaterializedViewStatus> status() {
    discover();
    List<MaterializedViewStatus> out = new ArrayList<>();
    for (Tracked t : tracked.values()) {
      ViewDefinition def = t.definition;
      if (def != null) {
        out.add(status(t, def));
      }
    }
    out.sort((a, b) -> a.name().compareTo(b.name()));
    return out;
  }

  /** One view's refresh state, read fresh from the catalog; empty if it is not a view. */
  public Optional<MaterializedViewStatus> status(String database, String view) {
    Tracked t = entry(database.toLowerCase(Locale.ROOT), view);
    Table table;
    try {
      table = engine.catalog().iceberg().loadTable(t.id);
    } catch (NoSuchTableException e) {
      t.definition = null;
      return Optional.empty();
    }
    Optional<ViewDefinition> def = ViewDefinition.of(t.name, table.properties());
    t.definition = def.orElse(null);
    return def.map(d -> status(t, d));
  }

  /** The last successful refresh (or CREATE) of a view that this process ran. */
  public Optional<RefreshResult> lastRefresh(String database, String view) {
    Tracked t = tracked.get(key(database.toLowerCase(Locale.ROOT), view));
    return t == null ? Optional.empty() : Optional.ofNullable(t.lastResult);
  }

  private MaterializedViewStatus status(Tracked t, ViewDefinition def) {
    return new MaterializedViewStatus(
        def.name(),
        def.sql(),
        def.incremental(),
        def.fullReason(),
        def.autoRefresh(),
        def.refreshEvery(),
        def.lastMode(),
        def.lastRefresh(),
        def.lastDuration(),
        def.rows(),
        changedInputs(def),
        t.refreshing,
        t.lastError,
        t.lastErrorTime);
  }

  // ---- background refresh (used by MaterializedViewRefresher)

  /** Re-reads which tables are views from the catalog. */
  void discover() {
    Set<String> seen = new HashSet<>();
    for (var db : engine.catalog().databases().list()) {
      List<TableIdentifier> ids;
      try {
        ids = engine.catalog().iceberg().listTables(Namespace.of(db.name()));
      } catch (RuntimeException e) {
        continue; // dropped while listing
      }
      for (TableIdentifier id : ids) {
        try {
          Table table = engine.catalog().iceberg().loadTable(id);
          String name = key(db.name(), id.name());
          Optional<ViewDefinition> def = ViewDefinition.of(name, table.properties());
          if (def.isPresent()) {
            entry(db.name(), id.name()).definition = def.get();
            seen.add(name);
          }
        } catch (NoSuchTableException e) {
          // dropped while listing
        }
      }
    }
    for (Tracked t : tracked.values()) {
      if (!seen.contains(t.name) && !t.lock.isLocked()) {
        t.definition = null;
      }
    }
  }

  /** The views this process knows of. */
  Collection<Tracked> tracked() {
    return tracked.values();
  }

  /**
   * Whether a view should be refreshed now: its period has passed since its last refresh or
   * attempt, or it refreshes automatically and an input has a new snapshot. Views that failed
   * recently wait (exponential backoff up to five minutes).
   */
  boolean due(Tracked t, Instant now) {
    ViewDefinition def = t.definition;
    if (def == null || now.isBefore(t.nextAttempt)) {
      return false;
    }
    if (def.refreshEvery() != null) {
      Instant last = latest(def.lastRefresh(), t.lastAttempt);
      if (last == null || !now.isBefore(last.plus(def.refreshEvery()))) {
        return true;
      }
    }
    if (!def.autoRefresh()) {
      return false;
    }
    // Compared with what the last background refresh saw too, so that an input the query pins
    // (time travel) does not trigger a refresh on every poll.
    Map<String, Object> current = currentVersions(def);
    return !changed(def, current).isEmpty() && !current.equals(t.seenInputs);
  }

  /**
   * Refreshes a view from the background on a session of its own, unless a refresh of it is already
   * running. Failures are logged and recorded, never thrown.
   *
   * @param sessions told about the session the refresh runs on (so that it can be cancelled), and
   *     told null when it ends
   * @param stopping true once the refresh must stop; it then commits nothing
   */
  void refreshInBackground(Tracked t, Consumer<DuckDbSession> sessions, BooleanSupplier stopping) {
    if (!t.lock.tryLock()) {
      return;
    }
    try {
      Table table;
      try {
        table = engine.catalog().iceberg().loadTable(t.id);
      } catch (NoSuchTableException e) {
        t.definition = null; // dropped with DROP TABLE
        return;
      }
      Optional<ViewDefinition> def = ViewDefinition.of(t.name, table.properties());
      if (def.isEmpty()) {
        t.definition = null;
        return;
      }
      t.definition = def.get();
      t.lastAttempt = engine.clock().instant();
      t.seenInputs = currentVersions(def.get());
      t.refreshing = true;
      try (DuckDbSession session =
          engine.openSession(new SessionContext("basin-mv", def.get().database()))) {
        sessions.accept(session);
        RefreshResult r = refreshLocked(session, t, table, def.get(), false, stopping);
        succeeded(t, r);
        if (r.mode() != RefreshMode.UP_TO_DATE) {
          LOG.atInfo()
              .addKeyValue("view", t.name)
              .addKeyValue("mode", r.mode())
              .addKeyValue("rows", r.rows())
              .addKeyValue("inputFiles", r.inputFiles())
              .log("materialized view refreshed");
        }
      } finally {
        sessions.accept(null);
        t.refreshing = false;
      }
    } catch (RuntimeException e) {
      failed(t, e);
      t.seenInputs = null;
      if (stopping.getAsBoolean()) {
        LOG.atDebug().addKeyValue("view", t.name).log("materialized view refresh cancelled");
        return;
      }
      LOG.atWarn()
          .setCause(e)
          .addKeyValue("view", t.name)
          .addKeyValue("failures", t.failures)
          .addKeyValue("retryAt", t.nextAttempt)
          .log("materialized view refresh failed");
    } finally {
      t.lock.unlock();
    }
  }

  // ---- create

  private RefreshResult createLocked(
      DuckDbSession work,
      Statement.Name q,
      Statement.CreateMaterializedView statement,
      String database) {
    Instant startedAt = engine.clock().instant();
    long started = System.nanoTime();
    QueryPlanner.Planned planned;
    List<SqlColumn> columns;
    try {
      planned = work.plan(statement.sql());
      columns = work.describeQuery(planned.sql());
    } catch (SqlException e) {
      throw about(q, e);
    }
    List<String> names = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (SqlColumn c : columns) {
      if (c.name() == null || c.name().isBlank()) {
        throw new SqlException(
            SqlState.SYNTAX_ERROR,
            "every column of materialized view " + q + " needs a name (expression AS name)");
      }
      if (!seen.add(c.name().toLowerCase(Locale.ROOT))) {
        throw new SqlException(
            SqlState.DUPLICATE_TABLE,
            "materialized view "
                + q
                + "'s query returns column '"
                + c.name()
                + "' twice; give one of them another name with AS");
      }
      names.add(c.name());
    }

    AggregateQuery.Analysis analysis = AggregateQuery.analyze(work, statement.sql());
    AggregateQuery agg = analysis.query();
    String reason = analysis.reason();
    QueryPlanner.Planned state = null;
    List<SqlColumn> stateColumns = null;
    if (agg != null) {
      reason = inputProblem(agg, database);
      if (reason == null) {
        try {
          state = work.plan(agg.stateSql());
          stateColumns = work.describeQuery(state.sql());
          if (stateColumns.size() != columns.size() + 2 * agg.averages()) {
            reason = "its rewritten query returns an unexpected number of columns";
          }
        } catch (SqlException e) {
          reason = "DuckDB cannot sum and count its AVG arguments (" + e.getMessage() + ")";
        }
      }
      if (reason != null) {
        agg = null;
      }
    }

    List<String> types = new ArrayList<>();
    List<String> hidden = new ArrayList<>();
    if (agg != null) {
      stateColumns.forEach(c -> types.add(c.type().name()));
      for (int i = 0; i < agg.roles().size(); i++) {
        if (agg.roles().get(i) == AggregateQuery.Role.AVG) {
          String base = names.get(i).replaceAll("[^A-Za-z0-9_]", "_");
          String sum = unique("__sum_" + base, seen);
          String count = unique("__count_" + base, seen);
          hidden.add(sum);
          hidden.add(count);
        }
      }
      names.addAll(hidden);
    } else {
      columns.forEach(c -> types.add(c.type().name()));
    }
    Schema schema = DuckDbTypes.icebergSchema(names, types);
    Map<String, String> properties =
        ViewDefinition.properties(
            statement.sql(),
            database,
            agg != null,
            reason,
            statement.autoRefresh(),
            statement.every(),
            String.join(",", hidden));

    Transaction tx;
    try {
      tx =
          engine
              .catalog()
              .iceberg()
              .buildTable(id(q), schema)
              .withProperties(properties)
              .createTransaction();
    } catch (AlreadyExistsException e) {
      throw new SqlException(SqlState.DUPLICATE_TABLE, "table " + q + " already exists", e);
    }
    Table table = tx.table();
    Work w =
        agg != null
            ? fullWork(work, table.schema(), agg, state, null)
            : fullWork(work, table.schema(), null, planned, reason);
    List<DataFile> files = work.writer().writeFiles(table, w.select());
    RefreshResult result = result(q.toString(), w, files, startedAt, started);
    AppendFiles append = tx.newAppend();
    files.forEach(append::appendFile);
    append.commit();
    UpdateProperties update = tx.updateProperties();
    ViewDefinition.refreshProperties(w.inputs(), result).forEach(update::set);
    update.commit();
    commit(q.toString(), tx, files);
    return result;
  }

  private static void stopIf(BooleanSupplier stopping, String view) {
    if (stopping.getAsBoolean()) {
      throw new SqlException(
          SqlState.QUERY_CANCELED,
          "the refresh of materialized view " + view + " was cancelled: the refresher is stopping");
    }
  }

  private static String unique(String name, Set<String> taken) {
    String candidate = name;
    for (int i = 2; !taken.add(candidate.toLowerCase(Locale.ROOT)); i++) {
      candidate = name + "_" + i;
    }
    return candidate;
  }

  /** Why the aggregate's input cannot be read incrementally, or null. */
  private String inputProblem(AggregateQuery agg, String database) {
    String db = agg.inputDatabase() != null ? agg.inputDatabase() : database;
    Table input = loadInput(db, agg.inputTable());
    if (input == null) {
      return "its table is not an Iceberg table (a view or an external table)";
    }
    return aliasProblem(agg, input);
  }

  private static String aliasProblem(AggregateQuery agg, Table input) {
    for (Types.NestedField f : input.schema().columns()) {
      if (agg.aliasGroups().contains(f.name().toLowerCase(Locale.ROOT))) {
        return "GROUP BY "
            + f.name()
            + " names both a column and a select-list alias; DuckDB groups by the column";
      }
    }
    return null;
  }

  // ---- refresh

  private RefreshResult refreshLocked(
      DuckDbSession work,
      Tracked t,
      Table table,
      ViewDefinition def,
      boolean forceFull,
      BooleanSupplier stopping) {
    Instant startedAt = engine.clock().instant();
    long started = System.nanoTime();
    Snapshot base = table.currentSnapshot();
    AggregateQuery agg = null;
    if (def.incremental()) {
      AggregateQuery.Analysis a = AggregateQuery.analyze(work, def.sql());
      if (!a.incremental()
          || table.schema().columns().size()
              != a.query().roles().size() + 2 * a.query().averages()) {
        throw new SqlException(
            SqlState.INTERNAL_ERROR,
            "materialized view "
                + t.name
                + " no longer matches its table"
                + (a.incremental() ? "" : " (" + a.reason() + ")")
                + "; drop it and create it again");
      }
      agg = a.query();
    }
    if (!forceFull && changedInputs(def).isEmpty() && trackable(def)) {
      return new RefreshResult(
          t.name,
          RefreshMode.UP_TO_DATE,
          totalRecords(base),
          0,
          0,
          startedAt,
          Duration.ofNanos(System.nanoTime() - started),
          null);
    }
    List<DataFile> current = dataFiles(table, base, t.name);
    Work w = null;
    String why = forceFull ? "REFRESH … FULL" : def.fullReason();
    if (agg != null && !forceFull) {
      Object outcome = incrementalWork(work, table, def, agg, current);
      if (outcome instanceof Work incremental) {
        w = incremental;
      } else {
        why = (String) outcome;
      }
    }
    if (w == null) {
      QueryPlanner.Planned planned = work.plan(agg != null ? agg.stateSql() : def.sql());
      w = fullWork(work, table.schema(), agg, planned, why);
      if (agg == null) {
        int returned = work.describeQuery(planned.sql()).size();
        if (returned != table.schema().columns().size()) {
          throw new SqlException(
              SqlState.DATATYPE_MISMATCH,
              "materialized view "
                  + t.name
                  + "'s query now returns "
                  + returned
                  + " columns but the view has "
                  + table.schema().columns().size()
                  + " (an input's schema changed); drop the view and create it again");
        }
      }
    }
    stopIf(stopping, t.name);
    List<DataFile> files = work.writer().writeFiles(table, w.select());
    try {
      stopIf(stopping, t.name);
    } catch (SqlException e) {
      deleteQuietly(table, files);
      throw e;
    }
    RefreshResult result = result(t.name, w, files, startedAt, started);
    Transaction tx = table.newTransaction();
    OverwriteFiles overwrite =
        tx.newOverwrite()
            .conflictDetectionFilter(Expressions.alwaysTrue())
            .validateNoConflictingData()
            .validateNoConflictingDeletes();
    if (base != null) {
      overwrite.validateFromSnapshot(base.snapshotId());
    }
    current.forEach(overwrite::deleteFile);
    files.forEach(overwrite::addFile);
    overwrite.commit();
    UpdateProperties update = tx.updateProperties();
    ViewDefinition.refreshProperties(w.inputs(), result).forEach(update::set);
    update.commit();
    commit(t.name, tx, files);
    return result;
  }

  /**
   * The merge of the input's appended files into the view, or (a String) why a full recompute is
   * needed instead.
   */
  private Object incrementalWork(
      DuckDbSession work,
      Table view,
      ViewDefinition def,
      AggregateQuery agg,
      List<DataFile> viewFiles) {
    String db = agg.inputDatabase() != null ? agg.inputDatabase() : def.database();
    db = db.toLowerCase(Locale.ROOT);
    Table input = loadInput(db, agg.inputTable());
    if (input == null) {
      return "input " + db + "." + agg.inputTable() + " is no longer an Iceberg table";
    }
    String problem = aliasProblem(agg, input);
    if (problem != null) {
      return problem;
    }
    String inputName = db + "." + tableName(input);
    Optional<Map.Entry<String, Object>> recorded = def.input(inputName);
    if (recorded.isEmpty() || recorded.get().getValue() instanceof String) {
      return "no snapshot of " + inputName + " is recorded";
    }
    Long last = (Long) recorded.get().getValue();
    Snapshot current = input.currentSnapshot();
    if (current == null) {
      return inputName + " has no snapshot any more (it was recreated)";
    }
    List<Snapshot> added = new ArrayList<>();
    Snapshot s = current;
    while (s != null && (last == null || s.snapshotId() != last)) {
      added.add(s);
      s = s.parentId() == null ? null : input.snapshot(s.parentId());
    }
    if (last != null && s == null) {
      return "snapshot "
          + last
          + " of "
          + inputName
          + " is no longer in its history (the table was recreated, rolled back or its snapshots"
          + " expired)";
    }
    List<DataFile> files = new ArrayList<>();
    long bytes = 0;
    for (Snapshot a : added) {
      if (!"append".equals(a.operation())) {
        return "snapshot "
            + a.snapshotId()
            + " of "
            + inputName
            + " is a '"
            + a.operation()
            + "', not an append";
      }
      for (DataFile f : a.addedDataFiles(input.io())) {
        files.add(f);
        bytes += f.fileSizeInBytes();
      }
    }
    String newRows = work.resolver().relationForFiles(input.schema(), files);
    QueryPlanner.Planned planned =
        work.plan(agg.stateSql(), Map.of(inputName.toLowerCase(Locale.ROOT), newRows));
    String oldRows = work.resolver().relationForFiles(view.schema(), viewFiles);
    Map<String, Object> inputs = new LinkedHashMap<>();
    inputs.put(inputName, current.snapshotId());
    return new Work(
        ViewSql.merge(view.schema(), agg.roles(), oldRows, planned.sql()),
        inputs,
        RefreshMode.INCREMENTAL,
        files.size(),
        bytes,
        null);
  }

  private Work fullWork(
      DuckDbSession work,
      Schema schema,
      AggregateQuery agg,
      QueryPlanner.Planned planned,
      String why) {
    Map<String, Object> inputs = new LinkedHashMap<>();
    long files = 0;
    long bytes = 0;
    for (TableScan scan : planned.scans()) {
      inputs.put(scan.table(), version(scan.version()));
      files += scan.filesPlanned();
      bytes += scan.bytesPlanned();
    }
    String select =
        agg != null
            ? ViewSql.merge(
                schema,
                agg.roles(),
                work.resolver().relationForFiles(schema, List.of()),
                planned.sql())
            : ViewSql.projection(schema, planned.sql());
    return new Work(select, inputs, RefreshMode.FULL, files, bytes, why);
  }

  /** A scan's version as recorded in the inputs: a snapshot id, null when empty, else as is. */
  private static Object version(String version) {
    if (version.equals("empty")) {
      return null;
    }
    if (version.startsWith("snapshot:")) {
      try {
        String id = version.substring("snapshot:".length());
        int slash = id.indexOf('/');
        return Long.parseLong(slash < 0 ? id : id.substring(0, slash));
      } catch (NumberFormatException e) {
        return version;
      }
    }
    return version;
  }

  /** Whether every input is an Iceberg table, so that unchanged snapshots mean unchanged data. */
  private static boolean trackable(ViewDefinition def) {
    return def.inputs().values().stream().noneMatch(v -> v instanceof String);
  }

  /** Iceberg inputs whose current snapshot differs from the recorded one (or that are gone). */
  private List<String> changedInputs(ViewDefinition def) {
    return changed(def, currentVersions(def));
  }

  private static List<String> changed(ViewDefinition def, Map<String, Object> current) {
    List<String> changed = new ArrayList<>();
    current.forEach(
        (name, version) -> {
          if (!Objects.equals(version, def.inputs().get(name))) {
            changed.add(name);
          }
        });
    return changed;
  }

  /**
   * The current snapshot id (null when it has none) of each Iceberg input the view records, or
   * {@code "missing"} for one that no longer exists.
   */
  private Map<String, Object> currentVersions(ViewDefinition def) {
    Map<String, Object> current = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : def.inputs().entrySet()) {
      if (e.getValue() instanceof String) {
        continue;
      }
      int dot = e.getKey().indexOf('.');
      Table input =
          dot < 0 ? null : loadInput(e.getKey().substring(0, dot), e.getKey().substring(dot + 1));
      Snapshot s = input == null ? null : input.currentSnapshot();
      current.put(e.getKey(), input == null ? "missing" : s == null ? null : s.snapshotId());
    }
    return current;
  }

  // ---- commits

  private RefreshResult result(
      String view, Work w, List<DataFile> files, Instant startedAt, long started) {
    long rows = files.stream().mapToLong(DataFile::recordCount).sum();
    return new RefreshResult(
        view,
        w.mode(),
        rows,
        w.inputFiles(),
        w.inputBytes(),
        startedAt,
        Duration.ofNanos(System.nanoTime() - started),
        w.detail());
  }

  /**
   * Commits a transaction; on a definite failure removes the files it would have added. An unknown
   * outcome leaves them: the commit may have happened.
   */
  private void commit(String view, Transaction tx, List<DataFile> files) {
    try {
      tx.commitTransaction();
    } catch (CommitStateUnknownException e) {
      throw new SqlException(
          SqlState.INTERNAL_ERROR,
          "the commit of materialized view "
              + view
              + " may or may not have happened; check it with SELECT before refreshing again",
          e);
    } catch (CommitFailedException | ValidationException e) {
      deleteQuietly(tx.table(), files);
      throw new SqlException(
          SqlState.SERIALIZATION_FAILURE,
          "a concurrent change to materialized view " + view + " won; refresh it again",
          e);
    } catch (RuntimeException e) {
      deleteQuietly(tx.table(), files);
      throw e;
    }
  }

  private static void deleteQuietly(Table table, List<DataFile> files) {
    for (DataFile f : files) {
      try {
        table.io().deleteFile(f.location());
      } catch (RuntimeException e) {
        // An orphan file; remove-orphan-files maintenance collects it.
      }
    }
  }

  // ---- catalog helpers

  private static List<DataFile> dataFiles(Table table, Snapshot snapshot, String view) {
    List<DataFile> files = new ArrayList<>();
    if (snapshot == null) {
      return files;
    }
    try (CloseableIterable<FileScanTask> tasks =
        table.newScan().useSnapshot(snapshot.snapshotId()).planFiles()) {
      for (FileScanTask task : tasks) {
        if (!task.deletes().isEmpty()) {
          throw new SqlException(
              SqlState.FEATURE_NOT_SUPPORTED,
              "materialized view "
                  + view
                  + "'s table has row-level delete files (something other than a refresh wrote"
                  + " to it); REFRESH MATERIALIZED VIEW "
                  + view
                  + " FULL cannot fix that: drop the view and create it again");
        }
        files.add(task.file());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return files;
  }

  private static long totalRecords(Snapshot snapshot) {
    if (snapshot == null) {
      return 0;
    }
    try {
      return Long.parseLong(snapshot.summary().getOrDefault("total-records", "0"));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** An Iceberg input table by name as written (then in lower case, as the planner does). */
  private Table loadInput(String database, String name) {
    String db = database.toLowerCase(Locale.ROOT);
    try {
      return engine.catalog().iceberg().loadTable(TableIdentifier.of(db, name));
    } catch (NoSuchTableException e) {
      if (name.equals(name.toLowerCase(Locale.ROOT))) {
        return null;
      }
    }
    try {
      return engine
          .catalog()
          .iceberg()
          .loadTable(TableIdentifier.of(db, name.toLowerCase(Locale.ROOT)));
    } catch (NoSuchTableException e) {
      return null;
    }
  }

  private static String tableName(Table table) {
    String name = table.name();
    return name.substring(name.lastIndexOf('.') + 1);
  }

  private Table loadView(Statement.Name q) {
    try {
      return engine.catalog().iceberg().loadTable(id(q));
    } catch (NoSuchTableException e) {
      throw notAView(q);
    }
  }

  private ViewDefinition definition(Statement.Name q, Table table) {
    return ViewDefinition.of(key(q.database(), q.name()), table.properties())
        .orElseThrow(() -> notAView(q));
  }

  private SqlException notAView(Statement.Name q) {
    String what = null;
    String instead = null;
    if (engine.catalog().iceberg().tableExists(id(q))) {
      what = "a table";
      instead = "DROP TABLE";
    } else if (engine.catalog().iceberg().viewExists(id(q))) {
      what = "a view";
      instead = "DROP VIEW";
    } else if (engine.catalog().externalTables().find(q.database(), q.name()).isPresent()) {
      what = "an external table";
      instead = "DROP TABLE";
    }
    if (what != null) {
      return new SqlException(
          SqlState.UNDEFINED_TABLE,
          q
              + " is "
              + what
              + ", not a materialized view (REFRESH and DROP MATERIALIZED VIEW take views made"
              + " with CREATE MATERIALIZED VIEW; drop it with "
              + instead
              + ")");
    }
    return new SqlException(
        SqlState.UNDEFINED_TABLE,
        "materialized view "
            + q
            + " does not exist; create it with CREATE MATERIALIZED VIEW "
            + q
            + " AS SELECT …");
  }

  private boolean nameTaken(Statement.Name q) {
    return engine.catalog().iceberg().tableExists(id(q))
        || engine.catalog().iceberg().viewExists(id(q))
        || engine.catalog().externalTables().find(q.database(), q.name()).isPresent();
  }

  private void requireDatabase(String db) {
    if (!engine.catalog().databases().exists(db)) {
      throw new SqlException(
          SqlState.INVALID_SCHEMA_NAME,
          "database '" + db + "' does not exist; create it with CREATE DATABASE " + db);
    }
  }

  private static TableIdentifier id(Statement.Name q) {
    return TableIdentifier.of(q.database(), q.name());
  }

  private static String key(String database, String name) {
    return database + "." + name;
  }

  private Tracked entry(String database, String name) {
    return tracked.computeIfAbsent(
        key(database, name), k -> new Tracked(k, TableIdentifier.of(database, name)));
  }

  private static SqlException about(Statement.Name q, SqlException e) {
    return new SqlException(
        e.state(), "cannot create materialized view " + q + ": " + e.getMessage(), 0, e);
  }

  /**
   * Runs {@code action} on a session whose database is {@code database} (where the view's query
   * resolves unqualified names): the caller's own when it matches, otherwise a short-lived one.
   */
  private <T> T inDatabase(
      DuckDbSession session, String database, Function<DuckDbSession, T> action) {
    if (database == null || database.equals(session.database())) {
      return action.apply(session);
    }
    try (DuckDbSession other =
        engine.openSession(new SessionContext(session.context().user(), database))) {
      return action.apply(other);
    }
  }

  private void succeeded(Tracked t, RefreshResult r) {
    t.lastResult = r;
    t.lastError = null;
    t.lastErrorTime = null;
    t.failures = 0;
    t.nextAttempt = Instant.EPOCH;
    if (r.mode() != RefreshMode.UP_TO_DATE) {
      try {
        Table table = engine.catalog().iceberg().loadTable(t.id);
        t.definition = ViewDefinition.of(t.name, table.properties()).orElse(null);
      } catch (NoSuchTableException e) {
        t.definition = null;
      }
    }
  }

  private void failed(Tracked t, RuntimeException e) {
    Instant now = engine.clock().instant();
    t.failures++;
    t.lastError = e.getMessage() == null ? e.toString() : e.getMessage();
    t.lastErrorTime = now;
    long seconds = 1L << Math.min(t.failures - 1, 9);
    Duration wait = Duration.ofSeconds(seconds);
    t.nextAttempt = now.plus(wait.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : wait);
  }

  private static Instant latest(Instant a, Instant b) {
    if (a == null) {
      return b;
    }
    if (b == null) {
      return a;
    }
    return a.isAfter(b) ? a : b;
  }
}
