package dev.basin.spi.storage;

import java.time.Instant;

/**
 * One action a lifecycle run took.
 *
 * @param at when
 * @param bucket the bucket
 * @param ruleId the rule that caused it
 * @param kind what was done
 * @param key the object's key
 * @param versionId the version acted on (the upload id for {@code ABORT_UPLOAD})
 * @param bytes the bytes affected
 * @param detail e.g. the target storage class
 */
public record LifecycleAction(
    Instant at,
    String bucket,
    String ruleId,
    Kind kind,
    String key,
    String versionId,
    long bytes,
    String detail) {

  public enum Kind {
    TRANSITION,
    NONCURRENT_TRANSITION,
    EXPIRE,
    EXPIRE_NONCURRENT,
    REMOVE_DELETE_MARKER,
    ABORT_UPLOAD
  }
}
