package dev.basin.stream.log;

import java.util.Arrays;

/**
 * The in-memory sparse index of the active segment: one entry (offset, file position, timestamp)
 * for the first batch that starts at least {@code intervalBytes} after the previous entry (the
 * segment start counts as an implicit entry). The same rule applied to the same file yields the
 * same entries, so an index rebuilt by scanning equals the one built while appending.
 *
 * <p>One writer (holding the log's append lock) adds entries; any number of readers look up
 * concurrently and see a consistent prefix.
 */
final class SegmentIndex {
  private final int intervalBytes;
  private long lastIndexedPosition;
  private volatile Entries entries = new Entries(new long[16], new long[16], new long[16], 0);

  private record Entries(long[] offsets, long[] positions, long[] timestamps, int count) {}

  SegmentIndex(int intervalBytes) {
    this.intervalBytes = intervalBytes;
  }

  /** Records a batch written at {@code position}; adds an entry if the interval has passed. */
  void onBatch(long baseOffset, long position, long timestamp) {
    if (position - lastIndexedPosition < intervalBytes) {
      return;
    }
    lastIndexedPosition = position;
    Entries e = entries;
    int n = e.count();
    long[] offsets = e.offsets();
    long[] positions = e.positions();
    long[] timestamps = e.timestamps();
    if (n == offsets.length) {
      offsets = Arrays.copyOf(offsets, n * 2);
      positions = Arrays.copyOf(positions, n * 2);
      timestamps = Arrays.copyOf(timestamps, n * 2);
    }
    offsets[n] = baseOffset;
    positions[n] = position;
    timestamps[n] = timestamp;
    entries = new Entries(offsets, positions, timestamps, n + 1);
  }

  int size() {
    return entries.count();
  }

  long offset(int i) {
    return entries.offsets()[i];
  }

  long position(int i) {
    return entries.positions()[i];
  }

  long timestamp(int i) {
    return entries.timestamps()[i];
  }

  /** Position of the last indexed batch whose base offset is at most {@code offset}, or 0. */
  long positionFor(long offset) {
    Entries e = entries;
    int i = lastAtOrBelow(e.offsets(), e.count(), offset);
    return i < 0 ? 0 : e.positions()[i];
  }

  /** Position of the last indexed batch that arrived before {@code timestamp}, or 0. */
  long positionBefore(long timestamp) {
    if (timestamp == Long.MIN_VALUE) {
      return 0;
    }
    Entries e = entries;
    int i = lastAtOrBelow(e.timestamps(), e.count(), timestamp - 1);
    return i < 0 ? 0 : e.positions()[i];
  }

  /** Index of the last of the first {@code n} sorted values that is at most {@code key}, or -1. */
  static int lastAtOrBelow(long[] values, int n, long key) {
    int lo = 0;
    int hi = n - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (values[mid] <= key) {
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return hi;
  }
}
