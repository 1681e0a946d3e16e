package dev.basin.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.basin.storage.LocalObjectStore;
import dev.basin.storage.LocalObjectStoreConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Snapshot expiry keeps the snapshots that deliveries resume from. */
class TableMaintenanceCheckpointTest {
  @TempDir Path dir;
  private LocalObjectStore store;
  private LakeCatalog catalog;
  private Table table;

  @BeforeEach
  void open() {
    store = LocalObjectStore.open(LocalObjectStoreConfig.defaults(dir.resolve("objects")));
    catalog = LakeCatalog.open(CatalogConfig.sqlite(dir), store, Clock.systemUTC());
    catalog.databases().create(DatabaseInput.named("lake"));
    table =
        catalog
            .iceberg()
            .createTable(
                TableIdentifier.of("lake", "events"),
                new Schema(Types.NestedField.required(1, "id", Types.LongType.get())));
  }

  @AfterEach
  void close() {
    catalog.close();
    store.close();
  }

  private long commit(String property, String value) {
    AppendFiles append = table.newAppend();
    if (property != null) {
      append.set(property, value);
    }
    append.commit();
    table.refresh();
    return table.currentSnapshot().snapshotId();
  }

  private List<Long> snapshotIds() {
    List<Long> ids = new ArrayList<>();
    table.snapshots().forEach(s -> ids.add(s.snapshotId()));
    return ids;
  }

  @Test
  void expiryKeepsTheNewestCheckpointSnapshotOfEachDelivery() {
    long a1 = commit("basin.delivery.a.checkpoints", "{\"s\":\"1\"}");
    long b1 = commit("basin.delivery.b.checkpoints", "{\"s\":\"7\"}");
    long a2 = commit("basin.delivery.a.checkpoints", "{\"s\":\"2\"}");
    long other = commit("basin.operation", "compaction");
    long current = commit(null, null);

    TableMaintenance.ExpireResult r =
        catalog.maintenance().expireSnapshots(table, Instant.now().plusSeconds(60), 1);

    assertThat(r.snapshotsExpired()).isEqualTo(2);
    assertThat(snapshotIds()).containsExactlyInAnyOrder(b1, a2, current).doesNotContain(a1, other);
    // the lineage steps over the expired snapshot between the current one and a2
    List<Long> lineage = new ArrayList<>();
    for (Snapshot s : TableMaintenance.lineage(table)) {
      lineage.add(s.snapshotId());
    }
    assertThat(lineage).containsExactly(current, a2, b1);
  }

  @Test
  void withoutCheckpointsExpiryFollowsRetainLastAndAge() {
    commit(null, null);
    commit(null, null);
    long last = commit(null, null);

    TableMaintenance.ExpireResult r =
        catalog.maintenance().expireSnapshots(table, Instant.now().plusSeconds(60), 1);

    assertThat(r.snapshotsExpired()).isEqualTo(2);
    assertThat(snapshotIds()).containsExactly(last);
    assertThat(catalog.maintenance().expireSnapshots(table, Instant.now().plusSeconds(60), 1))
        .isEqualTo(new TableMaintenance.ExpireResult(0, 0));
  }

  @Test
  void snapshotsYoungerThanTheAgeAreKept() {
    commit("basin.delivery.a.checkpoints", "{}");
    commit(null, null);
    commit(null, null);

    TableMaintenance.ExpireResult r =
        catalog.maintenance().expireSnapshots(table, Instant.now().minusSeconds(3600), 1);

    assertThat(r.snapshotsExpired()).isZero();
    assertThat(snapshotIds()).hasSize(3);
  }
}
