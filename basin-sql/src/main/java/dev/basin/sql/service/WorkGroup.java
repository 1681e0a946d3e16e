package dev.basin.sql.service;

import java.time.Instant;

/**
 * A workgroup: where its queries' results go, how much one query may scan, and its history and
 * saved queries.
 *
 * @param name 1–128 of {@code A-Z a-z 0-9 . _ -}
 * @param description up to 1024 characters, or null
 * @param enabled whether queries may be submitted to it (Athena's state ENABLED/DISABLED)
 * @param outputLocation an {@code s3://bucket/prefix/} for results, or null for the service's
 *     default
 * @param bytesScannedCutoffPerQuery the most bytes one query may plan to scan, or null for no
 *     limit; a query over it is cancelled before it runs
 * @param enforceConfiguration whether the workgroup's output location overrides a client's
 * @param createdAt when it was created
 */
public record WorkGroup(
    String name,
    String description,
    boolean enabled,
    String outputLocation,
    Long bytesScannedCutoffPerQuery,
    boolean enforceConfiguration,
    Instant createdAt) {

  /** The workgroup that always exists and cannot be deleted. */
  public static final String PRIMARY = "primary";

  /** A workgroup to create: enabled, no description, no limit, the default location. */
  public static WorkGroup named(String name) {
    return new WorkGroup(name, null, true, null, null, false, null);
  }

  public WorkGroup withOutputLocation(String location) {
    return new WorkGroup(
        name,
        description,
        enabled,
        location,
        bytesScannedCutoffPerQuery,
        enforceConfiguration,
        createdAt);
  }

  public WorkGroup withBytesScannedCutoffPerQuery(Long cutoff) {
    return new WorkGroup(
        name, description, enabled, outputLocation, cutoff, enforceConfiguration, createdAt);
  }

  public WorkGroup withDescription(String text) {
    return new WorkGroup(
        name,
        text,
        enabled,
        outputLocation,
        bytesScannedCutoffPerQuery,
        enforceConfiguration,
        createdAt);
  }

  public WorkGroup withEnforceConfiguration(boolean enforce) {
    return new WorkGroup(
        name, description, enabled, outputLocation, bytesScannedCutoffPerQuery, enforce, createdAt);
  }

  public WorkGroup withEnabled(boolean on) {
    return new WorkGroup(
        name,
        description,
        on,
        outputLocation,
        bytesScannedCutoffPerQuery,
        enforceConfiguration,
        createdAt);
  }

  public WorkGroup withCreatedAt(Instant at) {
    return new WorkGroup(
        name,
        description,
        enabled,
        outputLocation,
        bytesScannedCutoffPerQuery,
        enforceConfiguration,
        at);
  }

  /**
   * Changes to a workgroup; a null member leaves the setting as it is.
   *
   * @param removeOutputLocation clear the output location (back to the service's default)
   * @param removeBytesScannedCutoff clear the per-query limit
   */
  public record Update(
      String description,
      Boolean enabled,
      String outputLocation,
      boolean removeOutputLocation,
      Long bytesScannedCutoffPerQuery,
      boolean removeBytesScannedCutoff,
      Boolean enforceConfiguration) {}
}
