package dev.basin.spi.storage;

/** A key and optionally one of its versions (null for the current one). */
public record ObjectRef(String key, String versionId) {

  public static ObjectRef of(String key) {
    return new ObjectRef(key, null);
  }
}
