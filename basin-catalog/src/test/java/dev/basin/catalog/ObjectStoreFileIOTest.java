package dev.basin.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.basin.storage.LocalObjectStore;
import dev.basin.storage.LocalObjectStoreConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.exceptions.NotFoundException;
import org.apache.iceberg.io.FileInfo;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.io.PositionOutputStream;
import org.apache.iceberg.io.SeekableInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ObjectStoreFileIOTest {
  @TempDir Path dir;
  LocalObjectStore store;

  @BeforeEach
  void open() {
    store = LocalObjectStore.open(LocalObjectStoreConfig.defaults(dir));
    store.createBucket("lake");
  }

  @AfterEach
  void close() {
    store.close();
  }

  ObjectStoreFileIO io(boolean local) {
    return new ObjectStoreFileIO(store, dir.resolve("tmp"), local);
  }

  static byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    new Random(n).nextBytes(b);
    return b;
  }

  static void write(ObjectStoreFileIO io, String location, byte[] bytes) throws IOException {
    try (PositionOutputStream out = io.newOutputFile(location).create()) {
      out.write(bytes, 0, 10);
      assertThat(out.getPos()).isEqualTo(10);
      out.write(bytes, 10, bytes.length - 10);
      assertThat(out.getPos()).isEqualTo(bytes.length);
    }
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void writesThenReadsWithSeeks(boolean local) throws IOException {
    ObjectStoreFileIO io = io(local);
    byte[] bytes = randomBytes(700_000);
    write(io, "s3://lake/t/data/a.bin", bytes);

    InputFile in = io.newInputFile("s3a://lake/t/data/a.bin");
    assertThat(in.exists()).isTrue();
    assertThat(in.getLength()).isEqualTo(bytes.length);
    try (SeekableInputStream s = in.newStream()) {
      byte[] head = new byte[100];
      assertThat(s.readNBytes(head, 0, 100)).isEqualTo(100);
      assertThat(head).isEqualTo(java.util.Arrays.copyOfRange(bytes, 0, 100));
      s.seek(bytes.length - 8);
      assertThat(s.getPos()).isEqualTo(bytes.length - 8);
      byte[] tail = s.readAllBytes();
      assertThat(tail)
          .isEqualTo(java.util.Arrays.copyOfRange(bytes, bytes.length - 8, bytes.length));
      assertThat(s.read()).isEqualTo(-1);
      s.seek(300_000);
      assertThat(s.read()).isEqualTo(bytes[300_000] & 0xff);
      byte[] big = new byte[400_000];
      s.seek(1);
      assertThat(s.readNBytes(big, 0, big.length)).isEqualTo(big.length);
      assertThat(big).isEqualTo(java.util.Arrays.copyOfRange(bytes, 1, 400_001));
    }
    try (InputStream whole = in.newStream()) {
      assertThat(whole.readAllBytes()).isEqualTo(bytes);
    }
    // No temporary file is left behind.
    try (var files = Files.list(dir.resolve("tmp"))) {
      assertThat(files).isEmpty();
    }
  }

  @Test
  void createRefusesAnExistingObjectButOverwriteReplaces() throws IOException {
    ObjectStoreFileIO io = io(true);
    write(io, "s3://lake/m/v1.json", randomBytes(20));
    assertThatThrownBy(() -> io.newOutputFile("s3://lake/m/v1.json").create())
        .isInstanceOf(AlreadyExistsException.class)
        .hasMessageContaining("s3://lake/m/v1.json");
    byte[] replacement = randomBytes(33);
    try (PositionOutputStream out = io.newOutputFile("s3://lake/m/v1.json").createOrOverwrite()) {
      out.write(replacement);
    }
    try (InputStream in = io.newInputFile("s3://lake/m/v1.json").newStream()) {
      assertThat(in.readAllBytes()).isEqualTo(replacement);
    }
  }

  @Test
  void missingFilesAreIcebergNotFound() {
    ObjectStoreFileIO io = io(true);
    InputFile missing = io.newInputFile("s3://lake/nope");
    assertThat(missing.exists()).isFalse();
    assertThat(io.newInputFile("s3://no-bucket/x").exists()).isFalse();
    assertThatThrownBy(missing::getLength).isInstanceOf(NotFoundException.class);
    assertThatThrownBy(missing::newStream).isInstanceOf(NotFoundException.class);
    io.deleteFile("s3://lake/nope");
  }

  @Test
  void listsAndDeletesByPrefix() throws IOException {
    ObjectStoreFileIO io = io(true);
    List<String> written = new ArrayList<>();
    for (int i = 0; i < 1205; i++) {
      String loc = String.format("s3://lake/t/data/f%04d", i);
      try (PositionOutputStream out = io.newOutputFile(loc).createOrOverwrite()) {
        out.write(i % 256);
      }
      written.add(loc);
    }
    write(io, "s3://lake/t/metadata/m.json", randomBytes(11));
    write(io, "s3://lake/other/x", randomBytes(11));

    List<String> listed = new ArrayList<>();
    for (FileInfo f : io.listPrefix("s3://lake/t/data/")) {
      listed.add(f.location());
      assertThat(f.size()).isEqualTo(1);
      assertThat(f.createdAtMillis()).isPositive();
    }
    assertThat(listed).isEqualTo(written);

    io.deleteFiles(written.subList(0, 5));
    assertThat(io.listPrefix("s3://lake/t/data/")).hasSize(1200);
    io.deletePrefix("s3://lake/t/");
    assertThat(io.listPrefix("s3://lake/t/")).isEmpty();
    assertThat(io.listPrefix("s3://lake/other/")).hasSize(1);
    assertThat(io.listPrefix("s3://no-bucket/")).isEmpty();
  }

  @Test
  void rejectsNonS3Locations() {
    ObjectStoreFileIO io = io(true);
    assertThatThrownBy(() -> io.newInputFile("file:///etc/passwd"))
        .hasMessageContaining("the scheme must be s3");
    assertThatThrownBy(() -> io.newInputFile("s3:///key"))
        .hasMessageContaining("bucket is missing");
  }
}
