package dev.basin.delivery.transform;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.basin.common.json.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The built-in transforms over JSON objects: each record is parsed, changed and written back. */
abstract class JsonTransform implements RecordTransform {

  /** Changes {@code record} in place; returns false to drop it. */
  abstract boolean apply(ObjectNode record, TransformInput input);

  @Override
  public final List<TransformOutput> transform(List<TransformInput> records) {
    List<TransformOutput> out = new ArrayList<>(records.size());
    for (TransformInput in : records) {
      JsonNode json;
      try {
        json = Json.mapper().readTree(in.data());
      } catch (IOException e) {
        out.add(
            TransformOutput.failed(
                in.recordId(), "not JSON: " + e.getMessage().lines().findFirst().orElse("")));
        continue;
      }
      if (json == null || !json.isObject()) {
        out.add(TransformOutput.failed(in.recordId(), "not a JSON object"));
        continue;
      }
      ObjectNode o = (ObjectNode) json;
      if (!apply(o, in)) {
        out.add(TransformOutput.dropped(in.recordId()));
        continue;
      }
      try {
        out.add(TransformOutput.ok(in.recordId(), Json.mapper().writeValueAsBytes(o)));
      } catch (IOException e) {
        out.add(TransformOutput.failed(in.recordId(), e.getMessage()));
      }
    }
    return out;
  }

  /** The object holding the last name of a dotted path, or null. */
  static ObjectNode parent(ObjectNode record, String path) {
    String[] names = path.split("\\.");
    JsonNode n = record;
    for (int i = 0; i < names.length - 1; i++) {
      n = n.get(names[i]);
      if (n == null || !n.isObject()) {
        return null;
      }
    }
    return (ObjectNode) n;
  }

  static String leaf(String path) {
    return path.substring(path.lastIndexOf('.') + 1);
  }

  static RecordTransform addArrivalTimestamp(String field) {
    return new JsonTransform() {
      @Override
      boolean apply(ObjectNode record, TransformInput input) {
        record.put(field, input.approximateArrivalTimestamp());
        return true;
      }
    };
  }

  static RecordTransform dropFields(List<String> fields) {
    return new JsonTransform() {
      @Override
      boolean apply(ObjectNode record, TransformInput input) {
        for (String f : fields) {
          ObjectNode p = parent(record, f);
          if (p != null) {
            p.remove(leaf(f));
          }
        }
        return true;
      }
    };
  }

  static RecordTransform renameFields(Map<String, String> renames) {
    return new JsonTransform() {
      @Override
      boolean apply(ObjectNode record, TransformInput input) {
        for (Map.Entry<String, String> e : renames.entrySet()) {
          ObjectNode p = parent(record, e.getKey());
          if (p != null && p.has(leaf(e.getKey()))) {
            p.set(e.getValue(), p.remove(leaf(e.getKey())));
          }
        }
        return true;
      }
    };
  }

  static RecordTransform filter(FilterPredicate predicate) {
    return new JsonTransform() {
      @Override
      boolean apply(ObjectNode record, TransformInput input) {
        return predicate.test(record);
      }
    };
  }
}
