package dev.basin.common.error;

/**
 * The broad class of a failure. Protocol adapters map a kind to their status codes; callers use it
 * to decide whether to retry.
 */
public enum ErrorKind {
  /** The request is malformed or names something invalid; retrying the same request fails again. */
  INVALID(false),
  /** A named resource does not exist. */
  NOT_FOUND(false),
  /** The resource exists already or is in a state that forbids the operation. */
  CONFLICT(false),
  /** A configured quota or limit would be exceeded. */
  LIMIT_EXCEEDED(false),
  /** A rate limit was hit; retry after a short back-off. */
  THROTTLED(true),
  /** A token or iterator is too old; obtain a new one. */
  EXPIRED(false),
  /** Credentials are missing or wrong. */
  UNAUTHENTICATED(false),
  /** The service is starting, stopping, or temporarily unable to serve; retry. */
  UNAVAILABLE(true),
  /** A bug or an I/O failure; the outcome of a write may be unknown. */
  INTERNAL(false);

  private final boolean retriable;

  ErrorKind(boolean retriable) {
    this.retriable = retriable;
  }

  /** Whether the same request may succeed if retried later. */
  public boolean retriable() {
    return retriable;
  }
}
