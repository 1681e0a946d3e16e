package dev.basin.etl.job;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads the fields of one JSON/YAML object for {@link JobParser}, remembering which fields exist so
 * that {@link #done()} can reject unknown ones. Errors name the node and the field path and carry
 * the YAML position when known.
 */
final class Fields {
  private final JsonNode node;
  private final String pointer;
  private final String path; // field path prefix for messages, e.g. "iceberg." or ""
  private final String owner; // "node 'x' (Join)" or "job"
  private final String nodeId;
  private final Map<String, int[]> locations;
  private final Set<String> known = new LinkedHashSet<>();

  Fields(
      JsonNode node,
      String pointer,
      String path,
      String owner,
      String nodeId,
      Map<String, int[]> locations) {
    this.node = node;
    this.pointer = pointer;
    this.path = path;
    this.owner = owner;
    this.nodeId = nodeId;
    this.locations = locations;
  }

  boolean has(String field) {
    known.add(field);
    JsonNode v = node.get(field);
    return v != null && !v.isNull();
  }

  JsonNode raw(String field) {
    known.add(field);
    JsonNode v = node.get(field);
    return v == null || v.isNull() ? null : v;
  }

  String string(String field) {
    String s = optString(field, null);
    if (s == null) {
      throw missing(field);
    }
    return s;
  }

  String optString(String field, String dflt) {
    JsonNode v = raw(field);
    if (v == null) {
      return dflt;
    }
    if (!v.isValueNode()) {
      throw error(field, "must be a string, not " + kind(v));
    }
    return v.asText();
  }

  List<String> strings(String field) {
    if (!has(field)) {
      throw missing(field);
    }
    List<String> l = optStrings(field);
    if (l.isEmpty()) {
      throw error(field, "must list at least one value");
    }
    return l;
  }

  /** A list of strings; a single string is a list of one. Empty when absent. */
  List<String> optStrings(String field) {
    JsonNode v = raw(field);
    List<String> out = new ArrayList<>();
    if (v == null) {
      return out;
    }
    if (v.isValueNode()) {
      out.add(v.asText());
      return out;
    }
    if (!v.isArray()) {
      throw error(field, "must be a list of strings, not " + kind(v));
    }
    for (int i = 0; i < v.size(); i++) {
      JsonNode e = v.get(i);
      if (e == null || !e.isValueNode() || e.isNull()) {
        throw error(field + "/" + i, field + "[" + i + "]", "must be a string");
      }
      out.add(e.asText());
    }
    return out;
  }

  boolean bool(String field, boolean dflt) {
    JsonNode v = raw(field);
    if (v == null) {
      return dflt;
    }
    if (v.isBoolean()) {
      return v.booleanValue();
    }
    String t = v.isValueNode() ? v.asText().trim().toLowerCase(Locale.ROOT) : "";
    if (t.equals("true") || t.equals("false")) {
      return t.equals("true");
    }
    throw error(
        field,
        "must be true or false, not " + (v.isValueNode() ? "'" + v.asText() + "'" : kind(v)));
  }

  int integer(String field, int dflt, int min) {
    JsonNode v = raw(field);
    if (v == null) {
      return dflt;
    }
    int value;
    if (v.isIntegralNumber() && v.canConvertToInt()) {
      value = v.intValue();
    } else if (v.isTextual() && v.asText().trim().matches("-?\\d{1,9}")) {
      value = Integer.parseInt(v.asText().trim());
    } else {
      throw error(field, "must be a whole number, not " + describe(v));
    }
    if (value < min) {
      throw error(field, "must be at least " + min + ", not " + value);
    }
    return value;
  }

  <E extends Enum<E>> E enumValue(String field, Class<E> type, E dflt) {
    String s = optString(field, null);
    if (s == null) {
      return dflt;
    }
    String norm = s.trim().toUpperCase(Locale.ROOT).replace('-', '_').replace(' ', '_');
    for (E e : type.getEnumConstants()) {
      if (e.name().equals(norm)) {
        return e;
      }
    }
    List<String> valid = new ArrayList<>();
    for (E e : type.getEnumConstants()) {
      valid.add(e.name().toLowerCase(Locale.ROOT));
    }
    throw error(field, "'" + s + "' is not one of " + String.join(", ", valid));
  }

  /** One of the given lower-case words, matched case-insensitively. */
  String choice(String field, List<String> valid, String dflt) {
    String s = optString(field, null);
    if (s == null) {
      return dflt;
    }
    String t = s.trim().toLowerCase(Locale.ROOT);
    if (!valid.contains(t)) {
      throw error(field, "'" + s + "' is not one of " + String.join(", ", valid));
    }
    return t;
  }

  /** An object of scalar values as text, in order; empty when absent. */
  Map<String, String> stringMap(String field) {
    JsonNode v = raw(field);
    Map<String, String> out = new LinkedHashMap<>();
    if (v == null) {
      return out;
    }
    if (!v.isObject()) {
      throw error(field, "must be a mapping of names to values, not " + kind(v));
    }
    Iterator<Map.Entry<String, JsonNode>> it = v.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().isValueNode() || e.getValue().isNull()) {
        throw error(
            field + "/" + e.getKey(),
            field + "." + e.getKey(),
            "must be a string, number or boolean, not " + kind(e.getValue()));
      }
      out.put(e.getKey(), e.getValue().asText());
    }
    return out;
  }

  Fields object(String field) {
    Fields f = optObject(field);
    if (f == null) {
      throw missing(field);
    }
    return f;
  }

  Fields optObject(String field) {
    JsonNode v = raw(field);
    if (v == null) {
      return null;
    }
    if (!v.isObject()) {
      throw error(field, "must be a mapping, not " + kind(v));
    }
    return new Fields(v, pointer + "/" + field, path + field + ".", owner, nodeId, locations);
  }

  /** A list of objects; empty when absent. */
  List<Fields> objects(String field) {
    JsonNode v = raw(field);
    List<Fields> out = new ArrayList<>();
    if (v == null) {
      return out;
    }
    if (!v.isArray()) {
      throw error(field, "must be a list, not " + kind(v));
    }
    for (int i = 0; i < v.size(); i++) {
      JsonNode e = v.get(i);
      if (!e.isObject()) {
        throw error(field + "/" + i, field + "[" + i + "]", "must be a mapping, not " + kind(e));
      }
      out.add(
          new Fields(
              e,
              pointer + "/" + field + "/" + i,
              path + field + "[" + i + "].",
              owner,
              nodeId,
              locations));
    }
    return out;
  }

  /** A literal: String, BigDecimal, Boolean, null, or a List of those. */
  Object literal(String field) {
    JsonNode v = raw(field);
    if (v == null) {
      return null;
    }
    if (v.isArray()) {
      List<Object> out = new ArrayList<>();
      for (int i = 0; i < v.size(); i++) {
        out.add(scalar(v.get(i), field + "/" + i, field + "[" + i + "]"));
      }
      return out;
    }
    return scalar(v, field, field);
  }

  /** A list of scalar literals. */
  List<Object> literals(String field) {
    JsonNode v = raw(field);
    if (v == null) {
      throw missing(field);
    }
    if (!v.isArray() || v.isEmpty()) {
      throw error(field, "must be a non-empty list of values");
    }
    List<Object> out = new ArrayList<>();
    for (int i = 0; i < v.size(); i++) {
      out.add(scalar(v.get(i), field + "/" + i, field + "[" + i + "]"));
    }
    return out;
  }

  private Object scalar(JsonNode v, String rel, String label) {
    if (v.isNumber()) {
      return v.decimalValue();
    }
    if (v.isBoolean()) {
      return v.booleanValue();
    }
    if (v.isTextual()) {
      return v.textValue();
    }
    throw error(
        rel, label, "must be a string, number or boolean, not " + (v.isNull() ? "null" : kind(v)));
  }

  /** Rejects fields that no accessor asked for, naming the valid ones. */
  void done() {
    Iterator<String> names = node.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      if (!known.contains(name)) {
        throw error(
            name,
            "unknown field"
                + JobGraph.suggestion(name, known)
                + "; valid fields here: "
                + String.join(", ", known));
      }
    }
  }

  JobValidationException missing(String field) {
    // a required field is most often missing because it is misspelled
    Iterator<String> names = node.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      if (!known.contains(name)
          && !name.equals(field)
          && !JobGraph.suggestion(name, List.of(field)).isEmpty()) {
        known.add(field);
        return error(
            name,
            "unknown field (did you mean '"
                + field
                + "'?); valid fields here include: "
                + String.join(", ", known));
      }
    }
    return new JobValidationException(
        JobErrorCode.INVALID_JOB,
        nodeId,
        line(null),
        column(null),
        owner + ": missing required field '" + path + field + "'");
  }

  JobValidationException error(String field, String message) {
    return error(field, field, message);
  }

  JobValidationException error(String relPointer, String label, String message) {
    return error(JobErrorCode.INVALID_JOB, relPointer, label, message);
  }

  JobValidationException error(JobErrorCode code, String relPointer, String label, String message) {
    return new JobValidationException(
        code,
        nodeId,
        line(relPointer),
        column(relPointer),
        owner + ": field '" + path + label + "' " + message);
  }

  private int[] at(String rel) {
    if (locations == null) {
      return null;
    }
    int[] a = rel == null ? null : locations.get(pointer + "/" + rel);
    return a != null ? a : locations.get(pointer);
  }

  private int line(String rel) {
    int[] a = at(rel);
    return a == null ? 0 : a[0];
  }

  private int column(String rel) {
    int[] a = at(rel);
    return a == null ? 0 : a[1];
  }

  private static String kind(JsonNode v) {
    if (v.isObject()) {
      return "a mapping";
    }
    if (v.isArray()) {
      return "a list";
    }
    return "'" + v.asText() + "'";
  }

  private static String describe(JsonNode v) {
    return v.isValueNode() ? "'" + v.asText() + "'" : kind(v);
  }
}
