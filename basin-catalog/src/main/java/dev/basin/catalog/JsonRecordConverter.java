package dev.basin.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import dev.basin.common.error.BasinException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * Converts JSON objects into Iceberg generic records of a table's schema, coercing where the
 * meaning is unambiguous: numbers in strings ({@code "42"} into a {@code long}), epoch milliseconds
 * or ISO-8601 text into dates and timestamps, integral numbers into decimals, a base64 string into
 * binary. Nested objects, arrays and maps convert recursively. Missing and {@code null} fields
 * become nulls, except for required fields, which fail.
 *
 * <p>Thread-safe and stateless apart from its policy.
 */
public final class JsonRecordConverter {

  /** What to do with a JSON field the schema does not have. */
  public enum UnknownFields {
    IGNORE,
    FAIL
  }

  private final Schema schema;
  private final UnknownFields unknownFields;

  public JsonRecordConverter(Schema schema, UnknownFields unknownFields) {
    this.schema = schema;
    this.unknownFields = unknownFields;
  }

  /**
   * Converts one JSON object.
   *
   * @throws BasinException {@code INVALID_INPUT} naming the field path and the value that did not
   *     fit, e.g. {@code field 'order.total': "abc" is not a double}
   */
  public Record convert(JsonNode json) {
    if (json == null || !json.isObject()) {
      throw invalid("", json, "a JSON object");
    }
    return struct(schema.asStruct(), json, "");
  }

  private Record struct(Types.StructType type, JsonNode json, String path) {
    GenericRecord record = GenericRecord.create(type);
    for (Types.NestedField field : type.fields()) {
      String fieldPath = path.isEmpty() ? field.name() : path + "." + field.name();
      JsonNode value = json.get(field.name());
      if (value == null || value.isNull()) {
        if (field.isRequired()) {
          throw new BasinException(
              CatalogErrorCode.INVALID_INPUT,
              "field '" + fieldPath + "' is required by the table's schema but missing or null");
        }
        record.setField(field.name(), null);
      } else {
        record.setField(field.name(), value(field.type(), value, fieldPath));
      }
    }
    if (unknownFields == UnknownFields.FAIL) {
      Iterator<String> names = json.fieldNames();
      while (names.hasNext()) {
        String name = names.next();
        if (type.field(name) == null) {
          String fieldPath = path.isEmpty() ? name : path + "." + name;
          throw new BasinException(
              CatalogErrorCode.INVALID_INPUT,
              "field '"
                  + fieldPath
                  + "' is not in the table's schema; add the column or drop the field");
        }
      }
    }
    return record;
  }

  private Object value(Type type, JsonNode json, String path) {
    switch (type.typeId()) {
      case BOOLEAN:
        if (json.isBoolean()) {
          return json.booleanValue();
        }
        if (json.isTextual()) {
          String text = json.textValue().trim().toLowerCase(java.util.Locale.ROOT);
          if (text.equals("true") || text.equals("false")) {
            return Boolean.parseBoolean(text);
          }
        }
        throw invalid(path, json, "a boolean");
      case INTEGER:
        return (int) integral(json, path, Integer.MIN_VALUE, Integer.MAX_VALUE, "an int");
      case LONG:
        return integral(json, path, Long.MIN_VALUE, Long.MAX_VALUE, "a bigint");
      case FLOAT:
        return (float) floating(json, path, "a float");
      case DOUBLE:
        return floating(json, path, "a double");
      case DECIMAL:
        return decimal((Types.DecimalType) type, json, path);
      case STRING:
        return json.isValueNode() ? json.asText() : json.toString();
      case UUID:
        try {
          return UUID.fromString(json.asText());
        } catch (IllegalArgumentException e) {
          throw invalid(path, json, "a UUID");
        }
      case DATE:
        return date(json, path);
      case TIME:
        try {
          return LocalTime.parse(json.asText());
        } catch (DateTimeParseException e) {
          throw invalid(path, json, "a time (HH:MM:SS)");
        }
      case TIMESTAMP:
        return timestamp((Types.TimestampType) type, json, path);
      case BINARY:
      case FIXED:
        if (json.isTextual()) {
          try {
            return ByteBuffer.wrap(Base64.getDecoder().decode(json.textValue()));
          } catch (IllegalArgumentException e) {
            throw invalid(path, json, "base64-encoded binary");
          }
        }
        throw invalid(path, json, "base64-encoded binary");
      case STRUCT:
        if (!json.isObject()) {
          throw invalid(path, json, "an object");
        }
        return struct(type.asStructType(), json, path);
      case LIST:
        {
          if (!json.isArray()) {
            throw invalid(path, json, "an array");
          }
          Types.ListType list = type.asListType();
          List<Object> out = new ArrayList<>(json.size());
          for (int i = 0; i < json.size(); i++) {
            JsonNode element = json.get(i);
            String elementPath = path + "[" + i + "]";
            if (element.isNull()) {
              if (list.isElementRequired()) {
                throw new BasinException(
                    CatalogErrorCode.INVALID_INPUT,
                    "field '" + elementPath + "' is null but the list's elements are required");
              }
              out.add(null);
            } else {
              out.add(value(list.elementType(), element, elementPath));
            }
          }
          return out;
        }
      case MAP:
        {
          if (!json.isObject()) {
            throw invalid(path, json, "an object (map)");
          }
          Types.MapType map = type.asMapType();
          Map<Object, Object> out = new LinkedHashMap<>();
          Iterator<Map.Entry<String, JsonNode>> entries = json.fields();
          while (entries.hasNext()) {
            Map.Entry<String, JsonNode> e = entries.next();
            String entryPath = path + "['" + e.getKey() + "']";
            Object key =
                value(
                    map.keyType(),
                    com.fasterxml.jackson.databind.node.TextNode.valueOf(e.getKey()),
                    entryPath);
            Object v =
                e.getValue().isNull() ? null : value(map.valueType(), e.getValue(), entryPath);
            if (v == null && map.isValueRequired()) {
              throw new BasinException(
                  CatalogErrorCode.INVALID_INPUT,
                  "field '" + entryPath + "' is null but the map's values are required");
            }
            out.put(key, v);
          }
          return out;
        }
      default:
        throw new BasinException(
            CatalogErrorCode.INVALID_INPUT,
            "field '" + path + "' has type " + type + ", which JSON input cannot fill");
    }
  }

