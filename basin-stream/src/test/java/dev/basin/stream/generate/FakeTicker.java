package dev.basin.stream.generate;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** A ticker that only moves when the generator sleeps, so pacing is tested without waiting. */
final class FakeTicker implements Ticker {
  private final AtomicLong now = new AtomicLong(1_000_000_000L);

  @Override
  public long read() {
    return now.get();
  }

  @Override
  public void sleep(long nanos) {
    if (nanos > 0) {
      now.addAndGet(nanos);
    }
  }

  void advance(Duration d) {
    now.addAndGet(d.toNanos());
  }
}
