package dev.basin.bench.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ArgsTest {

  @Test
  void readsValuesFlagsAndDefaults() {
    Args a =
        Args.parse(
            new String[] {"--quick", "--sizes", "100,1024", "--duration-s=2.5", "--rate", "1_000"},
            Set.of("quick"));
    assertThat(a.flag("quick")).isTrue();
    assertThat(a.integers("sizes", "1")).containsExactly(100, 1024);
    assertThat(a.decimal("duration-s", 10)).isEqualTo(2.5);
    assertThat(a.integer("rate", 0)).isEqualTo(1000);
    assertThat(a.strings("systems", "basin, kafka")).isEqualTo(List.of("basin", "kafka"));
    a.rejectUnknown();
  }

  @Test
  void rejectsUnknownOptionsAndBadValuesWithTheirNames() {
    Args a = Args.parse(new String[] {"--shards", "four", "--nope", "1"}, Set.of());
    assertThatThrownBy(() -> a.integer("shards", 1))
        .hasMessage("--shards must be an integer, got 'four'");
    assertThatThrownBy(a::rejectUnknown).hasMessage("unknown option --nope");
    assertThatThrownBy(() -> Args.parse(new String[] {"--out"}, Set.of()))
        .hasMessage("option --out needs a value");
    assertThatThrownBy(() -> Args.parse(new String[] {"out"}, Set.of()))
        .hasMessageContaining("'out'");
  }

  @Test
  void workloadChecksItsBounds() {
    assertThatThrownBy(() -> new Workload(8, 1, 1, 1, 500, 4000, 0))
        .hasMessageContaining("--record-size must be at least 16, got 8");
    assertThatThrownBy(() -> new Workload(100, 1, 1, 1, 501, 4000, 0))
        .hasMessageContaining("--batch-records must be in 1..500");
    assertThatThrownBy(() -> new Workload(100, 1, 1, 1, 500, 100, 0))
        .hasMessageContaining("--in-flight-records must be at least --batch-records (500)");
  }

  @Test
  void payloadCarriesItsSendTime() {
    Payload p = new Payload(100);
    byte[] b = p.make(-123_456_789L, 7);
    assertThat(b).hasSize(100);
    assertThat(Payload.sendNanos(b)).isEqualTo(-123_456_789L);
  }
}
