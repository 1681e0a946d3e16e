package dev.basin.server.firehose;

import dev.basin.common.error.BasinException;
import dev.basin.delivery.BufferingHints;
import dev.basin.delivery.DeliveryStreamConfig;
import dev.basin.delivery.DeliveryStreamConfig.Compression;
import dev.basin.delivery.DeliveryStreamConfig.Destination;
import dev.basin.delivery.DeliveryStreamConfig.Partitioning;
import dev.basin.delivery.DeliveryStreamConfig.Source;
import dev.basin.delivery.transform.ProcessorConfig;
import dev.basin.server.aws.AwsErrorException;
import dev.basin.server.aws.AwsInput;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Translates a Firehose {@code CreateDeliveryStream} request into a {@link DeliveryStreamConfig}.
 * Everything Basin does not do is refused with an {@code InvalidArgumentException} that says what
 * to use instead; nothing is silently ignored except IAM roles, encryption of the bucket,
 * CloudWatch logging options, Lambda tuning parameters and the AppendDelimiterToRecord processor,
 * which have no meaning for Basin (see {@link #processing}).
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
      List<ProcessorConfig> processors = new ArrayList<>();
      if (iceberg != null) {
        destination = icebergDestination(iceberg, processors);
        hints = hints(iceberg.object("BufferingHints"));
      } else {
        AwsInput s3 = extended != null ? extended : plainS3;
        destination = objectsDestination(s3, extended != null, processors);
        hints = hints(s3.object("BufferingHints"));
      }
      return new DeliveryStreamConfig(name, source, destination, hints, processors);
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

  private static Destination icebergDestination(AwsInput ice, List<ProcessorConfig> processors) {
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
    processors.addAll(processing(ice.object("ProcessingConfiguration"), false).processors());
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

  private static Destination objectsDestination(
      AwsInput s3, boolean extended, List<ProcessorConfig> processors) {
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
      Processing processing = processing(s3.object("ProcessingConfiguration"), true);
      processors.addAll(processing.processors());
      String query = processing.query();
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

  /** Basin's extension of the Lambda processor: the transform jar, {@code basin:jar:/path}. */
  static final String LAMBDA_JAR_PREFIX = "basin:jar:";

  /** Firehose's Lambda tuning parameters, which have no meaning for an in-process transform. */
  private static final List<String> LAMBDA_TUNING =
      List.of("NumberOfRetries", "RoleArn", "BufferSizeInMBs", "BufferIntervalInSeconds");

  /**
   * A ProcessingConfiguration, translated.
   *
   * @param query the MetadataExtractionQuery, or null
   * @param processors the record processors, in Firehose's order: decompression, de-aggregation,
   *     Lambda
   */
  record Processing(String query, List<ProcessorConfig> processors) {}

  /**
   * Translates a ProcessingConfiguration. {@code MetadataExtraction} gives the dynamic partitioning
   * query (only with {@code allowExtraction}); {@code Decompression} (GZIP) and {@code
   * RecordDeAggregation} (JSON or DELIMITED with a base64 delimiter) map to Basin's built-ins;
   * {@code AppendDelimiterToRecord} is accepted and ignored because Basin always writes one record
   * per line; {@code Lambda} is accepted only with Basin's extension {@code LambdaArn =
   * basin:jar:/path/to.jar} (a {@link dev.basin.delivery.transform.RecordTransform} loaded with
   * ServiceLoader). Everything else is refused.
   */
  static Processing processing(AwsInput processing, boolean allowExtraction) {
    if (processing == null || !Boolean.TRUE.equals(processing.bool("Enabled"))) {
      return new Processing(null, List.of());
    }
    String query = null;
    ProcessorConfig decompress = null;
    ProcessorConfig deaggregate = null;
    List<ProcessorConfig> lambdas = new ArrayList<>();
    for (AwsInput p : processing.objects("Processors")) {
      String type = p.requiredString("Type");
      Map<String, String> params = new LinkedHashMap<>();
      for (AwsInput param : p.objects("Parameters")) {
        params.put(param.requiredString("ParameterName"), param.requiredString("ParameterValue"));
      }
      switch (type) {
        case "MetadataExtraction":
          if (!allowExtraction) {
            throw invalid(
                "processor type MetadataExtraction (dynamic partitioning) is only available for"
                    + " ExtendedS3DestinationConfiguration");
          }
          for (Map.Entry<String, String> e : params.entrySet()) {
            switch (e.getKey()) {
              case "MetadataExtractionQuery":
                query = e.getValue();
                break;
              case "JsonParsingEngine":
                if (!e.getValue().equals("JQ-1.6")) {
                  throw invalid("JsonParsingEngine must be JQ-1.6, was '" + e.getValue() + "'");
                }
                break;
              default:
                throw unknownParameter(
                    type, e.getKey(), "MetadataExtractionQuery, JsonParsingEngine");
            }
          }
          break;
        case "AppendDelimiterToRecord":
          // JSON-lines objects already end every record with a newline; tables need none
          for (String name : params.keySet()) {
            if (!name.equals("Delimiter")) {
              throw unknownParameter(type, name, "Delimiter");
            }
          }
          break;
        case "Decompression":
          for (Map.Entry<String, String> e : params.entrySet()) {
            if (!e.getKey().equals("CompressionFormat")) {
              throw unknownParameter(type, e.getKey(), "CompressionFormat");
            }
            if (!e.getValue().equalsIgnoreCase("GZIP")) {
              throw invalid(
                  "Decompression CompressionFormat must be GZIP, was '" + e.getValue() + "'");
            }
          }
          decompress = new ProcessorConfig.Decompress("GZIP");
          break;
        case "RecordDeAggregation":
          deaggregate = deaggregation(params);
          break;
        case "Lambda":
          lambdas.add(lambda(params));
          break;
        default:
          throw invalid(
              "processor type "
                  + type
                  + " is not supported by Basin; use MetadataExtraction, RecordDeAggregation,"
                  + " Decompression, AppendDelimiterToRecord or Lambda with LambdaArn"
                  + " basin:jar:/path/to/transform.jar");
      }
    }
    List<ProcessorConfig> processors = new ArrayList<>();
    if (decompress != null) {
      processors.add(decompress);
    }
    if (deaggregate != null) {
      processors.add(deaggregate);
    }
    processors.addAll(lambdas);
    return new Processing(query, processors);
  }

  private static ProcessorConfig deaggregation(Map<String, String> params) {
    String type = "JSON";
    String delimiter = null;
    for (Map.Entry<String, String> e : params.entrySet()) {
      switch (e.getKey()) {
        case "SubRecordType":
          type = e.getValue();
          break;
        case "Delimiter":
          try {
            delimiter =
                new String(Base64.getDecoder().decode(e.getValue()), StandardCharsets.UTF_8);
          } catch (IllegalArgumentException ex) {
            throw invalid(
                "RecordDeAggregation Delimiter must be base64 (e.g. IyMjIw== for ####), was '"
                    + e.getValue()
                    + "'");
          }
          break;
        default:
          throw unknownParameter("RecordDeAggregation", e.getKey(), "SubRecordType, Delimiter");
      }
    }
    switch (type) {
      case "JSON":
        if (delimiter != null) {
          throw invalid("RecordDeAggregation Delimiter is only used with SubRecordType DELIMITED");
        }
        return ProcessorConfig.Deaggregate.json();
      case "DELIMITED":
        if (delimiter == null || delimiter.isEmpty()) {
          throw invalid(
              "RecordDeAggregation with SubRecordType DELIMITED needs a non-empty base64"
                  + " Delimiter, e.g. IyMjIw== for ####");
        }
        return new ProcessorConfig.Deaggregate(delimiter);
      default:
        throw invalid(
            "RecordDeAggregation SubRecordType must be JSON or DELIMITED, was '" + type + "'");
    }
  }

  private static ProcessorConfig lambda(Map<String, String> params) {
    String arn = null;
    for (Map.Entry<String, String> e : params.entrySet()) {
      if (e.getKey().equals("LambdaArn")) {
        arn = e.getValue();
      } else if (!LAMBDA_TUNING.contains(e.getKey())) {
        throw unknownParameter(
            "Lambda", e.getKey(), "LambdaArn, " + String.join(", ", LAMBDA_TUNING));
      }
    }
    if (arn == null
        || !arn.startsWith(LAMBDA_JAR_PREFIX)
        || arn.length() == LAMBDA_JAR_PREFIX.length()) {
      throw invalid(
          "Lambda LambdaArn "
              + (arn == null ? "is missing" : "'" + arn + "' is not supported")
              + ": Basin runs no AWS Lambda functions; give LambdaArn "
              + LAMBDA_JAR_PREFIX
              + "/path/to/transform.jar, a jar on the server providing a"
              + " dev.basin.delivery.transform.RecordTransform (META-INF/services)");
    }
    return new ProcessorConfig.Custom(arn.substring(LAMBDA_JAR_PREFIX.length()), null);
  }

  private static AwsErrorException unknownParameter(String type, String name, String known) {
    return invalid(
        "processor parameter " + name + " is not supported by " + type + "; use " + known);
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
