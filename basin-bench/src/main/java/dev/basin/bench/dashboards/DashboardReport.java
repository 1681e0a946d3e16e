package dev.basin.bench.dashboards;

import static dev.basin.bench.dashboards.DashboardBenchmark.p;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/** The dashboards benchmark's Markdown report. */
final class DashboardReport {
  private DashboardReport() {}

  static String render(
      String command,
      long rows,
      int files,
      long bytes,
      double loadSeconds,
      int pool,
      int threads,
      DashboardBenchmark.Results r) {
    StringBuilder md = new StringBuilder();
    md.append("Measured ")
        .append(
            ZonedDateTime.now(ZoneOffset.UTC)
                .format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")))
        .append(" on ")
        .append(machine())
        .append("; 1-minute load average ")
        .append(r.loadBefore)
        .append(" before the run and ")
        .append(r.loadAfter)
        .append(" after it (other work on a shared machine shows here).\n\n");
    md.append("Reproduce: `").append(command).append("`\n\n");
    md.append(
        fmt(
            "Data: `%s`, %,d rows (two years of order dates, 5 regions, 8 categories, 200 stores),"
                + " Iceberg partitioned by `month(order_date)`: %d Parquet files, %.1f MiB, built"
                + " with one `CREATE TABLE … AS SELECT … FROM range(%d)` through the query service"
                + " in %.1f s. Dashboard: %d visuals (%s) over one dataset with the result cache on."
                + " Client: one `POST …/visuals/{id}/data` per visual, %d in flight (Chromium's"
                + " per-host connection limit); a load lasts until the last visual's data arrived."
                + " Basin server in its own JVM; the client, Chromium and the DuckDB peer"
                + " (threads = %d) in the benchmark's JVM; all on the same cores.%n%n",
            DashboardBenchmark.TABLE,
            rows,
            files,
            bytes / 1048576.0,
            rows,
            loadSeconds,
            r.visualIds.size(),
            String.join(", ", r.visualTypes),
            pool,
            threads));
    double peer50 = p(r.peerMs(), 50);
    double peer95 = p(r.peerMs(), 95);
    md.append("| load | n | p50 (ms) | p95 (ms) | max (ms) | ÷ DuckDB p50 | ÷ DuckDB p95 |\n");
    md.append("|---|---:|---:|---:|---:|---:|---:|\n");
    row(
        md,
        "raw DuckDB peer (same 12 SQL statements, same parallelism)",
        r.peerMs(),
        peer50,
        peer95);
    row(
        md,
        "Basin REST, cold (new date range per load: result cache missed)",
        r.coldMs(),
        peer50,
        peer95);
    row(
        md,
        "Basin REST, warm (same view: every visual from the result cache)",
        r.warmMs(),
        peer50,
        peer95);
    row(
        md,
        "Basin REST, first load after a server restart",
        List.of(r.afterRestart.ms()),
        peer50,
        peer95);
    if (r.browserError != null) {
      md.append("| browser | — | — | — | — | — | — |\n\n");
      md.append("Browser loads not measured: ").append(r.browserError).append("\n\n");
    } else if (!r.browserCold.isEmpty() || !r.browserWarm.isEmpty()) {
      row(md, "Chromium, cold (`basinDashboardReady.ms`)", r.browserColdMs(), peer50, peer95);
      row(md, "Chromium, warm (`basinDashboardReady.ms`)", r.browserWarmMs(), peer50, peer95);
      row(
          md,
          "Chromium, cold, navigation → ready (incl. loading the console)",
          r.browserCold.stream().map(BrowserLoads.Load::navigationMs).toList(),
          peer50,
          peer95);
      int errors =
          r.browserCold.stream().mapToInt(BrowserLoads.Load::errors).sum()
              + r.browserWarm.stream().mapToInt(BrowserLoads.Load::errors).sum();
      md.append(
          fmt(
              "%nVisuals drawn per browser load: %d; visuals in the error state over all browser"
                  + " loads: %d.%n",
              r.browserCold.isEmpty() ? 0 : r.browserCold.get(0).visuals(), errors));
    }
    md.append("\n");

    md.append(
        "Per visual (p50 over the cold loads; \"arrived\" is from the load's start, so it includes"
            + " waiting for one of the connections):\n\n");
    md.append(
        "| visual | type | rows | Basin server ms | Basin arrived ms | DuckDB done ms | Basin"
            + " server ms, warm |\n");
    md.append("|---|---|---:|---:|---:|---:|---:|\n");
    for (int i = 0; i < r.visualIds.size(); i++) {
      int k = i;
      md.append(
          fmt(
              "| %s | %s | %d | %.0f | %.0f | %.0f | %.0f |%n",
              r.visualIds.get(i),
              r.visualTypes.get(i),
              r.cold.get(0).visuals().get(i).rows(),
              p(of(r.cold, l -> (double) l.visuals().get(k).serverMillis()), 50),
              p(of(r.cold, l -> l.visuals().get(k).clientMs()), 50),
              p(of(r.peer, l -> l.statements().get(k).ms()), 50),
              p(of(r.warm, l -> (double) l.visuals().get(k).serverMillis()), 50)));
    }
    md.append("\n");
    double cold95 = p(r.coldMs(), 95);
    double warm95 = p(r.warmMs(), 95);
    md.append(
        fmt(
            "Targets: p95 ≤ 2 s cold — REST %.0f ms (%s)%s; p95 ≤ 300 ms warm — REST %.0f ms (%s)%s.%n",
            cold95,
            cold95 <= 2000 ? "met" : "missed",
            r.browserColdMs().isEmpty()
                ? ""
                : fmt(
                    ", Chromium %.0f ms (%s)",
                    p(r.browserColdMs(), 95), p(r.browserColdMs(), 95) <= 2000 ? "met" : "missed"),
            warm95,
            warm95 <= 300 ? "met" : "missed",
            r.browserWarmMs().isEmpty()
                ? ""
                : fmt(
                    ", Chromium %.0f ms (%s)",
                    p(r.browserWarmMs(), 95), p(r.browserWarmMs(), 95) <= 300 ? "met" : "missed")));
    return md.toString();
  }

  private static <T> List<Double> of(List<T> loads, Function<T, Double> f) {
    List<Double> out = new ArrayList<>();
    for (T l : loads) {
      out.add(f.apply(l));
    }
    return out;
  }

  private static void row(
      StringBuilder md, String name, List<Double> ms, double peer50, double peer95) {
    double p50 = p(ms, 50);
    double p95 = p(ms, 95);
    md.append(
        fmt(
            "| %s | %d | %.0f | %.0f | %.0f | %.2f× | %.2f× |%n",
            name, ms.size(), p50, p95, p(ms, 100), p50 / peer50, p95 / peer95));
  }

  private static String machine() {
    List<String> parts = new ArrayList<>();
    parts.add(Runtime.getRuntime().availableProcessors() + " cores (nproc)");
    String cpu = firstMatch(Path.of("/proc/cpuinfo"), "model name");
    if (cpu != null) {
      parts.add(cpu);
    }
    String mem = firstMatch(Path.of("/proc/meminfo"), "MemTotal");
    if (mem != null) {
      parts.add(fmt("%.1f GiB memory", Long.parseLong(mem.replaceAll("[^0-9]", "")) / 1048576.0));
    }
    parts.add(System.getProperty("os.name") + " " + System.getProperty("os.version"));
    parts.add("Java " + System.getProperty("java.runtime.version"));
    return String.join(", ", parts);
  }

  private static String firstMatch(Path file, String key) {
    try {
      for (String line : Files.readAllLines(file)) {
        if (line.startsWith(key)) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (Exception e) {
      return null;
    }
    return null;
  }

  private static String fmt(String f, Object... args) {
    return String.format(Locale.ROOT, f, args);
  }
}
