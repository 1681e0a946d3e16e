package dev.basin.catalog.crawler;

import dev.basin.catalog.Column;
import dev.basin.catalog.DataFormat;
import java.util.List;
import java.util.Map;

/**
 * What a classifier found out about an object (or, from {@link Classifier#classifyTable}, about a
 * sample of a table's objects): everything needed to write a Glue table's storage descriptor.
 *
 * @param objectName the object classified (the first one for a table)
 * @param format CSV, JSON or PARQUET; null when the object could not be classified ({@code
 *     UNKNOWN})
 * @param compression detected from the content
 * @param csvDialect the dialect of a CSV object, else null
 * @param jsonLayout how JSON records are laid out, else null
 * @param columns the columns with Glue types; empty when unknown
 * @param serdeLibrary the SerDe the table should use; null when unknown
 * @param serdeParameters the SerDe's parameters ({@code field.delim}, {@code separatorChar} …)
 * @param tableParameters table parameters as Glue's crawler writes them ({@code classification},
 *     {@code compressionType}, {@code delimiter}, {@code skip.header.line.count} …)
 * @param confidence 0 to 1; 1 means every sampled record agreed with the decisions
 * @param explanation why: the delimiter, the header decision, type votes, anything skipped
 */
public record Classification(
    String objectName,
    DataFormat format,
    Compression compression,
    CsvDialect csvDialect,
    JsonLayout jsonLayout,
    List<Column> columns,
    String serdeLibrary,
    Map<String, String> serdeParameters,
    Map<String, String> tableParameters,
    double confidence,
    String explanation) {

  /** How JSON records are laid out in an object. */
  public enum JsonLayout {
    /** One object after another (JSON Lines, or concatenated pretty-printed objects). */
    LINES,
    /** One top-level array of objects; readers need the JsonPath {@code $[*]}. */
    ARRAY
  }

  public Classification {
    columns = List.copyOf(columns);
    serdeParameters = Map.copyOf(serdeParameters);
    tableParameters = Map.copyOf(tableParameters);
  }

  /** Glue's classification string: csv, json, parquet or UNKNOWN. */
  public String classification() {
    return format == null ? "UNKNOWN" : format.classification();
  }

  public boolean recognized() {
    return format != null;
  }

  static Classification unknown(String name, Compression compression, String why) {
    return new Classification(
        name, null, compression, null, null, List.of(), null, Map.of(), Map.of(), 0.0, why);
  }
}
