package dev.basin.storage;

import static dev.basin.storage.StorageTestSupport.md5Hex;
import static dev.basin.storage.StorageTestSupport.put;
import static dev.basin.storage.StorageTestSupport.read;
import static org.assertj.core.api.Assertions.assertThat;

import dev.basin.spi.storage.ByteRange;
import dev.basin.spi.storage.GetOptions;
import dev.basin.spi.storage.ListRequest;
import dev.basin.spi.storage.ObjectContent;
import dev.basin.spi.storage.ObjectInfo;
import dev.basin.spi.storage.ObjectStoreException;
import dev.basin.spi.storage.PutOptions;
import java.io.InputStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Parallel writers and readers, and bodies far larger than any buffer. */
class LocalObjectStoreConcurrencyTest {
  private static final String B = "busy";

  @TempDir Path dataDir;
  private LocalObjectStore store;
  private ExecutorService pool;

  @BeforeEach
  void open() {
    store = LocalObjectStore.open(LocalObjectStoreConfig.defaults(dataDir), Clock.systemUTC());
    store.createBucket(B);
    pool = Executors.newFixedThreadPool(8);
  }

  @AfterEach
  void close() throws Exception {
    pool.shutdownNow();
    pool.awaitTermination(10, TimeUnit.SECONDS);
    store.close();
  }

  @Test
  @Timeout(60)
  void parallelPutsToDifferentKeysAllLand() throws Exception {
    List<Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      int thread = t;
      futures.add(
          pool.submit(
              () -> {
                for (int i = 0; i < 20; i++) {
                  String key = "t" + thread + "/" + i;
                  put(store, B, key, CrashingPutter.payload(key, i));
                }
              }));
    }
    for (Future<?> f : futures) {
      f.get();
    }
    assertThat(store.list(B, ListRequest.prefix("")).objects()).hasSize(160);
    for (int t = 0; t < 8; t++) {
      for (int i = 0; i < 20; i++) {
        String key = "t" + t + "/" + i;
        assertThat(read(store, B, key, GetOptions.current()))
            .isEqualTo(CrashingPutter.payload(key, i));
      }
    }
  }

  @Test
  @Timeout(60)
  void concurrentPutsToOneKeyNeverMixBytes() throws Exception {
    AtomicBoolean writing = new AtomicBoolean(true);
    List<Future<?>> writers = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      int thread = t;
      writers.add(
          pool.submit(
              () -> {
                for (int i = 0; i < 25; i++) {
                  put(store, B, "hot", CrashingPutter.payload("hot", thread * 1000L + i));
                }
              }));
    }
    Future<Integer> reader =
        pool.submit(
            () -> {
              int reads = 0;
              while (writing.get()) {
                try (ObjectContent c = store.get(B, "hot", GetOptions.current());
                    InputStream in = c.stream()) {
                  byte[] data = in.readAllBytes();
                  assertThat(md5Hex(data)).isEqualTo(c.info().etag());
                  String[] h = CrashingPutter.header(data);
                  assertThat(data).isEqualTo(CrashingPutter.payload(h[0], Long.parseLong(h[1])));
                  reads++;
                } catch (ObjectStoreException e) {
                  assertThat(e.reason()).isEqualTo(ObjectStoreException.Reason.NO_SUCH_KEY);
                }
              }
              return reads;
            });
    for (Future<?> f : writers) {
      f.get();
    }
    writing.set(false);
    assertThat(reader.get()).isPositive();
    ObjectInfo last = store.head(B, "hot", null);
    byte[] data = read(store, B, "hot", GetOptions.current());
    assertThat(md5Hex(data)).isEqualTo(last.etag());
    try (var files = java.nio.file.Files.walk(dataDir.resolve("lake").resolve(B))) {
      assertThat(files.filter(java.nio.file.Files::isRegularFile).count()).isEqualTo(1);
    }
  }

  /** Yields {@code size} pseudo-random bytes without holding them. */
  private static final class GeneratedStream extends InputStream {
    private long remaining;
    private long state = 0x9E3779B97F4A7C15L;

    GeneratedStream(long size) {
      this.remaining = size;
    }

    @Override
    public int read() {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (remaining == 0) {
        return -1;
      }
      int n = (int) Math.min(len, remaining);
      for (int i = 0; i < n; i++) {
        state ^= state << 13;
        state ^= state >>> 7;
        state ^= state << 17;
        b[off + i] = (byte) state;
      }
      remaining -= n;
      return n;
    }
  }

  private static String md5Of(InputStream in) throws Exception {
    MessageDigest md = MessageDigest.getInstance("MD5");
    byte[] buf = new byte[1 << 16];
    int n;
    while ((n = in.read(buf)) > 0) {
      md.update(buf, 0, n);
    }
    return HexFormat.of().formatHex(md.digest());
  }

  @Test
  @Timeout(60)
  void a64MiBObjectStreamsInAndOut() throws Exception {
    long size = 64L * 1024 * 1024;
    String expected = md5Of(new GeneratedStream(size));
    ObjectInfo info = store.put(B, "big", new GeneratedStream(size), size, PutOptions.defaults());
    assertThat(info.size()).isEqualTo(size);
    assertThat(info.etag()).isEqualTo(expected);
    try (ObjectContent c = store.get(B, "big", GetOptions.current())) {
      assertThat(md5Of(c.stream())).isEqualTo(expected);
    }
    try (ObjectContent c = store.get(B, "big", GetOptions.range(ByteRange.suffix(10)))) {
      assertThat(c.stream().readAllBytes()).hasSize(10);
    }
    ObjectInfo copy =
        store.copy(
            new dev.basin.spi.storage.CopyRequest(
                B, dev.basin.spi.storage.ObjectRef.of("big"), B, "big-copy", null, null));
    assertThat(copy.etag()).isEqualTo(expected);
    try (ObjectContent c = store.get(B, "big-copy", GetOptions.current())) {
      assertThat(md5Of(c.stream())).isEqualTo(expected);
    }
  }
}
