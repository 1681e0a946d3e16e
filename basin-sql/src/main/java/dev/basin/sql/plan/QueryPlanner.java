package dev.basin.sql.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.basin.spi.sql.SqlException;
import dev.basin.spi.sql.SqlState;
import dev.basin.spi.sql.TableScan;
import dev.basin.sql.Sql;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Plans a query: DuckDB parses it ({@code json_serialize_sql}), Basin finds every table reference
 * that names a catalog table, plans that table's files using the simple predicates of the WHERE
 * clause around it, and splices a relation reading those files into the statement text in place of
 * the name. Names DuckDB knows itself ({@code pg_catalog}, {@code information_schema}, table
 * functions such as {@code range}) stay as they are.
 *
 * <p>Not thread-safe: one planner per session.
 */
public final class QueryPlanner {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> DUCKDB_SCHEMAS =
      Set.of("pg_catalog", "information_schema", "main", "temp", "system");
  // Table functions that read no files and reveal nothing of the server.
  private static final Set<String> SAFE_TABLE_FUNCTIONS =
      Set.of("range", "generate_series", "unnest");
  // Scalar functions that reveal the server's settings (paths among them) or environment.
  private static final Set<String> UNSAFE_FUNCTIONS =
      Set.of("current_setting", "getenv", "which_secret");
  // The last part of a dotted name DuckDB reads as a file by replacement scan (FROM main.csv).
  private static final Set<String> FILE_EXTENSIONS =
      Set.of(
          "csv", "tsv", "txt", "parquet", "json", "jsonl", "ndjson", "gz", "zst", "xlsx", "arrow",
          "avro", "db", "duckdb", "sqlite");

  private final TableResolver resolver;
  private final Connection connection;
  private final int maxDepth;

  /**
   * The planned statement: the SQL DuckDB runs and what it scans.
   *
   * @param fileAccess what the statement as written reads besides catalog tables, views and its
   *     CTEs ({@code "table function read_text"}, {@code "file 'x.csv'"}, {@code "function
   *     current_setting"}); what a view's definition reads is not included
   */
  public record Planned(
      String sql, List<TableScan> scans, boolean readsCatalogMetadata, List<String> fileAccess) {}

  public QueryPlanner(TableResolver resolver, Connection connection, int maxDepth) {
    this.resolver = resolver;
    this.connection = connection;
    this.maxDepth = maxDepth;
  }

  /**
   * Plans a query.
   *
   * @param defaultDatabase where unqualified names resolve, or null
   * @throws SqlException on a syntax error (with its position), an unknown table, a view cycle
   */
  public Planned plan(String sql, String defaultDatabase) {
    return plan(sql, defaultDatabase, 0, Map.of());
  }

  /**
   * Plans a query, reading the tables named in {@code overrides} ({@code database.table}, lower
   * case) through the given relation SQL instead of their current snapshot; materialized views use
   * this to read only the files new snapshots added.
   */
  public Planned plan(String sql, String defaultDatabase, Map<String, String> overrides) {
    return plan(sql, defaultDatabase, 0, overrides);
  }

