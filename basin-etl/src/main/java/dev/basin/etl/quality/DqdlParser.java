package dev.basin.etl.quality;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.PatternSyntaxException;

/**
 * Parses AWS Glue Data Quality Definition Language (DQDL) rulesets.
 *
 * <p>Supported: {@code Rules = [ rule, ... ]} with {@code #} line comments; every {@link RuleType};
 * conditions {@code = != > >= < <=}, {@code [not] between A and B}, {@code [not] in [..]}, {@code
 * [not] matches "re"} over numbers and quoted strings (dates are quoted strings); {@code with
 * threshold <cond>} on ColumnValues and ColumnLength; composite rules {@code (r1) and (r2)}, {@code
 * (r1) or (r2)}, nested with parentheses. As in Glue, rule type names are case-sensitive, and a
 * level may not mix {@code and} with {@code or} without parentheses.
 *
 * <p>Stateless and thread-safe.
 */
public final class DqdlParser {
  private static final String CONDITION_FORMS =
      "=, !=, >, >=, <, <=, between, not between, in, not in, matches";

  private final List<Token> tokens;
  private int pos;

  private DqdlParser(List<Token> tokens) {
    this.tokens = tokens;
  }

  /**
   * Parses a ruleset.
   *
   * @throws DqdlException with the line:column of the first error and what was expected there
   */
  public static Ruleset parse(String ruleset) {
    if (ruleset == null) {
      throw new IllegalArgumentException("ruleset must not be null");
    }
    return new DqdlParser(tokenize(ruleset)).ruleset();
  }

  // ---- grammar

  private Ruleset ruleset() {
    Token t = next();
    if (t.kind != Kind.IDENT || !t.text.equals("Rules")) {
      throw error(t, "expected 'Rules' at the start of the ruleset, found " + describe(t));
    }
    expect(Kind.EQUALS, "expected '=' after Rules");
    expect(Kind.LBRACKET, "expected '[' after 'Rules ='");
    List<Rule> rules = new ArrayList<>();
    if (peek().kind == Kind.RBRACKET) {
      throw error(peek(), "expected at least one rule in Rules = [ ... ]");
    }
    while (true) {
      rules.add(expression());
      Token sep = next();
      if (sep.kind == Kind.RBRACKET) {
        break;
      }
      if (sep.kind != Kind.COMMA) {
        throw error(sep, "expected ',' or ']' after a rule, found " + describe(sep));
      }
      if (peek().kind == Kind.RBRACKET) {
        throw error(peek(), "expected a rule after ',', found ']' (remove the trailing comma)");
      }
    }
    Token end = next();
    if (end.kind != Kind.EOF) {
      throw error(end, "expected end of input after ']', found " + describe(end));
    }
    return new Ruleset(rules);
  }

  /** rule | (expr) [and (expr)]... | (expr) [or (expr)]... */
  private Rule expression() {
    if (peek().kind != Kind.LPAREN) {
      return check();
    }
    List<Rule> operands = new ArrayList<>();
    operands.add(parenthesized());
    Rule.Composite.Operator op = null;
    while (isKeyword(peek(), "and") || isKeyword(peek(), "or")) {
      Token opToken = next();
      Rule.Composite.Operator thisOp =
          isKeyword(opToken, "and") ? Rule.Composite.Operator.AND : Rule.Composite.Operator.OR;
      if (op != null && op != thisOp) {
        throw error(
            opToken,
            "cannot mix 'and' and 'or' at one level; add parentheses, e.g. (A) and ((B) or (C))");
      }
      op = thisOp;
      if (peek().kind != Kind.LPAREN) {
        throw error(
            peek(),
            "expected '(' after '"
                + opToken.text
                + "' (each operand of a composite rule is parenthesized), found "
                + describe(peek()));
      }
      operands.add(parenthesized());
    }
    return op == null ? operands.get(0) : new Rule.Composite(op, operands);
  }

  private Rule parenthesized() {
    Token open = next();
    Rule inner = expression();
    Token close = next();
    if (close.kind != Kind.RPAREN) {
      throw error(
          close,
          "expected ')' to close the '(' at line "
              + open.line
              + ":"
              + open.column
              + ", found "
              + describe(close));
    }
    return inner;
  }

