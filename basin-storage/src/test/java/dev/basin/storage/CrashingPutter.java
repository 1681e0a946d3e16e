package dev.basin.storage;

import dev.basin.spi.storage.ObjectInfo;
import dev.basin.spi.storage.PutOptions;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Child process of {@link LocalObjectStoreKillTest}: puts objects from several threads forever and
 * prints one {@code ACK <key> <etag> <generation>} line per acknowledged put, until it is killed.
 * Threads write their own keys once each and also overwrite a few shared keys.
 */
final class CrashingPutter {
  static final String BUCKET = "crash";

  private CrashingPutter() {}

  /**
   * A payload that names its key and generation in its first line, so any stored object can be
   * checked against what was written, sized from a few bytes to a few hundred KiB.
   */
  static byte[] payload(String key, long generation) {
    Random random = new Random(key.hashCode() * 31L + generation);
    int size = 32 + random.nextInt(random.nextInt(10) == 0 ? 600_000 : 40_000);
    byte[] header = (key + "|" + generation + "\n").getBytes(StandardCharsets.UTF_8);
    byte[] data = new byte[header.length + size];
    System.arraycopy(header, 0, data, 0, header.length);
    byte[] body = new byte[size];
    random.nextBytes(body);
    System.arraycopy(body, 0, data, header.length, size);
    return data;
  }

  /** The key and generation a payload names in its first line, or null if it has none. */
  static String[] header(byte[] data) {
    for (int i = 0; i < Math.min(data.length, 200); i++) {
      if (data[i] == '\n') {
        String line = new String(Arrays.copyOf(data, i), StandardCharsets.UTF_8);
        return line.split("\\|", 2);
      }
    }
    return null;
  }

  public static void main(String[] args) throws Exception {
    LocalObjectStore store =
        LocalObjectStore.open(LocalObjectStoreConfig.defaults(Path.of(args[0])));
    store.createBucket(BUCKET);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 3; t++) {
      int thread = t;
      Thread th =
          new Thread(
              () -> {
                for (long seq = 0; ; seq++) {
                  String key = seq % 4 == 3 ? "shared/" + (seq % 3) : "t" + thread + "/obj-" + seq;
                  long generation = thread * 1_000_000L + seq;
                  byte[] data = payload(key, generation);
                  ObjectInfo info =
                      store.put(
                          BUCKET,
                          key,
                          new ByteArrayInputStream(data),
                          data.length,
                          PutOptions.defaults());
                  synchronized (System.out) {
                    System.out.println("ACK " + key + " " + info.etag() + " " + generation);
                    System.out.flush();
                  }
                }
              });
      th.start();
      threads.add(th);
    }
    for (Thread th : threads) {
      th.join();
    }
  }
}
