package dev.basin.sql.service;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the query service.
 *
 * @param maxConcurrentQueries queries that run at once (1–1024)
 * @param maxQueuedQueries queries that may wait for a slot (0–100,000); a submission beyond running
 *     plus queued is refused as too many requests
 * @param defaultTimeout how long a query may run unless its request says otherwise; a query that
 *     runs longer fails with a timeout, as Athena's do
 * @param defaultOutputLocation where results go when neither the workgroup nor the request names a
 *     location, an {@code s3://bucket/} or {@code s3://bucket/prefix/}
 * @param resultReuseMaxAge how old a previous result may be to answer a repeated query (results are
 *     also never reused once a table they read has a new snapshot)
 * @param workDirectory where result files are written before they enter the lake
 */
public record QueryServiceConfig(
    int maxConcurrentQueries,
    int maxQueuedQueries,
    Duration defaultTimeout,
    String defaultOutputLocation,
    Duration resultReuseMaxAge,
    Path workDirectory) {

  public static final String DEFAULT_OUTPUT_LOCATION = "s3://results/";

  public QueryServiceConfig {
    if (maxConcurrentQueries < 1 || maxConcurrentQueries > 1024) {
      throw new IllegalArgumentException(
          "maxConcurrentQueries must be 1..1024, got " + maxConcurrentQueries);
    }
    if (maxQueuedQueries < 0 || maxQueuedQueries > 100_000) {
      throw new IllegalArgumentException(
          "maxQueuedQueries must be 0..100000, got " + maxQueuedQueries);
    }
    Objects.requireNonNull(defaultTimeout, "defaultTimeout");
    if (defaultTimeout.isNegative() || defaultTimeout.isZero()) {
      throw new IllegalArgumentException("defaultTimeout must be positive, got " + defaultTimeout);
    }
    OutputLocation.parse(defaultOutputLocation);
    Objects.requireNonNull(resultReuseMaxAge, "resultReuseMaxAge");
    if (resultReuseMaxAge.isNegative()) {
      throw new IllegalArgumentException(
          "resultReuseMaxAge must not be negative, got " + resultReuseMaxAge);
    }
    Objects.requireNonNull(workDirectory, "workDirectory");
  }

  /**
   * Defaults: 4 concurrent queries, 100 queued, a 30-minute timeout (Athena's default DML timeout),
   * results in {@code s3://results/}, results reused for up to 7 days, work files under {@code
   * dataDir/tmp/queries}.
   */
  public static QueryServiceConfig defaults(Path dataDir) {
    return new QueryServiceConfig(
        4,
        100,
        Duration.ofMinutes(30),
        DEFAULT_OUTPUT_LOCATION,
        Duration.ofDays(7),
        dataDir.resolve("tmp").resolve("queries"));
  }

  public QueryServiceConfig withConcurrency(int running, int queued) {
    return new QueryServiceConfig(
        running, queued, defaultTimeout, defaultOutputLocation, resultReuseMaxAge, workDirectory);
  }

  public QueryServiceConfig withDefaultTimeout(Duration timeout) {
    return new QueryServiceConfig(
        maxConcurrentQueries,
        maxQueuedQueries,
        timeout,
        defaultOutputLocation,
        resultReuseMaxAge,
        workDirectory);
  }

  public QueryServiceConfig withDefaultOutputLocation(String location) {
    return new QueryServiceConfig(
        maxConcurrentQueries,
        maxQueuedQueries,
        defaultTimeout,
        location,
        resultReuseMaxAge,
        workDirectory);
  }

  public QueryServiceConfig withResultReuseMaxAge(Duration age) {
    return new QueryServiceConfig(
        maxConcurrentQueries,
        maxQueuedQueries,
        defaultTimeout,
        defaultOutputLocation,
        age,
        workDirectory);
  }
}
