package dev.basin.storage;

import dev.basin.spi.storage.ListPage;
import dev.basin.spi.storage.ListRequest;
import dev.basin.spi.storage.ObjectInfo;
import dev.basin.spi.storage.VersionListRequest;
import dev.basin.spi.storage.VersionPage;
import dev.basin.storage.ObjectIndex.VersionRow;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Listings of current objects and of versions with S3's prefix, delimiter and marker rules. Keys
 * are compared as UTF-8 bytes; a common prefix is skipped as a whole by seeking to the smallest
 * byte string above every key that starts with it. Called inside a metadata transaction.
 */
final class Listing {
  private static final int BATCH = 256;

  private Listing() {}

  /**
   * Whether {@code marker} is a common prefix a listing with this prefix and delimiter could have
   * returned: the prefix, then text without the delimiter, then the delimiter.
   */
  static boolean isCommonPrefix(String marker, String prefix, String delimiter) {
    return delimiter != null
        && marker.startsWith(prefix)
        && marker.length() >= prefix.length() + delimiter.length()
        && marker.indexOf(delimiter, prefix.length()) == marker.length() - delimiter.length();
  }

  /** The common prefix {@code key} rolls up to, or null. */
  static String commonPrefix(String key, String prefix, String delimiter) {
    if (delimiter == null) {
      return null;
    }
    int at = key.indexOf(delimiter, prefix.length());
    return at < 0 ? null : key.substring(0, at + delimiter.length());
  }

  static ListPage objects(ObjectIndex index, String bucket, ListRequest request)
      throws SQLException {
    int max = LocalObjectStore.clampMax(request.maxKeys(), "maxKeys");
    if (max == 0) {
      return new ListPage(List.of(), List.of(), false, null);
    }
    String prefix = request.prefix();
    String delimiter = request.delimiter();
    byte[] prefixBytes = Names.utf8(prefix);
    byte[] below = prefixBytes.length == 0 ? null : Names.successor(prefixBytes);
    byte[] from = prefixBytes;
    boolean inclusive = true;
    if (request.startAfter() != null && !request.startAfter().isEmpty()) {
      byte[] after = Names.utf8(request.startAfter());
      if (isCommonPrefix(request.startAfter(), prefix, delimiter)) {
        after = Names.successor(after);
        if (after != null && Arrays.compareUnsigned(after, prefixBytes) > 0) {
          from = after;
        }
      } else if (Arrays.compareUnsigned(after, prefixBytes) >= 0) {
        from = after;
        inclusive = false;
      }
    }
    List<ObjectInfo> objects = new ArrayList<>();
    List<String> prefixes = new ArrayList<>();
    String last = null;
    boolean truncated = false;
    scan:
    while (from != null) {
      List<VersionRow> rows = index.currentObjects(bucket, from, inclusive, below, BATCH);
      if (rows.isEmpty()) {
        break;
      }
      for (VersionRow row : rows) {
        String cp = commonPrefix(row.key(), prefix, delimiter);
        if (objects.size() + prefixes.size() == max) {
          truncated = true;
          break scan;
        }
        if (cp != null) {
          prefixes.add(cp);
          last = cp;
          from = Names.successor(Names.utf8(cp));
          inclusive = true;
          continue scan;
        }
        objects.add(row.info());
        last = row.key();
        from = Names.utf8(row.key());
        inclusive = false;
      }
      if (rows.size() < BATCH) {
        break;
      }
    }
    return new ListPage(
        List.copyOf(objects), List.copyOf(prefixes), truncated, truncated ? last : null);
  }

  static VersionPage versions(ObjectIndex index, String bucket, VersionListRequest request)
      throws SQLException {
    int max = LocalObjectStore.clampMax(request.maxKeys(), "maxKeys");
    if (max == 0) {
      return new VersionPage(List.of(), List.of(), false, null, null);
    }
    String prefix = request.prefix();
    String delimiter = request.delimiter();
    byte[] prefixBytes = Names.utf8(prefix);
    byte[] below = prefixBytes.length == 0 ? null : Names.successor(prefixBytes);
    byte[] from = prefixBytes;
    boolean inclusive = true;
    Long beforeSeq = null;
    String keyMarker = request.keyMarker();
    if (keyMarker != null && !keyMarker.isEmpty()) {
      byte[] marker = Names.utf8(keyMarker);
      if (request.versionIdMarker() != null && !request.versionIdMarker().isEmpty()) {
        VersionRow at =
            index
                .version(bucket, marker, request.versionIdMarker())
                .orElseThrow(
                    () ->
                        Errors.invalidArgument(
                            "version id marker '"
                                + request.versionIdMarker()
                                + "' is not a version of '"
                                + keyMarker
                                + "' in bucket '"
                                + bucket
                                + "'; pass the markers of the previous page unchanged"));
        from = marker;
        beforeSeq = at.seq();
      } else if (isCommonPrefix(keyMarker, prefix, delimiter)) {
        byte[] after = Names.successor(marker);
        if (after != null && Arrays.compareUnsigned(after, prefixBytes) > 0) {
          from = after;
        }
      } else if (Arrays.compareUnsigned(marker, prefixBytes) >= 0) {
        from = marker;
        inclusive = false;
      }
    }
    List<VersionPage.ObjectVersion> versions = new ArrayList<>();
    List<String> prefixes = new ArrayList<>();
    String lastKey = null;
    String lastVersion = null;
    boolean truncated = false;
    scan:
    while (from != null) {
      List<VersionRow> rows = index.versionsFrom(bucket, from, inclusive, beforeSeq, below, BATCH);
      if (rows.isEmpty()) {
        break;
      }
      for (VersionRow row : rows) {
        String cp = commonPrefix(row.key(), prefix, delimiter);
        if (versions.size() + prefixes.size() == max) {
          truncated = true;
          break scan;
        }
        if (cp != null) {
          prefixes.add(cp);
          lastKey = cp;
          lastVersion = null;
          from = Names.successor(Names.utf8(cp));
          inclusive = true;
          beforeSeq = null;
          continue scan;
        }
        versions.add(new VersionPage.ObjectVersion(row.info(), row.latest()));
        lastKey = row.key();
        lastVersion = row.versionId();
        from = Names.utf8(row.key());
        beforeSeq = row.seq();
      }
      if (rows.size() < BATCH) {
        break;
      }
    }
    return new VersionPage(
        List.copyOf(versions),
        List.copyOf(prefixes),
        truncated,
        truncated ? lastKey : null,
        truncated ? lastVersion : null);
  }
}
