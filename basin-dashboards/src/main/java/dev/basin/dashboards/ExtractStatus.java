package dev.basin.dashboards;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.basin.common.json.Json;
import java.time.Instant;
import java.util.Map;

/**
 * The state of a dataset's extract.
 *
 * @param status {@code pending} (not built yet), {@code queued} (a refresh was asked for), {@code
 *     building} (the first build is running; visuals read the source), {@code refreshing} (a
 *     rebuild is running; visuals read the previous extract), {@code ready} (visuals read the
 *     extract), {@code failed} (the last refresh failed, see {@code lastError}; visuals read the
 *     source) or {@code disabled}
 * @param rows rows in the current extract file (0 if none)
 * @param bytes size of the current extract file (0 if none)
 * @param refreshedAt when the current extract file was built, or null
 * @param durationMs how long the last refresh took
 * @param sourceSnapshots the version (Iceberg snapshot id, external-table fingerprint) of each
 *     input table the current extract was built from, by {@code database.table}
 * @param lastError why the last refresh failed, or null if it succeeded
 */
public record ExtractStatus(
    String status,
    long rows,
    long bytes,
    Instant refreshedAt,
    long durationMs,
    Map<String, String> sourceSnapshots,
    String lastError) {

  public ExtractStatus {
    sourceSnapshots = Map.copyOf(sourceSnapshots);
  }

  /** {@code {"status", "rows", "bytes", "refreshedAt", "durationMs", "sourceSnapshots", …}}. */
  public ObjectNode toJson() {
    ObjectNode n = Json.mapper().createObjectNode();
    n.put("status", status);
    n.put("rows", rows);
    n.put("bytes", bytes);
    if (refreshedAt != null) {
      n.put("refreshedAt", refreshedAt.toString());
    } else {
      n.putNull("refreshedAt");
    }
    n.put("durationMs", durationMs);
    ObjectNode snaps = n.putObject("sourceSnapshots");
    new java.util.TreeMap<>(sourceSnapshots).forEach(snaps::put);
    if (lastError != null) {
      n.put("lastError", lastError);
    } else {
      n.putNull("lastError");
    }
    return n;
  }
}
