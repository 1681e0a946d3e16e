package dev.basin.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.basin.catalog.TableMaintenance;
import dev.basin.stream.StreamMode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.LongStream;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Low-latency mode, and resuming after table maintenance. */
class DeliveryWorkerLowLatencyTest {
  @TempDir Path dir;
  private DeliveryFixture f;
  private long nextId;

  @BeforeEach
  void open() {
    f = new DeliveryFixture(dir);
    f.streams.createStream("events", 2, StreamMode.PROVISIONED, null);
  }

  @AfterEach
  void close() {
    f.close();
  }

  private DeliveryStreamConfig config(boolean lowLatency) {
    return new DeliveryStreamConfig(
        "to-lake",
        new DeliveryStreamConfig.StreamSource("events"),
        new DeliveryStreamConfig.IcebergTable(
            "lake", "events", DeliveryStreamConfig.UnknownFieldPolicy.IGNORE, "errors", "failed/"),
        new BufferingHints(128, 900, lowLatency));
  }

  private DeliveryWorker worker(boolean lowLatency) {
    return f.track(
        DeliveryWorker.iceberg(config(lowLatency), f.streams, f.catalog, f.store, f.clock));
  }

  private void put(int n) {
    for (int i = 0; i < n; i++) {
      f.put("events", "{\"id\":" + nextId++ + "}");
    }
  }

  private static java.util.List<Long> upTo(long n) {
    return LongStream.range(0, n).boxed().toList();
  }

  @Test
  void lowLatencyCommitsWithinHalfASecondOfTheOldestRecordDespiteLargeHints() throws Exception {
    DeliveryWorker w = worker(true);
    for (int tick = 0; tick < 10; tick++) {
      // records arrive every 250 ms; the worker polls every 100 ms
      for (int step = 0; step < 10; step++) {
        if (step % 2 == 0 && step < 8) {
          put(3);
        }
        w.pollOnce();
        f.clock.advance(Duration.ofMillis(100));
      }
    }
    w.flushNow();
    assertThat(f.ids()).isEqualTo(upTo(nextId));
    long commits = w.metrics().commits();
    // 10 s of steady input: a commit once the oldest record is 0.5 s old (every 0.5-0.7 s with
    // this arrival pattern), not one per poll (100) and not one per 900 s interval (0)
    assertThat(commits).isBetween(14L, 21L);
  }

  @Test
  void withoutLowLatencyTheSameInputWaitsForTheInterval() throws Exception {
    DeliveryWorker w = worker(false);
    for (int step = 0; step < 100; step++) {
      if (step % 2 == 0) {
        put(1);
      }
      w.pollOnce();
      f.clock.advance(Duration.ofMillis(100));
    }
    assertThat(w.metrics().commits()).isZero();
    assertThat(f.ids()).isEmpty();
    f.clock.advance(Duration.ofSeconds(900));
    w.pollOnce();
    assertThat(w.metrics().commits()).isEqualTo(1);
    assertThat(f.ids()).isEqualTo(upTo(nextId));
  }

  @Test
  void aRestartAfterSnapshotExpiryNeitherDuplicatesNorLoses() throws Exception {
    DeliveryWorker w = worker(false);
    for (int batch = 0; batch < 3; batch++) {
      put(10);
      w.flushNow();
    }
    // unrelated appends after the last delivery commit (e.g. a backfill, or compaction)
    Table table = f.table();
    for (int i = 0; i < 2; i++) {
      DataFile file = table.currentSnapshot().addedDataFiles(table.io()).iterator().next();
      table.newFastAppend().appendFile(file).set("writer", "other").commit();
      table.refresh();
    }
    long checkpointsBefore = w.committedCheckpoints().size();
    w.close();

    TableMaintenance.ExpireResult r =
        f.catalog.maintenance().expireSnapshots(f.table(), Instant.now().plusSeconds(60), 1);
    assertThat(r.snapshotsExpired()).isEqualTo(3); // the first two deliveries and one append

    put(5);
    DeliveryWorker again = worker(false);
    assertThat(again.committedCheckpoints()).hasSize((int) checkpointsBefore);
    again.flushNow();
    // the re-appended file repeats the rows of the last delivery twice; nothing else repeats
    java.util.List<Long> ids = f.ids();
    java.util.List<Long> expected = new java.util.ArrayList<>(upTo(35));
    expected.addAll(LongStream.range(20, 30).boxed().toList());
    expected.addAll(LongStream.range(20, 30).boxed().toList());
    expected.sort(null);
    assertThat(ids).isEqualTo(expected);
  }
}