  private Planned plan(
      String sql, String defaultDatabase, int depth, Map<String, String> overrides) {
    if (depth > maxDepth) {
      throw new SqlException(
          SqlState.FEATURE_NOT_SUPPORTED,
          "views nest more than " + maxDepth + " levels deep (is a view defined on itself?)");
    }
    String text = TimeTravel.rewrite(sql);
    JsonNode root = serialize(text, sql);
    JsonNode statements = root.path("statements");
    if (statements.size() != 1) {
      throw new SqlException(
          SqlState.SYNTAX_ERROR,
          "only one statement may be run at a time; found " + statements.size());
    }
    Map<JsonNode, Set<String>> visibleCtes = new IdentityHashMap<>();
    List<JsonNode> tables = new ArrayList<>();
    List<JsonNode> selects = new ArrayList<>();
    collect(statements.get(0), Set.of(), visibleCtes, tables, selects);

    Map<JsonNode, TableResolver.Handle> handles = new IdentityHashMap<>();
    Set<String> fileAccess = new LinkedHashSet<>();
    functionAccess(statements.get(0), fileAccess);
    boolean metadata = false;
    for (JsonNode t : tables) {
      String catalogName = t.path("catalog_name").asText("");
      String schema = t.path("schema_name").asText("");
      String name = t.path("table_name").asText("");
      if (!catalogName.isEmpty()) {
        if (!StatementParser.CATALOG_NAMES.contains(catalogName.toLowerCase(Locale.ROOT))) {
          metadata = true;
          fileReference(t, fileAccess);
          continue;
        }
      }
      if (schema.isEmpty()) {
        boolean cte = visibleCtes.get(t).contains(name.toLowerCase(Locale.ROOT));
        if (cte || defaultDatabase == null) {
          metadata |= !cte;
          if (!cte) {
            fileReference(t, fileAccess);
          }
          continue;
        }
        Optional<TableResolver.Handle> h = lookupIfPresent(defaultDatabase, name, atClause(t));
        if (h.isPresent()) {
          handles.put(t, h.get());
        } else {
          metadata = true;
          fileReference(t, fileAccess);
        }
        continue;
      }
      if (DUCKDB_SCHEMAS.contains(schema.toLowerCase(Locale.ROOT))) {
        metadata = true;
        fileReference(t, fileAccess);
        continue;
      }
      Optional<TableResolver.Handle> h = resolver.lookup(schema, name, atClause(t));
      if (h.isEmpty()) {
        throw new SqlException(
            SqlState.INVALID_SCHEMA_NAME,
            "database '" + schema + "' does not exist; SHOW DATABASES lists them",
            position(t, text),
            null);
      }
      handles.put(t, h.get());
    }

    Map<JsonNode, List<Conjunct>> conjuncts = new IdentityHashMap<>();
    for (JsonNode select : selects) {
      assignConjuncts(select, handles, conjuncts);
    }

    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    List<Splice> splices = new ArrayList<>();
    List<TableScan> scans = new ArrayList<>();
    for (Map.Entry<JsonNode, TableResolver.Handle> e : handles.entrySet()) {
      JsonNode t = e.getKey();
      TableResolver.Handle h = e.getValue();
      String relation;
      if (h instanceof TableResolver.ViewHandle v) {
        Planned inner = plan(v.sql(), v.defaultDatabase(), depth + 1, overrides);
        relation = "(" + inner.sql() + ")";
        // The view's own version joins the scans so that a redefinition changes the cache key.
        scans.add(new TableScan(v.qualifiedName(), "view:" + v.version(), 0, 0, 0, 0));
        scans.addAll(inner.scans());
      } else if (overrides.containsKey(h.qualifiedName().toLowerCase(Locale.ROOT))) {
        relation = overrides.get(h.qualifiedName().toLowerCase(Locale.ROOT));
      } else {
        TableResolver.Resolved r = resolver.resolve(h, conjuncts.getOrDefault(t, List.of()));
        relation = r.sql();
        scans.addAll(r.scans());
      }
      String alias = t.path("alias").asText("");
      if (alias.isEmpty()) {
        alias = t.path("table_name").asText();
      }
      StringBuilder replacement =
          new StringBuilder(relation).append(" AS ").append(Sql.quoteIdent(alias));
      JsonNode colAliases = t.path("column_name_alias");
      if (colAliases.isArray() && colAliases.size() > 0) {
        List<String> names = new ArrayList<>();
        colAliases.forEach(n -> names.add(Sql.quoteIdent(n.asText())));
        replacement.append('(').append(String.join(", ", names)).append(')');
      }
      if (!t.path("sample").isNull() && !t.path("sample").isMissingNode()) {
        throw new SqlException(
            SqlState.FEATURE_NOT_SUPPORTED,
            "TABLESAMPLE on lake tables is not supported; sample with USING SAMPLE on a subquery");
      }
      long start = t.path("query_location").asLong(-1);
      long length = t.path("query_location_length").asLong(0);
      if (start < 0 || length <= 0 || start + length > bytes.length) {
        throw new SqlException(
            SqlState.INTERNAL_ERROR,
            "cannot locate table " + h.qualifiedName() + " in the statement");
      }
      splices.add(new Splice((int) start, (int) (start + length), replacement.toString()));
    }
    splices.sort((a, b) -> Integer.compare(b.start, a.start));
    byte[] out = bytes;
    for (Splice s : splices) {
      byte[] r = s.text.getBytes(StandardCharsets.UTF_8);
      byte[] next = new byte[out.length - (s.end - s.start) + r.length];
      System.arraycopy(out, 0, next, 0, s.start);
      System.arraycopy(r, 0, next, s.start, r.length);
      System.arraycopy(out, s.end, next, s.start + r.length, out.length - s.end);
      out = next;
    }
    return new Planned(
        new String(out, StandardCharsets.UTF_8), scans, metadata, List.copyOf(fileAccess));
  }

