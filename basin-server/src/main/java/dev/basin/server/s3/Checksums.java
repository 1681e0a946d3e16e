package dev.basin.server.s3;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Locale;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;

/**
 * The additional checksums of S3's flexible-checksum feature ({@code x-amz-checksum-crc32}, {@code
 * -crc32c}, {@code -crc64nvme}, {@code -sha1}, {@code -sha256}): computed while a body streams,
 * compared as base64 of the big-endian digest.
 */
final class Checksums {
  private Checksums() {}

  /** A checksum algorithm and its header name. */
  enum Algorithm {
    CRC32,
    CRC32C,
    CRC64NVME,
    SHA1,
    SHA256;

    /** {@code x-amz-checksum-crc32} etc. */
    String header() {
      return "x-amz-checksum-" + name().toLowerCase(Locale.ROOT);
    }

    /** The algorithm of a header name ({@code x-amz-checksum-crc32}), or null. */
    static Algorithm ofHeader(String header) {
      String h = header.toLowerCase(Locale.ROOT);
      if (!h.startsWith("x-amz-checksum-")) {
        return null;
      }
      String name = h.substring("x-amz-checksum-".length()).toUpperCase(Locale.ROOT);
      for (Algorithm a : values()) {
        if (a.name().equals(name)) {
          return a;
        }
      }
      return null;
    }

    Digest newDigest() {
      return switch (this) {
        case CRC32 -> new CrcDigest(new CRC32());
        case CRC32C -> new CrcDigest(new CRC32C());
        case CRC64NVME -> new Crc64Nvme();
        case SHA1 -> new MdDigest("SHA-1");
        case SHA256 -> new MdDigest("SHA-256");
      };
    }
  }

  /** A running checksum. */
  interface Digest {
    void update(byte[] b, int off, int len);

    /** The value as S3 sends it: base64 of the big-endian bytes. */
    String base64();
  }

  private static final class CrcDigest implements Digest {
    private final java.util.zip.Checksum crc;

    CrcDigest(java.util.zip.Checksum crc) {
      this.crc = crc;
    }

    @Override
    public void update(byte[] b, int off, int len) {
      crc.update(b, off, len);
    }

    @Override
    public String base64() {
      return Base64.getEncoder()
          .encodeToString(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }
  }

  private static final class MdDigest implements Digest {
    private final MessageDigest md;

    MdDigest(String algorithm) {
      try {
        md = MessageDigest.getInstance(algorithm);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    public void update(byte[] b, int off, int len) {
      md.update(b, off, len);
    }

    @Override
    public String base64() {
      return Base64.getEncoder().encodeToString(md.digest());
    }
  }

  /** CRC-64/NVME: reflected polynomial 0x9a6c9329ac4bc9b5, initial and final XOR all ones. */
  static final class Crc64Nvme implements Digest {
    private static final long[] TABLE = new long[256];

    static {
      long poly = 0x9a6c9329ac4bc9b5L;
      for (int i = 0; i < 256; i++) {
        long c = i;
        for (int k = 0; k < 8; k++) {
          c = (c & 1) != 0 ? (c >>> 1) ^ poly : c >>> 1;
        }
        TABLE[i] = c;
      }
    }

    private long crc = -1L;

    @Override
    public void update(byte[] b, int off, int len) {
      long c = crc;
      for (int i = off; i < off + len; i++) {
        c = TABLE[(int) ((c ^ b[i]) & 0xff)] ^ (c >>> 8);
      }
      crc = c;
    }

    long value() {
      return ~crc;
    }

    @Override
    public String base64() {
      return Base64.getEncoder().encodeToString(ByteBuffer.allocate(8).putLong(value()).array());
    }
  }
}
