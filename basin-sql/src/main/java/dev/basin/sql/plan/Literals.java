package dev.basin.sql.plan;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * Converts a query literal to the value Iceberg expects for a column, exactly as DuckDB would
 * compare them — or gives up (null) when the conversion would not be exact, since a wrong
 * conversion could prune files that hold matching rows.
 */
final class Literals {

  private Literals() {}

  /**
   * The literal as a value of {@code type}: Integer/Long for integers, BigDecimal for decimals,
   * Double/Float, String, Boolean, Integer days for dates, Long microseconds for timestamps; null
   * when not exactly convertible.
   */
  static Object coerce(Type type, Object literal) {
    if (literal == null) {
      return null;
    }
    try {
      switch (type.typeId()) {
        case INTEGER:
        case LONG:
          {
            BigDecimal d = number(literal);
            if (d == null || d.stripTrailingZeros().scale() > 0) {
              return null;
            }
            long l = d.longValueExact();
            if (type.typeId() == Type.TypeID.INTEGER) {
              return l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE ? (Object) (int) l : null;
            }
            return l;
          }
        case DECIMAL:
          {
            BigDecimal d = number(literal);
            int scale = ((Types.DecimalType) type).scale();
            if (d == null || d.stripTrailingZeros().scale() > scale) {
              return null;
            }
            return d.setScale(scale);
          }
        case DOUBLE:
          {
            BigDecimal d = number(literal);
            return d == null ? null : d.doubleValue();
          }
        case FLOAT:
          return null; // float rounding differs from DuckDB's comparison; skip pruning
        case STRING:
          return literal instanceof String s ? s : null;
        case BOOLEAN:
          return literal instanceof Boolean b ? b : null;
        case DATE:
          {
            if (!(literal instanceof String s) || s.trim().length() != 10) {
              return null;
            }
            return (int) LocalDate.parse(s.trim()).toEpochDay();
          }
        case TIMESTAMP:
          {
            if (!(literal instanceof String s)) {
              return null;
            }
            LocalDateTime t = timestamp(s);
            if (t == null) {
              return null;
            }
            // DuckDB compares TIMESTAMPTZ with a zone-less literal in the session time zone: UTC.
            return ChronoUnit.MICROS.between(
                LocalDateTime.of(1970, 1, 1, 0, 0).atOffset(ZoneOffset.UTC),
                t.atOffset(ZoneOffset.UTC));
          }
        default:
          return null;
      }
    } catch (ArithmeticException | NumberFormatException | DateTimeParseException e) {
      return null;
    }
  }

  private static BigDecimal number(Object literal) {
    if (literal instanceof Long l) {
      return BigDecimal.valueOf(l);
    }
    if (literal instanceof Integer i) {
      return BigDecimal.valueOf(i);
    }
    if (literal instanceof BigDecimal d) {
      return d;
    }
    return null;
  }

  /** {@code yyyy-MM-dd}, {@code yyyy-MM-dd HH:mm[:ss[.f…]]} (space or T), no zone; else null. */
  static LocalDateTime timestamp(String s) {
    String t = s.trim().replace(' ', 'T');
    if (t.length() == 10) {
      return LocalDate.parse(t).atStartOfDay();
    }
    if (t.contains("+") || t.endsWith("Z") || t.lastIndexOf('-') > 10) {
      return null;
    }
    return LocalDateTime.parse(t);
  }
}