  /**
   * Adds every table function outside {@link #SAFE_TABLE_FUNCTIONS} and every call of one of {@link
   * #UNSAFE_FUNCTIONS} anywhere in the parse tree (subqueries, CTEs, expressions).
   */
  private static void functionAccess(JsonNode node, Set<String> out) {
    if (node.isArray()) {
      node.forEach(n -> functionAccess(n, out));
      return;
    }
    if (!node.isObject()) {
      return;
    }
    if (node.path("type").asText("").equals("TABLE_FUNCTION")) {
      String name = node.path("function").path("function_name").asText("");
      if (!SAFE_TABLE_FUNCTIONS.contains(name.toLowerCase(Locale.ROOT))) {
        out.add("table function " + name);
      }
    } else if (node.path("class").asText("").equals("FUNCTION")) {
      String name = node.path("function_name").asText("");
      if (UNSAFE_FUNCTIONS.contains(name.toLowerCase(Locale.ROOT))) {
        out.add("function " + name);
      }
    }
    node.forEach(n -> functionAccess(n, out));
  }

  /**
   * Adds a table reference that names no catalog table, view or CTE when DuckDB would read it as a
   * file by replacement scan: {@code FROM 'x.csv'}, {@code FROM "dir/x.parquet"}, {@code FROM
   * main.csv}.
   */
  private static void fileReference(JsonNode table, Set<String> out) {
    List<String> parts = new ArrayList<>();
    for (String field : List.of("catalog_name", "schema_name", "table_name")) {
      String part = table.path(field).asText("");
      if (!part.isEmpty()) {
        parts.add(part);
      }
    }
    String name = table.path("table_name").asText("");
    boolean file =
        name.chars().anyMatch(c -> c == '.' || c == '/' || c == '\\' || c == ':')
            || (parts.size() > 1 && FILE_EXTENSIONS.contains(name.toLowerCase(Locale.ROOT)));
    if (file) {
      out.add("file '" + String.join(".", parts) + "'");
    }
  }

  private Optional<TableResolver.Handle> lookupIfPresent(
      String database, String name, TableResolver.AtClause at) {
    try {
      return resolver.lookup(database, name, at);
    } catch (SqlException e) {
      if (e.state() == SqlState.UNDEFINED_TABLE) {
        return Optional.empty();
      }
      throw e;
    }
  }

  private record Splice(int start, int end, String text) {}

  private JsonNode serialize(String text, String original) {
    try (PreparedStatement ps = connection.prepareStatement("SELECT json_serialize_sql(?)")) {
      ps.setString(1, text);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        JsonNode node = JSON.readTree(rs.getString(1));
        if (node.path("error").asBoolean(false)) {
          String type = node.path("error_type").asText("");
          String message = node.path("error_message").asText("invalid statement");
          if (!type.equals("parser")) {
            // Only single SELECT-like statements may reach DuckDB; everything else Basin runs
            // itself (StatementParser) or refuses.
            throw new SqlException(
                SqlState.FEATURE_NOT_SUPPORTED,
                "this statement cannot run as a query: "
                    + message
                    + "; Basin runs one SELECT (or WITH/VALUES/PIVOT) at a time");
          }
          int bytePos = node.path("position").asInt(-1);
          int position = bytePos < 0 ? 0 : charPosition(text, bytePos) + 1;
          if (!text.equals(original)) {
            position = 0;
          }
          String where = position > 0 ? lineColumn(original, position) + ": " : "";
          throw new SqlException(SqlState.SYNTAX_ERROR, where + message, position, null);
        }
        return node;
      }
    } catch (SQLException e) {
      throw new SqlException(
          SqlState.INTERNAL_ERROR, "DuckDB could not parse: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new SqlException(SqlState.INTERNAL_ERROR, "unreadable parse tree", e);
    }
  }

  private static int charPosition(String text, int bytePos) {
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    if (bytePos >= b.length) {
      return text.length();
    }
    return new String(b, 0, bytePos, StandardCharsets.UTF_8).length();
  }

  private static int position(JsonNode table, String text) {
    long loc = table.path("query_location").asLong(-1);
    return loc < 0 ? 0 : charPosition(text, (int) loc) + 1;
  }

  /** "line L:C" for a 1-based character position, as Athena/Trino print it. */
  public static String lineColumn(String sql, int position) {
    int line = 1;
    int col = 1;
    for (int i = 0; i < position - 1 && i < sql.length(); i++) {
      if (sql.charAt(i) == '\n') {
        line++;
        col = 1;
      } else {
        col++;
      }
    }
    return "line " + line + ":" + col;
  }

