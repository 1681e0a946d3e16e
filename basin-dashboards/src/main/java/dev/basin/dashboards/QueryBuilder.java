package dev.basin.dashboards;

import com.fasterxml.jackson.databind.JsonNode;
import dev.basin.common.error.BasinException;
import dev.basin.common.text.EditDistance;
import dev.basin.dashboards.Visual.Dimension;
import dev.basin.dashboards.Visual.Filter;
import dev.basin.dashboards.Visual.Measure;
import dev.basin.dashboards.Visual.Sort;
import dev.basin.sql.Sql;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns a dataset and a visual spec into ONE SQL query that returns exactly the rows the visual
 * draws. Every identifier is double-quoted and every user-supplied value is written as a quoted
 * literal (strings via {@link Sql#quoteString}, numbers from their parsed JSON form), so filter
 * values cannot change the statement's structure. Row-level security is applied innermost, before
 * calculated-field consumers, filters and aggregation, so no filter can widen it.
 *
 * <p>Stateless and thread-safe.
 */
final class QueryBuilder {

  private QueryBuilder() {}

  /** The visual's state in a request: extra filters, parameter values and drill position. */
  record Request(
      List<Filter> filters,
      Map<String, JsonNode> parameters,
      int drillLevel,
      List<JsonNode> drillPath) {
    static Request empty() {
      return new Request(List.of(), Map.of(), 0, List.of());
    }
  }

  /** The dataset's rows as the user may see them: source, calculated fields, then RLS. */
  static String datasetSql(Dataset ds, String user) {
    String base = ds.table() != null ? "SELECT * FROM " + ds.table() : ds.sql().strip();
    if (base.endsWith(";")) {
      base = base.substring(0, base.length() - 1);
    }
    String sql = base;
    if (!ds.calculatedFields().isEmpty()) {
      StringBuilder b = new StringBuilder("SELECT *");
      for (Dataset.CalculatedField f : ds.calculatedFields()) {
        b.append(", (").append(f.expression()).append(") AS ").append(Sql.quoteIdent(f.name()));
      }
      sql = b.append(" FROM (").append(base).append("\n) AS _src").toString();
    }
    Dataset.RowLevelSecurity rls = ds.rowLevelSecurity();
    if (rls != null && user != null) {
      sql = "SELECT * FROM (" + sql + "\n) AS _rls WHERE " + rlsPredicate(rls, user);
    }
    return sql;
  }

  private static String rlsPredicate(Dataset.RowLevelSecurity rls, String user) {
    if (rls.allowAll().contains(user)) {
      return "TRUE";
    }
    String col = Sql.quoteIdent(rls.column());
    List<String> grants = new ArrayList<>();
    List<String> values = rls.rules().get(user);
    if (values != null && !values.isEmpty()) {
      grants.add(
          col + " IN (" + String.join(", ", values.stream().map(Sql::quoteString).toList()) + ")");
    }
    if (rls.ruleTable() != null) {
      grants.add(
          "CAST("
              + col
              + " AS VARCHAR) IN (SELECT CAST(\"value\" AS VARCHAR) FROM "
              + rls.ruleTable()
              + " WHERE \"user_name\" = "
              + Sql.quoteString(user)
              + ")");
    }
    if (grants.isEmpty()) {
      return rls.defaultAll() && values == null ? "TRUE" : "FALSE";
    }
    if (rls.defaultAll() && values == null && rls.ruleTable() != null) {
      // Users absent from the rule table see everything under default "all".
      grants.add(
          "NOT EXISTS (SELECT 1 FROM "
              + rls.ruleTable()
              + " WHERE \"user_name\" = "
              + Sql.quoteString(user)
              + ")");
    }
    return "(" + String.join(" OR ", grants) + ")";
  }

  /**
   * Builds the visual's query.
   *
   * @param limit the most rows the caller reads; the query returns at most {@code limit + 1} so
   *     that truncation can be detected
   * @throws BasinException INVALID_VISUAL naming the visual and the field at fault
   */
  static String build(Dataset ds, Visual v, Request req, String user, int limit) {
    String from = "(" + datasetSql(ds, user) + "\n) AS _d";
    List<Dimension> dims = new ArrayList<>(v.dimensions());
    List<String> where = new ArrayList<>();
    if (req.drillLevel() < 0) {
      throw new BasinException(
          DashboardErrorCode.INVALID_REQUEST,
          "visual '" + v.id() + "': drill level must be 0 or more, was " + req.drillLevel());
    }
    if (req.drillLevel() > 0 || !req.drillPath().isEmpty()) {
      if (v.drillLevels().isEmpty()) {
        throw new BasinException(
            DashboardErrorCode.INVALID_REQUEST,
            "visual '" + v.id() + "' has no drillDown levels; remove \"drill\" from the request");
      }
      if (req.drillLevel() >= v.drillLevels().size()
          || req.drillPath().size() != req.drillLevel()) {
        throw new BasinException(
            DashboardErrorCode.INVALID_REQUEST,
            "visual '"
                + v.id()
                + "': drill level must be 0-"
                + (v.drillLevels().size() - 1)
                + " with one path value per level above it");
      }
    }
    if (!v.drillLevels().isEmpty()) {
      Dimension level = v.drillLevels().get(req.drillLevel());
      if (dims.isEmpty()) {
        dims.add(level);
      } else {
        dims.set(0, level);
      }
      for (int i = 0; i < req.drillLevel(); i++) {
        Dimension up = v.drillLevels().get(i);
        where.add(
            dimExpr(ds, v, up)
                + " IS NOT DISTINCT FROM "
                + literal(req.drillPath().get(i), v.id()));
      }
    }
    for (Filter f : v.filters()) {
      addFilter(ds, v, f, req.parameters(), user, where);
    }
    for (Filter f : req.filters()) {
      addFilter(ds, v, f, req.parameters(), user, where);
    }
    String whereSql = where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where);
    switch (v.type()) {
      case "histogram":
        return histogram(ds, v, from, whereSql, limit);
      case "boxplot":
        return boxplot(ds, v, dims, from, whereSql, limit);
      case "kpi":
        if (v.comparison() != null) {
          return kpiComparison(ds, v, from, whereSql);
        }
        return grouped(ds, v, dims, from, whereSql, limit);
      default:
        return grouped(ds, v, dims, from, whereSql, limit);
    }
  }

  private static String grouped(
      Dataset ds, Visual v, List<Dimension> dims, String from, String whereSql, int limit) {
    List<String> select = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (Dimension d : dims) {
      select.add(dimExpr(ds, v, d) + " AS " + Sql.quoteIdent(d.outputName()));
      names.add(d.outputName());
    }
    boolean aggregated = false;
    for (Measure m : v.measures()) {
      select.add(measureExpr(ds, v, m, null) + " AS " + Sql.quoteIdent(m.outputName()));
      names.add(m.outputName());
      aggregated |= !m.aggregation().equals("none");
    }
    StringBuilder sql = new StringBuilder("SELECT ").append(String.join(", ", select));
    sql.append(" FROM ").append(from).append(whereSql);
    if (aggregated && !dims.isEmpty()) {
      sql.append(" GROUP BY ");
      for (int i = 0; i < dims.size(); i++) {
        sql.append(i == 0 ? "" : ", ").append(i + 1);
      }
    }
    String inner = sql.toString();
    String order = orderBy(v, dims, names, aggregated);
    if (v.topN() != null) {
      return topN(v, dims, names, inner, order, limit);
    }
    return "SELECT * FROM (" + inner + ") AS _g" + order + " LIMIT " + (limit + 1);
  }

  private static String orderBy(Visual v, List<Dimension> dims, List<String> names, boolean agg) {
    List<String> parts = new ArrayList<>();
    for (Sort s : v.sort()) {
      String n = outputName(v, names, s.field(), s.path() + ".field");
      parts.add(Sql.quoteIdent(n) + (s.descending() ? " DESC" : " ASC") + " NULLS LAST");
    }
    if (parts.isEmpty() && v.topN() != null) {
      parts.add(Sql.quoteIdent(topBy(v, names)) + " DESC NULLS LAST");
    }
    if (parts.isEmpty() && agg) {
      for (Dimension d : dims) {
        parts.add(Sql.quoteIdent(d.outputName()) + " ASC NULLS LAST");
      }
    }
    return parts.isEmpty() ? "" : " ORDER BY " + String.join(", ", parts);
  }

  private static String topBy(Visual v, List<String> names) {
    if (v.measures().isEmpty()) {
      throw Visual.invalid(v.topN().path() + ": top-N needs a measure to rank by");
    }
    if (v.topN().by() == null) {
      return v.measures().get(0).outputName();
    }
    return outputName(v, names, v.topN().by(), v.topN().path() + ".by");
  }

  private static String topN(
      Visual v, List<Dimension> dims, List<String> names, String inner, String order, int limit) {
    if (dims.isEmpty()) {
      throw Visual.invalid(v.topN().path() + ": top-N needs a dimension to rank");
    }
    String key = Sql.quoteIdent(dims.get(0).outputName());
    String by = Sql.quoteIdent(topBy(v, names));
    String top =
        "SELECT "
            + key
            + " AS _k FROM _g GROUP BY 1 ORDER BY sum("
            + by
            + ") DESC NULLS LAST, 1 LIMIT "
            + v.topN().n();
    String inTop = "EXISTS (SELECT 1 FROM _t WHERE _t._k IS NOT DISTINCT FROM _g." + key + ")";
    String with = "WITH _g AS (" + inner + "), _t AS (" + top + ") ";
    if (!v.topN().other()) {
      return with + "SELECT * FROM _g WHERE " + inTop + order + " LIMIT " + (limit + 1);
    }
    for (Measure m : v.measures()) {
      if (!m.aggregation().equals("sum") && !m.aggregation().equals("count")) {
        throw Visual.invalid(
            m.path()
                + ": top-N with \"other\" adds up the remaining values, so every measure must use"
                + " sum or count (was '"
                + m.aggregation()
                + "'); set \"other\": false");
      }
    }
    List<String> select = new ArrayList<>();
    select.add(
        "CASE WHEN " + inTop + " THEN CAST(_g." + key + " AS VARCHAR) ELSE 'Other' END AS " + key);
    for (int i = 1; i < dims.size(); i++) {
      select.add("_g." + Sql.quoteIdent(dims.get(i).outputName()));
    }
    for (Measure m : v.measures()) {
      String q = Sql.quoteIdent(m.outputName());
      select.add("sum(_g." + q + ") AS " + q);
    }
    StringBuilder group = new StringBuilder();
    for (int i = 0; i < dims.size(); i++) {
      group.append(i == 0 ? "" : ", ").append(i + 1);
    }
    String o = order.isEmpty() ? "" : order.replace(" ORDER BY ", ", ");
    return with
        + "SELECT * FROM (SELECT "
        + String.join(", ", select)
        + " FROM _g GROUP BY "
        + group
        + ") AS _o ORDER BY ("
        + key
        + " = 'Other')"
        + o
        + " LIMIT "
        + (limit + 1);
  }

  private static String histogram(Dataset ds, Visual v, String from, String whereSql, int limit) {
    Dataset.Column c = column(ds, v, v.bins().field(), v.bins().path() + ".field");
    if (!c.numeric()) {
      throw Visual.invalid(
          v.bins().path()
              + ".field '"
              + c.name()
              + "' is "
              + c.type()
              + "; a histogram bins a numeric column");
    }
    String col = Sql.quoteIdent(c.name());
    int k = v.bins().count();
    String cond = (whereSql.isEmpty() ? " WHERE " : whereSql + " AND ") + col + " IS NOT NULL";
    return "WITH _v AS (SELECT CAST("
        + col
        + " AS DOUBLE) AS v FROM "
        + from
        + cond
        + "), _r AS (SELECT min(v) AS lo, max(v) AS hi, count(*) AS n FROM _v), "
        + "_b AS (SELECT CASE WHEN hi > lo THEN least(CAST(floor((v - lo) / ((hi - lo) / "
        + k
        + ")) AS BIGINT), "
        + (k - 1)
        + ") ELSE 0 END AS bin FROM _v, _r) "
        + "SELECT t.i AS bin, _r.lo + (_r.hi - _r.lo) / "
        + k
        + " * t.i AS bin_start, _r.lo + (_r.hi - _r.lo) / "
        + k
        + " * (t.i + 1) AS bin_end, count(_b.bin) AS count FROM _r CROSS JOIN range(0, "
        + k
        + ") AS t(i) LEFT JOIN _b ON _b.bin = t.i WHERE _r.n > 0 GROUP BY t.i, _r.lo, _r.hi"
        + " ORDER BY t.i LIMIT "
        + (limit + 1);
  }

  private static String boxplot(
      Dataset ds, Visual v, List<Dimension> dims, String from, String whereSql, int limit) {
    Measure m = v.measures().get(0);
    Dataset.Column c = column(ds, v, m.column(), m.path() + ".column");
    if (!c.numeric()) {
      throw Visual.invalid(
          m.path()
              + ".column '"
              + c.name()
              + "' is "
              + c.type()
              + "; a box plot needs a numeric column");
    }
    List<String> sel = new ArrayList<>();
    List<String> keys = new ArrayList<>();
    for (Dimension d : dims) {
      sel.add(dimExpr(ds, v, d) + " AS " + Sql.quoteIdent(d.outputName()));
      keys.add(Sql.quoteIdent(d.outputName()));
    }
    sel.add("CAST(" + Sql.quoteIdent(c.name()) + " AS DOUBLE) AS _v");
    String cond =
        (whereSql.isEmpty() ? " WHERE " : whereSql + " AND ")
            + Sql.quoteIdent(c.name())
            + " IS NOT NULL";
    String k = keys.isEmpty() ? "" : String.join(", ", keys) + ", ";
    String group = keys.isEmpty() ? "" : " GROUP BY " + String.join(", ", keys);
    String stats =
        "SELECT "
            + k
            + "min(_v) AS \"min\", quantile_cont(_v, 0.25) AS q1, median(_v) AS median,"
            + " quantile_cont(_v, 0.75) AS q3, max(_v) AS \"max\", count(*) AS \"count\" FROM (SELECT "
            + String.join(", ", sel)
            + " FROM "
            + from
            + cond
            + ") AS _x"
            + group;
    String order = keys.isEmpty() ? "" : " ORDER BY " + String.join(", ", keys);
    return "SELECT *, greatest(\"min\", q1 - 1.5 * (q3 - q1)) AS whisker_low,"
        + " least(\"max\", q3 + 1.5 * (q3 - q1)) AS whisker_high FROM ("
        + stats
        + ") AS _s"
        + order
        + " LIMIT "
        + (limit + 1);
  }

  private static String kpiComparison(Dataset ds, Visual v, String from, String whereSql) {
    Visual.Comparison cmp = v.comparison();
    Dataset.Column c = column(ds, v, cmp.field(), cmp.path() + ".field");
    if (!c.temporal()) {
      throw Visual.invalid(
          cmp.path()
              + ".field '"
              + c.name()
              + "' is "
              + c.type()
              + "; the comparison needs a date or timestamp column");
    }
    String t = "date_trunc('" + cmp.period() + "', " + Sql.quoteIdent(c.name()) + ")";
    String previous = "_p.cur - " + interval(cmp.period());
    Measure m = v.measures().get(0);
    String name = Sql.quoteIdent(m.outputName());
    String cur = measureExpr(ds, v, m, t + " = _p.cur");
    String prev = measureExpr(ds, v, m, t + " = " + previous);
    return "WITH _f AS (SELECT * FROM "
        + from
        + whereSql
        + "), _p AS (SELECT "
        + "date_trunc('"
        + cmp.period()
        + "', max("
        + Sql.quoteIdent(c.name())
        + ")) AS cur FROM _f) SELECT period, "
        + name
        + ", previous, "
        + name
        + " - previous AS change, CAST("
        + name
        + " - previous AS DOUBLE) / nullif(previous, 0) AS change_ratio FROM (SELECT _p.cur AS period, "
        + cur
        + " AS "
        + name
        + ", "
        + prev
        + " AS previous FROM _f, _p GROUP BY _p.cur) AS _k";
  }

  private static String interval(String period) {
    switch (period) {
      case "year":
        return "INTERVAL 1 YEAR";
      case "quarter":
        return "INTERVAL 3 MONTH";
      case "month":
        return "INTERVAL 1 MONTH";
      case "week":
        return "INTERVAL 7 DAY";
      case "hour":
        return "INTERVAL 1 HOUR";
      case "minute":
        return "INTERVAL 1 MINUTE";
      default:
        return "INTERVAL 1 DAY";
    }
  }

  private static String dimExpr(Dataset ds, Visual v, Dimension d) {
    Dataset.Column c = column(ds, v, d.field(), d.path() + ".field");
    String col = Sql.quoteIdent(c.name());
    if (d.granularity() == null) {
      return col;
    }
    if (!c.temporal()) {
      throw Visual.invalid(
          d.path()
              + ".granularity: '"
              + c.name()
              + "' is "
              + c.type()
              + ", not a date or timestamp");
    }
    return "date_trunc('" + d.granularity() + "', " + col + ")";
  }

  private static String measureExpr(Dataset ds, Visual v, Measure m, String filter) {
    String f = filter == null ? "" : " FILTER (WHERE " + filter + ")";
    if (m.column() == null) {
      return "count(*)" + f;
    }
    String col = Sql.quoteIdent(column(ds, v, m.column(), m.path() + ".column").name());
    switch (m.aggregation()) {
      case "none":
        return col;
      case "count_distinct":
        return "count(DISTINCT " + col + ")" + f;
      case "percentile":
        return "quantile_cont(" + col + ", " + m.percentile() + ")" + f;
      default:
        return m.aggregation() + "(" + col + ")" + f;
    }
  }

  private static void addFilter(
      Dataset ds,
      Visual v,
      Filter f,
      Map<String, JsonNode> params,
      String user,
      List<String> where) {
    Dataset.Column c = column(ds, v, f.field(), f.path() + ".field");
    String col = Sql.quoteIdent(c.name());
    JsonNode spec = f.spec();
    String param = spec.hasNonNull("parameter") ? spec.get("parameter").asText() : null;
    JsonNode pv = null;
    if (param != null) {
      if (!params.containsKey(param)) {
        return; // no value chosen for the parameter: the filter does not restrict
      }
      pv = params.get(param);
      if (pv == null || pv.isNull() || (pv.isArray() && pv.isEmpty())) {
        return;
      }
    }
    String id = v.id();
    String pred;
    switch (f.type()) {
      case "equals":
        {
          JsonNode val = pv != null ? pv : spec.get("value");
          pred = val == null || val.isNull() ? col + " IS NULL" : col + " = " + literal(val, id);
          break;
        }
      case "in":
        {
          JsonNode vals = pv != null ? pv : spec.path("values");
          List<String> lits = new ArrayList<>();
          if (vals.isArray()) {
            for (JsonNode x : vals) {
              lits.add(literal(x, id));
            }
          } else if (!vals.isMissingNode()) {
            lits.add(literal(vals, id));
          }
          if (lits.isEmpty()) {
            return; // nothing selected in a multi-select means no restriction
          }
          pred = col + " IN (" + String.join(", ", lits) + ")";
          break;
        }
      case "range":
      case "dateRange":
        {
          boolean date = f.type().equals("dateRange");
          JsonNode lo = bound(pv, spec, date ? "from" : "min", 0);
          JsonNode hi = bound(pv, spec, date ? "to" : "max", 1);
          String e = date ? "CAST(" + col + " AS DATE)" : col;
          List<String> parts = new ArrayList<>();
          if (lo != null && !lo.isNull()) {
            parts.add(
                e + " >= " + (date ? "CAST(" + literal(lo, id) + " AS DATE)" : literal(lo, id)));
          }
          if (hi != null && !hi.isNull()) {
            parts.add(
                e + " <= " + (date ? "CAST(" + literal(hi, id) + " AS DATE)" : literal(hi, id)));
          }
          if (parts.isEmpty()) {
            return;
          }
          pred = String.join(" AND ", parts);
          break;
        }
      case "contains":
        {
          JsonNode val = pv != null ? pv : spec.get("value");
          if (val == null || val.isNull() || val.asText().isEmpty()) {
            return;
          }
          pred = "contains(lower(CAST(" + col + " AS VARCHAR)), lower(" + literal(val, id) + "))";
          break;
        }
      default:
        {
          int n = pv != null ? pv.asInt(0) : spec.path("n").asInt(0);
          if (n < 1 || n > 10_000) {
            throw Visual.invalid(
                f.path() + ".n must be between 1 and 10000 for a topValues filter");
          }
          pred =
              col
                  + " IN (SELECT "
                  + col
                  + " FROM ("
                  + datasetSql(ds, user)
                  + "\n) AS _tv GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT "
                  + n
                  + ")";
        }
    }
    boolean exclude = spec.path("exclude").asBoolean(false);
    where.add(exclude ? "NOT coalesce((" + pred + "), FALSE)" : "(" + pred + ")");
  }

  private static JsonNode bound(JsonNode pv, JsonNode spec, String name, int index) {
    if (pv == null) {
      return spec.get(name);
    }
    if (pv.isArray()) {
      return pv.get(index);
    }
    if (pv.isObject()) {
      return pv.get(name);
    }
    return index == 0 ? pv : null;
  }

  /** A JSON value as a SQL literal; strings are quoted, numbers written from their parsed form. */
  static String literal(JsonNode v, String visualId) {
    if (v == null || v.isNull()) {
      return "NULL";
    }
    if (v.isTextual()) {
      return Sql.quoteString(v.textValue());
    }
    if (v.isIntegralNumber()) {
      return v.bigIntegerValue().toString();
    }
    if (v.isNumber()) {
      if (v.isFloatingPointNumber() && !Double.isFinite(v.doubleValue())) {
        throw new BasinException(
            DashboardErrorCode.INVALID_REQUEST,
            "visual '" + visualId + "': the filter value " + v + " is out of range");
      }
      return v.decimalValue().toPlainString();
    }
    if (v.isBoolean()) {
      return v.booleanValue() ? "TRUE" : "FALSE";
    }
    throw new BasinException(
        DashboardErrorCode.INVALID_REQUEST,
        "visual '" + visualId + "': filter values must be strings, numbers or booleans, was " + v);
  }

  private static String outputName(Visual v, List<String> names, String field, String path) {
    for (String n : names) {
      if (n.equals(field)) {
        return n;
      }
    }
    for (String n : names) {
      if (n.equalsIgnoreCase(field)) {
        return n;
      }
    }
    throw Visual.invalid(
        "visual '"
            + v.id()
            + "': "
            + path
            + " '"
            + field
            + "' is not a column of the visual's result"
            + suggestion(field, names));
  }

  /** The dataset column for a field reference, or an error naming the visual, path and field. */
  static Dataset.Column column(Dataset ds, Visual v, String field, String path) {
    return ds.column(field)
        .orElseThrow(
            () ->
                Visual.invalid(
                    path
                        + " '"
                        + field
                        + "' is not in dataset '"
                        + ds.name()
                        + "'"
                        + suggestion(
                            field, ds.columns().stream().map(Dataset.Column::name).toList())
                        + " (visual '"
                        + v.id()
                        + "')"));
  }

  static String suggestion(String field, List<String> candidates) {
    String best = null;
    int bestD = Integer.MAX_VALUE;
    String f = field.toLowerCase(Locale.ROOT);
    for (String c : candidates) {
      String l = c.toLowerCase(Locale.ROOT);
      // An output name such as sum_revenue for "revenue" counts as a close match.
      int d = l.endsWith("_" + f) || l.startsWith(f + "_") ? 1 : EditDistance.between(f, l);
      if (d < bestD) {
        bestD = d;
        best = c;
      }
    }
    if (best != null && bestD <= Math.max(2, field.length() / 3)) {
      return " (did you mean '" + best + "'?)";
    }
    return candidates.isEmpty() ? "" : "; its columns are " + candidates;
  }
}
