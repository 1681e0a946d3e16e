package dev.basin.it.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.basin.catalog.CatalogConfig;
import dev.basin.catalog.LakeCatalog;
import dev.basin.it.BasinProcess;
import dev.basin.it.KinesisClients;
import dev.basin.it.NativeApi;
import dev.basin.storage.LocalObjectStore;
import dev.basin.storage.LocalObjectStoreConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResultEntry;

/**
 * Exactly-once delivery across SIGKILLs: producers put records with unique ids into a 2-shard
 * stream (AWS SDK v2, no SDK retries, so a record is sent at most once) while a delivery stream
 * with 1 s buffering commits them into an Iceberg table; the server is killed with SIGKILL at
 * random moments (during puts, during buffering, during or right after a commit) and restarted on
 * the same data directory. At the end the delivery catches up, the server stops cleanly, and the
 * table's rows are read straight from the data directory: every acknowledged id is there exactly
 * once, no id is there twice, and every id there was sent (a record whose put was in flight at a
 * kill may be stored without an acknowledgement; it must then be delivered once, like any other).
 *
 * <p>{@code -Dcrash.cycles=N} (default 20) sets the number of kills; {@code -Dcrash.seed=S} replays
 * the random choices of a run (the seed is printed), not the exact interleaving.
 */
