package dev.basin.sql.service;

import dev.basin.spi.sql.SqlColumn;
import dev.basin.spi.sql.SqlType;
import java.math.BigDecimal;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The engine's types and values in Athena's terms: type names as Athena's {@code ColumnInfo}
 * reports them, and values as Athena writes them to its result CSV (timestamps as {@code yyyy-MM-dd
 * HH:mm:ss.SSS}, booleans as {@code true}/{@code false}, binary as spaced hex).
 */
final class AthenaTypes {
  private static final DateTimeFormatter MILLIS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS", Locale.ROOT);
  private static final DateTimeFormatter MICROS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS", Locale.ROOT);
  private static final DateTimeFormatter TIME_MILLIS =
      DateTimeFormatter.ofPattern("HH:mm:ss.SSS", Locale.ROOT);
  private static final DateTimeFormatter TIME_MICROS =
      DateTimeFormatter.ofPattern("HH:mm:ss.SSSSSS", Locale.ROOT);
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private AthenaTypes() {}

  /** The result column for an engine column. */
  static ResultColumn column(SqlColumn c) {
    SqlType t = c.type();
    String type;
    int precision = 0;
    int scale = 0;
    switch (t.kind()) {
      case BOOLEAN:
        type = "boolean";
        break;
      case TINYINT:
        type = "tinyint";
        precision = 3;
        break;
      case SMALLINT:
        type = "smallint";
        precision = 5;
        break;
      case INTEGER:
        type = "integer";
        precision = 10;
        break;
      case BIGINT:
        type = "bigint";
        precision = 19;
        break;
      case HUGEINT:
        type = "decimal";
        precision = 38;
        break;
      case FLOAT:
        type = "float";
        precision = 7;
        break;
      case DOUBLE:
        type = "double";
        precision = 17;
        break;
      case DECIMAL:
        type = "decimal";
        precision = t.precision();
        scale = t.scale();
        break;
      case VARCHAR:
      case UUID:
        type = "varchar";
        precision = Integer.MAX_VALUE;
        break;
      case BLOB:
        type = "varbinary";
        precision = Integer.MAX_VALUE;
        break;
      case DATE:
        type = "date";
        break;
      case TIME:
        type = "time";
        precision = 3;
        break;
      case TIMESTAMP:
        type = "timestamp";
        precision = 3;
        break;
      case TIMESTAMP_TZ:
        type = "timestamp with time zone";
        precision = 3;
        break;
      case INTERVAL:
        type = "interval day to second";
        break;
      case LIST:
        type = "array";
        break;
      case STRUCT:
        type = "row";
        break;
      case MAP:
        type = "map";
        break;
      case JSON:
        type = "json";
        break;
      default:
        type = "varchar";
        precision = Integer.MAX_VALUE;
    }
    return new ResultColumn(c.name(), type, precision, scale, c.nullable(), t.name());
  }

  /** A value's text in Athena's CSV form; null for SQL NULL. */
  static String format(Object v) {
    if (v == null) {
      return null;
    }
    if (v instanceof String s) {
      return s;
    }
    if (v instanceof BigDecimal d) {
      return d.toPlainString();
    }
    if (v instanceof LocalDateTime t) {
      return (t.getNano() % 1_000_000 == 0 ? MILLIS : MICROS).format(t);
    }
    if (v instanceof OffsetDateTime t) {
      OffsetDateTime utc = t.withOffsetSameInstant(ZoneOffset.UTC);
      return (utc.getNano() % 1_000_000 == 0 ? MILLIS : MICROS).format(utc) + " UTC";
    }
    if (v instanceof LocalTime t) {
      return (t.getNano() % 1_000_000 == 0 ? TIME_MILLIS : TIME_MICROS).format(t);
    }
    if (v instanceof byte[] b) {
      StringBuilder sb = new StringBuilder(b.length * 3);
      for (int i = 0; i < b.length; i++) {
        if (i > 0) {
          sb.append(' ');
        }
        sb.append(HEX[(b[i] >> 4) & 0xf]).append(HEX[b[i] & 0xf]);
      }
      return sb.toString();
    }
    return v.toString();
  }
}
