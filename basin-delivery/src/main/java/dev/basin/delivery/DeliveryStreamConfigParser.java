package dev.basin.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.basin.common.error.BasinException;
import dev.basin.common.json.Json;
import dev.basin.delivery.DeliveryStreamConfig.Compression;
import dev.basin.delivery.DeliveryStreamConfig.Destination;
import dev.basin.delivery.DeliveryStreamConfig.DirectPut;
import dev.basin.delivery.DeliveryStreamConfig.IcebergTable;
import dev.basin.delivery.DeliveryStreamConfig.Partitioning;
import dev.basin.delivery.DeliveryStreamConfig.RawObjects;
import dev.basin.delivery.DeliveryStreamConfig.RecordFormat;
import dev.basin.delivery.DeliveryStreamConfig.Source;
import dev.basin.delivery.DeliveryStreamConfig.StreamSource;
import dev.basin.delivery.DeliveryStreamConfig.UnknownFieldPolicy;
import dev.basin.delivery.transform.ProcessorConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The JSON form of a {@link DeliveryStreamConfig}, used to persist delivery streams and by the
 * native API:
 *
 * <pre>{@code
 * {"name": "to-lake",
 *  "source": {"type": "stream", "stream": "events"}            (or {"type": "direct-put"}),
 *  "destination": {"type": "iceberg", "database": "lake", "table": "events",
 *                  "errorBucket": "raw", "errorPrefix": "errors/", "unknownFields": "ignore"}
 *              or {"type": "objects", "bucket": "raw", "prefix": "events/", "errorPrefix": "err/",
 *                  "format": "json-lines", "csvColumns": [], "compression": "gzip",
 *                  "partitionKeyQuery": "{k: .k}", "maxActivePartitions": 500},
 *  "buffering": {"sizeMiB": 5, "intervalSeconds": 300, "lowLatency": false},
 *  "processors": [                                          (optional, applied in this order)
 *    {"type": "decompress", "format": "gzip"},
 *    {"type": "deaggregate"}                                 (concatenated JSON documents)
 *      or {"type": "deaggregate", "delimiter": "\n"}      (split on a delimiter),
 *    {"type": "add-arrival-timestamp", "field": "arrived_at"},
 *    {"type": "drop-fields", "fields": ["secret", "a.b"]},
 *    {"type": "rename-fields", "renames": {"old": "new"}},
 *    {"type": "filter", "predicate": ".kind == \"click\""},
 *    {"type": "custom", "jar": "/opt/transforms/t.jar", "className": "com.example.T"}]}
 * }</pre>
 *
 * {@code decompress} and {@code deaggregate} must come first; see {@link ProcessorConfig} for each
 * step. Absent optional members take the config's defaults. Stateless and thread-safe.
 */
public final class DeliveryStreamConfigParser {
  private DeliveryStreamConfigParser() {}

  /** The JSON form of {@code config}; {@link #fromJson} reads it back to an equal config. */
  public static ObjectNode toJson(DeliveryStreamConfig config) {
    ObjectNode o = Json.mapper().createObjectNode();
    o.put("name", config.name());
    ObjectNode src = o.putObject("source");
    if (config.source() instanceof StreamSource s) {
      src.put("type", "stream");
      src.put("stream", s.streamName());
    } else {
      src.put("type", "direct-put");
    }
    ObjectNode dst = o.putObject("destination");
    if (config.destination() instanceof IcebergTable t) {
      dst.put("type", "iceberg");
      dst.put("database", t.database());
      dst.put("table", t.table());
      dst.put("errorBucket", t.errorBucket());
      if (t.errorPrefix() != null) {
        dst.put("errorPrefix", t.errorPrefix());
      }
      dst.put("unknownFields", t.unknownFields().name().toLowerCase(Locale.ROOT));
    } else {
      RawObjects r = (RawObjects) config.destination();
      dst.put("type", "objects");
      dst.put("bucket", r.bucket());
      if (r.prefix() != null) {
        dst.put("prefix", r.prefix());
      }
      if (r.errorPrefix() != null) {
        dst.put("errorPrefix", r.errorPrefix());
      }
      dst.put("format", r.format().name().toLowerCase(Locale.ROOT).replace('_', '-'));
      r.csvColumns().forEach(dst.putArray("csvColumns")::add);
      dst.put("compression", r.compression().name().toLowerCase(Locale.ROOT));
      if (r.partitioning() != null) {
        dst.put("partitionKeyQuery", r.partitioning().query().toString());
        dst.put("maxActivePartitions", r.partitioning().maxActivePartitions());
      }
    }
    ObjectNode b = o.putObject("buffering");
    b.put("sizeMiB", config.hints().sizeMiB());
    b.put("intervalSeconds", config.hints().intervalSeconds());
    b.put("lowLatency", config.hints().lowLatency());
    if (!config.processors().isEmpty()) {
      ArrayNode ps = o.putArray("processors");
      config.processors().forEach(p -> ps.add(toJson(p)));
    }
    return o;
  }

