package dev.basin.sql.mv;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.basin.common.json.Json;
import dev.basin.spi.sql.SqlException;
import dev.basin.sql.DuckDbSession;
import dev.basin.sql.Sql;
import dev.basin.sql.plan.SqlLexer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A materialized view's query seen as a single-table aggregate that can be maintained
 * incrementally: {@code SELECT <group keys>, SUM/COUNT/COUNT(*)/MIN/MAX/AVG(…) FROM db.t [WHERE …]
 * GROUP BY <the keys>}. Partial aggregates over new rows merge with the stored ones: sums and
 * counts add, minima and maxima take the least and greatest, and an AVG keeps a hidden sum and
 * count.
 *
 * <p>DuckDB's own parser ({@code json_serialize_sql}) tells the shape; anything it cannot prove
 * safe (DISTINCT aggregates, HAVING, windows, joins, subqueries, ORDER BY/LIMIT, GROUPING SETS,
 * functions that are not deterministic scalar functions, group keys missing from the select list)
 * makes the view a full-recompute view, with the reason.
 *
 * <p>Immutable.
 */
final class AggregateQuery {

  /** What a select-list item is. */
  enum Role {
    KEY,
    SUM,
    COUNT,
    MIN,
    MAX,
    AVG
  }

  /** The analysis: a query that can be maintained incrementally, or why not. */
  record Analysis(AggregateQuery query, String reason) {
    boolean incremental() {
      return query != null;
    }
  }

  /** Names DuckDB binds as functions although they parse as column references. */
  private static final Set<String> SPECIAL_COLUMNS =
      Set.of(
          "current_date",
          "current_time",
          "current_timestamp",
          "localtime",
          "localtimestamp",
          "current_user",
          "session_user",
          "user",
          "current_role",
          "current_schema",
          "current_catalog");

  private final List<Role> roles;
  private final String inputDatabase;
  private final String inputTable;
  private final String stateSql;
  private final Set<String> aliasGroups;

  private AggregateQuery(
      List<Role> roles,
      String inputDatabase,
      String inputTable,
      String stateSql,
      Set<String> aliasGroups) {
    this.roles = List.copyOf(roles);
    this.inputDatabase = inputDatabase;
    this.inputTable = inputTable;
    this.stateSql = stateSql;
    this.aliasGroups = Set.copyOf(aliasGroups);
  }

  /**
   * Names the GROUP BY refers to as select-list aliases (lower case). DuckDB binds such a name to
   * the input's column when there is one, so the query is only incremental if none of these is a
   * column of the input table.
   */
  Set<String> aliasGroups() {
    return aliasGroups;
  }

  /** The roles of the select-list items, in order. */
  List<Role> roles() {
    return roles;
  }

  /** How many AVG items (each adds a hidden sum and count column). */
  int averages() {
    return (int) roles.stream().filter(r -> r == Role.AVG).count();
  }

  /** The database the input table is qualified with, or null when written unqualified. */
  String inputDatabase() {
    return inputDatabase;
  }

  /** The input table's name as written. */
  String inputTable() {
    return inputTable;
  }

  /**
   * The view's query with, for each AVG item in order, {@code sum(arg)} and {@code count(arg)}
   * appended to the select list: its columns are the view table's columns (visible, then hidden).
   */
  String stateSql() {
    return stateSql;
  }

