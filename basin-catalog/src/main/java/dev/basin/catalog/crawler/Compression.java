package dev.basin.catalog.crawler;

import com.github.luben.zstd.ZstdInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/** Compression codecs the classifiers recognize, by magic bytes first and by suffix second. */
public enum Compression {
  NONE("none"),
  GZIP("gzip"),
  ZSTD("zstd");

  private final String glueName;

  Compression(String glueName) {
    this.glueName = glueName;
  }

  /** Glue's {@code compressionType} table parameter. */
  public String glueName() {
    return glueName;
  }

  /**
   * Detects the codec from the magic bytes. The suffix is only consulted to explain a mismatch;
   * content wins, since objects are often misnamed ({@code .csv} holding gzip and the reverse).
   */
  static Compression detect(byte[] head) {
    if (head.length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
      return GZIP;
    }
    if (head.length >= 4
        && (head[0] & 0xff) == 0x28
        && (head[1] & 0xff) == 0xb5
        && (head[2] & 0xff) == 0x2f
        && (head[3] & 0xff) == 0xfd) {
      return ZSTD;
    }
    return NONE;
  }

  /** The codec the object name's suffix suggests. */
  static Compression fromSuffix(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    if (n.endsWith(".gz") || n.endsWith(".gzip")) {
      return GZIP;
    }
    if (n.endsWith(".zst") || n.endsWith(".zstd")) {
      return ZSTD;
    }
    return NONE;
  }

  /** The result of decompressing a head: the bytes and whether the stream ended early. */
  record Inflated(byte[] bytes, boolean cut, String problem) {}

  /**
   * Decompresses up to {@code limit} bytes. A stream that ends early (the head is only the start of
   * the object, or the object is truncated) yields the bytes read so far with {@code cut} set,
   * never an exception.
   */
  Inflated inflate(byte[] compressed, int limit) {
    if (this == NONE) {
      boolean cut = compressed.length > limit;
      byte[] bytes = cut ? java.util.Arrays.copyOf(compressed, limit) : compressed;
      return new Inflated(bytes, cut, null);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    try (InputStream in = open(new ByteArrayInputStream(compressed))) {
      int n;
      while ((n = in.read(buf)) > 0) {
        int room = limit - out.size();
        out.write(buf, 0, Math.min(n, room));
        if (n >= room) {
          return new Inflated(out.toByteArray(), true, null);
        }
      }
      return new Inflated(out.toByteArray(), false, null);
    } catch (IOException | RuntimeException e) {
      String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      return new Inflated(out.toByteArray(), true, glueName + " stream ended early: " + why);
    }
  }

  private InputStream open(InputStream in) throws IOException {
    return this == GZIP ? new GZIPInputStream(in) : new ZstdInputStream(in);
  }
}