  /** The JSON form of one processor. */
  public static ObjectNode toJson(ProcessorConfig p) {
    ObjectNode o = Json.mapper().createObjectNode();
    if (p instanceof ProcessorConfig.Decompress d) {
      o.put("type", "decompress");
      o.put("format", d.format().toLowerCase(Locale.ROOT));
    } else if (p instanceof ProcessorConfig.Deaggregate d) {
      o.put("type", "deaggregate");
      if (d.delimiter() != null) {
        o.put("delimiter", d.delimiter());
      }
    } else if (p instanceof ProcessorConfig.AddArrivalTimestamp a) {
      o.put("type", "add-arrival-timestamp");
      o.put("field", a.field());
    } else if (p instanceof ProcessorConfig.DropFields d) {
      o.put("type", "drop-fields");
      d.fields().forEach(o.putArray("fields")::add);
    } else if (p instanceof ProcessorConfig.RenameFields r) {
      o.put("type", "rename-fields");
      ObjectNode m = o.putObject("renames");
      new java.util.TreeMap<>(r.renames()).forEach(m::put);
    } else if (p instanceof ProcessorConfig.Filter f) {
      o.put("type", "filter");
      o.put("predicate", f.predicate());
    } else {
      ProcessorConfig.Custom c = (ProcessorConfig.Custom) p;
      o.put("type", "custom");
      o.put("jar", c.jarPath());
      if (c.className() != null) {
        o.put("className", c.className());
      }
    }
    return o;
  }

  /**
   * Reads a config.
   *
   * @throws BasinException {@link DeliveryErrorCode#INVALID_CONFIG} naming the member at fault
   */
  public static DeliveryStreamConfig fromJson(JsonNode json) {
    if (json == null || !json.isObject()) {
      throw invalid("body", "must be a JSON object describing the delivery stream");
    }
    String name = text(json, "name", "name", true);
    Source source = source(json.get("source"));
    Destination destination = destination(json.get("destination"));
    BufferingHints hints = hints(json.get("buffering"));
    List<ProcessorConfig> processors = processors(json.get("processors"));
    return new DeliveryStreamConfig(name, source, destination, hints, processors);
  }

  private static List<ProcessorConfig> processors(JsonNode ps) {
    List<ProcessorConfig> out = new ArrayList<>();
    if (ps == null || ps.isNull()) {
      return out;
    }
    if (!ps.isArray()) {
      throw invalid("processors", "must be a list of {\"type\": …} objects");
    }
    for (int i = 0; i < ps.size(); i++) {
      JsonNode p = ps.get(i);
      String at = "processors[" + i + "]";
      if (!p.isObject()) {
        throw invalid(at, "must be an object with a type, was " + p);
      }
      try {
        out.add(processor(p, at));
      } catch (IllegalArgumentException e) {
        throw invalid(at, e.getMessage());
      }
    }
    return out;
  }

  private static ProcessorConfig processor(JsonNode p, String at) {
    String type = text(p, "type", at + ".type", true);
    switch (type) {
      case "decompress":
        String format = text(p, "format", at + ".format", false);
        return new ProcessorConfig.Decompress(
            format == null ? null : format.toUpperCase(Locale.ROOT));
      case "deaggregate":
        return new ProcessorConfig.Deaggregate(text(p, "delimiter", at + ".delimiter", false));
      case "add-arrival-timestamp":
        return new ProcessorConfig.AddArrivalTimestamp(text(p, "field", at + ".field", true));
      case "drop-fields":
        JsonNode fields = p.get("fields");
        if (fields == null || !fields.isArray()) {
          throw invalid(at + ".fields", "must be a list of field names");
        }
        List<String> names = new ArrayList<>();
        fields.forEach(f -> names.add(f.isTextual() ? f.asText() : null));
        return new ProcessorConfig.DropFields(names);
      case "rename-fields":
        JsonNode renames = p.get("renames");
        if (renames == null || !renames.isObject()) {
          throw invalid(at + ".renames", "must be an object {\"old\": \"new\", …}");
        }
        Map<String, String> map = new LinkedHashMap<>();
        renames.fields().forEachRemaining(e -> map.put(e.getKey(), e.getValue().asText(null)));
        return new ProcessorConfig.RenameFields(map);
      case "filter":
        return new ProcessorConfig.Filter(text(p, "predicate", at + ".predicate", true));
      case "custom":
        return new ProcessorConfig.Custom(
            text(p, "jar", at + ".jar", true), text(p, "className", at + ".className", false));
      default:
        throw invalid(
            at + ".type",
            "must be one of [decompress, deaggregate, add-arrival-timestamp, drop-fields,"
                + " rename-fields, filter, custom], was '"
                + type
                + "'");
    }
  }

