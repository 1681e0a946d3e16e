package dev.basin.dashboards;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.basin.common.json.Json;
import dev.basin.sql.Sql;
import java.time.LocalDate;
import java.time.format.TextStyle;
import java.util.List;
import java.util.Locale;

/**
 * Anomaly flags, a forecast band and a one-line narrative for a time series, all computed in SQL on
 * the server.
 *
 * <p>Method (seasonal naive with empirical residual quantiles): with season length {@code m} (12
 * for months, 4 for quarters, 7 for days, 52 for weeks, 24 for hours, 1 for years — and 1 when the
 * series has fewer than {@code 2m + 1} points), the prediction for period {@code i} is the value at
 * {@code i − m}. The residuals {@code y − prediction} give the band: p10/p50/p90 are the prediction
 * plus the residuals' 10th/50th/90th percentiles. A point is an anomaly when its residual lies
 * outside Tukey's fences (1.5 IQR beyond the residuals' quartiles; needs at least 4 residuals).
 * Future periods repeat the last season plus the same residual quantiles.
 *
 * <p>JSON: {@code {"visualId", "method", "season", "points": [{"period", "actual", "p10", "p50",
 * "p90", "anomaly"}], "forecast": [{"period", "p10", "p50", "p90"}], "narrative", "truncated",
 * "serverMillis"}}.
 */
