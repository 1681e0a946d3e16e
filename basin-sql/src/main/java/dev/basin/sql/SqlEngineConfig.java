package dev.basin.sql;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the embedded DuckDB engine.
 *
 * @param memoryLimit DuckDB's {@code memory_limit}, e.g. {@code 4GB}; null for DuckDB's default
 *     (80% of RAM)
 * @param threads worker threads per query; 0 for one per core
 * @param workDirectory where the engine spills, stages files it writes before they enter the lake,
 *     and caches objects that are not plain local files (cold tier); created if missing
 * @param lakeDirectory the object store's root on local disk (DuckDB may read only below it and
 *     below {@code workDirectory}), or null when the store has no local files
 * @param maxViewDepth how deeply views may nest before a statement is refused
 * @param mirrorInterval how stale the {@code pg_catalog}/{@code information_schema} mirror of the
 *     catalog may be
 */
public record SqlEngineConfig(
    String memoryLimit,
    int threads,
    Path workDirectory,
    Path lakeDirectory,
    int maxViewDepth,
    Duration mirrorInterval) {

  public SqlEngineConfig {
    Objects.requireNonNull(workDirectory, "workDirectory");
    if (threads < 0) {
      throw new IllegalArgumentException("threads must be >= 0, got " + threads);
    }
    if (memoryLimit != null
        && !memoryLimit.matches("(?i)\\d+(\\.\\d+)?\\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)")) {
      throw new IllegalArgumentException(
          "memory limit must be a size like 512MB or 4GB, got '" + memoryLimit + "'");
    }
    if (maxViewDepth < 1) {
      throw new IllegalArgumentException("maxViewDepth must be >= 1, got " + maxViewDepth);
    }
    Objects.requireNonNull(mirrorInterval, "mirrorInterval");
  }

  /** Defaults under a data directory: work files in {@code tmp/sql}, the lake in {@code lake}. */
  public static SqlEngineConfig defaults(Path dataDir) {
    return new SqlEngineConfig(
        null,
        0,
        dataDir.resolve("tmp").resolve("sql"),
        dataDir.resolve("lake"),
        16,
        Duration.ofSeconds(1));
  }

  public SqlEngineConfig withMemoryLimit(String limit) {
    return new SqlEngineConfig(
        limit, threads, workDirectory, lakeDirectory, maxViewDepth, mirrorInterval);
  }

  public SqlEngineConfig withThreads(int n) {
    return new SqlEngineConfig(
        memoryLimit, n, workDirectory, lakeDirectory, maxViewDepth, mirrorInterval);
  }
}
