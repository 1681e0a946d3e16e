package dev.basin.dashboards;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.basin.common.error.BasinException;
import dev.basin.common.json.Json;
import dev.basin.sql.Sql;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A dataset: the rows visuals are built over. Its source is a catalog table ({@code
 * database.table}) or one SQL query; calculated fields add columns computed by SQL expressions over
 * the source's columns; an optional row-level security rule restricts the rows each user sees.
 *
 * <p>JSON form: {@code {"name", "table"? | "sql"?, "description"?, "calculatedFields"?: [{"name",
 * "expression"}], "rowLevelSecurity"?: {"column", "rules"?: {user: [values]}, "ruleTable"?:
 * "db.table", "allowAll"?: [users], "default"?: "deny"|"all"}, "cache"?: {"maxAgeSeconds"},
 * "extract"?: {"refresh"?: "onSnapshot" | {"schedule": cron} | {"everySeconds": N}, "enabled"?}}};
 * responses add {@code "columns": [{"name", "type"}]}, {@code created}, {@code updated} and the
 * extract's state ({@link ExtractStatus#toJson}) inside {@code extract}.
 *
 * @param columns the columns visuals may use (source columns then calculated fields); empty until
 *     the service has described the dataset
 */
public record Dataset(
    String name,
    String description,
    String table,
    String sql,
    List<CalculatedField> calculatedFields,
    RowLevelSecurity rowLevelSecurity,
    Cache cache,
    Extract extract,
    List<Column> columns,
    Instant created,
    Instant updated) {

  static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_-]{0,127}");
  static final Pattern TABLE =
      Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?");
  private static final Pattern FIELD = Pattern.compile("[A-Za-z_][A-Za-z0-9_ ]{0,127}");

  public Dataset {
    calculatedFields = List.copyOf(calculatedFields);
    columns = List.copyOf(columns);
  }

  /** A column computed by a SQL expression over the source's columns. */
  public record CalculatedField(String name, String expression) {}

  /**
   * Caching of the dataset's visual results (see {@code ResultCache}): results are reused until an
   * input table gets a new snapshot, or {@code maxAgeSeconds} passed (0: only new snapshots expire
   * them).
   */
  public record Cache(long maxAgeSeconds) {}

  /**
   * A persisted extract: the dataset's rows (source and calculated fields, before row-level
   * security) materialized to a Parquet file that visuals read instead of the source.
   *
   * @param refresh {@code onSnapshot} (rebuilt when an input table gets a new snapshot), {@code
   *     schedule} (at the times of the cron expression {@code schedule}, UTC) or {@code
   *     everySeconds}
   * @param schedule the cron text when {@code refresh} is {@code schedule}, else null
   * @param everySeconds the interval (60 or more) when {@code refresh} is {@code everySeconds}
   * @param enabled false keeps the definition but reads the source and refreshes nothing
   * @param status the extract's current state, or null in a definition not yet loaded by the
   *     service
   */
  public record Extract(
      String refresh, String schedule, long everySeconds, boolean enabled, ExtractStatus status) {
    /** Refresh when an input table gets a new snapshot. */
    public static final String ON_SNAPSHOT = "onSnapshot";

    /** Refresh at the times of a cron expression. */
    public static final String SCHEDULE = "schedule";

    /** Refresh every {@code everySeconds}. */
    public static final String EVERY_SECONDS = "everySeconds";

    Extract withStatus(ExtractStatus s) {
      return new Extract(refresh, schedule, everySeconds, enabled, s);
    }
  }

  /** A column visuals can use, with the engine's type name. */
  public record Column(String name, String type, boolean numeric, boolean temporal) {}

  /**
   * Restricts rows by the signed-in user: a row is visible when {@code column} holds one of the
   * values the user is granted, in {@code rules} or in {@code ruleTable} (columns {@code user_name}
   * and {@code value}). Users in {@code allowAll} see every row; any other user without a grant
   * sees no rows unless {@code defaultAll} is set.
   */
  public record RowLevelSecurity(
      String column,
      Map<String, List<String>> rules,
      String ruleTable,
      List<String> allowAll,
      boolean defaultAll) {
    public RowLevelSecurity {
      rules = Map.copyOf(rules);
      allowAll = List.copyOf(allowAll);
    }
  }

  /** The column named {@code name}, matched exactly first and then ignoring case. */
  public java.util.Optional<Column> column(String name) {
    for (Column c : columns) {
      if (c.name().equals(name)) {
        return java.util.Optional.of(c);
      }
    }
    for (Column c : columns) {
      if (c.name().equalsIgnoreCase(name)) {
        return java.util.Optional.of(c);
      }
    }
    return java.util.Optional.empty();
  }

  Dataset withColumns(List<Column> cols, Instant created, Instant updated) {
    return new Dataset(
        name,
        description,
        table,
        sql,
        calculatedFields,
        rowLevelSecurity,
        cache,
        extract,
        cols,
        created,
        updated);
  }

  /**
   * This dataset reading its extract file instead of its source: calculated fields are columns of
   * the file, row-level security still applies on top.
   */
  Dataset overExtract(Path file) {
    return new Dataset(
        name,
        description,
        null,
        "SELECT * FROM read_parquet(" + Sql.quoteString(file.toString()) + ")",
        List.of(),
        rowLevelSecurity,
        cache,
        extract,
        columns,
        created,
        updated);
  }

  Dataset withExtract(Extract e) {
    return new Dataset(
        name,
        description,
        table,
        sql,
        calculatedFields,
        rowLevelSecurity,
        cache,
        e,
        columns,
        created,
        updated);
  }

  /**
   * Parses a dataset definition (columns and timestamps in the input are ignored).
   *
   * @throws BasinException INVALID_DATASET naming the member at fault
   */
  public static Dataset parse(JsonNode in) {
    if (in == null || !in.isObject()) {
      throw invalid(
          "a dataset must be a JSON object like {\"name\": \"sales\", \"table\": \"db.t\"}");
    }
    Set<String> known =
        Set.of(
            "name",
            "description",
            "table",
            "sql",
            "calculatedFields",
            "rowLevelSecurity",
            "cache",
            "extract",
            "columns",
            "created",
            "updated");
    in.fieldNames()
        .forEachRemaining(
            f -> {
              if (!known.contains(f)) {
                throw invalid("unknown dataset member '" + f + "'; allowed: " + known);
              }
            });
    String name = in.path("name").asText("");
    if (!NAME.matcher(name).matches()) {
      throw invalid(
          "dataset name '"
              + name
              + "' is invalid: use 1-128 letters, digits, '_' or '-', starting with a letter");
    }
    String table = textOrNull(in, "table");
    String sql = textOrNull(in, "sql");
    if ((table == null) == (sql == null)) {
      throw invalid(
          "dataset '" + name + "': give exactly one source, \"table\": \"db.table\" or \"sql\"");
    }
    if (table != null && !TABLE.matcher(table).matches()) {
      throw invalid(
          "dataset '" + name + "': table '" + table + "' must be a name like database.table");
    }
    if (sql != null && sql.isBlank()) {
      throw invalid("dataset '" + name + "': sql is empty; write one SELECT query");
    }
    List<CalculatedField> calcs = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    JsonNode cf = in.path("calculatedFields");
    if (!cf.isMissingNode() && !cf.isNull()) {
      if (!cf.isArray()) {
        throw invalid("dataset '" + name + "': calculatedFields must be an array");
      }
      for (int i = 0; i < cf.size(); i++) {
        JsonNode f = cf.get(i);
        String fn = f.path("name").asText("");
        String expr = f.path("expression").asText("");
        String where = "dataset '" + name + "': calculatedFields[" + i + "]";
        if (!FIELD.matcher(fn).matches()) {
          throw invalid(where + ".name '" + fn + "' must be letters, digits, '_' or spaces");
        }
        if (expr.isBlank()) {
          throw invalid(where + ".expression is empty; write a SQL expression like price * qty");
        }
        if (!seen.add(fn.toLowerCase(java.util.Locale.ROOT))) {
          throw invalid(where + ": the name '" + fn + "' is used twice");
        }
        calcs.add(new CalculatedField(fn, expr));
      }
    }
    RowLevelSecurity rls = null;
    JsonNode r = in.path("rowLevelSecurity");
    if (!r.isMissingNode() && !r.isNull()) {
      rls = parseRls(name, r);
    }
    Cache cache = null;
    JsonNode cn = in.path("cache");
    if (!cn.isMissingNode() && !cn.isNull() && !(cn.isBoolean() && !cn.booleanValue())) {
      long age = cn.isBoolean() ? 0 : cn.path("maxAgeSeconds").asLong(-1);
      if (age < 0
          || age > 31_536_000
          || (cn.isObject() && !cn.path("maxAgeSeconds").isIntegralNumber())) {
        throw invalid(
            "dataset '"
                + name
                + "': cache must be true or {\"maxAgeSeconds\": N} with N 0-31536000 (0: refresh"
                + " only when an input table gets a new snapshot)");
      }
      cache = new Cache(age);
    }
    Extract extract = null;
    JsonNode en = in.path("extract");
    if (!en.isMissingNode() && !en.isNull()) {
      extract = parseExtract(name, en);
    }
    return new Dataset(
        name,
        textOrNull(in, "description"),
        table,
        sql,
        calcs,
        rls,
        cache,
        extract,
        List.of(),
        null,
        null);
  }

  private static final Set<String> EXTRACT_MEMBERS = Set.of("refresh", "enabled");

  /** Members of the extract's state in responses; ignored when a response is sent back. */
  private static final Set<String> EXTRACT_STATE_MEMBERS =
      Set.of(
          "status", "rows", "bytes", "refreshedAt", "durationMs", "sourceSnapshots", "lastError");

  private static Extract parseExtract(String name, JsonNode e) {
    String where = "dataset '" + name + "': extract";
    if (!e.isObject()) {
      throw invalid(
          where
              + " must be an object like {\"refresh\": \"onSnapshot\"}, {\"refresh\":"
              + " {\"schedule\": \"0 * * * *\"}} or {\"refresh\": {\"everySeconds\": 300}}");
    }
    e.fieldNames()
        .forEachRemaining(
            f -> {
              if (!EXTRACT_MEMBERS.contains(f) && !EXTRACT_STATE_MEMBERS.contains(f)) {
                throw invalid(
                    where
                        + ": unknown member '"
                        + f
                        + "'; allowed: "
                        + new java.util.TreeSet<>(EXTRACT_MEMBERS));
              }
            });
    JsonNode enabled = e.path("enabled");
    if (!enabled.isMissingNode() && !enabled.isBoolean()) {
      throw invalid(where + ".enabled must be true or false, was " + enabled);
    }
    JsonNode r = e.path("refresh");
    if (r.isMissingNode() || r.isNull() || r.isTextual() && r.textValue().equals("onSnapshot")) {
      return new Extract(Extract.ON_SNAPSHOT, null, 0, enabled.asBoolean(true), null);
    }
    if (!r.isObject() || r.size() != 1) {
      throw invalid(
          where
              + ".refresh must be \"onSnapshot\", {\"schedule\": \"<cron>\"} or"
              + " {\"everySeconds\": N}, was "
              + r);
    }
    if (r.has("schedule")) {
      JsonNode c = r.get("schedule");
      if (!c.isTextual()) {
        throw invalid(where + ".refresh.schedule must be cron text like '0 * * * *', was " + c);
      }
      try {
        CronSchedule.parse(c.textValue());
      } catch (IllegalArgumentException ex) {
        throw invalid(
            where
                + ".refresh.schedule '"
                + c.textValue()
                + "' is not a cron expression: "
                + ex.getMessage());
      }
      return new Extract(Extract.SCHEDULE, c.textValue(), 0, enabled.asBoolean(true), null);
    }
    if (r.has("everySeconds")) {
      JsonNode n = r.get("everySeconds");
      if (!n.isIntegralNumber() || n.asLong() < 60 || n.asLong() > 31_536_000) {
        throw invalid(
            where
                + ".refresh.everySeconds must be a whole number from 60 to 31536000, was "
                + n
                + "; for fresher data use \"refresh\": \"onSnapshot\", which rebuilds as soon"
                + " as an input table changes");
      }
      return new Extract(Extract.EVERY_SECONDS, null, n.asLong(), enabled.asBoolean(true), null);
    }
    throw invalid(
        where
            + ".refresh has unknown member '"
            + r.fieldNames().next()
            + "'; use {\"schedule\": \"<cron>\"} or {\"everySeconds\": N}");
  }

  private static RowLevelSecurity parseRls(String name, JsonNode r) {
    String where = "dataset '" + name + "': rowLevelSecurity";
    if (!r.isObject()) {
      throw invalid(where + " must be an object like {\"column\": \"region\", \"rules\": {…}}");
    }
    String column = r.path("column").asText("");
    if (column.isEmpty()) {
      throw invalid(where + ".column is required: the column whose value grants access");
    }
    Map<String, List<String>> rules = new LinkedHashMap<>();
    JsonNode rn = r.path("rules");
    if (!rn.isMissingNode() && !rn.isNull()) {
      if (!rn.isObject()) {
        throw invalid(where + ".rules must be an object of user: [values]");
      }
      rn.fields()
          .forEachRemaining(
              e -> {
                List<String> values = new ArrayList<>();
                JsonNode v = e.getValue();
                if (v.isValueNode() && !v.isNull()) {
                  values.add(v.asText());
                } else if (v.isArray()) {
                  for (JsonNode x : v) {
                    if (!x.isValueNode() || x.isNull()) {
                      throw invalid(where + ".rules." + e.getKey() + " must hold plain values");
                    }
                    values.add(x.asText());
                  }
                } else {
                  throw invalid(where + ".rules." + e.getKey() + " must be a value or an array");
                }
                rules.put(e.getKey(), values);
              });
    }
    String ruleTable = textOrNull(r, "ruleTable");
    if (ruleTable != null && !TABLE.matcher(ruleTable).matches()) {
      throw invalid(where + ".ruleTable '" + ruleTable + "' must be a name like database.table");
    }
    List<String> allowAll = new ArrayList<>();
    for (JsonNode u : r.path("allowAll")) {
      allowAll.add(u.asText());
    }
    String def = r.path("default").asText("deny");
    if (!def.equals("deny") && !def.equals("all")) {
      throw invalid(where + ".default must be \"deny\" (no rows) or \"all\", was '" + def + "'");
    }
    return new RowLevelSecurity(column, rules, ruleTable, allowAll, def.equals("all"));
  }

  /** The dataset as JSON (the form {@link #parse} reads, plus columns and timestamps). */
  public ObjectNode toJson() {
    ObjectNode n = Json.mapper().createObjectNode();
    n.put("name", name);
    if (description != null) {
      n.put("description", description);
    }
    if (table != null) {
      n.put("table", table);
    } else {
      n.put("sql", sql);
    }
    ArrayNode cf = n.putArray("calculatedFields");
    for (CalculatedField f : calculatedFields) {
      cf.addObject().put("name", f.name()).put("expression", f.expression());
    }
    if (rowLevelSecurity != null) {
      ObjectNode r = n.putObject("rowLevelSecurity");
      r.put("column", rowLevelSecurity.column());
      ObjectNode rules = r.putObject("rules");
      rowLevelSecurity.rules().forEach((u, vs) -> vs.forEach(rules.putArray(u)::add));
      if (rowLevelSecurity.ruleTable() != null) {
        r.put("ruleTable", rowLevelSecurity.ruleTable());
      }
      rowLevelSecurity.allowAll().forEach(r.putArray("allowAll")::add);
      r.put("default", rowLevelSecurity.defaultAll() ? "all" : "deny");
    }
    if (cache != null) {
      n.putObject("cache").put("maxAgeSeconds", cache.maxAgeSeconds());
    }
    if (extract != null) {
      ObjectNode e = n.putObject("extract");
      switch (extract.refresh()) {
        case Extract.SCHEDULE -> e.putObject("refresh").put("schedule", extract.schedule());
        case Extract.EVERY_SECONDS ->
            e.putObject("refresh").put("everySeconds", extract.everySeconds());
        default -> e.put("refresh", Extract.ON_SNAPSHOT);
      }
      e.put("enabled", extract.enabled());
      if (extract.status() != null) {
        e.setAll(extract.status().toJson());
      }
    }
    ArrayNode cols = n.putArray("columns");
    for (Column c : columns) {
      cols.addObject().put("name", c.name()).put("type", c.type());
    }
    if (created != null) {
      n.put("created", created.toString());
      n.put("updated", updated.toString());
    }
    return n;
  }

  /** The definition only (what is stored): no columns or timestamps. */
  ObjectNode definitionJson() {
    ObjectNode n = toJson();
    n.remove("columns");
    n.remove("created");
    n.remove("updated");
    if (n.get("extract") instanceof ObjectNode e) {
      e.remove(EXTRACT_STATE_MEMBERS);
    }
    return n;
  }

  private static String textOrNull(JsonNode in, String field) {
    JsonNode v = in.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      throw invalid("\"" + field + "\" must be a string, was " + v);
    }
    return v.textValue();
  }

  private static BasinException invalid(String message) {
    return new BasinException(DashboardErrorCode.INVALID_DATASET, message);
  }
}
