package dev.basin.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.basin.common.error.BasinException;
import org.junit.jupiter.api.Test;

class NamesTest {

  @Test
  void acceptsGlueNames() {
    assertThat(Names.check("table", "a")).isEqualTo("a");
    assertThat(Names.check("table", "web_logs_2024")).isEqualTo("web_logs_2024");
    assertThat(Names.check("table", "_x")).isEqualTo("_x");
    assertThat(Names.check("table", "x".repeat(255))).hasSize(255);
  }

  @Test
  void rejectsOthersSayingWhy() {
    assertThatThrownBy(() -> Names.check("table", "Orders"))
        .isInstanceOf(BasinException.class)
        .hasMessage(
            "invalid table name 'Orders': character 'O' at position 1: names are lower case;"
                + " use 'orders'");
    assertThatThrownBy(() -> Names.check("column", "a b"))
        .hasMessageContaining("character ' ' at position 2")
        .hasMessageContaining("only lower-case letters, digits and underscores");
    assertThatThrownBy(() -> Names.check("database", "x".repeat(256)))
        .hasMessageContaining("256 characters, the limit is 255");
    assertThatThrownBy(() -> Names.check("database", null))
        .hasMessageContaining("a database name is required");
  }

  @Test
  void hivePartitionValuesAreEscaped() {
    assertThat(ExternalTables.escapePathValue("2024-01-01")).isEqualTo("2024-01-01");
    assertThat(ExternalTables.escapePathValue("a/b=c:d%")).isEqualTo("a%2Fb%3Dc%3Ad%25");
  }
}
