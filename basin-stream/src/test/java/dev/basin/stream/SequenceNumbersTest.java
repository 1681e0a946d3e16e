package dev.basin.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import org.junit.jupiter.api.Test;

class SequenceNumbersTest {
  @Test
  void roundTripsShardAndOffset() {
    for (int shard : new int[] {0, 1, 7, 12345}) {
      for (long offset : new long[] {0, 1, 999, Long.MAX_VALUE}) {
        SequenceNumbers.Position p = SequenceNumbers.parse(SequenceNumbers.of(shard, offset));
        assertThat(p).isEqualTo(new SequenceNumbers.Position(shard, offset));
      }
    }
    assertThat(SequenceNumbers.parse("12")).isNull();
    assertThat(SequenceNumbers.parse("abc")).isNull();
    assertThat(SequenceNumbers.parse("007")).isNull();
  }

  @Test
  void rangeMatchesOneByOneConversionAcrossDigitCarries() {
    BigInteger base = SequenceNumbers.base(3);
    long first = 9_999_990L;
    String[] range = SequenceNumbers.range(base, first, 40);
    for (int i = 0; i < range.length; i++) {
      assertThat(range[i]).isEqualTo(SequenceNumbers.of(3, first + i));
    }
    assertThat(SequenceNumbers.range(base, 0, 0)).isEmpty();
  }

  @Test
  void childShardsHaveLargerSequenceNumbersThanParents() {
    assertThat(new BigInteger(SequenceNumbers.of(1, 0)))
        .isGreaterThan(new BigInteger(SequenceNumbers.of(0, Long.MAX_VALUE)));
  }
}
