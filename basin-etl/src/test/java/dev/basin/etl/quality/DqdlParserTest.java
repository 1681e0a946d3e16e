package dev.basin.etl.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class DqdlParserTest {

  private static Rule single(String rule) {
    Ruleset rs = DqdlParser.parse("Rules = [ " + rule + " ]");
    assertThat(rs.rules()).hasSize(1);
    return rs.rules().get(0);
  }

  private static Rule.Check check(String rule) {
    return (Rule.Check) single(rule);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "RowCount > 0",
        "RowCount between 1 and 10",
        "RowCount not between 1 and 10",
        "RowCount in [1, 2, 3]",
        "RowCount not in [1, 2]",
        "RowCount = -1.5e3",
        "Completeness \"a\" >= 0.95",
        "IsComplete \"a\"",
        "Uniqueness \"a\" = 1.0",
        "IsUnique \"a\"",
        "IsPrimaryKey \"a\"",
        "IsPrimaryKey \"a\" \"b\" \"c\"",
        "ColumnValues \"a\" > 0",
        "ColumnValues \"a\" != \"x\"",
        "ColumnValues \"a\" <= 10",
        "ColumnValues \"a\" < 10",
        "ColumnValues \"d\" >= \"2024-01-01\"",
        "ColumnValues \"d\" between \"2024-01-01\" and \"2024-12-31\"",
        "ColumnValues \"a\" in [\"a\", \"b\"]",
        "ColumnValues \"a\" not in [\"a\", \"b\"]",
        "ColumnValues \"a\" matches \"[a-z]+\"",
        "ColumnValues \"a\" not matches \"[a-z]+\"",
        "ColumnValues \"a\" in [\"a\", \"b\"] with threshold > 0.8",
        "ColumnLength \"a\" between 1 and 10",
        "ColumnLength \"a\" <= 5 with threshold >= 0.9",
        "ColumnExists \"a\"",
        "Mean \"a\" > 3",
        "Sum \"a\" between 0 and 100",
        "StandardDeviation \"a\" < 2.5",
        "DistinctValuesCount \"a\" = 3",
        "ReferentialIntegrity \"a\" \"ref.b\" = 1.0",
        "CustomSql \"SELECT count(*) FROM primary\" > 0",
        "(IsComplete \"a\") and (IsUnique \"a\")",
        "(RowCount > 0) or ((IsComplete \"a\") and (IsUnique \"a\"))",
        "(Mean \"a\" > 3) and (Mean \"b\" > 5) and (IsComplete \"c\")",
      })
  void everyFormRoundTripsThroughCanonicalText(String rule) {
    Rule parsed = single(rule);
    assertThat(parsed.dqdl()).isEqualTo(rule);
    assertThat(single(parsed.dqdl())).isEqualTo(parsed);
  }

  @Test
  void parsesRuleStructure() {
    Rule.Check c = check("ColumnValues \"age\" between 1 and 10");
    assertThat(c.type()).isEqualTo(RuleType.COLUMN_VALUES);
    assertThat(c.column()).isEqualTo("age");
    assertThat(c.condition())
        .contains(new Condition.Between(Literal.number("1"), Literal.number("10"), false));
    assertThat(c.threshold()).isEmpty();

    Rule.Check set = check("ColumnValues \"c\" not in [\"a\", 2]");
    assertThat(set.condition())
        .contains(new Condition.InSet(List.of(Literal.string("a"), Literal.number("2")), true));

    Rule.Check pk = check("IsPrimaryKey \"a\" \"b\"");
    assertThat(pk.arguments()).containsExactly("a", "b");
    assertThat(pk.condition()).isEmpty();

    Rule.Check th = check("ColumnValues \"a\" matches \"x+\" with threshold > 0.5");
    assertThat(th.threshold())
        .isEqualTo(
            Optional.of(new Condition.Comparison(Condition.Operator.GT, Literal.number("0.5"))));

    Rule.Check ri = check("ReferentialIntegrity \"id\" \"dim.id\" >= 0.99");
    assertThat(ri.arguments()).containsExactly("id", "dim.id");
  }

  @Test
  void parsesCompositeNesting() {
    Rule r = single("(RowCount > 0) or ((IsComplete \"a\") and (IsUnique \"a\"))");
    assertThat(r).isInstanceOf(Rule.Composite.class);
    Rule.Composite or = (Rule.Composite) r;
    assertThat(or.operator()).isEqualTo(Rule.Composite.Operator.OR);
    assertThat(or.operands().get(1)).isInstanceOf(Rule.Composite.class);
    assertThat(((Rule.Composite) or.operands().get(1)).operator())
        .isEqualTo(Rule.Composite.Operator.AND);
    // Keywords are case-insensitive; a single parenthesized rule is just that rule.
    assertThat(single("(IsComplete \"a\") AND (IsUnique \"a\")"))
        .isInstanceOf(Rule.Composite.class);
    assertThat(single("(IsComplete \"a\")")).isEqualTo(check("IsComplete \"a\""));
  }

  @Test
  void toleratesCommentsWhitespaceAndEscapes() {
    Ruleset rs =
        DqdlParser.parse(
            "# data quality for orders\n"
                + "Rules=[\n"
                + "  RowCount>0,   # not empty\n"
                + "\tIsComplete \"order \\\"id\\\"\" ,\n"
                + "  ColumnValues \"code\" matches \"\\d+\"\n"
                + "]  # end\n");
    assertThat(rs.rules()).hasSize(3);
    assertThat(((Rule.Check) rs.rules().get(1)).column()).isEqualTo("order \"id\"");
    assertThat(((Rule.Check) rs.rules().get(2)).condition())
        .contains(new Condition.Matches("\\d+", false));
    assertThat(DqdlParser.parse(rs.dqdl())).isEqualTo(rs);
  }

  /** Each entry is {@code input|expected message prefix}. */
  private static final String[] BAD_INPUTS = {
    // unterminated string, pointing at the opening quote
    "Rules = [\n  RowCount > 0,\n  IsComplete \"abc\n]"
        + "|line 3:14: unterminated string; add the closing '\"'",
    // missing column
    "Rules = [\n  RowCount > 0,\n  IsComplete > 3\n]"
        + "|line 3:14: expected a quoted column name after IsComplete, found '>'",
    "Rules = [\n  RowCount > 0,\n  IsComplete\n]"
        + "|line 4:1: expected a quoted column name after IsComplete, found ']'",
    // unknown rule lists the supported ones
    "Rules = [ IsFoo \"a\" ]"
        + "|line 1:11: unknown rule type 'IsFoo'; supported: RowCount, Completeness,"
        + " IsComplete, Uniqueness, IsUnique, IsPrimaryKey, ColumnValues, ColumnLength,"
        + " ColumnExists, Mean, Sum, StandardDeviation, DistinctValuesCount,"
        + " ReferentialIntegrity, CustomSql",
    "Rules = [ iscomplete \"a\" ]|line 1:11: unknown rule type 'iscomplete'",
    // missing condition
    "Rules = [ Completeness \"a\" ]"
        + "|line 1:28: expected a condition (=, !=, >, >=, <, <=, between, not between, in,"
        + " not in, matches) after Completeness \"a\", found ']'",
    "Rules = [ RowCount, IsComplete \"a\" ]|line 1:19: expected a condition",
    // trailing comma
    "Rules = [ RowCount > 0, ]"
        + "|line 1:25: expected a rule after ',', found ']' (remove the trailing comma)",
    "Rules = [\n  IsComplete \"a\",\n]|line 3:1: expected a rule after ','",
    // structure
    "rules = [ RowCount > 0 ]|line 1:1: expected 'Rules' at the start of the ruleset",
    "Rules [ RowCount > 0 ]|line 1:7: expected '=' after Rules, found '['",
    "Rules = RowCount > 0|line 1:9: expected '[' after 'Rules =', found 'RowCount'",
    "Rules = [ ]|line 1:11: expected at least one rule",
    "Rules = [ RowCount > 0|line 1:23: expected ',' or ']' after a rule, found end of input",
    "Rules = [ RowCount > 0 ] extra|line 1:26: expected end of input after ']'",
    "Rules = [ RowCount > 0 IsComplete \"a\" ]"
        + "|line 1:24: expected ',' or ']' after a rule, found 'IsComplete'",
    // conditions
    "Rules = [ RowCount > \"ten\" ]"
        + "|line 1:22: expected a number after '>', found string \"ten\"",
    "Rules = [ RowCount between 1 10 ]|line 1:30: expected 'and' after between 1, found '10'",
    "Rules = [ RowCount matches \"x\" ]|line 1:20: RowCount does not support matches",
    "Rules = [ ColumnValues \"a\" in \"x\" ]|line 1:31: expected '[' after in",
    "Rules = [ ColumnValues \"a\" in [\"x\" \"y\"] ]"
        + "|line 1:36: expected ',' or ']' in the value list, found string \"y\"",
    "Rules = [ ColumnValues \"a\" matches 5 ]"
        + "|line 1:36: expected a quoted regular expression after matches",
    "Rules = [ ColumnValues \"a\" matches \"[a-\" ]|line 1:36: invalid regular expression",
    "Rules = [ ColumnValues \"a\" not > 3 ]"
        + "|line 1:32: expected between, in or matches after 'not'",
    "Rules = [ IsComplete \"a\" > 0.5 ]|line 1:26: IsComplete takes no condition, found '>'",
    "Rules = [ Mean \"a\" > 1 with threshold > 0.5 ]"
        + "|line 1:24: Mean does not take 'with threshold'",
    "Rules = [ ColumnValues \"a\" > 1 with limit > 0.5 ]"
        + "|line 1:37: expected 'threshold' after 'with'",
    "Rules = [ ColumnValues \"a\" > 1 with threshold matches \"x\" ]"
        + "|line 1:47: with threshold does not support matches",
    "Rules = [ IsComplete \"\" ]"
        + "|line 1:22: expected a quoted column name after IsComplete, found an empty string",
    "Rules = [ ReferentialIntegrity \"a\" \"b\" = 1 ]"
        + "|line 1:36: expected the reference column as \"alias.column\"",
    // composites
    "Rules = [ (IsComplete \"a\") and (IsUnique \"a\") or (RowCount > 0) ]"
        + "|line 1:47: cannot mix 'and' and 'or' at one level",
    "Rules = [ (IsComplete \"a\") and IsUnique \"a\" ]"
        + "|line 1:32: expected '(' after 'and' (each operand of a composite rule is"
        + " parenthesized), found 'IsUnique'",
    "Rules = [ (IsComplete \"a\" ]|line 1:27: expected ')' to close the '(' at line 1:11",
    // lexical
    "Rules = [ RowCount ! 3 ]|line 1:20: unexpected character '!'",
    "Rules = [ RowCount > 3; ]|line 1:23: unexpected character ';'",
  };

  static Stream<Arguments> badInputs() {
    return Arrays.stream(BAD_INPUTS)
        .map(s -> Arguments.of(s.substring(0, s.indexOf('|')), s.substring(s.indexOf('|') + 1)));
  }

  @ParameterizedTest
  @MethodSource("badInputs")
  void badInputNamesLineColumnAndExpectation(String input, String expected) {
    assertThatThrownBy(() -> DqdlParser.parse(input))
        .isInstanceOf(DqdlException.class)
        .hasMessageStartingWith(expected)
        .satisfies(
            e -> {
              DqdlException d = (DqdlException) e;
              assertThat(d.code()).isEqualTo(QualityErrorCode.INVALID_DQDL);
              assertThat(expected).startsWith("line " + d.line() + ":" + d.column() + ":");
            });
  }

  @Test
  void nullInputIsAnArgumentError() {
    assertThatThrownBy(() -> DqdlParser.parse(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ruleset");
  }
}
