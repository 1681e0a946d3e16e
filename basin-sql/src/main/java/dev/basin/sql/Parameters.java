package dev.basin.sql;

import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;

/** Converts SPI parameter values to what DuckDB's JDBC driver binds. */
final class Parameters {

  private Parameters() {}

  static Object toJdbc(Object value) {
    if (value instanceof LocalDate d) {
      return java.sql.Date.valueOf(d);
    }
    if (value instanceof LocalDateTime t) {
      return Timestamp.valueOf(t);
    }
    if (value instanceof OffsetDateTime t) {
      return Timestamp.from(t.toInstant());
    }
    return value;
  }
}
