package dev.basin.spi.storage;

import java.util.List;

/**
 * A page of versions.
 *
 * @param versions versions and delete markers by key, newest first within a key
 * @param commonPrefixes rolled-up prefixes
 * @param truncated whether more follow
 * @param nextKeyMarker continue with this key marker when truncated
 * @param nextVersionIdMarker and this version id marker
 */
public record VersionPage(
    List<ObjectVersion> versions,
    List<String> commonPrefixes,
    boolean truncated,
    String nextKeyMarker,
    String nextVersionIdMarker) {

  /** A version ({@code info.deleteMarker()} tells a delete marker) and whether it is the latest. */
  public record ObjectVersion(ObjectInfo info, boolean latest) {}
}
