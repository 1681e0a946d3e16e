package dev.basin.catalog.crawler;

import dev.basin.catalog.ExternalTable;
import dev.basin.catalog.ExternalTables;
import dev.basin.catalog.LakeCatalog;
import dev.basin.catalog.Partition;
import dev.basin.catalog.PartitionInput;
import dev.basin.catalog.crawler.CrawlPlan.EventRef;
import dev.basin.catalog.crawler.CrawlPlan.PartitionAction;
import dev.basin.catalog.crawler.CrawlPlan.PartitionChange;
import dev.basin.catalog.crawler.CrawlPlan.SeenTable;
import dev.basin.catalog.crawler.CrawlPlan.TableAction;
import dev.basin.catalog.crawler.CrawlPlan.TableChange;
import dev.basin.catalog.crawler.CrawlRun.State;
import dev.basin.catalog.crawler.CrawlerDefinition.RecrawlBehavior;
import dev.basin.common.error.BasinException;
import dev.basin.common.json.Json;
import dev.basin.spi.storage.ObjectEvent;
import dev.basin.spi.storage.ObjectStore;
import dev.basin.spi.storage.SupportsObjectEvents;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Crawlers as a service: their definitions, runs and run history, kept in the catalog's database. A
 * run plans with {@link Crawler#plan} and applies the plan to the external tables of the target
 * database in one transaction together with its run record, the folders it saw and the events it
 * consumed: either all of it is written or none of it. A dry run stores the plan as a PLANNED run
 * that {@link #apply} writes later if the tables it saw are still at the versions it saw. {@link
 * #rollback} returns every table a run touched to its version before the run.
 *
 * <p>Event mode: when the object store {@link SupportsObjectEvents supports events}, object-created
 * events under the target of a CRAWL_EVENT_MODE crawler are queued in the database as they happen;
 * the next crawl lists only their folders and consumes them when it applies. Events that happen
 * while the server is down are not seen: run the crawler with CRAWL_EVERYTHING once to catch up.
 *
 * <p>Thread-safe. Runs of one crawler are serialized; runs of different crawlers proceed in
 * parallel and the optimistic version check keeps them from overwriting each other.
 */
public final class Crawlers implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Crawlers.class);
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,255}");
  private static final Pattern TARGET = Pattern.compile("s3://([a-z0-9][a-z0-9.-]{1,62})(/.*)?");
  private static final Pattern PREFIX = Pattern.compile("[a-z0-9_]*");

  private final LakeCatalog catalog;
  private final ExternalTables tables;
  private final ObjectStore store;
  private final Clock clock;
  private final Crawler crawler;
  private final Map<String, Object> locks = new ConcurrentHashMap<>();
  private volatile List<CrawlerDefinition> eventCrawlers = List.of();
  private AutoCloseable subscription;

  /**
   * A stored crawler.
   *
   * @param definition what it crawls and how
   * @param createTime when it was created
   * @param updateTime when its definition last changed
   */
  public record Info(CrawlerDefinition definition, Instant createTime, Instant updateTime) {}

  private Crawlers(LakeCatalog catalog, ObjectStore store, Clock clock) {
    this.catalog = catalog;
    this.tables = catalog.externalTables();
    this.store = store;
    this.clock = clock;
    this.crawler = new Crawler(store);
  }

  /**
   * Opens the service: runs left RUNNING by a stopped server become FAILED, and event-mode crawlers
   * start receiving the store's object-created events if it has them.
   */
  public static Crawlers open(LakeCatalog catalog, ObjectStore store, Clock clock) {
    Crawlers c = new Crawlers(catalog, store, clock);
    c.failStaleRuns();
    c.refreshEventCrawlers();
    if (store instanceof SupportsObjectEvents events) {
      c.subscription = events.subscribe(c::onEvent);
    }
    return c;
  }

  // ---- definitions

  /**
   * Creates a crawler.
   *
   * @throws BasinException {@code INVALID_CRAWLER} with what to fix, {@code CRAWLER_ALREADY_EXISTS}
   */
  public Info create(CrawlerDefinition def) {
    validate(def);
    long now = clock.millis();
    tables.batch(
        b -> {
          Connection c = b.connection();
          if (find(c, def.name()).isPresent()) {
            throw new BasinException(
                CrawlerErrorCode.CRAWLER_ALREADY_EXISTS,
                "crawler '" + def.name() + "' already exists; pick another name or delete it");
          }
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO basin_crawlers (name, definition, create_time, update_time)"
                      + " VALUES (?, ?, ?, ?)")) {
            ps.setString(1, def.name());
            ps.setString(2, Json.write(def));
            ps.setLong(3, now);
            ps.setLong(4, now);
            ps.executeUpdate();
          }
          return null;
        });
    refreshEventCrawlers();
    return get(def.name());
  }

  /**
   * Replaces a crawler's definition (its name stays). The targets of a CRAWL_NEW_FOLDERS_ONLY
   * crawler cannot change, as in Glue.
   *
   * @throws BasinException {@code CRAWLER_NOT_FOUND}, {@code INVALID_CRAWLER}
   */
  public Info update(CrawlerDefinition def) {
    validate(def);
    Info old = get(def.name());
    if (old.definition().recrawlBehavior() == RecrawlBehavior.CRAWL_NEW_FOLDERS_ONLY
        && def.recrawlBehavior() == RecrawlBehavior.CRAWL_NEW_FOLDERS_ONLY
        && !old.definition().targets().equals(def.targets())) {
      throw invalid(
          def.name(),
          "the targets of a CRAWL_NEW_FOLDERS_ONLY crawler cannot change (the folders it has seen"
              + " belong to them); set recrawl to CRAWL_EVERYTHING in the same update or create"
              + " a new crawler");
    }
    tables.batch(
        b -> {
          try (PreparedStatement ps =
              b.connection()
                  .prepareStatement(
                      "UPDATE basin_crawlers SET definition = ?, update_time = ? WHERE name = ?")) {
            ps.setString(1, Json.write(def));
            ps.setLong(2, clock.millis());
            ps.setString(3, def.name());
            if (ps.executeUpdate() == 0) {
              throw notFound(def.name());
            }
          }
          return null;
        });
    refreshEventCrawlers();
    return get(def.name());
  }

  /**
   * @throws BasinException {@code CRAWLER_NOT_FOUND}
   */
  public Info get(String name) {
    return tables.read(c -> find(c, name)).orElseThrow(() -> notFound(name));
  }

  /** Every crawler, by name. */
  public List<Info> list() {
    return tables.read(
        c -> {
          List<Info> out = new ArrayList<>();
          try (PreparedStatement ps =
                  c.prepareStatement(
                      "SELECT definition, create_time, update_time FROM basin_crawlers"
                          + " ORDER BY name");
              ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              out.add(info(rs));
            }
          }
          return out;
        });
  }

  /**
   * Deletes a crawler with its run history, seen folders and queued events. Its tables stay.
   *
   * @throws BasinException {@code CRAWLER_NOT_FOUND}
   */
  public void delete(String name) {
    synchronized (lock(name)) {
      tables.batch(
          b -> {
            Connection c = b.connection();
            if (deleteWhere(c, "basin_crawlers", "name", name) == 0) {
              throw notFound(name);
            }
            deleteWhere(c, "basin_crawler_runs", "crawler_name", name);
            deleteWhere(c, "basin_crawler_folders", "crawler_name", name);
            deleteWhere(c, "basin_crawler_events", "crawler_name", name);
            return null;
          });
    }
    refreshEventCrawlers();
  }

  private static int deleteWhere(Connection c, String table, String column, String value)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("DELETE FROM " + table + " WHERE " + column + " = ?")) {
      ps.setString(1, value);
      return ps.executeUpdate();
    }
  }

  private Optional<Info> find(Connection c, String name) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT definition, create_time, update_time FROM basin_crawlers WHERE name = ?")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(info(rs)) : Optional.empty();
      }
    }
  }

  private static Info info(ResultSet rs) throws SQLException {
    return new Info(
        Json.read(rs.getString(1), CrawlerDefinition.class),
        Instant.ofEpochMilli(rs.getLong(2)),
        Instant.ofEpochMilli(rs.getLong(3)));
  }

  private void validate(CrawlerDefinition def) {
    if (def == null) {
      throw new BasinException(
          CrawlerErrorCode.INVALID_CRAWLER, "a crawler definition is required");
    }
    String name = def.name();
    if (name == null || !NAME.matcher(name).matches()) {
      throw new BasinException(
          CrawlerErrorCode.INVALID_CRAWLER,
          "invalid crawler name "
              + (name == null ? "null" : "'" + name + "'")
              + ": use 1 to 255 letters, digits, '_' or '-'");
    }
    if (def.database() == null || def.database().isBlank()) {
      throw invalid(name, "a target database is required (--database NAME)");
    }
    if (!catalog.databases().exists(def.database())) {
      throw invalid(
          name,
          "database '"
              + def.database()
              + "' does not exist; create it first with `basin catalog create-database "
              + def.database()
              + "`");
    }
    if (def.targets().isEmpty()) {
      throw invalid(name, "at least one target is required (--target s3://bucket/prefix/)");
    }
    for (CrawlerDefinition.Target t : def.targets()) {
      if (t == null || t.path() == null) {
        throw invalid(name, "a target has no path; use s3://bucket/prefix/");
      }
      var m = TARGET.matcher(t.path());
      if (!m.matches() || t.path().contains("%") || t.path().contains("*")) {
        throw invalid(
            name,
            "target '"
                + t.path()
                + "' is not an s3://bucket/prefix/ URI (no wildcards; a lower-case bucket name)");
      }
      if (store.bucket(m.group(1)).isEmpty()) {
        throw invalid(
            name,
            "the bucket '"
                + m.group(1)
                + "' of target '"
                + t.path()
                + "' does not exist; create it or fix the target");
      }
      for (String g : t.exclusions()) {
        try {
          Glob.compile(g);
        } catch (IllegalArgumentException e) {
          throw invalid(name, "exclude pattern of target '" + t.path() + "': " + e.getMessage());
        }
      }
    }
    if (!PREFIX.matcher(def.tablePrefix()).matches()) {
      throw invalid(
          name,
          "table prefix '"
              + def.tablePrefix()
              + "' may hold only lower-case letters, digits and underscores");
    }
    try {
      def.classifierConfig();
    } catch (BasinException e) {
      throw invalid(name, e.getMessage().replace("filesPerTable", "filesPerFolder"));
    }
    if (def.tableLevel() != null && def.tableLevel() < 1) {
      throw invalid(
          name, "table level must be 1 or more (the bucket is level 1), was " + def.tableLevel());
    }
    if (def.tableThreshold() != null && def.tableThreshold() < 1) {
      throw invalid(name, "table threshold must be 1 or more, was " + def.tableThreshold());
    }
    if (def.schedule() != null) {
      String problem = CronText.problem(def.schedule());
      if (problem != null) {
        throw invalid(name, "schedule '" + def.schedule() + "' is not valid cron: " + problem);
      }
    }
    if (def.recrawlBehavior() == RecrawlBehavior.CRAWL_EVENT_MODE && def.targets().size() != 1) {
      throw invalid(
          name, "a CRAWL_EVENT_MODE crawler has exactly one target, as in Glue; split it up");
    }
  }

  // ---- runs

  /**
   * Crawls: plans, and unless {@code dryRun} applies the plan in one transaction. Synchronous.
   *
   * @return the run: SUCCEEDED, PLANNED (dry run) or FAILED with its errors (a failed run wrote
   *     nothing but its history record)
   * @throws BasinException {@code CRAWLER_NOT_FOUND}
   */
  public CrawlRun run(String name, boolean dryRun) {
    CrawlerDefinition def = get(name).definition();
    synchronized (lock(name)) {
      CrawlRun run = startRun(def, dryRun);
      CrawlPlan plan;
      try {
        plan = crawler.plan(def, state(def));
      } catch (RuntimeException e) {
        CrawlRun failed = run.withState(State.FAILED, clock.instant(), List.of(message(e)));
        saveRun(failed);
        if (!(e instanceof BasinException)) {
          LOG.atError().setCause(e).addKeyValue("crawler", name).log("crawl failed");
        }
        return failed;
      }
      run = run.withPlan(plan);
      if (dryRun) {
        CrawlRun planned = run.withState(State.PLANNED, clock.instant(), List.of());
        saveRun(planned);
        return planned;
      }
      try {
        return apply(run);
      } catch (RuntimeException e) {
        CrawlRun failed = run.withState(State.FAILED, clock.instant(), List.of(message(e)));
        saveRun(failed);
        return failed;
      }
    }
  }

  /**
   * Applies a dry run's plan.
   *
   * @throws BasinException {@code RUN_NOT_FOUND}, {@code INVALID_RUN_STATE} unless PLANNED, {@code
   *     PLAN_STALE} when a table changed since the plan (the run is then FAILED; plan again)
   */
  public CrawlRun apply(String name, long runId) {
    synchronized (lock(name)) {
      CrawlRun run = getRun(name, runId);
      if (run.state() != State.PLANNED) {
        throw new BasinException(
            CrawlerErrorCode.INVALID_RUN_STATE,
            "run "
                + runId
                + " of crawler '"
                + name
                + "' is "
                + run.state()
                + "; only a PLANNED (dry) run can be applied");
      }
      try {
        return apply(run);
      } catch (BasinException e) {
        if (e.code() == CrawlerErrorCode.PLAN_STALE) {
          saveRun(run.withState(State.FAILED, clock.instant(), List.of(e.getMessage())));
        }
        throw e;
      }
    }
  }

  /**
   * Marks a PLANNED run CANCELLED so that it can no longer be applied.
   *
   * @throws BasinException {@code RUN_NOT_FOUND}, {@code INVALID_RUN_STATE}
   */
  public CrawlRun cancel(String name, long runId) {
    synchronized (lock(name)) {
      CrawlRun run = getRun(name, runId);
      if (run.state() != State.PLANNED) {
        throw new BasinException(
            CrawlerErrorCode.INVALID_RUN_STATE,
            "run " + runId + " is " + run.state() + "; only a PLANNED run can be cancelled");
      }
      CrawlRun cancelled = run.withState(State.CANCELLED, clock.instant(), run.errors());
      saveRun(cancelled);
      return cancelled;
    }
  }

  /** Applies a run's plan in one transaction; package-private so tests can apply any plan. */
  CrawlRun apply(CrawlRun run) {
    CrawlPlan plan = run.plan();
    String db = plan.database();
    Instant now = clock.instant();
    return tables.batch(
        b -> {
          for (SeenTable s : plan.seen()) {
            String actual = b.find(db, s.table()).map(ExternalTable::versionId).orElse(null);
            if (!Objects.equals(actual, s.versionId())) {
              throw new BasinException(
                  CrawlerErrorCode.PLAN_STALE,
                  "the catalog changed since run "
                      + run.id()
                      + " was planned: table '"
                      + db
                      + "."
                      + s.table()
                      + "' is "
                      + (actual == null ? "absent" : "at version " + actual)
                      + ", the plan saw "
                      + (s.versionId() == null ? "no table" : "version " + s.versionId())
                      + "; plan again with `basin crawler run "
                      + run.crawler()
                      + "`");
            }
          }
          // deletes of partitions first: an update may change the partition keys
          for (PartitionChange p : plan.partitions()) {
            if (!p.logOnly() && p.action() == PartitionAction.DELETE) {
              b.deletePartition(db, p.table(), p.values());
            }
          }
          for (TableChange t : plan.tables()) {
            if (t.logOnly()) {
              continue;
            }
            switch (t.action()) {
              case CREATE:
                b.create(db, t.after());
                break;
              case UPDATE:
              case DEPRECATE:
                b.update(db, t.after(), null);
                break;
              case DELETE:
                b.delete(db, t.table(), null);
                break;
              default:
                throw new IllegalStateException(t.action().name());
            }
          }
          // A partition another writer (an ETL job's register) added since the plan is already
          // what the plan wants: skip it rather than fail the whole apply.
          Map<String, java.util.Set<List<String>>> existing = new java.util.HashMap<>();
          for (PartitionChange p : plan.partitions()) {
            if (!p.logOnly() && p.action() == PartitionAction.ADD) {
              java.util.Set<List<String>> have = existing.get(p.table());
              if (have == null) {
                have = new java.util.HashSet<>();
                if (b.find(db, p.table()).isPresent()) {
                  for (dev.basin.catalog.Partition q : b.partitions(db, p.table())) {
                    have.add(q.values());
                  }
                }
                existing.put(p.table(), have);
              }
              if (have.add(p.values())) {
                b.addPartition(
                    db, p.table(), new PartitionInput(p.values(), p.location(), Map.of()));
              }
            }
          }
          Connection c = b.connection();
          for (EventRef e : plan.events()) {
            try (PreparedStatement ps =
                c.prepareStatement(
                    "DELETE FROM basin_crawler_events"
                        + " WHERE crawler_name = ? AND bucket = ? AND object_key = ?")) {
              ps.setString(1, run.crawler());
              ps.setString(2, e.bucket());
              ps.setString(3, e.key());
              ps.executeUpdate();
            }
          }
          for (String folder : plan.folders()) {
            try (PreparedStatement ps =
                c.prepareStatement(
                    "INSERT INTO basin_crawler_folders (crawler_name, folder, run_id)"
                        + " VALUES (?, ?, ?) ON CONFLICT (crawler_name, folder) DO NOTHING")) {
              ps.setString(1, run.crawler());
              ps.setString(2, folder);
              ps.setLong(3, run.id());
              ps.executeUpdate();
            }
          }
          Map<String, String> versions = new LinkedHashMap<>();
          for (SeenTable s : plan.seen()) {
            b.find(db, s.table()).ifPresent(t -> versions.put(t.name(), t.versionId()));
          }
          CrawlRun done = run.applied(now, versions);
          writeRun(c, done);
          return done;
        });
  }

  /**
   * Undoes a SUCCEEDED run in one transaction: tables it updated or deprecated go back to their
   * definition before the run (as a new version), tables it created are dropped, tables it deleted
   * come back with their partitions, partitions it added are removed and partitions it deleted are
   * added again. The folders it saw count as unseen again.
   *
   * @param force roll back even tables that something else changed after the run
   * @throws BasinException {@code RUN_NOT_FOUND}, {@code INVALID_RUN_STATE} unless SUCCEEDED,
   *     {@code ROLLBACK_CONFLICT} naming the tables changed since the run (nothing is written)
   */
  public CrawlRun rollback(String name, long runId, boolean force) {
    synchronized (lock(name)) {
      CrawlRun run = getRun(name, runId);
      if (run.state() != State.SUCCEEDED) {
        throw new BasinException(
            CrawlerErrorCode.INVALID_RUN_STATE,
            "run "
                + runId
                + " of crawler '"
                + name
                + "' is "
                + run.state()
                + "; only a SUCCEEDED run can be rolled back");
      }
      CrawlPlan plan = run.plan();
      String db = plan.database();
      return tables.batch(
          b -> {
            List<String> conflicts = new ArrayList<>();
            for (TableChange t : plan.tables()) {
              if (t.logOnly()) {
                continue;
              }
              Optional<ExternalTable> now = b.find(db, t.table());
              String after = run.versionsAfter().get(t.table());
              String actual = now.map(ExternalTable::versionId).orElse(null);
              if (!Objects.equals(actual, after)) {
                conflicts.add(
                    "'"
                        + db
                        + "."
                        + t.table()
                        + "' is "
                        + (actual == null ? "absent" : "at version " + actual)
                        + " but the run left it "
                        + (after == null ? "absent" : "at version " + after));
              }
            }
            if (!conflicts.isEmpty() && !force) {
              throw new BasinException(
                  CrawlerErrorCode.ROLLBACK_CONFLICT,
                  "tables were changed after run "
                      + runId
                      + " of crawler '"
                      + name
                      + "': "
                      + String.join("; ", conflicts)
                      + ". Nothing was rolled back; pass force to roll back anyway");
            }
            Set<String> created = new HashSet<>();
            Set<String> deleted = new HashSet<>();
            for (TableChange t : plan.tables()) {
              if (!t.logOnly() && t.action() == TableAction.CREATE) {
                created.add(t.table());
              } else if (!t.logOnly() && t.action() == TableAction.DELETE) {
                deleted.add(t.table());
              }
            }
            // partitions the run added go first, while the tables still have the run's keys
            for (PartitionChange p : plan.partitions()) {
              if (p.logOnly()
                  || p.action() != PartitionAction.ADD
                  || created.contains(p.table())
                  || b.find(db, p.table()).isEmpty()) {
                continue;
              }
              if (hasPartition(b, db, p.table(), p.values())) {
                b.deletePartition(db, p.table(), p.values());
              }
            }
            for (TableChange t : plan.tables()) {
              if (t.logOnly()) {
                continue;
              }
              boolean exists = b.find(db, t.table()).isPresent();
              switch (t.action()) {
                case CREATE:
                  if (exists) {
                    b.delete(db, t.table(), null);
                  }
                  break;
                case UPDATE:
                case DEPRECATE:
                  if (exists) {
                    b.update(db, t.before(), null);
                  } else {
                    b.create(db, t.before());
                  }
                  break;
                case DELETE:
                  if (exists) {
                    b.delete(db, t.table(), null);
                  }
                  b.create(db, t.before());
                  for (PartitionInput p : t.partitionsBefore()) {
                    b.addPartition(db, t.table(), p);
                  }
                  break;
                default:
                  throw new IllegalStateException(t.action().name());
              }
            }
            for (PartitionChange p : plan.partitions()) {
              if (p.logOnly()
                  || p.action() != PartitionAction.DELETE
                  || deleted.contains(p.table())
                  || b.find(db, p.table()).isEmpty()
                  || hasPartition(b, db, p.table(), p.values())) {
                continue;
              }
              b.addPartition(db, p.table(), new PartitionInput(p.values(), p.location(), Map.of()));
            }
            Connection c = b.connection();
            try (PreparedStatement ps =
                c.prepareStatement(
                    "DELETE FROM basin_crawler_folders WHERE crawler_name = ? AND run_id = ?")) {
              ps.setString(1, name);
              ps.setLong(2, runId);
              ps.executeUpdate();
            }
            List<String> notes = new ArrayList<>();
            if (!conflicts.isEmpty()) {
              notes.add(
                  "rolled back with force over later changes: " + String.join("; ", conflicts));
            }
            CrawlRun rolled = run.withState(State.ROLLED_BACK, run.endTime(), notes);
            writeRun(c, rolled);
            return rolled;
          });
    }
  }

  private static boolean hasPartition(
      ExternalTables.Batch b, String db, String table, List<String> values) throws SQLException {
    for (Partition p : b.partitions(db, table)) {
      if (p.values().equals(values)) {
        return true;
      }
    }
    return false;
  }

  /**
   * A crawler's runs, newest first.
   *
   * @throws BasinException {@code CRAWLER_NOT_FOUND}
   */
  public List<CrawlRun> runs(String name) {
    get(name);
    return tables.read(
        c -> {
          List<CrawlRun> out = new ArrayList<>();
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT run FROM basin_crawler_runs WHERE crawler_name = ?"
                      + " ORDER BY run_id DESC")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                out.add(Json.read(rs.getString(1), CrawlRun.class));
              }
            }
          }
          return out;
        });
  }

  /**
   * @throws BasinException {@code CRAWLER_NOT_FOUND}, {@code RUN_NOT_FOUND}
   */
  public CrawlRun getRun(String name, long runId) {
    get(name);
    return tables
        .read(
            c -> {
              try (PreparedStatement ps =
                  c.prepareStatement(
                      "SELECT run FROM basin_crawler_runs WHERE crawler_name = ? AND run_id = ?")) {
                ps.setString(1, name);
                ps.setLong(2, runId);
                try (ResultSet rs = ps.executeQuery()) {
                  return rs.next()
                      ? Optional.of(Json.read(rs.getString(1), CrawlRun.class))
                      : Optional.<CrawlRun>empty();
                }
              }
            })
        .orElseThrow(
            () ->
                new BasinException(
                    CrawlerErrorCode.RUN_NOT_FOUND,
                    "crawler '"
                        + name
                        + "' has no run "
                        + runId
                        + "; list its runs with `basin crawler runs "
                        + name
                        + "`"));
  }

  /** The object-created events queued for an event-mode crawler. */
  public List<EventRef> pendingEvents(String name) {
    return tables.read(c -> events(c, name));
  }

  private CrawlRun startRun(CrawlerDefinition def, boolean dryRun) {
    Instant now = clock.instant();
    return tables.batch(
        b -> {
          Connection c = b.connection();
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT 1 FROM basin_crawler_runs WHERE crawler_name = ? AND state = ?")) {
            ps.setString(1, def.name());
            ps.setString(2, State.RUNNING.name());
            try (ResultSet rs = ps.executeQuery()) {
              if (rs.next()) {
                throw new BasinException(
                    CrawlerErrorCode.INVALID_RUN_STATE,
                    "crawler '" + def.name() + "' is already running; wait for the run to end");
              }
            }
          }
          long id;
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT COALESCE(MAX(run_id), 0) FROM basin_crawler_runs WHERE crawler_name = ?")) {
            ps.setString(1, def.name());
            try (ResultSet rs = ps.executeQuery()) {
              rs.next();
              id = rs.getLong(1) + 1;
            }
          }
          CrawlRun run =
              new CrawlRun(
                  def.name(),
                  id,
                  State.RUNNING,
                  dryRun,
                  now,
                  null,
                  null,
                  0,
                  0,
                  0,
                  0,
                  0,
                  0,
                  List.of(),
                  null,
                  Map.of());
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO basin_crawler_runs (crawler_name, run_id, state, start_time,"
                      + " end_time, run) VALUES (?, ?, ?, ?, NULL, ?)")) {
            ps.setString(1, def.name());
            ps.setLong(2, id);
            ps.setString(3, State.RUNNING.name());
            ps.setLong(4, now.toEpochMilli());
            ps.setString(5, Json.write(run));
            ps.executeUpdate();
          }
          return run;
        });
  }

  private void saveRun(CrawlRun run) {
    tables.batch(
        b -> {
          writeRun(b.connection(), run);
          return null;
        });
  }

  private static void writeRun(Connection c, CrawlRun run) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE basin_crawler_runs SET state = ?, end_time = ?, run = ?"
                + " WHERE crawler_name = ? AND run_id = ?")) {
      ps.setString(1, run.state().name());
      if (run.endTime() == null) {
        ps.setNull(2, java.sql.Types.BIGINT);
      } else {
        ps.setLong(2, run.endTime().toEpochMilli());
      }
      ps.setString(3, Json.write(run));
      ps.setString(4, run.crawler());
      ps.setLong(5, run.id());
      ps.executeUpdate();
    }
  }

  private void failStaleRuns() {
    List<CrawlRun> stale =
        tables.read(
            c -> {
              List<CrawlRun> out = new ArrayList<>();
              try (PreparedStatement ps =
                  c.prepareStatement("SELECT run FROM basin_crawler_runs WHERE state = ?")) {
                ps.setString(1, State.RUNNING.name());
                try (ResultSet rs = ps.executeQuery()) {
                  while (rs.next()) {
                    out.add(Json.read(rs.getString(1), CrawlRun.class));
                  }
                }
              }
              return out;
            });
    for (CrawlRun r : stale) {
      saveRun(
          r.withState(
              State.FAILED,
              clock.instant(),
              List.of("server stopped during the crawl; nothing of it was applied, run it again")));
    }
  }

  /** The catalog as the planner needs it. */
  private Crawler.CatalogState state(CrawlerDefinition def) {
    List<ExternalTable> all = tables.list(def.database());
    Map<String, List<Partition>> partitions = new HashMap<>();
    for (ExternalTable t : all) {
      boolean relevant = def.name().equals(t.parameters().get(Crawler.UPDATED_BY_CRAWLER));
      for (CrawlerDefinition.Target target : def.targets()) {
        relevant |= t.location().startsWith(target.path());
      }
      if (relevant && !t.partitionKeys().isEmpty()) {
        partitions.put(t.name(), tables.listPartitions(def.database(), t.name(), (String) null));
      }
    }
    return tables.read(
        c -> {
          Set<String> folders = new HashSet<>();
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT folder FROM basin_crawler_folders WHERE crawler_name = ?")) {
            ps.setString(1, def.name());
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                folders.add(rs.getString(1));
              }
            }
          }
          boolean first;
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT 1 FROM basin_crawler_runs WHERE crawler_name = ? AND state = ?")) {
            ps.setString(1, def.name());
            ps.setString(2, State.SUCCEEDED.name());
            try (ResultSet rs = ps.executeQuery()) {
              first = !rs.next();
            }
          }
          return new Crawler.CatalogState(all, partitions, folders, events(c, def.name()), first);
        });
  }

  private static List<EventRef> events(Connection c, String name) throws SQLException {
    List<EventRef> out = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT bucket, object_key FROM basin_crawler_events WHERE crawler_name = ?"
                + " ORDER BY event_time, bucket, object_key")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new EventRef(rs.getString(1), rs.getString(2)));
        }
      }
    }
    return out;
  }

  // ---- events

  private void refreshEventCrawlers() {
    List<CrawlerDefinition> out = new ArrayList<>();
    for (Info i : list()) {
      if (i.definition().recrawlBehavior() == RecrawlBehavior.CRAWL_EVENT_MODE) {
        out.add(i.definition());
      }
    }
    eventCrawlers = List.copyOf(out);
  }

  /** Queues an object-created event for every event-mode crawler whose target it falls under. */
  void onEvent(ObjectEvent e) {
    if (e.type() != ObjectEvent.Type.CREATED || e.size() == 0) {
      return;
    }
    for (CrawlerDefinition def : eventCrawlers) {
      for (CrawlerDefinition.Target t : def.targets()) {
        if (!matches(t, e.bucket(), e.key())) {
          continue;
        }
        tables.batch(
            b -> {
              try (PreparedStatement ps =
                  b.connection()
                      .prepareStatement(
                          "INSERT INTO basin_crawler_events (crawler_name, bucket, object_key,"
                              + " event_time) VALUES (?, ?, ?, ?)"
                              + " ON CONFLICT (crawler_name, bucket, object_key) DO NOTHING")) {
                ps.setString(1, def.name());
                ps.setString(2, e.bucket());
                ps.setString(3, e.key());
                ps.setLong(4, e.time() == null ? clock.millis() : e.time().toEpochMilli());
                ps.executeUpdate();
              }
              return null;
            });
      }
    }
  }

  private static boolean matches(CrawlerDefinition.Target t, String bucket, String key) {
    String rest = t.path().substring("s3://".length());
    int slash = rest.indexOf('/');
    String b = slash < 0 ? rest : rest.substring(0, slash);
    String prefix = slash < 0 ? "" : rest.substring(slash + 1);
    if (!prefix.isEmpty() && !prefix.endsWith("/")) {
      prefix += "/";
    }
    if (!b.equals(bucket) || !key.startsWith(prefix)) {
      return false;
    }
    String rel = key.substring(prefix.length());
    if (rel.isEmpty() || Crawler.isHidden(rel)) {
      return false;
    }
    for (String g : t.exclusions()) {
      if (Glob.compile(g).matches(rel)) {
        return false;
      }
    }
    return true;
  }

  private Object lock(String name) {
    return locks.computeIfAbsent(name, k -> new Object());
  }

  private static String message(RuntimeException e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  private static BasinException notFound(String name) {
    return new BasinException(
        CrawlerErrorCode.CRAWLER_NOT_FOUND,
        "crawler '" + name + "' not found; list crawlers with `basin crawler list`");
  }

  private static BasinException invalid(String crawler, String why) {
    return new BasinException(
        CrawlerErrorCode.INVALID_CRAWLER, "invalid crawler '" + crawler + "': " + why);
  }

  /** Stops receiving object events. Idempotent. */
  @Override
  public void close() {
    if (subscription != null) {
      try {
        subscription.close();
      } catch (Exception e) {
        LOG.atWarn().setCause(e).log("cannot unsubscribe the crawlers from object events");
      }
      subscription = null;
    }
  }
}
