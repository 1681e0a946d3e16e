package dev.basin.spi.storage;

/**
 * A failure of an object store operation that the caller can act on. The message names the bucket,
 * key or value at fault and says what to do.
 */
public class ObjectStoreException extends RuntimeException {

  /** Why an operation failed; protocol adapters map these to their own error codes. */
  public enum Reason {
    NO_SUCH_BUCKET,
    NO_SUCH_KEY,
    NO_SUCH_VERSION,
    NO_SUCH_UPLOAD,
    NO_SUCH_LIFECYCLE_CONFIGURATION,
    BUCKET_ALREADY_EXISTS,
    BUCKET_NOT_EMPTY,
    INVALID_BUCKET_NAME,
    INVALID_KEY,
    KEY_TOO_LONG,
    INVALID_RANGE,
    INVALID_PART,
    INVALID_PART_ORDER,
    ENTITY_TOO_SMALL,
    ENTITY_TOO_LARGE,
    INCOMPLETE_BODY,
    BAD_DIGEST,
    PRECONDITION_FAILED,
    INVALID_ARGUMENT,
    /**
     * The request cannot apply to its target, e.g. reading or tagging a version that is a delete
     * marker (then thrown as a {@link DeleteMarkerException}).
     */
    INVALID_REQUEST,
    /** A conditional put found the key already present (S3's {@code If-None-Match: *}). */
    ALREADY_EXISTS
  }

  private final Reason reason;

  public ObjectStoreException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public ObjectStoreException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
