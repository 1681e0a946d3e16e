package dev.basin.etl.job;

import java.math.BigDecimal;
import java.util.List;
import java.util.stream.Collectors;

/** Quoting and checks for the SQL text the compiler generates and embeds (DuckDB dialect). */
final class SqlText {
  private SqlText() {}

  /** A double-quoted identifier; any name is safe. */
  static String ident(String name) {
    checkNoNul(name);
    return '"' + name.replace("\"", "\"\"") + '"';
  }

  /** A single-quoted string literal; any value is safe. */
  static String string(String value) {
    checkNoNul(value);
    return '\'' + value.replace("'", "''") + '\'';
  }

  /** A literal for a String, BigDecimal, Boolean or null value. */
  static String literal(Object value) {
    if (value == null) {
      return "NULL";
    }
    if (value instanceof BigDecimal d) {
      return d.toPlainString();
    }
    if (value instanceof Boolean b) {
      return b ? "TRUE" : "FALSE";
    }
    if (value instanceof List<?> list) {
      return list.stream().map(SqlText::literal).collect(Collectors.joining(", ", "(", ")"));
    }
    return string(value.toString());
  }

  /** The text a literal value stands for (column names of Pivot). */
  static String text(Object value) {
    if (value instanceof BigDecimal d) {
      return d.toPlainString();
    }
    return String.valueOf(value);
  }

  /**
   * Checks that user SQL is one expression or query: no {@code ;} outside string literals, quoted
   * identifiers and comments, literals and comments closed, parentheses balanced.
   *
   * @return null when fine, else what is wrong
   */
  static String problem(String sql) {
    if (sql.indexOf('\0') >= 0) {
      return "it contains a NUL character";
    }
    int depth = 0;
    int i = 0;
    int n = sql.length();
    while (i < n) {
      char c = sql.charAt(i);
      if (c == '\'' || c == '"') {
        int end = closing(sql, i + 1, c);
        if (end < 0) {
          return "it has an unclosed " + (c == '\'' ? "string literal" : "quoted identifier");
        }
        i = end + 1;
        continue;
      }
      if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
        int nl = sql.indexOf('\n', i);
        i = nl < 0 ? n : nl + 1;
        continue;
      }
      if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
        int end = sql.indexOf("*/", i + 2);
        if (end < 0) {
          return "it has an unclosed /* comment";
        }
        i = end + 2;
        continue;
      }
      if (c == ';') {
        return "it contains ';' (one expression or query only, not statements)";
      }
      if (c == '(') {
        depth++;
      } else if (c == ')') {
        depth--;
        if (depth < 0) {
          return "it has a ')' without a matching '('";
        }
      }
      i++;
    }
    if (depth != 0) {
      return "it has " + depth + " unclosed '('";
    }
    if (sql.isBlank()) {
      return "it is empty";
    }
    return null;
  }

  private static int closing(String sql, int from, char quote) {
    int i = from;
    while (i < sql.length()) {
      if (sql.charAt(i) == quote) {
        if (i + 1 < sql.length() && sql.charAt(i + 1) == quote) {
          i += 2;
          continue;
        }
        return i;
      }
      i++;
    }
    return -1;
  }

  private static void checkNoNul(String s) {
    if (s.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("NUL character not allowed in SQL text: " + s);
    }
  }
}