  /**
   * Analyses a view query with DuckDB's parser on {@code session}'s connection.
   *
   * @throws SqlException only when DuckDB itself fails; a query it cannot serialize is simply not
   *     incremental
   */
  static Analysis analyze(DuckDbSession session, String sql) {
    JsonNode root = serialize(session, sql);
    if (root == null || root.path("error").asBoolean(false)) {
      return full("DuckDB cannot serialize the query for analysis");
    }
    JsonNode statements = root.path("statements");
    if (statements.size() != 1) {
      return full("it is not a single SELECT");
    }
    JsonNode node = statements.get(0).path("node");
    if (!node.path("type").asText("").equals("SELECT_NODE")) {
      return full("it is not a plain SELECT (UNION, VALUES…)");
    }
    if (node.path("modifiers").size() > 0) {
      return full("it has ORDER BY, LIMIT or DISTINCT");
    }
    if (node.path("cte_map").path("map").size() > 0) {
      return full("it has a WITH clause");
    }
    if (present(node.path("having"))) {
      return full("it has HAVING");
    }
    if (present(node.path("qualify"))) {
      return full("it has QUALIFY");
    }
    if (present(node.path("sample"))) {
      return full("it samples rows");
    }
    JsonNode from = node.path("from_table");
    if (!from.path("type").asText("").equals("BASE_TABLE")) {
      return full("it does not read exactly one table (joins, subqueries and table functions)");
    }
    if (present(from.path("at_clause")) || present(from.path("sample"))) {
      return full("it reads the table with time travel or sampling");
    }
    if (!from.path("catalog_name").asText("").isEmpty()) {
      return full("its table is qualified with a catalog name");
    }
    String handling = node.path("aggregate_handling").asText("");
    boolean groupByAll = handling.equals("FORCE_AGGREGATES");
    if (!groupByAll && !handling.equals("STANDARD_HANDLING")) {
      return full("its aggregation is not a plain GROUP BY");
    }

    Set<String> functions = new LinkedHashSet<>();
    JsonNode where = node.path("where_clause");
    if (present(where)) {
      String bad = scalarOnly(where, functions);
      if (bad != null) {
        return full("its WHERE clause " + bad);
      }
    }

    JsonNode items = node.path("select_list");
    List<Role> roles = new ArrayList<>();
    List<JsonNode> avgNodes = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      JsonNode item = items.get(i);
      Role role = aggregateRole(item);
      if (role == null) {
        String bad = scalarOnly(item, functions);
        if (bad != null) {
          return full(
              "select item "
                  + (i + 1)
                  + " is neither a group key nor a plain SUM/COUNT/MIN/MAX/AVG: it "
                  + bad);
        }
        roles.add(Role.KEY);
      } else {
        JsonNode args = item.path("arguments");
        for (JsonNode a : args) {
          if (!a.path("name").asText("").isEmpty()) {
            return full("select item " + (i + 1) + " passes a named argument");
          }
          String bad = scalarOnly(a.path("expression"), functions);
          if (bad != null) {
            return full("the argument of select item " + (i + 1) + " " + bad);
          }
        }
        roles.add(role);
        if (role == Role.AVG) {
          avgNodes.add(item);
        }
      }
    }
    String reason = checkFunctions(session, functions);
    if (reason != null) {
      return full(reason);
    }
    Set<String> aliasGroups = new HashSet<>();
    reason = checkGroups(node, items, roles, groupByAll, aliasGroups);
    if (reason != null) {
      return full(reason);
    }

