package dev.basin.etl.quality;

import java.math.BigDecimal;
import java.util.Objects;

/** A value in a DQDL condition: a number, or a quoted string (which may hold a date). */
public record Literal(Kind kind, String value) {
  /** The lexical kind of a literal. */
  public enum Kind {
    NUMBER,
    STRING
  }

  public Literal {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(value, "value");
    if (kind == Kind.NUMBER) {
      new BigDecimal(value); // validates: numbers are emitted into SQL unquoted
    }
  }

  static Literal number(String text) {
    return new Literal(Kind.NUMBER, text);
  }

  static Literal string(String text) {
    return new Literal(Kind.STRING, text);
  }

  /** The numeric value; only for {@link Kind#NUMBER}. */
  public BigDecimal number() {
    if (kind != Kind.NUMBER) {
      throw new IllegalStateException("not a number: " + dqdl());
    }
    return new BigDecimal(value);
  }

  /** The literal as DQDL source text. */
  public String dqdl() {
    return kind == Kind.NUMBER ? value : Sql.dqdlString(value);
  }

  /** The literal as a SQL literal, safely quoted. */
  String sql() {
    return kind == Kind.NUMBER ? value : Sql.literal(value);
  }
}
