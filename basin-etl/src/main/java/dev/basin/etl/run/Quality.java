package dev.basin.etl.run;

import dev.basin.etl.job.QualityAction;
import dev.basin.etl.job.QualityNode;
import dev.basin.etl.quality.DqdlParser;
import dev.basin.etl.quality.Rule;
import dev.basin.etl.quality.RuleResult;
import dev.basin.etl.quality.RuleSql;
import dev.basin.etl.quality.Ruleset;
import dev.basin.spi.sql.SqlColumn;
import dev.basin.sql.DuckDbSession;
import dev.basin.sql.Sql;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Evaluates a data-quality node: one aggregate scan for every single-pass rule, one query per
 * ReferentialIntegrity or CustomSql rule, and one more scan counting the rows each row-level rule
 * rejects. Then it creates the node's output relation: the rows that pass every row-level rule when
 * the action is QUARANTINE (the others are returned for writing with their failed rules), all rows
 * otherwise.
 */
final class Quality {

  /** The evaluation. */
  record Evaluation(
      List<JobRun.QualityOutcome> outcomes,
      long rows,
      long passedRows,
      long quarantinedRows,
      String quarantineQuery) {

    List<JobRun.QualityOutcome> failed() {
      return outcomes.stream().filter(o -> !o.passed()).toList();
    }
  }

  private final DuckDbSession session;

  Quality(DuckDbSession session) {
    this.session = session;
  }

  /**
   * @param relation the input relation (a temp table or view name)
   * @param references the relations of the ruleset's reference aliases
   */
  Evaluation evaluate(
      QualityNode node, String relation, List<SqlColumn> columns, Map<String, String> references) {
    Ruleset ruleset = DqdlParser.parse(node.rules());
    List<String> names = new ArrayList<>();
    columns.forEach(c -> names.add(c.name()));
    String quoted = Sql.quoteIdent(relation);
    RuleSql sql = RuleSql.compile(ruleset, quoted, names, references);
    String aggregate = sql.aggregateQuery();
    List<SqlColumn> aggColumns = session.describeQuery(aggregate);
    Object[] aggRow = session.queryInternal(aggregate).get(0);
    Map<String, Object> row = new LinkedHashMap<>();
    for (int i = 0; i < aggColumns.size(); i++) {
      row.put(aggColumns.get(i).name(), aggRow[i]);
    }
    Map<String, Object> extras = new LinkedHashMap<>();
    SingleQuery.require(session, aggregate, "node '" + node.id() + "' (DataQuality)");
    for (RuleSql.Query q : sql.extraQueries()) {
      SingleQuery.require(
          session, q.sql(), "node '" + node.id() + "' (DataQuality) rule " + q.rule());
      List<Object[]> r = session.queryInternal(q.sql());
      extras.put(q.key(), r.isEmpty() ? null : r.get(0)[0]);
    }
    List<RuleResult> results = sql.evaluate(row, extras);
    // Row-level rules: how many rows each rejects, in one more scan.
    List<String> predicates = new ArrayList<>();
    List<Integer> ruleIndex = new ArrayList<>();
    for (int i = 0; i < ruleset.rules().size(); i++) {
      Rule rule = ruleset.rules().get(i);
      Optional<String> p = sql.failingRowPredicate(rule);
      if (p.isPresent()) {
        predicates.add("coalesce((" + p.get() + "), false)");
        ruleIndex.add(i);
      }
    }
    Long[] failedRows = new Long[ruleset.rules().size()];
    long total = ((Number) row.getOrDefault("row_count", 0L)).longValue();
    long failing = 0;
    String anyFailing = predicates.isEmpty() ? "false" : String.join(" OR ", predicates);
    if (!predicates.isEmpty()) {
      StringBuilder q =
          new StringBuilder("SELECT count(*) FILTER (WHERE ").append(anyFailing).append(")");
      for (String p : predicates) {
        q.append(", count(*) FILTER (WHERE ").append(p).append(")");
      }
      q.append(" FROM ").append(quoted).append(" AS dq_t");
      Object[] counts = session.queryInternal(q.toString()).get(0);
      failing = ((Number) counts[0]).longValue();
      for (int i = 0; i < ruleIndex.size(); i++) {
        failedRows[ruleIndex.get(i)] = ((Number) counts[i + 1]).longValue();
      }
    }
    List<JobRun.QualityOutcome> outcomes = new ArrayList<>();
    for (int i = 0; i < results.size(); i++) {
      RuleResult r = results.get(i);
      outcomes.add(
          new JobRun.QualityOutcome(
              node.id(), r.rule(), r.passed(), r.message(), r.actual(), failedRows[i]));
    }
    String quarantine = null;
    long passed = total;
    if (node.action() == QualityAction.QUARANTINE && failing > 0) {
      List<String> cases = new ArrayList<>();
      for (int i = 0; i < ruleIndex.size(); i++) {
        cases.add(
            "CASE WHEN "
                + predicates.get(i)
                + " THEN "
                + Sql.quoteString(ruleset.rules().get(ruleIndex.get(i)).dqdl())
                + " END");
      }
      quarantine =
          "SELECT *, concat_ws('; ', "
              + String.join(", ", cases)
              + ") AS dq_failed_rules FROM "
              + quoted
              + " AS dq_t WHERE "
              + anyFailing;
      passed = total - failing;
    }
    String output =
        node.action() == QualityAction.QUARANTINE && failing > 0
            ? "CREATE OR REPLACE TEMP TABLE "
                + Sql.quoteIdent(node.id())
                + " AS SELECT * FROM "
                + quoted
                + " AS dq_t WHERE NOT ("
                + anyFailing
                + ")"
            : "CREATE OR REPLACE TEMP VIEW "
                + Sql.quoteIdent(node.id())
                + " AS SELECT * FROM "
                + quoted;
    session.runInternal(output);
    return new Evaluation(
        outcomes,
        total,
        passed,
        node.action() == QualityAction.QUARANTINE ? failing : 0,
        quarantine);
  }
}