    String stateSql;
    if (avgNodes.isEmpty()) {
      stateSql = sql;
    } else {
      stateSql = withHiddenColumns(sql, from, avgNodes);
      if (stateSql == null || !sameShape(session, stateSql, items, avgNodes)) {
        return full("its AVG arguments could not be rewritten as a sum and a count");
      }
    }
    String db = from.path("schema_name").asText("");
    return new Analysis(
        new AggregateQuery(
            roles,
            db.isEmpty() ? null : db,
            from.path("table_name").asText(),
            stateSql,
            aliasGroups),
        null);
  }

  private static Analysis full(String reason) {
    return new Analysis(null, reason);
  }

  private static boolean present(JsonNode n) {
    return !n.isMissingNode() && !n.isNull();
  }

  private static JsonNode serialize(DuckDbSession session, String sql) {
    List<Object[]> rows =
        session.queryInternal("SELECT json_serialize_sql(" + Sql.quoteString(sql) + ")");
    if (rows.isEmpty() || rows.get(0)[0] == null) {
      return null;
    }
    try {
      return Json.mapper().readTree(String.valueOf(rows.get(0)[0]));
    } catch (IOException e) {
      return null;
    }
  }

  /** The aggregate an item is, when it is exactly one plain aggregate call; otherwise null. */
  private static Role aggregateRole(JsonNode item) {
    if (!item.path("class").asText("").equals("FUNCTION")) {
      return null;
    }
    if (item.path("distinct").asBoolean(false)
        || present(item.path("filter"))
        || item.path("order_bys").path("orders").size() > 0
        || item.path("export_state").asBoolean(false)
        || !item.path("schema").asText("").isEmpty()
        || !item.path("catalog").asText("").isEmpty()) {
      return null;
    }
    String name = item.path("function_name").asText("").toLowerCase(Locale.ROOT);
    int args = item.path("arguments").size();
    if (name.equals("count_star") && args == 0) {
      return Role.COUNT;
    }
    if (args != 1) {
      return null;
    }
    return switch (name) {
      case "sum" -> Role.SUM;
      case "count" -> Role.COUNT;
      case "min" -> Role.MIN;
      case "max" -> Role.MAX;
      case "avg", "mean" -> Role.AVG;
      default -> null;
    };
  }

  /**
   * Checks that an expression is built from columns, constants, operators and named functions only
   * (collected into {@code functions} for a later check that each is a deterministic scalar
   * function). Returns what is wrong, or null.
   */
  private static String scalarOnly(JsonNode n, Set<String> functions) {
    if (n.isArray()) {
      for (JsonNode c : n) {
        String bad = scalarOnly(c, functions);
        if (bad != null) {
          return bad;
        }
      }
      return null;
    }
    if (!n.isObject()) {
      return null;
    }
    String cls = n.path("class").asText("");
    switch (cls) {
      case "WINDOW" -> {
        return "uses a window function";
      }
      case "SUBQUERY" -> {
        return "has a subquery";
      }
      case "STAR", "COLUMNS" -> {
        return "uses * or COLUMNS(…)";
      }
      case "PARAMETER" -> {
        return "has a parameter";
      }
      case "COLUMN_REF" -> {
        JsonNode names = n.path("column_names");
        if (names.size() == 1
            && SPECIAL_COLUMNS.contains(names.get(0).asText("").toLowerCase(Locale.ROOT))) {
          return "uses " + names.get(0).asText() + ", which changes over time";
        }
      }
      case "FUNCTION" -> {
        if (!n.path("schema").asText("").isEmpty() || !n.path("catalog").asText("").isEmpty()) {
          return "calls a schema-qualified function";
        }
        if (n.path("distinct").asBoolean(false) || present(n.path("filter"))) {
          return "has an aggregate";
        }
        functions.add(n.path("function_name").asText(""));
      }
      default -> {}
    }
    var fields = n.fields();
    while (fields.hasNext()) {
      var f = fields.next();
      if (f.getValue().isContainerNode()) {
        String bad = scalarOnly(f.getValue(), functions);
        if (bad != null) {
          return bad;
        }
      }
    }
    return null;
  }

  /**
   * Checks that the groups are exactly the key items: one grouping set, every GROUP BY expression a
   * key item of the select list (or its position), every key item grouped.
   */
  private static String checkGroups(
      JsonNode node,
      JsonNode items,
      List<Role> roles,
      boolean groupByAll,
      Set<String> aliasGroups) {
    JsonNode groups = node.path("group_expressions");
    if (groupByAll) {
      return null;
    }
    if (groups.size() == 0) {
      for (int i = 0; i < roles.size(); i++) {
        if (roles.get(i) == Role.KEY && readsColumns(items.get(i))) {
          return "it has non-aggregate items but no GROUP BY";
        }
      }
      return null;
    }
    JsonNode sets = node.path("group_sets");
    if (sets.size() != 1 || sets.get(0).size() != groups.size()) {
      return "it uses GROUPING SETS, ROLLUP or CUBE";
    }
    boolean[] grouped = new boolean[roles.size()];
    for (JsonNode g : groups) {
      // Group expressions that match a key item are that item, whose functions were checked.
      int match = -1;
      if (g.path("class").asText("").equals("CONSTANT")
          && g.path("literal").path("kind").asText("").equals("INTEGER")) {
        int position = Integer.parseInt(g.path("literal").path("text").asText("0"));
        if (position >= 1 && position <= roles.size()) {
          match = position - 1;
        }
      } else {
        JsonNode normal = normalize(g);
        for (int i = 0; i < roles.size(); i++) {
          if (roles.get(i) == Role.KEY && normalize(items.get(i)).equals(normal)) {
            match = i;
            break;
          }
        }
        JsonNode names = g.path("column_names");
        if (match < 0 && g.path("class").asText("").equals("COLUMN_REF") && names.size() == 1) {
          // GROUP BY an alias binds to the item only when the table has no such column.
          for (int i = 0; i < roles.size(); i++) {
            if (items.get(i).path("alias").asText("").equalsIgnoreCase(names.get(0).asText())) {
              match = i;
              aliasGroups.add(names.get(0).asText().toLowerCase(Locale.ROOT));
              break;
            }
          }
        }
      }
      if (match < 0 || roles.get(match) != Role.KEY) {
        return "a GROUP BY expression is not one of the select list's items (write each group key"
            + " in the select list)";
      }
      grouped[match] = true;
    }
    for (int i = 0; i < roles.size(); i++) {
      // A constant item is the same in every group, so it cannot merge two groups into one key.
      if (roles.get(i) == Role.KEY && !grouped[i] && readsColumns(items.get(i))) {
        return "select item " + (i + 1) + " is not a GROUP BY expression";
      }
    }
    return null;
  }

  private static boolean readsColumns(JsonNode n) {
    if (n.isObject() && n.path("class").asText("").equals("COLUMN_REF")) {
      return true;
    }
    if (n.isContainerNode()) {
      for (JsonNode c : n) {
        if (readsColumns(c)) {
          return true;
        }
      }
    }
    return false;
  }

  /** A parse-tree node without positions and aliases, column names in lower case. */
  private static JsonNode normalize(JsonNode n) {
    JsonNode copy = n.deepCopy();
    strip(copy);
    return copy;
  }

  private static void strip(JsonNode n) {
    if (n instanceof ObjectNode o) {
      o.remove("query_location");
      o.remove("query_location_length");
      o.remove("alias");
      if (o.path("class").asText("").equals("COLUMN_REF") && o.get("column_names") != null) {
        ArrayNode names = (ArrayNode) o.get("column_names");
        for (int i = 0; i < names.size(); i++) {
          names.set(i, TextNode.valueOf(names.get(i).asText().toLowerCase(Locale.ROOT)));
        }
      }
      o.forEach(AggregateQuery::strip);
    } else if (n instanceof ArrayNode a) {
      a.forEach(AggregateQuery::strip);
    }
  }

  /** Checks every function name against DuckDB's catalog: deterministic scalar functions only. */
  private static String checkFunctions(DuckDbSession session, Set<String> functions) {
    if (functions.isEmpty()) {
      return null;
    }
    List<String> names = new ArrayList<>(functions);
    List<Object[]> rows =
        session.queryInternal(
            "SELECT function_name, bool_and(function_type = 'scalar' AND stability ="
                + " 'CONSISTENT') FROM duckdb_functions() WHERE function_name IN ("
                + String.join(", ", names.stream().map(Sql::quoteString).toList())
                + ") GROUP BY function_name");
    Set<String> ok = new HashSet<>();
    for (Object[] r : rows) {
      if (Boolean.TRUE.equals(r[1])) {
        ok.add(String.valueOf(r[0]));
      }
    }
    for (String f : names) {
      if (!ok.contains(f)) {
        return "it calls "
            + f
            + ", which is not a deterministic scalar function (an aggregate, a macro or a"
            + " function whose result changes between runs)";
      }
    }
    return null;
  }

  /**
   * Inserts {@code sum(arg) AS "__h2i", count(arg) AS "__h2i1"} for each AVG item right after the
   * select list's last token; null when the text does not look as expected.
   */
  private static String withHiddenColumns(String sql, JsonNode from, List<JsonNode> avgNodes) {
    byte[] bytes = sql.getBytes(StandardCharsets.UTF_8);
    List<String> hidden = new ArrayList<>();
    for (int i = 0; i < avgNodes.size(); i++) {
      JsonNode avg = avgNodes.get(i);
      String call = cut(sql, bytes, avg);
      if (call == null) {
        return null;
      }
      String name = avg.path("function_name").asText();
      int open = call.indexOf('(');
      if (open < 0
          || !call.substring(0, open).strip().equalsIgnoreCase(name)
          || !call.endsWith(")")) {
        return null;
      }
      String arg = call.substring(open + 1, call.length() - 1);
      hidden.add("sum(" + arg + ") AS " + Sql.quoteIdent("__h" + (2 * i)));
      hidden.add("count(" + arg + ") AS " + Sql.quoteIdent("__h" + (2 * i + 1)));
    }
    int tablePos = charOffset(bytes, from.path("query_location").asInt(-1));
    if (tablePos < 0) {
      return null;
    }
    List<SqlLexer.Token> tokens;
    try {
      tokens = SqlLexer.tokenize(sql);
    } catch (SqlException e) {
      return null;
    }
    int fromIndex = -1;
    for (int i = 0; i < tokens.size(); i++) {
      if (tokens.get(i).start() < tablePos) {
        fromIndex = i;
      }
    }
    if (fromIndex < 1 || !tokens.get(fromIndex).is("from")) {
      return null;
    }
    SqlLexer.Token last = tokens.get(fromIndex - 1);
    String separator = last.isSymbol(",") ? " " : ", ";
    return sql.substring(0, last.end())
        + separator
        + String.join(", ", hidden)
        + sql.substring(last.end());
  }

  /** The text of a node, from its byte offsets; null when they are missing or out of range. */
  private static String cut(String sql, byte[] bytes, JsonNode node) {
    int start = node.path("query_location").asInt(-1);
    int length = node.path("query_location_length").asInt(0);
    if (start < 0 || length <= 0 || start + length > bytes.length) {
      return null;
    }
    return new String(bytes, start, length, StandardCharsets.UTF_8);
  }

  private static int charOffset(byte[] bytes, int byteOffset) {
    if (byteOffset < 0 || byteOffset > bytes.length) {
      return -1;
    }
    return new String(bytes, 0, byteOffset, StandardCharsets.UTF_8).length();
  }

  /**
   * Re-parses the rewritten query and checks it is the original select list followed by the
   * expected sum and count of each AVG argument.
   */
  private static boolean sameShape(
      DuckDbSession session, String stateSql, JsonNode items, List<JsonNode> avgNodes) {
    JsonNode root = serialize(session, stateSql);
    if (root == null || root.path("error").asBoolean(false)) {
      return false;
    }
    JsonNode list = root.path("statements").path(0).path("node").path("select_list");
    if (list.size() != items.size() + 2 * avgNodes.size()) {
      return false;
    }
    for (int i = 0; i < items.size(); i++) {
      if (!normalize(list.get(i)).equals(normalize(items.get(i)))) {
        return false;
      }
    }
    for (int i = 0; i < avgNodes.size(); i++) {
      JsonNode arg = normalize(avgNodes.get(i).path("arguments").path(0).path("expression"));
      JsonNode sum = list.get(items.size() + 2 * i);
      JsonNode count = list.get(items.size() + 2 * i + 1);
      if (!sum.path("function_name").asText("").equals("sum")
          || !count.path("function_name").asText("").equals("count")
          || !normalize(sum.path("arguments").path(0).path("expression")).equals(arg)
          || !normalize(count.path("arguments").path(0).path("expression")).equals(arg)) {
        return false;
      }
    }
    return true;
  }
}
