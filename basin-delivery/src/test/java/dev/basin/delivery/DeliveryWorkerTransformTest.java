package dev.basin.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.basin.common.json.Json;
import dev.basin.delivery.transform.ProcessorConfig;
import dev.basin.delivery.transform.TransformJarsAccess;
import dev.basin.stream.StreamMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Record processing end to end: source stream → transforms → destination and error output. */
class DeliveryWorkerTransformTest {
  @TempDir Path dir;
  private DeliveryFixture f;

  @BeforeEach
  void open() {
    f = new DeliveryFixture(dir);
    f.streams.createStream("events", 2, StreamMode.PROVISIONED, null);
  }

  @AfterEach
  void close() {
    f.close();
  }

  private static List<JsonNode> lines(String body) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    for (String l : body.split("\n")) {
      if (!l.isBlank()) {
        out.add(Json.mapper().readTree(l));
      }
    }
    return out;
  }

  @Test
  void aUserTransformFromAJarPartitionsByLambdaKeysAndItsFailuresGoToTheErrorOutput()
      throws Exception {
    Path jar = TransformJarsAccess.upperJar(dir.resolve("jar"));
    DeliveryStreamConfig config =
        new DeliveryStreamConfig(
            "lambda",
            new DeliveryStreamConfig.StreamSource("events"),
            new DeliveryStreamConfig.RawObjects(
                "curated",
                "data/user=!{partitionKeyFromLambda:user}/",
                "err/!{firehose:error-output-type}/",
                DeliveryStreamConfig.RecordFormat.JSON_LINES,
                null,
                DeliveryStreamConfig.Compression.NONE,
                new DeliveryStreamConfig.Partitioning(null, 10)),
            new BufferingHints(1, 60, false),
            List.of(
                ProcessorConfig.Deaggregate.json(),
                new ProcessorConfig.Custom(jar.toString(), "example.transforms.Upper")));
    DeliveryWorker w = f.track(DeliveryWorker.rawObjects(config, f.streams, f.store, f.clock));
    f.put("events", "{\"user\":\"ann\",\"id\":1}{\"user\":\"bob\",\"id\":2}");
    f.put("events", "{\"user\":\"skip\",\"id\":3}");
    f.put("events", "{\"user\":\"boom\",\"id\":4}");
    f.put("events", "{\"user\":\"fail\",\"id\":5}");
    f.put("events", "{\"user\":\"ann\",\"id\":6}");

    assertThat(w.flushNow()).isEqualTo(5);

    Map<String, String> data = f.objects("curated", "data/");
    List<Long> annIds = new ArrayList<>();
    List<Long> bobIds = new ArrayList<>();
    for (Map.Entry<String, String> e : data.entrySet()) {
      for (JsonNode n : lines(e.getValue())) {
        if (e.getKey().startsWith("data/user=ANN/")) {
          assertThat(n.get("user").asText()).isEqualTo("ANN");
          annIds.add(n.get("id").asLong());
        } else {
          assertThat(e.getKey()).startsWith("data/user=BOB/");
          bobIds.add(n.get("id").asLong());
        }
      }
    }
    assertThat(annIds).containsExactlyInAnyOrder(1L, 6L);
    assertThat(bobIds).containsExactly(2L);

    Map<String, String> errors = f.objects("curated", "err/");
    assertThat(errors).hasSize(1);
    assertThat(errors.keySet().iterator().next()).startsWith("err/processing-failed/");
    List<JsonNode> failed = lines(errors.values().iterator().next());
    assertThat(failed).hasSize(2);
    assertThat(failed)
        .extracting(n -> n.get("errorCode").asText())
        .containsOnly("ProcessingFailed");
    assertThat(failed.get(0).get("errorMessage").asText())
        .contains("example.transforms.Upper threw java.lang.IllegalStateException");
    assertThat(failed.get(1).get("errorMessage").asText()).contains("refused by Upper");
    assertThat(
            new String(
                Base64.getDecoder().decode(failed.get(1).get("rawData").asText()),
                StandardCharsets.UTF_8))
        .isEqualTo("{\"user\":\"fail\",\"id\":5}");

    DeliveryMetrics.Snapshot m = w.metrics();
    assertThat(m.recordsDelivered()).isEqualTo(3);
    assertThat(m.recordsDropped()).isEqualTo(1);
    assertThat(m.failures(FailureKind.PROCESSING_FAILED)).isEqualTo(2);

    // dropped and failed records advanced the checkpoints: a restart delivers nothing again
    w.close();
    DeliveryWorker again = f.track(DeliveryWorker.rawObjects(config, f.streams, f.store, f.clock));
    assertThat(again.flushNow()).isZero();
    assertThat(f.objects("curated", "data/")).isEqualTo(data);
    assertThat(f.objects("curated", "err/")).isEqualTo(errors);
  }

  @Test
  void builtInProcessorsShapeRecordsBeforeConversionIntoTheTable() throws Exception {
    DeliveryStreamConfig config =
        new DeliveryStreamConfig(
            "shaped",
            new DeliveryStreamConfig.StreamSource("events"),
            new DeliveryStreamConfig.IcebergTable(
                "lake",
                "events",
                DeliveryStreamConfig.UnknownFieldPolicy.FAIL,
                "errors",
                "failed/!{firehose:error-output-type}/"),
            new BufferingHints(1, 60, false),
            List.of(
                new ProcessorConfig.Deaggregate("\n"),
                new ProcessorConfig.Filter("kind != \"heartbeat\""),
                new ProcessorConfig.RenameFields(Map.of("uid", "id")),
                new ProcessorConfig.DropFields(List.of("kind", "debug"))));
    DeliveryWorker w =
        f.track(DeliveryWorker.iceberg(config, f.streams, f.catalog, f.store, f.clock));
    f.put(
        "events", "{\"uid\":1,\"kind\":\"a\",\"debug\":{}}\n{\"kind\":\"heartbeat\"}\n{\"uid\":2}");
    f.put("events", "not json");
    f.put("events", "{\"uid\":3,\"user\":\"x\"}");

    w.flushNow();

    assertThat(f.ids()).containsExactly(1L, 2L, 3L);
    Map<String, String> errors = f.objects("errors", "failed/");
    assertThat(errors.keySet()).singleElement().asString().startsWith("failed/processing-failed/");
    JsonNode e = lines(errors.values().iterator().next()).get(0);
    assertThat(e.get("errorMessage").asText()).contains("not JSON");
    assertThat(w.metrics().recordsDropped()).isEqualTo(1);
    assertThat(w.metrics().recordsDelivered()).isEqualTo(3);
  }
}
