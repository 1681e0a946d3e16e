package dev.basin.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.basin.catalog.LakeCatalog;
import dev.basin.storage.LocalObjectStore;
import dev.basin.stream.PutEntry;
import dev.basin.stream.StreamMode;
import dev.basin.stream.StreamService;
import dev.basin.testing.ManualClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeliveryWorkerRawObjectsTest {
  @TempDir Path dir;
  private DeliveryFixture f;
  private ManualClock clock;
  private StreamService streams;
  private LocalObjectStore store;
  private LakeCatalog catalog;

  @BeforeEach
  void open() {
    f = new DeliveryFixture(dir);
    clock = f.clock;
    streams = f.streams;
    store = f.store;
    catalog = f.catalog;
    streams.createStream("events", 2, StreamMode.PROVISIONED, null);
  }

  @AfterEach
  void close() {
    f.close();
  }

  private DeliveryWorker raw(Runnable beforeCheckpoint) {
    DeliveryStreamConfig c =
        new DeliveryStreamConfig(
            "raw",
            new DeliveryStreamConfig.StreamSource("events"),
            new DeliveryStreamConfig.RawObjects(
                "errors",
                "data/user=!{partitionKeyFromQuery:user}/!{timestamp:yyyy}/",
                "err/!{firehose:error-output-type}/",
                DeliveryStreamConfig.RecordFormat.JSON_LINES,
                null,
                DeliveryStreamConfig.Compression.GZIP,
                DeliveryStreamConfig.Partitioning.of("{user: .user}")),
            new BufferingHints(1, 60, false));
    DeliveryWorker w = DeliveryWorker.rawObjects(c, streams, store, clock, beforeCheckpoint);
    return f.track(w);
  }

  private void put(String key, String json) {
    streams.putRecord("events", new PutEntry(key, null, json.getBytes(StandardCharsets.UTF_8)));
  }

  private Map<String, String> objects(String prefix) throws Exception {
    return f.objects("errors", prefix);
  }

  @Test
  void gzipJsonLinesLandUnderTheirPartitionsAndBadRecordsInTheErrorOutput() throws Exception {
    DeliveryWorker w = raw(() -> {});
    for (int i = 0; i < 30; i++) {
      put("k" + i, "{\"id\":" + i + ",\"user\":\"u" + (i % 3) + "\"}");
    }
    put("k", "{\"id\":99}");
    put("k", "garbage");
    assertThat(w.flushNow()).isEqualTo(32);

    Map<String, String> data = objects("data/");
    assertThat(data.keySet())
        .allMatch(
            k -> k.matches("data/user=u[012]/2026/raw-shardId-\\d{12}-\\d+-\\d+\\.jsonl\\.gz"));
    long lines = 0;
    for (Map.Entry<String, String> e : data.entrySet()) {
      String user = e.getKey().substring("data/user=".length(), "data/user=".length() + 2);
      for (String line : e.getValue().lines().toList()) {
        assertThat(line).contains("\"user\":\"" + user + "\"");
        lines++;
      }
    }
    assertThat(lines).isEqualTo(30);
    Map<String, String> errors = objects("err/partition-key-failed/");
    assertThat(errors).hasSize(1);
    String err = errors.values().iterator().next();
    assertThat(err.lines().toList()).hasSize(2);
    assertThat(err).contains("MissingPartitionKey").contains("InvalidJson");
    assertThat(w.metrics().failures(FailureKind.PARTITION_KEY_FAILED)).isEqualTo(2);
  }

  @Test
  void redeliveryAfterACrashBeforeTheCheckpointRewritesIdenticalKeysAndContent() throws Exception {
    AtomicBoolean crash = new AtomicBoolean(true);
    DeliveryWorker first =
        raw(
            () -> {
              if (crash.get()) {
                throw new IllegalStateException("simulated crash before checkpoint");
              }
            });
    for (int i = 0; i < 20; i++) {
      put("k" + i, "{\"id\":" + i + ",\"user\":\"u" + (i % 2) + "\"}");
    }
    assertThatThrownBy(first::flushNow).hasMessageContaining("simulated crash");
    first.close();
    Map<String, String> before = objects("data/");
    assertThat(before).isNotEmpty();

    // more records arrive, but the replay re-reads exactly the unfinished batch first
    for (int i = 20; i < 25; i++) {
      put("k" + i, "{\"id\":" + i + ",\"user\":\"u" + (i % 2) + "\"}");
    }
    crash.set(false);
    DeliveryWorker second = raw(() -> {});
    assertThat(second.pollOnce()).isEqualTo(20);
    assertThat(objects("data/")).isEqualTo(before);
    assertThat(second.flushNow()).isEqualTo(5);
    assertThat(objects("data/")).hasSizeGreaterThan(before.size());
    long total = objects("data/").values().stream().mapToLong(s -> s.lines().count()).sum();
    assertThat(total).isEqualTo(25);
  }

  @Test
  void overflowBeyondTheActivePartitionCapGoesToTheErrorOutput() throws Exception {
    DeliveryStreamConfig c =
        new DeliveryStreamConfig(
            "cap",
            new DeliveryStreamConfig.StreamSource("events"),
            new DeliveryStreamConfig.RawObjects(
                "errors",
                "p/!{partitionKeyFromQuery:user}/",
                "e/!{firehose:error-output-type}/",
                null,
                null,
                null,
                new DeliveryStreamConfig.Partitioning(
                    dev.basin.delivery.partition.JsonQuery.parse("{user: .user}"), 2)),
            new BufferingHints(1, 60, false));
    DeliveryWorker w = DeliveryWorker.rawObjects(c, streams, store, clock);
    f.track(w);
    for (int i = 0; i < 4; i++) {
      put("same", "{\"user\":\"u" + i + "\"}");
    }
    w.flushNow();
    assertThat(objects("p/")).hasSize(2);
    assertThat(objects("e/activePartitionExceeded/")).hasSize(1);
    assertThat(w.metrics().failures(FailureKind.ACTIVE_PARTITION_EXCEEDED)).isEqualTo(2);
  }
}
