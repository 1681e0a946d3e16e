package dev.basin.stream.generate;

/** Why a generator run ended. */
public enum StopReason {
  /** The rate plan's duration elapsed. */
  DURATION,
  /** The rate plan's record count was rendered. */
  MAX_RECORDS,
  /** {@link Generator#stop()} was called or the running thread was interrupted. */
  STOPPED
}
