package dev.basin.delivery;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.basin.common.json.Json;
import dev.basin.delivery.DeliveryStreamConfig.Compression;
import dev.basin.delivery.DeliveryStreamConfig.RawObjects;
import dev.basin.delivery.DeliveryStreamConfig.RecordFormat;
import dev.basin.delivery.partition.PartitionKeyException;
import dev.basin.delivery.prefix.S3Prefix;
import dev.basin.spi.storage.GetOptions;
import dev.basin.spi.storage.ObjectContent;
import dev.basin.spi.storage.ObjectStore;
import dev.basin.spi.storage.ObjectStoreException;
import dev.basin.spi.storage.PutOptions;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPOutputStream;

/**
 * Delivers batches as objects in a bucket. One object per (evaluated prefix, shard) of a batch,
 * keyed {@code <prefix><delivery>-<shardId>-<firstSeq>-<lastSeq><ext>} from the shard's range in
 * the batch, so re-delivering a batch overwrites the same keys with the same bytes.
 *
 * <p>Durability order per batch: {@code .basin-delivery/<name>/pending.json} (the batch's ranges),
 * then the error output and data objects, then {@code .basin-delivery/<name>/checkpoint.json}. A
 * restart finds a pending batch beyond the checkpoint and replays exactly its ranges first.
 */
final class RawObjectSink implements DeliverySink {
  private final String deliveryName;
  private final RawObjects destination;
  private final ObjectStore store;
  private final S3Prefix dataPrefix;
  private final ErrorOutput errors;
  private final Runnable beforeCheckpoint;

  RawObjectSink(DeliveryStreamConfig config, ObjectStore store, Runnable beforeCheckpoint) {
    this.deliveryName = config.name();
    this.destination = (RawObjects) config.destination();
    this.store = store;
    this.dataPrefix = destination.dataPrefix();
    this.errors =
        new ErrorOutput(deliveryName, store, destination.bucket(), destination.errorOutputPrefix());
    this.beforeCheckpoint = beforeCheckpoint;
  }

  static String stateKey(String deliveryName, String file) {
    return ".basin-delivery/" + deliveryName + "/" + file;
  }

  @Override
  public Map<String, String> committedCheckpoints() {
    Map<String, String> m = readJson(stateKey(deliveryName, "checkpoint.json"));
    return m == null ? new TreeMap<>() : new TreeMap<>(m);
  }

  @Override
  public Map<String, String> pendingLasts() {
    Map<String, String> pending = readJson(stateKey(deliveryName, "pending.json"));
    if (pending == null) {
      return Map.of();
    }
    Map<String, String> committed = committedCheckpoints();
    Map<String, String> out = new TreeMap<>();
    pending.forEach(
        (shard, last) -> {
          String c = committed.get(shard);
          if (c == null || Batch.compareSequence(c, last) < 0) {
            out.put(shard, last);
          }
        });
    return out;
  }

