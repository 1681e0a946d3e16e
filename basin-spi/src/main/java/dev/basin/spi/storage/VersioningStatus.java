package dev.basin.spi.storage;

/** A bucket's versioning state, as S3: never enabled, enabled, or suspended after being enabled. */
public enum VersioningStatus {
  UNVERSIONED,
  ENABLED,
  SUSPENDED
}
