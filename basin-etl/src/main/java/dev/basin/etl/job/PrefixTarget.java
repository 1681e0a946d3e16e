package dev.basin.etl.job;

import java.util.List;
import java.util.Objects;

/**
 * Files under a lake prefix.
 *
 * @param uri {@code s3://bucket/prefix/}
 * @param format {@code parquet}, {@code csv} or {@code json}
 * @param compression parquet: zstd|snappy|gzip|none; csv/json: none|gzip|zstd
 * @param partitionKeys Hive-style {@code key=value/} directories, in order
 * @param register the external table to create or update over the prefix, or null
 */
public record PrefixTarget(
    String uri,
    String format,
    String compression,
    List<String> partitionKeys,
    CatalogRegistration register)
    implements TargetSpec {
  public PrefixTarget {
    Objects.requireNonNull(uri, "uri");
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(compression, "compression");
    partitionKeys = List.copyOf(partitionKeys == null ? List.of() : partitionKeys);
  }
}
