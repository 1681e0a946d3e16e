package dev.basin.stream.generate;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.basin.common.json.Json;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/** Renders argument values the way a faker.js template shows them. */
final class JsValues {
  private JsValues() {}

  /**
   * The text a value renders as: strings as they are, numbers like JavaScript prints them (no
   * {@code .0} on integers), arrays and objects as JSON (faker.js would print {@code [object
   * Object]}, which nobody wants in a record).
   */
  static String text(Object value) {
    if (value == null) {
      return "null";
    }
    if (value instanceof String) {
      return (String) value;
    }
    if (value instanceof Double) {
      return number((Double) value);
    }
    if (value instanceof Number || value instanceof Boolean) {
      return value.toString();
    }
    if (value instanceof List || value instanceof Map) {
      try {
        return Json.mapper().writeValueAsString(value);
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("cannot render " + value, e);
      }
    }
    return value.toString();
  }

  /** A double the way JavaScript's {@code Number.prototype.toString} shows common values. */
  static String number(double d) {
    if (d == Math.rint(d) && Math.abs(d) < 1e15) {
      return Long.toString((long) d);
    }
    if (Double.isNaN(d) || Double.isInfinite(d)) {
      return Double.toString(d);
    }
    return BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
  }

  /** A short quoted form of a value for error messages. */
  static String describe(Object value) {
    if (value instanceof String) {
      return "\"" + value + "\"";
    }
    return text(value);
  }
}
