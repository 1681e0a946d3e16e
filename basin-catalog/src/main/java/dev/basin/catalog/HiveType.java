package dev.basin.catalog;

import dev.basin.common.error.BasinException;
import java.util.List;

/**
 * A column type in Glue's (Hive's) type language: {@code string}, {@code int}, {@code
 * decimal(10,2)}, {@code array<string>}, {@code map<string,bigint>}, {@code
 * struct<id:int,tags:array<string>>} … {@link #toString()} is the canonical form: lower case, no
 * spaces.
 */
public sealed interface HiveType {

  /** The primitive type names, in the order messages list them. */
  List<String> PRIMITIVES =
      List.of(
          "string",
          "tinyint",
          "smallint",
          "int",
          "bigint",
          "float",
          "double",
          "boolean",
          "date",
          "timestamp",
          "binary");

  /**
   * Parses a type string.
   *
   * @throws BasinException {@link CatalogErrorCode#INVALID_TYPE} naming the bad part and its
   *     position
   */
  static HiveType parse(String type) {
    if (type == null || type.isBlank()) {
      throw new BasinException(CatalogErrorCode.INVALID_TYPE, "a column type is required");
    }
    HiveTypeParser parser = new HiveTypeParser(type);
    HiveType result = parser.type();
    parser.skipSpaces();
    if (!parser.atEnd()) {
      throw parser.error("unexpected '" + parser.rest() + "' after the type");
    }
    return result;
  }

  /** string, int, … (canonical names; {@code integer} parses as {@code int}). */
  record Primitive(String name) implements HiveType {
    @Override
    public String toString() {
      return name;
    }
  }

  record Decimal(int precision, int scale) implements HiveType {
    @Override
    public String toString() {
      return "decimal(" + precision + "," + scale + ")";
    }
  }

  /** {@code char(n)} or {@code varchar(n)}. */
  record Text(String name, int length) implements HiveType {
    @Override
    public String toString() {
      return name + "(" + length + ")";
    }
  }

  record Array(HiveType element) implements HiveType {
    @Override
    public String toString() {
      return "array<" + element + ">";
    }
  }

  record MapType(HiveType key, HiveType value) implements HiveType {
    @Override
    public String toString() {
      return "map<" + key + "," + value + ">";
    }
  }

  record Struct(List<Field> fields) implements HiveType {
    public Struct {
      fields = List.copyOf(fields);
    }

    @Override
    public String toString() {
      StringBuilder sb = new StringBuilder("struct<");
      for (int i = 0; i < fields.size(); i++) {
        if (i > 0) {
          sb.append(',');
        }
        sb.append(fields.get(i).name()).append(':').append(fields.get(i).type());
      }
      return sb.append('>').toString();
    }
  }

  record Field(String name, HiveType type) {}
}
