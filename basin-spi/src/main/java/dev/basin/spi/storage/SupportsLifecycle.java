package dev.basin.spi.storage;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * An object store that runs lifecycle rules in S3's model: transitions to a cold storage class,
 * expirations of current and noncurrent versions, cleanup of expired delete markers and of
 * abandoned multipart uploads.
 */
public interface SupportsLifecycle {

  /**
   * @throws ObjectStoreException {@code NO_SUCH_BUCKET}
   */
  Optional<LifecycleConfiguration> lifecycle(String bucket);

  /**
   * Replaces the bucket's rules.
   *
   * @throws ObjectStoreException {@code NO_SUCH_BUCKET}, {@code INVALID_ARGUMENT} for an invalid
   *     rule (the message names the rule and the field)
   */
  void setLifecycle(String bucket, LifecycleConfiguration configuration);

  /**
   * @throws ObjectStoreException {@code NO_SUCH_BUCKET}
   */
  void deleteLifecycle(String bucket);

  /**
   * Applies every bucket's rules as of {@code now} and records each action taken. Safe to call
   * concurrently with reads and writes; an object written during the run is judged by its own age.
   *
   * @return the actions this run took
   */
  List<LifecycleAction> runLifecycle(Instant now);

  /** The most recent recorded actions for a bucket (all buckets when null), newest first. */
  List<LifecycleAction> lifecycleHistory(String bucket, int limit);
}
