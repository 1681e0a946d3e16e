package dev.basin.sql.plan;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The most recently planned scans of Iceberg snapshots, keyed by table, snapshot, schema and
 * filters. Snapshots are immutable, so an entry never goes stale; it only ages out. Thread-safe.
 */
public final class PlanCache {

  private final Map<String, TableResolver.Resolved> entries;

  public PlanCache(int capacity) {
    this.entries =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, TableResolver.Resolved> eldest) {
            return size() > capacity;
          }
        };
  }

  synchronized TableResolver.Resolved get(String key) {
    return entries.get(key);
  }

  synchronized void put(String key, TableResolver.Resolved value) {
    entries.put(key, value);
  }
}
