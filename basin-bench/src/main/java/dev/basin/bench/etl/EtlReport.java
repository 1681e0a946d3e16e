package dev.basin.bench.etl;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

/** The ETL benchmark's Markdown report, from its {@code result.json}. */
final class EtlReport {

  private EtlReport() {}

  static double median(JsonNode times) {
    double[] v = new double[times.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = times.get(i).asDouble();
    }
    if (v.length == 0) {
      return Double.NaN;
    }
    Arrays.sort(v);
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  private static String range(JsonNode times) {
    double min = Double.MAX_VALUE;
    double max = 0;
    for (JsonNode t : times) {
      min = Math.min(min, t.asDouble());
      max = Math.max(max, t.asDouble());
    }
    return String.format(Locale.ROOT, "%.2f–%.2f", min / 1000, max / 1000);
  }

  private static String firstStart(JsonNode etl) {
    for (JsonNode r : etl) {
      return r.path("basin").path("start").asText("POST wait=true");
    }
    return "";
  }

  static String markdown(String command, JsonNode raw) {
    StringBuilder md = new StringBuilder();
    md.append("Command: `")
        .append(command)
        .append("` on ")
        .append(LocalDate.now())
        .append(" (")
        .append(raw.path("cores").asInt())
        .append(" cores; DuckDB threads ")
        .append(raw.path("threads").asInt())
        .append(" in the server and the peer).\n\n");
    JsonNode etl = raw.path("etl");
    if (!etl.isMissingNode()) {
      md.append(
          "| tracks | CSV in | rows out | runs | raw DuckDB | Basin job (server) | ratio |"
              + " Basin job (client) | ratio | Spark local[2] | Spark / Basin (client) |\n");
      md.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
      for (Map.Entry<String, JsonNode> e : etl.properties()) {
        JsonNode r = e.getValue();
        double duck = median(r.path("duckdb").path("millis"));
        double server = median(r.path("basin").path("server"));
        double client = median(r.path("basin").path("client"));
        JsonNode sparkNode = r.path("spark");
        String spark;
        String sparkRatio;
        if (sparkNode.isMissingNode()) {
          spark = r.has("sparkError") ? "failed" : "not run";
          sparkRatio = "–";
        } else {
          double s = median(sparkNode.path("millis"));
          spark = String.format(Locale.ROOT, "%.2f s", s / 1000);
          sparkRatio = String.format(Locale.ROOT, "%.1f×", s / client);
        }
        md.append(
            String.format(
                Locale.ROOT,
                "| %,d | %.0f MiB | %,d | %d | %.2f s | %.2f s | %.2f× | %.2f s | %.2f× | %s | %s"
                    + " |%n",
                Long.parseLong(e.getKey()),
                r.path("csvBytes").asLong() / 1048576.0,
                r.path("basin").path("rows").asLong(),
                r.path("basin").path("client").size(),
                duck / 1000,
                server / 1000,
                server / duck,
                client / 1000,
                client / duck,
                spark,
                sparkRatio));
      }
      md.append(
          "\nMedians. Basin (server): the run's `executionMillis`; Basin (client): wall time in a"
              + " separate JVM from starting the run to seeing it SUCCEEDED ("
              + firstStart(etl)
              + ")."
              + " Raw DuckDB: the same join/drop/dedup as one `COPY (SELECT …) TO '….parquet'`"
              + " statement over the same CSV files.\n\n");
      md.append(
          "Basin per node (median ms; sources and the nodes that change the row count — joins,"
              + " DropDuplicates — are materialised as temp tables and counted, DropFields is a"
              + " view, the target is a COPY to Parquet plus the upload into the lake):\n\n");
      for (Map.Entry<String, JsonNode> e : etl.properties()) {
        StringBuilder nodes = new StringBuilder();
        for (Map.Entry<String, JsonNode> node :
            e.getValue().path("basin").path("nodes").properties()) {
          nodes
              .append(nodes.length() == 0 ? "" : ", ")
              .append(node.getKey())
              .append(' ')
              .append(String.format(Locale.ROOT, "%.0f", median(node.getValue())));
        }
        JsonNode r = e.getValue();
        md.append(
            String.format(
                Locale.ROOT,
                "- %,d tracks: %s. Ranges (s): Basin server %s, client %s, DuckDB %s%s. Staging"
                    + " (%s) %.1f s, upload %.1f s. Spark session start %s. Load average %s"
                    + " before, %s after.%n",
                Long.parseLong(e.getKey()),
                nodes,
                range(r.path("basin").path("server")),
                range(r.path("basin").path("client")),
                range(r.path("duckdb").path("millis")),
                r.path("spark").isMissingNode()
                    ? ""
                    : ", Spark " + range(r.path("spark").path("millis")),
                r.path("basin").path("staging").asText(),
                r.path("basin").path("stagingMillis").asDouble() / 1000,
                r.path("basin").path("uploadMillis").asDouble() / 1000,
                r.path("spark").isMissingNode()
                    ? (r.has("sparkError") ? "— failed: " + r.path("sparkError").asText() : "—")
                    : String.format(
                        Locale.ROOT,
                        "%.1f s, rows %,d (DuckDB rows %,d)",
                        r.path("spark").path("sessionMillis").asDouble() / 1000,
                        r.path("spark").path("rows").asLong(),
                        r.path("duckdb").path("rows").asLong()),
                r.path("loadBefore").asText(),
                r.path("loadAfter").asText()));
      }
      for (Map.Entry<String, JsonNode> e : etl.properties()) {
        JsonNode plan = e.getValue().path("duckdbBasinPlan");
        if (plan.isMissingNode()) {
          continue;
        }
        StringBuilder steps = new StringBuilder();
        for (Map.Entry<String, JsonNode> step : plan.path("steps").properties()) {
          steps
              .append(steps.length() == 0 ? "" : ", ")
              .append(step.getKey())
              .append(' ')
              .append(String.format(Locale.ROOT, "%.0f", median(step.getValue())));
        }
        md.append(
            String.format(
                Locale.ROOT,
                "- Diagnostic, %,d tracks: Basin's step-by-step plan on plain DuckDB %.2f s (%s).%n",
                Long.parseLong(e.getKey()),
                median(plan.path("millis")) / 1000,
                steps));
      }
      md.append('\n');
    }
    JsonNode c = raw.path("crawler");
    if (!c.isMissingNode()) {
      md.append(
          String.format(
              Locale.ROOT,
              "Crawler: %,d JSON-lines objects (%,d bytes) in %d Hive partitions under"
                  + " `s3://raw/crawl/events/dt=…/`, uploaded in %.1f s; plan: %d table(s), %d"
                  + " partition(s); applied: %d table(s) created, %d partitions added; re-crawl"
                  + " plan: %d partition changes. Load average %s before, %s after.%n%n",
              c.path("objects").asLong(),
              c.path("bytes").asLong(),
              c.path("partitions").asInt(),
              c.path("uploadMillis").asDouble() / 1000,
              c.path("planTables").asInt(),
              c.path("planPartitions").asInt(),
              c.path("tablesCreated").asInt(),
              c.path("partitionsAdded").asInt(),
              c.path("recrawlPartitionChanges").asInt(),
              c.path("loadBefore").asText(),
              c.path("loadAfter").asText()));
      md.append("| crawler step | median | range (s) |\n|---|---:|---:|\n");
      for (String[] step :
          new String[][] {
            {"dryRun", "dry run (plan) on a fresh database"},
            {"apply", "apply that plan"},
            {"recrawlDryRun", "dry re-crawl, nothing changed"},
            {"oneShot", "one-shot crawl (plan + apply) on a fresh database"}
          }) {
        JsonNode t = c.path(step[0]);
        md.append(
            String.format(
                Locale.ROOT, "| %s | %.2f s | %s |%n", step[1], median(t) / 1000, range(t)));
      }
    }
    return md.toString();
  }
}
