package dev.basin.storage;

import static dev.basin.storage.StorageTestSupport.bytes;
import static dev.basin.storage.StorageTestSupport.md5Hex;
import static dev.basin.storage.StorageTestSupport.put;
import static org.assertj.core.api.Assertions.assertThat;

import dev.basin.spi.storage.GetOptions;
import dev.basin.spi.storage.ObjectInfo;
import dev.basin.spi.storage.VersionListRequest;
import dev.basin.spi.storage.VersionPage;
import dev.basin.spi.storage.VersioningStatus;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Tags changed in place: durable across a restart, and safe next to concurrent puts. */
class LocalObjectStoreTaggingTest {
  private static final String B = "tags";

  @TempDir Path dataDir;

  private LocalObjectStore open() {
    return LocalObjectStore.open(LocalObjectStoreConfig.defaults(dataDir), Clock.systemUTC());
  }

  @Test
  void tagsSurviveARestartAndTheDataFileIsUntouched() throws Exception {
    ObjectInfo before;
    try (LocalObjectStore store = open()) {
      store.createBucket(B);
      before = put(store, B, "k", bytes("body"));
      store.setTags(B, "k", null, Map.of("tier", "cold"));
    }
    try (LocalObjectStore store = open()) {
      ObjectInfo after = store.head(B, "k", null);
      assertThat(after.metadata().tags()).isEqualTo(Map.of("tier", "cold"));
      assertThat(after.etag()).isEqualTo(before.etag());
      assertThat(after.lastModified()).isEqualTo(before.lastModified());
      assertThat(store.localFile(B, "k")).isPresent();
      assertThat(StorageTestSupport.read(store, B, "k", GetOptions.current()))
          .isEqualTo(bytes("body"));
    }
  }

  @Test
  @Timeout(60)
  void taggingNextToConcurrentPutsNeverAddsOrAltersAVersion() throws Exception {
    int puts = 40;
    int taggings = 40;
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try (LocalObjectStore store = open()) {
      store.createBucket(B);
      store.setVersioning(B, VersioningStatus.ENABLED);
      put(store, B, "k", bytes("v-initial"));
      List<Future<ObjectInfo>> tagged = new ArrayList<>();
      List<Future<ObjectInfo>> written = new ArrayList<>();
      for (int i = 0; i < Math.max(puts, taggings); i++) {
        int n = i;
        if (i < puts) {
          written.add(pool.submit(() -> put(store, B, "k", bytes("v-" + n))));
        }
        if (i < taggings) {
          tagged.add(pool.submit(() -> store.setTags(B, "k", null, Map.of("n", "" + n))));
        }
      }
      Set<String> versionIds = new HashSet<>();
      for (Future<ObjectInfo> f : written) {
        versionIds.add(f.get().versionId());
      }
      for (Future<ObjectInfo> f : tagged) {
        ObjectInfo t = f.get();
        assertThat(t.deleteMarker()).isFalse();
        assertThat(t.metadata().tags()).containsKey("n");
      }

      VersionPage page = store.listVersions(B, new VersionListRequest("", null, null, null, 1000));
      assertThat(page.versions()).hasSize(puts + 1);
      for (VersionPage.ObjectVersion v : page.versions()) {
        ObjectInfo info = v.info();
        byte[] data =
            StorageTestSupport.read(store, B, "k", new GetOptions(info.versionId(), null));
        assertThat(info.etag()).isEqualTo(md5Hex(data));
      }
      assertThat(page.versions().stream().map(v -> v.info().versionId())).containsAll(versionIds);
    } finally {
      pool.shutdownNow();
      pool.awaitTermination(10, TimeUnit.SECONDS);
    }
  }
}
