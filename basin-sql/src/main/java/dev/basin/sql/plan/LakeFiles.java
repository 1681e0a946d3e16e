package dev.basin.sql.plan;

import dev.basin.spi.sql.SqlException;
import dev.basin.spi.sql.SqlState;
import dev.basin.spi.storage.ObjectStore;
import dev.basin.spi.storage.ObjectStoreException;
import dev.basin.spi.storage.SupportsLocalFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Turns {@code s3://bucket/key} locations into paths DuckDB can read: the object's own file when
 * the store keeps it plain on local disk, otherwise a copy in the engine's cache (objects in the
 * compressed cold tier, stores without local files).
 *
 * <p>Thread-safe.
 */
public final class LakeFiles {

  private final ObjectStore store;
  private final Path cacheDir;

  public LakeFiles(ObjectStore store, Path cacheDir) {
    this.store = store;
    this.cacheDir = cacheDir;
  }

  /** A parsed {@code s3://bucket/key} (also {@code s3a://}, {@code s3n://}). */
  public record Location(String bucket, String key) {

    /**
     * @throws SqlException {@link SqlState#INVALID_PARAMETER_VALUE} if it is not an s3 URI
     */
    public static Location parse(String uri) {
      int scheme = uri.indexOf("://");
      String s = scheme < 0 ? "" : uri.substring(0, scheme);
      if (!s.equals("s3") && !s.equals("s3a") && !s.equals("s3n")) {
        throw new SqlException(
            SqlState.INVALID_PARAMETER_VALUE,
            "'" + uri + "' is not a lake location; write s3://bucket/prefix/");
      }
      String rest = uri.substring(scheme + 3);
      int slash = rest.indexOf('/');
      if (slash <= 0) {
        return new Location(rest, "");
      }
      return new Location(rest.substring(0, slash), rest.substring(slash + 1));
    }

    @Override
    public String toString() {
      return "s3://" + bucket + "/" + key;
    }
  }

  public ObjectStore store() {
    return store;
  }

  /**
   * A local path holding the object's current bytes.
   *
   * @throws SqlException {@link SqlState#UNDEFINED_TABLE} if the object is gone (a table whose
   *     files were deleted behind the catalog's back)
   */
  public Path localPath(String uri) {
    Location loc = Location.parse(uri);
    try {
      if (store instanceof SupportsLocalFiles local) {
        Optional<Path> path = local.localFile(loc.bucket(), loc.key());
        if (path.isPresent()) {
          return path.get();
        }
      }
      String etag = store.head(loc.bucket(), loc.key(), null).etag();
      Path cached = cacheDir.resolve(digest(uri + "\n" + etag));
      if (Files.exists(cached)) {
        return cached;
      }
      Path tmp = Files.createTempFile(cacheDir, "fetch", ".tmp");
      try (dev.basin.spi.storage.ObjectContent content =
              store.get(loc.bucket(), loc.key(), dev.basin.spi.storage.GetOptions.current());
          InputStream in = content.stream()) {
        Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
        Files.move(
            tmp, cached, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } finally {
        Files.deleteIfExists(tmp);
      }
      evict(cached);
      return cached;
    } catch (ObjectStoreException e) {
      if (e.reason() == ObjectStoreException.Reason.NO_SUCH_KEY
          || e.reason() == ObjectStoreException.Reason.NO_SUCH_BUCKET) {
        throw new SqlException(
            SqlState.UNDEFINED_TABLE,
            "data file "
                + uri
                + " is missing from the lake; the table's files were removed"
                + " outside the catalog",
            e);
      }
      throw new SqlException(
          SqlState.INTERNAL_ERROR, "cannot read " + uri + ": " + e.getMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot cache " + uri, e);
    }
  }

  /** Most bytes of copied objects kept in the cache; the least recently copied go first. */
  private static final long CACHE_BYTES = 4L * 1024 * 1024 * 1024;

  private synchronized void evict(Path keep) throws IOException {
    java.util.List<Path> files;
    try (java.util.stream.Stream<Path> s = Files.list(cacheDir)) {
      files = new java.util.ArrayList<>(s.filter(Files::isRegularFile).toList());
    }
    long total = 0;
    for (Path p : files) {
      total += Files.size(p);
    }
    if (total <= CACHE_BYTES) {
      return;
    }
    files.sort(
        java.util.Comparator.comparing(
            p -> {
              try {
                return Files.getLastModifiedTime(p).toMillis();
              } catch (IOException e) {
                return 0L;
              }
            }));
    for (Path p : files) {
      if (total <= CACHE_BYTES) {
        break;
      }
      if (!p.equals(keep)) {
        total -= Files.size(p);
        Files.deleteIfExists(p);
      }
    }
  }

  private static String digest(String s) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
