package dev.basin.storage;

import static dev.basin.storage.StorageTestSupport.bytes;
import static dev.basin.storage.StorageTestSupport.put;
import static dev.basin.storage.StorageTestSupport.read;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.basin.spi.storage.CompletedPart;
import dev.basin.spi.storage.GetOptions;
import dev.basin.spi.storage.MultipartUpload;
import dev.basin.spi.storage.PartInfo;
import dev.basin.spi.storage.PutOptions;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What survives a restart, and what a crash leaves behind that the next open removes. */
class LocalObjectStoreRecoveryTest {
  private static final String B = "data";

  @TempDir Path dataDir;

  private LocalObjectStore open() {
    return LocalObjectStore.open(LocalObjectStoreConfig.defaults(dataDir), Clock.systemUTC());
  }

  private Path lake() {
    return dataDir.resolve("lake");
  }

  private List<Path> dataFiles(String bucket) throws Exception {
    try (Stream<Path> files = Files.walk(lake().resolve(bucket))) {
      return files.filter(Files::isRegularFile).toList();
    }
  }

  @Test
  void objectsSurviveAReopen() {
    try (LocalObjectStore store = open()) {
      store.createBucket(B);
      put(store, B, "a", bytes("alpha"));
      put(store, B, "dir/", new byte[0]);
    }
    try (LocalObjectStore store = open()) {
      assertThat(read(store, B, "a", GetOptions.current())).isEqualTo(bytes("alpha"));
      assertThat(store.head(B, "dir/", null).size()).isZero();
    }
  }

  @Test
  void replacedAndDeletedVersionsLeaveNoFiles() throws Exception {
    try (LocalObjectStore store = open()) {
      store.createBucket(B);
      for (int i = 0; i < 5; i++) {
        put(store, B, "k", bytes("v" + i));
      }
      assertThat(dataFiles(B)).hasSize(1);
      store.delete(B, "k", null);
      assertThat(dataFiles(B)).isEmpty();
    }
  }

  @Test
  void openRemovesWhatACrashLeftBehind() throws Exception {
    String uploadId;
    Path partFile;
    try (LocalObjectStore store = open()) {
      store.createBucket(B);
      put(store, B, "kept", bytes("kept"));
      MultipartUpload u = store.createMultipartUpload(B, "mp", PutOptions.defaults());
      uploadId = u.uploadId();
      store.uploadPart(B, "mp", uploadId, 1, new ByteArrayInputStream(bytes("p1")), 2, null);
      try (Stream<Path> parts = Files.list(lake().resolve(".uploads").resolve(uploadId))) {
        partFile = parts.findFirst().orElseThrow();
      }
    }
    Path kept = dataFiles(B).get(0);
    Path temp = Files.writeString(lake().resolve(".tmp").resolve("0123.tmp"), "half written");
    Path shard = Files.createDirectories(lake().resolve(B).resolve("ab"));
    Path orphan = Files.writeString(shard.resolve("ab" + "0".repeat(30)), "never committed");
    Path orphanZst = Files.writeString(shard.resolve("ab" + "1".repeat(30) + ".zst"), "x");
    Path stranger = Files.writeString(lake().resolve(B).resolve("README"), "not ours");
    Path orphanPart = Files.writeString(partFile.resolveSibling("1-deadbeef.part"), "old part");
    Path orphanUpload =
        Files.writeString(
            Files.createDirectories(lake().resolve(".uploads").resolve("gone")).resolve("1-x.part"),
            "x");
    Path goneBucketFile =
        Files.writeString(
            Files.createDirectories(lake().resolve("dropped").resolve("cd"))
                .resolve("cd" + "2".repeat(30)),
            "x");

    try (LocalObjectStore store = open()) {
      assertThat(temp).doesNotExist();
      assertThat(orphan).doesNotExist();
      assertThat(orphanZst).doesNotExist();
      assertThat(orphanPart).doesNotExist();
      assertThat(orphanUpload.getParent()).doesNotExist();
      assertThat(goneBucketFile).doesNotExist();
      assertThat(lake().resolve("dropped")).doesNotExist();
      assertThat(stranger).exists();
      assertThat(kept).exists();
      assertThat(partFile).exists();
      assertThat(read(store, B, "kept", GetOptions.current())).isEqualTo(bytes("kept"));
      PartInfo p = store.listParts(B, "mp", uploadId, 0, 10).parts().get(0);
      store.completeMultipartUpload(B, "mp", uploadId, List.of(new CompletedPart(1, p.etag())));
      assertThat(read(store, B, "mp", GetOptions.current())).isEqualTo(bytes("p1"));
    }
  }

  @Test
  void aDeletedBucketCanBeCreatedAgainWithNewObjects() throws Exception {
    try (LocalObjectStore store = open()) {
      store.createBucket(B);
      put(store, B, "old", bytes("old"));
      store.delete(B, "old", null);
      store.deleteBucket(B);
      assertThat(lake().resolve(B)).doesNotExist();
      store.createBucket(B);
      put(store, B, "new", bytes("new"));
      assertThat(read(store, B, "new", GetOptions.current())).isEqualTo(bytes("new"));
      assertThat(dataFiles(B)).hasSize(1);
    }
    try (Stream<Path> tmp = Files.list(lake().resolve(".tmp"))) {
      assertThat(tmp).isEmpty();
    }
  }

  @Test
  void aSecondInstanceCannotOpenTheSameStore() {
    try (LocalObjectStore store = open()) {
      assertThatThrownBy(this::open)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("in use");
      store.createBucket(B);
    }
    try (LocalObjectStore again = open()) {
      assertThat(again.bucket(B)).isPresent();
    }
  }

  @Test
  void closeIsIdempotentAndLaterCallsFail() {
    LocalObjectStore store = open();
    store.close();
    store.close();
    assertThatThrownBy(() -> store.createBucket(B)).isInstanceOf(IllegalStateException.class);
  }
}
