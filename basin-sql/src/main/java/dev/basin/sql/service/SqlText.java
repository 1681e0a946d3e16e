package dev.basin.sql.service;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What the service needs to know of a statement's text without parsing it: its whitespace-normal
 * form (the result cache's key), its first keyword (Athena's statement type), and whether it calls
 * something whose answer is not fixed by the tables it reads. Strings, quoted identifiers and
 * comments are skipped, so a word inside them never counts.
 */
final class SqlText {

  /** Functions and keywords whose value changes from run to run, or with the session. */
  private static final Set<String> VOLATILE =
      Set.of(
          "now",
          "current_timestamp",
          "current_date",
          "current_time",
          "localtimestamp",
          "localtime",
          "get_current_timestamp",
          "get_current_time",
          "transaction_timestamp",
          "statement_timestamp",
          "clock_timestamp",
          "today",
          "random",
          "rand",
          "setseed",
          "uuid",
          "gen_random_uuid",
          "uuidv4",
          "uuidv7",
          "nextval",
          "currval",
          "current_user",
          "session_user",
          "current_role",
          "current_schema",
          "current_schemas",
          "current_database",
          "current_catalog",
          "current_setting",
          "current_query",
          "txid_current");

  /**
   * Prefixes of names that read something other than catalog tables at a pinned version: system
   * views (their content follows the catalog, not a snapshot) and file readers.
   */
  private static final List<String> UNPINNED_PREFIXES =
      List.of(
          "information_schema",
          "pg_",
          "duckdb_",
          "pragma_",
          "sqlite_",
          "read_",
          "parquet_",
          "iceberg_",
          "glob",
          "sniff_",
          "which_secret");

  private static final Set<String> QUERY_KEYWORDS =
      Set.of("select", "with", "values", "table", "from", "(");

  private SqlText() {}

  /** A word of the statement outside strings, quoted identifiers and comments. */
  record Word(String text, boolean call) {}

  /**
   * The statement with every run of whitespace outside strings and quoted identifiers replaced by
   * one space, and trimmed.
   */
  static String normalize(String sql) {
    StringBuilder out = new StringBuilder(sql.length());
    int i = 0;
    int n = sql.length();
    boolean pendingSpace = false;
    while (i < n) {
      char c = sql.charAt(i);
      if (Character.isWhitespace(c)) {
        pendingSpace = out.length() > 0;
        i++;
        continue;
      }
      if (pendingSpace) {
        out.append(' ');
        pendingSpace = false;
      }
      if (c == '\'' || c == '"') {
        int end = closing(sql, i, c);
        out.append(sql, i, end);
        i = end;
      } else {
        out.append(c);
        i++;
      }
    }
    return out.toString();
  }

  /** The offset after the literal or quoted identifier opened at {@code start}. */
  private static int closing(String sql, int start, char quote) {
    int i = start + 1;
    while (i < sql.length()) {
      if (sql.charAt(i) == quote) {
        if (i + 1 < sql.length() && sql.charAt(i + 1) == quote) {
          i += 2;
          continue;
        }
        return i + 1;
      }
      i++;
    }
    return sql.length();
  }

  /** The words of the statement, lower-cased, in order; {@code (} is returned as a word too. */
  static List<Word> words(String sql) {
    List<Word> words = new ArrayList<>();
    int i = 0;
    int n = sql.length();
    while (i < n) {
      char c = sql.charAt(i);
      if (c == '\'' || c == '"') {
        i = closing(sql, i, c);
      } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
        int eol = sql.indexOf('\n', i);
        i = eol < 0 ? n : eol + 1;
      } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
        int end = sql.indexOf("*/", i + 2);
        i = end < 0 ? n : end + 2;
      } else if (Character.isLetter(c) || c == '_') {
        int start = i;
        while (i < n && (Character.isLetterOrDigit(sql.charAt(i)) || sql.charAt(i) == '_')) {
          i++;
        }
        int j = i;
        while (j < n && Character.isWhitespace(sql.charAt(j))) {
          j++;
        }
        boolean call = j < n && sql.charAt(j) == '(';
        words.add(new Word(sql.substring(start, i).toLowerCase(Locale.ROOT), call));
      } else if (c == '(' && words.isEmpty()) {
        words.add(new Word("(", false));
        i++;
      } else {
        i++;
      }
    }
    return words;
  }

  /** The first keyword in lower case ({@code select}, {@code with}, {@code show} …), or "". */
  static String firstKeyword(String sql) {
    List<Word> words = words(sql);
    return words.isEmpty() ? "" : words.get(0).text();
  }

  /** Athena's statement type: DDL, DML or UTILITY, from the first keyword(s). */
  static String statementType(String sql) {
    List<Word> words = words(sql);
    String first = words.isEmpty() ? "" : words.get(0).text();
    switch (first) {
      case "show":
      case "describe":
      case "desc":
      case "explain":
      case "use":
      case "set":
      case "reset":
      case "summarize":
      case "pragma":
        return "UTILITY";
      case "create":
      // CREATE TABLE … AS SELECT writes rows; Athena still calls it DDL.
      case "drop":
      case "alter":
      case "msck":
      case "comment":
        return "DDL";
      default:
        return "DML";
    }
  }

  /**
   * Whether the answer depends only on the tables' pinned versions: a query (not SHOW, DESCRIBE or
   * EXPLAIN) that calls no volatile function and reads no system view or file directly.
   */
  static boolean isDeterministicQuery(String sql) {
    List<Word> words = words(sql);
    if (words.isEmpty() || !QUERY_KEYWORDS.contains(words.get(0).text())) {
      return false;
    }
    for (Word w : words) {
      if (VOLATILE.contains(w.text())) {
        return false;
      }
      for (String p : UNPINNED_PREFIXES) {
        if (w.text().startsWith(p)) {
          return false;
        }
      }
    }
    return true;
  }
}