  private Rule.Check check() {
    Token name = next();
    if (name.kind != Kind.IDENT) {
      throw error(name, "expected a rule type, found " + describe(name));
    }
    RuleType type = RuleType.byDqdlName(name.text);
    if (type == null) {
      throw error(
          name, "unknown rule type '" + name.text + "'; supported: " + RuleType.supported());
    }
    List<String> args = new ArrayList<>();
    switch (type.args) {
      case NONE:
        break;
      case COLUMN:
        args.add(column(type, "a quoted column name"));
        break;
      case COLUMNS:
        args.add(column(type, "a quoted column name"));
        while (peek().kind == Kind.STRING) {
          args.add(column(type, "a quoted column name"));
        }
        break;
      case COLUMN_AND_REFERENCE:
        args.add(column(type, "a quoted column name"));
        Token ref = peek();
        String reference = column(type, "a quoted reference column (\"alias.column\")");
        int dot = reference.indexOf('.');
        if (dot <= 0 || dot == reference.length() - 1) {
          throw error(
              ref, "expected the reference column as \"alias.column\", found " + describe(ref));
        }
        args.add(reference);
        break;
      default:
        args.add(column(type, "a quoted SQL statement"));
        break;
    }
    String subject = type.dqdlName() + (args.isEmpty() ? "" : " " + Sql.dqdlString(args.get(0)));
    if (type.cond == RuleType.Cond.NONE) {
      if (startsCondition(peek())) {
        throw error(peek(), type.dqdlName() + " takes no condition, found " + describe(peek()));
      }
      return new Rule.Check(type, args, Optional.empty(), Optional.empty());
    }
    if (!startsCondition(peek())) {
      throw error(
          peek(),
          "expected a condition ("
              + CONDITION_FORMS
              + ") after "
              + subject
              + ", found "
              + describe(peek()));
    }
    Condition condition = condition(type.cond == RuleType.Cond.VALUE, subject);
    Optional<Condition> threshold = Optional.empty();
    if (isKeyword(peek(), "with")) {
      Token with = next();
      if (type.cond == RuleType.Cond.NUMERIC) {
        throw error(with, type.dqdlName() + " does not take 'with threshold'");
      }
      Token th = next();
      if (!isKeyword(th, "threshold")) {
        throw error(th, "expected 'threshold' after 'with', found " + describe(th));
      }
      if (!startsCondition(peek())) {
        throw error(
            peek(), "expected a condition after 'with threshold', found " + describe(peek()));
      }
      threshold = Optional.of(condition(false, "with threshold"));
    }
    return new Rule.Check(type, args, Optional.of(condition), threshold);
  }

  private String column(RuleType type, String what) {
    Token t = next();
    if (t.kind != Kind.STRING) {
      throw error(t, "expected " + what + " after " + type.dqdlName() + ", found " + describe(t));
    }
    if (t.text.isEmpty()) {
      throw error(t, "expected " + what + " after " + type.dqdlName() + ", found an empty string");
    }
    return t.text;
  }

  private boolean startsCondition(Token t) {
    return t.kind == Kind.EQUALS
        || t.kind == Kind.OPERATOR
        || isKeyword(t, "between")
        || isKeyword(t, "in")
        || isKeyword(t, "matches")
        || isKeyword(t, "not");
  }

  private Condition condition(boolean anyValue, String subject) {
    Token t = next();
    if (t.kind == Kind.EQUALS || t.kind == Kind.OPERATOR) {
      Condition.Operator op = Condition.Operator.of(t.text);
      return new Condition.Comparison(op, value(anyValue, "'" + t.text + "'"));
    }
    boolean negated = false;
    if (isKeyword(t, "not")) {
      negated = true;
      t = next();
    }
    if (isKeyword(t, "between")) {
      Literal low = value(anyValue, "between");
      Token and = next();
      if (!isKeyword(and, "and")) {
        throw error(and, "expected 'and' after between " + low.dqdl() + ", found " + describe(and));
      }
      Literal high = value(anyValue, "between " + low.dqdl() + " and");
      return new Condition.Between(low, high, negated);
    }
    if (isKeyword(t, "in")) {
      Token open = next();
      if (open.kind != Kind.LBRACKET) {
        throw error(open, "expected '[' after in, found " + describe(open));
      }
      List<Literal> values = new ArrayList<>();
      values.add(value(anyValue, "'['"));
      while (true) {
        Token sep = next();
        if (sep.kind == Kind.RBRACKET) {
          break;
        }
        if (sep.kind != Kind.COMMA) {
          throw error(sep, "expected ',' or ']' in the value list, found " + describe(sep));
        }
        values.add(value(anyValue, "','"));
      }
      return new Condition.InSet(values, negated);
    }
    if (isKeyword(t, "matches")) {
      if (!anyValue) {
        throw error(
            t, subject + " does not support matches; use " + "=, !=, >, >=, <, <=, between or in");
      }
      Token re = next();
      if (re.kind != Kind.STRING) {
        throw error(
            re, "expected a quoted regular expression after matches, found " + describe(re));
      }
      try {
        return new Condition.Matches(re.text, negated);
      } catch (PatternSyntaxException e) {
        throw error(re, "invalid regular expression: " + e.getDescription());
      }
    }
    throw error(
        t,
        "expected "
            + (negated
                ? "between, in or matches after 'not'"
                : "a condition (" + CONDITION_FORMS + ")")
            + " after "
            + subject
            + ", found "
            + describe(t));
  }

  private Literal value(boolean anyValue, String after) {
    Token t = next();
    if (t.kind == Kind.NUMBER) {
      return Literal.number(t.text);
    }
    if (t.kind == Kind.STRING && anyValue) {
      return Literal.string(t.text);
    }
    throw error(
        t,
        "expected "
            + (anyValue ? "a number or a quoted value" : "a number")
            + " after "
            + after
            + ", found "
            + describe(t));
  }

