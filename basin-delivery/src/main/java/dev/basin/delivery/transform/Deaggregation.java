package dev.basin.delivery.transform;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.basin.common.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Splits a record into sub-records, as Firehose's multi-record de-aggregation. */
final class Deaggregation {
  /** Firehose's cap on sub-records per record. */
  static final int MAX_SUB_RECORDS = 500;

  private final byte[] delimiter;

  Deaggregation(ProcessorConfig.Deaggregate config) {
    this.delimiter =
        config.delimiter() == null ? null : config.delimiter().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * @throws IllegalArgumentException the record is not concatenated JSON or has too many parts
   */
  List<byte[]> split(byte[] data) {
    List<byte[]> parts = delimiter == null ? splitJson(data) : splitDelimited(data);
    if (parts.size() > MAX_SUB_RECORDS) {
      throw new IllegalArgumentException(
          "the record has "
              + parts.size()
              + " sub-records; de-aggregation allows at most "
              + MAX_SUB_RECORDS);
    }
    return parts;
  }

  private static List<byte[]> splitJson(byte[] data) {
    List<byte[]> parts = new ArrayList<>();
    try (JsonParser p = Json.mapper().getFactory().createParser(data)) {
      while (true) {
        JsonToken t = p.nextToken();
        if (t == null) {
          break;
        }
        int start = (int) p.currentTokenLocation().getByteOffset();
        p.skipChildren();
        int end = (int) p.currentLocation().getByteOffset();
        parts.add(Arrays.copyOfRange(data, start, end));
        if (parts.size() > MAX_SUB_RECORDS) {
          break;
        }
      }
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "not concatenated JSON at sub-record " + (parts.size() + 1) + ": " + e.getMessage());
    }
    return parts;
  }

  private List<byte[]> splitDelimited(byte[] data) {
    List<byte[]> parts = new ArrayList<>();
    int start = 0;
    for (int i = 0; i <= data.length - delimiter.length; ) {
      if (Arrays.equals(data, i, i + delimiter.length, delimiter, 0, delimiter.length)) {
        if (i > start) {
          parts.add(Arrays.copyOfRange(data, start, i));
        }
        i += delimiter.length;
        start = i;
      } else {
        i++;
      }
    }
    if (start < data.length) {
      parts.add(Arrays.copyOfRange(data, start, data.length));
    }
    return parts;
  }
}
