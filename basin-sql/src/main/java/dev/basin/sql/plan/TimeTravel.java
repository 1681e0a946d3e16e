package dev.basin.sql.plan;

import dev.basin.sql.plan.SqlLexer.Kind;
import dev.basin.sql.plan.SqlLexer.Token;
import java.util.List;
import java.util.Set;

/**
 * Rewrites the Athena/Trino time-travel clauses {@code t FOR VERSION AS OF 123 [AS] x} and {@code t
 * FOR TIMESTAMP AS OF TIMESTAMP '…' [AS] x} (also {@code FOR SYSTEM_VERSION}/{@code FOR
 * SYSTEM_TIME}) into DuckDB's {@code t [AS] x AT (VERSION => 123)} form, which DuckDB's parser
 * understands and which Basin resolves.
 */
final class TimeTravel {

  private static final Set<String> NOT_ALIASES =
      Set.of(
          "where",
          "join",
          "left",
          "right",
          "inner",
          "full",
          "cross",
          "on",
          "group",
          "order",
          "limit",
          "union",
          "except",
          "intersect",
          "having",
          "window",
          "qualify",
          "using",
          "natural",
          "offset",
          "fetch",
          "positional",
          "asof",
          "anti",
          "semi",
          "lateral",
          "for");

  private TimeTravel() {}

  static String rewrite(String sql) {
    List<Token> tokens = SqlLexer.tokenize(sql);
    StringBuilder out = new StringBuilder();
    int copied = 0;
    for (int i = 0; i + 3 < tokens.size(); i++) {
      Token f = tokens.get(i);
      if (!f.is("for")) {
        continue;
      }
      Token unit = tokens.get(i + 1);
      String kind;
      if (unit.is("version") || unit.is("system_version")) {
        kind = "VERSION";
      } else if (unit.is("timestamp") || unit.is("system_time")) {
        kind = "TIMESTAMP";
      } else {
        continue;
      }
      if (!tokens.get(i + 2).is("as") || !tokens.get(i + 3).is("of")) {
        continue;
      }
      int exprStart = i + 4;
      int exprEnd = expressionEnd(tokens, exprStart);
      if (exprEnd <= exprStart) {
        continue;
      }
      String expr = sql.substring(tokens.get(exprStart).start(), tokens.get(exprEnd - 1).end());
      int aliasEnd = exprEnd;
      String alias = "";
      if (aliasEnd < tokens.size() && tokens.get(aliasEnd).is("as")) {
        aliasEnd++;
      }
      if (aliasEnd < tokens.size()
          && (tokens.get(aliasEnd).kind() == Kind.QUOTED
              || (tokens.get(aliasEnd).kind() == Kind.WORD
                  && !NOT_ALIASES.contains(tokens.get(aliasEnd).name())))) {
        alias = sql.substring(tokens.get(exprEnd).start(), tokens.get(aliasEnd).end());
        aliasEnd++;
      } else {
        aliasEnd = exprEnd;
      }
      out.append(sql, copied, f.start());
      if (!alias.isEmpty()) {
        out.append(alias).append(' ');
      }
      out.append("AT (").append(kind).append(" => ").append(expr).append(')');
      copied = aliasEnd == exprEnd ? tokens.get(exprEnd - 1).end() : tokens.get(aliasEnd - 1).end();
      i = aliasEnd - 1;
    }
    out.append(sql.substring(copied));
    return out.toString();
  }

  /**
   * The index after a literal time-travel expression: a number, a string, TYPE 'string' or ( … ).
   */
  private static int expressionEnd(List<Token> tokens, int start) {
    if (start >= tokens.size()) {
      return start;
    }
    Token t = tokens.get(start);
    if (t.kind() == Kind.NUMBER || t.kind() == Kind.STRING || t.kind() == Kind.PARAMETER) {
      return start + 1;
    }
    if (t.isSymbol("-") && start + 1 < tokens.size()) {
      return start + 2;
    }
    if (t.kind() == Kind.WORD
        && start + 1 < tokens.size()
        && tokens.get(start + 1).kind() == Kind.STRING) {
      return start + 2;
    }
    if (t.kind() == Kind.WORD && start + 2 < tokens.size() && tokens.get(start + 1).isSymbol("(")) {
      int depth = 0;
      for (int i = start + 1; i < tokens.size(); i++) {
        if (tokens.get(i).isSymbol("(")) {
          depth++;
        } else if (tokens.get(i).isSymbol(")") && --depth == 0) {
          return i + 1;
        }
      }
    }
    if (t.isSymbol("(")) {
      int depth = 0;
      for (int i = start; i < tokens.size(); i++) {
        if (tokens.get(i).isSymbol("(")) {
          depth++;
        } else if (tokens.get(i).isSymbol(")") && --depth == 0) {
          return i + 1;
        }
      }
    }
    if (t.kind() == Kind.WORD) {
      return start + 1;
    }
    return start;
  }
}
