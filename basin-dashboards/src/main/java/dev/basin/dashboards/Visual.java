package dev.basin.dashboards;

import com.fasterxml.jackson.databind.JsonNode;
import dev.basin.common.error.BasinException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A visual's spec: its type, dataset, field wells and query options. Presentation members ({@code
 * title}, {@code options} such as stacked/horizontal/format, {@code layout}) are kept as given.
 *
 * <p>JSON: {@code {"id", "type", "dataset", "title"?, "dimensions"?: [{"field", "granularity"?:
 * year|quarter|month|week|day, "alias"?}], "measures"?: [{"column", "aggregation"?:
 * sum|avg|min|max|count|count_distinct|median|percentile|none, "percentile"?: 0..1, "alias"?}],
 * "sort"?: [{"field", "direction"?: asc|desc}], "topN"?: {"n", "by"?, "other"?}, "filters"?:
 * [filter], "bins"?: {"field", "count"?} (histogram), "comparison"?: {"field", "period"} (kpi),
 * "drillDown"?: {"levels": [{"field", "granularity"?}]}, "options"?, "layout"?}}. A filter is
 * {@code {"field", "type": equals|in|range|dateRange|contains|topValues, "value"?, "values"?,
 * "min"?, "max"?, "from"?, "to"?, "n"?, "parameter"?, "exclude"?}}.
 */
