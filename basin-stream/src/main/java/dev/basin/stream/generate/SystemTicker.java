package dev.basin.stream.generate;

import java.util.concurrent.locks.LockSupport;

/** The real ticker. */
enum SystemTicker implements Ticker {
  INSTANCE;

  @Override
  public long read() {
    return System.nanoTime();
  }

  @Override
  public void sleep(long nanos) {
    if (nanos > 0) {
      LockSupport.parkNanos(nanos);
    }
  }
}
