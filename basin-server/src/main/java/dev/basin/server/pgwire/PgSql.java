package dev.basin.server.pgwire;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Just enough structure of a SQL text to recognise the catalog queries PostgreSQL clients send: the
 * top-level clauses of a SELECT, its select-list items and their aliases, with nested parentheses
 * and quotes taken into account. Not a parser: it never rejects anything.
 */
final class PgSql {
  private static final Pattern CLAUSE =
      Pattern.compile(
          "(?i)\\b(select|from|where|group\\s+by|order\\s+by|limit|offset|union|having|window)\\b");
  private static final Pattern ALIAS =
      Pattern.compile("(?is)^(.*?)\\s+as\\s+(\"(?:[^\"]|\"\")+\"|[a-z_][a-z0-9_$]*)\\s*$");
  private static final Pattern OPERATOR =
      Pattern.compile("(?i)OPERATOR\\s*\\(\\s*(?:pg_catalog\\s*\\.\\s*)?([~!<>=*]+)\\s*\\)");
  private static final Pattern COLLATE =
      Pattern.compile("(?i)\\s+COLLATE\\s+(?:pg_catalog\\s*\\.\\s*)?(?:\"default\"|default|\"C\")");

  private PgSql() {}

  /**
   * Removes the PostgreSQL-only spellings psql puts around patterns: {@code OPERATOR(pg_catalog.~)}
   * becomes {@code ~} and {@code COLLATE pg_catalog.default} goes.
   */
  static String normalize(String sql) {
    String s = OPERATOR.matcher(sql).replaceAll(" $1 ");
    return COLLATE.matcher(s).replaceAll("");
  }

