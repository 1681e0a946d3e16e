package dev.basin.stream;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An inclusive range of 128-bit hash keys owned by a shard. A record's hash key is the MD5 of its
 * partition key read as an unsigned 128-bit integer, or the explicit hash key the producer gave.
 */
public record HashKeyRange(BigInteger start, BigInteger end) {
  /** 2^128 - 1, the largest hash key. */
  public static final BigInteger MAX = BigInteger.ONE.shiftLeft(128).subtract(BigInteger.ONE);

  public HashKeyRange {
    Objects.requireNonNull(start, "start");
    Objects.requireNonNull(end, "end");
    if (start.signum() < 0 || end.compareTo(MAX) > 0 || start.compareTo(end) > 0) {
      throw new IllegalArgumentException("invalid hash key range [" + start + ", " + end + "]");
    }
  }

  /** Splits the whole key space into {@code n} contiguous ranges of (nearly) equal width. */
  public static List<HashKeyRange> uniform(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("shard count must be at least 1, was " + n);
    }
    List<HashKeyRange> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(new HashKeyRange(boundary(i, n), boundary(i + 1, n).subtract(BigInteger.ONE)));
    }
    return out;
  }

  /** The first hash key of the {@code i}-th of {@code n} uniform ranges. */
  static BigInteger boundary(int i, int n) {
    return BigInteger.ONE
        .shiftLeft(128)
        .multiply(BigInteger.valueOf(i))
        .divide(BigInteger.valueOf(n));
  }

  public boolean contains(BigInteger hashKey) {
    return start.compareTo(hashKey) <= 0 && end.compareTo(hashKey) >= 0;
  }

  /** True if {@code other} starts right after this range ends. */
  public boolean precedes(HashKeyRange other) {
    return end.add(BigInteger.ONE).equals(other.start);
  }

  /** The MD5 hash key of a partition key, as Kinesis computes it. */
  public static BigInteger hashOf(String partitionKey) {
    byte[] md5 = MD5.get().digest(partitionKey.getBytes(StandardCharsets.UTF_8));
    return new BigInteger(1, md5);
  }

  private static final ThreadLocal<MessageDigest> MD5 =
      ThreadLocal.withInitial(
          () -> {
            try {
              return MessageDigest.getInstance("MD5");
            } catch (NoSuchAlgorithmException e) {
              throw new IllegalStateException("MD5 unavailable", e);
            }
          });
}