  private static Source source(JsonNode s) {
    if (s == null || s.isNull()) {
      throw invalid("source", "is required: {\"type\": \"stream\", \"stream\": \"events\"}");
    }
    String type = text(s, "type", "source.type", true);
    switch (type) {
      case "stream":
        return new StreamSource(text(s, "stream", "source.stream", true));
      case "direct-put":
        return new DirectPut();
      default:
        throw invalid("source.type", "must be 'stream' or 'direct-put', was '" + type + "'");
    }
  }

  private static Destination destination(JsonNode d) {
    if (d == null || d.isNull()) {
      throw invalid(
          "destination",
          "is required: {\"type\": \"iceberg\", …} or {\"type\": \"objects\", \"bucket\": …}");
    }
    String type = text(d, "type", "destination.type", true);
    switch (type) {
      case "iceberg":
        return new IcebergTable(
            text(d, "database", "destination.database", true),
            text(d, "table", "destination.table", true),
            enumValue(
                UnknownFieldPolicy.class,
                text(d, "unknownFields", "destination.unknownFields", false),
                "destination.unknownFields"),
            text(d, "errorBucket", "destination.errorBucket", true),
            text(d, "errorPrefix", "destination.errorPrefix", false));
      case "objects":
        String query = text(d, "partitionKeyQuery", "destination.partitionKeyQuery", false);
        Partitioning partitioning = null;
        if (query != null) {
          Partitioning p = Partitioning.of(query);
          JsonNode max = d.get("maxActivePartitions");
          if (max != null && !max.isNull()) {
            if (!max.canConvertToInt()) {
              throw invalid(
                  "destination.maxActivePartitions", "must be a whole number, was " + max);
            }
            p = new Partitioning(p.query(), max.intValue());
          }
          partitioning = p;
        }
        List<String> columns = new ArrayList<>();
        JsonNode cols = d.get("csvColumns");
        if (cols != null && !cols.isNull()) {
          if (!cols.isArray()) {
            throw invalid("destination.csvColumns", "must be a list of field names");
          }
          cols.forEach(c -> columns.add(c.asText()));
        }
        return new RawObjects(
            text(d, "bucket", "destination.bucket", true),
            text(d, "prefix", "destination.prefix", false),
            text(d, "errorPrefix", "destination.errorPrefix", false),
            enumValue(
                RecordFormat.class,
                text(d, "format", "destination.format", false),
                "destination.format"),
            columns,
            enumValue(
                Compression.class,
                text(d, "compression", "destination.compression", false),
                "destination.compression"),
            partitioning);
      default:
        throw invalid("destination.type", "must be 'iceberg' or 'objects', was '" + type + "'");
    }
  }

  private static BufferingHints hints(JsonNode b) {
    if (b == null || b.isNull()) {
      return BufferingHints.defaults();
    }
    Integer size = integer(b, "sizeMiB");
    Integer interval = integer(b, "intervalSeconds");
    JsonNode low = b.get("lowLatency");
    try {
      BufferingHints h = BufferingHints.of(size, interval);
      if (low != null && low.asBoolean(false)) {
        h = new BufferingHints(h.sizeMiB(), h.intervalSeconds(), true);
      }
      return h;
    } catch (IllegalArgumentException e) {
      throw invalid("buffering", e.getMessage());
    }
  }

  private static Integer integer(JsonNode o, String member) {
    JsonNode v = o.get(member);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isIntegralNumber() || !v.canConvertToInt()) {
      throw invalid("buffering." + member, "must be a whole number, was " + v);
    }
    return v.intValue();
  }

  private static String text(JsonNode o, String member, String field, boolean required) {
    JsonNode v = o.get(member);
    if (v == null || v.isNull()) {
      if (required) {
        throw invalid(field, "is required");
      }
      return null;
    }
    if (!v.isTextual()) {
      throw invalid(field, "must be a string, was " + v);
    }
    return v.asText();
  }

  private static <E extends Enum<E>> E enumValue(Class<E> type, String text, String field) {
    if (text == null) {
      return null;
    }
    try {
      return Enum.valueOf(type, text.toUpperCase(Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException e) {
      List<String> names = new ArrayList<>();
      for (E c : type.getEnumConstants()) {
        names.add(c.name().toLowerCase(Locale.ROOT).replace('_', '-'));
      }
      throw invalid(field, "must be one of " + names + ", was '" + text + "'");
    }
  }

  private static BasinException invalid(String field, String message) {
    return DeliveryStreamConfig.invalid(field, message);
  }
}
