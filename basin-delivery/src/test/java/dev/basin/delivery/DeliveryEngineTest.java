package dev.basin.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.basin.catalog.CatalogConfig;
import dev.basin.catalog.DatabaseInput;
import dev.basin.catalog.LakeCatalog;
import dev.basin.common.error.BasinException;
import dev.basin.delivery.transform.ProcessorConfig;
import dev.basin.storage.LocalObjectStore;
import dev.basin.storage.LocalObjectStoreConfig;
import dev.basin.stream.PutEntry;
import dev.basin.stream.StreamErrorCode;
import dev.basin.stream.StreamListener;
import dev.basin.stream.StreamMode;
import dev.basin.stream.StreamService;
import dev.basin.stream.StreamsConfig;
import dev.basin.stream.log.LocalStreamLog;
import dev.basin.stream.log.LocalStreamLogConfig;
import dev.basin.testing.ManualClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.stream.LongStream;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeliveryEngineTest {
  private static final byte[] KEY =
      "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);
  private static final Schema SCHEMA =
      new Schema(
          Types.NestedField.required(1, "id", Types.LongType.get()),
          Types.NestedField.optional(2, "user", Types.StringType.get()));

  @TempDir Path dir;
  private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
  private LocalStreamLog log;
  private StreamService streams;
  private LocalObjectStore store;
  private LakeCatalog catalog;
  private final List<DeliveryEngine> engines = new ArrayList<>();

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
    store.createBucket("raw");
    catalog = LakeCatalog.open(CatalogConfig.sqlite(dir), store, clock);
    catalog.databases().create(DatabaseInput.named("lake"));
    catalog.iceberg().createTable(TableIdentifier.of("lake", "events"), SCHEMA);
    streams.createStream("events", 2, StreamMode.PROVISIONED, null);
  }

  @AfterEach
  void close() {
    engines.forEach(DeliveryEngine::close);
    catalog.close();
    store.close();
    streams.close();
    log.close();
  }

  private DeliveryEngine engine(int max) {
    DeliveryEngine e =
        DeliveryEngine.open(
            dir.resolve("delivery"), streams, store, catalog, clock, Duration.ofMillis(10), max);
    engines.add(e);
    return e;
  }

  private DeliveryEngine engine() {
    return engine(DeliveryEngine.DEFAULT_MAX_DELIVERY_STREAMS);
  }

  private static DeliveryStreamConfig toTable(String name, String stream, String table) {
    return new DeliveryStreamConfig(
        name,
        new DeliveryStreamConfig.StreamSource(stream),
        new DeliveryStreamConfig.IcebergTable("lake", table, null, "raw", "errors/"),
        new BufferingHints(1, 0, false));
  }

  private void put(long from, int count) {
    for (long i = from; i < from + count; i++) {
      streams.putRecord(
          "events",
          new PutEntry(
              "u" + (i % 5),
              null,
              ("{\"id\":" + i + ",\"user\":\"u" + (i % 5) + "\"}")
                  .getBytes(StandardCharsets.UTF_8)));
    }
  }

  private long totalRecords() {
    Table t = catalog.iceberg().loadTable(TableIdentifier.of("lake", "events"));
    Snapshot s = t.currentSnapshot();
    return s == null ? 0 : Long.parseLong(s.summary().getOrDefault("total-records", "0"));
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("timed out waiting for " + what).isLessThan(deadline);
      Thread.sleep(10);
    }
  }

  @Test
  void createsRunsAndDescribesADeliveryStream() throws Exception {
    DeliveryEngine engine = engine();
    DeliveryEngine.Description d = engine.create(toTable("to-lake", "events", "events"));
    assertThat(d.status()).isEqualTo(DeliveryEngine.Status.ACTIVE);
    assertThat(d.createdMillis()).isEqualTo(clock.millis());
    assertThat(engine.list()).containsExactly("to-lake");
    assertThat(Files.exists(dir.resolve("delivery/to-lake.json"))).isTrue();

    put(0, 40);
    await("40 records in the table", () -> totalRecords() == 40);
    await(
        "metrics to count 40 records",
        () -> engine.describe("to-lake").metrics().recordsDelivered() == 40);
    DeliveryEngine.Description after = engine.describe("to-lake");
    assertThat(after.metrics().commits()).isPositive();
    assertThat(after.config()).isEqualTo(toTable("to-lake", "events", "events"));
  }

  @Test
  void restartsPersistedDeliveryStreamsAndResumesWithoutDuplicates() throws Exception {
    DeliveryEngine first = engine();
    first.create(toTable("to-lake", "events", "events"));
    put(0, 25);
    await("25 records", () -> totalRecords() == 25);
    first.close();

    put(25, 25);
    DeliveryEngine second = engine();
    assertThat(second.list()).containsExactly("to-lake");
    assertThat(second.describe("to-lake").status()).isEqualTo(DeliveryEngine.Status.ACTIVE);
    await("50 records", () -> totalRecords() == 50);
    Thread.sleep(200);
    assertThat(totalRecords()).isEqualTo(50);
  }

  @Test
  void deleteStopsTheWorkerAndRemovesTheStreamDurably() throws Exception {
    DeliveryEngine engine = engine();
    engine.create(toTable("to-lake", "events", "events"));
    put(0, 10);
    await("10 records", () -> totalRecords() == 10);
    engine.delete("to-lake");
    assertThat(engine.list()).isEmpty();
    assertThat(Files.exists(dir.resolve("delivery/to-lake.json"))).isFalse();
    put(10, 10);
    Thread.sleep(200);
    assertThat(totalRecords()).isEqualTo(10);
    engine.close();
    assertThat(engine().list()).isEmpty();
    assertThatThrownBy(() -> engines.get(1).describe("to-lake"))
        .isInstanceOfSatisfying(
            BasinException.class,
            e -> assertThat(e.code()).isEqualTo(DeliveryErrorCode.DELIVERY_NOT_FOUND))
        .hasMessageContaining("'to-lake' not found");
  }

  @Test
  void aDeliveryStreamWhoseTableWasDroppedStartsAsCreatingFailedAndCanBeDeleted() {
    DeliveryEngine engine = engine();
    engine.create(toTable("to-lake", "events", "events"));
    engine.close();
    catalog.iceberg().dropTable(TableIdentifier.of("lake", "events"), true);
    DeliveryEngine second = engine();
    DeliveryEngine.Description d = second.describe("to-lake");
    assertThat(d.status()).isEqualTo(DeliveryEngine.Status.CREATING_FAILED);
    assertThat(d.failure()).contains("events");
    second.delete("to-lake");
    assertThat(second.list()).isEmpty();
  }

  @Test
  void refusesBadReferencesDuplicatesDirectPutAndTooMany() {
    DeliveryEngine engine = engine(1);
    assertThatThrownBy(() -> engine.create(toTable("a", "nope", "events")))
        .isInstanceOfSatisfying(
            BasinException.class,
            e -> assertThat(e.code()).isEqualTo(DeliveryErrorCode.INVALID_CONFIG))
        .hasMessageContaining("stream 'nope', which does not exist")
        .hasMessageContaining("basin stream create nope");
    assertThatThrownBy(() -> engine.create(toTable("a", "events", "missing")))
        .hasMessageContaining("lake.missing, which is not an Iceberg table");
    assertThatThrownBy(
            () ->
                engine.create(
                    new DeliveryStreamConfig(
                        "a",
                        new DeliveryStreamConfig.StreamSource("events"),
                        new DeliveryStreamConfig.RawObjects(
                            "no-bucket", "p/", null, null, null, null, null),
                        null)))
        .hasMessageContaining("bucket 'no-bucket', which does not exist");
    assertThatThrownBy(
            () ->
                engine.create(
                    new DeliveryStreamConfig(
                        "a",
                        new DeliveryStreamConfig.DirectPut(),
                        new DeliveryStreamConfig.IcebergTable("lake", "events", null, "raw", null),
                        null,
                        List.of(new ProcessorConfig.Custom("/no/such.jar", null)))))
        .isInstanceOfSatisfying(
            BasinException.class,
            e -> assertThat(e.code()).isEqualTo(DeliveryErrorCode.INVALID_CONFIG))
        .hasMessageContaining("/no/such.jar");
    // the failed direct-put create left no internal stream behind
    assertThat(streams.listStreams()).containsExactly("events");
    assertThat(engine.list()).isEmpty();
    assertThat(dir.resolve("delivery").toFile().list()).isEmpty();

    engine.create(toTable("a", "events", "events"));
    assertThatThrownBy(() -> engine.create(toTable("a", "events", "events")))
        .isInstanceOfSatisfying(
            BasinException.class,
            e -> assertThat(e.code()).isEqualTo(DeliveryErrorCode.DELIVERY_EXISTS))
        .hasMessageContaining("already exists");
    assertThatThrownBy(() -> engine.create(toTable("b", "events", "events")))
        .isInstanceOfSatisfying(
            BasinException.class,
            e -> assertThat(e.code()).isEqualTo(DeliveryErrorCode.DELIVERY_LIMIT_EXCEEDED));
    assertThatThrownBy(() -> engine.delete("zzz"))
        .hasMessageContaining("delivery stream 'zzz' not found");
  }

  private static DeliveryStreamConfig directPut(String name) {
    return new DeliveryStreamConfig(
        name,
        new DeliveryStreamConfig.DirectPut(),
        new DeliveryStreamConfig.IcebergTable("lake", "events", null, "raw", "errors/"),
        new BufferingHints(1, 0, false));
  }

  private static List<byte[]> records(long from, int count) {
    List<byte[]> out = new ArrayList<>();
    for (long i = from; i < from + count; i++) {
      out.add(("{\"id\":" + i + "}").getBytes(StandardCharsets.UTF_8));
    }
    return out;
  }

  private List<Long> ids() throws Exception {
    List<Long> ids = new ArrayList<>();
    Table t = catalog.iceberg().loadTable(TableIdentifier.of("lake", "events"));
    try (CloseableIterable<Record> rows = IcebergGenerics.read(t).build()) {
      for (Record r : rows) {
        ids.add((Long) r.getField("id"));
      }
    }
    ids.sort(null);
    return ids;
  }

  private static List<Long> range(long from, long to) {
    return LongStream.range(from, to).boxed().toList();
  }

  @Test
  void directPutRecordsAreDurableBeforeAckDeliveredOnceAndDeletedWithTheDelivery()
      throws Exception {
    DeliveryEngine engine = engine();
    engine.create(directPut("puts"));
    String internal = DeliveryStreamConfig.DIRECT_PUT_STREAM_PREFIX + "puts";
    assertThat(streams.describe(internal).tags()).containsEntry("basin:delivery", "puts");

    List<DirectPutSource.PutResult> acks = engine.put("puts", records(0, 30));
    assertThat(acks).hasSize(30).allMatch(DirectPutSource.PutResult::succeeded);
    await("30 records", () -> totalRecords() == 30);

    // restart: acknowledged records survive, nothing is delivered twice
    engine.close();
    DeliveryEngine second = engine();
    assertThat(second.put("puts", records(30, 20))).allMatch(DirectPutSource.PutResult::succeeded);
    await("50 records", () -> totalRecords() == 50);
    Thread.sleep(200);
    assertThat(ids()).isEqualTo(range(0, 50));

    assertThatThrownBy(() -> second.put("puts", List.of()))
        .isInstanceOfSatisfying(
            BasinException.class,
            e -> assertThat(e.code()).isEqualTo(DeliveryErrorCode.INVALID_REQUEST))
        .hasMessageContaining("1 to 500 records");
    assertThatThrownBy(() -> second.put("nope", records(0, 1)))
        .hasMessageContaining("delivery stream 'nope' not found");

    second.delete("puts");
    assertThatThrownBy(() -> streams.describe(internal))
        .isInstanceOfSatisfying(
            BasinException.class,
            e -> assertThat(e.code()).isEqualTo(StreamErrorCode.STREAM_NOT_FOUND));
  }

  @Test
  void putIntoADeliveryThatReadsAStreamIsRefused() {
    DeliveryEngine engine = engine();
    engine.create(toTable("to-lake", "events", "events"));
    assertThatThrownBy(() -> engine.put("to-lake", records(0, 1)))
        .isInstanceOfSatisfying(
            BasinException.class,
            e -> assertThat(e.code()).isEqualTo(DeliveryErrorCode.INVALID_REQUEST))
        .hasMessageContaining("reads stream 'events'; put the records into that stream");
  }

  @Test
  void processorsArePersistedAndApplied() throws Exception {
    DeliveryStreamConfig config =
        new DeliveryStreamConfig(
            "filtered",
            new DeliveryStreamConfig.DirectPut(),
            new DeliveryStreamConfig.IcebergTable("lake", "events", null, "raw", "errors/"),
            new BufferingHints(1, 0, false),
            List.of(
                ProcessorConfig.Deaggregate.json(),
                new ProcessorConfig.Filter("exists user"),
                new ProcessorConfig.RenameFields(java.util.Map.of("who", "user"))));
    DeliveryEngine engine = engine();
    engine.create(config);
    engine.put(
        "filtered",
        List.of(
            "{\"id\":1,\"user\":\"a\"}{\"id\":2}{\"id\":3,\"user\":\"c\"}"
                .getBytes(StandardCharsets.UTF_8)));
    await("2 records", () -> totalRecords() == 2);
    await("1 dropped", () -> engine.describe("filtered").metrics().recordsDropped() == 1);
    engine.close();
    DeliveryEngine second = engine();
    assertThat(second.describe("filtered").config()).isEqualTo(config);
    assertThat(ids()).containsExactly(1L, 3L);
  }

  @Test
  void maintenanceCompactsSmallFilesAndTheDeliveryStaysExactlyOnce() throws Exception {
    DeliveryEngine engine = engine();
    engine.create(directPut("puts"));
    for (int round = 0; round < 8; round++) {
      long from = round * 10L;
      engine.put("puts", records(from, 10));
      await("round " + round, () -> totalRecords() == from + 10);
    }
    Table before = catalog.iceberg().loadTable(TableIdentifier.of("lake", "events"));
    int filesBefore = Integer.parseInt(before.currentSnapshot().summary().get("total-data-files"));
    assertThat(filesBefore).isGreaterThanOrEqualTo(8);

    clock.advance(Duration.ofHours(2));
    List<DeliveryEngine.MaintenanceResult> results = engine.maintainNow();
    assertThat(results).hasSize(1);
    DeliveryEngine.MaintenanceResult r = results.get(0);
    assertThat(r.table()).isEqualTo("lake.events");
    assertThat(r.filesBefore()).isEqualTo(filesBefore);
    assertThat(r.filesAfter()).isLessThan(filesBefore);
    assertThat(ids()).isEqualTo(range(0, 80));

    // the delivery keeps delivering exactly once, also across a restart after expiry
    engine.put("puts", records(80, 10));
    await("90 records", () -> totalRecords() == 90);
    engine.close();
    DeliveryEngine second = engine();
    second.put("puts", records(90, 10));
    await("100 records", () -> totalRecords() == 100);
    Thread.sleep(200);
    assertThat(ids()).isEqualTo(range(0, 100));
  }

  @Test
  void parserRoundTripsProcessorsAndNamesBadOnes() throws Exception {
    DeliveryStreamConfig config =
        new DeliveryStreamConfig(
            "p",
            new DeliveryStreamConfig.DirectPut(),
            new DeliveryStreamConfig.IcebergTable("lake", "events", null, "raw", null),
            null,
            List.of(
                new ProcessorConfig.Decompress("GZIP"),
                new ProcessorConfig.Deaggregate("\n"),
                new ProcessorConfig.AddArrivalTimestamp("at"),
                new ProcessorConfig.DropFields(List.of("secret", "a.b")),
                new ProcessorConfig.RenameFields(java.util.Map.of("old", "new")),
                new ProcessorConfig.Filter("kind == \"click\""),
                new ProcessorConfig.Custom("/opt/t.jar", "com.example.T")));
    assertThat(DeliveryStreamConfigParser.fromJson(DeliveryStreamConfigParser.toJson(config)))
        .isEqualTo(config);
    String base =
        "{\"name\":\"x\",\"source\":{\"type\":\"direct-put\"},"
            + "\"destination\":{\"type\":\"objects\",\"bucket\":\"b\"},\"processors\":";
    assertThatThrownBy(
            () ->
                DeliveryStreamConfigParser.fromJson(
                    dev.basin.common.json.Json.mapper()
                        .readTree(base + "[{\"type\":\"lambda\"}]}")))
        .hasMessageContaining("processors[0].type must be one of")
        .hasMessageContaining("was 'lambda'");
    assertThatThrownBy(
            () ->
                DeliveryStreamConfigParser.fromJson(
                    dev.basin.common.json.Json.mapper()
                        .readTree(base + "[{\"type\":\"decompress\",\"format\":\"zip\"}]}")))
        .hasMessageContaining("processors[0] Decompress.Format must be GZIP, was 'ZIP'");
  }

  @Test
  void parserRoundTripsBothDestinationKinds() {
    DeliveryStreamConfig iceberg = toTable("t", "events", "events");
    assertThat(DeliveryStreamConfigParser.fromJson(DeliveryStreamConfigParser.toJson(iceberg)))
        .isEqualTo(iceberg);
    DeliveryStreamConfig raw =
        new DeliveryStreamConfig(
            "r",
            new DeliveryStreamConfig.StreamSource("events"),
            new DeliveryStreamConfig.RawObjects(
                "raw",
                "k=!{partitionKeyFromQuery:k}/",
                "err/!{firehose:error-output-type}/",
                DeliveryStreamConfig.RecordFormat.JSON_LINES,
                null,
                DeliveryStreamConfig.Compression.GZIP,
                DeliveryStreamConfig.Partitioning.of("{k: .k}")),
            new BufferingHints(64, 60, false));
    DeliveryStreamConfig back =
        DeliveryStreamConfigParser.fromJson(DeliveryStreamConfigParser.toJson(raw));
    assertThat(DeliveryStreamConfigParser.toJson(back))
        .isEqualTo(DeliveryStreamConfigParser.toJson(raw));
    assertThatThrownBy(
            () ->
                DeliveryStreamConfigParser.fromJson(
                    dev.basin.common.json.Json.mapper()
                        .readTree(
                            "{\"name\":\"x\",\"source\":{\"type\":\"stream\",\"stream\":\"s\"},"
                                + "\"destination\":{\"type\":\"objects\",\"bucket\":\"b\"},"
                                + "\"buffering\":{\"sizeMiB\":500,\"intervalSeconds\":1}}")))
        .hasMessageContaining("SizeInMBs must be between 1 and 128, was 500");
  }
}
