package dev.basin.storage;

import static dev.basin.storage.StorageTestSupport.md5Hex;
import static dev.basin.storage.StorageTestSupport.read;
import static org.assertj.core.api.Assertions.assertThat;

import dev.basin.spi.storage.GetOptions;
import dev.basin.spi.storage.ListPage;
import dev.basin.spi.storage.ListRequest;
import dev.basin.spi.storage.ObjectInfo;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a process that is putting objects (SIGKILL, no shutdown hooks) and checks that every put it
 * acknowledged is readable after reopening, with its bytes and ETag, and that no visible object has
 * bytes that were never written to it.
 */
class LocalObjectStoreKillTest {
  private static final int ACKS_BEFORE_KILL = 150;

  @TempDir Path dataDir;

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void everyAcknowledgedPutSurvivesAKill() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                CrashingPutter.class.getName(),
                dataDir.toString())
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    Map<String, String[]> acked = new LinkedHashMap<>();
    int acks = 0;
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while (acks < ACKS_BEFORE_KILL && (line = out.readLine()) != null) {
        if (!line.startsWith("ACK ")) {
          continue;
        }
        String[] f = line.split(" ");
        acked.put(f[1], new String[] {f[2], f[3]});
        acks++;
      }
      child.destroyForcibly();
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    } finally {
      child.destroyForcibly();
    }
    assertThat(acks).as("acknowledgements before the kill").isEqualTo(ACKS_BEFORE_KILL);

    try (LocalObjectStore store = LocalObjectStore.open(LocalObjectStoreConfig.defaults(dataDir))) {
      for (Map.Entry<String, String[]> e : acked.entrySet()) {
        String key = e.getKey();
        ObjectInfo head = store.head(CrashingPutter.BUCKET, key, null);
        byte[] data = read(store, CrashingPutter.BUCKET, key, GetOptions.current());
        assertThat(md5Hex(data)).as(key).isEqualTo(head.etag());
        if (!key.startsWith("shared/")) {
          // written once: exactly the acknowledged bytes
          assertThat(head.etag()).as(key).isEqualTo(e.getValue()[0]);
          assertThat(data).isEqualTo(CrashingPutter.payload(key, Long.parseLong(e.getValue()[1])));
        }
      }
      int visible = 0;
      String after = null;
      do {
        ListPage page = store.list(CrashingPutter.BUCKET, new ListRequest("", null, after, 1000));
        for (ObjectInfo info : page.objects()) {
          byte[] data = read(store, CrashingPutter.BUCKET, info.key(), GetOptions.current());
          assertThat(md5Hex(data)).as(info.key()).isEqualTo(info.etag());
          String[] header = CrashingPutter.header(data);
          assertThat(header).as(info.key()).isNotNull();
          assertThat(header[0]).isEqualTo(info.key());
          assertThat(data).isEqualTo(CrashingPutter.payload(header[0], Long.parseLong(header[1])));
          visible++;
        }
        after = page.nextStartAfter();
      } while (after != null);
      assertThat(visible).isGreaterThanOrEqualTo(acked.size());
      try (Stream<Path> tmp = Files.list(dataDir.resolve("lake").resolve(".tmp"))) {
        assertThat(tmp).isEmpty();
      }
    }
  }
}
