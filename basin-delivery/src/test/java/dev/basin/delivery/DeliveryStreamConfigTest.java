package dev.basin.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.basin.common.error.BasinException;
import dev.basin.delivery.DeliveryStreamConfig.Compression;
import dev.basin.delivery.DeliveryStreamConfig.DirectPut;
import dev.basin.delivery.DeliveryStreamConfig.IcebergTable;
import dev.basin.delivery.DeliveryStreamConfig.Partitioning;
import dev.basin.delivery.DeliveryStreamConfig.RawObjects;
import dev.basin.delivery.DeliveryStreamConfig.RecordFormat;
import dev.basin.delivery.DeliveryStreamConfig.StreamSource;
import dev.basin.delivery.transform.ProcessorConfig;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class DeliveryStreamConfigTest {
  private static final RawObjects RAW = new RawObjects("b", "data/", null, null, null, null, null);
  private static final IcebergTable TABLE =
      new IcebergTable("lake", "t", null, "errors", "failed/");

  private static void invalid(ThrowingCallable c, String field, String text) {
    assertThatThrownBy(c)
        .isInstanceOfSatisfying(
            BasinException.class,
            e -> assertThat(e.code()).isEqualTo(DeliveryErrorCode.INVALID_CONFIG))
        .hasMessageStartingWith(field + " ")
        .hasMessageContaining(text);
  }

  @Test
  void defaultsAreFilledIn() {
    DeliveryStreamConfig c = new DeliveryStreamConfig("d", new DirectPut(), RAW, null);
    assertThat(c.hints()).isEqualTo(BufferingHints.defaults());
    assertThat(c.processors()).isEmpty();
    assertThat(c.sourceStream()).isEqualTo("basin-delivery-d");
    RawObjects raw = (RawObjects) c.destination();
    assertThat(raw.format()).isEqualTo(RecordFormat.JSON_LINES);
    assertThat(raw.compression()).isEqualTo(Compression.NONE);
    assertThat(
            ((IcebergTable)
                    new DeliveryStreamConfig("d", new DirectPut(), TABLE, null).destination())
                .unknownFields())
        .isEqualTo(DeliveryStreamConfig.UnknownFieldPolicy.IGNORE);
  }

  @Test
  void theNameFollowsFirehose() {
    invalid(
        () -> new DeliveryStreamConfig("a b", new DirectPut(), RAW, null),
        "DeliveryStreamName",
        "was 'a b'");
    invalid(
        () -> new DeliveryStreamConfig(null, new DirectPut(), RAW, null),
        "DeliveryStreamName",
        "was null");
    invalid(
        () -> new DeliveryStreamConfig("x".repeat(65), new DirectPut(), RAW, null),
        "DeliveryStreamName",
        "1 to 64");
  }

  @Test
  void sourceAndDestinationAreRequired() {
    invalid(() -> new DeliveryStreamConfig("d", null, RAW, null), "Source", "is required");
    invalid(
        () -> new DeliveryStreamConfig("d", new DirectPut(), null, null),
        "Destination",
        "is required");
    invalid(() -> new StreamSource(" "), "Source.StreamName", "is required");
  }

  @Test
  void lowLatencyIsForTablesAndZeroBufferingNotWithPartitioning() {
    invalid(
        () -> new DeliveryStreamConfig("d", new DirectPut(), RAW, new BufferingHints(1, 1, true)),
        "BufferingHints.LowLatency",
        "only available for Iceberg");
    RawObjects partitioned =
        new RawObjects(
            "b",
            "k=!{partitionKeyFromQuery:k}/",
            "err/!{firehose:error-output-type}/",
            null,
            null,
            null,
            Partitioning.of("{k: .k}"));
    invalid(
        () ->
            new DeliveryStreamConfig(
                "d", new DirectPut(), partitioned, new BufferingHints(1, 0, false)),
        "BufferingHints.IntervalInSeconds",
        "zero buffering");
    assertThatThrownBy(() -> new BufferingHints(0, 1, false))
        .hasMessageContaining("BufferingHints.SizeInMBs must be between 1 and 128, was 0");
    assertThatThrownBy(() -> new BufferingHints(1, 901, false))
        .hasMessageContaining(
            "BufferingHints.IntervalInSeconds must be between 0 and 900, was 901");
  }

  @Test
  void rawObjectRules() {
    invalid(
        () -> new RawObjects(" ", "p/", null, null, null, null, null),
        "S3Destination.BucketName",
        "is required");
    invalid(
        () -> new RawObjects("b", "p/", null, RecordFormat.CSV, null, null, null),
        "S3Destination.CsvColumns",
        "at least one");
    invalid(
        () -> new RawObjects("b", "p/", null, null, List.of("a"), null, null),
        "S3Destination.CsvColumns",
        "only used with the CSV format");
    invalid(
        () -> new RawObjects("b", "p/", null, RecordFormat.CSV, List.of("a", " "), null, null),
        "S3Destination.CsvColumns",
        "blank column");
    invalid(
        () -> new RawObjects("b", "!{nope}/", null, null, null, null, null),
        "S3Destination.Prefix",
        "");
    invalid(
        () ->
            new RawObjects(
                "b",
                "k=!{partitionKeyFromQuery:k}/",
                null,
                null,
                null,
                null,
                Partitioning.of("{k: .k}")),
        "S3Destination.ErrorOutputPrefix",
        "is required when dynamic partitioning is on");
    invalid(
        () ->
            new RawObjects(
                "b",
                "k=!{partitionKeyFromQuery:other}/",
                "err/!{firehose:error-output-type}/",
                null,
                null,
                null,
                Partitioning.of("{k: .k}")),
        "S3Destination.Prefix",
        "does not produce 'other'");
    invalid(
        () -> new RawObjects("b", "p/", "err/!{timestamp:yyyy}/", null, null, null, null),
        "S3Destination.ErrorOutputPrefix",
        "");
    invalid(
        () ->
            new RawObjects(
                "b",
                "k=!{partitionKeyFromQuery:k}/",
                "err/!{firehose:error-output-type}/",
                null,
                null,
                null,
                new Partitioning(null, 10)),
        "DynamicPartitioning.Query",
        "is required unless");
  }

  @Test
  void partitioningRules() {
    invalid(() -> Partitioning.of("not a query ["), "DynamicPartitioning.Query", "");
    invalid(
        () -> new Partitioning(null, 0),
        "DynamicPartitioning.MaxActivePartitions",
        "between 1 and 5000, was 0");
    invalid(
        () -> new Partitioning(null, 5001), "DynamicPartitioning.MaxActivePartitions", "was 5001");
  }

  @Test
  void icebergTableRules() {
    invalid(
        () -> new IcebergTable(" ", "t", null, "e", null),
        "IcebergDestination.Database",
        "is required");
    invalid(
        () -> new IcebergTable("d", null, null, "e", null),
        "IcebergDestination.Table",
        "is required");
    invalid(
        () -> new IcebergTable("d", "t", null, null, null),
        "IcebergDestination.ErrorBucket",
        "is required");
    invalid(
        () -> new IcebergTable("d", "t", null, "e", "x/!{timestamp:yyyy}/"),
        "IcebergDestination.ErrorOutputPrefix",
        "");
  }

  @Test
  void processingRules() {
    invalid(
        () ->
            new DeliveryStreamConfig(
                "d",
                new DirectPut(),
                RAW,
                null,
                List.of(
                    new ProcessorConfig.Filter("exists a"),
                    new ProcessorConfig.Decompress("GZIP"))),
        "ProcessingConfiguration.Processors[1]",
        "Decompress must come before every transform");
    invalid(
        () ->
            new DeliveryStreamConfig(
                "d", new DirectPut(), RAW, null, java.util.Arrays.asList((ProcessorConfig) null)),
        "ProcessingConfiguration.Processors[0]",
        "is null");
    RawObjects lambda =
        new RawObjects(
            "b",
            "k=!{partitionKeyFromLambda:k}/",
            "err/!{firehose:error-output-type}/",
            null,
            null,
            null,
            new Partitioning(null, 10));
    invalid(
        () -> new DeliveryStreamConfig("d", new DirectPut(), lambda, null),
        "S3Destination.Prefix",
        "no Custom processor");
    assertThat(
            new DeliveryStreamConfig(
                    "d",
                    new DirectPut(),
                    lambda,
                    null,
                    List.of(new ProcessorConfig.Custom("/x.jar", null)))
                .processors())
        .hasSize(1);
    assertThatThrownBy(() -> new ProcessorConfig.Decompress("ZIP"))
        .hasMessageContaining("Decompress.Format must be GZIP, was 'ZIP'");
    assertThatThrownBy(() -> new ProcessorConfig.DropFields(List.of()))
        .hasMessageContaining("DropFields.Fields");
    assertThatThrownBy(() -> new ProcessorConfig.RenameFields(java.util.Map.of("a", "b.c")))
        .hasMessageContaining("RenameFields.Renames");
    assertThatThrownBy(() -> new ProcessorConfig.AddArrivalTimestamp(""))
        .hasMessageContaining("AddArrivalTimestamp.Field is required");
    assertThatThrownBy(() -> new ProcessorConfig.Custom(null, null))
        .hasMessageContaining("Custom.JarPath is required");
  }

  @Test
  void aMissingTransformJarFailsTheWorkerNamingTheField() {
    DeliveryStreamConfig c =
        new DeliveryStreamConfig(
            "d",
            new StreamSource("s"),
            RAW,
            null,
            List.of(new ProcessorConfig.Custom("/no/such.jar", null)));
    invalid(
        () -> DeliveryWorker.rawObjects(c, null, null, java.time.Clock.systemUTC()),
        "ProcessingConfiguration",
        "Custom.JarPath '/no/such.jar' is not a readable");
  }
}
