package dev.basin.server.firehose;

import dev.basin.common.error.BasinException;
import dev.basin.delivery.BufferingHints;
import dev.basin.delivery.DeliveryStreamConfig;
import dev.basin.delivery.DeliveryStreamConfig.Compression;
import dev.basin.delivery.DeliveryStreamConfig.Destination;
import dev.basin.delivery.DeliveryStreamConfig.Partitioning;
import dev.basin.delivery.DeliveryStreamConfig.Source;
import dev.basin.server.aws.AwsErrorException;
import dev.basin.server.aws.AwsInput;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Translates a Firehose {@code CreateDeliveryStream} request into a {@link DeliveryStreamConfig}.
 * Everything Basin does not do is refused with an {@code InvalidArgumentException} that says what
 * to use instead; nothing is silently ignored except IAM roles, encryption of the bucket and
 * CloudWatch logging options, which have no meaning on one machine.
 */
final class FirehoseRequests {
  static final Pattern STREAM_ARN =
      Pattern.compile("arn:[^:]+:kinesis:[^:]*:[^:]*:stream/([a-zA-Z0-9_.-]{1,128})");
  static final Pattern BUCKET_ARN = Pattern.compile("arn:[^:]+:s3:::([^/:]{1,255})");

  private FirehoseRequests() {}

  /** The config a CreateDeliveryStream request asks for. */
  static DeliveryStreamConfig createRequest(AwsInput in) {
    String name = in.requiredString("DeliveryStreamName");
    String type = in.string("DeliveryStreamType");
    Source source = source(type == null ? "DirectPut" : type, in);
    AwsInput extended = in.object("ExtendedS3DestinationConfiguration");
    AwsInput plainS3 = in.object("S3DestinationConfiguration");
    AwsInput iceberg = in.object("IcebergDestinationConfiguration");
    int given = (extended != null ? 1 : 0) + (plainS3 != null ? 1 : 0) + (iceberg != null ? 1 : 0);
    for (String other :
        List.of(
            "RedshiftDestinationConfiguration",
            "ElasticsearchDestinationConfiguration",
            "AmazonopensearchserviceDestinationConfiguration",
            "AmazonOpenSearchServerlessDestinationConfiguration",
            "SplunkDestinationConfiguration",
            "HttpEndpointDestinationConfiguration",
            "SnowflakeDestinationConfiguration")) {
      if (in.has(other)) {
        throw invalid(
            other
                + " is not supported by Basin; deliver to ExtendedS3DestinationConfiguration (raw"
                + " objects in a bucket) or IcebergDestinationConfiguration (a catalog table)");
      }
    }
    if (given != 1) {
      throw invalid(
          "give exactly one destination: ExtendedS3DestinationConfiguration,"
              + " S3DestinationConfiguration or IcebergDestinationConfiguration");
    }
    try {
      Destination destination;
      BufferingHints hints;
      if (iceberg != null) {
        destination = icebergDestination(iceberg);
        hints = hints(iceberg.object("BufferingHints"));
      } else {
        AwsInput s3 = extended != null ? extended : plainS3;
        destination = objectsDestination(s3, extended != null);
        hints = hints(s3.object("BufferingHints"));
      }
      return new DeliveryStreamConfig(name, source, destination, hints);
    } catch (BasinException e) {
      throw invalid(e.getMessage());
    }
  }

  private static Source source(String type, AwsInput in) {
    switch (type) {
      case "DirectPut":
        return new DeliveryStreamConfig.DirectPut();
      case "KinesisStreamAsSource":
        AwsInput k = in.object("KinesisStreamSourceConfiguration");
        if (k == null) {
          throw invalid(
              "DeliveryStreamType KinesisStreamAsSource needs KinesisStreamSourceConfiguration"
                  + " with the KinesisStreamARN of the source stream");
        }
        String arn = k.requiredString("KinesisStreamARN");
        Matcher m = STREAM_ARN.matcher(arn);
        if (!m.matches()) {
          throw invalid(
              "KinesisStreamARN '"
                  + arn
                  + "' is not a Kinesis stream ARN; write"
                  + " arn:aws:kinesis:<region>:<account>:stream/<stream name>");
        }
        return new DeliveryStreamConfig.StreamSource(m.group(1));
      default:
        throw invalid(
            "DeliveryStreamType '"
                + type
                + "' is not supported by Basin; use KinesisStreamAsSource or DirectPut");
    }
  }

  private static Destination icebergDestination(AwsInput ice) {
    List<AwsInput> tables = ice.objects("DestinationTableConfigurationList");
    if (tables.size() != 1) {
      throw invalid(
          "IcebergDestinationConfiguration.DestinationTableConfigurationList must name exactly one"
              + " table ({DestinationDatabaseName, DestinationTableName}), it names "
              + tables.size()
              + "; create one delivery stream per table");
    }
    AwsInput t = tables.get(0);
    if (t.has("UniqueKeys") || t.has("PartitionSpec")) {
      throw invalid(
          "UniqueKeys and PartitionSpec of DestinationTableConfiguration are not supported by"
              + " Basin: it appends to the table with the table's own partition spec");
    }
    if (Boolean.FALSE.equals(ice.bool("AppendOnly"))) {
      throw invalid(
          "AppendOnly false (row updates and deletes) is not supported by Basin; omit it or set"
              + " it to true");
    }
    refuseProcessing(ice.object("ProcessingConfiguration"), false);
    AwsInput s3 = ice.object("S3Configuration");
    if (s3 == null) {
      throw ice.missing("S3Configuration");
    }
    String errorPrefix = t.string("S3ErrorOutputPrefix");
    if (errorPrefix == null) {
      errorPrefix = s3.string("ErrorOutputPrefix");
    }
    return new DeliveryStreamConfig.IcebergTable(
        t.requiredString("DestinationDatabaseName"),
        t.requiredString("DestinationTableName"),
        DeliveryStreamConfig.UnknownFieldPolicy.IGNORE,
        bucket(s3.requiredString("BucketARN")),
        errorPrefix);
  }

