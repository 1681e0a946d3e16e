package dev.basin.catalog;

import java.util.Locale;

/**
 * The formats external tables can be in, with the Hadoop input/output format and SerDe names Glue
 * records for them (the names Athena, Spark and Hive expect in a table's storage descriptor).
 */
public enum DataFormat {
  CSV(
      "csv",
      "org.apache.hadoop.mapred.TextInputFormat",
      "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
      "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe"),
  JSON(
      "json",
      "org.apache.hadoop.mapred.TextInputFormat",
      "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
      "org.openx.data.jsonserde.JsonSerDe"),
  PARQUET(
      "parquet",
      "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
      "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
      "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe");

  /** The SerDe Glue's crawler picks for CSV with quoted fields. */
  public static final String OPEN_CSV_SERDE = "org.apache.hadoop.hive.serde2.OpenCSVSerde";

  /** Hive's other JSON SerDe, which Athena also accepts. */
  public static final String HIVE_JSON_SERDE = "org.apache.hive.hcatalog.data.JsonSerDe";

  private final String classification;
  private final String inputFormat;
  private final String outputFormat;
  private final String serdeLibrary;

  DataFormat(String classification, String inputFormat, String outputFormat, String serde) {
    this.classification = classification;
    this.inputFormat = inputFormat;
    this.outputFormat = outputFormat;
    this.serdeLibrary = serde;
  }

  /** Glue's {@code classification} table parameter: csv, json, parquet. */
  public String classification() {
    return classification;
  }

  public String inputFormat() {
    return inputFormat;
  }

  public String outputFormat() {
    return outputFormat;
  }

  /** The default SerDe. */
  public String serdeLibrary() {
    return serdeLibrary;
  }

  /** Whether {@code serde} is a SerDe this format can be read with. */
  boolean accepts(String serde) {
    return switch (this) {
      case CSV -> serde.equals(serdeLibrary) || serde.equals(OPEN_CSV_SERDE);
      case JSON -> serde.equals(serdeLibrary) || serde.equals(HIVE_JSON_SERDE);
      case PARQUET -> serde.equals(serdeLibrary);
    };
  }

  /**
   * Recognizes a format from what a Glue client sends: the classification if given, else the SerDe,
   * else the input format.
   *
   * @return the format, or null if none matches
   */
  public static DataFormat fromGlue(
      String classification, String serdeLibrary, String inputFormat) {
    if (classification != null) {
      for (DataFormat f : values()) {
        if (f.classification.equals(classification.toLowerCase(Locale.ROOT))) {
          return f;
        }
      }
    }
    if (serdeLibrary != null) {
      for (DataFormat f : values()) {
        if (f.accepts(serdeLibrary)) {
          return f;
        }
      }
    }
    if (inputFormat != null && inputFormat.equals(PARQUET.inputFormat)) {
      return PARQUET;
    }
    return null;
  }
}
