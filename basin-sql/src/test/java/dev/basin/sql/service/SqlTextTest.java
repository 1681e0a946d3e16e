package dev.basin.sql.service;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SqlTextTest {

  @Test
  void normalizesWhitespaceOutsideLiteralsOnly() {
    assertThat(SqlText.normalize("  SELECT\n\t a,  b\nFROM t  ")).isEqualTo("SELECT a, b FROM t");
    assertThat(SqlText.normalize("SELECT 'a   b', \"x  y\"  FROM t"))
        .isEqualTo("SELECT 'a   b', \"x  y\" FROM t");
  }

  @Test
  void classifiesStatements() {
    assertThat(SqlText.statementType("select 1")).isEqualTo("DML");
    assertThat(SqlText.statementType("-- c\n SHOW TABLES")).isEqualTo("UTILITY");
    assertThat(SqlText.statementType("EXPLAIN SELECT 1")).isEqualTo("UTILITY");
    assertThat(SqlText.statementType("CREATE TABLE x AS SELECT 1")).isEqualTo("DDL");
    assertThat(SqlText.statementType("INSERT INTO x SELECT 1")).isEqualTo("DML");
  }

  @Test
  void knowsWhichQueriesMayBeReused() {
    assertThat(SqlText.isDeterministicQuery("SELECT count(*) FROM db.t WHERE x > 3")).isTrue();
    assertThat(SqlText.isDeterministicQuery("WITH a AS (SELECT 1) SELECT * FROM a")).isTrue();
    assertThat(SqlText.isDeterministicQuery("SELECT 'now()' AS s, \"random\" FROM t")).isTrue();
    assertThat(SqlText.isDeterministicQuery("SELECT now()")).isFalse();
    assertThat(SqlText.isDeterministicQuery("SELECT current_date")).isFalse();
    assertThat(SqlText.isDeterministicQuery("SELECT RANDOM() FROM t")).isFalse();
    assertThat(SqlText.isDeterministicQuery("SELECT * FROM information_schema.tables")).isFalse();
    assertThat(SqlText.isDeterministicQuery("SELECT * FROM read_parquet('x')")).isFalse();
    assertThat(SqlText.isDeterministicQuery("SHOW TABLES")).isFalse();
    assertThat(SqlText.isDeterministicQuery("EXPLAIN SELECT 1")).isFalse();
    assertThat(SqlText.isDeterministicQuery("INSERT INTO t SELECT 1")).isFalse();
  }
}
