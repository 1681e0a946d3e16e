package dev.basin.stream.generate;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.basin.common.error.BasinException;
import dev.basin.common.error.CommonErrorCode;
import dev.basin.common.json.Json;
import java.io.IOException;
import java.util.List;

/** Reads one scalar field out of a JSON record with Jackson's streaming parser. */
final class JsonFieldKey {
  private JsonFieldKey() {}

  static String extract(String record, String field, List<String> path) {
    try (JsonParser p = Json.mapper().getFactory().createParser(record)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw missing(field, "the record is not a JSON object");
      }
      int depth = 0;
      while (true) {
        JsonToken t = p.nextToken();
        if (t == null || t == JsonToken.END_OBJECT) {
          throw missing(field, "the record has no field '" + field + "'");
        }
        String name = p.currentName();
        JsonToken value = p.nextToken();
        if (!path.get(depth).equals(name)) {
          p.skipChildren();
          continue;
        }
        if (depth == path.size() - 1) {
          if (value == JsonToken.VALUE_STRING || value.isNumeric() || value.isBoolean()) {
            return p.getText();
          }
          throw missing(field, "field '" + field + "' is " + describe(value) + ", not a scalar");
        }
        if (value != JsonToken.START_OBJECT) {
          throw missing(field, "the record has no field '" + field + "'");
        }
        depth++;
      }
    } catch (IOException e) {
      throw missing(field, "the record is not valid JSON");
    }
  }

  private static String describe(JsonToken t) {
    switch (t) {
      case VALUE_NULL:
        return "null";
      case START_ARRAY:
        return "an array";
      case START_OBJECT:
        return "an object";
      default:
        return t.toString();
    }
  }

  private static BasinException missing(String field, String why) {
    return new BasinException(
        CommonErrorCode.INVALID_ARGUMENT, "no partition key from field '" + field + "': " + why);
  }
}
