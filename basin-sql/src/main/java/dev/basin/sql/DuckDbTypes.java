package dev.basin.sql;

import dev.basin.spi.sql.SqlException;
import dev.basin.spi.sql.SqlState;
import dev.basin.spi.sql.SqlType;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/** Translates between DuckDB's type names, the SPI's {@link SqlType} and Iceberg types. */
public final class DuckDbTypes {

  private DuckDbTypes() {}

  /** The SPI type for a DuckDB type name as JDBC metadata reports it. */
  public static SqlType sqlType(String duckName) {
    String n = duckName == null ? "UNKNOWN" : duckName.trim();
    String u = n.toUpperCase(Locale.ROOT);
    if (u.endsWith("]")) {
      return SqlType.of(SqlType.Kind.LIST, n);
    }
    if (u.startsWith("STRUCT")) {
      return SqlType.of(SqlType.Kind.STRUCT, n);
    }
    if (u.startsWith("MAP")) {
      return SqlType.of(SqlType.Kind.MAP, n);
    }
    if (u.startsWith("DECIMAL")) {
      int[] ps = decimalPrecisionScale(u);
      return new SqlType(SqlType.Kind.DECIMAL, n, ps[0], ps[1]);
    }
    SqlType.Kind kind =
        switch (u) {
          case "BOOLEAN" -> SqlType.Kind.BOOLEAN;
          case "TINYINT", "UTINYINT" -> SqlType.Kind.TINYINT;
          case "SMALLINT", "USMALLINT" -> SqlType.Kind.SMALLINT;
          case "INTEGER", "UINTEGER" -> SqlType.Kind.INTEGER;
          case "BIGINT", "UBIGINT" -> SqlType.Kind.BIGINT;
          case "HUGEINT", "UHUGEINT" -> SqlType.Kind.HUGEINT;
          case "FLOAT" -> SqlType.Kind.FLOAT;
          case "DOUBLE" -> SqlType.Kind.DOUBLE;
          case "VARCHAR" -> SqlType.Kind.VARCHAR;
          case "BLOB", "BIT" -> SqlType.Kind.BLOB;
          case "DATE" -> SqlType.Kind.DATE;
          case "TIME", "TIME WITH TIME ZONE" -> SqlType.Kind.TIME;
          case "TIMESTAMP", "TIMESTAMP_MS", "TIMESTAMP_S", "TIMESTAMP_NS" -> SqlType.Kind.TIMESTAMP;
          case "TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ" -> SqlType.Kind.TIMESTAMP_TZ;
          case "INTERVAL" -> SqlType.Kind.INTERVAL;
          case "UUID" -> SqlType.Kind.UUID;
          case "JSON" -> SqlType.Kind.JSON;
          default -> u.startsWith("ENUM") ? SqlType.Kind.VARCHAR : SqlType.Kind.UNKNOWN;
        };
    return SqlType.of(kind, n);
  }

  private static int[] decimalPrecisionScale(String upper) {
    int open = upper.indexOf('(');
    if (open < 0) {
      return new int[] {18, 3};
    }
    String[] parts = upper.substring(open + 1, upper.indexOf(')')).split(",");
    return new int[] {
      Integer.parseInt(parts[0].trim()), parts.length > 1 ? Integer.parseInt(parts[1].trim()) : 0
    };
  }

  /** The DuckDB type that reads and writes an Iceberg type exactly. */
  public static String duckType(Type type) {
    return switch (type.typeId()) {
      case BOOLEAN -> "BOOLEAN";
      case INTEGER -> "INTEGER";
      case LONG -> "BIGINT";
      case FLOAT -> "FLOAT";
      case DOUBLE -> "DOUBLE";
      case DECIMAL -> {
        Types.DecimalType d = (Types.DecimalType) type;
        yield "DECIMAL(" + d.precision() + "," + d.scale() + ")";
      }
      case DATE -> "DATE";
      case TIME -> "TIME";
      case TIMESTAMP ->
          ((Types.TimestampType) type).shouldAdjustToUTC() ? "TIMESTAMPTZ" : "TIMESTAMP";
      case TIMESTAMP_NANO ->
          ((Types.TimestampNanoType) type).shouldAdjustToUTC() ? "TIMESTAMPTZ" : "TIMESTAMP_NS";
      case STRING -> "VARCHAR";
      case UUID -> "UUID";
      case FIXED, BINARY -> "BLOB";
      case LIST -> duckType(((Types.ListType) type).elementType()) + "[]";
      case MAP -> {
        Types.MapType m = (Types.MapType) type;
        yield "MAP(" + duckType(m.keyType()) + ", " + duckType(m.valueType()) + ")";
      }
      case STRUCT -> {
        List<String> fields = new ArrayList<>();
        for (Types.NestedField f : ((Types.StructType) type).fields()) {
          fields.add(Sql.quoteIdent(f.name()) + " " + duckType(f.type()));
        }
        yield "STRUCT(" + String.join(", ", fields) + ")";
      }
      default ->
          throw new SqlException(
              SqlState.FEATURE_NOT_SUPPORTED,
              "Iceberg type " + type + " cannot be read by the SQL engine yet");
    };
  }

