package dev.basin.etl.job;

import java.util.Map;
import java.util.Objects;

/**
 * Files under a lake prefix (or one object).
 *
 * @param uri {@code s3://bucket/prefix/} or {@code s3://bucket/key}
 * @param format {@code csv}, {@code json} or {@code parquet}
 * @param options reader options as text (header, delimiter, quote, escape, compression, …); the
 *     runner interprets them
 */
public record PrefixSource(String uri, String format, Map<String, String> options)
    implements SourceSpec {
  public PrefixSource {
    Objects.requireNonNull(uri, "uri");
    Objects.requireNonNull(format, "format");
    options = Map.copyOf(options == null ? Map.of() : options);
  }
}
