package dev.basin.server.firehose;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.basin.common.json.Json;
import dev.basin.delivery.BufferingHints;
import dev.basin.delivery.DeliveryEngine;
import dev.basin.delivery.DeliveryMetrics;
import dev.basin.delivery.DeliveryStreamConfig;
import dev.basin.server.aws.AwsErrorException;
import dev.basin.server.aws.AwsInput;
import dev.basin.server.aws.WireFormat;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class FirehoseRequestsTest {
  private static final String STREAM = "arn:aws:kinesis:eu-west-1:000000000000:stream/events";

  private static DeliveryStreamConfig create(String json) throws Exception {
    return FirehoseRequests.createRequest(
        new AwsInput(Json.mapper().readTree(json), WireFormat.JSON));
  }

  private static String kinesisSource() {
    return "\"DeliveryStreamName\":\"d\",\"DeliveryStreamType\":\"KinesisStreamAsSource\","
        + "\"KinesisStreamSourceConfiguration\":{\"KinesisStreamARN\":\""
        + STREAM
        + "\",\"RoleARN\":\"arn:aws:iam::000000000000:role/r\"}";
  }

  private static AwsErrorException error(String json) {
    try {
      create(json);
    } catch (AwsErrorException e) {
      return e;
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("no error for " + json);
  }

  @Test
  void mapsAnIcebergDestinationFromAKinesisStream() throws Exception {
    DeliveryStreamConfig c =
        create(
            "{"
                + kinesisSource()
                + ",\"IcebergDestinationConfiguration\":{\"RoleARN\":\"r\","
                + "\"DestinationTableConfigurationList\":[{\"DestinationDatabaseName\":\"lake\","
                + "\"DestinationTableName\":\"events\"}],"
                + "\"BufferingHints\":{\"SizeInMBs\":1,\"IntervalInSeconds\":1},"
                + "\"CatalogConfiguration\":{\"CatalogARN\":\"arn:aws:glue:eu-west-1:0:catalog\"},"
                + "\"S3Configuration\":{\"RoleARN\":\"r\",\"BucketARN\":\"arn:aws:s3:::raw\","
                + "\"ErrorOutputPrefix\":\"errors/\"}}}");
    assertThat(c.name()).isEqualTo("d");
    assertThat(c.source()).isEqualTo(new DeliveryStreamConfig.StreamSource("events"));
    assertThat(c.destination())
        .isEqualTo(
            new DeliveryStreamConfig.IcebergTable(
                "lake",
                "events",
                DeliveryStreamConfig.UnknownFieldPolicy.IGNORE,
                "raw",
                "errors/"));
    assertThat(c.hints()).isEqualTo(new BufferingHints(1, 1, false));
  }

  @Test
  void mapsProcessorsInFirehosesOrder() throws Exception {
    DeliveryStreamConfig c =
        create(
            "{"
                + kinesisSource()
                + ",\"ExtendedS3DestinationConfiguration\":{\"BucketARN\":\"arn:aws:s3:::raw\","
                + "\"ProcessingConfiguration\":{\"Enabled\":true,\"Processors\":["
                + "{\"Type\":\"Lambda\",\"Parameters\":[{\"ParameterName\":\"LambdaArn\","
                + "\"ParameterValue\":\"basin:jar:/opt/t.jar\"}]},"
                + "{\"Type\":\"AppendDelimiterToRecord\"},"
                + "{\"Type\":\"RecordDeAggregation\",\"Parameters\":[{\"ParameterName\":"
                + "\"SubRecordType\",\"ParameterValue\":\"JSON\"}]},"
                + "{\"Type\":\"Decompression\",\"Parameters\":[{\"ParameterName\":"
                + "\"CompressionFormat\",\"ParameterValue\":\"GZIP\"}]}]}}}");
    assertThat(c.processors())
        .containsExactly(
            new dev.basin.delivery.transform.ProcessorConfig.Decompress("GZIP"),
            dev.basin.delivery.transform.ProcessorConfig.Deaggregate.json(),
            new dev.basin.delivery.transform.ProcessorConfig.Custom("/opt/t.jar", null));
  }

  @Test
  void mapsAnExtendedS3DestinationWithDynamicPartitioning() throws Exception {
    DeliveryStreamConfig c =
        create(
            "{"
                + kinesisSource()
                + ",\"ExtendedS3DestinationConfiguration\":{\"RoleARN\":\"r\","
                + "\"BucketARN\":\"arn:aws:s3:::raw\",\"Prefix\":\"c=!{partitionKeyFromQuery:c}/\","
                + "\"ErrorOutputPrefix\":\"err/!{firehose:error-output-type}/\","
                + "\"BufferingHints\":{\"SizeInMBs\":64,\"IntervalInSeconds\":60},"
                + "\"CompressionFormat\":\"GZIP\","
                + "\"DynamicPartitioningConfiguration\":{\"Enabled\":true},"
                + "\"ProcessingConfiguration\":{\"Enabled\":true,\"Processors\":[{\"Type\":"
                + "\"MetadataExtraction\",\"Parameters\":[{\"ParameterName\":"
                + "\"MetadataExtractionQuery\",\"ParameterValue\":\"{c: .customer}\"},"
                + "{\"ParameterName\":\"JsonParsingEngine\",\"ParameterValue\":\"JQ-1.6\"}]}]}}}");
    DeliveryStreamConfig.RawObjects r = (DeliveryStreamConfig.RawObjects) c.destination();
    assertThat(r.bucket()).isEqualTo("raw");
    assertThat(r.prefix()).isEqualTo("c=!{partitionKeyFromQuery:c}/");
    assertThat(r.compression()).isEqualTo(DeliveryStreamConfig.Compression.GZIP);
    assertThat(r.partitioning().query().keyNames()).containsExactly("c");
    assertThat(c.hints()).isEqualTo(new BufferingHints(64, 60, false));

    StringWriter w = new StringWriter();
    try (JsonGenerator g = Json.mapper().getFactory().createGenerator(w)) {
      FirehoseDescriptions.write(
          new DeliveryEngine.Description(
              c,
              DeliveryEngine.Status.ACTIVE,
              1_700_000_000_000L,
              null,
              new DeliveryMetrics().snapshot(0)),
          "arn:aws:firehose:eu-west-1:000000000000:deliverystream/d",
          "eu-west-1",
          "000000000000",
          g);
    }
    JsonNode d = Json.mapper().readTree(w.toString());
    assertThat(d.path("DeliveryStreamStatus").asText()).isEqualTo("ACTIVE");
    assertThat(d.path("DeliveryStreamType").asText()).isEqualTo("KinesisStreamAsSource");
    assertThat(d.at("/Source/KinesisStreamSourceDescription/KinesisStreamARN").asText())
        .isEqualTo(STREAM);
    assertThat(d.path("CreateTimestamp").decimalValue()).isEqualByComparingTo("1700000000.000");
    JsonNode s3 = d.at("/Destinations/0/ExtendedS3DestinationDescription");
    assertThat(s3.path("BucketARN").asText()).isEqualTo("arn:aws:s3:::raw");
    assertThat(s3.path("CompressionFormat").asText()).isEqualTo("GZIP");
    assertThat(s3.at("/BufferingHints/SizeInMBs").asInt()).isEqualTo(64);
    assertThat(s3.at("/DynamicPartitioningConfiguration/Enabled").asBoolean()).isTrue();
    assertThat(s3.at("/ProcessingConfiguration/Processors/0/Parameters/0/ParameterValue").asText())
        .isEqualTo("{c: .customer}");
  }

  @Test
  void refusesWhatBasinDoesNotDoWithInvalidArgumentException() {
    String s3 = ",\"ExtendedS3DestinationConfiguration\":{\"BucketARN\":\"arn:aws:s3:::raw\"";
    assertThat(error("{" + kinesisSource() + s3 + ",\"CompressionFormat\":\"ZIP\"}}"))
        .satisfies(e -> assertThat(e.code()).isEqualTo("InvalidArgumentException"))
        .hasMessageContaining("CompressionFormat 'ZIP' is not supported");
    assertThat(
            error(
                "{"
                    + kinesisSource()
                    + s3
                    + ",\"BufferingHints\":{\"SizeInMBs\":500,\"IntervalInSeconds\":60}}}"))
        .hasMessageContaining("SizeInMBs must be between 1 and 128, was 500");
    assertThat(error("{" + kinesisSource() + s3 + ",\"BufferingHints\":{\"SizeInMBs\":5}}}"))
        .hasMessageContaining("set both");
    assertThat(
            error(
                "{"
                    + kinesisSource()
                    + ",\"ExtendedS3DestinationConfiguration\":{\"BucketARN\":\"raw\"}}"))
        .hasMessageContaining("BucketARN 'raw' is not an S3 bucket ARN");
    assertThat(
            error(
                "{\"DeliveryStreamName\":\"d\",\"DeliveryStreamType\":\"KinesisStreamAsSource\","
                    + "\"KinesisStreamSourceConfiguration\":{\"KinesisStreamARN\":\"events\"}"
                    + s3
                    + "}}"))
        .hasMessageContaining("KinesisStreamARN 'events' is not a Kinesis stream ARN");
    assertThat(error("{" + kinesisSource() + "}"))
        .hasMessageContaining("give exactly one destination");
    assertThat(
            error(
                "{" + kinesisSource() + ",\"HttpEndpointDestinationConfiguration\":{}" + s3 + "}}"))
        .hasMessageContaining("HttpEndpointDestinationConfiguration is not supported");
    assertThat(
            error(
                "{"
                    + kinesisSource()
                    + s3
                    + ",\"DataFormatConversionConfiguration\":{\"Enabled\":true}}}"))
        .hasMessageContaining("DataFormatConversionConfiguration")
        .hasMessageContaining("not built yet");
    assertThat(
            error(
                "{"
                    + kinesisSource()
                    + s3
                    + ",\"ProcessingConfiguration\":{\"Enabled\":true,\"Processors\":"
                    + "[{\"Type\":\"Lambda\"}]}}}"))
        .hasMessageContaining("Lambda LambdaArn is missing")
        .hasMessageContaining("basin:jar:/path/to/transform.jar");
    assertThat(
            error(
                "{"
                    + kinesisSource()
                    + s3
                    + ",\"ProcessingConfiguration\":{\"Enabled\":true,\"Processors\":"
                    + "[{\"Type\":\"CloudWatchLogProcessing\"}]}}}"))
        .hasMessageContaining("processor type CloudWatchLogProcessing is not supported by Basin");
    assertThat(
            error(
                "{"
                    + kinesisSource()
                    + s3
                    + ",\"ProcessingConfiguration\":{\"Enabled\":true,\"Processors\":"
                    + "[{\"Type\":\"RecordDeAggregation\",\"Parameters\":[{\"ParameterName\":"
                    + "\"SubRecordType\",\"ParameterValue\":\"DELIMITED\"}]}]}}}"))
        .hasMessageContaining("DELIMITED needs a non-empty base64 Delimiter");
    assertThat(
            error(
                "{"
                    + kinesisSource()
                    + s3
                    + ",\"Prefix\":\"c=!{partitionKeyFromQuery:c}/\","
                    + "\"DynamicPartitioningConfiguration\":{\"Enabled\":true}}}"))
        .hasMessageContaining("needs a MetadataExtraction processor");
    assertThat(
            error(
                "{"
                    + kinesisSource()
                    + ",\"IcebergDestinationConfiguration\":{\"DestinationTableConfigurationList\":"
                    + "[],\"S3Configuration\":{\"BucketARN\":\"arn:aws:s3:::raw\"}}}"))
        .hasMessageContaining("must name exactly one table");
    assertThat(
            error(
                "{\"DeliveryStreamName\":\"d\",\"DeliveryStreamType\":\"MSKAsSource\"" + s3 + "}}"))
        .hasMessageContaining("DeliveryStreamType 'MSKAsSource' is not supported");
    assertThat(error("{\"DeliveryStreamName\":\"bad name!\"" + s3 + "}}"))
        .satisfies(e -> assertThat(e.code()).isEqualTo("InvalidArgumentException"))
        .hasMessageContaining("DeliveryStreamName");
  }
}
