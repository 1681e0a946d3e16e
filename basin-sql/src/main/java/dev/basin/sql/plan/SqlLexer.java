package dev.basin.sql.plan;

import dev.basin.spi.sql.SqlException;
import dev.basin.spi.sql.SqlState;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Splits SQL text into tokens, enough to recognise Basin's own statements (CTAS, COPY, materialized
 * views, SHOW …) and rewrite time-travel clauses; queries themselves are parsed by DuckDB.
 */
public final class SqlLexer {

  /** Token kinds. */
  public enum Kind {
    WORD,
    QUOTED,
    STRING,
    NUMBER,
    PARAMETER,
    SYMBOL
  }

  /**
   * A token.
   *
   * @param kind what it is
   * @param text its value: a word as written, a quoted identifier or string without quotes
   * @param start offset of its first character in the statement
   * @param end offset after its last character
   */
  public record Token(Kind kind, String text, int start, int end) {

    /** Whether this is the keyword (an unquoted word) {@code keyword}, ignoring case. */
    public boolean is(String keyword) {
      return kind == Kind.WORD && text.equalsIgnoreCase(keyword);
    }

    public boolean isSymbol(String symbol) {
      return kind == Kind.SYMBOL && text.equals(symbol);
    }

    /** Whether this names something: a word or a quoted identifier. */
    public boolean isName() {
      return kind == Kind.WORD || kind == Kind.QUOTED;
    }

    /** The name it gives: a word in lower case, a quoted identifier as written. */
    public String name() {
      return kind == Kind.WORD ? text.toLowerCase(Locale.ROOT) : text;
    }
  }

  private SqlLexer() {}

  /**
   * Tokenizes {@code sql}, skipping whitespace and comments.
   *
   * @throws SqlException {@link SqlState#SYNTAX_ERROR} for an unterminated string, identifier or
   *     comment
   */
  public static List<Token> tokenize(String sql) {
    List<Token> tokens = new ArrayList<>();
    int i = 0;
    int n = sql.length();
    while (i < n) {
      char c = sql.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
      } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
        while (i < n && sql.charAt(i) != '\n' && sql.charAt(i) != '\r') {
          i++;
        }
      } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
        int close = sql.indexOf("*/", i + 2);
        if (close < 0) {
          throw error("unterminated /* comment", i);
        }
        i = close + 2;
      } else if (c == '\'' || ((c == 'E' || c == 'e') && i + 1 < n && sql.charAt(i + 1) == '\'')) {
        int start = i;
        StringBuilder value = new StringBuilder();
        if (c != '\'') {
          i = escapedString(sql, i + 1, value);
        } else {
          i = quoted(sql, i, '\'', value, "string literal");
        }
        tokens.add(new Token(Kind.STRING, value.toString(), start, i));
      } else if (c == '"') {
        int start = i;
        StringBuilder value = new StringBuilder();
        i = quoted(sql, i, '"', value, "quoted identifier");
        tokens.add(new Token(Kind.QUOTED, value.toString(), start, i));
      } else if (Character.isLetter(c) || c == '_') {
        int start = i;
        while (i < n
            && (Character.isLetterOrDigit(sql.charAt(i))
                || sql.charAt(i) == '_'
                || sql.charAt(i) == '$')) {
          i++;
        }
        tokens.add(new Token(Kind.WORD, sql.substring(start, i), start, i));
      } else if (Character.isDigit(c)
          || (c == '.' && i + 1 < n && Character.isDigit(sql.charAt(i + 1)))) {
        int start = i;
        while (i < n
            && (Character.isLetterOrDigit(sql.charAt(i))
                || sql.charAt(i) == '.'
                || sql.charAt(i) == '_'
                || ((sql.charAt(i) == '+' || sql.charAt(i) == '-')
                    && (sql.charAt(i - 1) == 'e' || sql.charAt(i - 1) == 'E')))) {
          i++;
        }
        tokens.add(new Token(Kind.NUMBER, sql.substring(start, i), start, i));
      } else if ((c == '$' || c == '?')
          && (c == '?' || (i + 1 < n && Character.isDigit(sql.charAt(i + 1))))) {
        int start = i++;
        while (i < n && Character.isDigit(sql.charAt(i))) {
          i++;
        }
        tokens.add(new Token(Kind.PARAMETER, sql.substring(start, i), start, i));
      } else {
        int start = i;
        String two = i + 1 < n ? sql.substring(i, i + 2) : "";
        if (two.equals("::")
            || two.equals("<=")
            || two.equals(">=")
            || two.equals("<>")
            || two.equals("!=")
            || two.equals("||")
            || two.equals("=>")) {
          i += 2;
        } else {
          i++;
        }
        tokens.add(new Token(Kind.SYMBOL, sql.substring(start, i), start, i));
      }
    }
    return tokens;
  }

  /** An E'…' string: backslash escapes the next character, '' is a quote. */
  private static int escapedString(String sql, int i, StringBuilder value) {
    int start = i;
    i++;
    while (true) {
      if (i >= sql.length()) {
        throw error("unterminated string literal", start);
      }
      char c = sql.charAt(i);
      if (c == '\\' && i + 1 < sql.length()) {
        value.append(sql.charAt(i + 1));
        i += 2;
        continue;
      }
      if (c == '\'') {
        if (i + 1 < sql.length() && sql.charAt(i + 1) == '\'') {
          value.append('\'');
          i += 2;
          continue;
        }
        return i + 1;
      }
      value.append(c);
      i++;
    }
  }

  private static int quoted(String sql, int i, char quote, StringBuilder value, String what) {
    int start = i;
    i++;
    while (true) {
      if (i >= sql.length()) {
        throw error("unterminated " + what, start);
      }
      char c = sql.charAt(i);
      if (c == quote) {
        if (i + 1 < sql.length() && sql.charAt(i + 1) == quote) {
          value.append(quote);
          i += 2;
          continue;
        }
        return i + 1;
      }
      value.append(c);
      i++;
    }
  }

  private static SqlException error(String message, int offset) {
    return new SqlException(
        SqlState.SYNTAX_ERROR, message + " at position " + (offset + 1), offset + 1, null);
  }

  /** Splits a script at top-level semicolons into statements (blank ones dropped). */
  public static List<String> splitStatements(String sql) {
    List<String> statements = new ArrayList<>();
    int start = 0;
    for (Token t : tokenize(sql)) {
      if (t.isSymbol(";")) {
        addIfNotBlank(statements, sql.substring(start, t.start()));
        start = t.end();
      }
    }
    addIfNotBlank(statements, sql.substring(start));
    return statements;
  }

  private static void addIfNotBlank(List<String> out, String statement) {
    if (!tokenize(statement).isEmpty()) {
      out.add(statement.strip());
    }
  }
}
