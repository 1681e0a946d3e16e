package dev.basin.dashboards;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.basin.common.json.Json;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;

/**
 * A visual's data: the rows of its one server-side query, shaped for charts.
 *
 * <p>JSON: {@code {"visualId", "type", "columns": [{"name", "type"}], "rows": [[…]], "rowCount",
 * "truncated", "rowLimit", "serverMillis", "sql", "cached"}}. Values are JSON numbers, strings
 * (dates and timestamps in ISO-8601), booleans or null.
 *
 * @param truncated true when the query had more than {@code rowLimit} rows and only the first were
 *     kept; narrow the visual with filters or a top-N
 * @param serverMillis the time the server spent building and running the query
 * @param cached true when the rows came from the dataset's result cache
 */
public record VisualData(
    String visualId,
    String type,
    List<ResultColumn> columns,
    List<List<Object>> rows,
    boolean truncated,
    int rowLimit,
    long serverMillis,
    String sql,
    boolean cached) {

  public VisualData {
    columns = List.copyOf(columns);
    rows = List.copyOf(rows);
  }

  /** A result column with the engine's type name. */
  public record ResultColumn(String name, String type) {}

  /** The data as JSON (see the type's description). */
  public ObjectNode toJson() {
    ObjectNode n = Json.mapper().createObjectNode();
    n.put("visualId", visualId);
    n.put("type", type);
    ArrayNode cols = n.putArray("columns");
    for (ResultColumn c : columns) {
      cols.addObject().put("name", c.name()).put("type", c.type());
    }
    ArrayNode rs = n.putArray("rows");
    for (List<Object> row : rows) {
      ArrayNode r = rs.addArray();
      for (Object v : row) {
        add(r, v);
      }
    }
    n.put("rowCount", rows.size());
    n.put("truncated", truncated);
    n.put("rowLimit", rowLimit);
    n.put("serverMillis", serverMillis);
    n.put("sql", sql);
    n.put("cached", cached);
    return n;
  }

  private static void add(ArrayNode r, Object v) {
    if (v == null) {
      r.addNull();
    } else if (v instanceof Integer i) {
      r.add(i);
    } else if (v instanceof Long l) {
      r.add(l);
    } else if (v instanceof Short s) {
      r.add(s.intValue());
    } else if (v instanceof Double d) {
      if (d.isNaN() || d.isInfinite()) {
        r.add(d.toString());
      } else {
        r.add(d);
      }
    } else if (v instanceof Float f) {
      r.add(f.doubleValue());
    } else if (v instanceof BigDecimal b) {
      r.add(b);
    } else if (v instanceof BigInteger b) {
      r.add(b);
    } else if (v instanceof Boolean b) {
      r.add(b);
    } else {
      r.add(v.toString());
    }
  }

  /**
   * The data as CSV (RFC 4180, header row first). Text cells starting with {@code = + - @} are
   * prefixed with {@code '} so that spreadsheets do not evaluate them as formulas.
   */
  public String toCsv() {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < columns.size(); i++) {
      b.append(i == 0 ? "" : ",").append(cell(columns.get(i).name(), true));
    }
    b.append("\r\n");
    for (List<Object> row : rows) {
      for (int i = 0; i < row.size(); i++) {
        Object v = row.get(i);
        b.append(i == 0 ? "" : ",");
        if (v != null) {
          b.append(cell(v.toString(), v instanceof String));
        }
      }
      b.append("\r\n");
    }
    return b.toString();
  }

  private static String cell(String s, boolean text) {
    if (text && !s.isEmpty() && "=+-@".indexOf(s.charAt(0)) >= 0) {
      s = "'" + s;
    }
    if (s.indexOf(',') >= 0
        || s.indexOf('"') >= 0
        || s.indexOf('\n') >= 0
        || s.indexOf('\r') >= 0) {
      return '"' + s.replace("\"", "\"\"") + '"';
    }
    return s;
  }
}
