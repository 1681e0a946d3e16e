package dev.basin.server.pgwire;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A connection's PostgreSQL run-time parameters ({@code SET}/{@code SHOW}/{@code RESET}): the ones
 * clients set and read, and the ones the server reports in ParameterStatus messages. Basin formats
 * values one way (UTF-8, ISO dates, UTC), so settings that would change the format are checked or
 * pinned. Not thread-safe; owned by the connection.
 */
final class PgSettings {
  /** The parameters PostgreSQL reports with ParameterStatus at start-up and when they change. */
  static final Set<String> REPORTED =
      Set.of(
          "application_name",
          "client_encoding",
          "datestyle",
          "default_transaction_read_only",
          "in_hot_standby",
          "integer_datetimes",
          "intervalstyle",
          "is_superuser",
          "server_encoding",
          "server_version",
          "session_authorization",
          "standard_conforming_strings",
          "timezone");

  /** Parameters accepted and stored locally; any other {@code SET} goes to the engine. */
  private static final Set<String> KNOWN =
      Set.of(
          "application_name",
          "client_encoding",
          "datestyle",
          "timezone",
          "extra_float_digits",
          "search_path",
          "statement_timeout",
          "lock_timeout",
          "idle_in_transaction_session_timeout",
          "idle_session_timeout",
          "intervalstyle",
          "standard_conforming_strings",
          "bytea_output",
          "client_min_messages",
          "lc_messages",
          "lc_monetary",
          "lc_numeric",
          "lc_time",
          "default_transaction_isolation",
          "default_transaction_read_only",
          "default_transaction_deferrable",
          "transaction_isolation",
          "transaction_read_only",
          "transaction_deferrable",
          "jit",
          "geqo",
          "synchronous_commit",
          "escape_string_warning",
          "backslash_quote",
          "row_security",
          "work_mem",
          "max_parallel_workers_per_gather",
          "join_collapse_limit",
          "from_collapse_limit",
          "plan_cache_mode",
          "server_version",
          "server_version_num",
          "server_encoding",
          "integer_datetimes",
          "is_superuser",
          "session_authorization",
          "max_identifier_length",
          "block_size",
          "in_hot_standby",
          "lc_collate",
          "lc_ctype");

  /** Parameters that cannot be changed by SET. */
  private static final Set<String> READ_ONLY =
      Set.of(
          "server_version",
          "server_version_num",
          "server_encoding",
          "integer_datetimes",
          "is_superuser",
          "max_identifier_length",
          "block_size",
          "in_hot_standby",
          "lc_collate",
          "lc_ctype");

  private final Map<String, String> defaults = new LinkedHashMap<>();
  private final Map<String, String> values = new LinkedHashMap<>();
  private final List<String> changed = new ArrayList<>();

  PgSettings(String serverVersion, int serverVersionNum, String user) {
    defaults.put("application_name", "");
    defaults.put("client_encoding", "UTF8");
    defaults.put("datestyle", "ISO, MDY");
    defaults.put("default_transaction_read_only", "off");
    defaults.put("in_hot_standby", "off");
    defaults.put("integer_datetimes", "on");
    defaults.put("intervalstyle", "postgres");
    defaults.put("is_superuser", "off");
    defaults.put("server_encoding", "UTF8");
    defaults.put("server_version", serverVersion);
    defaults.put("server_version_num", Integer.toString(serverVersionNum));
    defaults.put("session_authorization", user);
    defaults.put("standard_conforming_strings", "on");
    defaults.put("timezone", "UTC");
    defaults.put("extra_float_digits", "1");
    defaults.put("search_path", "\"$user\", public");
    defaults.put("statement_timeout", "0");
    defaults.put("lock_timeout", "0");
    defaults.put("idle_in_transaction_session_timeout", "0");
    defaults.put("idle_session_timeout", "0");
    defaults.put("bytea_output", "hex");
    defaults.put("client_min_messages", "notice");
    defaults.put("lc_messages", "C");
    defaults.put("lc_monetary", "C");
    defaults.put("lc_numeric", "C");
    defaults.put("lc_time", "C");
    defaults.put("lc_collate", "C");
    defaults.put("lc_ctype", "C");
    defaults.put("default_transaction_isolation", "read committed");
    defaults.put("transaction_isolation", "read committed");
    defaults.put("default_transaction_deferrable", "off");
    defaults.put("transaction_read_only", "off");
    defaults.put("transaction_deferrable", "off");
    defaults.put("max_identifier_length", "63");
    defaults.put("block_size", "8192");
    values.putAll(defaults);
  }

  /** The canonical (lower-case) name, with PostgreSQL's aliases resolved. */
  static String canonical(String name) {
    String n = name.trim().toLowerCase(Locale.ROOT);
    if (n.length() >= 2 && n.startsWith("\"") && n.endsWith("\"")) {
      n = n.substring(1, n.length() - 1);
    }
    return switch (n) {
      case "time zone" -> "timezone";
      case "names" -> "client_encoding";
      case "schema" -> "search_path";
      case "transaction isolation level" -> "transaction_isolation";
      default -> n;
    };
  }

