package dev.basin.etl.job;

import dev.basin.catalog.CatalogConfig;
import dev.basin.catalog.LakeCatalog;
import dev.basin.spi.sql.SessionContext;
import dev.basin.spi.sql.SqlColumn;
import dev.basin.sql.DuckDbSession;
import dev.basin.sql.DuckDbSqlEngine;
import dev.basin.sql.SqlEngineConfig;
import dev.basin.storage.LocalObjectStore;
import dev.basin.storage.LocalObjectStoreConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A real DuckDB engine for job tests, and a {@link JobEnvironment} over it: a catalog source {@code
 * {database: t, table: X}} reads the temp table {@code src_X} made with {@link #table}. {@link
 * #run} executes a compiled job the way the runner does (views/tables per step; quality nodes pass
 * every row on) and returns each target's rows.
 */
final class JobTestEngine implements JobEnvironment, AutoCloseable {
  private final LocalObjectStore store;
  private final LakeCatalog catalog;
  private final DuckDbSqlEngine engine;
  final DuckDbSession session;
  final Map<String, List<SqlColumn>> tables = new HashMap<>();
  final List<String> described = new ArrayList<>();

  JobTestEngine(Path dir) {
    Clock clock = Clock.systemUTC();
    store = LocalObjectStore.open(LocalObjectStoreConfig.defaults(dir), clock);
    catalog = LakeCatalog.open(CatalogConfig.sqlite(dir), store, clock);
    engine =
        DuckDbSqlEngine.open(
            SqlEngineConfig.defaults(dir).withThreads(2).withMemoryLimit("1GB"),
            catalog,
            store,
            clock);
    session = engine.openSession(new SessionContext("test", null));
  }

  /** Creates source table {@code src_<name>} from a column list and VALUES rows. */
  void table(String name, String columns, String values) {
    session.runInternal("CREATE OR REPLACE TEMP TABLE src_" + name + " (" + columns + ")");
    if (!values.isBlank()) {
      session.runInternal("INSERT INTO src_" + name + " VALUES " + values);
    }
  }

  @Override
  public BoundSource bind(SourceNode node) {
    CatalogSource c = (CatalogSource) node.source();
    String rel = "src_" + c.table();
    return new BoundSource(rel, session.describeQuery("SELECT * FROM " + rel));
  }

  @Override
  public List<SqlColumn> describe(String sql) {
    described.add(sql);
    return session.describeQuery(sql);
  }

  @Override
  public Optional<List<SqlColumn>> tableColumns(String database, String table) {
    return Optional.ofNullable(tables.get(database + "." + table));
  }

  /** Runs the steps and returns target id → its rows (sorted), as text. */
  Map<String, List<String>> run(CompiledJob job) {
    Map<String, List<String>> out = new HashMap<>();
    for (Step s : job.steps()) {
      String kind = s.materialize() ? "TABLE" : "VIEW";
      // an earlier job in the same session may have left the other kind under this name
      for (String drop : List.of("VIEW", "TABLE")) {
        try {
          session.runInternal("DROP " + drop + " IF EXISTS " + SqlText.ident(s.relation()));
        } catch (dev.basin.spi.sql.SqlException e) {
          // it is of the other kind
        }
      }
      if (s.node() instanceof QualityNode q) {
        session.runInternal(
            "CREATE OR REPLACE TEMP "
                + kind
                + " "
                + SqlText.ident(s.relation())
                + " AS SELECT * FROM "
                + SqlText.ident(q.input()));
      } else if (s.node() instanceof TargetNode t) {
        out.put(t.id(), rows("SELECT * FROM " + SqlText.ident(t.input())));
      } else {
        session.runInternal(
            "CREATE OR REPLACE TEMP "
                + kind
                + " "
                + SqlText.ident(s.relation())
                + " AS "
                + s.select());
        List<SqlColumn> actual =
            session.describeQuery("SELECT * FROM " + SqlText.ident(s.relation()));
        if (!actual.stream()
            .map(c -> c.name() + " " + c.type().name())
            .collect(Collectors.toList())
            .equals(
                s.columns().stream()
                    .map(c -> c.name() + " " + c.type().name())
                    .collect(Collectors.toList()))) {
          throw new AssertionError(
              "step " + s.relation() + " declared " + s.columns() + " but has " + actual);
        }
      }
    }
    return out;
  }

  /** The rows of a query as "a|b|c" text, NULL for null, sorted. */
  List<String> rows(String sql) {
    List<String> out = new ArrayList<>();
    for (Object[] row : session.queryInternal(sql)) {
      List<String> cells = new ArrayList<>();
      for (Object v : row) {
        cells.add(v == null ? "NULL" : v.toString());
      }
      out.add(String.join("|", cells));
    }
    out.sort(null);
    return out;
  }

  /** Column names and types of a step, "name TYPE". */
  static List<String> columns(Step step) {
    return step.columns().stream()
        .map(c -> c.name() + " " + c.type().name())
        .collect(Collectors.toList());
  }

  @Override
  public void close() {
    session.close();
    engine.close();
    catalog.close();
    store.close();
  }
}
