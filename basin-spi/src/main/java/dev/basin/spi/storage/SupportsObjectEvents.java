package dev.basin.spi.storage;

/** An object store that announces object creations and removals. */
public interface SupportsObjectEvents {

  /**
   * Subscribes a listener to every bucket's events.
   *
   * @return closing it unsubscribes
   */
  AutoCloseable subscribe(ObjectEventListener listener);
}
