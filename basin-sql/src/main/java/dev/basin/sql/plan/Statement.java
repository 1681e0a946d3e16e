package dev.basin.sql.plan;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/** A statement as Basin sees it. Queries keep their text; DuckDB parses them. */
public sealed interface Statement {

  /** A name as written: {@code database} may be null (the session's database applies). */
  record Name(String database, String name) {
    @Override
    public String toString() {
      return database == null ? name : database + "." + name;
    }
  }

  /** A column definition of CREATE TABLE / ALTER TABLE ADD COLUMN. */
  record ColumnDef(String name, String type, String comment) {}

  record Query(String sql) implements Statement {}

  /**
   * EXPLAIN: {@code io} reports the scans only ({@code EXPLAIN (TYPE IO)}); {@code analyze} runs
   * the query and reports timings.
   */
  record Explain(String sql, boolean io, boolean analyze) implements Statement {}

  record ShowDatabases(String like) implements Statement {}

  record ShowTables(String database, String like) implements Statement {}

  record Describe(Name table) implements Statement {}

  record ShowCreateTable(Name table) implements Statement {}

  record Use(String database) implements Statement {}

  record CreateDatabase(String name, boolean ifNotExists, String comment) implements Statement {}

  record DropDatabase(String name, boolean ifExists, boolean cascade) implements Statement {}

  record CreateTable(
      Name table,
      boolean ifNotExists,
      List<ColumnDef> columns,
      List<String> partitioning,
      Map<String, Object> properties)
      implements Statement {}

  record CreateTableAs(
      Name table, boolean ifNotExists, Map<String, Object> properties, String sql, boolean withData)
      implements Statement {}

  record InsertInto(Name table, List<String> columns, String sql) implements Statement {}

  record CreateView(Name view, boolean orReplace, String sql) implements Statement {}

  /** DROP TABLE / VIEW / MATERIALIZED VIEW. */
  record Drop(String what, Name name, boolean ifExists) implements Statement {}

  record AlterTable(Name table, String action, ColumnDef column, String newName)
      implements Statement {}

  /**
   * CREATE MATERIALIZED VIEW.
   *
   * @param autoRefresh refresh after each commit to an input (Redshift's AUTO REFRESH YES)
   * @param every refresh on this period, or null
   */
  record CreateMaterializedView(
      Name view, boolean ifNotExists, boolean autoRefresh, Duration every, String sql)
      implements Statement {}

  /** REFRESH MATERIALIZED VIEW; {@code full} forces a recompute. */
  record RefreshMaterializedView(Name view, boolean full) implements Statement {}

  record Copy(Name table, String source, Map<String, Object> options) implements Statement {}

  /** BEGIN, COMMIT, ROLLBACK: accepted for clients that send them; every statement autocommits. */
  record Transaction(String tag) implements Statement {}

  /** SET name = value / RESET name. */
  record SetVariable(String name, String value) implements Statement {}

  /** A statement Basin recognises but does not run, with the reason and what to do instead. */
  record Unsupported(String message) implements Statement {}
}
