package dev.basin.dashboards;

import dev.basin.spi.sql.TableScan;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Visual results of cached datasets, keyed by the query text and the versions (Iceberg snapshot
 * ids, external-table fingerprints) of every table the query reads: a new snapshot of any input
 * changes the key, so a hit is never staler than the tables themselves. Entries also expire after
 * the dataset's {@code maxAgeSeconds} (which matters for sources the planner cannot version, e.g.
 * files read by a table function). Least-recently-used entries are evicted beyond {@code maxCells}
 * cached values.
 *
 * <p>Thread-safe.
 */
final class ResultCache {

  private record Key(String sql, List<String> versions) {}

  private record Entry(VisualData data, Instant at, long cells) {}

  private final long maxCells;
  private long cells;
  private long hits;
  private long misses;
  private final LinkedHashMap<Key, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);

  ResultCache(long maxCells) {
    this.maxCells = maxCells;
  }

  private static Key key(String sql, List<TableScan> scans) {
    List<String> versions = new java.util.ArrayList<>();
    inputVersions(scans).forEach((t, v) -> versions.add(t + "@" + v));
    return new Key(sql, versions);
  }

  /**
   * The version of every table a statement reads, by {@code database.table} in name order: what
   * keys cached results and tells an extract that its inputs changed.
   */
  static java.util.SortedMap<String, String> inputVersions(List<TableScan> scans) {
    java.util.SortedMap<String, String> out = new java.util.TreeMap<>();
    for (TableScan s : scans) {
      // A table read at two versions (time travel) keys on both.
      out.merge(
          s.table(),
          s.version(),
          (x, y) -> x.equals(y) ? x : x.compareTo(y) < 0 ? x + "," + y : y + "," + x);
    }
    return out;
  }

  /** The cached result, or null if absent or older than {@code maxAgeSeconds} (0: no age limit). */
  synchronized VisualData get(String sql, List<TableScan> scans, Instant now, long maxAgeSeconds) {
    Key k = key(sql, scans);
    Entry e = entries.get(k);
    if (e == null || (maxAgeSeconds > 0 && e.at().plusSeconds(maxAgeSeconds).isBefore(now))) {
      if (e != null) {
        entries.remove(k);
        cells -= e.cells();
      }
      misses++;
      return null;
    }
    hits++;
    return e.data();
  }

  synchronized void put(String sql, List<TableScan> scans, VisualData data, Instant now) {
    long c = (long) Math.max(1, data.columns().size()) * Math.max(1, data.rows().size());
    if (c > maxCells) {
      return;
    }
    Entry old = entries.put(key(sql, scans), new Entry(data, now, c));
    if (old != null) {
      cells -= old.cells();
    }
    cells += c;
    Iterator<Map.Entry<Key, Entry>> it = entries.entrySet().iterator();
    while (cells > maxCells && it.hasNext()) {
      cells -= it.next().getValue().cells();
      it.remove();
    }
  }

  synchronized long hits() {
    return hits;
  }

  synchronized long misses() {
    return misses;
  }
}
