package dev.basin.etl.quality;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/** One entry of a DQDL ruleset: a single check or an {@code and}/{@code or} of rules. */
public sealed interface Rule permits Rule.Check, Rule.Composite {

  /** The rule as canonical DQDL text; parsing it again yields an equal rule. */
  String dqdl();

  /**
   * A single rule.
   *
   * @param type the rule type
   * @param arguments the quoted arguments in order (columns; for ReferentialIntegrity the column
   *     and {@code "alias.column"}; for CustomSql the statement)
   * @param condition the condition, absent for rule types that take none
   * @param threshold for ColumnValues/ColumnLength, the condition on the fraction of passing rows
   */
  record Check(
      RuleType type,
      List<String> arguments,
      Optional<Condition> condition,
      Optional<Condition> threshold)
      implements Rule {
    public Check {
      Objects.requireNonNull(type, "type");
      arguments = List.copyOf(arguments);
      Objects.requireNonNull(condition, "condition");
      Objects.requireNonNull(threshold, "threshold");
    }

    /** The first argument: the column for every rule type that has one. */
    public String column() {
      return arguments.get(0);
    }

    @Override
    public String dqdl() {
      StringBuilder sb = new StringBuilder(type.dqdlName());
      for (String a : arguments) {
        sb.append(' ').append(Sql.dqdlString(a));
      }
      condition.ifPresent(c -> sb.append(' ').append(c.dqdl()));
      threshold.ifPresent(t -> sb.append(" with threshold ").append(t.dqdl()));
      return sb.toString();
    }
  }

  /** {@code (r1) and (r2) ...} or {@code (r1) or (r2) ...}. */
  record Composite(Operator operator, List<Rule> operands) implements Rule {
    /** The logical operator. */
    public enum Operator {
      AND,
      OR
    }

    public Composite {
      Objects.requireNonNull(operator, "operator");
      operands = List.copyOf(operands);
      if (operands.size() < 2) {
        throw new IllegalArgumentException("a composite rule needs two or more operands");
      }
    }

    @Override
    public String dqdl() {
      String op = operator == Operator.AND ? " and " : " or ";
      return operands.stream().map(r -> "(" + r.dqdl() + ")").collect(Collectors.joining(op));
    }
  }
}