  /** Whether Basin keeps this parameter itself rather than passing SET/SHOW to the engine. */
  static boolean isKnown(String name) {
    String n = canonical(name);
    return KNOWN.contains(n);
  }

  /** The current value, or null if the parameter is not known. */
  String get(String name) {
    return values.get(canonical(name));
  }

  /** The parameters reported at start-up, with their display names. */
  Map<String, String> reported() {
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : values.entrySet()) {
      if (REPORTED.contains(e.getKey())) {
        out.put(displayName(e.getKey()), e.getValue());
      }
    }
    return out;
  }

  /**
   * Sets a parameter (start-up packet, {@code options}, or {@code SET}).
   *
   * @throws PgException {@code 22023} for a value Basin cannot honour, {@code 55P02} for a
   *     read-only parameter
   */
  void set(String name, String value) {
    String n = canonical(name);
    String v = value == null ? "" : value.trim();
    if (READ_ONLY.contains(n)) {
      throw new PgException(
          PgException.CANT_CHANGE_PARAMETER, "parameter \"" + n + "\" cannot be changed");
    }
    switch (n) {
      case "client_encoding" -> {
        // Basin speaks UTF-8 only; other names are accepted (libpq may send its locale's
        // encoding) and reported back as UTF8, which is what the bytes are.
        v = "UTF8";
      }
      case "datestyle" -> {
        if (!v.toUpperCase(Locale.ROOT).contains("ISO")) {
          throw new PgException(
              PgException.INVALID_PARAMETER_VALUE,
              "DateStyle '"
                  + v
                  + "' is not supported: Basin formats dates in ISO style; use SET"
                  + " DateStyle = 'ISO, MDY'");
        }
        v = v.toUpperCase(Locale.ROOT).contains("DMY") ? "ISO, DMY" : "ISO, MDY";
      }
      case "timezone" -> {
        // Values are rendered in UTC whatever the client asks for; timestamptz text carries
        // its offset, so clients convert correctly.
        v = "UTC";
      }
      case "intervalstyle" -> {
        if (!v.equalsIgnoreCase("postgres")) {
          throw new PgException(
              PgException.INVALID_PARAMETER_VALUE,
              "IntervalStyle '" + v + "' is not supported: Basin uses 'postgres'");
        }
        v = "postgres";
      }
      case "standard_conforming_strings" -> {
        if (!v.equalsIgnoreCase("on") && !v.equalsIgnoreCase("true")) {
          throw new PgException(
              PgException.INVALID_PARAMETER_VALUE,
              "standard_conforming_strings must stay on in Basin");
        }
        v = "on";
      }
      case "bytea_output" -> {
        if (!v.equalsIgnoreCase("hex")) {
          throw new PgException(
              PgException.INVALID_PARAMETER_VALUE, "bytea_output must be 'hex' in Basin");
        }
        v = "hex";
      }
      default -> {
        if (v.length() >= 2 && v.startsWith("'") && v.endsWith("'")) {
          v = v.substring(1, v.length() - 1).replace("''", "'");
        }
      }
    }
    String old = values.put(n, v);
    if (REPORTED.contains(n) && !v.equals(old)) {
      changed.add(n);
    }
  }

  /** Restores a parameter's default ({@code RESET name}). */
  void reset(String name) {
    String n = canonical(name);
    if (n.equals("all")) {
      for (String key : List.copyOf(values.keySet())) {
        if (!READ_ONLY.contains(key) && defaults.containsKey(key)) {
          resetOne(key);
        }
      }
      return;
    }
    if (READ_ONLY.contains(n)) {
      throw new PgException(
          PgException.CANT_CHANGE_PARAMETER, "parameter \"" + n + "\" cannot be changed");
    }
    resetOne(n);
  }

  private void resetOne(String n) {
    String v = defaults.getOrDefault(n, "");
    String old = values.put(n, v);
    if (REPORTED.contains(n) && !v.equals(old)) {
      changed.add(n);
    }
  }

  /** Reported parameters changed since the last call, with their values (for ParameterStatus). */
  Map<String, String> drainChanged() {
    Map<String, String> out = new LinkedHashMap<>();
    for (String n : changed) {
      out.put(displayName(n), values.get(n));
    }
    changed.clear();
    return out;
  }

  /** Every parameter and its value ({@code SHOW ALL}). */
  Map<String, String> all() {
    return Map.copyOf(values);
  }

  static String displayName(String canonical) {
    return switch (canonical) {
      case "datestyle" -> "DateStyle";
      case "intervalstyle" -> "IntervalStyle";
      case "timezone" -> "TimeZone";
      default -> canonical;
    };
  }
}
