package dev.basin.etl.job;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * What a {@link TransformNode} does: one record per transform type, engine-neutral. Column names
 * match the input's columns case-insensitively (as DuckDB does); expressions are DuckDB SQL
 * expressions over the input's columns, never statements.
 *
 * <p>Literal values ({@link FilterCondition#value()}, {@link Pivot#values()}) are {@code String},
 * {@code java.math.BigDecimal}, {@code Boolean}, or (for {@code in}) a {@code List} of those.
 */
public sealed interface Transform {

  /** The YAML type name, e.g. {@code ApplyMapping}. */
  String typeName();

  /** Every transform type name, in documentation order. */
  List<String> TYPE_NAMES =
      List.of(
          "ApplyMapping",
          "RenameField",
          "Cast",
          "SelectFields",
          "DropFields",
          "Filter",
          "Join",
          "DropDuplicates",
          "Aggregate",
          "Union",
          "DerivedColumn",
          "FillMissingValues",
          "Pivot",
          "Unpivot",
          "Sql");

  /**
   * Casts and renames; columns not mapped are dropped (Glue's ApplyMapping / ChangeSchema).
   *
   * @param mappings in output order
   */
  record ApplyMapping(List<FieldMapping> mappings) implements Transform {
    public ApplyMapping {
      mappings = List.copyOf(mappings);
    }

    @Override
    public String typeName() {
      return "ApplyMapping";
    }
  }

  /**
   * One output column of ApplyMapping.
   *
   * @param from the input column
   * @param to the output name
   * @param type the DuckDB type to cast to, or null to keep the type
   */
  record FieldMapping(String from, String to, String type) {
    public FieldMapping {
      Objects.requireNonNull(from, "from");
      Objects.requireNonNull(to, "to");
    }
  }

  /** Renames one column, keeping its position. */
  record RenameField(String from, String to) implements Transform {
    public RenameField {
      Objects.requireNonNull(from, "from");
      Objects.requireNonNull(to, "to");
    }

    @Override
    public String typeName() {
      return "RenameField";
    }
  }

  /**
   * Changes column types in place (Glue Studio's "Change type").
   *
   * @param columns column → DuckDB type, in order
   */
  record Cast(Map<String, String> columns) implements Transform {
    public Cast {
      columns = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(columns));
    }

    @Override
    public String typeName() {
      return "Cast";
    }
  }

  /** Keeps only these columns, in this order. */
  record SelectFields(List<String> columns) implements Transform {
    public SelectFields {
      columns = List.copyOf(columns);
    }

    @Override
    public String typeName() {
      return "SelectFields";
    }
  }

  /** Removes these columns. */
  record DropFields(List<String> columns) implements Transform {
    public DropFields {
      columns = List.copyOf(columns);
    }

    @Override
    public String typeName() {
      return "DropFields";
    }
  }

  /**
   * Keeps the rows matching a SQL boolean {@code condition}, or a list of {@code conditions}
   * combined with {@code logic}; exactly one of the two is given.
   */
  record Filter(String condition, List<FilterCondition> conditions, Logic logic)
      implements Transform {
    public Filter {
      conditions = List.copyOf(conditions == null ? List.of() : conditions);
      logic = logic == null ? Logic.AND : logic;
      if ((condition == null) == conditions.isEmpty()) {
        throw new IllegalArgumentException("a Filter has either a condition or conditions");
      }
    }

    @Override
    public String typeName() {
      return "Filter";
    }
  }

  /** How Filter combines its conditions. */
  enum Logic {
    AND,
    OR
  }

  /**
   * One Glue-style filter condition.
   *
   * @param column the column
   * @param op the operator
   * @param value the literal (a list for IN/NOT_IN; null for IS_NULL/IS_NOT_NULL)
   */
  record FilterCondition(String column, FilterOp op, Object value) {
    public FilterCondition {
      Objects.requireNonNull(column, "column");
      Objects.requireNonNull(op, "op");
      if (value instanceof List<?> list) {
        value = List.copyOf(list);
      }
    }
  }

  /** Filter operators; {@link #symbol()} is the YAML spelling. */
  enum FilterOp {
    EQ("="),
    NE("!="),
    LT("<"),
    LE("<="),
    GT(">"),
    GE(">="),
    IN("in"),
    NOT_IN("not in"),
    LIKE("like"),
    NOT_LIKE("not like"),
    IS_NULL("is null"),
    IS_NOT_NULL("is not null");

    private final String symbol;

    FilterOp(String symbol) {
      this.symbol = symbol;
    }

    /** The YAML spelling. */
    public String symbol() {
      return symbol;
    }

    /** The operator for a YAML spelling (case-insensitive; {@code ==} and {@code <>} accepted). */
    static FilterOp of(String s) {
      String t = s.trim().toLowerCase(Locale.ROOT).replaceAll("\\s+", " ");
      if (t.equals("==")) {
        return EQ;
      }
      if (t.equals("<>")) {
        return NE;
      }
      for (FilterOp op : values()) {
        if (op.symbol.equals(t)) {
          return op;
        }
      }
      return null;
    }
  }

  /**
   * Joins two inputs ({@code inputs: [left, right]}). The output has the left columns, then the
   * right columns (none for SEMI and ANTI). A right column whose name is also a left column is
   * renamed {@code <rightNodeId>_<column>}, except that with {@code dropDuplicateColumns} a right
   * join key equal in name to its left key is dropped (for RIGHT and FULL joins the kept key is
   * {@code coalesce(left, right)}).
   */
  record Join(JoinType joinType, List<JoinKey> on, boolean dropDuplicateColumns)
      implements Transform {
    public Join {
      Objects.requireNonNull(joinType, "joinType");
      on = List.copyOf(on);
    }

    @Override
    public String typeName() {
      return "Join";
    }
  }

  /** Join types; {@code outer} is accepted for FULL. */
  enum JoinType {
    INNER,
    LEFT,
    RIGHT,
    FULL,
    SEMI,
    ANTI
  }

  /** One equality of a join condition. */
  record JoinKey(String left, String right) {
    public JoinKey {
      Objects.requireNonNull(left, "left");
      Objects.requireNonNull(right, "right");
    }
  }

  /**
   * Removes duplicate rows: rows equal in every column when {@code keys} is empty, otherwise one
   * row per distinct key, the first ({@code keep: first}) or last by {@code orderBy} (an arbitrary
   * one without orderBy).
   */
  record DropDuplicates(List<String> keys, Keep keep, List<String> orderBy) implements Transform {
    public DropDuplicates {
      keys = List.copyOf(keys == null ? List.of() : keys);
      orderBy = List.copyOf(orderBy == null ? List.of() : orderBy);
      keep = keep == null ? Keep.FIRST : keep;
    }

    @Override
    public String typeName() {
      return "DropDuplicates";
    }
  }

  /** Which duplicate DropDuplicates keeps. */
  enum Keep {
    FIRST,
    LAST
  }

  /** Groups by {@code groupBy} (none: one row) and computes the aggregations. */
  record Aggregate(List<String> groupBy, List<Aggregation> aggregations) implements Transform {
    public Aggregate {
      groupBy = List.copyOf(groupBy == null ? List.of() : groupBy);
      aggregations = List.copyOf(aggregations);
    }

    @Override
    public String typeName() {
      return "Aggregate";
    }
  }

  /**
   * One aggregate column.
   *
   * @param column the input column; null only for {@code count} (count of rows)
   * @param function the function
   * @param as the output name
   */
  record Aggregation(String column, AggFunction function, String as) {
    public Aggregation {
      Objects.requireNonNull(function, "function");
      Objects.requireNonNull(as, "as");
    }
  }

  /**
   * Aggregate functions; YAML spelling is the lower-case name. STDDEV is the sample standard
   * deviation; FIRST and LAST return a value of the group in no guaranteed order (as Spark's).
   */
  enum AggFunction {
    COUNT,
    COUNT_DISTINCT,
    SUM,
    AVG,
    MIN,
    MAX,
    STDDEV,
    FIRST,
    LAST
  }

  /**
   * Concatenates two or more inputs. {@code byName} (default) matches columns by name, filling a
   * column an input lacks with NULL; otherwise by position, names from the first input. {@code
   * distinct} removes duplicate rows.
   */
  record Union(boolean byName, boolean distinct) implements Transform {
    @Override
    public String typeName() {
      return "Union";
    }
  }

  /** Adds (or replaces in place) column {@code name} computed by a SQL expression. */
  record DerivedColumn(String name, String expression) implements Transform {
    public DerivedColumn {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(expression, "expression");
    }

    @Override
    public String typeName() {
      return "DerivedColumn";
    }
  }

  /** Replaces NULLs column by column. */
  record FillMissingValues(List<Fill> fills) implements Transform {
    public FillMissingValues {
      fills = List.copyOf(fills);
    }

    @Override
    public String typeName() {
      return "FillMissingValues";
    }
  }

  /**
   * How one column is filled. The fill value is cast to the column's type, so the type does not
   * change (a mean of an integer column is rounded).
   *
   * @param column the column
   * @param strategy constant, mean, median or mode
   * @param value the constant as text; null for the other strategies
   */
  record Fill(String column, FillStrategy strategy, String value) {
    public Fill {
      Objects.requireNonNull(column, "column");
      Objects.requireNonNull(strategy, "strategy");
      if ((strategy == FillStrategy.CONSTANT) != (value != null)) {
        throw new IllegalArgumentException("a value is given exactly for strategy constant");
      }
    }
  }

  /** Fill strategies. */
  enum FillStrategy {
    CONSTANT,
    MEAN,
    MEDIAN,
    MODE
  }

  /**
   * Rows to columns: one output row per {@code groupBy} combination, one column per entry of {@code
   * values} (named by the value's text) holding {@code aggregation(valueColumn)} over the rows
   * whose {@code pivotColumn} equals it. The values are required so the columns are static.
   */
  record Pivot(
      List<String> groupBy,
      String pivotColumn,
      String valueColumn,
      AggFunction aggregation,
      List<Object> values)
      implements Transform {
    public Pivot {
      groupBy = List.copyOf(groupBy == null ? List.of() : groupBy);
      Objects.requireNonNull(pivotColumn, "pivotColumn");
      Objects.requireNonNull(valueColumn, "valueColumn");
      Objects.requireNonNull(aggregation, "aggregation");
      values = List.copyOf(values);
    }

    @Override
    public String typeName() {
      return "Pivot";
    }
  }

  /**
   * Columns to rows: each input row gives one row per column in {@code columns}, with the other
   * columns, {@code nameColumn} = the column's name and {@code valueColumn} = its value; NULL
   * values are kept unless {@code dropNulls}.
   */
  record Unpivot(List<String> columns, String nameColumn, String valueColumn, boolean dropNulls)
      implements Transform {
    public Unpivot {
      columns = List.copyOf(columns);
      Objects.requireNonNull(nameColumn, "nameColumn");
      Objects.requireNonNull(valueColumn, "valueColumn");
    }

    @Override
    public String typeName() {
      return "Unpivot";
    }
  }

  /** A query (SELECT/WITH/FROM/VALUES) that reads its inputs by their node ids as table names. */
  record Sql(String sql) implements Transform {
    public Sql {
      Objects.requireNonNull(sql, "sql");
    }

    @Override
    public String typeName() {
      return "Sql";
    }
  }
}
