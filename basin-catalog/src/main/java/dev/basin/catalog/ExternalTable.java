package dev.basin.catalog;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * An external table as stored: its definition in canonical form plus the catalog's bookkeeping.
 *
 * @param database the database
 * @param name the table name
 * @param description the description, or null
 * @param columns the data columns, types in canonical form
 * @param partitionKeys the partition columns
 * @param location {@code s3://bucket/prefix/}, always ending in {@code /}
 * @param format the data format
 * @param inputFormat the Hadoop input format class name
 * @param outputFormat the Hadoop output format class name
 * @param serdeLibrary the SerDe class name
 * @param serdeParameters the SerDe parameters
 * @param parameters the table parameters, including {@code classification}
 * @param versionId the current version ("1" on create, incremented by every update)
 * @param createTime when the table was created
 * @param updateTime when this version was written
 */
public record ExternalTable(
    String database,
    String name,
    String description,
    List<Column> columns,
    List<Column> partitionKeys,
    String location,
    DataFormat format,
    String inputFormat,
    String outputFormat,
    String serdeLibrary,
    Map<String, String> serdeParameters,
    Map<String, String> parameters,
    String versionId,
    Instant createTime,
    Instant updateTime) {

  public ExternalTable {
    columns = List.copyOf(columns);
    partitionKeys = List.copyOf(partitionKeys);
    serdeParameters = Map.copyOf(serdeParameters);
    parameters = Map.copyOf(parameters);
  }

  /** Glue's {@code classification} parameter. */
  public String classification() {
    return parameters.get("classification");
  }

  /** The definition as input, e.g. to change one field and update. */
  public TableInput toInput() {
    return new TableInput(
        name,
        description,
        columns,
        partitionKeys,
        location,
        format,
        serdeLibrary,
        serdeParameters,
        parameters);
  }
}
