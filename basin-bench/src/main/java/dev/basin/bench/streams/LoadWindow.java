package dev.basin.bench.streams;

import java.io.PrintStream;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Timing, flow control and measurements of one producer process run: a warm-up, then a measurement
 * window, then a drain in which nothing new is sent.
 *
 * <p>Throughput counts acknowledgements that arrive inside the window. Ack and put-to-get latencies
 * are recorded for records <em>sent</em> inside the window. Thread-safe.
 */
final class LoadWindow {
  /**
   * Printed on stdout when the measurement window opens and closes (the orchestrator samples CPU).
   */
  static final String MEASURE_START = "MEASURE_START";

  static final String MEASURE_END = "MEASURE_END";
  static final String RESULT_PREFIX = "RESULT ";

  private final Workload workload;
  private final long startNanos;
  private final long measureStartNanos;
  private final long measureEndNanos;
  private final Semaphore inFlight;
  private final LatencyHistogram ackMicros = new LatencyHistogram();
  private final LatencyHistogram e2eMicros = new LatencyHistogram();
  private final LongAdder ackedInWindow = new LongAdder();
  private final LongAdder ackedTotal = new LongAdder();
  private final LongAdder failedRecords = new LongAdder();
  private final LongAdder requestErrors = new LongAdder();
  private final LongAdder receivedTotal = new LongAdder();
  private volatile String firstError;
  private long nextSendNanos; // guarded by this
  private static final long MAX_CATCH_UP_NANOS = 100_000_000;

  LoadWindow(Workload workload) {
    this.workload = workload;
    this.inFlight = new Semaphore(workload.inFlightRecords());
    this.startNanos = System.nanoTime();
    this.measureStartNanos = startNanos + (long) (workload.warmupSeconds() * 1e9);
    this.measureEndNanos = measureStartNanos + (long) (workload.durationSeconds() * 1e9);
    this.nextSendNanos = startNanos;
  }

  /** Starts a daemon thread that prints the window markers on {@code out}. */
  void printMarkers(PrintStream out) {
    Thread t =
        new Thread(
            () -> {
              sleepUntil(measureStartNanos);
              out.println(MEASURE_START);
              out.flush();
              sleepUntil(measureEndNanos);
              out.println(MEASURE_END);
              out.flush();
            },
            "markers");
    t.setDaemon(true);
    t.start();
  }

  /**
   * Blocks until {@code records} more may be sent: paces to the workload's rate and waits for
   * in-flight room.
   *
   * @return false once the measurement window has closed; the caller stops sending
   */
  boolean acquire(int records) throws InterruptedException {
    if (workload.rate() > 0) {
      sleepUntil(nextSendTime(records));
    }
    inFlight.acquire(records);
    if (System.nanoTime() >= measureEndNanos) {
      inFlight.release(records);
      return false;
    }
    return true;
  }

  /**
   * When to send the next {@code records} at the offered rate. A sender that fell behind may catch
   * up by at most {@link #MAX_CATCH_UP_NANOS} worth of records: the offered load stays the offered
   * load, and a shortfall shows as lower throughput.
   */
  private synchronized long nextSendTime(int records) {
    long due = Math.max(nextSendNanos, System.nanoTime() - MAX_CATCH_UP_NANOS);
    nextSendNanos = due + (long) (records * 1e9 / workload.rate());
    return due;
  }

  /**
   * {@code ok} records sent at {@code sendNanos} were acknowledged, {@code failed} were refused.
   */
  void acked(long sendNanos, long ackNanos, int ok, int failed) {
    inFlight.release(ok + failed);
    ackedTotal.add(ok);
    failedRecords.add(failed);
    if (ackNanos >= measureStartNanos && ackNanos < measureEndNanos) {
      ackedInWindow.add(ok);
    }
    if (inWindow(sendNanos)) {
      ackMicros.record((ackNanos - sendNanos) / 1000, ok);
    }
  }

  /** A whole request of {@code records} failed with {@code error}. */
  void requestFailed(int records, Throwable error) {
    inFlight.release(records);
    failedRecords.add(records);
    requestErrors.increment();
    if (firstError == null) {
      firstError = String.valueOf(error);
    }
  }

  /** A consumer saw a record that was sent at {@code sendNanos}. */
  void received(long sendNanos, long receiveNanos) {
    receivedTotal.increment();
    if (inWindow(sendNanos)) {
      e2eMicros.record((receiveNanos - sendNanos) / 1000);
    }
  }

  void consumerError(Throwable error) {
    requestErrors.increment();
    if (firstError == null) {
      firstError = "consumer: " + error;
    }
  }

  /** Waits until every sent record was acknowledged or refused; false on timeout. */
  boolean awaitAcks(long timeoutSeconds) throws InterruptedException {
    if (inFlight.tryAcquire(workload.inFlightRecords(), timeoutSeconds, TimeUnit.SECONDS)) {
      inFlight.release(workload.inFlightRecords());
      return true;
    }
    return false;
  }

  /** Waits until the consumers saw every acknowledged record; false on timeout. */
  boolean awaitConsumed(long timeoutSeconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    while (receivedTotal.sum() < ackedTotal.sum()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(5);
    }
    return true;
  }

  DriverResult result(String system, String note) {
    long n = ackedInWindow.sum();
    double seconds = workload.durationSeconds();
    String error = firstError;
    String fullNote = error == null ? note : (note.isEmpty() ? "" : note + "; ") + error;
    return new DriverResult(
        system,
        workload.recordSize(),
        workload.shards(),
        workload.rate(),
        seconds,
        n,
        n / seconds,
        n * (double) workload.recordSize() / seconds / (1024 * 1024),
        millis(ackMicros.percentile(50)),
        millis(ackMicros.percentile(99)),
        millis(ackMicros.max()),
        millis(e2eMicros.percentile(50)),
        millis(e2eMicros.percentile(99)),
        millis(e2eMicros.max()),
        e2eMicros.count(),
        ackedTotal.sum(),
        failedRecords.sum(),
        requestErrors.sum(),
        receivedTotal.sum(),
        fullNote);
  }

  private boolean inWindow(long sendNanos) {
    return sendNanos >= measureStartNanos && sendNanos < measureEndNanos;
  }

  private static double millis(long micros) {
    return micros / 1000.0;
  }

  private static void sleepUntil(long deadlineNanos) {
    long wait;
    while ((wait = deadlineNanos - System.nanoTime()) > 0) {
      LockSupport.parkNanos(wait);
    }
  }
}
