package dev.basin.sql.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.basin.common.error.BasinException;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class LiteralsTest {

  @Test
  void parsesAthenaStyleLiterals() {
    assertThat(
            Literals.parse(
                List.of(
                    "'it''s'",
                    "-42",
                    "99999999999999999999",
                    "1.25",
                    "2e3",
                    "TRUE",
                    "null",
                    "DATE '2024-02-29'",
                    "timestamp '2024-01-31 12:30:15.5'",
                    "''")))
        .isEqualTo(
            Arrays.asList(
                "it's",
                -42L,
                new BigDecimal("99999999999999999999"),
                new BigDecimal("1.25"),
                2000.0,
                true,
                null,
                LocalDate.of(2024, 2, 29),
                LocalDateTime.of(2024, 1, 31, 12, 30, 15, 500_000_000),
                ""));
  }

  @Test
  void refusesAnythingThatIsNotALiteral() {
    for (String bad :
        List.of(
            "1; DROP TABLE t",
            "'a' || 'b'",
            "'unterminated",
            "'a' OR '1'='1'",
            "abs(1)",
            "DATE 'tomorrow'",
            "")) {
      assertThatThrownBy(() -> Literals.parse(List.of(bad)))
          .as(bad)
          .isInstanceOf(BasinException.class)
          .hasMessageContaining("execution parameter 1");
    }
  }
}
