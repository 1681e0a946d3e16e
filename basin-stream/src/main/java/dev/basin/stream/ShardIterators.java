package dev.basin.stream;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encodes shard iterators as opaque, tamper-proof tokens: the position (stream, incarnation, shard,
 * offset) and the issue time, authenticated with HMAC-SHA256 under a server key. A changed byte
 * makes the token invalid; an old token is recognized as expired by its issue time.
 *
 * <p>Thread-safe.
 */
final class ShardIterators {
  private static final byte VERSION = 1;
  private static final int MAC_BYTES = 16;
  private final SecretKeySpec key;

  ShardIterators(byte[] key) {
    if (key.length < 16) {
      throw new IllegalArgumentException("iterator key must have at least 16 bytes");
    }
    this.key = new SecretKeySpec(key.clone(), "HmacSHA256");
  }

  /** A decoded iterator: where to read next and when the iterator was issued. */
  record Position(String stream, long incarnation, int shardIndex, long offset, long issuedAt) {}

  String encode(Position p) {
    byte[] name = p.stream().getBytes(StandardCharsets.UTF_8);
    ByteBuffer buf = ByteBuffer.allocate(1 + 8 + 4 + 8 + 8 + 1 + name.length + MAC_BYTES);
    buf.put(VERSION)
        .putLong(p.incarnation())
        .putInt(p.shardIndex())
        .putLong(p.offset())
        .putLong(p.issuedAt())
        .put((byte) name.length)
        .put(name);
    byte[] mac = mac(buf.array(), buf.position());
    buf.put(mac, 0, MAC_BYTES);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(buf.array());
  }

  /**
   * Decodes and authenticates an iterator.
   *
   * @return the position, or null if the token is malformed or was not issued with this key
   */
  Position decode(String token) {
    byte[] raw;
    try {
      raw = Base64.getUrlDecoder().decode(token);
    } catch (IllegalArgumentException e) {
      return null;
    }
    int fixed = 1 + 8 + 4 + 8 + 8 + 1;
    if (raw.length < fixed + 1 + MAC_BYTES || raw[0] != VERSION) {
      return null;
    }
    int nameLen = raw[fixed - 1] & 0xff;
    if (raw.length != fixed + nameLen + MAC_BYTES) {
      return null;
    }
    int body = fixed + nameLen;
    byte[] expected = Arrays.copyOf(mac(raw, body), MAC_BYTES);
    if (!MessageDigest.isEqual(expected, Arrays.copyOfRange(raw, body, raw.length))) {
      return null;
    }
    ByteBuffer buf = ByteBuffer.wrap(raw, 1, body - 1);
    long incarnation = buf.getLong();
    int shard = buf.getInt();
    long offset = buf.getLong();
    long issuedAt = buf.getLong();
    buf.get();
    String name = new String(raw, fixed, nameLen, StandardCharsets.UTF_8);
    return new Position(name, incarnation, shard, offset, issuedAt);
  }

  private byte[] mac(byte[] data, int len) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      mac.update(data, 0, len);
      return mac.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }
}
