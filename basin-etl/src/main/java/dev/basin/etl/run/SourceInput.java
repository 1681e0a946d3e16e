package dev.basin.etl.run;

import java.util.List;

/**
 * What one source node reads in a run: everything, a set of objects (prefix sources and external
 * tables), or the snapshots an Iceberg table gained since the bookmark. Recorded in an epoch before
 * the run processes it, so that a rerun after a crash reads exactly the same input.
 *
 * @param kind {@code all}, {@code objects} or {@code snapshots}
 * @param objects for {@code objects}: the objects to read
 * @param fromSnapshot for {@code snapshots}: the last snapshot already processed (exclusive), or
 *     null to read the table as of {@code toSnapshot}
 * @param toSnapshot for {@code snapshots}: the snapshot to read up to (inclusive), or null when the
 *     table has no snapshot yet
 */
public record SourceInput(
    String kind, List<ObjectRef> objects, Long fromSnapshot, Long toSnapshot) {

  public SourceInput {
    objects = objects == null ? List.of() : List.copyOf(objects);
  }

  /** The whole source (bookmarks disabled, or a source that opts out). */
  public static SourceInput all() {
    return new SourceInput("all", List.of(), null, null);
  }

  public static SourceInput objects(List<ObjectRef> objects) {
    return new SourceInput("objects", objects, null, null);
  }

  public static SourceInput snapshots(Long from, Long to) {
    return new SourceInput("snapshots", List.of(), from, to);
  }

  /** Whether there is nothing new to read. */
  public boolean empty() {
    return switch (kind) {
      case "objects" -> objects.isEmpty();
      case "snapshots" -> toSnapshot == null || toSnapshot.equals(fromSnapshot);
      default -> false;
    };
  }

  /**
   * One object.
   *
   * @param uri {@code s3://bucket/key}
   * @param etag its ETag when listed
   * @param size its size in bytes
   */
  public record ObjectRef(String uri, String etag, long size) {}
}
