package dev.basin.server.firehose;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.basin.delivery.BufferingHints;
import dev.basin.delivery.DeliveryEngine;
import dev.basin.delivery.DeliveryStreamConfig;
import dev.basin.delivery.DeliveryStreamConfig.IcebergTable;
import dev.basin.delivery.DeliveryStreamConfig.RawObjects;
import dev.basin.delivery.DeliveryStreamConfig.StreamSource;
import dev.basin.delivery.transform.ProcessorConfig;
import dev.basin.server.aws.WireFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Writes a Firehose {@code DeliveryStreamDescription} for a delivery stream. */
final class FirehoseDescriptions {
  private FirehoseDescriptions() {}

  /** Firehose's DeliveryStreamType of a config. */
  static String type(DeliveryStreamConfig config) {
    return config.source() instanceof StreamSource ? "KinesisStreamAsSource" : "DirectPut";
  }

  static void write(
      DeliveryEngine.Description d, String arn, String region, String account, JsonGenerator out)
      throws IOException {
    DeliveryStreamConfig c = d.config();
    out.writeStartObject();
    out.writeStringField("DeliveryStreamName", c.name());
    out.writeStringField("DeliveryStreamARN", arn);
    out.writeStringField("DeliveryStreamStatus", d.status().name());
    if (d.failure() != null) {
      out.writeObjectFieldStart("FailureDescription");
      out.writeStringField("Type", "UNKNOWN_ERROR");
      out.writeStringField("Details", d.failure());
      out.writeEndObject();
    }
    out.writeObjectFieldStart("DeliveryStreamEncryptionConfiguration");
    out.writeStringField("Status", "DISABLED");
    out.writeEndObject();
    out.writeStringField("DeliveryStreamType", type(c));
    out.writeStringField("VersionId", "1");
    WireFormat.JSON.writeTimestamp(out, "CreateTimestamp", d.createdMillis());
    if (c.source() instanceof StreamSource s) {
      out.writeObjectFieldStart("Source");
      out.writeObjectFieldStart("KinesisStreamSourceDescription");
      out.writeStringField(
          "KinesisStreamARN",
          "arn:aws:kinesis:" + region + ":" + account + ":stream/" + s.streamName());
      WireFormat.JSON.writeTimestamp(out, "DeliveryStartTimestamp", d.createdMillis());
      out.writeEndObject();
      out.writeEndObject();
    }
    out.writeArrayFieldStart("Destinations");
    out.writeStartObject();
    out.writeStringField("DestinationId", "destinationId-000000000001");
    if (c.destination() instanceof IcebergTable t) {
      out.writeObjectFieldStart("IcebergDestinationDescription");
      out.writeArrayFieldStart("DestinationTableConfigurationList");
      out.writeStartObject();
      out.writeStringField("DestinationTableName", t.table());
      out.writeStringField("DestinationDatabaseName", t.database());
      if (t.errorPrefix() != null) {
        out.writeStringField("S3ErrorOutputPrefix", t.errorPrefix());
      }
      out.writeEndObject();
      out.writeEndArray();
      hints(c.hints(), out);
      out.writeStringField("S3BackupMode", "FailedDataOnly");
      out.writeBooleanField("AppendOnly", true);
      processing(c, null, out);
      out.writeObjectFieldStart("S3DestinationDescription");
      out.writeStringField("BucketARN", "arn:aws:s3:::" + t.errorBucket());
      if (t.errorPrefix() != null) {
        out.writeStringField("ErrorOutputPrefix", t.errorPrefix());
      }
      hints(c.hints(), out);
      out.writeStringField("CompressionFormat", "UNCOMPRESSED");
      noEncryption(out);
      out.writeEndObject();
      out.writeEndObject();
    } else {
      RawObjects r = (RawObjects) c.destination();
      out.writeObjectFieldStart("ExtendedS3DestinationDescription");
      out.writeStringField("BucketARN", "arn:aws:s3:::" + r.bucket());
      if (r.prefix() != null) {
        out.writeStringField("Prefix", r.prefix());
      }
      if (r.errorPrefix() != null) {
        out.writeStringField("ErrorOutputPrefix", r.errorPrefix());
      }
      hints(c.hints(), out);
      out.writeStringField("CompressionFormat", FirehoseRequests.compressionName(r.compression()));
      noEncryption(out);
      out.writeStringField("S3BackupMode", "Disabled");
      out.writeObjectFieldStart("DynamicPartitioningConfiguration");
      out.writeBooleanField("Enabled", r.partitioning() != null);
      out.writeEndObject();
      processing(c, r.partitioning() != null ? r.partitioning().query().toString() : null, out);
      out.writeEndObject();
    }
    out.writeEndObject();
    out.writeEndArray();
    out.writeBooleanField("HasMoreDestinations", false);
    out.writeEndObject();
  }

