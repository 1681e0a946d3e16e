package dev.basin.server.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Typed access to the members of an AWS JSON/CBOR request object, answering type errors with {@code
 * SerializationException} and missing required members with {@code ValidationException}, as AWS's
 * front end does.
 */
public final class AwsInput {
  private final JsonNode node;
  private final WireFormat format;
  private final String path;

  public AwsInput(JsonNode node, WireFormat format) {
    this(node, format, "");
  }

  private AwsInput(JsonNode node, WireFormat format, String path) {
    this.node = node;
    this.format = format;
    this.path = path;
  }

  public WireFormat format() {
    return format;
  }

  private JsonNode member(String name) {
    JsonNode v = node.get(name);
    return v == null || v.isNull() ? null : v;
  }

  public boolean has(String name) {
    return member(name) != null;
  }

  /** A string member, or null. */
  public String string(String name) {
    JsonNode v = member(name);
    if (v == null) {
      return null;
    }
    if (!v.isTextual()) {
      throw typeError(name, v, "String");
    }
    return v.asText();
  }

  /** A string member that must be present. */
  public String requiredString(String name) {
    String v = string(name);
    if (v == null) {
      throw missing(name);
    }
    return v;
  }

  /** An integer member, or null. */
  public Integer integer(String name) {
    JsonNode v = member(name);
    if (v == null) {
      return null;
    }
    if (!v.isIntegralNumber() || !v.canConvertToInt()) {
      throw typeError(name, v, "Integer");
    }
    return v.intValue();
  }

  public int requiredInteger(String name) {
    Integer v = integer(name);
    if (v == null) {
      throw missing(name);
    }
    return v;
  }

  public Boolean bool(String name) {
    JsonNode v = member(name);
    if (v == null) {
      return null;
    }
    if (!v.isBoolean()) {
      throw typeError(name, v, "Boolean");
    }
    return v.booleanValue();
  }

  /** A blob member: base64 text in JSON, a byte string in CBOR. */
  public byte[] blob(String name) {
    JsonNode v = member(name);
    if (v == null) {
      return null;
    }
    try {
      if (v.isBinary() || v.isTextual()) {
        return v.binaryValue();
      }
    } catch (IOException | IllegalArgumentException e) {
      throw AwsErrorException.client(
          "SerializationException",
          "Value at '" + at(name) + "' is not valid base64: " + e.getMessage());
    }
    throw typeError(name, v, "Blob");
  }

  public byte[] requiredBlob(String name) {
    byte[] v = blob(name);
    if (v == null) {
      throw missing(name);
    }
    return v;
  }

  /**
   * A timestamp member as an instant: a number (epoch seconds in JSON, epoch milliseconds in CBOR)
   * or an ISO-8601 string.
   */
  public Instant timestamp(String name) {
    JsonNode v = member(name);
    if (v == null) {
      return null;
    }
    if (v.isNumber()) {
      return Instant.ofEpochMilli(format.timestampMillis(v.doubleValue()));
    }
    if (v.isTextual()) {
      try {
        return Instant.parse(v.asText());
      } catch (DateTimeParseException e) {
        try {
          return Instant.ofEpochMilli(Math.round(Double.parseDouble(v.asText()) * 1000));
        } catch (NumberFormatException ignored) {
          throw typeError(name, v, "Timestamp");
        }
      }
    }
    throw typeError(name, v, "Timestamp");
  }

  /** A structure member, or null. */
  public AwsInput object(String name) {
    JsonNode v = member(name);
    if (v == null) {
      return null;
    }
    if (!v.isObject()) {
      throw typeError(name, v, "Structure");
    }
    return new AwsInput(v, format, at(name) + ".");
  }

  /** A list of structures (empty when absent). */
  public List<AwsInput> objects(String name) {
    JsonNode v = member(name);
    List<AwsInput> out = new ArrayList<>();
    if (v == null) {
      return out;
    }
    if (!v.isArray()) {
      throw typeError(name, v, "List");
    }
    int i = 1;
    for (JsonNode e : v) {
      if (!e.isObject()) {
        throw typeError(name + "." + i, e, "Structure");
      }
      out.add(new AwsInput(e, format, at(name) + "." + i + ".member."));
      i++;
    }
    return out;
  }

  /** A list of strings (null when absent). */
  public List<String> strings(String name) {
    JsonNode v = member(name);
    if (v == null) {
      return null;
    }
    if (!v.isArray()) {
      throw typeError(name, v, "List");
    }
    List<String> out = new ArrayList<>();
    int i = 1;
    for (JsonNode e : v) {
      if (!e.isTextual()) {
        throw typeError(name + "." + i, e, "String");
      }
      out.add(e.asText());
      i++;
    }
    return out;
  }

  /** A map of strings to strings (null when absent). */
  public Map<String, String> stringMap(String name) {
    JsonNode v = member(name);
    if (v == null) {
      return null;
    }
    if (!v.isObject()) {
      throw typeError(name, v, "Map");
    }
    Map<String, String> out = new LinkedHashMap<>();
    var it = v.fields();
    while (it.hasNext()) {
      var e = it.next();
      if (!e.getValue().isTextual()) {
        throw typeError(name + "." + e.getKey(), e.getValue(), "String");
      }
      out.put(e.getKey(), e.getValue().asText());
    }
    return out;
  }

  private String at(String name) {
    String n = name.isEmpty() ? name : Character.toLowerCase(name.charAt(0)) + name.substring(1);
    return path + n;
  }

  /** A ValidationException for a required member that is absent. */
  public AwsErrorException missing(String name) {
    return AwsErrorException.client(
        "ValidationException",
        "1 validation error detected: Value null at '"
            + at(name)
            + "' failed to satisfy constraint: Member must not be null");
  }

  private AwsErrorException typeError(String name, JsonNode v, String expected) {
    return AwsErrorException.client(
        "SerializationException",
        "Value at '"
            + at(name)
            + "' has type "
            + describe(v.getNodeType())
            + " but the member must be a "
            + expected);
  }

  private static String describe(JsonNodeType t) {
    switch (t) {
      case STRING:
        return "string";
      case NUMBER:
        return "number";
      case BOOLEAN:
        return "boolean";
      case ARRAY:
        return "list";
      case OBJECT:
        return "structure";
      case BINARY:
        return "blob";
      default:
        return t.name().toLowerCase();
    }
  }
}
