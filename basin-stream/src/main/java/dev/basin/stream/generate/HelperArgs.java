package dev.basin.stream.generate;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The parsed arguments of one placeholder, with typed accessors that throw {@link Invalid} with a
 * message naming the offending argument. The template parser adds the helper name and position.
 */
final class HelperArgs {

  /** Arguments that do not fit the helper; the message says why. */
  static final class Invalid extends RuntimeException {
    Invalid(String message) {
      super(message, null, false, false);
    }
  }

  private final List<Object> values;

  HelperArgs(List<Object> values) {
    this.values = values;
  }

  int size() {
    return values.size();
  }

  /** Fails unless there are between {@code min} and {@code max} arguments. */
  HelperArgs count(int min, int max) {
    int n = values.size();
    if (n < min || n > max) {
      if (max == 0) {
        throw new Invalid("takes no arguments, got " + n);
      }
      String expected =
          min == max ? String.valueOf(min) : (min == 0 ? "at most " + max : min + " to " + max);
      throw new Invalid("takes " + expected + " argument" + (max == 1 ? "" : "s") + ", got " + n);
    }
    return this;
  }

  /** Whether argument {@code i} (0-based) is present and not null. */
  boolean has(int i) {
    return i < values.size() && values.get(i) != null;
  }

  Object raw(int i) {
    return values.get(i);
  }

  double number(int i, double defaultValue) {
    if (!has(i)) {
      return defaultValue;
    }
    Object v = values.get(i);
    if (v instanceof Number) {
      return ((Number) v).doubleValue();
    }
    throw new Invalid(ordinal(i) + " argument must be a number, got " + JsValues.describe(v));
  }

  long integer(int i, long defaultValue) {
    if (!has(i)) {
      return defaultValue;
    }
    return integerValue(ordinal(i) + " argument", values.get(i));
  }

  /** An integer within {@code [min, max]}, or {@code defaultValue} (unchecked) when absent. */
  int integer(int i, int defaultValue, int min, int max) {
    if (!has(i)) {
      return defaultValue;
    }
    long v = integer(i, defaultValue);
    if (v < min || v > max) {
      throw new Invalid(
          ordinal(i) + " argument must be between " + min + " and " + max + ", got " + v);
    }
    return (int) v;
  }

  String string(int i, String defaultValue) {
    if (!has(i)) {
      return defaultValue;
    }
    Object v = values.get(i);
    if (v instanceof String) {
      return (String) v;
    }
    throw new Invalid(ordinal(i) + " argument must be a \"string\", got " + JsValues.describe(v));
  }

  List<Object> list(int i) {
    Object v = i < values.size() ? values.get(i) : null;
    if (v instanceof List) {
      @SuppressWarnings("unchecked")
      List<Object> list = (List<Object>) v;
      return list;
    }
    throw new Invalid(
        ordinal(i)
            + " argument must be an array like [\"a\", \"b\"], got "
            + (v == null ? "nothing" : JsValues.describe(v)));
  }

  Map<String, Object> map(int i) {
    Object v = i < values.size() ? values.get(i) : null;
    if (v instanceof Map) {
      @SuppressWarnings("unchecked")
      Map<String, Object> map = (Map<String, Object>) v;
      return map;
    }
    throw new Invalid(
        ordinal(i)
            + " argument must be an object like {\"key\": value}, got "
            + (v == null ? "nothing" : JsValues.describe(v)));
  }

  /** Fails if {@code map} has keys outside {@code allowed}. */
  static void onlyKeys(Map<String, Object> map, Set<String> allowed) {
    for (String key : map.keySet()) {
      if (!allowed.contains(key)) {
        throw new Invalid(
            "unknown option '"
                + key
                + "'; expected "
                + String.join(", ", allowed.stream().sorted().toList()));
      }
    }
  }

  static long integerValue(String what, Object v) {
    if (v instanceof Long) {
      return (Long) v;
    }
    if (v instanceof Double) {
      double d = (Double) v;
      if (d == Math.rint(d) && Math.abs(d) < 9.0e15) {
        return (long) d;
      }
    }
    throw new Invalid(what + " must be an integer, got " + JsValues.describe(v));
  }

  static double numberValue(String what, Object v) {
    if (v instanceof Number) {
      return ((Number) v).doubleValue();
    }
    throw new Invalid(what + " must be a number, got " + JsValues.describe(v));
  }

  private static String ordinal(int i) {
    switch (i) {
      case 0:
        return "first";
      case 1:
        return "second";
      case 2:
        return "third";
      case 3:
        return "fourth";
      default:
        return (i + 1) + "th";
    }
  }
}
