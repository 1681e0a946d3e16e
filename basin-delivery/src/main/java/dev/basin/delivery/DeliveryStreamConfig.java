package dev.basin.delivery;

import dev.basin.common.error.BasinException;
import dev.basin.delivery.partition.JsonQuery;
import dev.basin.delivery.prefix.S3Prefix;
import dev.basin.delivery.transform.ProcessorConfig;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A delivery stream: where records come from, where they go, and how long they are buffered.
 * Validated when constructed; every error names the field at fault.
 *
 * @param name 1–64 characters of letters, digits, {@code _ . -}, as Firehose's DeliveryStreamName
 * @param source a Basin stream or direct put
 * @param destination raw objects or an Iceberg table
 * @param hints when to flush
 * @param processors record processing (Firehose's ProcessingConfiguration), applied per record in
 *     order before partitioning and conversion; {@link ProcessorConfig.Decompress} and {@link
 *     ProcessorConfig.Deaggregate} must precede the other steps. Empty for none.
 */
public record DeliveryStreamConfig(
    String name,
    Source source,
    Destination destination,
    BufferingHints hints,
    List<ProcessorConfig> processors) {

  private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9_.-]{1,64}");

  /** Prefix of the internal stream that makes direct-put records durable before they are acked. */
  public static final String DIRECT_PUT_STREAM_PREFIX = "basin-delivery-";

  /** A delivery without record processing. */
  public DeliveryStreamConfig(
      String name, Source source, Destination destination, BufferingHints hints) {
    this(name, source, destination, hints, List.of());
  }

  public DeliveryStreamConfig {
    if (name == null || !NAME.matcher(name).matches()) {
      throw invalid(
          "DeliveryStreamName",
          "must be 1 to 64 letters, digits, '_', '.' or '-', was " + quote(name));
    }
    if (source == null) {
      throw invalid("Source", "is required: a stream name or direct put");
    }
    if (destination == null) {
      throw invalid("Destination", "is required: raw objects or an Iceberg table");
    }
    hints = hints == null ? BufferingHints.defaults() : hints;
    if (hints.lowLatency() && !(destination instanceof IcebergTable)) {
      throw invalid(
          "BufferingHints.LowLatency", "is only available for Iceberg table destinations");
    }
    if (destination instanceof RawObjects raw
        && raw.partitioning() != null
        && hints.intervalSeconds() == 0) {
      throw invalid(
          "BufferingHints.IntervalInSeconds",
          "zero buffering is not available with dynamic partitioning (as in Firehose); use at"
              + " least 1");
    }
    processors = processors == null ? List.of() : processors;
    for (int i = 0; i < processors.size(); i++) {
      if (processors.get(i) == null) {
        throw invalid("ProcessingConfiguration.Processors[" + i + "]", "is null");
      }
    }
    processors = List.copyOf(processors);
    boolean transformed = false;
    for (int i = 0; i < processors.size(); i++) {
      ProcessorConfig p = processors.get(i);
      boolean early =
          p instanceof ProcessorConfig.Decompress || p instanceof ProcessorConfig.Deaggregate;
      if (early && transformed) {
        throw invalid(
            "ProcessingConfiguration.Processors[" + i + "]",
            p.getClass().getSimpleName()
                + " must come before every transform (de-aggregation, then transforms, then"
                + " partition keys)");
      }
      transformed |= !early;
    }
    if (destination instanceof RawObjects raw
        && !raw.dataPrefix().lambdaKeys().isEmpty()
        && processors.stream().noneMatch(p -> p instanceof ProcessorConfig.Custom)) {
      throw invalid(
          "S3Destination.Prefix",
          "uses !{partitionKeyFromLambda:…} but no Custom processor (a transform) produces"
              + " partition keys; add one or use !{partitionKeyFromQuery:…}");
    }
  }

  /** The stream the delivery reads: the source stream, or the internal one behind direct put. */
  public String sourceStream() {
    return source instanceof StreamSource s ? s.streamName() : DIRECT_PUT_STREAM_PREFIX + name;
  }

  /** Where records come from. */
  public sealed interface Source permits StreamSource, DirectPut {}

  /** Every shard of a Basin stream, following resharding lineage. */
  public record StreamSource(String streamName) implements Source {
    public StreamSource {
      if (streamName == null || streamName.isBlank()) {
        throw invalid("Source.StreamName", "is required");
      }
    }
  }

  /** Records put directly (PutRecord/PutRecordBatch), made durable in an internal stream. */
  public record DirectPut() implements Source {}

  /** Where records go. */
  public sealed interface Destination permits RawObjects, IcebergTable {}

  /** How raw objects are encoded. */
  public enum RecordFormat {
    /** One JSON document per line. */
    JSON_LINES,
    /** RFC 4180 CSV with a header line; columns are top-level JSON fields. */
    CSV
  }

  /** Compression of raw objects; applied after the size hint is measured, as in Firehose. */
  public enum Compression {
    NONE(""),
    GZIP(".gz"),
    ZSTD(".zst"),
    SNAPPY(".snappy");

    private final String extension;

    Compression(String extension) {
      this.extension = extension;
    }

    /** The file name extension objects get, e.g. {@code .gz}. */
    public String extension() {
      return extension;
    }
  }

  /**
   * Dynamic partitioning: the data prefix's {@code !{partitionKeyFromQuery:…}} values come from
   * {@code query} (null when the prefix uses only {@code !{partitionKeyFromLambda:…}} keys, which a
   * {@link ProcessorConfig.Custom} transform returns in its metadata); at most {@code
   * maxActivePartitions} distinct prefixes per flushed batch, the overflow goes to the error output
   * as {@code activePartitionExceeded}.
   */
  public record Partitioning(JsonQuery query, int maxActivePartitions) {
    public static final int DEFAULT_MAX_ACTIVE_PARTITIONS = 500;

    public Partitioning {
      if (maxActivePartitions < 1 || maxActivePartitions > 5000) {
        throw invalid(
            "DynamicPartitioning.MaxActivePartitions",
            "must be between 1 and 5000, was " + maxActivePartitions);
      }
    }

    public static Partitioning of(String query) {
      JsonQuery q;
      try {
        q = JsonQuery.parse(query);
      } catch (IllegalArgumentException e) {
        throw invalid("DynamicPartitioning.Query", e.getMessage());
      }
      return new Partitioning(q, DEFAULT_MAX_ACTIVE_PARTITIONS);
    }
  }

  /**
   * Raw objects in a bucket.
   *
   * @param bucket the destination bucket (also receives the error output and checkpoints)
   * @param prefix data prefix template; see {@link S3Prefix}
   * @param errorPrefix error output prefix template; required with dynamic partitioning
   * @param format JSON lines or CSV
   * @param csvColumns for CSV, the top-level JSON field names in column order; otherwise empty
   * @param compression how objects are compressed
   * @param partitioning dynamic partitioning, or null
   */
  public record RawObjects(
      String bucket,
      String prefix,
      String errorPrefix,
      RecordFormat format,
      List<String> csvColumns,
      Compression compression,
      Partitioning partitioning)
      implements Destination {

    public RawObjects {
      if (bucket == null || bucket.isBlank()) {
        throw invalid("S3Destination.BucketName", "is required");
      }
      format = format == null ? RecordFormat.JSON_LINES : format;
      compression = compression == null ? Compression.NONE : compression;
      csvColumns = csvColumns == null ? List.of() : List.copyOf(csvColumns);
      if (format == RecordFormat.CSV && csvColumns.isEmpty()) {
        throw invalid("S3Destination.CsvColumns", "name at least one JSON field for CSV output");
      }
      if (format != RecordFormat.CSV && !csvColumns.isEmpty()) {
        throw invalid("S3Destination.CsvColumns", "is only used with the CSV format");
      }
      for (String c : csvColumns) {
        if (c == null || c.isBlank()) {
          throw invalid("S3Destination.CsvColumns", "has a blank column name");
        }
      }
      S3Prefix data;
      try {
        data = S3Prefix.data(prefix, partitioning != null);
      } catch (IllegalArgumentException e) {
        throw invalid("S3Destination.Prefix", e.getMessage());
      }
      if (partitioning != null) {
        if (errorPrefix == null || errorPrefix.isBlank()) {
          throw invalid(
              "S3Destination.ErrorOutputPrefix", "is required when dynamic partitioning is on");
        }
        if (partitioning.query() == null && data.lambdaKeys().isEmpty()) {
          throw invalid(
              "DynamicPartitioning.Query",
              "is required unless the prefix uses !{partitionKeyFromLambda:…} keys");
        }
        for (String k : data.queryKeys()) {
          if (partitioning.query() == null || !partitioning.query().keyNames().contains(k)) {
            throw invalid(
                "S3Destination.Prefix",
                "uses !{partitionKeyFromQuery:"
                    + k
                    + "} but the query "
                    + partitioning.query()
                    + " does not produce '"
                    + k
                    + "'");
          }
        }
      }
      checkErrorPrefix("S3Destination.ErrorOutputPrefix", errorPrefix);
    }

    /** The parsed data prefix. */
    public S3Prefix dataPrefix() {
      return S3Prefix.data(prefix, partitioning != null);
    }

    /** The parsed error output prefix. */
    public S3Prefix errorOutputPrefix() {
      return S3Prefix.errorOutput(errorPrefix);
    }
  }

  /**
   * An Iceberg table of the catalog.
   *
   * @param database the catalog database
   * @param table the table, which must exist
   * @param unknownFields what to do with JSON fields the table does not have
   * @param errorBucket bucket for the error output
   * @param errorPrefix error output prefix template
   */
  public record IcebergTable(
      String database,
      String table,
      UnknownFieldPolicy unknownFields,
      String errorBucket,
      String errorPrefix)
      implements Destination {

    public IcebergTable {
      if (database == null || database.isBlank()) {
        throw invalid("IcebergDestination.Database", "is required");
      }
      if (table == null || table.isBlank()) {
        throw invalid("IcebergDestination.Table", "is required");
      }
      unknownFields = unknownFields == null ? UnknownFieldPolicy.IGNORE : unknownFields;
      if (errorBucket == null || errorBucket.isBlank()) {
        throw invalid(
            "IcebergDestination.ErrorBucket",
            "is required: records that do not fit the table are written there");
      }
      checkErrorPrefix("IcebergDestination.ErrorOutputPrefix", errorPrefix);
    }

    /** The parsed error output prefix. */
    public S3Prefix errorOutputPrefix() {
      return S3Prefix.errorOutput(errorPrefix);
    }
  }

  /** JSON fields the table does not have: dropped, or the record fails conversion. */
  public enum UnknownFieldPolicy {
    IGNORE,
    FAIL
  }

  private static void checkErrorPrefix(String field, String errorPrefix) {
    try {
      S3Prefix.errorOutput(errorPrefix);
    } catch (IllegalArgumentException e) {
      throw invalid(field, e.getMessage());
    }
  }

  static BasinException invalid(String field, String message) {
    return new BasinException(DeliveryErrorCode.INVALID_CONFIG, field + " " + message);
  }

  private static String quote(String s) {
    return s == null ? "null" : "'" + s + "'";
  }
}