  // ---- tokens

  private Token peek() {
    return tokens.get(pos);
  }

  private Token next() {
    Token t = tokens.get(pos);
    if (t.kind != Kind.EOF) {
      pos++;
    }
    return t;
  }

  private void expect(Kind kind, String message) {
    Token t = next();
    if (t.kind != kind) {
      throw error(t, message + ", found " + describe(t));
    }
  }

  private static boolean isKeyword(Token t, String keyword) {
    return t.kind == Kind.IDENT && t.text.toLowerCase(Locale.ROOT).equals(keyword);
  }

  private static DqdlException error(Token t, String message) {
    return new DqdlException(t.line, t.column, message);
  }

  private static String describe(Token t) {
    switch (t.kind) {
      case EOF:
        return "end of input";
      case STRING:
        return "string " + Sql.dqdlString(t.text);
      default:
        return "'" + t.text + "'";
    }
  }

  private enum Kind {
    IDENT,
    STRING,
    NUMBER,
    EQUALS,
    OPERATOR,
    LBRACKET,
    RBRACKET,
    LPAREN,
    RPAREN,
    COMMA,
    EOF
  }

  private record Token(Kind kind, String text, int line, int column) {}

  private static List<Token> tokenize(String src) {
    List<Token> out = new ArrayList<>();
    int i = 0;
    int line = 1;
    int lineStart = 0;
    int n = src.length();
    while (i < n) {
      char c = src.charAt(i);
      int col = i - lineStart + 1;
      if (c == '\n') {
        line++;
        lineStart = ++i;
      } else if (Character.isWhitespace(c)) {
        i++;
      } else if (c == '#') {
        while (i < n && src.charAt(i) != '\n') {
          i++;
        }
      } else if (c == '"') {
        int startLine = line;
        StringBuilder sb = new StringBuilder();
        i++;
        boolean closed = false;
        while (i < n) {
          char d = src.charAt(i);
          if (d == '"') {
            closed = true;
            i++;
            break;
          }
          if (d == '\\' && i + 1 < n && (src.charAt(i + 1) == '"' || src.charAt(i + 1) == '\\')) {
            sb.append(src.charAt(i + 1));
            i += 2;
            continue;
          }
          if (d == '\n') {
            line++;
            lineStart = i + 1;
          }
          sb.append(d);
          i++;
        }
        if (!closed) {
          throw new DqdlException(startLine, col, "unterminated string; add the closing '\"'");
        }
        out.add(new Token(Kind.STRING, sb.toString(), startLine, col));
      } else if (Character.isDigit(c)
          || (c == '-' && i + 1 < n && Character.isDigit(src.charAt(i + 1)))) {
        int start = i;
        i++;
        while (i < n && Character.isDigit(src.charAt(i))) {
          i++;
        }
        if (i + 1 < n && src.charAt(i) == '.' && Character.isDigit(src.charAt(i + 1))) {
          i++;
          while (i < n && Character.isDigit(src.charAt(i))) {
            i++;
          }
        }
        if (i < n && (src.charAt(i) == 'e' || src.charAt(i) == 'E')) {
          int j = i + 1;
          if (j < n && (src.charAt(j) == '+' || src.charAt(j) == '-')) {
            j++;
          }
          if (j < n && Character.isDigit(src.charAt(j))) {
            i = j;
            while (i < n && Character.isDigit(src.charAt(i))) {
              i++;
            }
          }
        }
        out.add(new Token(Kind.NUMBER, src.substring(start, i), line, col));
      } else if (Character.isLetter(c) || c == '_') {
        int start = i;
        while (i < n && (Character.isLetterOrDigit(src.charAt(i)) || src.charAt(i) == '_')) {
          i++;
        }
        out.add(new Token(Kind.IDENT, src.substring(start, i), line, col));
      } else {
        Kind kind;
        String text = String.valueOf(c);
        switch (c) {
          case '[':
            kind = Kind.LBRACKET;
            break;
          case ']':
            kind = Kind.RBRACKET;
            break;
          case '(':
            kind = Kind.LPAREN;
            break;
          case ')':
            kind = Kind.RPAREN;
            break;
          case ',':
            kind = Kind.COMMA;
            break;
          case '=':
            kind = Kind.EQUALS;
            break;
          case '>':
          case '<':
          case '!':
            boolean eq = i + 1 < n && src.charAt(i + 1) == '=';
            if (c == '!' && !eq) {
              throw new DqdlException(line, col, "unexpected character '!'; did you mean '!='?");
            }
            kind = Kind.OPERATOR;
            text = eq ? c + "=" : text;
            break;
          default:
            throw new DqdlException(line, col, "unexpected character '" + c + "'");
        }
        i += text.length();
        out.add(new Token(kind, text, line, col));
      }
    }
    out.add(new Token(Kind.EOF, "", line, n - lineStart + 1));
    return out;
  }
}
