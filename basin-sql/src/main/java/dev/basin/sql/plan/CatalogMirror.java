package dev.basin.sql.plan;

import dev.basin.catalog.LakeCatalog;
import dev.basin.catalog.TableSummary;
import dev.basin.sql.Sql;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Mirrors the catalog into DuckDB as schemas holding empty, typed views, one per table, so that
 * DuckDB's {@code information_schema} and {@code pg_catalog} (which PostgreSQL clients and JDBC
 * metadata calls read) list Basin's databases, tables and columns. The views never hold data:
 * statements that name a table are rewritten to read its files.
 *
 * <p>Thread-safe; a refresh runs at most once per interval.
 */
public final class CatalogMirror {

  private final LakeCatalog catalog;
  private final Duration interval;
  private final Clock clock;
  private final Map<String, String> mirrored = new HashMap<>();
  private long refreshedAt = Long.MIN_VALUE;

  public CatalogMirror(LakeCatalog catalog, Duration interval, Clock clock) {
    this.catalog = catalog;
    this.interval = interval;
    this.clock = clock;
  }

  /** Brings the mirror up to date if it is older than the interval. */
  public synchronized void refreshIfStale(Connection root, TableResolver resolver) {
    long now = clock.millis();
    if (refreshedAt != Long.MIN_VALUE && now - refreshedAt < interval.toMillis()) {
      return;
    }
    refresh(root, resolver);
    refreshedAt = clock.millis();
  }

  /** Forces the next {@link #refreshIfStale} to refresh (after DDL through this engine). */
  public synchronized void invalidate() {
    refreshedAt = Long.MIN_VALUE;
  }

  private void refresh(Connection root, TableResolver resolver) {
    Map<String, String> wanted = new HashMap<>();
    Set<String> schemas = new HashSet<>();
    for (var db : catalog.databases().list()) {
      schemas.add(db.name());
      for (TableSummary t : catalog.tables(db.name())) {
        try {
          List<String> columns = resolver.columnDefinitions(db.name(), t.name());
          List<String> selects = new ArrayList<>();
          for (String c : columns) {
            selects.add(c);
          }
          String body =
              selects.isEmpty()
                  ? "SELECT NULL AS \"?\" WHERE false"
                  : "SELECT " + String.join(", ", selects) + " WHERE false";
          wanted.put(Sql.quoteIdent(db.name()) + "." + Sql.quoteIdent(t.name()), body);
        } catch (RuntimeException e) {
          // A table that cannot be described (e.g. dropped meanwhile) is left out.
        }
      }
    }
    try (Statement s = root.createStatement()) {
      Set<String> existingSchemas = new HashSet<>();
      try (ResultSet rs =
          s.executeQuery(
              "SELECT schema_name FROM information_schema.schemata WHERE catalog_name ="
                  + " current_database()")) {
        while (rs.next()) {
          existingSchemas.add(rs.getString(1));
        }
      }
      for (String schema : schemas) {
        if (!existingSchemas.contains(schema)) {
          s.execute("CREATE SCHEMA IF NOT EXISTS " + Sql.quoteIdent(schema));
        }
      }
      for (Map.Entry<String, String> e : wanted.entrySet()) {
        if (!e.getValue().equals(mirrored.get(e.getKey()))) {
          s.execute("CREATE OR REPLACE VIEW " + e.getKey() + " AS " + e.getValue());
        }
      }
      for (String old : new ArrayList<>(mirrored.keySet())) {
        if (!wanted.containsKey(old)) {
          s.execute("DROP VIEW IF EXISTS " + old);
        }
      }
      mirrored.clear();
      mirrored.putAll(wanted);
      for (String schema : existingSchemas) {
        if (!schemas.contains(schema) && !BUILT_IN.contains(schema)) {
          s.execute("DROP SCHEMA IF EXISTS " + Sql.quoteIdent(schema) + " CASCADE");
        }
      }
    } catch (SQLException e) {
      // The mirror only feeds metadata queries; a failed refresh is retried on the next one.
      refreshedAt = Long.MIN_VALUE;
    }
  }

  private static final Set<String> BUILT_IN = Set.of("main", "pg_catalog", "information_schema");
}
