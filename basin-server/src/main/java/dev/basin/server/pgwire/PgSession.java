package dev.basin.server.pgwire;

import dev.basin.spi.sql.PreparedSql;
import dev.basin.spi.sql.ResultCursor;
import dev.basin.spi.sql.SqlException;
import dev.basin.spi.sql.SqlSession;
import dev.basin.spi.sql.SqlState;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a pgwire connection means beyond the wire format: turns statement text into plans, runs the
 * statements Basin answers itself (transaction control, SET/SHOW/RESET, DISCARD, DEALLOCATE, {@code
 * version()} and friends, system-catalog queries) and sends the rest to the engine session; tracks
 * the transaction status ReadyForQuery reports.
 *
 * <p>Every engine statement autocommits. BEGIN … COMMIT are accepted so that clients in manual
 * commit mode (pgjdbc with autocommit off) work, and the status follows PostgreSQL: {@code T}
 * inside a block, {@code E} after an error in a block until ROLLBACK (or COMMIT, which then reports
 * ROLLBACK), with other statements refused with {@code 25P02} meanwhile. Not thread-safe.
 */
final class PgSession implements PgCatalogQueries.Source, AutoCloseable {
  private static final Pattern WORD = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]*");
  private static final Pattern SET =
      Pattern.compile("(?is)^set\\s+(?:(session|local)\\s+)?(.*?)\\s*;?\\s*$");
  private static final Pattern SET_VALUE =
      Pattern.compile("(?is)^(\"[^\"]+\"|[a-z_][a-z0-9_.]*)\\s*(?:=|\\bto\\b)\\s*(.*)$");
  private static final Pattern SHOW = Pattern.compile("(?is)^show\\s+(.*?)\\s*;?\\s*$");
  private static final Pattern RESET = Pattern.compile("(?is)^reset\\s+(.*?)\\s*;?\\s*$");
  private static final Pattern LOCAL_SELECT =
      Pattern.compile(
          "(?is)^select\\s+(?:pg_catalog\\s*\\.\\s*)?(version\\s*\\(\\s*\\)|current_database\\s*\\(\\s*\\)"
              + "|current_catalog|current_schema(?:\\s*\\(\\s*\\))?|current_user|session_user|user"
              + "|current_role|pg_backend_pid\\s*\\(\\s*\\)|current_setting\\s*\\(\\s*('(?:[^']|'')*')\\s*\\))"
              + "(?:\\s+(?:as\\s+)?(\"[^\"]+\"|[a-z_][a-z0-9_]*))?\\s*;?\\s*$");

  private final SqlSession engine;
  private final PgSettings settings;
  private final String user;
  private final int pid;
  private final String serverVersion;
  private char status = 'I';
  private Consumer<String> deallocate = name -> {};

  PgSession(SqlSession engine, PgSettings settings, String user, int pid, String serverVersion) {
    this.engine = engine;
    this.settings = settings;
    this.user = user;
    this.pid = pid;
    this.serverVersion = serverVersion;
  }

  /** Lets {@code DEALLOCATE name} (null for ALL) drop the connection's prepared statements. */
  void onDeallocate(Consumer<String> action) {
    this.deallocate = action;
  }

  SqlSession engine() {
    return engine;
  }

  PgSettings settings() {
    return settings;
  }

  /** The transaction status for ReadyForQuery: {@code I}, {@code T} or {@code E}. */
  char status() {
    return status;
  }

  /** Records that a statement failed: a transaction block becomes failed. */
  void failed() {
    if (status == 'T') {
      status = 'E';
    }
  }

  /**
   * Refuses statements in a failed transaction block, as PostgreSQL does.
   *
   * @throws PgException {@code 25P02} unless the statement ends the block
   */
  void checkNotAborted(String sql) {
    if (status == 'E' && !endsTransaction(sql)) {
      throw new PgException(
          PgException.IN_FAILED_TRANSACTION,
          "current transaction is aborted, commands ignored until end of transaction block;"
              + " send ROLLBACK");
    }
  }

  static boolean endsTransaction(String sql) {
    List<String> w = words(sql, 1);
    return !w.isEmpty() && List.of("rollback", "abort", "commit", "end").contains(w.get(0));
  }

  /**
   * Plans one statement.
   *
   * @throws SqlException or {@link PgException} if it does not parse or plan
   */
  PgPlan plan(String sql) {
    if (PgScripts.isBlank(sql)) {
      return PgPlan.EMPTY;
    }
    List<String> w = words(sql, 3);
    String first = w.isEmpty() ? "" : w.get(0);
    switch (first) {
      case "begin":
        return transaction("BEGIN");
      case "start":
        if (w.size() > 1 && w.get(1).equals("transaction")) {
          return transaction("BEGIN");
        }
        break;
      case "commit":
      case "end":
        if (w.size() > 1 && w.get(1).equals("prepared")) {
          throw unsupported("COMMIT PREPARED");
        }
        return transaction("COMMIT");
      case "rollback":
      case "abort":
        if (w.size() > 1 && w.get(1).equals("prepared")) {
          throw unsupported("ROLLBACK PREPARED");
        }
        if (w.size() > 1 && w.get(1).equals("to")) {
          return transaction("ROLLBACK TO");
        }
        return transaction("ROLLBACK");
      case "savepoint":
        return transaction("SAVEPOINT");
      case "release":
        return transaction("RELEASE");
      case "prepare":
        if (w.size() > 1 && w.get(1).equals("transaction")) {
          throw unsupported("PREPARE TRANSACTION");
        }
        break;
      case "set":
        {
          PgPlan p = set(sql);
          if (p != null) {
            return p;
          }
          break;
        }
      case "show":
        {
          PgPlan p = show(sql);
          if (p != null) {
            return p;
          }
          break;
        }
      case "reset":
        {
          PgPlan p = reset(sql);
          if (p != null) {
            return p;
          }
          break;
        }
      case "discard":
        return PgPlan.local(
            List.of(),
            params -> {
              settings.reset("all");
              return PgRows.command("DISCARD ALL");
            });
      case "deallocate":
        {
          String target = w.size() > 1 && w.get(1).equals("prepare") ? at(w, 2) : at(w, 1);
          String name = target == null || target.equals("all") ? null : statementName(sql);
          return PgPlan.local(
              List.of(),
              params -> {
                deallocate.accept(name);
                return PgRows.command(name == null ? "DEALLOCATE ALL" : "DEALLOCATE");
              });
        }
      case "select":
        {
          PgPlan p = localSelect(sql);
          if (p != null) {
            return p;
          }
          p = PgCatalogQueries.plan(sql, this);
          if (p != null) {
            return p;
          }
          break;
        }
      default:
        break;
    }
    return new EnginePlan(engine.prepare(sql));
  }

  private static String at(List<String> w, int i) {
    return w.size() > i ? w.get(i) : null;
  }

  private static String statementName(String sql) {
    Matcher m =
        Pattern.compile("(?is)^\\s*deallocate\\s+(?:prepare\\s+)?(\"[^\"]+\"|\\S+?)\\s*;?\\s*$")
            .matcher(sql);
    if (!m.find()) {
      throw new PgException(PgException.SYNTAX_ERROR, "DEALLOCATE needs a statement name or ALL");
    }
    String n = m.group(1);
    return n.startsWith("\"") ? n.substring(1, n.length() - 1) : n.toLowerCase(Locale.ROOT);
  }

  private static PgException unsupported(String what) {
    return new PgException(
        PgException.FEATURE_NOT_SUPPORTED,
        what + " is not supported: Basin commits every statement on its own (no two-phase commit)");
  }

  // ------------------------------------------------------------------ transactions

  private PgPlan transaction(String kind) {
    return PgPlan.local(
        List.of(),
        params -> {
          switch (kind) {
            case "BEGIN":
              if (status == 'I') {
                status = 'T';
              }
              return PgRows.command("BEGIN");
            case "COMMIT":
              {
                boolean wasFailed = status == 'E';
                status = 'I';
                return PgRows.command(wasFailed ? "ROLLBACK" : "COMMIT");
              }
            case "ROLLBACK":
              status = 'I';
              return PgRows.command("ROLLBACK");
            case "ROLLBACK TO":
              requireBlock("ROLLBACK TO SAVEPOINT");
              status = 'T';
              return PgRows.command("ROLLBACK");
            case "SAVEPOINT":
              requireBlock("SAVEPOINT");
              return PgRows.command("SAVEPOINT");
            default:
              requireBlock("RELEASE SAVEPOINT");
              return PgRows.command("RELEASE");
          }
        });
  }

  private void requireBlock(String what) {
    if (status == 'I') {
      throw new PgException(
          PgException.NO_ACTIVE_TRANSACTION, what + " can only be used in transaction blocks");
    }
  }

  // ------------------------------------------------------------------ SET / SHOW / RESET

  private PgPlan set(String sql) {
    Matcher m = SET.matcher(sql.strip());
    if (!m.matches()) {
      return null;
    }
    String rest = m.group(2);
    String lower = rest.toLowerCase(Locale.ROOT);
    if (lower.startsWith("transaction") || lower.startsWith("characteristics")) {
      return PgPlan.local(List.of(), params -> PgRows.command("SET"));
    }
    if (lower.startsWith("session authorization") || lower.startsWith("role")) {
      return PgPlan.local(
          List.of(),
          params -> {
            String value =
                rest.replaceFirst("(?is)^(session\\s+authorization|role)\\s+", "").trim();
            String v = value.replaceAll("^['\"]|['\"]$", "");
            if (!v.equalsIgnoreCase("default") && !v.equalsIgnoreCase("none") && !v.equals(user)) {
              throw new PgException(
                  PgException.INSUFFICIENT_PRIVILEGE,
                  "permission denied to set role \"" + v + "\"; Basin has one user");
            }
            return PgRows.command("SET");
          });
    }
    String name;
    String value;
    if (lower.startsWith("time zone")) {
      name = "timezone";
      value = rest.substring("time zone".length()).trim();
    } else if (lower.startsWith("names ")) {
      name = "client_encoding";
      value = rest.substring("names".length()).trim();
    } else if (lower.startsWith("schema ")) {
      name = "search_path";
      value = rest.substring("schema".length()).trim();
    } else {
      Matcher v = SET_VALUE.matcher(rest);
      if (!v.matches()) {
        return null;
      }
      name = v.group(1);
      value = v.group(2).trim();
    }
    if (!PgSettings.isKnown(name)) {
      return null;
    }
    String canonical = PgSettings.canonical(name);
    String finalValue = value;
    return PgPlan.local(
        List.of(),
        params -> {
          if (finalValue.equalsIgnoreCase("default") || finalValue.equalsIgnoreCase("local")) {
            settings.reset(canonical);
          } else if (canonical.equals("search_path")) {
            searchPath(finalValue);
          } else {
            settings.set(canonical, finalValue);
          }
          return PgRows.command("SET");
        });
  }

  /** Applies a search_path: the first entry that is a Basin database becomes the session's. */
  void searchPath(String value) {
    List<String> entries = new ArrayList<>();
    for (String part : value.split(",")) {
      String p = part.trim();
      if ((p.startsWith("'") && p.endsWith("'")) || (p.startsWith("\"") && p.endsWith("\""))) {
        p = p.length() >= 2 ? p.substring(1, p.length() - 1) : "";
      } else {
        p = p.toLowerCase(Locale.ROOT);
      }
      if (!p.isEmpty()) {
        entries.add(p);
      }
    }
    for (String e : entries) {
      if (e.equals("$user")
          || e.equals("public")
          || e.equals("pg_catalog")
          || e.equals("information_schema")
          || e.equals("pg_temp")) {
        continue;
      }
      try {
        engine.useDatabase(e);
        break;
      } catch (SqlException ex) {
        if (ex.state() != SqlState.INVALID_SCHEMA_NAME) {
          throw ex;
        }
        // PostgreSQL ignores schemas in search_path that do not exist.
      }
    }
    settings.set("search_path", String.join(", ", entries));
  }

  private PgPlan show(String sql) {
    Matcher m = SHOW.matcher(sql.strip());
    if (!m.matches()) {
      return null;
    }
    String name = m.group(1).trim();
    if (name.equalsIgnoreCase("all")) {
      List<PgColumn> cols =
          List.of(
              new PgColumn("name", PgType.TEXT),
              new PgColumn("setting", PgType.TEXT),
              new PgColumn("description", PgType.TEXT));
      return PgPlan.local(
          cols,
          params -> {
            List<Object[]> rows = new ArrayList<>();
            for (Map.Entry<String, String> e : new java.util.TreeMap<>(settings.all()).entrySet()) {
              rows.add(new Object[] {e.getKey(), showValue(e.getKey()), ""});
            }
            return PgRows.of(cols, rows, "SHOW");
          });
    }
    if (!PgSettings.isKnown(name)) {
      return null;
    }
    String canonical = PgSettings.canonical(name);
    List<PgColumn> cols = List.of(new PgColumn(PgSettings.displayName(canonical), PgType.TEXT));
    return PgPlan.local(
        cols,
        params -> {
          List<Object[]> rows = new ArrayList<>();
          rows.add(new Object[] {showValue(canonical)});
          return PgRows.of(cols, rows, "SHOW");
        });
  }

  private String showValue(String canonical) {
    if (canonical.equals("search_path")) {
      String db = engine.database();
      return db != null ? db : settings.get("search_path");
    }
    return settings.get(canonical);
  }

  private PgPlan reset(String sql) {
    Matcher m = RESET.matcher(sql.strip());
    if (!m.matches()) {
      return null;
    }
    String name = m.group(1).trim();
    if (!name.equalsIgnoreCase("all") && !PgSettings.isKnown(name)) {
      return null;
    }
    return PgPlan.local(
        List.of(),
        params -> {
          settings.reset(name);
          return PgRows.command("RESET");
        });
  }

  // ------------------------------------------------------------------ session functions

  private PgPlan localSelect(String sql) {
    Matcher m = LOCAL_SELECT.matcher(sql.strip());
    if (!m.matches()) {
      return null;
    }
    String fn = m.group(1).toLowerCase(Locale.ROOT).replaceAll("\\s+", "");
    String label;
    Object value;
    PgType type = PgType.TEXT;
    if (fn.startsWith("version")) {
      label = "version";
      value = "PostgreSQL " + serverVersion + " on x86_64-pc-linux-gnu, Basin SQL engine";
    } else if (fn.startsWith("current_database") || fn.equals("current_catalog")) {
      label = fn.startsWith("current_database") ? "current_database" : "current_catalog";
      value = PgCatalog.DATABASE;
    } else if (fn.startsWith("current_schema")) {
      label = "current_schema";
      value = engine.database();
    } else if (fn.startsWith("pg_backend_pid")) {
      label = "pg_backend_pid";
      value = pid;
      type = PgType.INT4;
    } else if (fn.startsWith("current_setting")) {
      String name = PgSql.stringLiteral(m.group(2));
      if (name == null || !PgSettings.isKnown(name)) {
        return null;
      }
      label = "current_setting";
      value = showValue(PgSettings.canonical(name));
    } else {
      label = fn.equals("user") ? "current_user" : fn;
      value = user;
    }
    if (m.group(3) != null) {
      String a = m.group(3);
      label = a.startsWith("\"") ? a.substring(1, a.length() - 1) : a.toLowerCase(Locale.ROOT);
    }
    List<PgColumn> cols = List.of(new PgColumn(label, type));
    Object[] row = {value};
    return PgPlan.local(cols, params -> PgRows.of(cols, List.<Object[]>of(row), null));
  }

  // ------------------------------------------------------------------ catalog source

  @Override
  public String user() {
    return user;
  }

  @Override
  public String currentSchema() {
    return engine.database();
  }

  @Override
  public PgCatalog load() {
    List<String> databases = new ArrayList<>();
    for (Object[] row :
        query(
            "SELECT schema_name FROM information_schema.schemata"
                + " WHERE catalog_name = current_database()"
                + " AND schema_name NOT IN ('main', 'pg_catalog', 'information_schema')"
                + " ORDER BY schema_name",
            1)) {
      databases.add(String.valueOf(row[0]));
    }
    List<Object[]> columns =
        query(
            "SELECT table_schema, table_name, column_name, ordinal_position, data_type, is_nullable"
                + " FROM information_schema.columns WHERE table_catalog = current_database()"
                + " AND table_schema NOT IN ('main', 'pg_catalog', 'information_schema')"
                + " ORDER BY table_schema, table_name, ordinal_position",
            6);
    return PgCatalog.of(databases, columns);
  }

  private List<Object[]> query(String sql, int width) {
    List<Object[]> rows = new ArrayList<>();
    try (PreparedSql p = engine.prepare(sql);
        ResultCursor c = p.execute(List.of())) {
      while (c.next()) {
        Object[] row = new Object[width];
        for (int i = 0; i < width; i++) {
          row[i] = c.value(i);
        }
        rows.add(row);
      }
    }
    return rows;
  }

  /** The first {@code n} words of a statement, lower-cased, skipping comments. */
  static List<String> words(String sql, int n) {
    List<String> out = new ArrayList<>(n);
    int at = PgScripts.firstTokenAt(sql);
    if (at < 0) {
      return out;
    }
    Matcher m = WORD.matcher(sql);
    int pos = at;
    while (out.size() < n && m.find(pos)) {
      String between = sql.substring(pos, m.start());
      if (!between.isBlank()) {
        break;
      }
      out.add(m.group().toLowerCase(Locale.ROOT));
      pos = m.end();
    }
    return out;
  }

  @Override
  public void close() {
    engine.close();
  }
}
