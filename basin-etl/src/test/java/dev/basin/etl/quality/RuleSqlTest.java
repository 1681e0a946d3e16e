package dev.basin.etl.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.basin.etl.quality.RuleResult.Outcome;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RuleSqlTest {
  private static final List<String> COLUMNS = List.of("id", "price", "name", "country", "d");

  private static RuleSql compile(String dqdl) {
    return RuleSql.compile(
        DqdlParser.parse(dqdl), "orders", COLUMNS, Map.of("ref", "\"dim\".\"customers\""));
  }

  private static Map<String, Object> row(Object... kv) {
    Map<String, Object> m = new HashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  @Test
  void onePassRulesShareOneAggregateQuery() {
    RuleSql sql =
        compile(
            "Rules = [ RowCount > 0, IsComplete \"id\", Completeness \"id\" > 0.9, IsUnique \"id\","
                + " ColumnValues \"price\" between 1 and 10, Mean \"price\" > 2 ]");
    assertThat(sql.aggregateQuery())
        .isEqualTo(
            "SELECT count(*) AS row_count, count(\"id\") AS nonnull_id,"
                + " count(DISTINCT \"id\") AS distinct_id,"
                + " sum(CASE WHEN NOT coalesce(\"price\" BETWEEN 1 AND 10, false) THEN 1 ELSE 0"
                + " END) AS failed_price, avg(\"price\") AS mean_price FROM orders AS dq_t");
    assertThat(sql.extraQueries()).isEmpty();
  }

  @Test
  void everyRuleTypeNeedsOnlyOneScanPlusReferentialIntegrityAndCustomSql() {
    RuleSql sql =
        compile(
            "Rules = [ RowCount > 0, Completeness \"id\" > 0.5, IsComplete \"name\","
                + " Uniqueness \"id\" = 1.0, IsUnique \"id\", IsPrimaryKey \"id\" \"name\","
                + " ColumnValues \"country\" in [\"DE\", \"FR\"], ColumnValues \"name\" matches"
                + " \"[a-z]+\", ColumnValues \"d\" >= \"2024-01-01\", ColumnLength \"name\" between"
                + " 1 and 10, ColumnExists \"id\", Mean \"price\" > 1, Sum \"price\" < 100,"
                + " StandardDeviation \"price\" < 5, DistinctValuesCount \"country\" = 2,"
                + " ReferentialIntegrity \"id\" \"ref.customer_id\" = 1.0,"
                + " CustomSql \"SELECT max(price) FROM primary\" < 50 ]");
    String agg = sql.aggregateQuery();
    assertThat(agg.split("SELECT", -1)).hasSize(2);
    assertThat(agg)
        .contains("count(DISTINCT row(\"id\", \"name\")) AS distinct_id_name")
        .contains(
            "sum(CASE WHEN \"id\" IS NULL OR \"name\" IS NULL THEN 1 ELSE 0 END) AS nullkey_id_name")
        .contains("\"country\" IN ('DE', 'FR')")
        .contains("regexp_matches(CAST(\"name\" AS VARCHAR), '^(?:[a-z]+)$')")
        .contains("\"d\" >= '2024-01-01'")
        .contains("min(length(CAST(\"name\" AS VARCHAR))) AS minlen_name")
        .contains("avg(\"price\") AS mean_price")
        .contains("sum(\"price\") AS sum_price")
        .contains("stddev_samp(\"price\") AS stddev_price")
        .contains("count(DISTINCT \"country\") AS distinct_country")
        .endsWith(" FROM orders AS dq_t");
    // count(DISTINCT "id") is computed once for Uniqueness and IsUnique.
    assertThat(agg.split("count\\(DISTINCT \"id\"\\)", -1)).hasSize(2);
    assertThat(sql.extraQueries())
        .extracting(RuleSql.Query::key)
        .containsExactly("ri_0", "custom_1");
    assertThat(sql.extraQueries().get(0).sql())
        .isEqualTo(
            "SELECT count(*) AS unmatched FROM orders AS dq_t WHERE dq_t.\"id\" IS NOT NULL AND"
                + " NOT EXISTS (SELECT 1 FROM \"dim\".\"customers\" AS dq_r WHERE"
                + " dq_r.\"customer_id\" = dq_t.\"id\")");
    assertThat(sql.extraQueries().get(1).sql())
        .isEqualTo("WITH dq_primary AS (SELECT * FROM orders) SELECT max(price) FROM dq_primary");
  }

  @Test
  void evaluatesPassAndFailWithMessages() {
    RuleSql sql =
        compile(
            "Rules = [ RowCount between 5 and 20, IsComplete \"id\", Completeness \"name\" >= 0.9,"
                + " IsUnique \"id\", Uniqueness \"name\" > 0.5,"
                + " ColumnValues \"price\" > 0, ColumnValues \"country\" in [\"DE\"] with threshold"
                + " >= 0.8, Mean \"price\" between 1 and 2, StandardDeviation \"price\" < 1,"
                + " Sum \"price\" = 30, DistinctValuesCount \"country\" = 2 ]");
    List<RuleResult> results =
        sql.evaluate(
            row(
                "row_count", 10L,
                "nonnull_id", 10L,
                "nonnull_name", 8L,
                "distinct_id", 9L,
                "distinct_name", 6L,
                "failed_price", BigInteger.ZERO,
                "failed_country", 2L,
                "mean_price", 3.0,
                "stddev_price", null,
                "sum_price", new BigDecimal("30.00"),
                "distinct_country", 2L),
            Map.of());
    assertThat(results)
        .extracting(RuleResult::outcome)
        .containsExactly(
            Outcome.PASS,
            Outcome.PASS,
            Outcome.FAIL,
            Outcome.FAIL,
            Outcome.PASS,
            Outcome.PASS,
            Outcome.PASS,
            Outcome.FAIL,
            Outcome.FAIL,
            Outcome.PASS,
            Outcome.PASS);
    assertThat(results.get(0).message()).isEqualTo("RowCount is 10, satisfies between 5 and 20");
    assertThat(results.get(1).message()).isEqualTo("0 of 10 rows of \"id\" are null");
    assertThat(results.get(2).message())
        .isEqualTo("Completeness of \"name\" is 0.8, expected >= 0.9");
    assertThat(results.get(2).actual())
        .containsEntry("completeness", new BigDecimal("0.8"))
        .containsEntry("null_count", BigDecimal.valueOf(2));
    assertThat(results.get(3).message())
        .isEqualTo("\"id\" has 9 distinct non-null values in 10 rows");
    assertThat(results.get(6).message())
        .isEqualTo(
            "2 of 10 rows of \"country\" fail in [\"DE\"]; pass fraction 0.8 satisfies threshold"
                + " >= 0.8");
    assertThat(results.get(7).message())
        .isEqualTo("Mean of \"price\" is 3, expected between 1 and 2");
    assertThat(results.get(8).message())
        .isEqualTo("StandardDeviation of \"price\" is null (no non-null values to measure)");
    assertThat(results.get(0).rule()).isEqualTo("RowCount between 5 and 20");
  }

  @Test
  void evaluatesRowRulesAndPrimaryKey() {
    RuleSql sql =
        compile(
            "Rules = [ ColumnValues \"name\" matches \"[a-z]+\", ColumnLength \"name\" <= 3,"
                + " IsPrimaryKey \"id\" \"name\" ]");
    List<RuleResult> results =
        sql.evaluate(
            row(
                "ROW_COUNT", 4L, // column names are matched case-insensitively
                "failed_name", 1L,
                "failed_name_2", 0L,
                "minlen_name", 1L,
                "maxlen_name", 3L,
                "distinct_id_name", 4L,
                "nullkey_id_name", 1L),
            Map.of());
    assertThat(results.get(0).outcome()).isEqualTo(Outcome.FAIL);
    assertThat(results.get(0).message())
        .isEqualTo("1 of 4 rows of \"name\" fail matches \"[a-z]+\"");
    assertThat(results.get(1).outcome()).isEqualTo(Outcome.PASS);
    assertThat(results.get(1).actual()).containsEntry("max_length", BigDecimal.valueOf(3));
    assertThat(results.get(2).outcome()).isEqualTo(Outcome.FAIL);
    assertThat(results.get(2).message())
        .isEqualTo(
            "key \"id\", \"name\" has 4 distinct values in 4 rows, 1 rows with a null key column");
  }

  @Test
  void evaluatesReferentialIntegrityAndCustomSqlFromExtraResults() {
    RuleSql sql =
        compile(
            "Rules = [ ReferentialIntegrity \"id\" \"ref.id\" >= 0.9,"
                + " CustomSql \"select count(*) from primary where price < 0\" = 0 ]");
    List<RuleResult> results =
        sql.evaluate(row("row_count", 12L, "nonnull_id", 10L), Map.of("ri_0", 2L, "custom_1", 0L));
    assertThat(results.get(0).outcome()).isEqualTo(Outcome.FAIL);
    assertThat(results.get(0).message())
        .isEqualTo("ReferentialIntegrity of \"id\" is 0.8, expected >= 0.9");
    assertThat(results.get(1).outcome()).isEqualTo(Outcome.PASS);
    assertThat(results.get(1).message()).isEqualTo("CustomSql is 0, satisfies = 0");

    assertThatThrownBy(() -> sql.evaluate(row("row_count", 12L, "nonnull_id", 10L), Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no result for extra query 'ri_0'");
    assertThatThrownBy(() -> sql.evaluate(row("row_count", 12L), Map.of("ri_0", 2L)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("aggregate row has no column 'nonnull_id'");
  }

  @Test
  void compositeRulesCombineOperandOutcomes() {
    RuleSql sql =
        compile(
            "Rules = [ (RowCount > 100) or ((IsComplete \"id\") and (IsUnique \"id\")),"
                + " (RowCount > 100) and (IsComplete \"id\") ]");
    List<RuleResult> results =
        sql.evaluate(row("row_count", 10L, "nonnull_id", 10L, "distinct_id", 10L), Map.of());
    assertThat(results.get(0).outcome()).isEqualTo(Outcome.PASS);
    assertThat(results.get(0).children()).hasSize(2);
    assertThat(results.get(0).children().get(1).children()).hasSize(2);
    assertThat(results.get(1).outcome()).isEqualTo(Outcome.FAIL);
    assertThat(results.get(1).message()).isEqualTo("failed: 1 of 2 operands of 'and' failed");
    assertThat(results.get(1).rule()).isEqualTo("(RowCount > 100) and (IsComplete \"id\")");
  }

  @Test
  void missingColumnsFailWithoutBreakingTheQuery() {
    RuleSql sql =
        compile(
            "Rules = [ ColumnExists \"id\", ColumnExists \"nope\", IsComplete \"nope\","
                + " IsPrimaryKey \"id\" \"gone\" ]");
    assertThat(sql.aggregateQuery()).isEqualTo("SELECT count(*) AS row_count FROM orders AS dq_t");
    List<RuleResult> results = sql.evaluate(row("row_count", 3L), Map.of());
    assertThat(results)
        .extracting(RuleResult::outcome)
        .containsExactly(Outcome.PASS, Outcome.FAIL, Outcome.FAIL, Outcome.FAIL);
    assertThat(results.get(1).message())
        .isEqualTo("column \"nope\" does not exist; columns: [id, price, name, country, d]");
    assertThat(results.get(3).message()).startsWith("column \"gone\" does not exist");
    assertThat(
            sql.failingRowPredicate(
                DqdlParser.parse("Rules = [ IsComplete \"nope\" ]").rules().get(0)))
        .isEmpty();
  }

  @Test
  void zeroRowsMakeRatiosOneAndNullSumsZero() {
    RuleSql sql =
        compile("Rules = [ Completeness \"id\" = 1, ColumnValues \"price\" > 0, RowCount = 0 ]");
    List<RuleResult> results =
        sql.evaluate(row("row_count", 0L, "nonnull_id", 0L, "failed_price", null), Map.of());
    assertThat(results).allMatch(RuleResult::passed);
  }

  @Test
  void failingRowPredicatesAndQuarantineQuery() {
    Ruleset rs =
        DqdlParser.parse(
            "Rules = [ IsComplete \"id\", ColumnLength \"name\" > 2,"
                + " (ColumnValues \"price\" > 0) or (ColumnValues \"country\" = \"DE\"),"
                + " (IsComplete \"name\") and (ColumnValues \"price\" < 100), RowCount > 0,"
                + " (RowCount > 0) and (IsComplete \"id\") ]");
    RuleSql sql = RuleSql.compile(rs, "(SELECT * FROM raw)", COLUMNS, Map.of());
    assertThat(sql.failingRowPredicate(rs.rules().get(0))).contains("\"id\" IS NULL");
    assertThat(sql.failingRowPredicate(rs.rules().get(1)))
        .contains("NOT coalesce(length(CAST(\"name\" AS VARCHAR)) > 2, false)");
    assertThat(sql.failingRowPredicate(rs.rules().get(2)))
        .contains(
            "(NOT coalesce(\"price\" > 0, false)) AND (NOT coalesce(\"country\" = 'DE', false))");
    assertThat(sql.failingRowPredicate(rs.rules().get(3)))
        .contains("(\"name\" IS NULL) OR (NOT coalesce(\"price\" < 100, false))");
    assertThat(sql.failingRowPredicate(rs.rules().get(4))).isEmpty();
    assertThat(sql.failingRowPredicate(rs.rules().get(5))).isEmpty();
    assertThat(sql.quarantineQuery().orElseThrow())
        .startsWith(
            "SELECT *, concat_ws('; ', CASE WHEN \"id\" IS NULL THEN 'IsComplete \"id\"' END, ")
        .contains(
            ") AS dq_failed_rules FROM (SELECT * FROM raw) AS dq_t WHERE (\"id\" IS NULL) OR (");
    assertThat(compile("Rules = [ RowCount > 0 ]").quarantineQuery()).isEmpty();
  }

  @Test
  void namesAndValuesCannotInjectSql() {
    List<String> columns = List.of("a\"b", "x'); DROP TABLE t; --");
    Ruleset rs =
        DqdlParser.parse(
            "Rules = [ IsComplete \"a\\\"b\","
                + " ColumnValues \"a\\\"b\" in [\"it's\", \"x'); DROP TABLE t; --\"],"
                + " ColumnValues \"x'); DROP TABLE t; --\" matches \"a'b\" ]");
    RuleSql sql = RuleSql.compile(rs, "t", columns, Map.of());
    String agg = sql.aggregateQuery();
    assertThat(agg)
        .contains("count(\"a\"\"b\") AS nonnull_a_b")
        .contains("\"a\"\"b\" IN ('it''s', 'x''); DROP TABLE t; --')")
        .contains("regexp_matches(CAST(\"x'); DROP TABLE t; --\" AS VARCHAR), '^(?:a''b)$')")
        .contains("AS failed_x_drop_table_t_");
    // Aliases are always plain lowercase words, whatever the column name.
    assertThat(agg.replaceAll("\"(?:[^\"]|\"\")*\"|'(?:[^']|'')*'", "?"))
        .doesNotContain(";")
        .doesNotContain("--");
    assertThat(sql.quarantineQuery().orElseThrow())
        .contains("THEN 'ColumnValues \"a\\\"b\" in [\"it''s\", \"x''); DROP TABLE t; --\"]' END");
  }

  @Test
  void unknownReferenceAliasIsAnError() {
    assertThatThrownBy(
            () ->
                RuleSql.compile(
                    DqdlParser.parse("Rules = [ ReferentialIntegrity \"id\" \"dim.id\" = 1 ]"),
                    "orders",
                    COLUMNS,
                    Map.of("ref", "customers")))
        .isInstanceOf(DqdlException.class)
        .hasMessage(
            "ReferentialIntegrity \"id\" \"dim.id\" = 1: no reference dataset 'dim' was supplied;"
                + " known: [ref]")
        .extracting(e -> ((DqdlException) e).code())
        .isEqualTo(QualityErrorCode.UNKNOWN_REFERENCE);
  }

  @Test
  void customSqlBindsPrimaryOutsideStringsAndMergesWith() {
    RuleSql sql =
        compile(
            "Rules = [ CustomSql \"with x as (select * from PRIMARY where name <> 'primary')"
                + " select count(*) from x\" = 0 ]");
    assertThat(sql.extraQueries().get(0).sql())
        .isEqualTo(
            "WITH dq_primary AS (SELECT * FROM orders), x as (select * from dq_primary where"
                + " name <> 'primary') select count(*) from x");
  }

  @Test
  void blankRelationIsRejected() {
    assertThatThrownBy(
            () ->
                RuleSql.compile(
                    DqdlParser.parse("Rules = [ RowCount > 0 ]"), " ", COLUMNS, Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("relation must not be blank");
  }
}
