package dev.basin.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BufferingHintsTest {

  @Test
  void defaultsAndRangesAreFirehoses() {
    BufferingHints d = BufferingHints.defaults();
    assertThat(d.sizeMiB()).isEqualTo(5);
    assertThat(d.intervalSeconds()).isEqualTo(300);
    assertThat(BufferingHints.of(null, null)).isEqualTo(d);
    assertThat(BufferingHints.of(128, 0).sizeBytes()).isEqualTo(128L << 20);
    assertThatThrownBy(() -> BufferingHints.of(0, 60)).hasMessageContaining("between 1 and 128");
    assertThatThrownBy(() -> BufferingHints.of(129, 60)).hasMessageContaining("was 129");
    assertThatThrownBy(() -> BufferingHints.of(5, 901)).hasMessageContaining("between 0 and 900");
    assertThatThrownBy(() -> BufferingHints.of(5, null)).hasMessageContaining("or neither");
  }

  @Test
  void aBufferIsDueBySizeOrAge() {
    BufferingHints h = new BufferingHints(1, 60, false);
    assertThat(h.due(0, 1_000_000)).isFalse();
    assertThat(h.due(100, 59_999)).isFalse();
    assertThat(h.due(100, 60_000)).isTrue();
    assertThat(h.due(1 << 20, 0)).isTrue();
    BufferingHints fast = new BufferingHints(64, 300, true);
    assertThat(fast.due(10, 499)).isFalse();
    assertThat(fast.due(10, 500)).isTrue();
    assertThat(new BufferingHints(5, 0, false).due(1, 0)).isTrue();
  }
}
