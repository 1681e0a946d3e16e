package dev.basin.spi.storage;

/**
 * Receives object events. Called after the change is durable, on a thread of the store's, in the
 * order changes were made to a key; a slow listener delays other listeners but never the write.
 * Exceptions are logged and do not stop delivery.
 */
@FunctionalInterface
public interface ObjectEventListener {
  void onEvent(ObjectEvent event);
}
