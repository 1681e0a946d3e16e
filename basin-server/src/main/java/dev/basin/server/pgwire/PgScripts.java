package dev.basin.server.pgwire;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits the text of a simple Query message into statements at top-level semicolons, the way
 * PostgreSQL's lexer sees them: semicolons inside quoted strings ({@code '…'}, {@code E'…'}),
 * quoted identifiers, dollar-quoted strings ({@code $tag$…$tag$}) and comments ({@code --} and
 * nested {@code /* *}{@code /}) do not split.
 */
final class PgScripts {

  /**
   * One statement of a script.
   *
   * @param sql the statement text without the semicolon, stripped of surrounding whitespace
   * @param offset the character offset of {@code sql} in the script (for error positions)
   */
  record Piece(String sql, int offset) {}

  private PgScripts() {}

  /**
   * The statements of {@code script}; statements holding only whitespace and comments are dropped.
   */
  static List<Piece> split(String script) {
    List<Piece> out = new ArrayList<>();
    int n = script.length();
    int start = 0;
    int i = 0;
    while (i < n) {
      char c = script.charAt(i);
      if (c == '\'') {
        boolean escapes = i > 0 && (script.charAt(i - 1) == 'E' || script.charAt(i - 1) == 'e');
        i = skipQuoted(script, i, '\'', escapes);
      } else if (c == '"') {
        i = skipQuoted(script, i, '"', false);
      } else if (c == '-' && i + 1 < n && script.charAt(i + 1) == '-') {
        int eol = script.indexOf('\n', i);
        i = eol < 0 ? n : eol + 1;
      } else if (c == '/' && i + 1 < n && script.charAt(i + 1) == '*') {
        i = skipBlockComment(script, i);
      } else if (c == '$' && (i == 0 || !isIdentifierPart(script.charAt(i - 1)))) {
        i = skipDollarQuoted(script, i);
      } else if (c == ';') {
        add(out, script, start, i);
        i++;
        start = i;
      } else {
        i++;
      }
    }
    add(out, script, start, n);
    return out;
  }

  /** Whether {@code sql} holds nothing but whitespace and comments. */
  static boolean isBlank(String sql) {
    return firstTokenAt(sql) < 0;
  }

  /** The offset of the first character that is not whitespace or part of a comment, or -1. */
  static int firstTokenAt(String sql) {
    int n = sql.length();
    int i = 0;
    while (i < n) {
      char c = sql.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
      } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
        int eol = sql.indexOf('\n', i);
        i = eol < 0 ? n : eol + 1;
      } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
        i = skipBlockComment(sql, i);
      } else {
        return i;
      }
    }
    return -1;
  }

  private static void add(List<Piece> out, String script, int from, int to) {
    String raw = script.substring(from, to);
    int first = firstTokenAt(raw);
    if (first < 0) {
      return;
    }
    int end = raw.length();
    while (end > first && Character.isWhitespace(raw.charAt(end - 1))) {
      end--;
    }
    out.add(new Piece(raw.substring(first, end), from + first));
  }

  private static int skipQuoted(String s, int i, char quote, boolean backslashEscapes) {
    int n = s.length();
    i++;
    while (i < n) {
      char c = s.charAt(i);
      if (backslashEscapes && c == '\\') {
        i += 2;
      } else if (c == quote) {
        if (i + 1 < n && s.charAt(i + 1) == quote) {
          i += 2;
        } else {
          return i + 1;
        }
      } else {
        i++;
      }
    }
    return n;
  }

  private static int skipBlockComment(String s, int i) {
    int n = s.length();
    int depth = 0;
    while (i < n) {
      if (s.startsWith("/*", i)) {
        depth++;
        i += 2;
      } else if (s.startsWith("*/", i)) {
        depth--;
        i += 2;
        if (depth == 0) {
          return i;
        }
      } else {
        i++;
      }
    }
    return n;
  }

  private static int skipDollarQuoted(String s, int i) {
    int n = s.length();
    int j = i + 1;
    while (j < n && isIdentifierPart(s.charAt(j)) && !Character.isDigit(s.charAt(i + 1))) {
      j++;
    }
    if (j >= n || s.charAt(j) != '$') {
      return i + 1; // a parameter like $1, not a dollar quote
    }
    String tag = s.substring(i, j + 1);
    int close = s.indexOf(tag, j + 1);
    return close < 0 ? n : close + tag.length();
  }

  private static boolean isIdentifierPart(char c) {
    return Character.isLetterOrDigit(c) || c == '_';
  }
}
