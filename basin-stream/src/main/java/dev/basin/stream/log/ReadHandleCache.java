package dev.basin.stream.log;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * Bounds the closed segments of one shard log whose files are open: the least recently used segment
 * beyond the capacity has its channels closed (they reopen on the next read). The active segment is
 * never held here. Thread-safe.
 */
final class ReadHandleCache {
  private final int capacity;
  private final LinkedHashMap<Segment, Boolean> recent = new LinkedHashMap<>(16, 0.75f, true);

  ReadHandleCache(int capacity) {
    this.capacity = capacity;
  }

  /** Marks {@code segment} as just used, closing the files of segments pushed out. */
  void touch(Segment segment) {
    List<Segment> evicted = null;
    synchronized (this) {
      recent.put(segment, Boolean.TRUE);
      Iterator<Segment> it = recent.keySet().iterator();
      while (recent.size() > capacity) {
        Segment eldest = it.next();
        it.remove();
        if (evicted == null) {
          evicted = new ArrayList<>(1);
        }
        evicted.add(eldest);
      }
    }
    if (evicted != null) {
      evicted.forEach(Segment::release);
    }
  }

  synchronized void remove(Segment segment) {
    recent.remove(segment);
  }
}
