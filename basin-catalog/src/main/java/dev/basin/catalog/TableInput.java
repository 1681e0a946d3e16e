package dev.basin.catalog;

import java.util.List;
import java.util.Map;

/**
 * The definition of an external table (Glue's {@code TableInput} with its storage descriptor
 * flattened): data that stays in its own files under {@code location}.
 *
 * @param name the table name (lower-case letters, digits, underscores)
 * @param description free text, or null
 * @param columns the data columns, in file order
 * @param partitionKeys the partition columns (Hive-style {@code key=value/} folders), may be empty
 * @param location {@code s3://bucket/prefix/}
 * @param format the data format
 * @param serdeLibrary the SerDe, or null for the format's default
 * @param serdeParameters SerDe parameters: {@code field.delim}, {@code quoteChar}, {@code
 *     escapeChar}, {@code separatorChar}, {@code serialization.format}, …
 * @param parameters table parameters: {@code classification} (set from the format when absent),
 *     {@code skip.header.line.count}, …
 */
public record TableInput(
    String name,
    String description,
    List<Column> columns,
    List<Column> partitionKeys,
    String location,
    DataFormat format,
    String serdeLibrary,
    Map<String, String> serdeParameters,
    Map<String, String> parameters) {

  public TableInput {
    columns = columns == null ? List.of() : List.copyOf(columns);
    partitionKeys = partitionKeys == null ? List.of() : List.copyOf(partitionKeys);
    serdeParameters = serdeParameters == null ? Map.of() : Map.copyOf(serdeParameters);
    parameters = parameters == null ? Map.of() : Map.copyOf(parameters);
  }
}
