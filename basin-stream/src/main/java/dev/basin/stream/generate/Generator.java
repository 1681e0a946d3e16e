package dev.basin.stream.generate;

import dev.basin.common.error.BasinException;
import dev.basin.common.error.CommonErrorCode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renders records from a {@link Template} and drives them into a {@link RecordSink} at the pace of
 * a {@link RatePlan}: the replacement for the Kinesis Data Generator's "Send data" button.
 *
 * <p>{@link #run()} renders on the calling thread, groups records into batches (at most {@code
 * maxBatchRecords} records and {@code maxBatchBytes} bytes, counting data plus partition key as
 * Kinesis does; a partial batch is sent after {@code maxBatchDelay}), keeps at most {@code
 * maxInFlightBatches} batches outstanding at the sink, and ends when the plan's duration or record
 * count is reached or {@link #stop()} is called. It then sends what is pending, waits up to {@code
 * drainTimeout} for outstanding batches, and returns a {@link GeneratorReport} whose counts add up:
 * see there. Records larger than {@code maxRecordBytes} are counted as failed and not sent.
 *
 * <p>Pacing compares the number of records rendered with the plan's target for the elapsed time
 * (read from an injectable {@link Ticker}), so a slow moment is made up for instead of drifting.
 * When the sink applies back-pressure (all in-flight slots busy) rendering waits.
 *
 * <p>A generator runs once. {@link #stop()} and {@link #progress()} may be called from any thread;
 * the progress callback runs on the rendering thread about every {@code progressInterval}.
 */
public final class Generator {
  private static final Logger LOG = LoggerFactory.getLogger(Generator.class);

  /** Records per batch by default: Kinesis PutRecords' limit. */
  public static final int DEFAULT_MAX_BATCH_RECORDS = 500;

  /** Bytes (data plus partition keys) per batch by default: Kinesis PutRecords' limit. */
  public static final long DEFAULT_MAX_BATCH_BYTES = 5L * 1024 * 1024;

  /** Largest record (data plus partition key) sent by default: Kinesis' record limit. */
  public static final int DEFAULT_MAX_RECORD_BYTES = 1024 * 1024;

  /** Batches outstanding at the sink by default. */
  public static final int DEFAULT_MAX_IN_FLIGHT_BATCHES = 4;

  /** Longest partition key, in characters, as Kinesis allows; longer keys are rejected. */
  public static final int MAX_PARTITION_KEY_LENGTH = 256;

  private static final int MAX_REASONS = 10;
  private static final int CHUNK = 1024;
  private static final long WAIT_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

  private final Template template;
  private final RecordSink sink;
  private final RatePlan plan;
  private final RenderContext ctx;
  private final PartitionKeyStrategy partitionKeys;
  private final int maxBatchRecords;
  private final long maxBatchBytes;
  private final int maxRecordBytes;
  private final int maxInFlight;
  private final long maxBatchDelayNanos;
  private final String recordDelimiter;
  private final Ticker ticker;
  private final long progressIntervalNanos;
  private final Consumer<GeneratorProgress> progressListener;
  private final long drainTimeoutNanos;

  private final AtomicBoolean started = new AtomicBoolean();
  private final Semaphore permits;
  private final Set<InFlight> outstanding = ConcurrentHashMap.newKeySet();
  private final AtomicLong acknowledged = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final List<String> reasons = new ArrayList<>();

  // written by the rendering thread only; volatile so progress() sees them
  private volatile long rendered;
  private volatile long sent;
  private volatile long rejected;
  private volatile long startNanos;
  private volatile boolean stopRequested;
  private volatile Thread runner;

  // rendering thread only
  private List<GeneratedRecord> pending;
  private long pendingBytes;
  private long pendingSince;
  private long nextProgressNanos;
  private long lastProgressNanos;
  private long lastProgressSent;
  private long stopWaitStartedNanos = -1;
  private boolean interrupted;

  private Generator(Builder b) {
    this.template = b.template;
    this.sink = b.sink;
    this.plan = b.plan;
    this.ctx = b.ctx != null ? b.ctx : RenderContext.unseeded();
    this.partitionKeys = b.partitionKeys;
    this.maxBatchRecords = b.maxBatchRecords;
    this.maxBatchBytes = b.maxBatchBytes;
    this.maxRecordBytes = b.maxRecordBytes;
    this.maxInFlight = b.maxInFlightBatches;
    this.maxBatchDelayNanos = b.maxBatchDelay.toNanos();
    this.recordDelimiter = b.recordDelimiter;
    this.ticker = b.ticker;
    this.progressIntervalNanos = b.progressInterval.toNanos();
    this.progressListener = b.progressListener;
    this.drainTimeoutNanos = b.drainTimeout.toNanos();
    this.permits = new Semaphore(maxInFlight);
    this.pending = new ArrayList<>(Math.min(maxBatchRecords, 1024));
  }

  /** A builder for a generator rendering {@code template} into {@code sink}. */
  public static Builder builder(Template template, RecordSink sink) {
    return new Builder(template, sink);
  }

  /**
   * Runs the generator on the calling thread until the plan ends or {@link #stop()} is called, then
   * sends pending records and waits for outstanding batches (up to the drain timeout).
   *
   * @return the run's counts; they add up as {@link GeneratorReport} documents
   * @throws IllegalStateException if this generator has run before
   * @throws BasinException {@code INTERNAL} if rendering or a partition key strategy failed
   *     unexpectedly; records rendered until then were still sent and drained
   */
  public GeneratorReport run() {
    if (!started.compareAndSet(false, true)) {
      throw new IllegalStateException("a generator runs once; build a new one");
    }
    runner = Thread.currentThread();
    long start = ticker.read();
    startNanos = start;
    lastProgressNanos = start;
    nextProgressNanos = start + progressIntervalNanos;
    LOG.debug("generator starting: {} into {}", plan, sink);
    StopReason reason = StopReason.STOPPED;
    RuntimeException failure = null;
    try {
      reason = loop(start);
    } catch (RuntimeException e) {
      failure = e;
    }
    if (!pending.isEmpty()) {
      dispatchPending();
    }
    drain();
    long end = ticker.read();
    GeneratorReport report = report(end - start, reason);
    if (progressListener != null) {
      emitProgress(end);
    }
    runner = null;
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    LOG.debug("generator finished: {}", report.summary());
    if (failure != null) {
      throw new BasinException(
          CommonErrorCode.INTERNAL,
          "generating records failed after "
              + report.rendered()
              + " records: "
              + failure
              + "; "
              + report.summary(),
          failure);
    }
    return report;
  }

  /**
   * Asks a running generator to stop: it renders no more records, sends what is pending and drains
   * outstanding batches before {@link #run()} returns. Idempotent; callable from any thread,
   * including before {@link #run()} (which then sends nothing).
   */
  public void stop() {
    stopRequested = true;
    Thread t = runner;
    if (t != null) {
      LockSupport.unpark(t);
    }
  }

  /** A snapshot of the counts so far. Callable from any thread. */
  public GeneratorProgress progress() {
    long now = ticker.read();
    long elapsed = started.get() ? now - startNanos : 0;
    return snapshot(elapsed, Double.NaN);
  }

  private StopReason loop(long start) {
    while (true) {
      if (stopRequested || checkInterrupted()) {
        return StopReason.STOPPED;
      }
      long now = ticker.read();
      long elapsed = now - start;
      maybeProgress(now);
      long produced = rendered;
      if (plan.isOverNanos(elapsed, produced)) {
        return plan.maxRecords().isPresent() && produced >= plan.maxRecords().getAsLong()
            ? StopReason.MAX_RECORDS
            : StopReason.DURATION;
      }
      long target = plan.targetCountNanos(elapsed);
      if (produced < target) {
        long n = Math.min(target - produced, CHUNK);
        for (long i = 0; i < n && !stopRequested; i++) {
          produceOne(now);
        }
        continue;
      }
      if (!pending.isEmpty() && now - pendingSince >= maxBatchDelayNanos) {
        dispatchPending();
        continue;
      }
      long wake = progressListener != null ? nextProgressNanos : Long.MAX_VALUE;
      long due = plan.nanosUntil(produced + 1);
      if (due != Long.MAX_VALUE) {
        wake = Math.min(wake, start + due);
      }
      if (plan.duration().isPresent()) {
        wake = Math.min(wake, start + plan.duration().get().toNanos());
      }
      if (!pending.isEmpty()) {
        wake = Math.min(wake, pendingSince + maxBatchDelayNanos);
      }
      if (wake == Long.MAX_VALUE) {
        // unbounded wait (nothing more is ever due): sleep in slices so stop() is noticed
        wake = now + WAIT_SLICE_NANOS;
      }
      if (wake > now) {
        ticker.sleep(wake - now);
      }
    }
  }

  private void produceOne(long now) {
    String text = template.render(ctx);
    rendered = rendered + 1;
    String key;
    try {
      key = partitionKeys.partitionKey(text, ctx);
    } catch (BasinException e) {
      reject(1, e.getMessage());
      return;
    }
    if (key == null || key.isEmpty()) {
      reject(
          1, "empty partition key; a key needs 1 to " + MAX_PARTITION_KEY_LENGTH + " characters");
      return;
    }
    if (key.length() > MAX_PARTITION_KEY_LENGTH) {
      reject(1, "partition key longer than " + MAX_PARTITION_KEY_LENGTH + " characters");
      return;
    }
    byte[] data =
        (recordDelimiter.isEmpty() ? text : text + recordDelimiter)
            .getBytes(StandardCharsets.UTF_8);
    long size = (long) data.length + utf8Length(key);
    if (size > maxRecordBytes) {
      reject(
          1,
          "record larger than " + maxRecordBytes + " bytes (data plus partition key) was not sent");
      return;
    }
    if (!pending.isEmpty() && pendingBytes + size > maxBatchBytes) {
      dispatchPending();
    }
    if (pending.isEmpty()) {
      pendingSince = now;
    }
    pending.add(new GeneratedRecord(key, data));
    pendingBytes += size;
    if (pending.size() >= maxBatchRecords) {
      dispatchPending();
    }
  }

  private void reject(int count, String reason) {
    rejected = rejected + count;
    failed.addAndGet(count);
    addReason(reason);
  }

  private void dispatchPending() {
    List<GeneratedRecord> batch = pending;
    pending = new ArrayList<>(Math.min(maxBatchRecords, 1024));
    pendingBytes = 0;
    if (!acquirePermit()) {
      reject(
          batch.size(),
          "not sent: stopped while the sink had "
              + maxInFlight
              + " batches outstanding for longer than the drain timeout");
      return;
    }
    InFlight f = new InFlight(batch.size());
    outstanding.add(f);
    sent = sent + batch.size();
    CompletableFuture<BatchOutcome> future;
    try {
      future = sink.send(batch);
    } catch (RuntimeException e) {
      settle(f, null, e);
      return;
    }
    if (future == null) {
      settle(f, null, new IllegalStateException("the sink returned no future"));
      return;
    }
    future.whenComplete((outcome, error) -> settle(f, outcome, error));
  }

  /**
   * Waits for an in-flight slot; false if stopped and the sink stays busy past the drain timeout.
   */
  private boolean acquirePermit() {
    while (true) {
      try {
        if (permits.tryAcquire(WAIT_SLICE_NANOS, TimeUnit.NANOSECONDS)) {
          return true;
        }
      } catch (InterruptedException e) {
        interrupted = true;
        stopRequested = true;
      }
      maybeProgress(ticker.read());
      if (stopRequested) {
        long now = System.nanoTime();
        if (stopWaitStartedNanos < 0) {
          stopWaitStartedNanos = now;
        } else if (now - stopWaitStartedNanos > drainTimeoutNanos) {
          return false;
        }
      }
    }
  }

  private void settle(InFlight f, BatchOutcome outcome, Throwable error) {
    if (!f.settled.compareAndSet(false, true)) {
      return;
    }
    int n = f.size;
    int ack = 0;
    if (error != null) {
      addReason(describe(error));
    } else if (outcome == null) {
      addReason("the sink completed a batch without an outcome");
    } else {
      ack = Math.min(outcome.acknowledged(), n);
      if (ack < n) {
        if (outcome.failureReasons().isEmpty()) {
          addReason("the sink failed records without giving a reason");
        }
        for (String r : outcome.failureReasons()) {
          addReason(r);
        }
        if ((long) outcome.acknowledged() + outcome.failed() < n) {
          addReason(
              "the sink answered for fewer records than the batch held; the rest count as"
                  + " failed");
        }
      }
      if (outcome.acknowledged() > n) {
        LOG.warn(
            "sink {} acknowledged {} records of a batch of {}; counting {}",
            sink,
            outcome.acknowledged(),
            n,
            n);
      }
    }
    acknowledged.addAndGet(ack);
    failed.addAndGet(n - ack);
    outstanding.remove(f);
    permits.release();
  }

  private void drain() {
    long deadline = System.nanoTime() + drainTimeoutNanos;
    while (!outstanding.isEmpty()) {
      long remaining = deadline - System.nanoTime();
      if (remaining <= 0) {
        break;
      }
      try {
        if (permits.tryAcquire(
            maxInFlight, Math.min(remaining, WAIT_SLICE_NANOS), TimeUnit.NANOSECONDS)) {
          permits.release(maxInFlight);
          break;
        }
      } catch (InterruptedException e) {
        interrupted = true;
      }
      maybeProgress(ticker.read());
    }
    for (InFlight f : outstanding) {
      settle(
          f,
          null,
          new UnknownOutcome(
              "outcome unknown: the sink did not answer within the drain timeout of "
                  + Duration.ofNanos(drainTimeoutNanos)));
    }
  }

  private boolean checkInterrupted() {
    if (Thread.currentThread().isInterrupted()) {
      interrupted = true;
      return true;
    }
    return false;
  }

  private void addReason(String reason) {
    synchronized (reasons) {
      if (reasons.size() < MAX_REASONS && !reasons.contains(reason)) {
        reasons.add(reason);
      }
    }
  }

  private static String describe(Throwable error) {
    Throwable e = error;
    while ((e instanceof CompletionException || e instanceof ExecutionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    if (e instanceof UnknownOutcome) {
      return e.getMessage();
    }
    String message = e.getMessage();
    return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }

  private void maybeProgress(long now) {
    if (progressListener == null || now < nextProgressNanos) {
      return;
    }
    emitProgress(now);
    nextProgressNanos += progressIntervalNanos;
    if (nextProgressNanos <= now) {
      nextProgressNanos = now + progressIntervalNanos;
    }
  }

  private void emitProgress(long now) {
    long interval = now - lastProgressNanos;
    long sentNow = sent;
    double current = interval <= 0 ? 0 : (sentNow - lastProgressSent) / (interval / 1e9);
    lastProgressNanos = now;
    lastProgressSent = sentNow;
    try {
      progressListener.accept(snapshot(now - startNanos, current));
    } catch (RuntimeException e) {
      LOG.warn("generator progress callback failed; generation continues", e);
    }
  }

  private GeneratorProgress snapshot(long elapsedNanos, double currentRate) {
    long s = sent;
    double average = elapsedNanos <= 0 ? 0 : s / (elapsedNanos / 1e9);
    return new GeneratorProgress(
        Duration.ofNanos(Math.max(0, elapsedNanos)),
        rendered,
        s,
        acknowledged.get(),
        failed.get(),
        rejected,
        outstanding.size(),
        plan.rateAtNanos(elapsedNanos),
        Double.isNaN(currentRate) ? average : currentRate,
        average);
  }

  private GeneratorReport report(long elapsedNanos, StopReason reason) {
    List<String> copy;
    synchronized (reasons) {
      copy = List.copyOf(reasons);
    }
    return new GeneratorReport(
        rendered,
        sent,
        acknowledged.get(),
        failed.get(),
        rejected,
        copy,
        Duration.ofNanos(Math.max(0, elapsedNanos)),
        reason);
  }

  private static int utf8Length(String s) {
    int n = s.length();
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) >= 0x80) {
        return s.getBytes(StandardCharsets.UTF_8).length;
      }
    }
    return n;
  }

  /** One batch handed to the sink; settled exactly once. */
  private static final class InFlight {
    final int size;
    final AtomicBoolean settled = new AtomicBoolean();

    InFlight(int size) {
      this.size = size;
    }
  }

  /** The reason recorded for batches still outstanding when the drain timeout ends. */
  private static final class UnknownOutcome extends RuntimeException {
    UnknownOutcome(String message) {
      super(message, null, false, false);
    }
  }

  /** Configures a {@link Generator}; every setting but the rate plan has a default. */
  public static final class Builder {
    private final Template template;
    private final RecordSink sink;
    private RatePlan plan;
    private RenderContext ctx;
    private PartitionKeyStrategy partitionKeys = PartitionKeyStrategy.randomUuid();
    private int maxBatchRecords = DEFAULT_MAX_BATCH_RECORDS;
    private long maxBatchBytes = DEFAULT_MAX_BATCH_BYTES;
    private int maxRecordBytes = DEFAULT_MAX_RECORD_BYTES;
    private int maxInFlightBatches = DEFAULT_MAX_IN_FLIGHT_BATCHES;
    private Duration maxBatchDelay = Duration.ofMillis(100);
    private String recordDelimiter = "\n";
    private Ticker ticker = Ticker.system();
    private Duration progressInterval = Duration.ofSeconds(1);
    private Consumer<GeneratorProgress> progressListener;
    private Duration drainTimeout = Duration.ofSeconds(30);

    private Builder(Template template, RecordSink sink) {
      this.template = Objects.requireNonNull(template, "template");
      this.sink = Objects.requireNonNull(sink, "sink");
    }

    /** The pace and the end of the run. Required. */
    public Builder ratePlan(RatePlan plan) {
      this.plan = Objects.requireNonNull(plan, "plan");
      return this;
    }

    /** Randomness and clock for rendering; default {@link RenderContext#unseeded()}. */
    public Builder renderContext(RenderContext ctx) {
      this.ctx = Objects.requireNonNull(ctx, "ctx");
      return this;
    }

    /** Shorthand for {@code renderContext(RenderContext.seeded(seed))}: reproducible records. */
    public Builder seed(long seed) {
      this.ctx = RenderContext.seeded(seed);
      return this;
    }

    /** How partition keys are chosen; default {@link PartitionKeyStrategy#randomUuid()}. */
    public Builder partitionKeys(PartitionKeyStrategy strategy) {
      this.partitionKeys = Objects.requireNonNull(strategy, "strategy");
      return this;
    }

    /** Most records per batch; default 500 (Kinesis PutRecords' limit). */
    public Builder maxBatchRecords(int n) {
      this.maxBatchRecords = positive("max batch records", n);
      return this;
    }

    /** Most bytes (data plus partition keys) per batch; default 5 MiB. */
    public Builder maxBatchBytes(long bytes) {
      if (bytes <= 0) {
        throw invalid("max batch bytes must be positive, got " + bytes);
      }
      this.maxBatchBytes = bytes;
      return this;
    }

    /** Largest record (data plus partition key) that is sent; default 1 MiB. */
    public Builder maxRecordBytes(int bytes) {
      this.maxRecordBytes = positive("max record bytes", bytes);
      return this;
    }

    /** Most batches outstanding at the sink at once; default 4. */
    public Builder maxInFlightBatches(int n) {
      this.maxInFlightBatches = positive("max in-flight batches", n);
      return this;
    }

    /** How long a partial batch may wait for more records before it is sent; default 100 ms. */
    public Builder maxBatchDelay(Duration delay) {
      Objects.requireNonNull(delay, "delay");
      if (delay.isNegative()) {
        throw invalid("max batch delay must not be negative, got " + delay);
      }
      this.maxBatchDelay = delay;
      return this;
    }

    /** Appended to every record; default a newline, as KDG does. Empty for none. */
    public Builder recordDelimiter(String delimiter) {
      this.recordDelimiter = Objects.requireNonNull(delimiter, "delimiter");
      return this;
    }

    /** The time source for pacing; default {@link Ticker#system()}. */
    public Builder ticker(Ticker ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    /** Receives a {@link GeneratorProgress} about every {@code interval} and once at the end. */
    public Builder onProgress(Duration interval, Consumer<GeneratorProgress> listener) {
      Objects.requireNonNull(interval, "interval");
      if (interval.isNegative() || interval.isZero()) {
        throw invalid("progress interval must be positive, got " + interval);
      }
      this.progressInterval = interval;
      this.progressListener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /** Receives a {@link GeneratorProgress} every second and once at the end. */
    public Builder onProgress(Consumer<GeneratorProgress> listener) {
      return onProgress(Duration.ofSeconds(1), listener);
    }

    /**
     * How long the end of a run waits for outstanding batches; batches still unanswered then count
     * as failed with an "outcome unknown" reason. Default 30 s.
     */
    public Builder drainTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isNegative()) {
        throw invalid("drain timeout must not be negative, got " + timeout);
      }
      this.drainTimeout = timeout;
      return this;
    }

    /**
     * @throws BasinException {@code INVALID_ARGUMENT} if the settings do not fit together
     */
    public Generator build() {
      if (plan == null) {
        throw invalid("a rate plan is required, e.g. RatePlan.constant(500)");
      }
      if (maxRecordBytes > maxBatchBytes) {
        throw invalid(
            "max record bytes ("
                + maxRecordBytes
                + ") must not exceed max batch bytes ("
                + maxBatchBytes
                + ")");
      }
      return new Generator(this);
    }

    private static int positive(String what, int n) {
      if (n <= 0) {
        throw invalid(what + " must be positive, got " + n);
      }
      return n;
    }

    private static BasinException invalid(String message) {
      return new BasinException(CommonErrorCode.INVALID_ARGUMENT, message);
    }
  }
}
