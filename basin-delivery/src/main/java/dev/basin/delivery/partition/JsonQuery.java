package dev.basin.delivery.partition;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The subset of jq that Firehose's dynamic partitioning queries use: an object of named paths,
 * {@code {customer_id: .customer_id, device: .type.device, day: .ts[0:10]}}, where a path is {@code
 * .} followed by field steps ({@code .name}, {@code ."any name"}, {@code ["any name"]}), array
 * indexes ({@code [0]}, {@code [-1]}) and string slices ({@code [0:10]}).
 *
 * <p>Not supported (an error says so): pipes, functions such as {@code strftime}, iterators ({@code
 * []}), alternatives ({@code //}) and arithmetic. Immutable and thread-safe.
 */
public final class JsonQuery {
  private final String text;
  private final Map<String, List<Step>> keys;

  private JsonQuery(String text, Map<String, List<Step>> keys) {
    this.text = text;
    this.keys = keys;
  }

  /** One step of a path. */
  private sealed interface Step {}

  private record Field(String name) implements Step {}

  private record Index(int index) implements Step {}

  private record Slice(Integer from, Integer to) implements Step {}

  /**
   * Parses a query like {@code {customer_id: .customer_id, year: .event.date[0:4]}}.
   *
   * @throws IllegalArgumentException naming the position and what was expected
   */
  public static JsonQuery parse(String query) {
    if (query == null || query.isBlank()) {
      throw new IllegalArgumentException(
          "the partition key query is empty; write {name: .path, …}, e.g. {customer_id:"
              + " .customer_id}");
    }
    Parser p = new Parser(query);
    Map<String, List<Step>> keys = p.object();
    p.skipSpaces();
    if (!p.atEnd()) {
      throw p.error("unexpected '" + p.rest() + "' after the query");
    }
    return new JsonQuery(query, Collections.unmodifiableMap(keys));
  }

  /** The key names, in query order. */
  public List<String> keyNames() {
    return List.copyOf(keys.keySet());
  }

  /**
   * Evaluates every key against a record.
   *
   * @return the key values as strings, in query order
   * @throws PartitionKeyException if a key is missing, null, or not a scalar
   */
  public Map<String, String> evaluate(JsonNode record) {
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, List<Step>> e : keys.entrySet()) {
      JsonNode v = walk(record, e.getValue());
      if (v.isMissingNode() || v.isNull()) {
        throw new PartitionKeyException(
            "partition key '" + e.getKey() + "' (" + pathText(e.getValue()) + ") is missing");
      }
      if (!v.isValueNode()) {
        throw new PartitionKeyException(
            "partition key '"
                + e.getKey()
                + "' ("
                + pathText(e.getValue())
                + ") is "
                + (v.isArray() ? "an array" : "an object")
                + ", not a string, number or boolean");
      }
      out.put(e.getKey(), v.asText());
    }
    return out;
  }

  private static JsonNode walk(JsonNode node, List<Step> steps) {
    JsonNode cur = node;
    for (Step s : steps) {
      if (cur == null || cur.isMissingNode() || cur.isNull()) {
        return MissingNode.getInstance();
      }
      if (s instanceof Field f) {
        cur = cur.isObject() ? cur.path(f.name()) : MissingNode.getInstance();
      } else if (s instanceof Index i) {
        if (!cur.isArray()) {
          return MissingNode.getInstance();
        }
        int idx = i.index() < 0 ? cur.size() + i.index() : i.index();
        cur = idx >= 0 && idx < cur.size() ? cur.get(idx) : MissingNode.getInstance();
      } else {
        Slice sl = (Slice) s;
        if (!cur.isTextual()) {
          return MissingNode.getInstance();
        }
        String t = cur.textValue();
        int n = t.length();
        int from = clamp(sl.from() == null ? 0 : sl.from(), n);
        int to = clamp(sl.to() == null ? n : sl.to(), n);
        cur =
            com.fasterxml.jackson.databind.node.TextNode.valueOf(
                from >= to ? "" : t.substring(from, to));
      }
    }
    return cur;
  }

  private static int clamp(int i, int n) {
    int v = i < 0 ? n + i : i;
    return Math.max(0, Math.min(n, v));
  }

  private static String pathText(List<Step> steps) {
    if (steps.isEmpty()) {
      return ".";
    }
    StringBuilder sb = new StringBuilder();
    for (Step s : steps) {
      if (s instanceof Field f) {
        sb.append('.').append(f.name());
      } else if (s instanceof Index i) {
        sb.append('[').append(i.index()).append(']');
      } else {
        Slice sl = (Slice) s;
        sb.append('[')
            .append(sl.from() == null ? "" : sl.from())
            .append(':')
            .append(sl.to() == null ? "" : sl.to())
            .append(']');
      }
    }
    return sb.toString();
  }

  @Override
  public String toString() {
    return text;
  }

  private static final class Parser {
    private final String s;
    private int pos;

    Parser(String s) {
      this.s = s;
    }

    Map<String, List<Step>> object() {
      skipSpaces();
      expect('{', "a query starts with '{', e.g. {customer_id: .customer_id}");
      Map<String, List<Step>> keys = new LinkedHashMap<>();
      skipSpaces();
      if (peek() == '}') {
        throw error("the query names no partition keys");
      }
      while (true) {
        skipSpaces();
        int at = pos;
        String name = peek() == '"' ? quoted() : identifier();
        if (name.isEmpty()) {
          throw error("expected a key name");
        }
        if (keys.containsKey(name)) {
          pos = at;
          throw error("key '" + name + "' appears twice");
        }
        skipSpaces();
        expect(':', "expected ':' after the key name '" + name + "'");
        skipSpaces();
        keys.put(name, path());
        skipSpaces();
        if (peek() == ',') {
          pos++;
          continue;
        }
        expect('}', "expected ',' or '}'");
        return keys;
      }
    }

    List<Step> path() {
      expect('.', "a path starts with '.', e.g. .customer_id");
      List<Step> steps = new ArrayList<>();
      char c = peek();
      if (c == '"') {
        steps.add(new Field(quoted()));
      } else if (isIdentStart(c)) {
        steps.add(new Field(identifier()));
      } else if (c == '[') {
        steps.add(bracket());
      }
      while (!atEnd()) {
        c = peek();
        if (c == '.') {
          pos++;
          if (peek() == '"') {
            steps.add(new Field(quoted()));
          } else if (isIdentStart(peek())) {
            steps.add(new Field(identifier()));
          } else {
            throw error("expected a field name after '.'");
          }
        } else if (c == '[') {
          steps.add(bracket());
        } else if (c == '|') {
          throw error(
              "pipes and functions (| strftime, | tostring …) are not supported; extract the"
                  + " field and format it in a transform instead");
        } else {
          break;
        }
      }
      return steps;
    }

    Step bracket() {
      expect('[', "expected '['");
      skipSpaces();
      if (peek() == '"') {
        String name = quoted();
        skipSpaces();
        expect(']', "expected ']'");
        return new Field(name);
      }
      if (peek() == ']') {
        throw error("iterators ([]) are not supported: a partition key must be one value");
      }
      Integer from = peek() == ':' ? null : integer();
      skipSpaces();
      if (peek() == ':') {
        pos++;
        skipSpaces();
        Integer to = peek() == ']' ? null : integer();
        skipSpaces();
        expect(']', "expected ']'");
        return new Slice(from, to);
      }
      expect(']', "expected ']'");
      return new Index(from);
    }

    int integer() {
      int start = pos;
      if (peek() == '-') {
        pos++;
      }
      while (!atEnd() && Character.isDigit(peek())) {
        pos++;
      }
      String t = s.substring(start, pos);
      try {
        return Integer.parseInt(t);
      } catch (NumberFormatException e) {
        pos = start;
        throw error("expected a number or a quoted field name");
      }
    }

    String identifier() {
      int start = pos;
      while (!atEnd() && (isIdentStart(peek()) || Character.isDigit(peek()))) {
        pos++;
      }
      return s.substring(start, pos);
    }

    String quoted() {
      expect('"', "expected '\"'");
      StringBuilder sb = new StringBuilder();
      while (!atEnd() && peek() != '"') {
        char c = s.charAt(pos++);
        if (c == '\\' && !atEnd()) {
          sb.append(s.charAt(pos++));
        } else {
          sb.append(c);
        }
      }
      expect('"', "unterminated string");
      return sb.toString();
    }

    static boolean isIdentStart(char c) {
      return Character.isLetter(c) || c == '_' || c == '$';
    }

    void expect(char c, String message) {
      if (atEnd() || s.charAt(pos) != c) {
        throw error(message);
      }
      pos++;
    }

    char peek() {
      return atEnd() ? '\0' : s.charAt(pos);
    }

    boolean atEnd() {
      return pos >= s.length();
    }

    String rest() {
      return s.substring(pos);
    }

    void skipSpaces() {
      while (!atEnd() && Character.isWhitespace(s.charAt(pos))) {
        pos++;
      }
    }

    IllegalArgumentException error(String message) {
      return new IllegalArgumentException(
          "partition key query, position " + (pos + 1) + ": " + message + " (in '" + s + "')");
    }
  }
}