  @Override
  public Outcome deliver(
      Batch batch, Map<String, String> expected, Map<String, String> newCheckpoints) {
    Map<String, String> lasts = new TreeMap<>();
    batch.ranges().forEach((shard, range) -> lasts.put(shard, range.last()));
    writeJson(stateKey(deliveryName, "pending.json"), lasts);

    Instant oldest = Instant.ofEpochMilli(batch.oldestArrival());
    List<FailedRecord> failures = new ArrayList<>(batch.processingFailures());
    // prefix -> shard -> records, in first-seen order
    Map<String, Map<String, List<SourceRecord>>> objects = new LinkedHashMap<>();
    Map<SourceRecord, JsonNode> parsed = new java.util.IdentityHashMap<>();
    int cap =
        destination.partitioning() == null
            ? Integer.MAX_VALUE
            : destination.partitioning().maxActivePartitions();
    for (SourceRecord r : batch.records()) {
      JsonNode json;
      try {
        json = Json.mapper().readTree(r.record().data());
        if (json == null || json.isMissingNode()) {
          throw new IOException("empty record");
        }
      } catch (IOException e) {
        failures.add(
            new FailedRecord(
                r,
                destination.partitioning() == null
                    ? FailureKind.FORMAT_CONVERSION_FAILED
                    : FailureKind.PARTITION_KEY_FAILED,
                "InvalidJson",
                "not JSON: " + e.getMessage()));
        continue;
      }
      Map<String, String> keys = Map.of();
      if (destination.partitioning() != null) {
        try {
          keys =
              destination.partitioning().query() == null
                  ? Map.of()
                  : destination.partitioning().query().evaluate(json);
        } catch (PartitionKeyException e) {
          failures.add(
              new FailedRecord(
                  r, FailureKind.PARTITION_KEY_FAILED, "MissingPartitionKey", e.getMessage()));
          continue;
        }
      }
      String prefix;
      try {
        prefix =
            dataPrefix.evaluate(
                new S3Prefix.Context(
                    oldest,
                    S3Prefix.randomString(
                        deliveryName
                            + "/"
                            + r.shardId()
                            + "/"
                            + batch.ranges().get(r.shardId()).first()),
                    null,
                    keys,
                    r.partitionKeys()));
      } catch (IllegalArgumentException e) {
        failures.add(
            new FailedRecord(r, FailureKind.PARTITION_KEY_FAILED, "InvalidPrefix", e.getMessage()));
        continue;
      }
      if (!objects.containsKey(prefix) && objects.size() >= cap) {
        failures.add(
            new FailedRecord(
                r,
                FailureKind.ACTIVE_PARTITION_EXCEEDED,
                "ActivePartitionExceeded",
                "the batch already has " + cap + " active partitions; raise MaxActivePartitions"));
        continue;
      }
      if (destination.format() == RecordFormat.CSV && !json.isObject()) {
        failures.add(
            new FailedRecord(
                r, FailureKind.FORMAT_CONVERSION_FAILED, "NotAnObject", "CSV needs a JSON object"));
        continue;
      }
      parsed.put(r, json);
      objects
          .computeIfAbsent(prefix, k -> new LinkedHashMap<>())
          .computeIfAbsent(r.shardId(), k -> new ArrayList<>())
          .add(r);
    }
    errors.write(batch, failures);
    long records = 0;
    long bytes = 0;
    for (Map.Entry<String, Map<String, List<SourceRecord>>> p : objects.entrySet()) {
      for (Map.Entry<String, List<SourceRecord>> s : p.getValue().entrySet()) {
        Batch.Range range = batch.ranges().get(s.getKey());
        String key =
            p.getKey()
                + deliveryName
                + "-"
                + s.getKey()
                + "-"
                + range.first()
                + "-"
                + range.last()
                + extension();
        byte[] body = encode(s.getValue(), parsed);
        store.put(
            destination.bucket(),
            key,
            new ByteArrayInputStream(body),
            body.length,
            PutOptions.defaults());
        for (SourceRecord r : s.getValue()) {
          records++;
          bytes += r.size();
        }
      }
    }
    beforeCheckpoint.run();
    writeJson(stateKey(deliveryName, "checkpoint.json"), newCheckpoints);
    return new Outcome(records, bytes, failures);
  }

  private String extension() {
    String base = destination.format() == RecordFormat.CSV ? ".csv" : ".jsonl";
    return base + destination.compression().extension();
  }

  private byte[] encode(List<SourceRecord> records, Map<SourceRecord, JsonNode> parsed) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    try (OutputStream out = compress(buf, destination.compression())) {
      if (destination.format() == RecordFormat.CSV) {
        out.write(csvLine(destination.csvColumns()).getBytes(StandardCharsets.UTF_8));
        for (SourceRecord r : records) {
          JsonNode json = parsed.get(r);
          List<String> cells = new ArrayList<>();
          for (String c : destination.csvColumns()) {
            JsonNode v = json.get(c);
            cells.add(v == null || v.isNull() ? "" : v.isValueNode() ? v.asText() : v.toString());
          }
          out.write(csvLine(cells).getBytes(StandardCharsets.UTF_8));
        }
      } else {
        for (SourceRecord r : records) {
          byte[] data = r.record().data();
          int end = data.length;
          while (end > 0 && (data[end - 1] == '\n' || data[end - 1] == '\r')) {
            end--;
          }
          out.write(data, 0, end);
          out.write('\n');
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return buf.toByteArray();
  }

  private static String csvLine(List<String> cells) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < cells.size(); i++) {
      if (i > 0) {
        sb.append(',');
      }
      String c = cells.get(i);
      if (c.contains(",") || c.contains("\"") || c.contains("\n") || c.contains("\r")) {
        sb.append('"').append(c.replace("\"", "\"\"")).append('"');
      } else {
        sb.append(c);
      }
    }
    return sb.append("\r\n").toString();
  }

  static OutputStream compress(OutputStream out, Compression compression) throws IOException {
    switch (compression) {
      case GZIP:
        return new GZIPOutputStream(out);
      case ZSTD:
        return new com.github.luben.zstd.ZstdOutputStream(out);
      case SNAPPY:
        return new org.xerial.snappy.SnappyFramedOutputStream(out);
      default:
        return out;
    }
  }

  private Map<String, String> readJson(String key) {
    try (ObjectContent c = store.get(destination.bucket(), key, GetOptions.current())) {
      return Json.mapper().readValue(c.stream(), new TypeReference<Map<String, String>>() {});
    } catch (ObjectStoreException e) {
      if (e.reason() == ObjectStoreException.Reason.NO_SUCH_KEY) {
        return null;
      }
      throw e;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + destination.bucket() + "/" + key, e);
    }
  }

  private void writeJson(String key, Map<String, String> value) {
    try {
      byte[] body = Json.mapper().writeValueAsBytes(new TreeMap<>(value));
      store.put(
          destination.bucket(),
          key,
          new ByteArrayInputStream(body),
          body.length,
          PutOptions.defaults());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
