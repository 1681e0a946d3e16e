package dev.basin.etl.quality;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The DQDL rule types Basin supports, with the shape of their arguments. */
public enum RuleType {
  ROW_COUNT("RowCount", Args.NONE, Cond.NUMERIC),
  COMPLETENESS("Completeness", Args.COLUMN, Cond.NUMERIC),
  IS_COMPLETE("IsComplete", Args.COLUMN, Cond.NONE),
  UNIQUENESS("Uniqueness", Args.COLUMN, Cond.NUMERIC),
  IS_UNIQUE("IsUnique", Args.COLUMN, Cond.NONE),
  IS_PRIMARY_KEY("IsPrimaryKey", Args.COLUMNS, Cond.NONE),
  COLUMN_VALUES("ColumnValues", Args.COLUMN, Cond.VALUE),
  COLUMN_LENGTH("ColumnLength", Args.COLUMN, Cond.ROW_NUMERIC),
  COLUMN_EXISTS("ColumnExists", Args.COLUMN, Cond.NONE),
  MEAN("Mean", Args.COLUMN, Cond.NUMERIC),
  SUM("Sum", Args.COLUMN, Cond.NUMERIC),
  STANDARD_DEVIATION("StandardDeviation", Args.COLUMN, Cond.NUMERIC),
  DISTINCT_VALUES_COUNT("DistinctValuesCount", Args.COLUMN, Cond.NUMERIC),
  REFERENTIAL_INTEGRITY("ReferentialIntegrity", Args.COLUMN_AND_REFERENCE, Cond.NUMERIC),
  CUSTOM_SQL("CustomSql", Args.SQL, Cond.NUMERIC);

  /** The string arguments a rule type takes. */
  enum Args {
    NONE,
    COLUMN,
    COLUMNS,
    COLUMN_AND_REFERENCE,
    SQL
  }

  /** The condition a rule type takes. */
  enum Cond {
    /** No condition. */
    NONE,
    /** A numeric comparison/between/in on a metric. */
    NUMERIC,
    /** A numeric condition checked per row, optionally {@code with threshold}. */
    ROW_NUMERIC,
    /** Any condition on each row's value (numbers, strings, dates, sets, regex), with threshold. */
    VALUE
  }

  private final String dqdlName;
  final Args args;
  final Cond cond;

  RuleType(String dqdlName, Args args, Cond cond) {
    this.dqdlName = dqdlName;
    this.args = args;
    this.cond = cond;
  }

  /** The case-sensitive DQDL name, e.g. {@code IsComplete}. */
  public String dqdlName() {
    return dqdlName;
  }

  /** Whether the rule is checked on each row (and so can select failing rows). */
  public boolean rowLevel() {
    return cond == Cond.ROW_NUMERIC || cond == Cond.VALUE || this == IS_COMPLETE;
  }

  static RuleType byDqdlName(String name) {
    for (RuleType t : values()) {
      if (t.dqdlName.equals(name)) {
        return t;
      }
    }
    return null;
  }

  static String supported() {
    return Arrays.stream(values()).map(RuleType::dqdlName).collect(Collectors.joining(", "));
  }
}
