package dev.basin.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.basin.catalog.CatalogConfig;
import dev.basin.catalog.DatabaseInput;
import dev.basin.catalog.LakeCatalog;
import dev.basin.spi.storage.GetOptions;
import dev.basin.spi.storage.ListRequest;
import dev.basin.spi.storage.ObjectContent;
import dev.basin.spi.storage.ObjectInfo;
import dev.basin.storage.LocalObjectStore;
import dev.basin.storage.LocalObjectStoreConfig;
import dev.basin.stream.PutEntry;
import dev.basin.stream.StreamListener;
import dev.basin.stream.StreamMode;
import dev.basin.stream.StreamService;
import dev.basin.stream.StreamsConfig;
import dev.basin.stream.log.LocalStreamLog;
import dev.basin.stream.log.LocalStreamLogConfig;
import dev.basin.testing.ManualClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.iceberg.Schema;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeliveryWorkerRawObjectsTest {
  private static final byte[] KEY =
      "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);
  private static final Schema SCHEMA =
      new Schema(
          Types.NestedField.required(1, "id", Types.LongType.get()),
          Types.NestedField.optional(2, "user", Types.StringType.get()),
          Types.NestedField.optional(3, "n", Types.IntegerType.get()));

  @TempDir Path dir;
  private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
  private LocalStreamLog log;
  private StreamService streams;
  private LocalObjectStore store;
  private LakeCatalog catalog;
  private final List<DeliveryWorker> workers = new ArrayList<>();

  @BeforeEach
  void open() {
    log = new LocalStreamLog(LocalStreamLogConfig.defaults(dir.resolve("streams")), clock);
    streams =
        new StreamService(
            log,
            dir.resolve("streams"),
            KEY,
            StreamsConfig.defaults(),
            clock,
            StreamListener.NONE,
            "000000000000");
    store = LocalObjectStore.open(LocalObjectStoreConfig.defaults(dir.resolve("objects")));
    store.createBucket("curated");
    store.createBucket("errors");
    catalog = LakeCatalog.open(CatalogConfig.sqlite(dir), store, clock);
    catalog.databases().create(DatabaseInput.named("lake"));
    catalog.iceberg().createTable(TableIdentifier.of("lake", "events"), SCHEMA);
    streams.createStream("events", 2, StreamMode.PROVISIONED, null);
  }

  @AfterEach
  void close() {
    workers.forEach(DeliveryWorker::close);
    catalog.close();
    store.close();
    streams.close();
    log.close();
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
    workers.add(w);
    return w;
  }

  private void put(String key, String json) {
    streams.putRecord("events", new PutEntry(key, null, json.getBytes(StandardCharsets.UTF_8)));
  }

  private Map<String, String> objects(String prefix) throws Exception {
    Map<String, String> out = new java.util.TreeMap<>();
    for (ObjectInfo o : store.list("errors", ListRequest.prefix(prefix)).objects()) {
      try (ObjectContent c = store.get("errors", o.key(), GetOptions.current())) {
        byte[] b = c.stream().readAllBytes();
        out.put(
            o.key(),
            o.key().endsWith(".gz")
                ? new String(
                    new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(b))
                        .readAllBytes(),
                    StandardCharsets.UTF_8)
                : new String(b, StandardCharsets.UTF_8));
      }
    }
    return out;
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
    workers.add(w);
    for (int i = 0; i < 4; i++) {
      put("same", "{\"user\":\"u" + i + "\"}");
    }
    w.flushNow();
    assertThat(objects("p/")).hasSize(2);
    assertThat(objects("e/activePartitionExceeded/")).hasSize(1);
    assertThat(w.metrics().failures(FailureKind.ACTIVE_PARTITION_EXCEEDED)).isEqualTo(2);
  }
}
