package dev.basin.storage;

import dev.basin.common.io.DurableFiles;
import dev.basin.spi.storage.BucketInfo;
import dev.basin.spi.storage.ByteRange;
import dev.basin.spi.storage.CompletedPart;
import dev.basin.spi.storage.CopyRequest;
import dev.basin.spi.storage.DeleteOutcome;
import dev.basin.spi.storage.DeleteResult;
import dev.basin.spi.storage.GetOptions;
import dev.basin.spi.storage.LifecycleAction;
import dev.basin.spi.storage.LifecycleConfiguration;
import dev.basin.spi.storage.ListPage;
import dev.basin.spi.storage.ListRequest;
import dev.basin.spi.storage.MultipartUpload;
import dev.basin.spi.storage.ObjectContent;
import dev.basin.spi.storage.ObjectEvent;
import dev.basin.spi.storage.ObjectEventListener;
import dev.basin.spi.storage.ObjectInfo;
import dev.basin.spi.storage.ObjectMetadata;
import dev.basin.spi.storage.ObjectRef;
import dev.basin.spi.storage.ObjectStore;
import dev.basin.spi.storage.ObjectStoreException;
import dev.basin.spi.storage.ObjectStoreException.Reason;
import dev.basin.spi.storage.PartInfo;
import dev.basin.spi.storage.PartsPage;
import dev.basin.spi.storage.PutOptions;
import dev.basin.spi.storage.SupportsLifecycle;
import dev.basin.spi.storage.SupportsLocalFiles;
import dev.basin.spi.storage.SupportsObjectEvents;
import dev.basin.spi.storage.SupportsObjectTagging;
import dev.basin.spi.storage.SupportsVersioning;
import dev.basin.spi.storage.UploadsPage;
import dev.basin.spi.storage.UploadsRequest;
import dev.basin.spi.storage.VersionListRequest;
import dev.basin.spi.storage.VersionPage;
import dev.basin.spi.storage.VersioningStatus;
import dev.basin.storage.DataFiles.Written;
import dev.basin.storage.ObjectIndex.BucketRow;
import dev.basin.storage.ObjectIndex.PartRow;
import dev.basin.storage.ObjectIndex.UploadRow;
import dev.basin.storage.ObjectIndex.VersionRow;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default {@link ObjectStore}: object bytes in immutable data files on local disk under {@code
 * root/<bucket>/}, and keys, versions, metadata and multipart uploads in a SQLite database (see
 * {@link DataFiles} and {@link ObjectIndex}). Any valid S3 key can be stored, including keys that a
 * file system path cannot hold ({@code a} next to {@code a/b}, {@code dir/}, {@code a//b}).
 *
 * <p>A put streams the body into a temporary file while hashing it, fsyncs it, renames it to its
 * data file and then commits the metadata row; that commit is the moment the object becomes
 * visible, and it is durable when the put returns. A crash before the commit leaves a file that no
 * row names, removed on the next open. Data files of replaced or deleted versions are removed after
 * the commit. Objects in a cold storage class are stored zstd-compressed and read back
 * transparently.
 *
 * <p>Thread-safe. Bodies are streamed, never held in memory; puts to different keys write in
 * parallel and only their metadata commits serialize. Concurrent puts to one key: the last commit
 * wins. Only one instance may use a root at a time (a lock file enforces this).
 */
public final class LocalObjectStore
    implements ObjectStore,
        SupportsVersioning,
        SupportsLifecycle,
        SupportsObjectEvents,
        SupportsObjectTagging,
        SupportsLocalFiles {
  private static final Logger LOG = LoggerFactory.getLogger(LocalObjectStore.class);

  static final Set<String> HOT_CLASSES = Set.of(ObjectInfo.STANDARD, "REDUCED_REDUNDANCY");
  static final Set<String> COLD_CLASSES =
      Set.of(
          "STANDARD_IA",
          "ONEZONE_IA",
          "INTELLIGENT_TIERING",
          "GLACIER_IR",
          "GLACIER",
          "DEEP_ARCHIVE");
  static final long MAX_OBJECT_SIZE = 5L * 1024 * 1024 * 1024 * 1024;
  static final long MAX_PUT_SIZE = 5L * 1024 * 1024 * 1024;
  static final int MAX_PART_NUMBER = 10_000;
  static final int MAX_LIST = 1000;

  private final LocalObjectStoreConfig config;
  private final Clock clock;
  private final DataFiles files;
  private final ObjectIndex index;
  private final EventDispatcher events;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final Lifecycle lifecycle;
  private volatile boolean closed;

  /** Changes made by one metadata transaction that take effect once it commits. */
  static final class Tx {
    final List<ObjectEvent> events = new ArrayList<>();
    final List<Path> garbage = new ArrayList<>();
  }

  @FunctionalInterface
  interface TxWork<T> {
    T run(Tx tx) throws SQLException;
  }

  private LocalObjectStore(LocalObjectStoreConfig config, Clock clock) throws IOException {
    this.config = config;
    this.clock = clock;
    this.files = new DataFiles(config.root());
    this.lockChannel =
        FileChannel.open(
            files.root().resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock acquired;
    try {
      acquired = lockChannel.tryLock();
    } catch (OverlappingFileLockException e) {
      acquired = null;
    }
    if (acquired == null) {
      lockChannel.close();
      throw new IllegalStateException(
          "the object store at "
              + files.root()
              + " is in use by another Basin instance; stop it first");
    }
    this.lock = acquired;
    ObjectIndex opened = null;
    try {
      opened = new ObjectIndex(config.metadataDb());
      this.index = opened;
      sweep();
    } catch (RuntimeException | IOException e) {
      if (opened != null) {
        opened.close();
      }
      lock.release();
      lockChannel.close();
      throw e;
    }
    this.events = new EventDispatcher("basin-object-events");
    this.lifecycle = new Lifecycle(this, index, files);
  }

  /**
   * Opens (creating if needed) the store described by {@code config}, taking timestamps from {@code
   * clock}. Removes temporary and unreferenced files a crash left behind.
   *
   * @throws UncheckedIOException if the directories or the database cannot be opened
   * @throws IllegalStateException if another instance has the store open
   */
  public static LocalObjectStore open(LocalObjectStoreConfig config, Clock clock) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(clock, "clock");
    try {
      return new LocalObjectStore(config, clock);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the object store at " + config.root(), e);
    }
  }

  /** Opens the store with the system clock. */
  public static LocalObjectStore open(LocalObjectStoreConfig config) {
    return open(config, Clock.systemUTC());
  }

  private void sweep() throws IOException {
    int temp = files.sweepTemp();
    int data = 0;
    List<BucketRow> buckets = index.transaction(index::buckets);
    Set<String> names = new TreeSet<>();
    for (BucketRow b : buckets) {
      names.add(b.name());
      data += files.sweepBucket(b.name(), index.transaction(() -> index.dataFiles(b.name())));
    }
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(files.root())) {
      for (Path dir : dirs) {
        String name = dir.getFileName().toString();
        if (!name.startsWith(".") && Files.isDirectory(dir) && !names.contains(name)) {
          data += files.sweepBucket(name, Set.of());
          removeEmptyTree(dir);
        }
      }
    }
    Map<String, Set<String>> uploads = index.transaction(index::uploadFiles);
    int parts = 0;
    for (String uploadId : files.uploadDirs()) {
      Set<String> referenced = uploads.get(uploadId);
      if (referenced == null) {
        files.deleteUploadDir(uploadId);
        parts++;
      } else {
        parts += files.sweepUpload(uploadId, referenced);
      }
    }
    if (temp + data + parts > 0) {
      LOG.info(
          "object store {}: removed {} temporary files, {} unreferenced data files and {}"
              + " abandoned part files or upload directories left by an earlier crash",
          files.root(),
          temp,
          data,
          parts);
    }
  }

  private static void removeEmptyTree(Path dir) throws IOException {
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path e : entries) {
        if (Files.isDirectory(e)) {
          removeEmptyTree(e);
        }
      }
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      if (entries.iterator().hasNext()) {
        return;
      }
    }
    Files.deleteIfExists(dir);
  }

  // ---- transactions

  /**
   * Runs {@code work} in one metadata transaction; after it commits, publishes its events (in
   * commit order) and deletes the files it made garbage.
   */
  <T> T commit(TxWork<T> work) {
    ensureOpen();
    Tx tx = new Tx();
    T result = index.transaction(() -> work.run(tx), () -> events.publish(tx.events));
    for (Path p : tx.garbage) {
      try {
        DurableFiles.deleteRecursively(p);
      } catch (IOException e) {
        LOG.warn("cannot delete {}; it will be removed on the next start", p, e);
      }
    }
    return result;
  }

  private <T> T read(ObjectIndex.Work<T> work) {
    ensureOpen();
    return index.transaction(work);
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("the object store at " + files.root() + " is closed");
    }
  }

  BucketRow requireBucket(String bucket) throws SQLException {
    if (bucket == null) {
      throw Errors.noSuchBucket(null);
    }
    return index.bucket(bucket).orElseThrow(() -> Errors.noSuchBucket(bucket));
  }

  // ---- buckets

  @Override
  public BucketInfo createBucket(String bucket) {
    Names.checkBucketName(bucket, config.reservedBuckets());
    try {
      files.createBucketDir(bucket);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the directory of bucket '" + bucket + "'", e);
    }
    return commit(
        tx -> {
          if (index.bucket(bucket).isPresent()) {
            throw new ObjectStoreException(
                Reason.BUCKET_ALREADY_EXISTS,
                "bucket '" + bucket + "' already exists; choose another name or use it as it is");
          }
          Instant now = clock.instant();
          index.insertBucket(bucket, now);
          return new BucketInfo(bucket, Instant.ofEpochMilli(now.toEpochMilli()));
        });
  }

  @Override
  public void deleteBucket(String bucket) {
    commit(
        tx -> {
          requireBucket(bucket);
          if (index.bucketHasContent(bucket)) {
            throw new ObjectStoreException(
                Reason.BUCKET_NOT_EMPTY,
                "bucket '"
                    + bucket
                    + "' is not empty (it has objects, object versions, delete markers or"
                    + " multipart uploads in progress); delete them first, e.g. with `basin s3 rm"
                    + " --recursive s3://"
                    + bucket
                    + "`");
          }
          index.deleteBucket(bucket);
          // Moved aside under the lock, so that a bucket re-created with the same name right
          // after this commit never loses files to the deletion of the old directory.
          files.moveBucketDirToTrash(bucket).ifPresent(tx.garbage::add);
          return null;
        });
  }

  @Override
  public Optional<BucketInfo> bucket(String bucket) {
    return read(() -> index.bucket(bucket).map(b -> new BucketInfo(b.name(), b.created())));
  }

  @Override
  public List<BucketInfo> listBuckets() {
    return read(
        () -> index.buckets().stream().map(b -> new BucketInfo(b.name(), b.created())).toList());
  }

  // ---- objects

  @Override
  public ObjectInfo put(
      String bucket, String key, InputStream data, long length, PutOptions options) {
    byte[] k = Names.checkKey(key);
    Objects.requireNonNull(data, "data");
    PutOptions opts = options == null ? PutOptions.defaults() : options;
    String storageClass = storageClass(opts.storageClass());
    checkSize(length, MAX_PUT_SIZE, "a single put; use a multipart upload for larger objects");
    byte[] expectedMd5 = decodeMd5(opts.contentMd5());
    read(
        () -> {
          requireBucket(bucket);
          if (opts.ifNoneMatchAny()) {
            checkAbsent(bucket, k, key);
          }
          return null;
        });
    boolean compress = COLD_CLASSES.contains(storageClass);
    Written w = files.write(data, length, MAX_PUT_SIZE, compress);
    checkDigest(w, expectedMd5);
    String dataFile = files.install(w, bucket, compress);
    return commitVersion(
        bucket,
        k,
        key,
        w.size(),
        hex(w.md5()),
        opts.metadata(),
        storageClass,
        0,
        dataFile,
        opts.ifNoneMatchAny(),
        "ObjectCreated:Put",
        null);
  }

  private void checkAbsent(String bucket, byte[] k, String key) throws SQLException {
    if (index.latest(bucket, k).filter(r -> !r.deleteMarker()).isPresent()) {
      throw new ObjectStoreException(
          Reason.ALREADY_EXISTS,
          "object '"
              + key
              + "' already exists in bucket '"
              + bucket
              + "' and the put asked not to replace it (If-None-Match: *)");
    }
  }

  private void checkDigest(Written w, byte[] expectedMd5) {
    if (expectedMd5 != null && !MessageDigest.isEqual(expectedMd5, w.md5())) {
      files.deleteQuietly(w.file());
      throw new ObjectStoreException(
          Reason.BAD_DIGEST,
          "the body's MD5 "
              + Base64.getEncoder().encodeToString(w.md5())
              + " does not match the Content-MD5 "
              + Base64.getEncoder().encodeToString(expectedMd5)
              + " sent with it; the body was corrupted in transit, send it again");
    }
  }

  private static byte[] decodeMd5(String contentMd5) {
    if (contentMd5 == null) {
      return null;
    }
    byte[] md5;
    try {
      md5 = Base64.getDecoder().decode(contentMd5.trim());
    } catch (IllegalArgumentException e) {
      md5 = null;
    }
    if (md5 == null || md5.length != 16) {
      throw new ObjectStoreException(
          Reason.BAD_DIGEST,
          "Content-MD5 '"
              + contentMd5
              + "' is not the base64 encoding of a 16-byte MD5; send base64(md5(body))");
    }
    return md5;
  }

  private static void checkSize(long length, long max, String what) {
    if (length > max) {
      throw new ObjectStoreException(
          Reason.ENTITY_TOO_LARGE,
          length + " bytes is more than the " + max + " bytes allowed for " + what);
    }
  }

  static String storageClass(String requested) {
    if (requested == null || requested.isBlank()) {
      return ObjectInfo.STANDARD;
    }
    if (HOT_CLASSES.contains(requested) || COLD_CLASSES.contains(requested)) {
      return requested;
    }
    TreeSet<String> known = new TreeSet<>(HOT_CLASSES);
    known.addAll(COLD_CLASSES);
    throw Errors.invalidArgument(
        "storage class '" + requested + "' is not supported; use one of " + known);
  }

  static boolean isCold(String storageClass) {
    return COLD_CLASSES.contains(storageClass);
  }

  /**
   * Commits a new current version whose data file is installed. If the commit is refused the data
   * file is deleted; if its outcome is unknown (a database failure) it is left for the sweep.
   */
  private ObjectInfo commitVersion(
      String bucket,
      byte[] k,
      String key,
      long size,
      String etag,
      ObjectMetadata metadata,
      String storageClass,
      int parts,
      String dataFile,
      boolean ifNoneMatchAny,
      String eventName,
      TxWork<Void> alsoInTx) {
    try {
      return commit(
          tx -> {
            BucketRow b = requireBucket(bucket);
            if (!java.nio.file.Files.exists(files.dataPath(bucket, dataFile))) {
              // The bucket was deleted (and perhaps re-created) while the bytes were written:
              // its directory went to the trash with this file in it.
              throw new ObjectStoreException(
                  Reason.NO_SUCH_BUCKET,
                  "bucket '"
                      + bucket
                      + "' was deleted while the object was being written; nothing was stored");
            }
            if (ifNoneMatchAny) {
              checkAbsent(bucket, k, key);
            }
            if (alsoInTx != null) {
              alsoInTx.run(tx);
            }
            VersionRow row =
                addVersion(
                    tx, b, k, key, false, size, etag, metadata, storageClass, parts, dataFile);
            tx.events.add(
                new ObjectEvent(
                    ObjectEvent.Type.CREATED,
                    eventName,
                    bucket,
                    key,
                    eventVersion(b, row.versionId()),
                    size,
                    etag,
                    row.lastModified()));
            return row.info();
          });
    } catch (ObjectStoreException e) {
      files.deleteQuietly(files.dataPath(bucket, dataFile));
      throw e;
    }
  }

  static String eventVersion(BucketRow b, String versionId) {
    return b.versioning() == VersioningStatus.UNVERSIONED ? null : versionId;
  }

  /**
   * Adds a version (an object or a delete marker) as the key's current one: in a versioned bucket
   * with a new version id, otherwise as the {@code null} version, replacing an existing one.
   */
  VersionRow addVersion(
      Tx tx,
      BucketRow b,
      byte[] k,
      String key,
      boolean deleteMarker,
      long size,
      String etag,
      ObjectMetadata metadata,
      String storageClass,
      int parts,
      String dataFile)
      throws SQLException {
    Instant now = Instant.ofEpochMilli(clock.millis());
    String versionId =
        b.versioning() == VersioningStatus.ENABLED
            ? Ids.timeOrdered(now.toEpochMilli())
            : ObjectInfo.NULL_VERSION;
    if (versionId.equals(ObjectInfo.NULL_VERSION)) {
      Optional<VersionRow> old = index.version(b.name(), k, ObjectInfo.NULL_VERSION);
      if (old.isPresent()) {
        index.deleteVersion(old.get().seq());
        discard(tx, old.get());
      }
    }
    index.demoteLatest(b.name(), k, now);
    long seq =
        index.insertVersion(
            b.name(),
            k,
            versionId,
            deleteMarker,
            size,
            etag,
            now,
            metadata,
            storageClass,
            parts,
            dataFile);
    return new VersionRow(
        seq,
        b.name(),
        key,
        versionId,
        true,
        deleteMarker,
        size,
        etag,
        now,
        metadata,
        storageClass,
        parts,
        dataFile,
        null);
  }

  void discard(Tx tx, VersionRow row) {
    if (row.dataFile() != null) {
      tx.garbage.add(files.dataPath(row.bucket(), row.dataFile()));
    }
  }

  /** A version and its data file, opened while the metadata lock was held. */
  private record Opened(VersionRow row, FileChannel channel) {}

  /**
   * Finds a version and opens its data file under the metadata lock, so a concurrent replace cannot
   * delete the file between the lookup and the open.
   */
  private Opened open(String bucket, byte[] k, String key, String versionId) {
    return read(
        () -> {
          VersionRow row = resolve(bucket, k, key, versionId);
          try {
            return new Opened(
                row,
                FileChannel.open(files.dataPath(bucket, row.dataFile()), StandardOpenOption.READ));
          } catch (IOException e) {
            throw new UncheckedIOException(
                "cannot open the data file of '" + key + "' in bucket '" + bucket + "'", e);
          }
        });
  }

  private VersionRow resolve(String bucket, byte[] k, String key, String versionId)
      throws SQLException {
    return resolve(bucket, k, key, versionId, "has no content (S3 answers 405 MethodNotAllowed)");
  }

  /**
   * The version to read: the current one when {@code versionId} is null. A delete marker in its
   * place is a {@link dev.basin.spi.storage.DeleteMarkerException}; {@code whyNotAMarker} says what
   * the marker lacks for the operation at hand.
   */
  private VersionRow resolve(
      String bucket, byte[] k, String key, String versionId, String whyNotAMarker)
      throws SQLException {
    requireBucket(bucket);
    if (versionId == null) {
      VersionRow row = index.latest(bucket, k).orElseThrow(() -> Errors.noSuchKey(bucket, key));
      if (row.deleteMarker()) {
        throw Errors.currentIsDeleteMarker(row.info());
      }
      return row;
    }
    VersionRow row =
        index
            .version(bucket, k, versionId)
            .orElseThrow(() -> Errors.noSuchVersion(bucket, key, versionId));
    if (row.deleteMarker()) {
      throw Errors.versionIsDeleteMarker(row.info(), whyNotAMarker);
    }
    return row;
  }

  @Override
  public ObjectContent get(String bucket, String key, GetOptions options) {
    byte[] k = Names.checkKey(key);
    GetOptions opts = options == null ? GetOptions.current() : options;
    Opened o = open(bucket, k, key, opts.versionId());
    try {
      VersionRow row = o.row();
      ByteRange.Resolved range = opts.range() == null ? null : opts.range().resolve(row.size());
      long start = range == null ? 0 : range.start();
      long length = range == null ? row.size() : range.length();
      InputStream in =
          DataFiles.openRange(o.channel(), DataFiles.isCompressed(row.dataFile()), start, length);
      return new ObjectContent(row.info(), range, in);
    } catch (IOException e) {
      closeQuietly(o.channel());
      throw new UncheckedIOException("cannot read '" + key + "' in bucket '" + bucket + "'", e);
    } catch (RuntimeException e) {
      closeQuietly(o.channel());
      throw e;
    }
  }

  private static void closeQuietly(FileChannel ch) {
    try {
      ch.close();
    } catch (IOException e) {
      LOG.debug("cannot close {}", ch, e);
    }
  }

  @Override
  public ObjectInfo head(String bucket, String key, String versionId) {
    byte[] k = Names.checkKey(key);
    return read(() -> resolve(bucket, k, key, versionId).info());
  }

  // ---- tagging

  private static final String MARKER_HAS_NO_TAGS =
      "has no tags (S3 answers 405 MethodNotAllowed); tag an object version instead";

  @Override
  public Map<String, String> tags(String bucket, String key, String versionId) {
    byte[] k = Names.checkKey(key);
    return read(() -> resolve(bucket, k, key, versionId, MARKER_HAS_NO_TAGS).metadata().tags());
  }

  /**
   * Updates only the {@code tags} column of the version's row, in one metadata transaction that
   * also resolves the version, so that the version tagged is the one current at the commit.
   */
  @Override
  public ObjectInfo setTags(String bucket, String key, String versionId, Map<String, String> tags) {
    byte[] k = Names.checkKey(key);
    Map<String, String> checked = checkTags(bucket, key, tags);
    return commit(
        tx -> {
          VersionRow row = resolve(bucket, k, key, versionId, MARKER_HAS_NO_TAGS);
          if (!index.setTags(row.seq(), checked)) {
            throw new IllegalStateException("version row " + row.seq() + " vanished under lock");
          }
          ObjectMetadata m = row.metadata();
          return new ObjectInfo(
              row.bucket(),
              row.key(),
              row.versionId(),
              row.size(),
              row.etag(),
              row.lastModified(),
              new ObjectMetadata(
                  m.contentType(),
                  m.contentEncoding(),
                  m.contentDisposition(),
                  m.cacheControl(),
                  m.contentLanguage(),
                  m.user(),
                  checked),
              row.storageClass(),
              false,
              row.parts());
        });
  }

  /** Checks S3's tag limits; the message names the object and the offending tag. */
  static Map<String, String> checkTags(String bucket, String key, Map<String, String> tags) {
    Objects.requireNonNull(tags, "tags");
    String object = "object '" + key + "' in bucket '" + bucket + "'";
    if (tags.size() > SupportsObjectTagging.MAX_TAGS) {
      throw Errors.invalidArgument(
          object
              + " cannot have "
              + tags.size()
              + " tags; S3 allows at most "
              + SupportsObjectTagging.MAX_TAGS
              + " per object version");
    }
    for (Map.Entry<String, String> e : tags.entrySet()) {
      String name = e.getKey();
      if (name == null) {
        throw Errors.invalidArgument("a tag of " + object + " has no key; give every tag a key");
      }
      int keyLength = name.codePointCount(0, name.length());
      if (keyLength < 1 || keyLength > SupportsObjectTagging.MAX_TAG_KEY_LENGTH) {
        throw Errors.invalidArgument(
            "tag key '"
                + name
                + "' of "
                + object
                + " is "
                + keyLength
                + " characters long; use 1 to "
                + SupportsObjectTagging.MAX_TAG_KEY_LENGTH);
      }
      String value = e.getValue();
      if (value == null) {
        throw Errors.invalidArgument(
            "tag '" + name + "' of " + object + " has no value; use an empty value instead");
      }
      int valueLength = value.codePointCount(0, value.length());
      if (valueLength > SupportsObjectTagging.MAX_TAG_VALUE_LENGTH) {
        throw Errors.invalidArgument(
            "the value of tag '"
                + name
                + "' of "
                + object
                + " is "
                + valueLength
                + " characters long; use at most "
                + SupportsObjectTagging.MAX_TAG_VALUE_LENGTH);
      }
    }
    return Map.copyOf(tags);
  }

  @Override
  public Optional<Path> localFile(String bucket, String key) {
    byte[] k = Names.checkKey(key);
    return read(
        () -> {
          VersionRow row = resolve(bucket, k, key, null);
          return DataFiles.isCompressed(row.dataFile())
              ? Optional.empty()
              : Optional.of(files.dataPath(bucket, row.dataFile()));
        });
  }

  @Override
  public ListPage list(String bucket, ListRequest request) {
    Objects.requireNonNull(request, "request");
    return read(() -> Listing.objects(index, requireBucket(bucket).name(), request));
  }

  @Override
  public DeleteResult delete(String bucket, String key, String versionId) {
    byte[] k = Names.checkKey(key);
    return commit(tx -> deleteIn(tx, requireBucket(bucket), k, key, versionId, "ObjectRemoved"));
  }

  /**
   * Deletes as S3 does (see {@link #delete}); {@code eventPrefix} is {@code ObjectRemoved} or
   * {@code LifecycleExpiration}.
   */
  DeleteResult deleteIn(
      Tx tx, BucketRow b, byte[] k, String key, String versionId, String eventPrefix)
      throws SQLException {
    Instant now = Instant.ofEpochMilli(clock.millis());
    if (versionId == null && b.versioning() != VersioningStatus.UNVERSIONED) {
      VersionRow marker =
          addVersion(
              tx, b, k, key, true, 0, null, ObjectMetadata.empty(), ObjectInfo.STANDARD, 0, null);
      tx.events.add(
          new ObjectEvent(
              ObjectEvent.Type.REMOVED,
              eventPrefix + ":DeleteMarkerCreated",
              b.name(),
              key,
              marker.versionId(),
              0,
              null,
              now));
      return new DeleteResult(key, marker.versionId(), true);
    }
    String target = versionId == null ? ObjectInfo.NULL_VERSION : versionId;
    Optional<VersionRow> found = index.version(b.name(), k, target);
    String reported = b.versioning() == VersioningStatus.UNVERSIONED ? null : versionId;
    if (found.isEmpty()) {
      return new DeleteResult(key, reported, false);
    }
    VersionRow row = found.get();
    index.deleteVersion(row.seq());
    discard(tx, row);
    if (row.latest()) {
      index.promoteNewest(b.name(), k);
    }
    tx.events.add(
        new ObjectEvent(
            ObjectEvent.Type.REMOVED,
            eventPrefix + ":Delete",
            b.name(),
            key,
            eventVersion(b, row.versionId()),
            0,
            null,
            now));
    return new DeleteResult(key, reported, row.deleteMarker());
  }

  @Override
  public List<DeleteOutcome> deleteAll(String bucket, List<ObjectRef> objects) {
    Objects.requireNonNull(objects, "objects");
    List<DeleteOutcome> outcomes = new ArrayList<>(objects.size());
    List<byte[]> keys = new ArrayList<>(objects.size());
    for (ObjectRef ref : objects) {
      try {
        keys.add(Names.checkKey(ref.key()));
      } catch (ObjectStoreException e) {
        keys.add(null);
      }
    }
    return commit(
        tx -> {
          outcomes.clear();
          BucketRow b = requireBucket(bucket);
          for (int i = 0; i < objects.size(); i++) {
            ObjectRef ref = objects.get(i);
            if (keys.get(i) == null) {
              try {
                Names.checkKey(ref.key());
              } catch (ObjectStoreException e) {
                outcomes.add(new DeleteOutcome(ref, null, e));
              }
              continue;
            }
            outcomes.add(
                new DeleteOutcome(
                    ref,
                    deleteIn(tx, b, keys.get(i), ref.key(), ref.versionId(), "ObjectRemoved"),
                    null));
          }
          return List.copyOf(outcomes);
        });
  }

  @Override
  public ObjectInfo copy(CopyRequest request) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(request.source(), "request.source");
    byte[] sk = Names.checkKey(request.source().key());
    byte[] tk = Names.checkKey(request.key());
    String storageClass = storageClass(request.storageClass());
    read(() -> requireBucket(request.bucket()));
    Opened o =
        open(request.sourceBucket(), sk, request.source().key(), request.source().versionId());
    try (FileChannel ch = o.channel()) {
      VersionRow src = o.row();
      boolean self =
          request.sourceBucket().equals(request.bucket())
              && request.source().key().equals(request.key())
              && src.latest();
      if (self && request.metadata() == null && storageClass.equals(src.storageClass())) {
        throw new ObjectStoreException(
            Reason.INVALID_REQUEST,
            "copying '"
                + request.key()
                + "' in bucket '"
                + request.bucket()
                + "' onto itself changes nothing; pass new metadata (metadata directive REPLACE)"
                + " or a different storage class");
      }
      ObjectMetadata metadata = request.metadata() != null ? request.metadata() : src.metadata();
      boolean srcCompressed = DataFiles.isCompressed(src.dataFile());
      boolean compress = isCold(storageClass);
      Written w;
      String etag;
      if (srcCompressed == compress && src.parts() == 0) {
        w = files.clone(ch, src.size());
        etag = src.etag();
      } else {
        try (InputStream in = DataFiles.openRange(ch, srcCompressed, 0, src.size())) {
          w = files.copyOf(in, src.size(), compress);
        }
        etag = hex(w.md5());
      }
      String dataFile = files.install(w, request.bucket(), compress);
      return commitVersion(
          request.bucket(),
          tk,
          request.key(),
          w.size(),
          etag,
          metadata,
          storageClass,
          0,
          dataFile,
          false,
          "ObjectCreated:Copy",
          null);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot copy '" + request.source().key() + "' in bucket '" + request.sourceBucket() + "'",
          e);
    }
  }

  // ---- multipart uploads

  @Override
  public MultipartUpload createMultipartUpload(String bucket, String key, PutOptions options) {
    Names.checkKey(key);
    PutOptions opts = options == null ? PutOptions.defaults() : options;
    String storageClass = storageClass(opts.storageClass());
    byte[] k = Names.utf8(key);
    read(() -> requireBucket(bucket));
    Instant now = Instant.ofEpochMilli(clock.millis());
    String uploadId = Ids.timeOrdered(now.toEpochMilli());
    try {
      files.createUploadDir(uploadId);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the directory of upload " + uploadId, e);
    }
    UploadRow row = new UploadRow(uploadId, bucket, key, now, opts.metadata(), storageClass);
    commit(
        tx -> {
          requireBucket(bucket);
          index.insertUpload(row, k);
          return null;
        });
    return row.upload();
  }

  private UploadRow requireUpload(String bucket, String key, String uploadId) throws SQLException {
    requireBucket(bucket);
    if (uploadId == null) {
      throw Errors.noSuchUpload(bucket, key, null);
    }
    return index
        .upload(uploadId)
        .filter(u -> u.bucket().equals(bucket) && u.key().equals(key))
        .orElseThrow(() -> Errors.noSuchUpload(bucket, key, uploadId));
  }

  private static void checkPartNumber(int partNumber) {
    if (partNumber < 1 || partNumber > MAX_PART_NUMBER) {
      throw Errors.invalidArgument(
          "part number " + partNumber + " is out of range; use 1 to " + MAX_PART_NUMBER);
    }
  }

  @Override
  public PartInfo uploadPart(
      String bucket,
      String key,
      String uploadId,
      int partNumber,
      InputStream data,
      long length,
      String contentMd5) {
    Names.checkKey(key);
    Objects.requireNonNull(data, "data");
    read(() -> requireUpload(bucket, key, uploadId));
    checkPartNumber(partNumber);
    checkSize(length, MAX_PUT_SIZE, "one part");
    byte[] expectedMd5 = decodeMd5(contentMd5);
    Written w = files.write(data, length, MAX_PUT_SIZE, false);
    checkDigest(w, expectedMd5);
    return storePart(bucket, key, uploadId, partNumber, w);
  }

  /** Installs a written part and commits it, replacing an earlier upload of the same number. */
  private PartInfo storePart(
      String bucket, String key, String uploadId, int partNumber, Written w) {
    String file = files.installPart(w, uploadId, partNumber);
    Path path = files.uploadDir(uploadId).resolve(file);
    PartRow part =
        new PartRow(
            uploadId,
            partNumber,
            hex(w.md5()),
            w.size(),
            Instant.ofEpochMilli(clock.millis()),
            file);
    try {
      commit(
          tx -> {
            requireUpload(bucket, key, uploadId);
            index
                .putPart(part)
                .ifPresent(old -> tx.garbage.add(files.uploadDir(uploadId).resolve(old)));
            return null;
          });
    } catch (ObjectStoreException e) {
      files.deleteQuietly(path);
      throw e;
    }
    return new PartInfo(partNumber, part.etag(), part.size(), part.lastModified());
  }

  @Override
  public PartInfo uploadPartCopy(
      String bucket,
      String key,
      String uploadId,
      int partNumber,
      String sourceBucket,
      ObjectRef source,
      ByteRange range) {
    Names.checkKey(key);
    Objects.requireNonNull(source, "source");
    byte[] sk = Names.checkKey(source.key());
    read(() -> requireUpload(bucket, key, uploadId));
    checkPartNumber(partNumber);
    Opened o = open(sourceBucket, sk, source.key(), source.versionId());
    try (FileChannel ch = o.channel()) {
      VersionRow src = o.row();
      long start = 0;
      long length = src.size();
      if (range != null) {
        ByteRange.Resolved r = range.resolve(src.size());
        start = r.start();
        length = r.length();
      }
      checkSize(length, MAX_PUT_SIZE, "one part");
      try (InputStream in =
          DataFiles.openRange(ch, DataFiles.isCompressed(src.dataFile()), start, length)) {
        return storePart(bucket, key, uploadId, partNumber, files.copyOf(in, length, false));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot copy '" + source.key() + "' in bucket '" + sourceBucket + "' into a part", e);
    }
  }

  private record Assembly(UploadRow upload, List<PartRow> parts, List<FileChannel> channels) {}

  @Override
  public ObjectInfo completeMultipartUpload(
      String bucket, String key, String uploadId, List<CompletedPart> parts) {
    byte[] k = Names.checkKey(key);
    Assembly a = read(() -> prepareAssembly(bucket, key, uploadId, parts));
    try {
      MessageDigest md5s = DataFiles.md5();
      long total = 0;
      for (PartRow p : a.parts()) {
        md5s.update(HexFormat.of().parseHex(p.etag()));
        total += p.size();
      }
      checkSize(total, MAX_OBJECT_SIZE, "one object");
      String etag = hex(md5s.digest()) + "-" + a.parts().size();
      boolean compress = isCold(a.upload().storageClass());
      Written w = files.concat(a.channels(), compress);
      String dataFile = files.install(w, bucket, compress);
      return commitVersion(
          bucket,
          k,
          key,
          w.size(),
          etag,
          a.upload().metadata(),
          a.upload().storageClass(),
          a.parts().size(),
          dataFile,
          false,
          "ObjectCreated:CompleteMultipartUpload",
          tx -> {
            requireUpload(bucket, key, uploadId);
            index.deleteUpload(uploadId);
            tx.garbage.add(files.uploadDir(uploadId));
            return null;
          });
    } finally {
      for (FileChannel ch : a.channels()) {
        closeQuietly(ch);
      }
    }
  }

  private Assembly prepareAssembly(
      String bucket, String key, String uploadId, List<CompletedPart> parts) throws SQLException {
    UploadRow upload = requireUpload(bucket, key, uploadId);
    if (parts == null || parts.isEmpty()) {
      throw new ObjectStoreException(
          Reason.INVALID_REQUEST,
          "completing upload '"
              + uploadId
              + "' of '"
              + key
              + "' needs at least one part; list the uploaded parts with ListParts");
    }
    int previous = 0;
    for (CompletedPart p : parts) {
      if (p.partNumber() <= previous) {
        throw new ObjectStoreException(
            Reason.INVALID_PART_ORDER,
            "the parts of upload '"
                + uploadId
                + "' must be listed in ascending part number order without repeats; part "
                + p.partNumber()
                + " follows part "
                + previous);
      }
      previous = p.partNumber();
    }
    List<PartRow> rows = new ArrayList<>(parts.size());
    for (int i = 0; i < parts.size(); i++) {
      CompletedPart p = parts.get(i);
      PartRow row =
          index
              .part(uploadId, p.partNumber())
              .orElseThrow(
                  () ->
                      new ObjectStoreException(
                          Reason.INVALID_PART,
                          "part "
                              + p.partNumber()
                              + " of upload '"
                              + uploadId
                              + "' was never uploaded; upload it or leave it out of the list"));
      String given = p.etag() == null ? "" : p.etag().replace("\"", "").trim();
      if (!given.equalsIgnoreCase(row.etag())) {
        throw new ObjectStoreException(
            Reason.INVALID_PART,
            "part "
                + p.partNumber()
                + " of upload '"
                + uploadId
                + "' has ETag "
                + row.etag()
                + ", not "
                + p.etag()
                + "; use the ETag its upload returned (the part may have been uploaded again)");
      }
      if (i < parts.size() - 1 && row.size() < config.minPartSize()) {
        throw new ObjectStoreException(
            Reason.ENTITY_TOO_SMALL,
            "part "
                + p.partNumber()
                + " of upload '"
                + uploadId
                + "' is "
                + row.size()
                + " bytes; every part but the last must be at least "
                + config.minPartSize()
                + " bytes");
      }
      rows.add(row);
    }
    List<FileChannel> channels = new ArrayList<>(rows.size());
    try {
      for (PartRow row : rows) {
        channels.add(
            FileChannel.open(
                files.uploadDir(uploadId).resolve(row.file()), StandardOpenOption.READ));
      }
    } catch (IOException e) {
      channels.forEach(LocalObjectStore::closeQuietly);
      throw new UncheckedIOException("cannot open the parts of upload " + uploadId, e);
    }
    return new Assembly(upload, rows, channels);
  }

  @Override
  public void abortMultipartUpload(String bucket, String key, String uploadId) {
    Names.checkKey(key);
    commit(
        tx -> {
          requireUpload(bucket, key, uploadId);
          index.deleteUpload(uploadId);
          tx.garbage.add(files.uploadDir(uploadId));
          return null;
        });
  }

  @Override
  public PartsPage listParts(
      String bucket, String key, String uploadId, int partNumberMarker, int maxParts) {
    Names.checkKey(key);
    int max = clampMax(maxParts, "maxParts");
    return read(
        () -> {
          UploadRow upload = requireUpload(bucket, key, uploadId);
          List<PartRow> rows = index.parts(uploadId, Math.max(0, partNumberMarker), max + 1);
          boolean truncated = rows.size() > max;
          List<PartInfo> parts =
              rows.stream()
                  .limit(max)
                  .map(p -> new PartInfo(p.partNumber(), p.etag(), p.size(), p.lastModified()))
                  .toList();
          int next = truncated ? parts.get(parts.size() - 1).partNumber() : 0;
          return new PartsPage(upload.upload(), parts, truncated, next);
        });
  }

  @Override
  public UploadsPage listMultipartUploads(String bucket, UploadsRequest request) {
    Objects.requireNonNull(request, "request");
    int max = clampMax(request.maxUploads(), "maxUploads");
    return read(
        () -> {
          requireBucket(bucket);
          byte[] prefix = Names.utf8(request.prefix());
          byte[] below = prefix.length == 0 ? null : Names.successor(prefix);
          byte[] from = prefix;
          boolean inclusive = true;
          String afterUpload = null;
          if (request.keyMarker() != null && !request.keyMarker().isEmpty()) {
            byte[] marker = Names.utf8(request.keyMarker());
            if (Arrays.compareUnsigned(marker, prefix) >= 0) {
              from = marker;
              inclusive = false;
              afterUpload = request.uploadIdMarker();
            }
          }
          List<UploadRow> rows =
              index.uploadsFrom(bucket, from, afterUpload, inclusive, below, max + 1);
          boolean truncated = rows.size() > max;
          List<MultipartUpload> uploads = rows.stream().limit(max).map(UploadRow::upload).toList();
          MultipartUpload last = truncated ? uploads.get(uploads.size() - 1) : null;
          return new UploadsPage(
              uploads,
              truncated,
              last == null ? null : last.key(),
              last == null ? null : last.uploadId());
        });
  }

  static int clampMax(int max, String name) {
    if (max < 0) {
      throw Errors.invalidArgument(name + " must not be negative, was " + max);
    }
    return Math.min(max, MAX_LIST);
  }

  // ---- versioning

  @Override
  public VersioningStatus versioning(String bucket) {
    return read(() -> requireBucket(bucket).versioning());
  }

  @Override
  public void setVersioning(String bucket, VersioningStatus status) {
    if (status == null || status == VersioningStatus.UNVERSIONED) {
      throw Errors.invalidArgument(
          "versioning of bucket '"
              + bucket
              + "' can only be set to ENABLED or SUSPENDED, not "
              + status
              + "; suspend it to stop creating new versions");
    }
    commit(
        tx -> {
          requireBucket(bucket);
          index.setVersioning(bucket, status);
          return null;
        });
  }

  @Override
  public VersionPage listVersions(String bucket, VersionListRequest request) {
    Objects.requireNonNull(request, "request");
    return read(() -> Listing.versions(index, requireBucket(bucket).name(), request));
  }

  // ---- lifecycle

  @Override
  public Optional<LifecycleConfiguration> lifecycle(String bucket) {
    return read(
        () -> Optional.ofNullable(requireBucket(bucket).lifecycle()).map(LifecycleCodec::read));
  }

  @Override
  public void setLifecycle(String bucket, LifecycleConfiguration configuration) {
    LifecycleCodec.validate(configuration);
    String json = LifecycleCodec.write(configuration);
    commit(
        tx -> {
          requireBucket(bucket);
          index.setLifecycle(bucket, json);
          return null;
        });
  }

  @Override
  public void deleteLifecycle(String bucket) {
    commit(
        tx -> {
          requireBucket(bucket);
          index.setLifecycle(bucket, null);
          return null;
        });
  }

  @Override
  public List<LifecycleAction> runLifecycle(Instant now) {
    Objects.requireNonNull(now, "now");
    ensureOpen();
    return lifecycle.run(now);
  }

  @Override
  public List<LifecycleAction> lifecycleHistory(String bucket, int limit) {
    if (limit < 0) {
      throw Errors.invalidArgument("limit must not be negative, was " + limit);
    }
    return read(() -> index.history(bucket, limit));
  }

  // ---- events

  @Override
  public AutoCloseable subscribe(ObjectEventListener listener) {
    ensureOpen();
    return events.subscribe(listener);
  }

  // ---- close

  /** Delivers queued events, then closes the database and releases the store's lock. */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    events.close();
    index.close();
    try {
      lock.release();
      lockChannel.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot release the object store lock", e);
    }
  }

  static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }
}