  private static TableResolver.AtClause atClause(JsonNode table) {
    JsonNode at = table.path("at_clause");
    if (at.isMissingNode() || at.isNull()) {
      return null;
    }
    String unit = at.path("unit").asText("").toUpperCase(Locale.ROOT);
    Object value = literal(at.path("expr"));
    if (value == null) {
      throw new SqlException(
          SqlState.FEATURE_NOT_SUPPORTED,
          "time travel needs a literal: FOR VERSION AS OF 123 or FOR TIMESTAMP AS OF TIMESTAMP"
              + " '2024-05-01 12:00:00'");
    }
    if (!unit.equals("VERSION") && !unit.equals("TIMESTAMP")) {
      throw new SqlException(SqlState.SYNTAX_ERROR, "AT takes VERSION or TIMESTAMP, not " + unit);
    }
    return new TableResolver.AtClause(unit, value);
  }

  /**
   * Finds table references and SELECT nodes anywhere in the tree, and for each table reference the
   * CTE names visible where it stands: a WITH clause's names are visible in the query it belongs to
   * and in the CTEs defined after each one (a CTE's own body sees only earlier ones, unless it is
   * recursive).
   */
  private static void collect(
      JsonNode node,
      Set<String> visible,
      Map<JsonNode, Set<String>> visibleCtes,
      List<JsonNode> tables,
      List<JsonNode> selects) {
    if (node.isArray()) {
      node.forEach(n -> collect(n, visible, visibleCtes, tables, selects));
      return;
    }
    if (!node.isObject()) {
      return;
    }
    String type = node.path("type").asText("");
    if (type.equals("BASE_TABLE")) {
      tables.add(node);
      visibleCtes.put(node, visible);
    } else if (type.equals("SELECT_NODE")) {
      selects.add(node);
    }
    Set<String> scope = visible;
    JsonNode cteMap = node.path("cte_map").path("map");
    if (cteMap.isArray() && cteMap.size() > 0) {
      Set<String> growing = new HashSet<>(visible);
      for (JsonNode entry : cteMap) {
        String name = entry.path("key").asText("").toLowerCase(Locale.ROOT);
        Set<String> bodyScope = new HashSet<>(growing);
        if (entry
            .path("value")
            .path("query")
            .path("node")
            .path("type")
            .asText("")
            .equals("RECURSIVE_CTE_NODE")) {
          bodyScope.add(name);
        }
        collect(entry.path("value"), Set.copyOf(bodyScope), visibleCtes, tables, selects);
        growing.add(name);
      }
      scope = Set.copyOf(growing);
    }
    final Set<String> inner = scope;
    node.fields()
        .forEachRemaining(
            f -> {
              if (!f.getKey().equals("cte_map")) {
                collect(f.getValue(), inner, visibleCtes, tables, selects);
              }
            });
  }

  /**
   * Gives each catalog table directly in a SELECT's FROM clause the WHERE conjuncts that refer only
   * to it. Only null-rejecting comparisons are used, which are safe to push below any join.
   */
  private static void assignConjuncts(
      JsonNode select,
      Map<JsonNode, TableResolver.Handle> handles,
      Map<JsonNode, List<Conjunct>> out) {
    JsonNode where = select.path("where_clause");
    if (where.isMissingNode() || where.isNull()) {
      return;
    }
    List<JsonNode> fromTables = new ArrayList<>();
    fromTables(select.path("from_table"), fromTables);
    fromTables.removeIf(t -> !handles.containsKey(t));
    if (fromTables.isEmpty()) {
      return;
    }
    List<JsonNode> parts = new ArrayList<>();
    flattenAnd(where, parts);
    for (JsonNode part : parts) {
      for (Conjunct c : conjuncts(part)) {
        JsonNode target = owner(c, fromTables, handles);
        if (target != null) {
          out.computeIfAbsent(target, k -> new ArrayList<>()).add(c);
        }
      }
    }
  }

  private static void fromTables(JsonNode from, List<JsonNode> out) {
    String type = from.path("type").asText("");
    if (type.equals("BASE_TABLE")) {
      out.add(from);
    } else if (type.equals("JOIN")) {
      fromTables(from.path("left"), out);
      fromTables(from.path("right"), out);
    }
  }

  private static JsonNode owner(
      Conjunct c, List<JsonNode> tables, Map<JsonNode, TableResolver.Handle> handles) {
    JsonNode match = null;
    for (JsonNode t : tables) {
      String alias = t.path("alias").asText("");
      String name = alias.isEmpty() ? t.path("table_name").asText("") : alias;
      if (c.qualifier() != null) {
        if (name.equalsIgnoreCase(c.qualifier())) {
          return t;
        }
        continue;
      }
      if (handles.get(t).columns().contains(c.column().toLowerCase(Locale.ROOT))) {
        if (match != null) {
          return null;
        }
        match = t;
      }
    }
    if (c.qualifier() == null && tables.size() == 1 && match == null) {
      return null;
    }
    return match;
  }

