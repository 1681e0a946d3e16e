package dev.basin.sql;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DuckDbSqlEngineTest {

  @TempDir Path dir;
  SqlFixture f;

  @BeforeEach
  void setUp() {
    f = new SqlFixture(dir);
    f.run("CREATE DATABASE sales");
  }

  @AfterEach
  void tearDown() {
    f.close();
  }

  @Test
  void plainDuckDbQueries() {
    assertThat(f.value("SELECT 1 + 1")).isEqualTo(2);
    assertThat(f.value("SELECT count(*) FROM range(1000)")).isEqualTo(1000L);
  }

  @Test
  void createTableAsSelectThenQuery() {
    assertThat(
            f.run(
                "CREATE TABLE sales.orders AS SELECT range AS id, 'item' || (range % 3) AS item,"
                    + " range * 1.5 AS amount FROM range(100)"))
        .isEqualTo("SELECT 100");
    assertThat(f.value("SELECT count(*) FROM sales.orders")).isEqualTo(100L);
    assertThat(f.value("SELECT sum(id) FROM sales.orders WHERE item = 'item1'")).isNotNull();
    assertThat(f.rows("SELECT o.id FROM sales.orders o WHERE o.id < 3 ORDER BY 1"))
        .containsExactly(List.of(0L), List.of(1L), List.of(2L));
  }
}