  /**
   * The ProcessingConfiguration: Firehose's processors for Basin's Decompress, Deaggregate and
   * Custom ({@code Lambda} with {@code basin:jar:}) steps, and MetadataExtraction for {@code
   * query}. Basin's JSON built-ins (filter, drop/rename fields, arrival timestamp), which only the
   * native API configures, have no Firehose form and are left out; the native API shows them.
   */
  private static void processing(DeliveryStreamConfig c, String query, JsonGenerator out)
      throws IOException {
    out.writeObjectFieldStart("ProcessingConfiguration");
    out.writeBooleanField("Enabled", query != null || !c.processors().isEmpty());
    out.writeArrayFieldStart("Processors");
    for (ProcessorConfig p : c.processors()) {
      if (p instanceof ProcessorConfig.Decompress) {
        processor(out, "Decompression", "CompressionFormat", "GZIP");
      } else if (p instanceof ProcessorConfig.Deaggregate d) {
        if (d.delimiter() == null) {
          processor(out, "RecordDeAggregation", "SubRecordType", "JSON");
        } else {
          processor(
              out,
              "RecordDeAggregation",
              "SubRecordType",
              "DELIMITED",
              "Delimiter",
              Base64.getEncoder().encodeToString(d.delimiter().getBytes(StandardCharsets.UTF_8)));
        }
      } else if (p instanceof ProcessorConfig.Custom custom) {
        processor(
            out, "Lambda", "LambdaArn", FirehoseRequests.LAMBDA_JAR_PREFIX + custom.jarPath());
      }
    }
    if (query != null) {
      processor(
          out,
          "MetadataExtraction",
          "MetadataExtractionQuery",
          query,
          "JsonParsingEngine",
          "JQ-1.6");
    }
    out.writeEndArray();
    out.writeEndObject();
  }

  private static void processor(JsonGenerator out, String type, String... params)
      throws IOException {
    out.writeStartObject();
    out.writeStringField("Type", type);
    out.writeArrayFieldStart("Parameters");
    for (int i = 0; i < params.length; i += 2) {
      parameter(out, params[i], params[i + 1]);
    }
    out.writeEndArray();
    out.writeEndObject();
  }

  private static void parameter(JsonGenerator out, String name, String value) throws IOException {
    out.writeStartObject();
    out.writeStringField("ParameterName", name);
    out.writeStringField("ParameterValue", value);
    out.writeEndObject();
  }

  private static void hints(BufferingHints h, JsonGenerator out) throws IOException {
    out.writeObjectFieldStart("BufferingHints");
    out.writeNumberField("SizeInMBs", h.sizeMiB());
    out.writeNumberField("IntervalInSeconds", h.intervalSeconds());
    out.writeEndObject();
  }

  private static void noEncryption(JsonGenerator out) throws IOException {
    out.writeObjectFieldStart("EncryptionConfiguration");
    out.writeStringField("NoEncryptionConfig", "NoEncryption");
    out.writeEndObject();
  }
}
