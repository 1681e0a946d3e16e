package dev.basin.storage;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Set;

/**
 * Settings of a {@link LocalObjectStore}.
 *
 * @param root directory holding the buckets' data files ({@code DATA_DIR/lake})
 * @param metadataDb the SQLite file holding keys, versions and uploads ({@code
 *     DATA_DIR/meta/objects.db})
 * @param minPartSize the smallest size of a multipart part other than the last (default 5 MiB, as
 *     S3)
 * @param reservedBuckets names that cannot be bucket names because the server's own endpoints use
 *     them as the first path segment
 */
public record LocalObjectStoreConfig(
    Path root, Path metadataDb, long minPartSize, Set<String> reservedBuckets) {

  public static final long DEFAULT_MIN_PART_SIZE = 5L * 1024 * 1024;
  public static final Set<String> DEFAULT_RESERVED_BUCKETS =
      Set.of("api", "iceberg", "ui", "health", "metrics");

  /**
   * @throws IllegalArgumentException if {@code minPartSize} is not positive
   * @throws NullPointerException if an argument is null
   */
  public LocalObjectStoreConfig {
    Objects.requireNonNull(root, "root");
    Objects.requireNonNull(metadataDb, "metadataDb");
    reservedBuckets = Set.copyOf(Objects.requireNonNull(reservedBuckets, "reservedBuckets"));
    if (minPartSize <= 0) {
      throw new IllegalArgumentException("minPartSize must be positive: " + minPartSize);
    }
  }

  /**
   * The default settings for a data directory: {@code dataDir/lake} and {@code meta/objects.db}.
   */
  public static LocalObjectStoreConfig defaults(Path dataDir) {
    return new LocalObjectStoreConfig(
        dataDir.resolve("lake"),
        dataDir.resolve("meta").resolve("objects.db"),
        DEFAULT_MIN_PART_SIZE,
        DEFAULT_RESERVED_BUCKETS);
  }

  public LocalObjectStoreConfig withMinPartSize(long value) {
    return new LocalObjectStoreConfig(root, metadataDb, value, reservedBuckets);
  }

  public LocalObjectStoreConfig withReservedBuckets(Set<String> value) {
    return new LocalObjectStoreConfig(root, metadataDb, minPartSize, value);
  }
}
