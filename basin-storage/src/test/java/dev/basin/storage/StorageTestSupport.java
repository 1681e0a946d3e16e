package dev.basin.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.basin.spi.storage.ByteRange;
import dev.basin.spi.storage.GetOptions;
import dev.basin.spi.storage.ObjectContent;
import dev.basin.spi.storage.ObjectInfo;
import dev.basin.spi.storage.ObjectMetadata;
import dev.basin.spi.storage.ObjectStore;
import dev.basin.spi.storage.PutOptions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;

final class StorageTestSupport {
  private StorageTestSupport() {}

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static byte[] random(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  static String md5Hex(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static ObjectInfo put(ObjectStore store, String bucket, String key, byte[] data) {
    return store.put(
        bucket, key, new ByteArrayInputStream(data), data.length, PutOptions.defaults());
  }

  static ObjectInfo put(
      ObjectStore store, String bucket, String key, byte[] data, Map<String, String> tags) {
    ObjectMetadata md = new ObjectMetadata(null, null, null, null, null, Map.of(), tags);
    return store.put(bucket, key, new ByteArrayInputStream(data), data.length, PutOptions.of(md));
  }

  static ObjectInfo put(
      ObjectStore store, String bucket, String key, byte[] data, String storageClass) {
    return store.put(
        bucket,
        key,
        new ByteArrayInputStream(data),
        data.length,
        new PutOptions(ObjectMetadata.empty(), null, false, storageClass));
  }

  static byte[] read(ObjectStore store, String bucket, String key, GetOptions options) {
    try (ObjectContent c = store.get(bucket, key, options);
        InputStream in = c.stream()) {
      byte[] data = in.readAllBytes();
      assertThat(data.length).isEqualTo(c.length());
      return data;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads assorted ranges (every HTTP form, edges, random spans) and compares them. */
  static void assertRangesMatch(ObjectStore store, String bucket, String key, byte[] payload) {
    int n = payload.length;
    List<ByteRange> ranges =
        List.of(
            ByteRange.of(0, 0),
            ByteRange.of(0, 99),
            ByteRange.of(n - 1, n - 1),
            ByteRange.of(n / 2, n / 2 + 70_000),
            ByteRange.of(1_000_000, 2_500_000),
            ByteRange.of(n - 10, n + 1000),
            ByteRange.from(n - 5000),
            ByteRange.from(123_457),
            ByteRange.suffix(1),
            ByteRange.suffix(65_537));
    Random random = new Random(99);
    for (ByteRange r : ranges) {
      check(store, bucket, key, payload, r);
    }
    for (int i = 0; i < 5; i++) {
      int a = random.nextInt(n);
      int b = a + random.nextInt(n - a);
      check(store, bucket, key, payload, ByteRange.of(a, b));
    }
  }

  private static void check(
      ObjectStore store, String bucket, String key, byte[] payload, ByteRange range) {
    ByteRange.Resolved r = range.resolve(payload.length);
    byte[] got = read(store, bucket, key, GetOptions.range(range));
    assertThat(got)
        .as("range %s", range)
        .isEqualTo(Arrays.copyOfRange(payload, (int) r.start(), (int) r.end() + 1));
  }

  static void awaitSize(List<?> list, int size) {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (list.size() < size && System.nanoTime() < deadline) {
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    assertThat(list).hasSizeGreaterThanOrEqualTo(size);
  }
}
