package dev.basin.delivery.transform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.basin.delivery.transform.RecordProcessing.Processed;
import dev.basin.delivery.transform.TransformOutput.Result;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class RecordProcessingTest {

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String s(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  private static List<Processed> run(List<ProcessorConfig> steps, String... records) {
    List<TransformInput> in = new ArrayList<>();
    for (int i = 0; i < records.length; i++) {
      in.add(new TransformInput("r" + i, 1_700_000_000_000L + i, b(records[i])));
    }
    try (RecordProcessing p = RecordProcessing.create(steps)) {
      return p.process(in);
    }
  }

  private static List<String> data(List<Processed> out) {
    return out.stream().map(p -> p.data() == null ? p.result().wireName() : s(p.data())).toList();
  }

  @Test
  void noStepsPassEveryRecordUnchanged() {
    assertThat(data(run(List.of(), "x", "{\"a\":1}"))).containsExactly("x", "{\"a\":1}");
  }

  @Test
  void addsTheArrivalTimestamp() {
    assertThat(data(run(List.of(new ProcessorConfig.AddArrivalTimestamp("at")), "{\"a\":1}")))
        .containsExactly("{\"a\":1,\"at\":1700000000000}");
  }

  @Test
  void dropsTopLevelAndNestedFields() {
    assertThat(
            data(
                run(
                    List.of(new ProcessorConfig.DropFields(List.of("a", "b.c", "missing.x"))),
                    "{\"a\":1,\"b\":{\"c\":2,\"d\":3},\"e\":4}")))
        .containsExactly("{\"b\":{\"d\":3},\"e\":4}");
  }

  @Test
  void renamesFields() {
    assertThat(
            data(
                run(
                    List.of(new ProcessorConfig.RenameFields(Map.of("a", "x", "b.c", "y"))),
                    "{\"a\":1,\"b\":{\"c\":2}}",
                    "{\"z\":0}")))
        .containsExactly("{\"b\":{\"y\":2},\"x\":1}", "{\"z\":0}");
  }

  @Test
  void filtersByEqualsNotEqualsAndExists() {
    String[] recs = {
      "{\"user\":\"ann\",\"n\":3}",
      "{\"user\":\"bob\",\"n\":3.0}",
      "{\"n\":null}",
      "{\"x\":{\"y\":1}}"
    };
    assertThat(data(run(List.of(new ProcessorConfig.Filter("user == \"ann\"")), recs)))
        .containsExactly(recs[0], "Dropped", "Dropped", "Dropped");
    assertThat(data(run(List.of(new ProcessorConfig.Filter(".user != \"ann\"")), recs)))
        .containsExactly("Dropped", recs[1], recs[2], recs[3]);
    assertThat(data(run(List.of(new ProcessorConfig.Filter("n == 3")), recs)))
        .containsExactly(recs[0], recs[1], "Dropped", "Dropped");
    assertThat(data(run(List.of(new ProcessorConfig.Filter("exists n")), recs)))
        .containsExactly(recs[0], recs[1], recs[2], "Dropped");
    assertThat(data(run(List.of(new ProcessorConfig.Filter("!exists x.y")), recs)))
        .containsExactly(recs[0], recs[1], recs[2], "Dropped");
  }

  @Test
  void badPredicatesAreRefusedWithTheSyntax() {
    assertThatThrownBy(() -> new ProcessorConfig.Filter("user > 3"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Filter.Predicate 'user > 3'")
        .hasMessageContaining("path == literal");
    assertThatThrownBy(() -> new ProcessorConfig.Filter("user == ann"))
        .hasMessageContaining("is not a JSON literal");
  }

  @Test
  void jsonStepsFailRecordsThatAreNotJsonObjects() {
    List<Processed> out = run(List.of(new ProcessorConfig.DropFields(List.of("a"))), "nope", "[1]");
    assertThat(out).extracting(Processed::result).containsOnly(Result.PROCESSING_FAILED);
    assertThat(out.get(0).errorMessage()).startsWith("not JSON");
    assertThat(out.get(1).errorMessage()).isEqualTo("not a JSON object");
  }

  @Test
  void decompressesGzipAndFailsOtherBytes() throws Exception {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(buf)) {
      z.write(b("{\"a\":1}"));
    }
    List<TransformInput> in =
        List.of(
            new TransformInput("r0", 0, buf.toByteArray()), new TransformInput("r1", 0, b("x")));
    try (RecordProcessing p =
        RecordProcessing.create(List.of(new ProcessorConfig.Decompress(null)))) {
      List<Processed> out = p.process(in);
      assertThat(s(out.get(0).data())).isEqualTo("{\"a\":1}");
      assertThat(out.get(1).result()).isEqualTo(Result.PROCESSING_FAILED);
      assertThat(out.get(1).errorMessage()).startsWith("not gzip");
    }
  }

  @Test
  void deaggregatesConcatenatedJsonThenTransformsEachSubRecord() {
    List<Processed> out =
        run(
            List.of(ProcessorConfig.Deaggregate.json(), new ProcessorConfig.Filter("exists keep")),
            "{\"keep\":1}{\"drop\":2} {\"keep\":3}\n",
            "{\"keep\":4}");
    assertThat(out).extracting(Processed::recordId).containsExactly("r0-0", "r0-1", "r0-2", "r1-0");
    assertThat(out).extracting(Processed::input).containsExactly(0, 0, 0, 1);
    assertThat(data(out))
        .containsExactly("{\"keep\":1}", "Dropped", "{\"keep\":3}", "{\"keep\":4}");
  }

  @Test
  void deaggregatesByDelimiterSkippingEmptyPieces() {
    assertThat(data(run(List.of(new ProcessorConfig.Deaggregate("####")), "a####b########c####")))
        .containsExactly("a", "b", "c");
  }

  @Test
  void deaggregationFailsBrokenJsonAndMoreThan500SubRecords() {
    List<Processed> out =
        run(
            List.of(ProcessorConfig.Deaggregate.json()),
            "{\"a\":1}{\"b\":",
            "{}".repeat(501),
            "{}".repeat(500),
            "");
    assertThat(out.get(0).result()).isEqualTo(Result.PROCESSING_FAILED);
    assertThat(out.get(0).errorMessage()).contains("not concatenated JSON at sub-record 2");
    assertThat(out.get(1).result()).isEqualTo(Result.PROCESSING_FAILED);
    assertThat(out.get(1).errorMessage()).contains("at most 500");
    assertThat(out.subList(2, 502)).extracting(Processed::result).containsOnly(Result.OK);
    assertThat(out.get(502).errorMessage()).contains("no sub-records");
  }

  @Test
  void decompressionAndDeaggregationMustComeFirst() {
    assertThatThrownBy(
            () ->
                new dev.basin.delivery.DeliveryStreamConfig(
                    "d",
                    new dev.basin.delivery.DeliveryStreamConfig.DirectPut(),
                    new dev.basin.delivery.DeliveryStreamConfig.RawObjects(
                        "b", "p/", null, null, null, null, null),
                    null,
                    List.of(
                        new ProcessorConfig.DropFields(List.of("a")),
                        ProcessorConfig.Deaggregate.json())))
        .hasMessageContaining("ProcessingConfiguration.Processors[1]")
        .hasMessageContaining("Deaggregate must come before every transform");
  }
}