  private static Destination objectsDestination(AwsInput s3, boolean extended) {
    String bucket = bucket(s3.requiredString("BucketARN"));
    Compression compression = compression(s3.string("CompressionFormat"));
    Partitioning partitioning = null;
    if (extended) {
      AwsInput conversion = s3.object("DataFormatConversionConfiguration");
      if (conversion != null && !Boolean.FALSE.equals(conversion.bool("Enabled"))) {
        throw invalid(
            "DataFormatConversionConfiguration (JSON to Parquet/ORC objects) is not built yet;"
                + " deliver to an IcebergDestinationConfiguration to get Parquet files in a table");
      }
      if (s3.string("FileExtension") != null) {
        throw invalid(
            "FileExtension is not supported by Basin; objects end in the compression's extension");
      }
      String zone = s3.string("CustomTimeZone");
      if (zone != null && !zone.equals("UTC")) {
        throw invalid("CustomTimeZone '" + zone + "' is not supported by Basin; use UTC");
      }
      if (s3.has("S3BackupMode") && !"Disabled".equals(s3.string("S3BackupMode"))) {
        throw invalid("S3BackupMode Enabled (source record backup) is not supported by Basin");
      }
      String query = refuseProcessing(s3.object("ProcessingConfiguration"), true);
      AwsInput dynamic = s3.object("DynamicPartitioningConfiguration");
      boolean dynamicOn = dynamic != null && Boolean.TRUE.equals(dynamic.bool("Enabled"));
      if (dynamicOn && query == null) {
        throw invalid(
            "DynamicPartitioningConfiguration needs a MetadataExtraction processor with a"
                + " MetadataExtractionQuery in ProcessingConfiguration, e.g. {customer:"
                + " .customer_id}");
      }
      if (!dynamicOn && query != null) {
        throw invalid(
            "a MetadataExtraction processor needs DynamicPartitioningConfiguration.Enabled true");
      }
      if (query != null) {
        partitioning = Partitioning.of(query);
      }
    }
    return new DeliveryStreamConfig.RawObjects(
        bucket,
        s3.string("Prefix"),
        s3.string("ErrorOutputPrefix"),
        DeliveryStreamConfig.RecordFormat.JSON_LINES,
        null,
        compression,
        partitioning);
  }

  /**
   * Checks a ProcessingConfiguration: only MetadataExtraction (with {@code allowExtraction}) is
   * built.
   *
   * @return the MetadataExtractionQuery, or null
   */
  private static String refuseProcessing(AwsInput processing, boolean allowExtraction) {
    if (processing == null || !Boolean.TRUE.equals(processing.bool("Enabled"))) {
      return null;
    }
    String query = null;
    for (AwsInput p : processing.objects("Processors")) {
      String type = p.requiredString("Type");
      if (!type.equals("MetadataExtraction") || !allowExtraction) {
        throw invalid(
            "processor type "
                + type
                + " is not built yet"
                + (allowExtraction
                    ? "; only MetadataExtraction (dynamic partitioning keys) is"
                    : " for Iceberg destinations"));
      }
      for (AwsInput param : p.objects("Parameters")) {
        String pn = param.requiredString("ParameterName");
        String pv = param.requiredString("ParameterValue");
        switch (pn) {
          case "MetadataExtractionQuery":
            query = pv;
            break;
          case "JsonParsingEngine":
            if (!pv.equals("JQ-1.6")) {
              throw invalid("JsonParsingEngine must be JQ-1.6, was '" + pv + "'");
            }
            break;
          default:
            throw invalid(
                "processor parameter "
                    + pn
                    + " is not supported by MetadataExtraction; use MetadataExtractionQuery and"
                    + " JsonParsingEngine");
        }
      }
    }
    return query;
  }

  static String bucket(String arn) {
    Matcher m = BUCKET_ARN.matcher(arn);
    if (!m.matches()) {
      throw invalid("BucketARN '" + arn + "' is not an S3 bucket ARN; write arn:aws:s3:::<bucket>");
    }
    return m.group(1);
  }

  private static BufferingHints hints(AwsInput b) {
    if (b == null) {
      return BufferingHints.defaults();
    }
    try {
      return BufferingHints.of(b.integer("SizeInMBs"), b.integer("IntervalInSeconds"));
    } catch (IllegalArgumentException e) {
      throw invalid(e.getMessage());
    }
  }

  private static Compression compression(String format) {
    if (format == null) {
      return Compression.NONE;
    }
    switch (format) {
      case "UNCOMPRESSED":
        return Compression.NONE;
      case "GZIP":
        return Compression.GZIP;
      case "Snappy":
        return Compression.SNAPPY;
      case "ZSTD":
        return Compression.ZSTD;
      default:
        throw invalid(
            "CompressionFormat '"
                + format
                + "' is not supported by Basin; use UNCOMPRESSED, GZIP, Snappy (framed) or ZSTD");
    }
  }

  /** Firehose's name for a compression. */
  static String compressionName(Compression c) {
    switch (c) {
      case GZIP:
        return "GZIP";
      case SNAPPY:
        return "Snappy";
      case ZSTD:
        return "ZSTD";
      default:
        return "UNCOMPRESSED";
    }
  }

  static AwsErrorException invalid(String message) {
    return AwsErrorException.client("InvalidArgumentException", message);
  }
}