public record Visual(
    String id,
    String type,
    String dataset,
    String title,
    List<Dimension> dimensions,
    List<Measure> measures,
    List<Sort> sort,
    TopN topN,
    List<Filter> filters,
    Bins bins,
    Comparison comparison,
    List<Dimension> drillLevels,
    JsonNode spec) {

  /** Every visual type the query builder knows. */
  public static final Set<String> TYPES =
      Set.of(
          "bar",
          "line",
          "area",
          "combo",
          "pie",
          "donut",
          "scatter",
          "bubble",
          "histogram",
          "boxplot",
          "heatmap",
          "table",
          "pivot",
          "kpi",
          "gauge");

  static final Set<String> GRANULARITIES =
      Set.of("year", "quarter", "month", "week", "day", "hour", "minute");
  static final Set<String> AGGREGATIONS =
      Set.of("sum", "avg", "min", "max", "count", "count_distinct", "median", "percentile", "none");
  static final Set<String> FILTER_TYPES =
      Set.of("equals", "in", "range", "dateRange", "contains", "topValues");

  public Visual {
    dimensions = List.copyOf(dimensions);
    measures = List.copyOf(measures);
    sort = List.copyOf(sort);
    filters = List.copyOf(filters);
    drillLevels = List.copyOf(drillLevels);
  }

  /** A grouping field, optionally truncated to a date granularity. */
  public record Dimension(String path, String field, String granularity, String alias) {
    String outputName() {
      if (alias != null) {
        return alias;
      }
      return granularity == null ? field : field + "_" + granularity;
    }
  }

  /** An aggregated column; {@code column} is null for {@code count} of rows. */
  public record Measure(
      String path, String column, String aggregation, double percentile, String alias) {
    String outputName() {
      if (alias != null) {
        return alias;
      }
      if (column == null) {
        return "count";
      }
      return aggregation.equals("none") ? column : aggregation + "_" + column;
    }
  }

  /** An ordering on an output column. */
  public record Sort(String path, String field, boolean descending) {}

  /** Keeps the top {@code n} values of the first dimension by the measure {@code by}. */
  public record TopN(String path, int n, String by, boolean other) {}

  /** A row filter; its value members are kept as JSON and bound as quoted literals. */
  public record Filter(String path, String field, String type, JsonNode spec) {}

  /** Histogram binning of a numeric field into {@code count} equal-width bins. */
  public record Bins(String path, String field, int count) {}

  /** KPI comparison: the latest {@code period} of {@code field} against the one before. */
  public record Comparison(String path, String field, String period) {}

  /**
   * Parses a visual spec.
   *
   * @param path the spec's location for error messages, e.g. {@code visuals[2]}
   * @throws BasinException INVALID_VISUAL naming the path of the member at fault
   */
  public static Visual parse(JsonNode v, String path) {
    if (v == null || !v.isObject()) {
      throw invalid(path + " must be an object like {\"id\": \"v1\", \"type\": \"bar\", …}");
    }
    String id = v.path("id").asText("");
    if (!id.matches("[A-Za-z0-9_-]{1,64}")) {
      throw invalid(path + ".id '" + id + "' must be 1-64 letters, digits, '_' or '-'");
    }
    String type = v.path("type").asText("");
    if (!TYPES.contains(type)) {
      throw invalid(
          path
              + ".type '"
              + type
              + "' is not a visual type; use one of "
              + new java.util.TreeSet<>(TYPES));
    }
    String dataset = v.path("dataset").asText("");
    if (dataset.isEmpty()) {
      throw invalid(path + ".dataset is required: the name of the dataset the visual shows");
    }
    List<Dimension> dims = new ArrayList<>();
    JsonNode dn = array(v, "dimensions", path);
    for (int i = 0; i < dn.size(); i++) {
      dims.add(dimension(dn.get(i), path + ".dimensions[" + i + "]"));
    }
    List<Measure> measures = new ArrayList<>();
    JsonNode mn = array(v, "measures", path);
    for (int i = 0; i < mn.size(); i++) {
      String p = path + ".measures[" + i + "]";
      JsonNode m = mn.get(i);
      if (!m.isObject()) {
        throw invalid(
            p + " must be an object like {\"column\": \"revenue\", \"aggregation\": \"sum\"}");
      }
      String col = m.hasNonNull("column") ? m.get("column").asText() : null;
      String agg =
          m.path("aggregation").asText(col == null ? "count" : "sum").toLowerCase(Locale.ROOT);
      if (!AGGREGATIONS.contains(agg)) {
        throw invalid(
            p
                + ".aggregation '"
                + agg
                + "' is unknown; use one of "
                + new java.util.TreeSet<>(AGGREGATIONS));
      }
      if (col == null && !agg.equals("count")) {
        throw invalid(p + ".column is required for aggregation '" + agg + "'");
      }
      double pct = m.path("percentile").asDouble(0.5);
      if (agg.equals("percentile") && (pct < 0 || pct > 1 || !m.has("percentile"))) {
        throw invalid(p + ".percentile must be a number between 0 and 1 (e.g. 0.9)");
      }
      measures.add(new Measure(p, col, agg, pct, alias(m, p)));
    }
    List<Sort> sorts = new ArrayList<>();
    JsonNode sn = array(v, "sort", path);
    for (int i = 0; i < sn.size(); i++) {
      String p = path + ".sort[" + i + "]";
      String dir = sn.get(i).path("direction").asText("asc").toLowerCase(Locale.ROOT);
      if (!dir.equals("asc") && !dir.equals("desc")) {
        throw invalid(p + ".direction must be asc or desc, was '" + dir + "'");
      }
      sorts.add(new Sort(p, required(sn.get(i), "field", p), dir.equals("desc")));
    }
    TopN top = null;
    if (v.hasNonNull("topN")) {
      JsonNode t = v.get("topN");
      int n = t.path("n").asInt(0);
      if (n < 1 || n > 10_000) {
        throw invalid(path + ".topN.n must be between 1 and 10000");
      }
      top =
          new TopN(
              path + ".topN",
              n,
              t.hasNonNull("by") ? t.get("by").asText() : null,
              t.path("other").asBoolean(false));
    }
    List<Filter> filters = new ArrayList<>();
    JsonNode fn = array(v, "filters", path);
    for (int i = 0; i < fn.size(); i++) {
      filters.add(filter(fn.get(i), path + ".filters[" + i + "]"));
    }
    Bins bins = null;
    if (v.hasNonNull("bins")) {
      JsonNode b = v.get("bins");
      int count = b.path("count").asInt(20);
      if (count < 1 || count > 1000) {
        throw invalid(path + ".bins.count must be between 1 and 1000");
      }
      bins = new Bins(path + ".bins", required(b, "field", path + ".bins"), count);
    }
    Comparison cmp = null;
    if (v.hasNonNull("comparison")) {
      JsonNode c = v.get("comparison");
      String period = c.path("period").asText("month");
      if (!GRANULARITIES.contains(period)) {
        throw invalid(
            path + ".comparison.period must be one of " + new java.util.TreeSet<>(GRANULARITIES));
      }
      cmp =
          new Comparison(path + ".comparison", required(c, "field", path + ".comparison"), period);
    }
    List<Dimension> levels = new ArrayList<>();
    if (v.hasNonNull("drillDown")) {
      JsonNode ln = v.get("drillDown").path("levels");
      if (!ln.isArray() || ln.size() < 2) {
        throw invalid(path + ".drillDown.levels must list at least two levels (e.g. year, month)");
      }
      for (int i = 0; i < ln.size(); i++) {
        levels.add(dimension(ln.get(i), path + ".drillDown.levels[" + i + "]"));
      }
    }
    Visual out =
        new Visual(
            id,
            type,
            dataset,
            v.path("title").asText(null),
            dims,
            measures,
            sorts,
            top,
            filters,
            bins,
            cmp,
            levels,
            v);
    out.checkShape(path);
    return out;
  }

  private void checkShape(String path) {
    int d = dimensions.size();
    int m = measures.size();
    switch (type) {
      case "pie":
      case "donut":
        need(d == 1 && m == 1, path, "a " + type + " needs exactly one dimension and one measure");
        break;
      case "heatmap":
        need(d == 2 && m == 1, path, "a heatmap needs two dimensions (x, y) and one measure");
        break;
      case "scatter":
        need(m == 2, path, "a scatter plot needs two measures (x, y)");
        break;
      case "bubble":
        need(m == 3, path, "a bubble chart needs three measures (x, y, size)");
        break;
      case "kpi":
      case "gauge":
        need(d == 0 && m == 1, path, "a " + type + " needs exactly one measure and no dimensions");
        break;
      case "histogram":
        need(bins != null, path, "a histogram needs \"bins\": {\"field\": …, \"count\": 20}");
        break;
      case "boxplot":
        need(m == 1, path, "a box plot needs one measure (the column whose distribution it shows)");
        break;
      case "table":
      case "pivot":
        need(d + m > 0, path, "a " + type + " needs at least one dimension or measure");
        break;
      default:
        need(
            d >= 1 && m >= 1,
            path,
            "a " + type + " chart needs at least one dimension and one measure");
    }
    if (comparison != null && !type.equals("kpi")) {
      throw invalid(path + ".comparison applies to kpi visuals only");
    }
    boolean raw = measures.stream().anyMatch(x -> x.aggregation().equals("none"));
    if (raw && !measures.stream().allMatch(x -> x.aggregation().equals("none"))) {
      throw invalid(
          path + ".measures: mix of aggregation 'none' and aggregated measures; use one kind");
    }
    if (raw && !(type.equals("scatter") || type.equals("bubble") || type.equals("table"))) {
      throw invalid(
          path + ".measures: aggregation 'none' is only for scatter, bubble and table visuals");
    }
  }

  private static Dimension dimension(JsonNode d, String p) {
    if (d.isTextual()) {
      return new Dimension(p, d.asText(), null, null);
    }
    String g =
        d.hasNonNull("granularity") ? d.get("granularity").asText().toLowerCase(Locale.ROOT) : null;
    if (g != null && !GRANULARITIES.contains(g)) {
      throw invalid(
          p
              + ".granularity '"
              + g
              + "' is unknown; use one of "
              + new java.util.TreeSet<>(GRANULARITIES));
    }
    return new Dimension(p, required(d, "field", p), g, alias(d, p));
  }

  private static Filter filter(JsonNode f, String p) {
    if (f == null || !f.isObject()) {
      throw invalid(
          p
              + " must be an object like {\"field\": \"region\", \"type\": \"equals\", \"value\": \"EU\"}");
    }
    String type = f.path("type").asText("equals");
    if (!FILTER_TYPES.contains(type)) {
      throw invalid(
          p
              + ".type '"
              + type
              + "' is unknown; use one of "
              + new java.util.TreeSet<>(FILTER_TYPES));
    }
    return new Filter(p, required(f, "field", p), type, f);
  }

  static Filter parseFilter(JsonNode f, String p) {
    return filter(f, p);
  }

  private static String alias(JsonNode n, String p) {
    if (!n.hasNonNull("alias")) {
      return null;
    }
    String a = n.get("alias").asText();
    if (a.isEmpty() || a.length() > 128) {
      throw invalid(p + ".alias must be 1-128 characters");
    }
    return a;
  }

  private static JsonNode array(JsonNode v, String field, String path) {
    JsonNode n = v.path(field);
    if (n.isMissingNode() || n.isNull()) {
      return com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode();
    }
    if (!n.isArray()) {
      throw invalid(path + "." + field + " must be an array");
    }
    return n;
  }

  private static String required(JsonNode n, String field, String p) {
    JsonNode v = n.path(field);
    if (!v.isTextual() || v.asText().isEmpty()) {
      throw invalid(p + "." + field + " is required (a column name)");
    }
    return v.asText();
  }

  private static void need(boolean ok, String path, String message) {
    if (!ok) {
      throw invalid(path + ": " + message);
    }
  }

  static BasinException invalid(String message) {
    return new BasinException(DashboardErrorCode.INVALID_VISUAL, message);
  }

  /** The names of the columns in the visual's result, for sort and top-N references. */
  List<String> outputNames() {
    List<String> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (Dimension d : dimensions) {
      if (seen.add(d.outputName())) {
        out.add(d.outputName());
      }
    }
    for (Measure m : measures) {
      if (seen.add(m.outputName())) {
        out.add(m.outputName());
      }
    }
    return out;
  }
}
