package dev.basin.spi.storage;

import java.util.Objects;

/**
 * A read found a delete marker where it needed an object version. It carries the marker, so that a
 * protocol adapter can answer as S3 does (S3 reports the marker's version id and that it is a
 * delete marker).
 *
 * <p>Its {@link #reason()} is {@link Reason#NO_SUCH_KEY} when the marker is the key's current
 * version and no version was asked for (the key looks deleted), and {@link Reason#INVALID_REQUEST}
 * when the version asked for by id is the marker (S3 answers 405 MethodNotAllowed there). Callers
 * that only look at the reason see the same failures as for any missing object.
 */
public class DeleteMarkerException extends ObjectStoreException {
  private static final long serialVersionUID = 1L;

  private final transient ObjectInfo marker;

  /**
   * @param reason {@code NO_SUCH_KEY} or {@code INVALID_REQUEST}, as the class describes
   * @param marker the delete marker, {@link ObjectInfo#deleteMarker()} true
   */
  public DeleteMarkerException(Reason reason, String message, ObjectInfo marker) {
    super(reason, message);
    if (reason != Reason.NO_SUCH_KEY && reason != Reason.INVALID_REQUEST) {
      throw new IllegalArgumentException(
          "a delete marker failure is NO_SUCH_KEY or INVALID_REQUEST, not " + reason);
    }
    this.marker = Objects.requireNonNull(marker, "marker");
    if (!marker.deleteMarker()) {
      throw new IllegalArgumentException(
          "version '" + marker.versionId() + "' of '" + marker.key() + "' is not a delete marker");
    }
  }

  /** The delete marker: its version id and when it was written. */
  public ObjectInfo marker() {
    return marker;
  }

  /** Whether the marker is the key's current version and no version id was asked for. */
  public boolean current() {
    return reason() == Reason.NO_SUCH_KEY;
  }
}
