package dev.basin.spi.storage;

/** One object's outcome in a batch delete: a result or an error, never both. */
public record DeleteOutcome(ObjectRef ref, DeleteResult result, ObjectStoreException error) {

  public boolean ok() {
    return error == null;
  }
}
