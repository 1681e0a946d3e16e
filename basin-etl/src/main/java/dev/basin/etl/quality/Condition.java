package dev.basin.etl.quality;

import java.math.BigDecimal;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** The expression a rule's measured value (or, for ColumnValues, each row's value) must satisfy. */
public sealed interface Condition
    permits Condition.Comparison, Condition.Between, Condition.InSet, Condition.Matches {

  /** The condition as DQDL source text. */
  String dqdl();

  /** A SQL predicate that is true when {@code expr} satisfies the condition (NULL for NULL). */
  String sql(String expr);

  /**
   * Whether a measured number satisfies the condition. Only for numeric conditions (the parser
   * guarantees this for every rule whose value is a metric).
   */
  boolean test(BigDecimal actual);

  /** Comparison operators. */
  enum Operator {
    EQ("=", "="),
    NE("!=", "<>"),
    GT(">", ">"),
    GE(">=", ">="),
    LT("<", "<"),
    LE("<=", "<=");

    private final String dqdl;
    private final String sql;

    Operator(String dqdl, String sql) {
      this.dqdl = dqdl;
      this.sql = sql;
    }

    public String dqdl() {
      return dqdl;
    }

    static Operator of(String text) {
      for (Operator op : values()) {
        if (op.dqdl.equals(text)) {
          return op;
        }
      }
      return null;
    }

    boolean holds(int cmp) {
      switch (this) {
        case EQ:
          return cmp == 0;
        case NE:
          return cmp != 0;
        case GT:
          return cmp > 0;
        case GE:
          return cmp >= 0;
        case LT:
          return cmp < 0;
        default:
          return cmp <= 0;
      }
    }
  }

  /** {@code <op> value}. */
  record Comparison(Operator operator, Literal value) implements Condition {
    public Comparison {
      Objects.requireNonNull(operator, "operator");
      Objects.requireNonNull(value, "value");
    }

    @Override
    public String dqdl() {
      return operator.dqdl() + " " + value.dqdl();
    }

    @Override
    public String sql(String expr) {
      return expr + " " + operator.sql + " " + value.sql();
    }

    @Override
    public boolean test(BigDecimal actual) {
      return operator.holds(actual.compareTo(value.number()));
    }
  }

  /** {@code [not] between low and high}; both bounds inclusive, as in SQL. */
  record Between(Literal low, Literal high, boolean negated) implements Condition {
    public Between {
      Objects.requireNonNull(low, "low");
      Objects.requireNonNull(high, "high");
    }

    @Override
    public String dqdl() {
      return (negated ? "not " : "") + "between " + low.dqdl() + " and " + high.dqdl();
    }

    @Override
    public String sql(String expr) {
      return expr + (negated ? " NOT" : "") + " BETWEEN " + low.sql() + " AND " + high.sql();
    }

    @Override
    public boolean test(BigDecimal actual) {
      boolean inside = actual.compareTo(low.number()) >= 0 && actual.compareTo(high.number()) <= 0;
      return inside != negated;
    }
  }

  /** {@code [not] in [v1, v2, ...]}. */
  record InSet(List<Literal> values, boolean negated) implements Condition {
    public InSet {
      values = List.copyOf(values);
      if (values.isEmpty()) {
        throw new IllegalArgumentException("in [] needs at least one value");
      }
    }

    @Override
    public String dqdl() {
      return (negated ? "not " : "")
          + "in ["
          + values.stream().map(Literal::dqdl).collect(Collectors.joining(", "))
          + "]";
    }

    @Override
    public String sql(String expr) {
      return expr
          + (negated ? " NOT" : "")
          + " IN ("
          + values.stream().map(Literal::sql).collect(Collectors.joining(", "))
          + ")";
    }

    @Override
    public boolean test(BigDecimal actual) {
      boolean found = values.stream().anyMatch(v -> v.number().compareTo(actual) == 0);
      return found != negated;
    }
  }

  /**
   * {@code [not] matches "regex"}: the whole value (cast to text) must match, as Java's {@code
   * String.matches} does.
   */
  record Matches(String regex, boolean negated) implements Condition {
    public Matches {
      Pattern.compile(regex); // throws PatternSyntaxException for a bad pattern
    }

    @Override
    public String dqdl() {
      return (negated ? "not " : "") + "matches " + Sql.dqdlString(regex);
    }

    @Override
    public String sql(String expr) {
      String call =
          "regexp_matches(CAST("
              + expr
              + " AS VARCHAR), "
              + Sql.literal("^(?:" + regex + ")$")
              + ")";
      return negated ? "NOT " + call : call;
    }

    @Override
    public boolean test(BigDecimal actual) {
      throw new IllegalStateException("matches is a row-level condition");
    }
  }
}