  /**
   * The Iceberg schema for a query's result columns, with fresh field ids from 1.
   *
   * @throws SqlException {@link SqlState#FEATURE_NOT_SUPPORTED} for a type Iceberg cannot hold
   *     (INTERVAL, BIT, unions)
   */
  public static Schema icebergSchema(List<String> names, List<String> duckTypes) {
    AtomicInteger ids = new AtomicInteger();
    List<Types.NestedField> fields = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      int id = ids.incrementAndGet();
      fields.add(
          Types.NestedField.optional(
              id, names.get(i), icebergType(duckTypes.get(i), ids, names.get(i))));
    }
    return new Schema(fields);
  }

  static Type icebergType(String duckType, AtomicInteger ids, String column) {
    String t = duckType.trim();
    String u = t.toUpperCase(Locale.ROOT);
    if (u.endsWith("[]")) {
      Type element = icebergType(t.substring(0, t.length() - 2), ids, column);
      return Types.ListType.ofOptional(ids.incrementAndGet(), element);
    }
    if (u.startsWith("STRUCT(")) {
      List<Types.NestedField> fields = new ArrayList<>();
      for (String part : splitTopLevel(t.substring(7, t.length() - 1))) {
        String[] nameAndType = splitNameType(part.trim());
        int id = ids.incrementAndGet();
        fields.add(
            Types.NestedField.optional(
                id, nameAndType[0], icebergType(nameAndType[1], ids, column)));
      }
      return Types.StructType.of(fields);
    }
    if (u.startsWith("MAP(")) {
      List<String> kv = splitTopLevel(t.substring(4, t.length() - 1));
      int keyId = ids.incrementAndGet();
      int valueId = ids.incrementAndGet();
      return Types.MapType.ofOptional(
          keyId, valueId, icebergType(kv.get(0), ids, column), icebergType(kv.get(1), ids, column));
    }
    if (u.startsWith("DECIMAL")) {
      int[] ps = decimalPrecisionScale(u);
      return Types.DecimalType.of(ps[0], ps[1]);
    }
    return switch (u) {
      case "BOOLEAN" -> Types.BooleanType.get();
      case "TINYINT", "SMALLINT", "INTEGER", "UTINYINT", "USMALLINT" -> Types.IntegerType.get();
      case "BIGINT", "UINTEGER" -> Types.LongType.get();
      case "UBIGINT" -> Types.DecimalType.of(20, 0);
      case "HUGEINT", "UHUGEINT" -> Types.DecimalType.of(38, 0);
      case "FLOAT" -> Types.FloatType.get();
      case "DOUBLE" -> Types.DoubleType.get();
      case "VARCHAR", "JSON", "\"NULL\"", "NULL" -> Types.StringType.get();
      case "BLOB" -> Types.BinaryType.get();
      case "DATE" -> Types.DateType.get();
      case "TIME" -> Types.TimeType.get();
      case "TIMESTAMP", "TIMESTAMP_MS", "TIMESTAMP_S", "TIMESTAMP_NS" ->
          Types.TimestampType.withoutZone();
      case "TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ" -> Types.TimestampType.withZone();
      case "UUID" -> Types.UUIDType.get();
      default -> {
        if (u.startsWith("ENUM")) {
          yield Types.StringType.get();
        }
        throw new SqlException(
            SqlState.FEATURE_NOT_SUPPORTED,
            "column '"
                + column
                + "' has type "
                + t
                + ", which an Iceberg table cannot store; CAST it to VARCHAR or a numeric type");
      }
    };
  }

  private static String[] splitNameType(String part) {
    if (part.startsWith("\"")) {
      int end = part.indexOf('"', 1);
      while (end + 1 < part.length() && part.charAt(end + 1) == '"') {
        end = part.indexOf('"', end + 2);
      }
      return new String[] {
        part.substring(1, end).replace("\"\"", "\""), part.substring(end + 1).trim()
      };
    }
    int space = part.indexOf(' ');
    return new String[] {part.substring(0, space), part.substring(space + 1).trim()};
  }

  /** Splits at commas outside parentheses and quotes. */
  static List<String> splitTopLevel(String s) {
    List<String> parts = new ArrayList<>();
    int depth = 0;
    boolean quoted = false;
    int start = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"') {
        quoted = !quoted;
      } else if (!quoted && c == '(') {
        depth++;
      } else if (!quoted && c == ')') {
        depth--;
      } else if (!quoted && depth == 0 && c == ',') {
        parts.add(s.substring(start, i).trim());
        start = i + 1;
      }
    }
    parts.add(s.substring(start).trim());
    return parts;
  }
}
