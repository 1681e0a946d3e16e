package dev.basin.sql.plan;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The most recently planned scans of Iceberg snapshots, keyed by table, snapshot, schema and
 * filters. A snapshot's files never change, but where they sit on local disk can (a lifecycle
 * transition to the cold tier moves an object): an entry is used only while all its local files
 * still exist. Bounded by the total size of the cached SQL. Thread-safe.
 */
public final class PlanCache {

  private record Entry(TableResolver.Resolved resolved, List<Path> files, long size) {}

  private final long maxChars;
  private final Map<String, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
  private long chars;

  /**
   * @param maxChars the most characters of planned SQL to keep
   */
  public PlanCache(long maxChars) {
    this.maxChars = maxChars;
  }

  /** The cached plan, or null if there is none or one of its files has moved. */
  TableResolver.Resolved get(String key) {
    Entry e;
    synchronized (this) {
      e = entries.get(key);
    }
    if (e == null) {
      return null;
    }
    for (Path p : e.files()) {
      if (!Files.exists(p)) {
        synchronized (this) {
          if (entries.remove(key, e)) {
            chars -= e.size();
          }
        }
        return null;
      }
    }
    return e.resolved();
  }

  synchronized void put(String key, TableResolver.Resolved value, List<Path> files) {
    long size = value.sql().length();
    if (size > maxChars / 4) {
      return;
    }
    Entry old = entries.put(key, new Entry(value, List.copyOf(files), size));
    if (old != null) {
      chars -= old.size();
    }
    chars += size;
    Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator();
    while (chars > maxChars && it.hasNext()) {
      chars -= it.next().getValue().size();
      it.remove();
    }
  }
}
