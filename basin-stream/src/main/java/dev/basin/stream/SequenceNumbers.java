package dev.basin.stream;

import java.math.BigInteger;

/**
 * Kinesis sequence numbers. A sequence number is the decimal form of {@code (shardIndex + 1) << 64
 * | offset}: strictly increasing along a shard, unique across the stream, larger in child shards
 * than in their parents, and decodable back to the shard and log offset without a lookup.
 */
public final class SequenceNumbers {
  private static final BigInteger LOW_MASK = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

  private SequenceNumbers() {}

  public static String of(int shardIndex, long offset) {
    return of(base(shardIndex), offset);
  }

  /** The sequence number base of a shard, for {@link #of(BigInteger, long)} in loops. */
  static BigInteger base(int shardIndex) {
    if (shardIndex < 0) {
      throw new IllegalArgumentException("negative shard index " + shardIndex);
    }
    return BigInteger.valueOf(shardIndex + 1L).shiftLeft(64);
  }

  /**
   * The sequence numbers of {@code count} consecutive offsets from {@code firstOffset}: one
   * BigInteger conversion, then decimal increments (a put's hot path).
   */
  static String[] range(BigInteger base, long firstOffset, int count) {
    String[] out = new String[count];
    if (count == 0) {
      return out;
    }
    char[] digits = of(base, firstOffset).toCharArray();
    out[0] = new String(digits);
    for (int i = 1; i < count; i++) {
      int p = digits.length - 1;
      while (p >= 0 && digits[p] == '9') {
        digits[p--] = '0';
      }
      if (p < 0) {
        char[] longer = new char[digits.length + 1];
        longer[0] = '1';
        System.arraycopy(digits, 0, longer, 1, digits.length);
        digits = longer;
      } else {
        digits[p]++;
      }
      out[i] = new String(digits);
    }
    return out;
  }

  static String of(BigInteger base, long offset) {
    if (offset < 0) {
      throw new IllegalArgumentException("negative offset " + offset);
    }
    return base.add(BigInteger.valueOf(offset)).toString();
  }

  /**
   * Decodes a sequence number.
   *
   * @return the shard index and offset, or null when the text is not a sequence number Basin issued
   */
  public static Position parse(String sequenceNumber) {
    if (sequenceNumber == null || !sequenceNumber.matches("0|[1-9]\\d{0,128}")) {
      return null;
    }
    BigInteger v = new BigInteger(sequenceNumber);
    BigInteger high = v.shiftRight(64);
    if (high.signum() == 0 || high.bitLength() > 31) {
      return null;
    }
    long offset = v.and(LOW_MASK).longValue();
    if (offset < 0) {
      return null;
    }
    return new Position(high.intValue() - 1, offset);
  }

  /** A decoded sequence number. */
  public record Position(int shardIndex, long offset) {}
}