  private static long integral(JsonNode json, String path, long min, long max, String what) {
    long v;
    if (json.isIntegralNumber() && json.canConvertToLong()) {
      v = json.longValue();
    } else if (json.isNumber() && json.doubleValue() == Math.rint(json.doubleValue())) {
      BigDecimal d = json.decimalValue();
      try {
        v = d.longValueExact();
      } catch (ArithmeticException e) {
        throw invalid(path, json, what);
      }
    } else if (json.isTextual()) {
      try {
        v = Long.parseLong(json.textValue().trim());
      } catch (NumberFormatException e) {
        throw invalid(path, json, what);
      }
    } else {
      throw invalid(path, json, what);
    }
    if (v < min || v > max) {
      throw invalid(path, json, what + " (out of range)");
    }
    return v;
  }

  private static double floating(JsonNode json, String path, String what) {
    if (json.isNumber()) {
      return json.doubleValue();
    }
    if (json.isTextual()) {
      try {
        return Double.parseDouble(json.textValue().trim());
      } catch (NumberFormatException e) {
        throw invalid(path, json, what);
      }
    }
    throw invalid(path, json, what);
  }

  private static BigDecimal decimal(Types.DecimalType type, JsonNode json, String path) {
    BigDecimal d;
    if (json.isNumber()) {
      d = json.decimalValue();
    } else if (json.isTextual()) {
      try {
        d = new BigDecimal(json.textValue().trim());
      } catch (NumberFormatException e) {
        throw invalid(path, json, "a " + type);
      }
    } else {
      throw invalid(path, json, "a " + type);
    }
    BigDecimal scaled;
    try {
      scaled = d.setScale(type.scale(), RoundingMode.UNNECESSARY);
    } catch (ArithmeticException e) {
      throw invalid(path, json, "a " + type + " (more than " + type.scale() + " decimal places)");
    }
    if (scaled.precision() > type.precision()) {
      throw invalid(path, json, "a " + type + " (more than " + type.precision() + " digits)");
    }
    return scaled;
  }

  private static LocalDate date(JsonNode json, String path) {
    if (json.isIntegralNumber()) {
      return LocalDate.ofEpochDay(json.longValue());
    }
    String text = json.asText().trim();
    try {
      return LocalDate.parse(text.length() > 10 ? text.substring(0, 10) : text);
    } catch (DateTimeParseException e) {
      throw invalid(path, json, "a date (YYYY-MM-DD or days since 1970-01-01)");
    }
  }

  private static Object timestamp(Types.TimestampType type, JsonNode json, String path) {
    OffsetDateTime at;
    if (json.isIntegralNumber()) {
      at = Instant.ofEpochMilli(json.longValue()).atOffset(ZoneOffset.UTC);
    } else if (json.isTextual()) {
      at = parseTimestamp(json.textValue().trim());
      if (at == null) {
        throw invalid(
            path, json, "a timestamp (ISO-8601 like 2026-11-21T10:15:30Z, or epoch milliseconds)");
      }
    } else {
      throw invalid(path, json, "a timestamp");
    }
    return type.shouldAdjustToUTC()
        ? at
        : at.withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime();
  }

  private static OffsetDateTime parseTimestamp(String text) {
    String t = text.replace(' ', 'T');
    try {
      return OffsetDateTime.parse(t);
    } catch (DateTimeParseException e) {
      // fall through: no offset means UTC
    }
    try {
      return LocalDateTime.parse(t).atOffset(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      // fall through
    }
    try {
      return LocalDate.parse(t).atStartOfDay().atOffset(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static BasinException invalid(String path, JsonNode json, String expected) {
    String shown = json == null ? "nothing" : json.toString();
    if (shown.length() > 80) {
      shown = shown.substring(0, 77) + "...";
    }
    String where = path.isEmpty() ? "the record" : "field '" + path + "'";
    String got =
        json == null
            ? ""
            : " (" + json.getNodeType().name().toLowerCase(java.util.Locale.ROOT) + ")";
    if (json != null && json.getNodeType() == JsonNodeType.MISSING) {
      got = "";
    }
    return new BasinException(
        CatalogErrorCode.INVALID_INPUT, where + ": " + shown + got + " is not " + expected);
  }
}
