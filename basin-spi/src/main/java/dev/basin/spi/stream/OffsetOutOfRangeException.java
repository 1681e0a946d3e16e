package dev.basin.spi.stream;

/** Thrown when a read asks for an offset the log no longer retains or has not reached yet. */
public class OffsetOutOfRangeException extends RuntimeException {
  private final long requested;
  private final long startOffset;
  private final long endOffset;

  public OffsetOutOfRangeException(long requested, long startOffset, long endOffset) {
    super(
        "offset "
            + requested
            + " is outside the retained range ["
            + startOffset
            + ", "
            + endOffset
            + "]");
    this.requested = requested;
    this.startOffset = startOffset;
    this.endOffset = endOffset;
  }

  public long requested() {
    return requested;
  }

  public long startOffset() {
    return startOffset;
  }

  public long endOffset() {
    return endOffset;
  }
}