@ExtendWith(BasinProcess.DumpLogsOnFailure.class)
class DeliveryCrashIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String STREAM = "events";
  private static final int PRODUCERS = 2;

  @TempDir Path dir;

  /** Every id ever sent, with the producer that sent it. */
  private final Map<Long, Integer> attempted = new ConcurrentHashMap<>();

  /** Ids whose PutRecords entry came back with a sequence number. */
  private final Set<Long> acked = ConcurrentHashMap.newKeySet();

  private final AtomicLong nextId = new AtomicLong();

  @Test
  void acknowledgedRecordsAreDeliveredExactlyOnceAcrossKillDashNine() throws Exception {
    int cycles = Integer.getInteger("crash.cycles", 20);
    long seed = Long.getLong("crash.seed", System.nanoTime());
    System.out.println(
        "DeliveryCrashIT: seed="
            + seed
            + " cycles="
            + cycles
            + " (replay: -Dcrash.seed="
            + seed
            + ")");
    Random random = new Random(seed);
    Path dataDir = dir.resolve("data");
    try (BasinProcess server = BasinProcess.builder(dataDir).maxHeap("384m").start()) {
      try (KinesisClient k = KinesisClients.client(server.endpoint(), server.credentials(), true)) {
        k.createStream(r -> r.streamName(STREAM).shardCount(2));
        k.waiter().waitUntilStreamExists(r -> r.streamName(STREAM));
      }
      api(server, "POST", "/api/v1/catalog/databases", "{\"name\":\"lake\"}", 201);
      api(
          server,
          "POST",
          "/api/v1/catalog/databases/lake/tables",
          "{\"name\":\"events\",\"columns\":[{\"name\":\"id\",\"type\":\"bigint\"},"
              + "{\"name\":\"producer\",\"type\":\"int\"},"
              + "{\"name\":\"payload\",\"type\":\"string\"}]}",
          201);
      api(
          server,
          "POST",
          "/api/v1/delivery-streams",
          "{\"name\":\"to-lake\",\"source\":{\"type\":\"stream\",\"stream\":\"events\"},"
              + "\"destination\":{\"type\":\"iceberg\",\"database\":\"lake\",\"table\":\"events\","
              + "\"errorBucket\":\"raw\",\"errorPrefix\":\"delivery-errors/\"},"
              + "\"buffering\":{\"sizeMiB\":1,\"intervalSeconds\":1}}",
          201);

      for (int cycle = 1; cycle <= cycles; cycle++) {
        long killAfterMillis = 200 + random.nextInt(2300);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicBoolean killing = new AtomicBoolean();
        List<Thread> producers = new ArrayList<>();
        List<String> unexpected = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int p = 0; p < PRODUCERS; p++) {
          int producer = p;
          long producerSeed = random.nextLong();
          Thread t =
              new Thread(
                  () ->
                      produce(
                          server, producer, new Random(producerSeed), killing, stop, unexpected),
                  "producer-" + p + "-cycle-" + cycle);
          t.setDaemon(true);
          producers.add(t);
        }
        producers.forEach(Thread::start);
        Thread.sleep(killAfterMillis);
        killing.set(true);
        server.kill();
        stop.set(true);
        for (Thread t : producers) {
          t.join(60_000);
          assertThat(t.isAlive()).as("%s ended after the kill", t.getName()).isFalse();
        }
        assertThat(unexpected).as("put failures before the kill in cycle %d", cycle).isEmpty();
        server.restart();
        System.out.println(
            "DeliveryCrashIT: cycle "
                + cycle
                + " killed after "
                + killAfterMillis
                + " ms; "
                + acked.size()
                + " acknowledged of "
                + attempted.size()
                + " attempted so far");
      }
      assertThat(acked).as("records acknowledged over all cycles").hasSizeGreaterThan(cycles);

      long total = awaitCaughtUp(server);
      assertThat(server.stop()).as("exit code of a clean stop").isZero();

      Map<Long, Integer> seen = readIds(dataDir);
      long rows = seen.values().stream().mapToLong(Integer::longValue).sum();
      List<Long> duplicated = new ArrayList<>();
      List<Long> neverSent = new ArrayList<>();
      for (Map.Entry<Long, Integer> e : seen.entrySet()) {
        if (e.getValue() > 1) {
          duplicated.add(e.getKey());
        }
        if (!attempted.containsKey(e.getKey())) {
          neverSent.add(e.getKey());
        }
      }
      List<Long> lost = acked.stream().filter(id -> !seen.containsKey(id)).sorted().toList();
      long unackedStored = seen.keySet().stream().filter(id -> !acked.contains(id)).count();
      System.out.println(
          "DeliveryCrashIT: "
              + cycles
              + " kills; "
              + acked.size()
              + " acknowledged, "
              + attempted.size()
              + " attempted, "
              + rows
              + " rows in lake.events ("
              + unackedStored
              + " stored without an acknowledgement)");
      assertThat(duplicated).as("ids delivered more than once").isEmpty();
      assertThat(lost).as("acknowledged ids missing from the table").isEmpty();
      assertThat(neverSent).as("ids in the table that no producer sent").isEmpty();
      assertThat(rows).as("rows read vs the table's total-records").isEqualTo(total);
    }
  }

  /**
   * Puts batches of 1–50 records until stopped or until a call fails (the server died under it: the
   * outcome of that batch is unknown, so its ids are never sent again). A failure before the kill
   * began is recorded in {@code errors}.
   */
  private void produce(
      BasinProcess server,
      int producer,
      Random random,
      AtomicBoolean killing,
      AtomicBoolean stop,
      List<String> errors) {
    try (KinesisClient k =
        KinesisClients.client(
            server.endpoint(),
            server.credentials(),
            KinesisClients.Options.defaults(random.nextBoolean())
                .withoutRetries()
                .withCallTimeout(Duration.ofSeconds(20)),
            List.of())) {
      while (!stop.get()) {
        int n = 1 + random.nextInt(50);
        List<Long> ids = new ArrayList<>(n);
        List<PutRecordsRequestEntry> entries = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          long id = nextId.getAndIncrement();
          ids.add(id);
          attempted.put(id, producer);
          entries.add(
              PutRecordsRequestEntry.builder()
                  .partitionKey("p" + producer + "-" + random.nextInt(64))
                  .data(SdkBytes.fromString(record(id, producer), StandardCharsets.UTF_8))
                  .build());
        }
        PutRecordsResponse r;
        try {
          r = k.putRecords(b -> b.streamName(STREAM).records(entries));
        } catch (RuntimeException e) {
          if (!killing.get()) {
            errors.add(e.toString());
          }
          return;
        }
        for (int i = 0; i < n; i++) {
          PutRecordsResultEntry e = r.records().get(i);
          if (e.sequenceNumber() != null && e.errorCode() == null) {
            acked.add(ids.get(i));
          }
        }
      }
    } catch (RuntimeException e) {
      // the client could not be built or closed because the server was already gone
    }
  }

  private static String record(long id, int producer) {
    return "{\"id\":" + id + ",\"producer\":" + producer + ",\"payload\":\"r" + id + "\"}";
  }

  /**
   * Polls the table's total-records until it covers every acknowledged record and has not changed
   * for three buffering intervals; returns it.
   */
  private long awaitCaughtUp(BasinProcess server) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    long last = -1;
    long stableSince = System.nanoTime();
    while (true) {
      JsonNode t = api(server, "GET", "/api/v1/catalog/databases/lake/tables/events", null, 200);
      long total = t.at("/currentSnapshot/summary/total-records").asLong(0);
      if (total != last) {
        last = total;
        stableSince = System.nanoTime();
      } else if (total >= acked.size()
          && System.nanoTime() - stableSince > Duration.ofSeconds(3).toNanos()) {
        return total;
      }
      if (System.nanoTime() > deadline) {
        JsonNode d = api(server, "GET", "/api/v1/delivery-streams/to-lake", null, 200);
        throw new AssertionError(
            "the delivery did not catch up within 120 s: total-records="
                + total
                + ", acknowledged="
                + acked.size()
                + ", delivery="
                + d);
      }
      Thread.sleep(250);
    }
  }

  /** id → number of rows with that id, read from the data directory with the server stopped. */
  private Map<Long, Integer> readIds(Path dataDir) throws Exception {
    Map<Long, Integer> seen = new HashMap<>();
    CatalogConfig config =
        new CatalogConfig(
            "jdbc:sqlite:" + dataDir.resolve("meta").resolve("basin.db").toAbsolutePath(),
            null,
            null,
            CatalogConfig.DEFAULT_WAREHOUSE);
    try (LocalObjectStore store =
            LocalObjectStore.open(LocalObjectStoreConfig.defaults(dataDir.toAbsolutePath()));
        LakeCatalog catalog = LakeCatalog.open(config, store, Clock.systemUTC())) {
      Table table = catalog.iceberg().loadTable(TableIdentifier.of("lake", "events"));
      try (CloseableIterable<Record> rows = IcebergGenerics.read(table).build()) {
        for (Record r : rows) {
          long id = (Long) r.getField("id");
          seen.merge(id, 1, Integer::sum);
          Integer producer = attempted.get(id);
          if (producer != null) {
            assertThat(r.getField("producer")).as("producer of id %d", id).isEqualTo(producer);
            assertThat(r.getField("payload")).as("payload of id %d", id).isEqualTo("r" + id);
          }
        }
      }
    }
    return seen;
  }

  private JsonNode api(BasinProcess server, String method, String path, String body, int status) {
    return NativeApi.call(server, method, path, body, status);
  }
}