public record Insights(
    String visualId,
    int season,
    List<Point> points,
    List<Point> forecast,
    String narrative,
    boolean truncated,
    long serverMillis) {

  public Insights {
    points = List.copyOf(points);
    forecast = List.copyOf(forecast);
  }

  /** One period: its actual value (null in the forecast) and band. */
  public record Point(
      String period, Double actual, Double p10, Double p50, Double p90, boolean anomaly) {}

  /** The insights as JSON (see the type's description). */
  public ObjectNode toJson() {
    ObjectNode n = Json.mapper().createObjectNode();
    n.put("visualId", visualId);
    n.put("method", "seasonal-naive with residual quantiles");
    n.put("season", season);
    ArrayNode ps = n.putArray("points");
    for (Point p : points) {
      ObjectNode o = ps.addObject();
      o.put("period", p.period());
      o.put("actual", p.actual());
      o.put("p10", p.p10());
      o.put("p50", p.p50());
      o.put("p90", p.p90());
      o.put("anomaly", p.anomaly());
    }
    ArrayNode fs = n.putArray("forecast");
    for (Point p : forecast) {
      fs.addObject()
          .put("period", p.period())
          .put("p10", p.p10())
          .put("p50", p.p50())
          .put("p90", p.p90());
    }
    n.put("narrative", narrative);
    n.put("truncated", truncated);
    n.put("serverMillis", serverMillis);
    return n;
  }

  static int seasonOf(String granularity) {
    switch (granularity) {
      case "quarter":
        return 4;
      case "month":
        return 12;
      case "week":
        return 52;
      case "day":
        return 7;
      case "hour":
        return 24;
      case "minute":
        return 60;
      default:
        return 1;
    }
  }

  private static String step(String granularity) {
    switch (granularity) {
      case "year":
        return "to_years(CAST(r.k AS INTEGER))";
      case "quarter":
        return "to_months(CAST(3 * r.k AS INTEGER))";
      case "month":
        return "to_months(CAST(r.k AS INTEGER))";
      case "week":
        return "to_days(CAST(7 * r.k AS INTEGER))";
      case "hour":
        return "to_hours(r.k)";
      case "minute":
        return "to_minutes(r.k)";
      default:
        return "to_days(CAST(r.k AS INTEGER))";
    }
  }

  /** The query over a visual's query {@code visualSql}: history rows then forecast rows. */
  static String sql(String visualSql, String period, String measure, String granularity, int h) {
    int season = seasonOf(granularity);
    String fmt =
        granularity.equals("hour") || granularity.equals("minute")
            ? "'%Y-%m-%dT%H:%M:%S'"
            : "'%Y-%m-%d'";
    return "WITH s AS (SELECT t, y, row_number() OVER (ORDER BY t) AS i FROM (SELECT CAST("
        + Sql.quoteIdent(period)
        + " AS TIMESTAMP) AS t, CAST("
        + Sql.quoteIdent(measure)
        + " AS DOUBLE) AS y FROM ("
        + visualSql
        + ") AS _v WHERE "
        + Sql.quoteIdent(period)
        + " IS NOT NULL) AS _s), "
        + "n AS (SELECT count(*) AS n, max(t) AS lt FROM s), "
        + "m AS (SELECT CASE WHEN n.n >= "
        + (2 * season + 1)
        + " THEN "
        + season
        + " ELSE 1 END AS m FROM n), "
        + "f AS (SELECT s.i, s.t, s.y, b.y AS base FROM s CROSS JOIN m"
        + " LEFT JOIN s AS b ON b.i = s.i - m.m), "
        + "q AS (SELECT quantile_cont(y - base, 0.1) AS q10, quantile_cont(y - base, 0.5) AS q50,"
        + " quantile_cont(y - base, 0.9) AS q90, quantile_cont(y - base, 0.25) AS q25,"
        + " quantile_cont(y - base, 0.75) AS q75, count(base) AS nr FROM f WHERE base IS NOT NULL) "
        + "SELECT FALSE AS future, strftime(f.t, "
        + fmt
        + ") AS period, f.y AS actual, f.base + q.q10 AS p10, f.base + q.q50 AS p50,"
        + " f.base + q.q90 AS p90, coalesce(q.nr >= 4 AND (f.y - f.base < q.q25 - 1.5 * (q.q75 -"
        + " q.q25) OR f.y - f.base > q.q75 + 1.5 * (q.q75 - q.q25)), FALSE) AS anomaly,"
        + " m.m AS season, f.i AS ord FROM f, q, m "
        + "UNION ALL SELECT TRUE, strftime(n.lt + "
        + step(granularity)
        + ", "
        + fmt
        + "), NULL, b.y + q.q10, b.y + q.q50, b.y + q.q90, FALSE, m.m, n.n + r.k"
        + " FROM n, m, q, range(1, "
        + (h + 1)
        + ") AS r(k), s AS b WHERE q.nr >= 2"
        + " AND b.i = n.n + r.k - m.m * CAST(ceil(r.k / m.m) AS BIGINT) ORDER BY ord";
  }

  /** "Revenue in March 2024 was 23% above the forecast", or why there is no forecast. */
  static String narrative(String measure, String granularity, List<Point> points) {
    String label = measure.replace('_', ' ');
    label = label.isEmpty() ? label : Character.toUpperCase(label.charAt(0)) + label.substring(1);
    Point last = null;
    long anomalies = points.stream().filter(Point::anomaly).count();
    for (Point p : points) {
      if (p.actual() != null && p.p50() != null) {
        last = p;
      }
    }
    if (last == null) {
      return label + ": not enough history for a forecast (at least 3 periods are needed).";
    }
    String when = periodLabel(last.period(), granularity);
    double diff = last.actual() - last.p50();
    StringBuilder b = new StringBuilder(label).append(" in ").append(when).append(" was ");
    if (last.p50() == 0 || Math.abs(diff) < 1e-9 * Math.max(1, Math.abs(last.p50()))) {
      b.append(
          last.p50() == 0 && diff != 0
              ? String.format(Locale.ROOT, "%.4g", diff) + " off"
              : "in line with");
      b.append(" the forecast");
    } else {
      long pct = Math.round(Math.abs(diff) / Math.abs(last.p50()) * 100);
      b.append(pct).append("% ").append(diff > 0 ? "above" : "below").append(" the forecast");
    }
    if (last.anomaly()) {
      b.append(", an anomaly");
    } else if (last.p10() != null
        && last.p90() != null
        && last.actual() >= last.p10()
        && last.actual() <= last.p90()) {
      b.append(", within the expected range");
    }
    if (anomalies > 0) {
      b.append(" (")
          .append(anomalies)
          .append(" of ")
          .append(points.size())
          .append(" periods flagged as anomalies)");
    }
    return b.append('.').toString();
  }

  private static String periodLabel(String period, String granularity) {
    if (period.length() < 10) {
      return period;
    }
    LocalDate d;
    try {
      d = LocalDate.parse(period.substring(0, 10));
    } catch (java.time.format.DateTimeParseException e) {
      return period;
    }
    switch (granularity) {
      case "year":
        return Integer.toString(d.getYear());
      case "quarter":
        return "Q" + ((d.getMonthValue() - 1) / 3 + 1) + " " + d.getYear();
      case "month":
        return d.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH) + " " + d.getYear();
      case "week":
        return "the week of " + d;
      default:
        return period;
    }
  }
}
