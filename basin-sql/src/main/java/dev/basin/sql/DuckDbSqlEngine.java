package dev.basin.sql;

import dev.basin.catalog.LakeCatalog;
import dev.basin.spi.sql.SessionContext;
import dev.basin.spi.sql.SqlEngine;
import dev.basin.spi.sql.SqlException;
import dev.basin.spi.sql.SqlState;
import dev.basin.spi.storage.ObjectStore;
import dev.basin.sql.plan.CatalogMirror;
import dev.basin.sql.plan.LakeFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.duckdb.DuckDBConnection;

/**
 * The SQL engine on embedded DuckDB. One in-memory DuckDB instance per engine; every session works
 * on a duplicate of its connection, so sessions share DuckDB's buffer pool, threads and memory
 * limit. Tables are never loaded into DuckDB: each statement is planned against the catalog and
 * reads the planned Parquet/CSV/JSON files in the lake in place.
 *
 * <p>DuckDB may only touch files below the lake and the engine's work directory ({@code
 * enable_external_access=false} with {@code allowed_directories}), and its configuration is locked,
 * so a statement can neither read other files nor change engine-wide settings.
 *
 * <p>Thread-safe.
 */
public final class DuckDbSqlEngine implements SqlEngine {

  private static final String PG_COMPAT_SCRIPT = "/dev/basin/sql/pg-compat.sql";

  private final SqlEngineConfig config;
  private final LakeCatalog catalog;
  private final ObjectStore store;
  private final Clock clock;
  private final DuckDBConnection root;
  private final LakeFiles files;
  private final CatalogMirror mirror;
  private final dev.basin.sql.plan.TableCache tables;
  private final dev.basin.sql.plan.PlanCache plans =
      new dev.basin.sql.plan.PlanCache(64L * 1024 * 1024);
  private final Set<DuckDbSession> sessions = ConcurrentHashMap.newKeySet();
  private volatile MaterializedViewSupport materializedViews;
  private volatile boolean closed;

  private DuckDbSqlEngine(
      SqlEngineConfig config,
      LakeCatalog catalog,
      ObjectStore store,
      Clock clock,
      DuckDBConnection root) {
    this.config = config;
    this.catalog = catalog;
    this.store = store;
    this.clock = clock;
    this.root = root;
    this.files = new LakeFiles(store, config.workDirectory().resolve("cache"));
    this.mirror = new CatalogMirror(catalog, config.mirrorInterval(), clock);
    this.tables = new dev.basin.sql.plan.TableCache(catalog.iceberg());
  }

  /**
   * Starts an engine over a catalog and the object store its tables live in.
   *
   * @throws SqlException {@link SqlState#INTERNAL_ERROR} if DuckDB cannot start
   */
  public static DuckDbSqlEngine open(
      SqlEngineConfig config, LakeCatalog catalog, ObjectStore store, Clock clock) {
    try {
      // Staged files of writes that never committed, copies of cold objects and spill files are
      // all disposable: nothing in the work directory outlives a restart.
      deleteContents(config.workDirectory());
      Files.createDirectories(config.workDirectory().resolve("cache"));
      Files.createDirectories(config.workDirectory().resolve("staging"));
      Files.createDirectories(config.workDirectory().resolve("spill"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + config.workDirectory(), e);
    }
    try {
      Class.forName("org.duckdb.DuckDBDriver");
      Properties props = new Properties();
      props.setProperty("jdbc_stream_results", "true");
      DuckDBConnection root = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:", props);
      List<String> setup = new ArrayList<>();
      setup.add("SET TimeZone = 'UTC'");
      if (config.memoryLimit() != null) {
        setup.add("SET memory_limit = " + Sql.quoteString(config.memoryLimit()));
      }
      if (config.threads() > 0) {
        setup.add("SET threads = " + config.threads());
      }
      setup.add(
          "SET temp_directory = "
              + Sql.quoteString(config.workDirectory().resolve("spill").toString()));
      setup.add("SET preserve_insertion_order = true");
      // Lake data files are immutable (a new put is a new file), so footers may be cached.
      setup.add("SET parquet_metadata_cache = true");
      try (Statement s = root.createStatement()) {
        for (String sql : setup) {
          s.execute(sql);
        }
        for (String sql : compatibilityScript()) {
          s.execute(sql);
        }
        List<String> allowed = new ArrayList<>();
        allowed.add(directory(config.workDirectory()));
        if (config.lakeDirectory() != null) {
          allowed.add(directory(config.lakeDirectory()));
        }
        s.execute("SET allowed_directories = " + Sql.stringList(allowed));
        s.execute("SET enable_external_access = false");
        s.execute("SET lock_configuration = true");
      }
      return new DuckDbSqlEngine(config, catalog, store, clock, root);
    } catch (SQLException e) {
      throw new SqlException(
          SqlState.INTERNAL_ERROR, "DuckDB failed to start: " + e.getMessage(), e);
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException("the DuckDB JDBC driver is missing from the class path", e);
    }
  }

  private static void deleteContents(java.nio.file.Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (java.util.stream.Stream<java.nio.file.Path> paths = Files.walk(dir)) {
      for (java.nio.file.Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        if (!p.equals(dir)) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  private static String directory(java.nio.file.Path p) {
    String s = p.toAbsolutePath().normalize().toString();
    return s.endsWith("/") ? s : s + "/";
  }

  private static List<String> compatibilityScript() {
    try (InputStream in = DuckDbSqlEngine.class.getResourceAsStream(PG_COMPAT_SCRIPT)) {
      if (in == null) {
        return List.of();
      }
      String script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return dev.basin.sql.plan.SqlLexer.splitStatements(script);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public DuckDbSession openSession(SessionContext context) {
    if (closed) {
      throw new SqlException(SqlState.INTERNAL_ERROR, "the SQL engine is shut down");
    }
    try {
      Connection connection = root.duplicate();
      // Planning parses on its own connection: DuckDB refuses new work on a connection whose
      // streamed result is still open (a suspended pgwire portal).
      Connection planning = root.duplicate();
      DuckDbSession session = new DuckDbSession(this, connection, planning, context);
      sessions.add(session);
      return session;
    } catch (SQLException e) {
      throw SqlErrors.translate(e);
    }
  }

  void sessionClosed(DuckDbSession session) {
    sessions.remove(session);
  }

  /**
   * Installs the materialized-view implementation that CREATE/REFRESH MATERIALIZED VIEW statements
   * call. Until one is installed those statements are refused.
   */
  public void materializedViews(MaterializedViewSupport support) {
    this.materializedViews = support;
  }

  MaterializedViewSupport materializedViews() {
    return materializedViews;
  }

  public SqlEngineConfig config() {
    return config;
  }

  public LakeCatalog catalog() {
    return catalog;
  }

  public ObjectStore store() {
    return store;
  }

  public Clock clock() {
    return clock;
  }

  /** The lake as local files (cold objects are cached). */
  public LakeFiles files() {
    return files;
  }

  dev.basin.sql.plan.TableCache tables() {
    return tables;
  }

  dev.basin.sql.plan.PlanCache plans() {
    return plans;
  }

  CatalogMirror mirror() {
    return mirror;
  }

  /** The root connection, for the catalog mirror's DDL; never handed to statements. */
  DuckDBConnection root() {
    return root;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (DuckDbSession s : List.copyOf(sessions)) {
      s.cancel();
      s.close();
    }
    try {
      root.close();
    } catch (SQLException e) {
      // Closing an in-memory database cannot lose data.
    }
  }
}
