package dev.basin.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.basin.catalog.LakeCatalog;
import dev.basin.spi.storage.GetOptions;
import dev.basin.spi.storage.ListRequest;
import dev.basin.spi.storage.ObjectContent;
import dev.basin.spi.storage.ObjectInfo;
import dev.basin.storage.LocalObjectStore;
import dev.basin.stream.PutEntry;
import dev.basin.stream.StreamMode;
import dev.basin.stream.StreamService;
import dev.basin.testing.ManualClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeliveryWorkerIcebergTest {
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

  private DeliveryStreamConfig config() {
    return new DeliveryStreamConfig(
        "to-lake",
        new DeliveryStreamConfig.StreamSource("events"),
        new DeliveryStreamConfig.IcebergTable(
            "lake", "events", DeliveryStreamConfig.UnknownFieldPolicy.IGNORE, "errors", "failed/"),
        new BufferingHints(1, 60, false));
  }

  private DeliveryWorker worker(Runnable beforeCommit) {
    DeliveryWorker w =
        DeliveryWorker.iceberg(config(), streams, catalog, store, clock, beforeCommit);
    return f.track(w);
  }

  private DeliveryWorker worker() {
    return worker(() -> {});
  }

  private void put(long fromId, int count) {
    for (long i = fromId; i < fromId + count; i++) {
      put("user-" + (i % 7), "{\"id\":" + i + ",\"user\":\"user-" + (i % 7) + "\",\"n\":1}");
    }
  }

  private void put(String key, String json) {
    streams.putRecord("events", new PutEntry(key, null, json.getBytes(StandardCharsets.UTF_8)));
  }

  private List<Record> rows() throws Exception {
    List<Record> out = new ArrayList<>();
    try (CloseableIterable<Record> it = IcebergGenerics.read(f.table()).build()) {
      it.forEach(out::add);
    }
    return out;
  }

  private static List<Long> ids(List<Record> rows) {
    return rows.stream().map(r -> (Long) r.getField("id")).sorted().toList();
  }

  private static List<Long> range(long from, long to) {
    List<Long> out = new ArrayList<>();
    for (long i = from; i < to; i++) {
      out.add(i);
    }
    return out;
  }

  @Test
  void deliversEveryRecordOfTwoShardsExactlyOnceWhenTheIntervalPasses() throws Exception {
    DeliveryWorker w = worker();
    put(0, 100);
    assertThat(w.pollOnce()).isZero();
    assertThat(rows()).isEmpty();
    assertThat(w.metrics().lagMillis()).isZero();
    clock.advance(Duration.ofSeconds(30));
    assertThat(w.metrics().lagMillis()).isEqualTo(30_000);

    clock.advance(Duration.ofSeconds(30));
    assertThat(w.pollOnce()).isEqualTo(100);

    assertThat(ids(rows())).isEqualTo(range(0, 100));
    DeliveryMetrics.Snapshot m = w.metrics();
    assertThat(m.recordsDelivered()).isEqualTo(100);
    assertThat(m.commits()).isEqualTo(1);
    assertThat(m.lastCommitMillis()).isEqualTo(clock.millis());
    assertThat(m.lagMillis()).isZero();
    assertThat(w.committedCheckpoints())
        .containsOnlyKeys("shardId-000000000000", "shardId-000000000001");
    assertThat(w.pollOnce()).isZero();
    assertThat(ids(rows())).hasSize(100);
  }

  @Test
  void aRestartedWorkerResumesFromTheTableCheckpointsWithoutDuplicates() throws Exception {
    DeliveryWorker first = worker();
    put(0, 50);
    assertThat(first.flushNow()).isEqualTo(50);
    put(50, 10);
    first.pollOnce(); // buffered, not yet due: lost with the worker, re-read by the next
    first.close();

    DeliveryWorker second = worker();
    assertThat(second.committedCheckpoints()).isEqualTo(first.committedCheckpoints());
    put(60, 40);
    assertThat(second.flushNow()).isEqualTo(50);
    assertThat(ids(rows())).isEqualTo(range(0, 100));

    Table table = catalog.iceberg().loadTable(TableIdentifier.of("lake", "events"));
    assertThat(table.currentSnapshot().summary())
        .containsKey("basin.delivery.to-lake.checkpoints")
        .containsKey("basin.delivery.to-lake.batch");
  }

  @Test
  void aCrashBetweenWritingDataFilesAndCommittingIsRedoneExactlyOnce() throws Exception {
    AtomicBoolean crash = new AtomicBoolean(true);
    DeliveryWorker crashing =
        worker(
            () -> {
              if (crash.get()) {
                throw new IllegalStateException("simulated crash before commit");
              }
            });
    put(0, 40);
    assertThatThrownBy(crashing::flushNow).hasMessageContaining("simulated crash");
    assertThat(rows()).isEmpty();
    // the same worker retries from the committed checkpoints: same batch, same file names
    assertThatThrownBy(crashing::flushNow).hasMessageContaining("simulated crash");
    crashing.close();

    crash.set(false);
    DeliveryWorker restarted = worker();
    assertThat(restarted.committedCheckpoints()).isEmpty();
    assertThat(restarted.flushNow()).isEqualTo(40);
    assertThat(ids(rows())).isEqualTo(range(0, 40));
    put(40, 5);
    restarted.flushNow();
    assertThat(ids(rows())).isEqualTo(range(0, 45));
  }

  @Test
  void aCrashAfterTheCommitNeverReappends() throws Exception {
    DeliveryWorker w = worker();
    put(0, 20);
    w.flushNow();
    // a new worker (the old one "crashed" after committing) finds nothing new
    DeliveryWorker after = worker();
    assertThat(after.flushNow()).isZero();
    assertThat(ids(rows())).isEqualTo(range(0, 20));
  }

  @Test
  void aSplitMidStreamKeepsPerKeyOrderAndLosesNothing() throws Exception {
    DeliveryWorker w = worker();
    Map<String, List<Integer>> expected = new LinkedHashMap<>();
    int id = 0;
    for (; id < 60; id++) {
      String user = "user-" + (id % 5);
      put(user, "{\"id\":" + id + ",\"user\":\"" + user + "\",\"n\":" + id + "}");
      expected.computeIfAbsent(user, k -> new ArrayList<>()).add(id);
    }
    w.pollOnce(); // reads the parents' first records into the buffer
    streams.splitShard(
        "events", "shardId-000000000000", new java.math.BigInteger("2").pow(126).toString());
    for (; id < 120; id++) {
      String user = "user-" + (id % 5);
      put(user, "{\"id\":" + id + ",\"user\":\"" + user + "\",\"n\":" + id + "}");
      expected.computeIfAbsent(user, k -> new ArrayList<>()).add(id);
    }
    w.flushNow();
    put("user-0", "{\"id\":120,\"user\":\"user-0\",\"n\":120}");
    w.flushNow();

    assertThat(ids(rows())).isEqualTo(range(0, 121));
    assertThat(w.committedCheckpoints()).containsKey("shardId-000000000002");
    // per key, the commit order of the rows is the put order: read back in snapshot order
    Table table = catalog.iceberg().loadTable(TableIdentifier.of("lake", "events"));
    Map<String, List<Integer>> seen = new LinkedHashMap<>();
    List<Long> snapshots = new ArrayList<>();
    table.snapshots().forEach(s -> snapshots.add(s.snapshotId()));
    java.util.Set<Long> done = new java.util.HashSet<>();
    for (long snap : snapshots) {
      // rows new in each snapshot, in file order (one data file per commit here)
      try (CloseableIterable<Record> it = IcebergGenerics.read(table).useSnapshot(snap).build()) {
        for (Record r : it) {
          if (done.add((Long) r.getField("id"))) {
            seen.computeIfAbsent((String) r.getField("user"), k -> new ArrayList<>())
                .add((Integer) r.getField("n"));
          }
        }
      }
    }
    assertThat(seen.values().stream().mapToInt(List::size).sum()).isEqualTo(121);
    seen.values().forEach(v -> assertThat(v).isSorted());
  }

  @Test
  void badRecordsGoToTheErrorOutputWithReasonsAndDeliveryContinues() throws Exception {
    DeliveryWorker w = worker();
    put("a", "{\"id\":1,\"user\":\"a\"}");
    put("a", "not json at all");
    put("a", "{\"id\":\"forty\",\"user\":\"a\"}");
    put("a", "[1,2]");
    put("a", "{\"id\":2,\"user\":\"a\"}");
    w.flushNow();

    assertThat(ids(rows())).containsExactly(1L, 2L);
    DeliveryMetrics.Snapshot m = w.metrics();
    assertThat(m.recordsDelivered()).isEqualTo(2);
    assertThat(m.failures(FailureKind.FORMAT_CONVERSION_FAILED)).isEqualTo(3);
    List<ObjectInfo> objects =
        store.list("errors", ListRequest.prefix("failed/format-conversion-failed/")).objects();
    assertThat(objects).hasSize(1);
    String text;
    try (ObjectContent c = store.get("errors", objects.get(0).key(), GetOptions.current())) {
      text = new String(c.stream().readAllBytes(), StandardCharsets.UTF_8);
    }
    List<String> lines = text.lines().toList();
    assertThat(lines).hasSize(3);
    assertThat(lines.get(0))
        .contains("\"errorCode\":\"InvalidJson\"")
        .contains(
            "\"rawData\":\""
                + java.util.Base64.getEncoder()
                    .encodeToString("not json at all".getBytes(StandardCharsets.UTF_8))
                + "\"")
        .contains("\"shardId\":")
        .contains("\"sequenceNumber\":")
        .contains("\"attemptsMade\":1")
        .contains("\"arrivalTimestamp\":");
    assertThat(lines.get(1)).contains("SchemaMismatch").contains("id");
    // the failures advanced the checkpoint: nothing is redelivered
    put("a", "{\"id\":3,\"user\":\"a\"}");
    w.flushNow();
    assertThat(ids(rows())).containsExactly(1L, 2L, 3L);
    assertThat(worker().committedCheckpoints()).isEqualTo(w.committedCheckpoints());
  }

  @Test
  void backgroundThreadDeliversWithZeroInterval() throws Exception {
    DeliveryWorker w =
        DeliveryWorker.iceberg(
            new DeliveryStreamConfig(
                "bg",
                new DeliveryStreamConfig.StreamSource("events"),
                new DeliveryStreamConfig.IcebergTable("lake", "events", null, "errors", null),
                new BufferingHints(1, 0, false)),
            streams,
            catalog,
            store,
            clock);
    f.track(w);
    w.start(Duration.ofMillis(10));
    put(0, 10);
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (w.metrics().recordsDelivered() < 10 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    w.close();
    assertThat(ids(rows())).isEqualTo(range(0, 10));
  }
}
