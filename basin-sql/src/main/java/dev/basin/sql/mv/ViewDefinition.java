package dev.basin.sql.mv;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.basin.common.json.Json;
import dev.basin.sql.plan.TableResolver;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A materialized view as its Iceberg table's properties describe it. The definition lives only in
 * those properties, so it is exactly as durable as the table and changes atomically with the view's
 * rows (a refresh updates {@link #INPUTS} in the same commit that replaces the data files).
 *
 * @param name {@code database.view}
 * @param sql the defining query as written
 * @param database where the query's unqualified table names resolve
 * @param incremental whether the table was laid out for incremental refresh (hidden AVG columns)
 * @param fullReason why the view is not incremental, or null
 * @param autoRefresh refresh after each commit to an input
 * @param refreshEvery refresh period, or null
 * @param inputs every table the last refresh read ({@code database.table} as the catalog names it)
 *     to what it read: a Long snapshot id, null for an Iceberg table without snapshots, or a String
 *     version for other inputs (external tables)
 * @param lastMode how the last committed refresh ran, or null before the first
 * @param lastRefresh when it started, or null
 * @param lastDuration how long it took up to its commit, or null
 * @param rows rows in the view after it
 */
record ViewDefinition(
    String name,
    String sql,
    String database,
    boolean incremental,
    String fullReason,
    boolean autoRefresh,
    Duration refreshEvery,
    Map<String, Object> inputs,
    RefreshMode lastMode,
    Instant lastRefresh,
    Duration lastDuration,
    long rows) {

  static final String SQL = "basin.mv.sql";
  static final String DATABASE = "basin.mv.database";
  static final String MODE = "basin.mv.mode";
  static final String MODE_REASON = "basin.mv.mode-reason";
  static final String AUTO_REFRESH = "basin.mv.auto-refresh";
  static final String REFRESH_EVERY = "basin.mv.refresh-every";
  static final String INPUTS = "basin.mv.inputs";
  static final String HIDDEN = TableResolver.HIDDEN_COLUMNS_PROPERTY;
  static final String LAST_MODE = "basin.mv.last-refresh.mode";
  static final String LAST_TIME = "basin.mv.last-refresh.time";
  static final String LAST_DURATION = "basin.mv.last-refresh.duration-ms";
  static final String LAST_ROWS = "basin.mv.last-refresh.rows";
  static final String LAST_INPUT_FILES = "basin.mv.last-refresh.input-files";

  private static final TypeReference<LinkedHashMap<String, Object>> MAP = new TypeReference<>() {};

  ViewDefinition {
    inputs = Collections.unmodifiableMap(new LinkedHashMap<>(inputs));
  }

  /** Reads a view from its table's properties; empty when the table is not a materialized view. */
  static Optional<ViewDefinition> of(String name, Map<String, String> properties) {
    String sql = properties.get(SQL);
    if (sql == null) {
      return Optional.empty();
    }
    String every = properties.get(REFRESH_EVERY);
    String lastMode = properties.get(LAST_MODE);
    String lastDuration = properties.get(LAST_DURATION);
    return Optional.of(
        new ViewDefinition(
            name,
            sql,
            properties.get(DATABASE),
            "incremental".equals(properties.get(MODE)),
            properties.get(MODE_REASON),
            Boolean.parseBoolean(properties.get(AUTO_REFRESH)),
            every == null || every.isBlank() ? null : Duration.parse(every),
            inputs(properties.get(INPUTS)),
            lastMode == null ? null : RefreshMode.valueOf(lastMode),
            instant(properties.get(LAST_TIME)),
            lastDuration == null ? null : Duration.ofMillis(Long.parseLong(lastDuration)),
            parseLong(properties.get(LAST_ROWS))));
  }

  /** The properties a new view's table is created with (before its first refresh). */
  static Map<String, String> properties(
      String sql,
      String database,
      boolean incremental,
      String fullReason,
      boolean autoRefresh,
      Duration refreshEvery,
      String hiddenColumns) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put(SQL, sql);
    p.put(DATABASE, database);
    p.put(MODE, incremental ? "incremental" : "full");
    if (fullReason != null) {
      p.put(MODE_REASON, fullReason);
    }
    p.put(AUTO_REFRESH, Boolean.toString(autoRefresh));
    if (refreshEvery != null) {
      p.put(REFRESH_EVERY, refreshEvery.toString());
    }
    if (!hiddenColumns.isEmpty()) {
      p.put(HIDDEN, hiddenColumns);
    }
    return p;
  }

  /** The properties a refresh commits together with the view's new rows. */
  static Map<String, String> refreshProperties(Map<String, Object> inputs, RefreshResult result) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put(INPUTS, Json.write(inputs));
    p.put(LAST_MODE, result.mode().name());
    p.put(LAST_TIME, result.startedAt().toString());
    p.put(LAST_DURATION, Long.toString(result.duration().toMillis()));
    p.put(LAST_ROWS, Long.toString(result.rows()));
    p.put(LAST_INPUT_FILES, Long.toString(result.inputFiles()));
    return p;
  }

  /** The recorded version of an input, matching its name without regard to case. */
  Optional<Map.Entry<String, Object>> input(String table) {
    for (Map.Entry<String, Object> e : inputs.entrySet()) {
      if (e.getKey().equalsIgnoreCase(table)) {
        return Optional.of(e);
      }
    }
    return Optional.empty();
  }

  private static Map<String, Object> inputs(String json) {
    if (json == null || json.isBlank()) {
      return Map.of();
    }
    try {
      Map<String, Object> raw = Json.mapper().readValue(json, MAP);
      Map<String, Object> out = new LinkedHashMap<>();
      raw.forEach((k, v) -> out.put(k, v instanceof Number n ? (Object) n.longValue() : v));
      return out;
    } catch (IOException e) {
      // A damaged property only costs the next refresh its incremental path.
      return Map.of();
    }
  }

  private static Instant instant(String s) {
    try {
      return s == null ? null : Instant.parse(s);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static long parseLong(String s) {
    try {
      return s == null ? 0 : Long.parseLong(s);
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