  /**
   * A copy of {@code sql} of the same length in which comments and everything inside parentheses is
   * blanked (the parentheses stay), and quoted strings at the top level are kept. Offsets in the
   * mask are offsets in {@code sql}.
   */
  static String mask(String sql) {
    char[] out = sql.toCharArray();
    int n = out.length;
    int depth = 0;
    int i = 0;
    while (i < n) {
      char c = sql.charAt(i);
      if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
        while (i < n && sql.charAt(i) != '\n') {
          out[i++] = ' ';
        }
        continue;
      }
      if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
        int end = sql.indexOf("*/", i + 2);
        end = end < 0 ? n : end + 2;
        while (i < end) {
          out[i++] = ' ';
        }
        continue;
      }
      if (c == '\'' || c == '"') {
        boolean escapes =
            c == '\'' && i > 0 && (sql.charAt(i - 1) == 'E' || sql.charAt(i - 1) == 'e');
        int end = i + 1;
        while (end < n) {
          char d = sql.charAt(end);
          if (escapes && d == '\\') {
            end += 2;
            continue;
          }
          if (d == c) {
            if (end + 1 < n && sql.charAt(end + 1) == c) {
              end += 2;
              continue;
            }
            break;
          }
          end++;
        }
        end = Math.min(end + 1, n);
        if (depth > 0) {
          for (int k = i; k < end; k++) {
            out[k] = ' ';
          }
        }
        i = end;
        continue;
      }
      if (c == '(') {
        if (depth > 0) {
          out[i] = ' ';
        }
        depth++;
      } else if (c == ')') {
        depth = Math.max(0, depth - 1);
        if (depth > 0) {
          out[i] = ' ';
        }
      } else if (depth > 0) {
        out[i] = ' ';
      }
      i++;
    }
    return new String(out);
  }

  /**
   * The top-level clauses of a SELECT: the select list, the FROM clause, the WHERE clause and the
   * rest (ORDER BY, LIMIT …), as raw text, with their masked counterparts.
   */
  record Select(
      String list, String from, String where, String tail, String maskedFrom, String maskedWhere) {

    /** When the FROM clause is a single derived table {@code (SELECT …) alias}, its text. */
    String derivedTable() {
      String f = from.trim();
      if (!f.startsWith("(")) {
        return null;
      }
      String m = maskedFrom.trim();
      int close = m.indexOf(')');
      if (close < 0) {
        return null;
      }
      String inner = f.substring(1, close).trim();
      return inner.regionMatches(true, 0, "select", 0, 6) ? inner : null;
    }
  }

  /** Splits a SELECT into its clauses, or returns null if the text is not a SELECT. */
  static Select select(String sql) {
    String masked = mask(sql);
    Matcher m = CLAUSE.matcher(masked);
    int selectAt = -1;
    int fromAt = -1;
    int whereAt = -1;
    int tailAt = sql.length();
    while (m.find()) {
      String kw = m.group(1).toLowerCase(Locale.ROOT);
      if (selectAt < 0) {
        if (!kw.equals("select") || !masked.substring(0, m.start()).isBlank()) {
          return null;
        }
        selectAt = m.end();
      } else if (kw.equals("from") && fromAt < 0) {
        fromAt = m.start();
      } else if (kw.equals("where") && fromAt >= 0 && whereAt < 0) {
        whereAt = m.start();
      } else if (!kw.equals("select") && !kw.equals("from") && !kw.equals("where") && fromAt >= 0) {
        tailAt = m.start();
        break;
      }
    }
    if (selectAt < 0) {
      return null;
    }
    int listEnd = fromAt >= 0 ? fromAt : tailAt;
    String list = sql.substring(selectAt, listEnd);
    String from = "";
    String maskedFrom = "";
    String where = "";
    String maskedWhere = "";
    if (fromAt >= 0) {
      int fromEnd = whereAt >= 0 ? whereAt : tailAt;
      from = sql.substring(fromAt + 4, fromEnd);
      maskedFrom = masked.substring(fromAt + 4, fromEnd);
      if (whereAt >= 0) {
        where = sql.substring(whereAt + 5, tailAt);
        maskedWhere = masked.substring(whereAt + 5, tailAt);
      }
    }
    return new Select(list, from, where, sql.substring(tailAt), maskedFrom, maskedWhere);
  }

  /** Splits a select list at its top-level commas. */
  static List<String> items(String list) {
    String masked = mask(list);
    List<String> out = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < masked.length(); i++) {
      if (masked.charAt(i) == ',') {
        out.add(list.substring(start, i).trim());
        start = i + 1;
      }
    }
    String last = list.substring(start).trim();
    if (!last.isEmpty()) {
      out.add(last);
    }
    return out;
  }

  /**
   * A select-list item.
   *
   * @param expression the expression without its alias
   * @param alias the alias as the client will see it, or null
   */
  record Item(String expression, String alias) {}

  static Item item(String text) {
    Matcher m = ALIAS.matcher(text);
    if (m.matches() && !mask(m.group(1)).isBlank()) {
      String a = m.group(2);
      if (a.startsWith("\"")) {
        a = a.substring(1, a.length() - 1).replace("\"\"", "\"");
      } else {
        a = a.toLowerCase(Locale.ROOT);
      }
      return new Item(m.group(1).trim(), a);
    }
    return new Item(text.trim(), null);
  }

  /** The value of a string literal ({@code 'it''s'}, {@code E'a\\b'}), or null if it is not one. */
  static String stringLiteral(String text) {
    String t = text.trim();
    boolean escapes = false;
    if ((t.startsWith("E'") || t.startsWith("e'")) && t.length() >= 3) {
      escapes = true;
      t = t.substring(1);
    }
    if (t.length() < 2 || !t.startsWith("'") || !t.endsWith("'")) {
      return null;
    }
    String body = t.substring(1, t.length() - 1);
    if (!escapes) {
      return body.replace("''", "'");
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < body.length(); i++) {
      char c = body.charAt(i);
      if (c == '\\' && i + 1 < body.length()) {
        char d = body.charAt(++i);
        sb.append(
            switch (d) {
              case 'n' -> '\n';
              case 't' -> '\t';
              case 'r' -> '\r';
              default -> d;
            });
      } else if (c == '\'' && i + 1 < body.length() && body.charAt(i + 1) == '\'') {
        sb.append('\'');
        i++;
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  /** PostgreSQL's LIKE pattern (backslash escapes) as a Java regular expression. */
  static Pattern like(String pattern, boolean caseInsensitive) {
    StringBuilder re = new StringBuilder();
    for (int i = 0; i < pattern.length(); i++) {
      char c = pattern.charAt(i);
      if (c == '\\' && i + 1 < pattern.length()) {
        re.append(Pattern.quote(String.valueOf(pattern.charAt(++i))));
      } else if (c == '%') {
        re.append(".*");
      } else if (c == '_') {
        re.append('.');
      } else {
        re.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(
        re.toString(), Pattern.DOTALL | (caseInsensitive ? Pattern.CASE_INSENSITIVE : 0));
  }
}
