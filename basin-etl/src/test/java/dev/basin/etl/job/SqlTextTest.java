package dev.basin.etl.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.basin.spi.sql.SqlType;
import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

class SqlTextTest {

  @Test
  void quotesIdentifiersAndLiterals() {
    assertThat(SqlText.ident("a\"b")).isEqualTo("\"a\"\"b\"");
    assertThat(SqlText.string("it's")).isEqualTo("'it''s'");
    assertThat(SqlText.literal(new BigDecimal("1.50"))).isEqualTo("1.50");
    assertThat(SqlText.literal(true)).isEqualTo("TRUE");
    assertThat(SqlText.literal(null)).isEqualTo("NULL");
    assertThat(SqlText.literal(List.of("a", BigDecimal.ONE))).isEqualTo("('a', 1)");
  }

  @Test
  void acceptsOneExpressionOrQuery() {
    assertThat(SqlText.problem("a > 1 AND b = ';'")).isNull();
    assertThat(SqlText.problem("\"we;ird\" > 1 -- trailing; comment")).isNull();
    assertThat(SqlText.problem("f(a, (b)) /* ; */")).isNull();
    assertThat(SqlText.problem("a = 'it''s'")).isNull();
  }

  @Test
  void rejectsStatementsAndBrokenText() {
    assertThat(SqlText.problem("1; DROP TABLE t")).contains("contains ';'");
    assertThat(SqlText.problem("a) OR (1 = 1")).contains("')' without a matching '('");
    assertThat(SqlText.problem("(a")).contains("1 unclosed '('");
    assertThat(SqlText.problem("'abc")).contains("unclosed string literal");
    assertThat(SqlText.problem("\"abc")).contains("unclosed quoted identifier");
    assertThat(SqlText.problem("a /* b")).contains("unclosed /* comment");
    assertThat(SqlText.problem("  ")).contains("empty");
  }

  @Test
  void partitionTransformsNameTheirColumn() {
    assertThat(PartitionTransforms.column("store")).isEqualTo("store");
    assertThat(PartitionTransforms.column("day(ts)")).isEqualTo("ts");
    assertThat(PartitionTransforms.column("MONTH( sale_date )")).isEqualTo("sale_date");
    assertThat(PartitionTransforms.column("bucket(16, id)")).isEqualTo("id");
    assertThat(PartitionTransforms.column("truncate(4,name)")).isEqualTo("name");
    assertThat(PartitionTransforms.column("frobnicate(x)")).isNull();
    assertThat(PartitionTransforms.column("bucket(x, id)")).isNull();
  }

  @Test
  void typeCompatibilityAllowsWideningOnly() {
    SqlType integer = SqlType.of(SqlType.Kind.INTEGER, "INTEGER");
    SqlType bigint = SqlType.of(SqlType.Kind.BIGINT, "BIGINT");
    SqlType dbl = SqlType.of(SqlType.Kind.DOUBLE, "DOUBLE");
    SqlType varchar = SqlType.of(SqlType.Kind.VARCHAR, "VARCHAR");
    SqlType date = SqlType.of(SqlType.Kind.DATE, "DATE");
    SqlType ts = SqlType.of(SqlType.Kind.TIMESTAMP, "TIMESTAMP");
    SqlType dec102 = new SqlType(SqlType.Kind.DECIMAL, "DECIMAL(10,2)", 10, 2);
    SqlType dec124 = new SqlType(SqlType.Kind.DECIMAL, "DECIMAL(12,4)", 12, 4);
    assertThat(JobCompiler.compatible(integer, bigint)).isTrue();
    assertThat(JobCompiler.compatible(bigint, integer)).isFalse();
    assertThat(JobCompiler.compatible(integer, dbl)).isTrue();
    assertThat(JobCompiler.compatible(dbl, integer)).isFalse();
    assertThat(JobCompiler.compatible(varchar, integer)).isFalse();
    assertThat(JobCompiler.compatible(date, ts)).isTrue();
    assertThat(JobCompiler.compatible(ts, date)).isFalse();
    assertThat(JobCompiler.compatible(dec102, dec124)).isTrue();
    assertThat(JobCompiler.compatible(dec124, dec102)).isFalse();
    assertThat(JobCompiler.compatible(integer, dec102)).isTrue();
  }
}
