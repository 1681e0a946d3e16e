package dev.basin.catalog;

import dev.basin.common.error.BasinException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * Translates between Glue's column model (names with Hive type strings) and Iceberg schemas and
 * partition specs, so that users describe managed tables the way they describe external ones.
 *
 * <p>{@code timestamp} maps to Iceberg's {@code timestamp} without zone (as Athena's Iceberg tables
 * do); {@code timestamptz} is accepted for a zoned timestamp. {@code tinyint}/{@code smallint}
 * widen to {@code int} and {@code char(n)}/{@code varchar(n)} to {@code string}, because Iceberg
 * has no narrower types.
 */
public final class IcebergSchemas {
  private IcebergSchemas() {}

  /**
   * An Iceberg schema for the columns, with field ids assigned in order (nested fields after their
   * parents). Every column is optional.
   *
   * @throws BasinException {@code INVALID_TYPE} or {@code INVALID_NAME} naming the column
   */
  public static Schema schema(List<Column> columns) {
    if (columns.isEmpty()) {
      throw new BasinException(CatalogErrorCode.INVALID_INPUT, "a table needs at least one column");
    }
    AtomicInteger ids = new AtomicInteger(0);
    List<Types.NestedField> fields = new ArrayList<>();
    List<String> seen = new ArrayList<>();
    for (Column c : columns) {
      String name = Names.check("column", c.name());
      if (seen.contains(name)) {
        throw new BasinException(
            CatalogErrorCode.INVALID_INPUT, "column '" + name + "' appears twice");
      }
      seen.add(name);
      int id = ids.incrementAndGet();
      fields.add(field(id, name, c.type(), c.comment(), ids));
    }
    return new Schema(fields);
  }

  private static Types.NestedField field(
      int id, String name, String typeText, String comment, AtomicInteger ids) {
    Type type;
    if (typeText != null && typeText.trim().toLowerCase(Locale.ROOT).equals("timestamptz")) {
      type = Types.TimestampType.withZone();
    } else {
      HiveType hive;
      try {
        hive = HiveType.parse(typeText);
      } catch (BasinException e) {
        throw new BasinException(
            CatalogErrorCode.INVALID_TYPE, "column '" + name + "': " + e.getMessage(), e);
      }
      type = icebergType(hive, ids);
    }
    return Types.NestedField.optional(id, name, type, comment);
  }

  private static Type icebergType(HiveType hive, AtomicInteger ids) {
    if (hive instanceof HiveType.Primitive p) {
      switch (p.name()) {
        case "string":
          return Types.StringType.get();
        case "tinyint":
        case "smallint":
        case "int":
          return Types.IntegerType.get();
        case "bigint":
          return Types.LongType.get();
        case "float":
          return Types.FloatType.get();
        case "double":
          return Types.DoubleType.get();
        case "boolean":
          return Types.BooleanType.get();
        case "date":
          return Types.DateType.get();
        case "timestamp":
          return Types.TimestampType.withoutZone();
        case "binary":
          return Types.BinaryType.get();
        default:
          throw new BasinException(
              CatalogErrorCode.INVALID_TYPE, "type '" + p.name() + "' has no Iceberg equivalent");
      }
    }
    if (hive instanceof HiveType.Decimal d) {
      if (d.precision() > 38) {
        throw new BasinException(
            CatalogErrorCode.INVALID_TYPE,
            "decimal precision " + d.precision() + " is above Iceberg's maximum of 38");
      }
      return Types.DecimalType.of(d.precision(), d.scale());
    }
    if (hive instanceof HiveType.Text) {
      return Types.StringType.get();
    }
    if (hive instanceof HiveType.Array a) {
      int elementId = ids.incrementAndGet();
      return Types.ListType.ofOptional(elementId, icebergType(a.element(), ids));
    }
    if (hive instanceof HiveType.MapType m) {
      int keyId = ids.incrementAndGet();
      int valueId = ids.incrementAndGet();
      return Types.MapType.ofOptional(
          keyId, valueId, icebergType(m.key(), ids), icebergType(m.value(), ids));
    }
    HiveType.Struct s = (HiveType.Struct) hive;
    List<Types.NestedField> fields = new ArrayList<>();
    for (HiveType.Field f : s.fields()) {
      int id = ids.incrementAndGet();
      fields.add(Types.NestedField.optional(id, f.name(), icebergType(f.type(), ids)));
    }
    return Types.StructType.of(fields);
  }

