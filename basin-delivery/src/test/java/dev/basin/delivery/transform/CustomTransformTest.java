package dev.basin.delivery.transform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.basin.delivery.transform.RecordProcessing.Processed;
import dev.basin.delivery.transform.TransformOutput.Result;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** User transforms loaded with ServiceLoader from a jar that is not on the class path. */
class CustomTransformTest {
  @TempDir static Path dir;
  static Path jar;

  @BeforeAll
  static void buildJar() throws Exception {
    jar =
        TransformJars.build(
            dir,
            Map.of("Upper", TransformJars.UPPER, "Nulls", TransformJars.NULLS),
            List.of("example.transforms.Upper", "example.transforms.Nulls"));
  }

  private static List<Processed> run(ProcessorConfig.Custom custom, String... records) {
    List<TransformInput> in = new ArrayList<>();
    for (int i = 0; i < records.length; i++) {
      in.add(new TransformInput("r" + i, i, records[i].getBytes(StandardCharsets.UTF_8)));
    }
    try (RecordProcessing p = RecordProcessing.create(List.of(custom))) {
      return p.process(in);
    }
  }

  @Test
  void theUserTransformIsNotOnTheClassPath() {
    assertThatThrownBy(() -> Class.forName("example.transforms.Upper"))
        .isInstanceOf(ClassNotFoundException.class);
  }

  @Test
  void loadsTheNamedProviderAndTakesItsDataAndPartitionKeys() {
    List<Processed> out =
        run(
            new ProcessorConfig.Custom(jar.toString(), "example.transforms.Upper"),
            "{\"user\":\"ann\"}",
            "{\"user\":\"skip\"}");
    assertThat(out.get(0).result()).isEqualTo(Result.OK);
    assertThat(new String(out.get(0).data(), StandardCharsets.UTF_8))
        .isEqualTo("{\"user\":\"ANN\"}");
    assertThat(out.get(0).partitionKeys()).isEqualTo(Map.of("user", "ANN"));
    assertThat(out.get(1).result()).isEqualTo(Result.DROPPED);
  }

  @Test
  void contractViolationsAndExceptionsFailOnlyTheRecordsAtFault() {
    List<Processed> out =
        run(
            new ProcessorConfig.Custom(jar.toString(), "example.transforms.Upper"),
            "{\"user\":\"ok\"}",
            "{\"user\":\"fail\"}",
            "{\"user\":\"wrongid\"}",
            "{\"user\":\"missing\"}",
            "{\"user\":\"nodata\"}",
            "{\"user\":\"boom\"}");
    assertThat(out)
        .extracting(Processed::result)
        .containsExactly(
            Result.OK,
            Result.PROCESSING_FAILED,
            Result.PROCESSING_FAILED,
            Result.PROCESSING_FAILED,
            Result.PROCESSING_FAILED,
            Result.PROCESSING_FAILED);
    assertThat(out.get(1).errorMessage()).isEqualTo("refused by Upper");
    assertThat(out.get(2).errorMessage())
        .isEqualTo("example.transforms.Upper returned no output with recordId 'r2'");
    assertThat(out.get(3).errorMessage())
        .isEqualTo("example.transforms.Upper returned no output with recordId 'r3'");
    assertThat(out.get(4).errorMessage())
        .isEqualTo("example.transforms.Upper returned Ok without data");
    assertThat(out.get(5).errorMessage())
        .startsWith(
            "example.transforms.Upper threw java.lang.IllegalStateException: cannot handle");
  }

  @Test
  void aTransformReturningNullFailsEveryRecord() {
    List<Processed> out =
        run(new ProcessorConfig.Custom(jar.toString(), "example.transforms.Nulls"), "a", "b");
    assertThat(out).extracting(Processed::result).containsOnly(Result.PROCESSING_FAILED);
    assertThat(out.get(0).errorMessage()).contains("returned null");
  }

  @Test
  void anAmbiguousOrMissingProviderOrJarIsAConfigurationError() {
    assertThatThrownBy(
            () ->
                RecordProcessing.create(List.of(new ProcessorConfig.Custom(jar.toString(), null))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must provide exactly one")
        .hasMessageContaining("set Custom.ClassName");
    assertThatThrownBy(
            () ->
                RecordProcessing.create(
                    List.of(new ProcessorConfig.Custom(jar.toString(), "example.Other"))))
        .hasMessageContaining("Custom.ClassName 'example.Other' is not a");
    assertThatThrownBy(
            () ->
                RecordProcessing.create(
                    List.of(new ProcessorConfig.Custom(dir.resolve("none.jar").toString(), null))))
        .hasMessageContaining("is not a readable jar");
  }
}
