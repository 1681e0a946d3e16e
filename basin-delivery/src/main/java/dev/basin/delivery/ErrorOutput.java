package dev.basin.delivery;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.basin.common.json.Json;
import dev.basin.delivery.prefix.S3Prefix;
import dev.basin.spi.storage.ObjectStore;
import dev.basin.spi.storage.PutOptions;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Writes failed records, one JSON object per line, under the error prefix with {@code
 * !{firehose:error-output-type}} set to the failure kind. The object key depends only on the batch
 * and the kind, so a replayed batch overwrites its own error objects.
 */
final class ErrorOutput {
  private final String deliveryName;
  private final ObjectStore store;
  private final String bucket;
  private final S3Prefix prefix;

  ErrorOutput(String deliveryName, ObjectStore store, String bucket, S3Prefix prefix) {
    this.deliveryName = deliveryName;
    this.store = store;
    this.bucket = bucket;
    this.prefix = prefix;
  }

  /** Writes every failure of a batch; returns the keys written. Durable when it returns. */
  List<String> write(Batch batch, List<FailedRecord> failures) {
    Map<FailureKind, List<FailedRecord>> byKind = new EnumMap<>(FailureKind.class);
    for (FailedRecord f : failures) {
      byKind.computeIfAbsent(f.kind(), k -> new ArrayList<>()).add(f);
    }
    List<String> keys = new ArrayList<>();
    for (Map.Entry<FailureKind, List<FailedRecord>> e : byKind.entrySet()) {
      FailureKind kind = e.getKey();
      long oldest = Long.MAX_VALUE;
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      for (FailedRecord f : e.getValue()) {
        oldest = Math.min(oldest, f.source().record().arrivalMillis());
        ObjectNode n = Json.mapper().createObjectNode();
        n.put("attemptsMade", 1);
        n.put("arrivalTimestamp", f.source().record().arrivalMillis());
        n.put("errorCode", f.errorCode());
        n.put("errorMessage", f.message());
        n.put("rawData", Base64.getEncoder().encodeToString(f.source().record().data()));
        n.put("sequenceNumber", f.source().record().sequenceNumber());
        n.put("shardId", f.source().shardId());
        try {
          out.write(Json.mapper().writeValueAsBytes(n));
        } catch (IOException ex) {
          throw new UncheckedIOException(ex);
        }
        out.write('\n');
      }
      String identity = deliveryName + "/" + batch.id() + "/" + kind.outputType();
      String key =
          prefix.evaluate(
                  new S3Prefix.Context(
                      Instant.ofEpochMilli(oldest),
                      S3Prefix.randomString(identity),
                      kind.outputType(),
                      null,
                      null))
              + deliveryName
              + "-"
              + kind.outputType()
              + "-"
              + batch.id();
      byte[] bytes = out.toByteArray();
      store.put(bucket, key, new ByteArrayInputStream(bytes), bytes.length, PutOptions.defaults());
      keys.add(key);
    }
    return keys;
  }
}