  private static void flattenAnd(JsonNode expr, List<JsonNode> out) {
    if (expr.path("type").asText("").equals("CONJUNCTION_AND")) {
      for (JsonNode child : expr.path("children")) {
        flattenAnd(child, out);
      }
    } else {
      out.add(expr);
    }
  }

  private static List<Conjunct> conjuncts(JsonNode e) {
    String cls = e.path("class").asText("");
    String type = e.path("type").asText("");
    if (cls.equals("COMPARISON")) {
      String op =
          switch (type) {
            case "COMPARE_EQUAL" -> "=";
            case "COMPARE_LESSTHAN" -> "<";
            case "COMPARE_LESSTHANOREQUALTO" -> "<=";
            case "COMPARE_GREATERTHAN" -> ">";
            case "COMPARE_GREATERTHANOREQUALTO" -> ">=";
            default -> null;
          };
      if (op == null) {
        return List.of();
      }
      JsonNode left = e.path("left");
      JsonNode right = e.path("right");
      if (isColumn(left) && literal(right) != null) {
        return List.of(conjunct(left, op, List.of(literal(right))));
      }
      if (isColumn(right) && literal(left) != null) {
        return List.of(conjunct(right, flip(op), List.of(literal(left))));
      }
      return List.of();
    }
    if (cls.equals("BETWEEN")) {
      JsonNode input = e.path("input");
      Object lower = literal(e.path("lower"));
      Object upper = literal(e.path("upper"));
      if (isColumn(input) && lower != null && upper != null) {
        return List.of(
            conjunct(input, ">=", List.of(lower)), conjunct(input, "<=", List.of(upper)));
      }
      return List.of();
    }
    if (type.equals("COMPARE_IN")) {
      JsonNode children = e.path("children");
      if (children.size() < 2 || !isColumn(children.get(0))) {
        return List.of();
      }
      List<Object> values = new ArrayList<>();
      for (int i = 1; i < children.size(); i++) {
        Object v = literal(children.get(i));
        if (v == null) {
          return List.of();
        }
        values.add(v);
      }
      return List.of(conjunct(children.get(0), "IN", values));
    }
    return List.of();
  }

  private static String flip(String op) {
    return switch (op) {
      case "<" -> ">";
      case "<=" -> ">=";
      case ">" -> "<";
      case ">=" -> "<=";
      default -> op;
    };
  }

  private static boolean isColumn(JsonNode n) {
    JsonNode names = n.path("column_names");
    return n.path("class").asText("").equals("COLUMN_REF")
        && names.size() >= 1
        && names.size() <= 2;
  }

  private static Conjunct conjunct(JsonNode column, String op, List<Object> values) {
    JsonNode names = column.path("column_names");
    if (names.size() == 1) {
      return new Conjunct(null, names.get(0).asText(), op, values);
    }
    return new Conjunct(names.get(0).asText(), names.get(1).asText(), op, values);
  }

  /** A constant's Java value (Long, BigDecimal, Double, String, Boolean), or null if not one. */
  static Object literal(JsonNode n) {
    String cls = n.path("class").asText("");
    if (cls.equals("CAST")) {
      String target = n.path("type_expr").path("type_name").asText("").toUpperCase(Locale.ROOT);
      Object inner = literal(n.path("child"));
      if (inner instanceof String s
          && (target.startsWith("DATE")
              || target.startsWith("TIMESTAMP")
              || target.startsWith("TIME")
              || target.equals("VARCHAR")
              || target.equals("TEXT"))) {
        return target.startsWith("TIMESTAMP") ? s.trim().replace(' ', 'T') : s;
      }
      return null;
    }
    if (!cls.equals("CONSTANT")) {
      return null;
    }
    JsonNode lit = n.path("literal");
    String kind = lit.path("kind").asText("");
    String text = lit.path("text").asText("");
    try {
      return switch (kind) {
        case "INTEGER" -> Long.parseLong(text);
        case "NUMERIC", "DECIMAL" ->
            text.contains("e") || text.contains("E") ? null : new BigDecimal(text);
        case "STRING" -> text;
        case "BOOLEAN" -> Boolean.parseBoolean(text);
        default -> null;
      };
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
