package dev.basin.server.kinesis;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.basin.server.aws.AwsErrorException;
import dev.basin.server.aws.WireFormat;
import dev.basin.stream.PutEntry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes a PutRecords request body (JSON or CBOR) in one streaming pass, without building a tree:
 * PutRecords carries up to 500 records and is the hottest call Basin serves. Errors match the
 * generic decoder's: {@code SerializationException} for malformed input or wrong member types,
 * {@code ValidationException} for missing required members.
 */
final class PutRecordsReader {
  private PutRecordsReader() {}

  /** The decoded request; {@code entries} is null when the Records member was absent. */
  record Request(String streamName, String streamArn, List<PutEntry> entries) {}

  static Request read(byte[] body, WireFormat format) {
    try (JsonParser p = format.mapper().getFactory().createParser(body)) {
      JsonToken t = p.nextToken();
      if (t == null) {
        return new Request(null, null, null);
      }
      if (t != JsonToken.START_OBJECT) {
        throw AwsErrorException.notAStructure(format);
      }
      String name = null;
      String arn = null;
      List<PutEntry> entries = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken v = p.nextToken();
        switch (field) {
          case "StreamName":
            name = string(p, v, "streamName");
            break;
          case "StreamARN":
            arn = string(p, v, "streamARN");
            break;
          case "Records":
            entries = records(p, v);
            break;
          default:
            p.skipChildren();
        }
      }
      return new Request(name, arn, entries);
    } catch (JsonParseException e) {
      throw AwsErrorException.undecodable(format, e.getOriginalMessage());
    } catch (IOException e) {
      throw AwsErrorException.undecodable(format, e.getMessage());
    }
  }

  private static List<PutEntry> records(JsonParser p, JsonToken t) throws IOException {
    if (t == JsonToken.VALUE_NULL) {
      return null;
    }
    if (t != JsonToken.START_ARRAY) {
      throw typeError("records", t, "List");
    }
    List<PutEntry> out = new ArrayList<>(500);
    int i = 0;
    JsonToken e;
    while ((e = p.nextToken()) != JsonToken.END_ARRAY) {
      i++;
      String at = "records." + i + ".member";
      if (e != JsonToken.START_OBJECT) {
        throw typeError(at, e, "Structure");
      }
      String key = null;
      String hashKey = null;
      byte[] data = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken v = p.nextToken();
        switch (field) {
          case "PartitionKey":
            key = string(p, v, at + ".partitionKey");
            break;
          case "ExplicitHashKey":
            hashKey = string(p, v, at + ".explicitHashKey");
            break;
          case "Data":
            data = blob(p, v, at + ".data");
            break;
          default:
            p.skipChildren();
        }
      }
      if (key == null) {
        throw missing(at + ".partitionKey");
      }
      if (data == null) {
        throw missing(at + ".data");
      }
      out.add(new PutEntry(key, hashKey, data));
    }
    return out;
  }

  private static String string(JsonParser p, JsonToken t, String at) throws IOException {
    if (t == JsonToken.VALUE_NULL) {
      return null;
    }
    if (t != JsonToken.VALUE_STRING) {
      throw typeError(at, t, "String");
    }
    return p.getText();
  }

  private static byte[] blob(JsonParser p, JsonToken t, String at) throws IOException {
    if (t == JsonToken.VALUE_NULL) {
      return null;
    }
    if (t != JsonToken.VALUE_STRING && t != JsonToken.VALUE_EMBEDDED_OBJECT) {
      throw typeError(at, t, "Blob");
    }
    try {
      return p.getBinaryValue();
    } catch (JsonParseException | IllegalArgumentException e) {
      throw AwsErrorException.client(
          "SerializationException", "Value at '" + at + "' is not valid base64: " + e.getMessage());
    }
  }

  static AwsErrorException missing(String at) {
    return AwsErrorException.client(
        "ValidationException",
        "1 validation error detected: Value null at '"
            + at
            + "' failed to satisfy constraint: Member must not be null");
  }

  private static AwsErrorException typeError(String at, JsonToken t, String expected) {
    String actual;
    switch (t) {
      case VALUE_STRING:
        actual = "string";
        break;
      case VALUE_NUMBER_INT:
      case VALUE_NUMBER_FLOAT:
        actual = "number";
        break;
      case VALUE_TRUE:
      case VALUE_FALSE:
        actual = "boolean";
        break;
      case START_ARRAY:
        actual = "list";
        break;
      case START_OBJECT:
        actual = "structure";
        break;
      case VALUE_EMBEDDED_OBJECT:
        actual = "blob";
        break;
      default:
        actual = t.name().toLowerCase();
    }
    return AwsErrorException.client(
        "SerializationException",
        "Value at '" + at + "' has type " + actual + " but the member must be a " + expected);
  }
}
