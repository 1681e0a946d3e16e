package dev.basin.delivery.transform;

import com.fasterxml.jackson.databind.JsonNode;
import dev.basin.common.json.Json;
import java.io.IOException;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A predicate over a JSON record, for {@link ProcessorConfig.Filter}. Supported forms:
 *
 * <ul>
 *   <li>{@code path == literal}: the field exists and equals the literal;
 *   <li>{@code path != literal}: the field is absent or differs from the literal;
 *   <li>{@code exists path}: the field is present (a JSON {@code null} counts as present);
 *   <li>{@code !exists path}: the field is absent.
 * </ul>
 *
 * A path is a field name or dotted names into nested objects ({@code a.b.c}), optionally starting
 * with {@code .} as in jq; names are letters, digits, {@code _} and {@code -}. A literal is a JSON
 * scalar: {@code "text"}, a number ({@code 3} equals {@code 3.0}), {@code true}, {@code false} or
 * {@code null}. Nothing else (and/or, comparisons, arrays) is supported.
 */
public final class FilterPredicate {
  private static final String PATH = "\\.?[A-Za-z0-9_-]+(?:\\.[A-Za-z0-9_-]+)*";
  private static final Pattern COMPARE =
      Pattern.compile("\\s*(" + PATH + ")\\s*(==|!=)\\s*(.+?)\\s*");
  private static final Pattern EXISTS = Pattern.compile("\\s*(!?)exists\\s+(" + PATH + ")\\s*");

  private final String text;
  private final List<String> path;
  private final String op;
  private final JsonNode literal;

  private FilterPredicate(String text, List<String> path, String op, JsonNode literal) {
    this.text = text;
    this.path = path;
    this.op = op;
    this.literal = literal;
  }

  /**
   * @throws IllegalArgumentException naming the predicate when it does not follow the syntax
   */
  public static FilterPredicate parse(String text) {
    if (text == null) {
      throw new IllegalArgumentException("Filter.Predicate is required");
    }
    Matcher m = EXISTS.matcher(text);
    if (m.matches()) {
      return new FilterPredicate(
          text, path(m.group(2)), m.group(1).isEmpty() ? "exists" : "!exists", null);
    }
    m = COMPARE.matcher(text);
    if (m.matches()) {
      JsonNode literal;
      try {
        literal = Json.mapper().readTree(m.group(3));
      } catch (IOException e) {
        literal = null;
      }
      if (literal == null || !literal.isValueNode()) {
        throw new IllegalArgumentException(
            "Filter.Predicate '"
                + text
                + "': "
                + m.group(3)
                + " is not a JSON literal (quote strings: \"text\")");
      }
      return new FilterPredicate(text, path(m.group(1)), m.group(2), literal);
    }
    throw new IllegalArgumentException(
        "Filter.Predicate '"
            + text
            + "' is not one of: path == literal, path != literal, exists path, !exists path");
  }

  private static List<String> path(String p) {
    return List.of((p.startsWith(".") ? p.substring(1) : p).split("\\."));
  }

  /** Whether the record matches. */
  public boolean test(JsonNode record) {
    JsonNode v = record;
    for (String name : path) {
      v = v == null || !v.isObject() ? null : v.get(name);
    }
    return switch (op) {
      case "exists" -> v != null;
      case "!exists" -> v == null;
      case "==" -> v != null && same(v, literal);
      default -> v == null || !same(v, literal);
    };
  }

  private static boolean same(JsonNode a, JsonNode b) {
    if (a.isNumber() && b.isNumber()) {
      return a.decimalValue().compareTo(b.decimalValue()) == 0;
    }
    return a.equals(b);
  }

  @Override
  public String toString() {
    return text;
  }
}
