package dev.basin.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.basin.delivery.DeliveryStreamConfig.Compression;
import dev.basin.delivery.DeliveryStreamConfig.RecordFormat;
import dev.basin.stream.StreamMode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** CSV output and every compression, read back with the codecs' own decoders. */
class RawObjectFormatsTest {
  @TempDir Path dir;
  private DeliveryFixture f;

  @BeforeEach
  void open() {
    f = new DeliveryFixture(dir);
    f.streams.createStream("events", 1, StreamMode.PROVISIONED, null);
  }

  @AfterEach
  void close() {
    f.close();
  }

  private DeliveryWorker worker(
      RecordFormat format, List<String> columns, Compression compression) {
    return f.track(
        DeliveryWorker.rawObjects(
            new DeliveryStreamConfig(
                "raw",
                new DeliveryStreamConfig.StreamSource("events"),
                new DeliveryStreamConfig.RawObjects(
                    "curated", "out/", "err/", format, columns, compression, null),
                new BufferingHints(1, 60, false)),
            f.streams,
            f.store,
            f.clock));
  }

  @Test
  void csvHasAHeaderQuotesWhatNeedsItAndFailsNonObjects() throws Exception {
    DeliveryWorker w = worker(RecordFormat.CSV, List.of("id", "name", "tags"), Compression.NONE);
    f.put("events", "{\"id\":1,\"name\":\"plain\",\"tags\":[1,2]}");
    f.put("events", "{\"id\":2,\"name\":\"has, comma and \\\"quotes\\\"\"}");
    f.put("events", "{\"id\":3,\"name\":null,\"extra\":true}");
    f.put("events", "[1,2]");
    w.flushNow();

    Map<String, String> out = f.objects("curated", "out/");
    assertThat(out).hasSize(1);
    assertThat(out.keySet().iterator().next()).endsWith(".csv");
    assertThat(out.values().iterator().next().split("\r?\n"))
        .containsExactly(
            "id,name,tags", "1,plain,\"[1,2]\"", "2,\"has, comma and \"\"quotes\"\"\",", "3,,");
    assertThat(w.metrics().failures(FailureKind.FORMAT_CONVERSION_FAILED)).isEqualTo(1);
    assertThat(f.objects("curated", "err/").values().iterator().next())
        .contains("CSV needs a JSON object");
  }

  @ParameterizedTest
  @EnumSource(Compression.class)
  void everyCompressionRoundTrips(Compression compression) throws Exception {
    DeliveryWorker w = worker(RecordFormat.JSON_LINES, null, compression);
    StringBuilder expected = new StringBuilder();
    for (int i = 0; i < 200; i++) {
      String json = "{\"id\":" + i + ",\"text\":\"" + "x".repeat(i % 50) + "\"}";
      f.put("events", json);
      expected.append(json).append('\n');
    }
    w.flushNow();

    Map<String, String> out = f.objects("curated", "out/");
    assertThat(out).hasSize(1);
    String key = out.keySet().iterator().next();
    assertThat(key).endsWith(".jsonl" + compression.extension());
    assertThat(out.get(key)).isEqualTo(expected.toString());
  }
}
