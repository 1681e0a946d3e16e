package dev.basin.sql.mv;

import dev.basin.sql.DuckDbSession;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.iceberg.events.CreateSnapshotEvent;
import org.apache.iceberg.events.Listeners;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refreshes materialized views in the background: those with {@code AUTO REFRESH YES} after each
 * commit to one of their Iceberg inputs, those with {@code REFRESH EVERY …} on their period. One
 * thread polls the inputs' current snapshot ids (every second by default) and wakes early when this
 * process commits an Iceberg snapshot (an Iceberg {@link CreateSnapshotEvent} listener), then
 * refreshes the due views one after another, each on a session of its own ({@code basin-mv}).
 *
 * <p>A refresh never overlaps another refresh of the same view (it skips a view a statement is
 * refreshing). A failed refresh is logged and recorded in the view's status and retried with
 * exponential backoff; it never stops the thread. Which views exist is re-read from the catalog
 * every {@code rediscoverEvery}, so views created by another engine on the same catalog are found.
 *
 * <p>Thread-safe. {@link #close()} stops the thread and cancels the refresh in progress, which
 * commits nothing unless it had already reached its commit.
 */
public final class MaterializedViewRefresher implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(MaterializedViewRefresher.class);

  /**
   * Iceberg's listener registry is global and permanent: one listener wakes the live refreshers.
   */
  private static final Set<MaterializedViewRefresher> LIVE = ConcurrentHashMap.newKeySet();

  private static final AtomicBoolean LISTENING = new AtomicBoolean();

  private final MaterializedViews views;
  private final Duration pollInterval;
  private final Duration rediscoverEvery;
  private final Object signal = new Object();
  private boolean woken;
  private volatile boolean running;
  private volatile DuckDbSession current;
  private Thread thread;

  /** A refresher polling every second and re-reading the catalog's views every 30 seconds. */
  public MaterializedViewRefresher(MaterializedViews views) {
    this(views, Duration.ofSeconds(1), Duration.ofSeconds(30));
  }

  public MaterializedViewRefresher(
      MaterializedViews views, Duration pollInterval, Duration rediscoverEvery) {
    if (pollInterval.isZero() || pollInterval.isNegative()) {
      throw new IllegalArgumentException("pollInterval must be positive: " + pollInterval);
    }
    this.views = views;
    this.pollInterval = pollInterval;
    this.rediscoverEvery = rediscoverEvery;
  }

  /** Starts the background thread. Idempotent. */
  public synchronized void start() {
    if (thread != null) {
      return;
    }
    running = true;
    if (LISTENING.compareAndSet(false, true)) {
      Listeners.register(
          (CreateSnapshotEvent event) -> LIVE.forEach(MaterializedViewRefresher::wakeUp),
          CreateSnapshotEvent.class);
    }
    LIVE.add(this);
    thread = new Thread(this::run, "basin-mv-refresher");
    thread.setDaemon(true);
    thread.start();
  }

  /** Makes the thread look at the views now instead of at its next poll. Cheap; thread-safe. */
  public void wakeUp() {
    synchronized (signal) {
      woken = true;
      signal.notifyAll();
    }
  }

  private void run() {
    Instant lastDiscovery = null;
    while (running) {
      try {
        Instant now = views.engine().clock().instant();
        if (lastDiscovery == null || !now.isBefore(lastDiscovery.plus(rediscoverEvery))) {
          views.discover();
          lastDiscovery = now;
        }
        for (MaterializedViews.Tracked t : views.tracked()) {
          if (!running) {
            break;
          }
          if (views.due(t, views.engine().clock().instant())) {
            views.refreshInBackground(t, s -> current = s, () -> !running);
          }
        }
      } catch (RuntimeException e) {
        LOG.atWarn().setCause(e).log("materialized view refresher: poll failed; retrying");
      }
      await();
    }
  }

  private void await() {
    synchronized (signal) {
      try {
        if (!woken && running) {
          signal.wait(Math.max(1, pollInterval.toMillis()));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        running = false;
      }
      woken = false;
    }
  }

  /**
   * Stops the thread: cancels the refresh in progress and waits up to 30 seconds for the thread to
   * end. Idempotent.
   */
  @Override
  public void close() {
    Thread t;
    synchronized (this) {
      running = false;
      LIVE.remove(this);
      t = thread;
      thread = null;
    }
    if (t == null) {
      return;
    }
    wakeUp();
    DuckDbSession s = current;
    if (s != null) {
      s.cancel();
    }
    try {
      t.join(Duration.ofSeconds(30).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (t.isAlive()) {
      LOG.warn("materialized view refresher did not stop within 30 s; leaving it to finish");
    }
  }
}
