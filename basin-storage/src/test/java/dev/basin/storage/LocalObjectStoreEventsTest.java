package dev.basin.storage;

import static dev.basin.storage.StorageTestSupport.bytes;
import static dev.basin.storage.StorageTestSupport.put;
import static org.assertj.core.api.Assertions.assertThat;

import dev.basin.spi.storage.DeleteResult;
import dev.basin.spi.storage.ObjectEvent;
import dev.basin.spi.storage.ObjectInfo;
import dev.basin.spi.storage.VersioningStatus;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Event names, versions and ordering, and that close delivers what is queued. */
class LocalObjectStoreEventsTest {
  private static final String B = "events";

  @TempDir Path dataDir;

  private LocalObjectStore open() {
    return LocalObjectStore.open(LocalObjectStoreConfig.defaults(dataDir), Clock.systemUTC());
  }

  @Test
  void versionedEventsCarryVersionIdsAndMarkerNames() throws Exception {
    List<ObjectEvent> events = new CopyOnWriteArrayList<>();
    try (LocalObjectStore store = open()) {
      store.createBucket(B);
      store.setVersioning(B, VersioningStatus.ENABLED);
      AutoCloseable sub = store.subscribe(events::add);
      try {
        ObjectInfo v1 = put(store, B, "k", bytes("1"));
        DeleteResult marker = store.delete(B, "k", null);
        store.delete(B, "k", marker.versionId());
        store.delete(B, "k", v1.versionId());
        StorageTestSupport.awaitSize(events, 4);
        assertThat(events)
            .extracting(ObjectEvent::name)
            .containsExactly(
                "ObjectCreated:Put",
                "ObjectRemoved:DeleteMarkerCreated",
                "ObjectRemoved:Delete",
                "ObjectRemoved:Delete");
        assertThat(events)
            .extracting(ObjectEvent::versionId)
            .containsExactly(
                v1.versionId(), marker.versionId(), marker.versionId(), v1.versionId());
      } finally {
        sub.close();
      }
      put(store, B, "after-unsubscribe", bytes("x"));
    }
    assertThat(events).hasSize(4);
  }

  @Test
  void closeDeliversEveryQueuedEventInOrder() {
    List<String> keys = new CopyOnWriteArrayList<>();
    LocalObjectStore store = open();
    store.createBucket(B);
    store.subscribe(
        e -> {
          try {
            Thread.sleep(2);
          } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
          }
          keys.add(e.key());
        });
    for (int i = 0; i < 100; i++) {
      put(store, B, "k" + i, bytes("v"));
    }
    store.close();
    assertThat(keys).hasSize(100);
    for (int i = 0; i < 100; i++) {
      assertThat(keys.get(i)).isEqualTo("k" + i);
    }
  }

  @Test
  void unversionedEventsHaveNoVersionId() {
    List<ObjectEvent> events = new CopyOnWriteArrayList<>();
    try (LocalObjectStore store = open()) {
      store.createBucket(B);
      store.subscribe(events::add);
      put(store, B, "k", bytes("1"));
      store.delete(B, "k", null);
      store.delete(B, "never-existed", null);
    }
    assertThat(events).extracting(ObjectEvent::versionId).containsExactly(null, null);
    assertThat(events)
        .extracting(ObjectEvent::type)
        .containsExactly(ObjectEvent.Type.CREATED, ObjectEvent.Type.REMOVED);
  }
}
