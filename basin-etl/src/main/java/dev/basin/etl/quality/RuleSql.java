package dev.basin.etl.quality;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Compiles a {@link Ruleset} to DuckDB SQL over one relation, and turns the query results back into
 * per-rule {@link RuleResult}s. The engine is the caller's: run {@link #aggregateQuery()} (one scan
 * for every rule that can be computed in a single pass), run each of {@link #extraQueries()} (one
 * per ReferentialIntegrity and CustomSql rule), then call {@link #evaluate}.
 *
 * <p>Semantics where Glue leaves room: Completeness is non-null rows / rows; Uniqueness is distinct
 * non-null values / rows (computable in one pass); ColumnValues and ColumnLength count a NULL value
 * as failing; {@code between} is inclusive; {@code matches} must match the whole value; ratios over
 * zero rows are 1. Columns and values from the ruleset are always quoted; the relation, the
 * reference relations and CustomSql statements are SQL supplied by the caller and used verbatim.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class RuleSql {
  /**
   * A query to run besides the aggregate; its result is the single value of its single row.
   *
   * @param key the key under which to pass the value to {@link #evaluate}
   * @param rule the DQDL text of the rule it serves
   * @param sql the query
   */
  public record Query(String key, String rule, String sql) {}

  private static final String ROW_COUNT = "row_count";
  private static final MathContext MC = MathContext.DECIMAL64;

  private final Ruleset ruleset;
  private final String relation;
  private final List<String> columns;
  private final Map<String, String> aggregates = new LinkedHashMap<>(); // expr -> alias
  private final Set<String> aliases = new LinkedHashSet<>();
  private final List<Query> extraQueries = new ArrayList<>();
  private final Map<Rule.Check, Plan> plans = new IdentityHashMap<>();

  /** What a single check needs from the results. */
  private static final class Plan {
    final List<String> missing = new ArrayList<>();
    final Map<String, String> metrics = new LinkedHashMap<>(); // role -> aggregate alias
    String extraKey;
    String failingPredicate;
  }

  private RuleSql(Ruleset ruleset, String relation, List<String> columns) {
    this.ruleset = ruleset;
    this.relation = relation;
    this.columns = columns;
  }

  /**
   * Compiles a ruleset.
   *
   * @param ruleset the parsed rules
   * @param relation the relation to check: a table reference without alias (e.g. {@code
   *     "lake"."orders"}) or a parenthesized subquery; used verbatim
   * @param columns the relation's column names; rules on absent columns fail in {@link #evaluate}
   *     instead of breaking the query (matched case-insensitively, as DuckDB does)
   * @param references relations by alias for ReferentialIntegrity's {@code "alias.column"}
   * @throws DqdlException with {@link QualityErrorCode#UNKNOWN_REFERENCE} for a reference alias not
   *     in {@code references}
   */
  public static RuleSql compile(
      Ruleset ruleset, String relation, List<String> columns, Map<String, String> references) {
    Objects.requireNonNull(ruleset, "ruleset");
    Objects.requireNonNull(references, "references");
    if (relation == null || relation.isBlank()) {
      throw new IllegalArgumentException("relation must not be blank: '" + relation + "'");
    }
    RuleSql sql = new RuleSql(ruleset, relation.strip(), List.copyOf(columns));
    sql.alias("count(*)", ROW_COUNT);
    for (Rule rule : ruleset.rules()) {
      sql.plan(rule, references);
    }
    return sql;
  }

  /** The single aggregate query covering every one-pass rule; returns one row. */
  public String aggregateQuery() {
    return "SELECT "
        + aggregates.entrySet().stream()
            .map(e -> e.getKey() + " AS " + e.getValue())
            .collect(Collectors.joining(", "))
        + " FROM "
        + relation
        + " AS dq_t";
  }

  /** The queries that cannot join the aggregate scan: ReferentialIntegrity and CustomSql. */
  public List<Query> extraQueries() {
    return List.copyOf(extraQueries);
  }

  /**
   * A predicate selecting the rows that fail a row-level rule (IsComplete, ColumnValues,
   * ColumnLength, and and/or composites of them); empty for rules that judge the whole dataset.
   */
  public Optional<String> failingRowPredicate(Rule rule) {
    if (rule instanceof Rule.Check check) {
      Plan plan = plans.get(check);
      return plan == null ? Optional.empty() : Optional.ofNullable(plan.failingPredicate);
    }
    Rule.Composite composite = (Rule.Composite) rule;
    List<String> parts = new ArrayList<>();
    for (Rule operand : composite.operands()) {
      Optional<String> p = failingRowPredicate(operand);
      if (p.isEmpty()) {
        return Optional.empty();
      }
      parts.add("(" + p.get() + ")");
    }
    // A row fails "A and B" if it fails either; it fails "A or B" only if it fails both.
    String op = composite.operator() == Rule.Composite.Operator.AND ? " OR " : " AND ";
    return Optional.of(String.join(op, parts));
  }

  /**
   * A query returning every row that fails at least one row-level rule, with its columns plus
   * {@code dq_failed_rules}: the DQDL text of the failed rules joined by {@code "; "}. Empty when
   * the ruleset has no row-level rule.
   */
  public Optional<String> quarantineQuery() {
    List<String> cases = new ArrayList<>();
    List<String> preds = new ArrayList<>();
    for (Rule rule : ruleset.rules()) {
      Optional<String> p = failingRowPredicate(rule);
      if (p.isPresent()) {
        preds.add("(" + p.get() + ")");
        cases.add("CASE WHEN " + p.get() + " THEN " + Sql.literal(rule.dqdl()) + " END");
      }
    }
    if (preds.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        "SELECT *, concat_ws('; ', "
            + String.join(", ", cases)
            + ") AS dq_failed_rules FROM "
            + relation
            + " AS dq_t WHERE "
            + String.join(" OR ", preds));
  }

  /**
   * Evaluates every top-level rule, in ruleset order.
   *
   * @param aggregateRow the single row of {@link #aggregateQuery()}, by column name
   * @param extraResults the value of each of {@link #extraQueries()}, by {@link Query#key()}
   * @throws IllegalArgumentException if a needed column or key is absent
   */
  public List<RuleResult> evaluate(
      Map<String, Object> aggregateRow, Map<String, Object> extraResults) {
    Map<String, Object> row = new LinkedHashMap<>();
    aggregateRow.forEach((k, v) -> row.put(k.toLowerCase(Locale.ROOT), v));
    List<RuleResult> results = new ArrayList<>();
    for (Rule rule : ruleset.rules()) {
      results.add(evaluate(rule, row, extraResults));
    }
    return results;
  }

  // ---- compilation

  private void plan(Rule rule, Map<String, String> references) {
    if (rule instanceof Rule.Composite composite) {
      for (Rule operand : composite.operands()) {
        plan(operand, references);
      }
      return;
    }
    Rule.Check check = (Rule.Check) rule;
    Plan plan = new Plan();
    plans.put(check, plan);
    RuleType type = check.type();
    List<String> cols = new ArrayList<>();
    switch (type.args) {
      case COLUMN:
      case COLUMN_AND_REFERENCE:
        cols.add(check.column());
        break;
      case COLUMNS:
        cols.addAll(check.arguments());
        break;
      default:
        break;
    }
    Set<String> known =
        columns.stream().map(c -> c.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
    for (String c : cols) {
      if (!known.contains(c.toLowerCase(Locale.ROOT))) {
        plan.missing.add(c);
      }
    }
    if (!plan.missing.isEmpty() || type == RuleType.COLUMN_EXISTS) {
      return;
    }
    String col = cols.isEmpty() ? null : Sql.identifier(cols.get(0));
    switch (type) {
      case ROW_COUNT:
        break;
      case COMPLETENESS:
      case IS_COMPLETE:
        plan.metrics.put("nonnull", metric("nonnull", cols.get(0), "count(" + col + ")"));
        if (type == RuleType.IS_COMPLETE) {
          plan.failingPredicate = col + " IS NULL";
        }
        break;
      case UNIQUENESS:
      case IS_UNIQUE:
      case DISTINCT_VALUES_COUNT:
        plan.metrics.put(
            "distinct", metric("distinct", cols.get(0), "count(DISTINCT " + col + ")"));
        break;
      case IS_PRIMARY_KEY:
        {
          List<String> quoted = cols.stream().map(Sql::identifier).collect(Collectors.toList());
          String key = quoted.size() == 1 ? col : "row(" + String.join(", ", quoted) + ")";
          String name = String.join("_", cols);
          plan.metrics.put("distinct", metric("distinct", name, "count(DISTINCT " + key + ")"));
          String anyNull =
              quoted.stream().map(q -> q + " IS NULL").collect(Collectors.joining(" OR "));
          plan.metrics.put(
              "nulls", metric("nullkey", name, "sum(CASE WHEN " + anyNull + " THEN 1 ELSE 0 END)"));
          break;
        }
      case COLUMN_VALUES:
      case COLUMN_LENGTH:
        {
          String expr =
              type == RuleType.COLUMN_VALUES ? col : "length(CAST(" + col + " AS VARCHAR))";
          String failing = "NOT coalesce(" + check.condition().orElseThrow().sql(expr) + ", false)";
          plan.failingPredicate = failing;
          plan.metrics.put(
              "failed",
              metric("failed", cols.get(0), "sum(CASE WHEN " + failing + " THEN 1 ELSE 0 END)"));
          if (type == RuleType.COLUMN_LENGTH) {
            plan.metrics.put("min_length", metric("minlen", cols.get(0), "min(" + expr + ")"));
            plan.metrics.put("max_length", metric("maxlen", cols.get(0), "max(" + expr + ")"));
          }
          break;
        }
      case MEAN:
        plan.metrics.put("mean", metric("mean", cols.get(0), "avg(" + col + ")"));
        break;
      case SUM:
        plan.metrics.put("sum", metric("sum", cols.get(0), "sum(" + col + ")"));
        break;
      case STANDARD_DEVIATION:
        plan.metrics.put("stddev", metric("stddev", cols.get(0), "stddev_samp(" + col + ")"));
        break;
      case REFERENTIAL_INTEGRITY:
        {
          plan.metrics.put("nonnull", metric("nonnull", cols.get(0), "count(" + col + ")"));
          String reference = check.arguments().get(1);
          int dot = reference.indexOf('.');
          String alias = reference.substring(0, dot);
          String refRelation = references.get(alias);
          if (refRelation == null) {
            throw new DqdlException(
                QualityErrorCode.UNKNOWN_REFERENCE,
                check.dqdl()
                    + ": no reference dataset '"
                    + alias
                    + "' was supplied; known: "
                    + new TreeSet<>(references.keySet()));
          }
          String refCol = Sql.identifier(reference.substring(dot + 1));
          plan.extraKey = "ri_" + extraQueries.size();
          extraQueries.add(
              new Query(
                  plan.extraKey,
                  check.dqdl(),
                  "SELECT count(*) AS unmatched FROM "
                      + relation
                      + " AS dq_t WHERE dq_t."
                      + col
                      + " IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "
                      + refRelation
                      + " AS dq_r WHERE dq_r."
                      + refCol
                      + " = dq_t."
                      + col
                      + ")"));
          break;
        }
      case CUSTOM_SQL:
        plan.extraKey = "custom_" + extraQueries.size();
        extraQueries.add(new Query(plan.extraKey, check.dqdl(), customSql(check.column())));
        break;
      default:
        throw new IllegalStateException("unplanned rule type " + type);
    }
  }

  private String metric(String prefix, String column, String expr) {
    String existing = aggregates.get(expr);
    if (existing != null) {
      return existing;
    }
    String base = prefix + "_" + column.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_");
    if (base.length() > 48) {
      base = base.substring(0, 48);
    }
    String alias = base;
    for (int i = 2; aliases.contains(alias); i++) {
      alias = base + "_" + i;
    }
    alias(expr, alias);
    return alias;
  }

  private void alias(String expr, String alias) {
    aggregates.put(expr, alias);
    aliases.add(alias);
  }

  /**
   * Binds Glue's {@code primary} (the dataset under test) in a CustomSql statement: the relation
   * becomes a CTE and each bare {@code primary} word outside strings and quoted names refers to it.
   */
  private String customSql(String statement) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    int n = statement.length();
    while (i < n) {
      char c = statement.charAt(i);
      if (c == '\'' || c == '"') {
        int j = statement.indexOf(c, i + 1);
        j = j < 0 ? n : j + 1;
        out.append(statement, i, j);
        i = j;
      } else if (Character.isLetter(c) || c == '_') {
        int j = i;
        while (j < n
            && (Character.isLetterOrDigit(statement.charAt(j)) || statement.charAt(j) == '_')) {
          j++;
        }
        String word = statement.substring(i, j);
        boolean qualified = i > 0 && statement.charAt(i - 1) == '.';
        out.append(word.equalsIgnoreCase("primary") && !qualified ? "dq_primary" : word);
        i = j;
      } else {
        out.append(c);
        i++;
      }
    }
    String body = out.toString().strip();
    String cte = "dq_primary AS (SELECT * FROM " + relation + ")";
    String lower = body.toLowerCase(Locale.ROOT);
    if (lower.startsWith("with recursive ")) {
      return "WITH RECURSIVE " + cte + ", " + body.substring("with recursive ".length());
    }
    if (lower.startsWith("with ")) {
      return "WITH " + cte + ", " + body.substring("with ".length());
    }
    return "WITH " + cte + " " + body;
  }

  // ---- evaluation

  private RuleResult evaluate(Rule rule, Map<String, Object> row, Map<String, Object> extra) {
    if (rule instanceof Rule.Composite composite) {
      List<RuleResult> children = new ArrayList<>();
      for (Rule operand : composite.operands()) {
        children.add(evaluate(operand, row, extra));
      }
      long failed = children.stream().filter(r -> !r.passed()).count();
      boolean and = composite.operator() == Rule.Composite.Operator.AND;
      boolean pass = and ? failed == 0 : failed < children.size();
      String message =
          (pass ? "passed" : "failed")
              + ": "
              + failed
              + " of "
              + children.size()
              + " operands of '"
              + (and ? "and" : "or")
              + "' failed";
      return new RuleResult(rule.dqdl(), outcome(pass), Map.of(), message, children);
    }
    return evaluateCheck((Rule.Check) rule, row, extra);
  }

  private RuleResult evaluateCheck(
      Rule.Check check, Map<String, Object> row, Map<String, Object> extra) {
    Plan plan = plans.get(check);
    RuleType type = check.type();
    String subject =
        type.dqdlName()
            + (check.arguments().isEmpty() ? "" : " of " + Sql.dqdlString(check.column()));
    if (type == RuleType.COLUMN_EXISTS) {
      boolean pass = plan.missing.isEmpty();
      return result(
          check,
          pass,
          Map.of(),
          "column "
              + Sql.dqdlString(check.column())
              + (pass ? " exists" : " does not exist; columns: " + columns));
    }
    if (!plan.missing.isEmpty()) {
      return result(
          check,
          false,
          Map.of(),
          "column "
              + plan.missing.stream().map(Sql::dqdlString).collect(Collectors.joining(", "))
              + " does not exist; columns: "
              + columns);
    }
    BigDecimal rows = number(row, ROW_COUNT);
    Map<String, Object> actual = new LinkedHashMap<>();
    switch (type) {
      case ROW_COUNT:
        actual.put("row_count", rows);
        return measured(check, "RowCount", rows, actual);
      case COMPLETENESS:
      case IS_COMPLETE:
        {
          BigDecimal nonnull = number(row, plan.metrics.get("nonnull"));
          BigDecimal nulls = rows.subtract(nonnull);
          actual.put("completeness", ratio(nonnull, rows));
          actual.put("null_count", nulls);
          if (type == RuleType.COMPLETENESS) {
            return measured(check, subject, ratio(nonnull, rows), actual);
          }
          return result(
              check,
              nulls.signum() == 0,
              actual,
              nulls + " of " + rows + " rows of " + Sql.dqdlString(check.column()) + " are null");
        }
      case UNIQUENESS:
      case IS_UNIQUE:
        {
          BigDecimal distinct = number(row, plan.metrics.get("distinct"));
          actual.put("uniqueness", ratio(distinct, rows));
          actual.put("distinct_count", distinct);
          if (type == RuleType.UNIQUENESS) {
            return measured(check, subject, ratio(distinct, rows), actual);
          }
          return result(
              check,
              distinct.compareTo(rows) == 0,
              actual,
              Sql.dqdlString(check.column())
                  + " has "
                  + distinct
                  + " distinct non-null values in "
                  + rows
                  + " rows");
        }
      case IS_PRIMARY_KEY:
        {
          BigDecimal distinct = number(row, plan.metrics.get("distinct"));
          BigDecimal nulls = orZero(row, plan.metrics.get("nulls"));
          actual.put("distinct_count", distinct);
          actual.put("null_key_count", nulls);
          boolean pass = nulls.signum() == 0 && distinct.compareTo(rows) == 0;
          String key =
              check.arguments().stream().map(Sql::dqdlString).collect(Collectors.joining(", "));
          return result(
              check,
              pass,
              actual,
              "key "
                  + key
                  + " has "
                  + distinct
                  + " distinct values in "
                  + rows
                  + " rows, "
                  + nulls
                  + " rows with a null key column");
        }
      case COLUMN_VALUES:
      case COLUMN_LENGTH:
        {
          BigDecimal failed = orZero(row, plan.metrics.get("failed"));
          actual.put("failed_count", failed);
          if (type == RuleType.COLUMN_LENGTH) {
            actual.put("min_length", nullableNumber(row, plan.metrics.get("min_length")));
            actual.put("max_length", nullableNumber(row, plan.metrics.get("max_length")));
          }
          BigDecimal passing = ratio(rows.subtract(failed), rows);
          actual.put("pass_fraction", passing);
          String what =
              failed
                  + " of "
                  + rows
                  + " rows of "
                  + Sql.dqdlString(check.column())
                  + " fail "
                  + (type == RuleType.COLUMN_LENGTH ? "length " : "")
                  + check.condition().orElseThrow().dqdl();
          if (check.threshold().isEmpty()) {
            return result(check, failed.signum() == 0, actual, what);
          }
          Condition threshold = check.threshold().get();
          boolean pass = threshold.test(passing);
          return result(
              check,
              pass,
              actual,
              what
                  + "; pass fraction "
                  + plain(passing)
                  + (pass ? " satisfies " : " does not satisfy ")
                  + "threshold "
                  + threshold.dqdl());
        }
      case MEAN:
      case SUM:
      case STANDARD_DEVIATION:
        {
          String role = type == RuleType.MEAN ? "mean" : type == RuleType.SUM ? "sum" : "stddev";
          BigDecimal value = nullableNumber(row, plan.metrics.get(role));
          actual.put(role, value);
          return measured(check, subject, value, actual);
        }
      case DISTINCT_VALUES_COUNT:
        {
          BigDecimal distinct = number(row, plan.metrics.get("distinct"));
          actual.put("distinct_count", distinct);
          return measured(check, subject, distinct, actual);
        }
      case REFERENTIAL_INTEGRITY:
        {
          BigDecimal nonnull = number(row, plan.metrics.get("nonnull"));
          BigDecimal unmatched = extraNumber(extra, plan.extraKey);
          if (unmatched == null) {
            throw new IllegalArgumentException(
                "extra result '" + plan.extraKey + "' is null for " + check.dqdl());
          }
          BigDecimal matched = ratio(nonnull.subtract(unmatched), nonnull);
          actual.put("matched_fraction", matched);
          actual.put("unmatched_count", unmatched);
          return measured(check, subject, matched, actual);
        }
      case CUSTOM_SQL:
        {
          BigDecimal value = extraNumber(extra, plan.extraKey);
          actual.put("value", value);
          return measured(check, "CustomSql", value, actual);
        }
      default:
        throw new IllegalStateException("unevaluated rule type " + type);
    }
  }

  private RuleResult measured(
      Rule.Check check, String subject, BigDecimal value, Map<String, Object> actual) {
    Condition condition = check.condition().orElseThrow();
    if (value == null) {
      return result(check, false, actual, subject + " is null (no non-null values to measure)");
    }
    boolean pass = condition.test(value);
    return result(
        check,
        pass,
        actual,
        subject
            + " is "
            + plain(value)
            + (pass ? ", satisfies " : ", expected ")
            + condition.dqdl());
  }

  private static RuleResult result(
      Rule rule, boolean pass, Map<String, Object> actual, String message) {
    return new RuleResult(rule.dqdl(), outcome(pass), actual, message, List.of());
  }

  private static RuleResult.Outcome outcome(boolean pass) {
    return pass ? RuleResult.Outcome.PASS : RuleResult.Outcome.FAIL;
  }

  private static BigDecimal ratio(BigDecimal part, BigDecimal whole) {
    if (whole.signum() == 0) {
      return BigDecimal.ONE;
    }
    return part.divide(whole, MC).stripTrailingZeros();
  }

  private static String plain(BigDecimal value) {
    return value.stripTrailingZeros().toPlainString();
  }

  private static BigDecimal number(Map<String, Object> row, String alias) {
    BigDecimal value = nullableNumber(row, alias);
    if (value == null) {
      throw new IllegalArgumentException("aggregate column '" + alias + "' is null");
    }
    return value;
  }

  private static BigDecimal orZero(Map<String, Object> row, String alias) {
    BigDecimal value = nullableNumber(row, alias);
    return value == null ? BigDecimal.ZERO : value; // sum() over zero rows is NULL
  }

  private static BigDecimal nullableNumber(Map<String, Object> row, String alias) {
    if (!row.containsKey(alias)) {
      throw new IllegalArgumentException(
          "aggregate row has no column '" + alias + "'; pass the row of aggregateQuery()");
    }
    return toDecimal(row.get(alias), alias);
  }

  private static BigDecimal extraNumber(Map<String, Object> extra, String key) {
    if (!extra.containsKey(key)) {
      throw new IllegalArgumentException(
          "no result for extra query '" + key + "'; run every query of extraQueries()");
    }
    return toDecimal(extra.get(key), key);
  }

  private static BigDecimal toDecimal(Object value, String name) {
    if (value == null) {
      return null;
    }
    if (value instanceof BigDecimal d) {
      return d;
    }
    if (value instanceof BigInteger i) {
      return new BigDecimal(i);
    }
    if (value instanceof Double || value instanceof Float) {
      double d = ((Number) value).doubleValue();
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        return null;
      }
      return new BigDecimal(Double.toString(d));
    }
    if (value instanceof Number n) {
      return BigDecimal.valueOf(n.longValue());
    }
    try {
      return new BigDecimal(value.toString().strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + name + "' is not a number: " + value, e);
    }
  }
}
