package dev.basin.catalog.crawler;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.basin.catalog.Column;
import dev.basin.catalog.DataFormat;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON objects one after another (JSON Lines or concatenated pretty-printed objects) or in one
 * top-level array. Each object is a record; its keys become columns (union over the sample, in
 * first-seen order) and nested objects and arrays become {@code struct<…>} and {@code array<…>}.
 * Numbers keep their literal scale (12.50 votes decimal(4,2)); strings vote date or timestamp only
 * when they are ISO dates or timestamps, otherwise string (JSON has its own numbers, so "42" stays
 * a string).
 */
final class JsonClassifier {

  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
          .build();

  private JsonClassifier() {}

  /** Returns null when the text is not JSON records, so the caller can try CSV. */
  static FileResult classify(
      String name,
      Compression compression,
      String text,
      boolean cut,
      ClassifierConfig config,
      List<String> notes) {
    String trimmed = text.stripLeading();
    boolean array = trimmed.startsWith("[");
    List<JsonNode> records = new ArrayList<>();
    int bad = 0;
    boolean stoppedEarly;
    try (JsonParser p = MAPPER.createParser(trimmed)) {
      if (array) {
        p.nextToken(); // START_ARRAY
      }
      stoppedEarly = readValues(p, array, records, config.sampleRows());
    } catch (IOException e) {
      stoppedEarly = true;
    }
    if (stoppedEarly && !array && !records.isEmpty()) {
      // Maybe one bad line among JSON Lines: read line by line and count the bad ones.
      List<JsonNode> perLine = new ArrayList<>();
      String[] lines = trimmed.split("\r?\n", -1);
      int lastNonBlank = lines.length - 1;
      while (lastNonBlank >= 0 && lines[lastNonBlank].isBlank()) {
        lastNonBlank--;
      }
      int lineBad = 0;
      for (int i = 0; i <= lastNonBlank && perLine.size() < config.sampleRows(); i++) {
        if (lines[i].isBlank()) {
          continue;
        }
        try {
          perLine.add(MAPPER.readTree(lines[i]));
        } catch (IOException e) {
          if (!(cut && i == lastNonBlank)) {
            lineBad++;
          }
        }
      }
      if (perLine.size() > records.size()) {
        records = perLine;
        bad = lineBad;
      } else if (!cut) {
        bad = 1;
      }
    } else if (stoppedEarly && !cut) {
      bad = 1;
    }
    List<JsonNode> objects = new ArrayList<>();
    for (JsonNode r : records) {
      if (r.isObject()) {
        objects.add(r);
      } else {
        bad++;
      }
    }
    if (objects.isEmpty()) {
      return null;
    }
    Map<String, TypeAccumulator> votes = new LinkedHashMap<>();
    Map<String, String> originals = new LinkedHashMap<>();
    for (JsonNode o : objects) {
      Iterator<Map.Entry<String, JsonNode>> it = o.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        String col = ColumnNames.sanitize(e.getKey(), "col" + votes.size());
        originals.putIfAbsent(col, e.getKey());
        votes
            .computeIfAbsent(col, k -> new TypeAccumulator(config.maxDecimalScale()))
            .addJson(e.getValue());
      }
    }
    List<Column> columns = new ArrayList<>();
    Map<String, String> serdeParams = new LinkedHashMap<>();
    for (Map.Entry<String, TypeAccumulator> e : votes.entrySet()) {
      columns.add(Column.of(e.getKey(), e.getValue().result().toString()));
      String original = originals.get(e.getKey());
      if (!original.equals(e.getKey()) && !original.equalsIgnoreCase(e.getKey())) {
        serdeParams.put("mapping." + e.getKey(), original); // OpenX JsonSerDe's key mapping
      }
    }
    serdeParams.put("paths", String.join(",", originals.values()));
    Map<String, String> table = new LinkedHashMap<>();
    table.put("classification", "json");
    table.put("compressionType", compression.glueName());
    table.put("typeOfData", "file");
    if (array) {
      table.put("jsonPath", "$[*]");
    }
    double confidence = (double) objects.size() / (objects.size() + bad);
    StringBuilder why = new StringBuilder();
    why.append(array ? "json: a top-level array of " : "json: ")
        .append(objects.size())
        .append(array ? " objects" : " objects one after another")
        .append(", ")
        .append(columns.size())
        .append(" keys");
    if (bad > 0) {
      why.append("; ").append(bad).append(" records are not JSON objects or do not parse");
    }
    for (String note : notes) {
      why.append("; ").append(note);
    }
    Classification result =
        new Classification(
            name,
            DataFormat.JSON,
            compression,
            null,
            array ? Classification.JsonLayout.ARRAY : Classification.JsonLayout.LINES,
            columns,
            DataFormat.JSON.serdeLibrary(),
            serdeParams,
            table,
            confidence,
            why.toString());
    return new FileResult(result, new ArrayList<>(votes.keySet()), new ArrayList<>(votes.values()));
  }

  /** Reads root values (or array elements); returns true if a parse error stopped it. */
  private static boolean readValues(JsonParser p, boolean array, List<JsonNode> out, int max) {
    try {
      while (out.size() < max) {
        JsonToken t = p.nextToken();
        if (t == null || (array && t == JsonToken.END_ARRAY)) {
          return false;
        }
        out.add(MAPPER.readTree(p));
      }
      return false;
    } catch (IOException e) {
      return true;
    }
  }
}
