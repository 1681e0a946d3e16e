package dev.basin.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.basin.common.error.BasinException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectPutSourceTest {
  @TempDir Path dir;
  private DeliveryFixture f;

  @BeforeEach
  void open() {
    f = new DeliveryFixture(dir);
  }

  @AfterEach
  void close() {
    f.close();
  }

  private DeliveryStreamConfig config() {
    return new DeliveryStreamConfig(
        "direct",
        new DeliveryStreamConfig.DirectPut(),
        new DeliveryStreamConfig.IcebergTable(
            "lake", "events", DeliveryStreamConfig.UnknownFieldPolicy.IGNORE, "errors", "failed/"),
        new BufferingHints(1, 60, false));
  }

  private static List<byte[]> records(long from, long to) {
    List<byte[]> out = new ArrayList<>();
    for (long i = from; i < to; i++) {
      out.add(("{\"id\":" + i + "}").getBytes(StandardCharsets.UTF_8));
    }
    return out;
  }

  @Test
  void putRecordsAreDeliveredExactlyOnceAcrossRestarts() throws Exception {
    DirectPutSource source = new DirectPutSource(config(), f.streams);
    List<DirectPutSource.PutResult> results = source.put(records(0, 300));
    assertThat(results).hasSize(300).allMatch(DirectPutSource.PutResult::succeeded);
    assertThat(f.streams.describe("basin-delivery-direct").shards()).isNotEmpty();
    assertThat(source.put("{\"id\":300}".getBytes(StandardCharsets.UTF_8)).recordId()).isNotNull();

    DeliveryWorker w =
        f.track(DeliveryWorker.iceberg(config(), f.streams, f.catalog, f.store, f.clock));
    w.flushNow();
    assertThat(f.ids()).isEqualTo(LongStream.range(0, 301).boxed().toList());

    source.put(records(301, 400));
    w.close();
    DeliveryWorker again =
        f.track(DeliveryWorker.iceberg(config(), f.streams, f.catalog, f.store, f.clock));
    again.flushNow();
    again.flushNow();
    assertThat(f.ids()).isEqualTo(LongStream.range(0, 400).boxed().toList());
  }

  @Test
  void aSecondSourceOfTheSameDeliveryUsesTheExistingStream() {
    new DirectPutSource(config(), f.streams).put(records(0, 1));
    assertThat(new DirectPutSource(config(), f.streams).put(records(1, 2)))
        .allMatch(DirectPutSource.PutResult::succeeded);
  }

  @Test
  void firehoseLimitsRefuseTheWholeBatchAndStoreNothing() {
    DirectPutSource source = new DirectPutSource(config(), f.streams);
    assertThatThrownBy(() -> source.put(records(0, 501)))
        .isInstanceOf(BasinException.class)
        .hasMessageContaining("1 to 500 records, had 501");
    assertThatThrownBy(() -> source.put(List.of())).hasMessageContaining("1 to 500 records, had 0");
    assertThatThrownBy(() -> source.put(List.of(new byte[10], new byte[1000 * 1024 + 1])))
        .hasMessageContaining("Records.2.Data has 1024001 bytes")
        .hasMessageContaining("1,000 KiB");
    List<byte[]> big = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      big.add(new byte[1000 * 1024]);
    }
    assertThatThrownBy(() -> source.put(big)).hasMessageContaining("at most 4194304 (4 MiB)");
    assertThat(
            ((BasinException) org.assertj.core.api.Assertions.catchThrowable(() -> source.put(big)))
                .code())
        .isEqualTo(DeliveryErrorCode.INVALID_REQUEST);
    // nothing was stored: the internal stream was not even created
    assertThat(f.streams.listStreams()).doesNotContain("basin-delivery-direct");
  }

  @Test
  void onlyDirectPutDeliveriesAcceptRecords() {
    DeliveryStreamConfig fromStream =
        new DeliveryStreamConfig(
            "s", new DeliveryStreamConfig.StreamSource("events"), config().destination(), null);
    assertThatThrownBy(() -> new DirectPutSource(fromStream, f.streams))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("only a DirectPut delivery accepts put records");
  }
}
