package dev.basin.storage;

import static dev.basin.storage.StorageTestSupport.md5Hex;
import static dev.basin.storage.StorageTestSupport.put;
import static dev.basin.storage.StorageTestSupport.random;
import static dev.basin.storage.StorageTestSupport.read;
import static org.assertj.core.api.Assertions.assertThat;

import dev.basin.spi.storage.ByteRange;
import dev.basin.spi.storage.CompletedPart;
import dev.basin.spi.storage.CopyRequest;
import dev.basin.spi.storage.GetOptions;
import dev.basin.spi.storage.MultipartUpload;
import dev.basin.spi.storage.ObjectInfo;
import dev.basin.spi.storage.ObjectMetadata;
import dev.basin.spi.storage.ObjectRef;
import dev.basin.spi.storage.PartInfo;
import dev.basin.spi.storage.PutOptions;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Objects in a cold storage class are stored compressed and read back byte-identical. */
class LocalObjectStoreColdTierTest {
  private static final String B = "cold";

  @TempDir Path dataDir;
  private LocalObjectStore store;

  @BeforeEach
  void open() {
    store =
        LocalObjectStore.open(
            LocalObjectStoreConfig.defaults(dataDir).withMinPartSize(1024 * 1024),
            Clock.systemUTC());
    store.createBucket(B);
  }

  @AfterEach
  void close() {
    store.close();
  }

  private long storedBytes() throws Exception {
    try (var files = Files.walk(dataDir.resolve("lake").resolve(B))) {
      return files
          .filter(p -> p.toString().endsWith(DataFiles.COMPRESSED_SUFFIX))
          .mapToLong(p -> p.toFile().length())
          .sum();
    }
  }

  @Test
  void aColdPutIsReadBackByteIdenticalInFullAndInRanges() {
    byte[] payload = random(3 * 1024 * 1024, 42);
    ObjectInfo info = put(store, B, "glacier.bin", payload, "GLACIER");
    assertThat(info.storageClass()).isEqualTo("GLACIER");
    assertThat(info.etag()).isEqualTo(md5Hex(payload));
    assertThat(info.size()).isEqualTo(payload.length);
    assertThat(read(store, B, "glacier.bin", GetOptions.current())).isEqualTo(payload);
    StorageTestSupport.assertRangesMatch(store, B, "glacier.bin", payload);
    assertThat(store.localFile(B, "glacier.bin")).isEmpty();
    assertThat(store.head(B, "glacier.bin", null).storageClass()).isEqualTo("GLACIER");
  }

  @Test
  void compressibleDataTakesLessSpace() throws Exception {
    byte[] text =
        "timestamp,user,event\n2024-01-01T00:00:00Z,alice,click\n"
            .repeat(20_000)
            .getBytes(StandardCharsets.UTF_8);
    put(store, B, "events.csv", text, "DEEP_ARCHIVE");
    assertThat(storedBytes()).isLessThan(text.length / 10);
    assertThat(read(store, B, "events.csv", GetOptions.current())).isEqualTo(text);
  }

  @Test
  void copiesBetweenTiersKeepTheBytes() {
    byte[] payload = random(1_500_000, 5);
    ObjectInfo cold = put(store, B, "src", payload, "STANDARD_IA");
    ObjectInfo hot = store.copy(new CopyRequest(B, ObjectRef.of("src"), B, "hot", null, null));
    assertThat(hot.storageClass()).isEqualTo(ObjectInfo.STANDARD);
    assertThat(hot.etag()).isEqualTo(cold.etag());
    assertThat(store.localFile(B, "hot")).isPresent();
    assertThat(read(store, B, "hot", GetOptions.current())).isEqualTo(payload);
    ObjectInfo back =
        store.copy(new CopyRequest(B, ObjectRef.of("hot"), B, "cold2", null, "GLACIER_IR"));
    assertThat(back.storageClass()).isEqualTo("GLACIER_IR");
    assertThat(read(store, B, "cold2", GetOptions.current())).isEqualTo(payload);
    ObjectInfo coldToCold =
        store.copy(new CopyRequest(B, ObjectRef.of("src"), B, "cold3", null, "GLACIER"));
    assertThat(coldToCold.etag()).isEqualTo(cold.etag());
    assertThat(read(store, B, "cold3", GetOptions.current())).isEqualTo(payload);
    // changing only the storage class of an object in place is allowed
    ObjectInfo moved =
        store.copy(new CopyRequest(B, ObjectRef.of("hot"), B, "hot", null, "ONEZONE_IA"));
    assertThat(moved.storageClass()).isEqualTo("ONEZONE_IA");
    assertThat(store.localFile(B, "hot")).isEmpty();
  }

  @Test
  void coldMultipartUploadsAndPartCopiesFromColdObjects() {
    byte[] p1 = random(1024 * 1024, 1);
    byte[] p2 = random(4000, 2);
    MultipartUpload u =
        store.createMultipartUpload(
            B, "mp", new PutOptions(ObjectMetadata.empty(), null, false, "DEEP_ARCHIVE"));
    PartInfo i1 =
        store.uploadPart(B, "mp", u.uploadId(), 1, new ByteArrayInputStream(p1), p1.length, null);
    PartInfo i2 =
        store.uploadPart(B, "mp", u.uploadId(), 2, new ByteArrayInputStream(p2), p2.length, null);
    ObjectInfo done =
        store.completeMultipartUpload(
            B,
            "mp",
            u.uploadId(),
            List.of(new CompletedPart(1, i1.etag()), new CompletedPart(2, i2.etag())));
    assertThat(done.storageClass()).isEqualTo("DEEP_ARCHIVE");
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    all.writeBytes(p1);
    all.writeBytes(p2);
    byte[] whole = all.toByteArray();
    assertThat(read(store, B, "mp", GetOptions.current())).isEqualTo(whole);
    assertThat(
            read(store, B, "mp", GetOptions.range(ByteRange.of(1024 * 1024 - 3, 1024 * 1024 + 3))))
        .isEqualTo(Arrays.copyOfRange(whole, 1024 * 1024 - 3, 1024 * 1024 + 4));

    MultipartUpload u2 = store.createMultipartUpload(B, "from-cold", PutOptions.defaults());
    PartInfo copied =
        store.uploadPartCopy(
            B, "from-cold", u2.uploadId(), 1, B, ObjectRef.of("mp"), ByteRange.of(1000, 300_000));
    byte[] expected = Arrays.copyOfRange(whole, 1000, 300_001);
    assertThat(copied.etag()).isEqualTo(md5Hex(expected));
    store.completeMultipartUpload(
        B, "from-cold", u2.uploadId(), List.of(new CompletedPart(1, copied.etag())));
    assertThat(read(store, B, "from-cold", GetOptions.current())).isEqualTo(expected);
  }
}