  /** Glue's type string for an Iceberg type ({@code timestamptz} for a zoned timestamp). */
  public static String glueType(Type type) {
    switch (type.typeId()) {
      case BOOLEAN:
        return "boolean";
      case INTEGER:
        return "int";
      case LONG:
        return "bigint";
      case FLOAT:
        return "float";
      case DOUBLE:
        return "double";
      case DATE:
        return "date";
      case TIME:
        return "string";
      case TIMESTAMP:
        return ((Types.TimestampType) type).shouldAdjustToUTC() ? "timestamptz" : "timestamp";
      case STRING:
      case UUID:
        return "string";
      case FIXED:
      case BINARY:
        return "binary";
      case DECIMAL:
        Types.DecimalType d = (Types.DecimalType) type;
        return "decimal(" + d.precision() + "," + d.scale() + ")";
      case LIST:
        return "array<" + glueType(type.asListType().elementType()) + ">";
      case MAP:
        return "map<"
            + glueType(type.asMapType().keyType())
            + ","
            + glueType(type.asMapType().valueType())
            + ">";
      case STRUCT:
        StringBuilder sb = new StringBuilder("struct<");
        List<Types.NestedField> fields = type.asStructType().fields();
        for (int i = 0; i < fields.size(); i++) {
          if (i > 0) {
            sb.append(',');
          }
          sb.append(fields.get(i).name()).append(':').append(glueType(fields.get(i).type()));
        }
        return sb.append('>').toString();
      default:
        return type.toString();
    }
  }

  /**
   * A partition spec from terms like Athena's {@code PARTITIONED BY}: a column name (identity),
   * {@code year(col)}, {@code month(col)}, {@code day(col)}, {@code hour(col)}, {@code bucket(n,
   * col)}, {@code truncate(n, col)}.
   *
   * @throws BasinException {@code INVALID_INPUT} naming the term
   */
  public static PartitionSpec spec(Schema schema, List<String> terms) {
    PartitionSpec.Builder b = PartitionSpec.builderFor(schema);
    for (String raw : terms) {
      String term = raw.trim();
      try {
        int open = term.indexOf('(');
        if (open < 0) {
          b.identity(column(schema, term));
          continue;
        }
        if (!term.endsWith(")")) {
          throw new IllegalArgumentException("missing ')'");
        }
        String fn = term.substring(0, open).trim().toLowerCase(Locale.ROOT);
        String[] args = term.substring(open + 1, term.length() - 1).split(",");
        switch (fn) {
          case "year", "years" -> b.year(column(schema, one(args)));
          case "month", "months" -> b.month(column(schema, one(args)));
          case "day", "days" -> b.day(column(schema, one(args)));
          case "hour", "hours" -> b.hour(column(schema, one(args)));
          case "bucket" -> b.bucket(column(schema, two(args)[1]), Integer.parseInt(two(args)[0]));
          case "truncate" ->
              b.truncate(column(schema, two(args)[1]), Integer.parseInt(two(args)[0]));
          default -> throw new IllegalArgumentException("unknown transform '" + fn + "'");
        }
      } catch (IllegalArgumentException | org.apache.iceberg.exceptions.ValidationException e) {
        throw new BasinException(
            CatalogErrorCode.INVALID_INPUT,
            "partition term '"
                + term
                + "': "
                + e.getMessage()
                + "; use a column name, year(col), month(col), day(col), hour(col), bucket(n, col)"
                + " or truncate(n, col)");
      }
    }
    return b.build();
  }

  /** The partition spec as terms {@link #spec} accepts. */
  public static List<String> terms(PartitionSpec spec) {
    List<String> out = new ArrayList<>();
    spec.fields()
        .forEach(
            f -> {
              String source = spec.schema().findColumnName(f.sourceId());
              String transform = f.transform().toString();
              if (transform.equals("identity")) {
                out.add(source);
              } else if (transform.startsWith("bucket[") || transform.startsWith("truncate[")) {
                String n = transform.substring(transform.indexOf('[') + 1, transform.indexOf(']'));
                out.add(
                    transform.substring(0, transform.indexOf('[')) + "(" + n + ", " + source + ")");
              } else {
                out.add(transform + "(" + source + ")");
              }
            });
    return out;
  }

  private static String column(Schema schema, String name) {
    String n = name.trim();
    if (schema.findField(n) == null) {
      throw new IllegalArgumentException("no column named '" + n + "'");
    }
    return n;
  }

  private static String one(String[] args) {
    if (args.length != 1) {
      throw new IllegalArgumentException("expected one argument");
    }
    return args[0].trim();
  }

  private static String[] two(String[] args) {
    if (args.length != 2) {
      throw new IllegalArgumentException("expected two arguments: (n, column)");
    }
    return new String[] {args[0].trim(), args[1].trim()};
  }
}
