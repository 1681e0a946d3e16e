package dev.basin.storage;

import dev.basin.spi.storage.ObjectEvent;
import dev.basin.spi.storage.ObjectEventListener;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers object events to listeners on one daemon thread, in the order they were published. A
 * listener that throws is logged and the others still receive the event. Thread-safe.
 */
final class EventDispatcher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EventDispatcher.class);

  private final List<ObjectEventListener> listeners = new CopyOnWriteArrayList<>();
  private final ExecutorService thread;

  EventDispatcher(String name) {
    this.thread =
        new ThreadPoolExecutor(
            1,
            1,
            0,
            TimeUnit.MILLISECONDS,
            new LinkedBlockingQueue<>(),
            r -> {
              Thread t = new Thread(r, name);
              t.setDaemon(true);
              return t;
            });
  }

  AutoCloseable subscribe(ObjectEventListener listener) {
    java.util.Objects.requireNonNull(listener, "listener");
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  boolean hasListeners() {
    return !listeners.isEmpty();
  }

  /** Queues events for delivery. Call after the change is committed, in commit order. */
  void publish(List<ObjectEvent> events) {
    if (events.isEmpty() || listeners.isEmpty()) {
      return;
    }
    try {
      thread.execute(() -> deliver(events));
    } catch (RejectedExecutionException e) {
      LOG.warn("object store is closed; {} events not delivered", events.size());
    }
  }

  private void deliver(List<ObjectEvent> events) {
    for (ObjectEvent event : events) {
      for (ObjectEventListener listener : listeners) {
        try {
          listener.onEvent(event);
        } catch (RuntimeException | Error e) {
          LOG.error("object event listener {} failed on {}", listener, event, e);
        }
      }
    }
  }

  /** Delivers what is queued, then stops the thread. */
  @Override
  public void close() {
    thread.shutdown();
    try {
      if (!thread.awaitTermination(30, TimeUnit.SECONDS)) {
        LOG.warn("object event listeners did not finish within 30 s; abandoning the rest");
        thread.shutdownNow();
      }
    } catch (InterruptedException e) {
      thread.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
