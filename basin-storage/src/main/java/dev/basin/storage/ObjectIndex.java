package dev.basin.storage;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.basin.common.io.DurableFiles;
import dev.basin.common.json.Json;
import dev.basin.spi.storage.LifecycleAction;
import dev.basin.spi.storage.MultipartUpload;
import dev.basin.spi.storage.ObjectInfo;
import dev.basin.spi.storage.ObjectMetadata;
import dev.basin.spi.storage.VersioningStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The store's metadata in SQLite: buckets, object versions, multipart uploads and parts, and the
 * lifecycle history. A committed transaction here is the commit point of every change; the database
 * runs in WAL mode with {@code synchronous=FULL}, so a commit is durable when it returns.
 *
 * <p>One connection serves the whole store; {@link #transaction} serializes access to it. Keys are
 * stored as UTF-8 BLOBs so that SQLite's byte-wise comparison gives S3's listing order.
 */
final class ObjectIndex implements AutoCloseable {
  private static final int SCHEMA_VERSION = 1;
  private static final TypeReference<TreeMap<String, String>> STRING_MAP = new TypeReference<>() {};

  static final String VERSION_COLUMNS =
      "seq, bucket, key, version_id, latest, delete_marker, size, etag, last_modified,"
          + " content_type, content_encoding, content_disposition, cache_control,"
          + " content_language, user_meta, tags, storage_class, parts, data_file,"
          + " noncurrent_since";
  private static final String UPLOAD_COLUMNS =
      "upload_id, bucket, key, initiated, content_type, content_encoding, content_disposition,"
          + " cache_control, content_language, user_meta, tags, storage_class";

  private final Connection conn;
  private final ReentrantLock lock = new ReentrantLock();

  /** Work done inside one transaction. */
  @FunctionalInterface
  interface Work<T> {
    T run() throws SQLException;
  }

  record BucketRow(String name, Instant created, VersioningStatus versioning, String lifecycle) {}

  record VersionRow(
      long seq,
      String bucket,
      String key,
      String versionId,
      boolean latest,
      boolean deleteMarker,
      long size,
      String etag,
      Instant lastModified,
      ObjectMetadata metadata,
      String storageClass,
      int parts,
      String dataFile,
      Instant noncurrentSince) {

    ObjectInfo info() {
      return new ObjectInfo(
          bucket,
          key,
          versionId,
          size,
          etag,
          lastModified,
          metadata,
          storageClass,
          deleteMarker,
          parts);
    }
  }

  record UploadRow(
      String uploadId,
      String bucket,
      String key,
      Instant initiated,
      ObjectMetadata metadata,
      String storageClass) {

    MultipartUpload upload() {
      return new MultipartUpload(bucket, key, uploadId, initiated, metadata, storageClass);
    }
  }

  record PartRow(
      String uploadId, int partNumber, String etag, long size, Instant lastModified, String file) {}

  ObjectIndex(Path file) {
    try {
      DurableFiles.createDirectories(file.toAbsolutePath().getParent());
      conn = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
      try (Statement st = conn.createStatement()) {
        st.execute("PRAGMA busy_timeout=10000");
        st.execute("PRAGMA journal_mode=WAL");
        st.execute("PRAGMA synchronous=FULL");
      }
      conn.setAutoCommit(false);
      migrate();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the directory of " + file, e);
    } catch (SQLException e) {
      throw io("cannot open the object metadata database " + file, e);
    }
  }

  static UncheckedIOException io(String message, SQLException e) {
    return new UncheckedIOException(message + ": " + e.getMessage(), new IOException(e));
  }

  private void migrate() throws SQLException {
    try (Statement st = conn.createStatement()) {
      int version;
      try (ResultSet rs = st.executeQuery("PRAGMA user_version")) {
        version = rs.next() ? rs.getInt(1) : 0;
      }
      if (version > SCHEMA_VERSION) {
        throw new SQLException(
            "schema version "
                + version
                + " is newer than this Basin understands ("
                + SCHEMA_VERSION
                + "); upgrade Basin");
      }
      if (version == SCHEMA_VERSION) {
        conn.commit();
        return;
      }
      st.execute(
          "CREATE TABLE buckets(name TEXT PRIMARY KEY, created INTEGER NOT NULL,"
              + " versioning TEXT NOT NULL, lifecycle TEXT)");
      st.execute(
          "CREATE TABLE objects(seq INTEGER PRIMARY KEY AUTOINCREMENT, bucket TEXT NOT NULL,"
              + " key BLOB NOT NULL, version_id TEXT NOT NULL, latest INTEGER NOT NULL,"
              + " delete_marker INTEGER NOT NULL, size INTEGER NOT NULL, etag TEXT,"
              + " last_modified INTEGER NOT NULL, content_type TEXT NOT NULL,"
              + " content_encoding TEXT, content_disposition TEXT, cache_control TEXT,"
              + " content_language TEXT, user_meta TEXT NOT NULL, tags TEXT NOT NULL,"
              + " storage_class TEXT NOT NULL, parts INTEGER NOT NULL, data_file TEXT,"
              + " noncurrent_since INTEGER)");
      st.execute("CREATE UNIQUE INDEX objects_by_version ON objects(bucket, key, version_id)");
      st.execute("CREATE INDEX objects_by_key ON objects(bucket, key, seq)");
      st.execute("CREATE INDEX objects_current ON objects(bucket, latest, key)");
      st.execute(
          "CREATE TABLE uploads(upload_id TEXT PRIMARY KEY, bucket TEXT NOT NULL,"
              + " key BLOB NOT NULL, initiated INTEGER NOT NULL, content_type TEXT NOT NULL,"
              + " content_encoding TEXT, content_disposition TEXT, cache_control TEXT,"
              + " content_language TEXT, user_meta TEXT NOT NULL, tags TEXT NOT NULL,"
              + " storage_class TEXT NOT NULL)");
      st.execute("CREATE INDEX uploads_by_key ON uploads(bucket, key, upload_id)");
      st.execute(
          "CREATE TABLE parts(upload_id TEXT NOT NULL, part_number INTEGER NOT NULL,"
              + " etag TEXT NOT NULL, size INTEGER NOT NULL, last_modified INTEGER NOT NULL,"
              + " file TEXT NOT NULL, PRIMARY KEY(upload_id, part_number))");
      st.execute(
          "CREATE TABLE lifecycle_history(seq INTEGER PRIMARY KEY AUTOINCREMENT,"
              + " at INTEGER NOT NULL, bucket TEXT NOT NULL, rule_id TEXT NOT NULL,"
              + " kind TEXT NOT NULL, key TEXT NOT NULL, version_id TEXT, bytes INTEGER NOT NULL,"
              + " detail TEXT)");
      st.execute("CREATE INDEX lifecycle_history_by_bucket ON lifecycle_history(bucket, seq)");
      st.execute("PRAGMA user_version=" + SCHEMA_VERSION);
      conn.commit();
    } catch (SQLException e) {
      conn.rollback();
      throw e;
    }
  }

  /**
   * Runs {@code work} in a transaction holding the index's lock and commits it; rolls back if it
   * throws. Not reentrant.
   *
   * @throws UncheckedIOException if the database fails (the outcome of a failed commit is unknown)
   */
  <T> T transaction(Work<T> work) {
    return transaction(work, null);
  }

  /**
   * As {@link #transaction(Work)}, running {@code afterCommit} once the commit succeeded, still
   * holding the lock (so that what it does is ordered as the commits are).
   */
  <T> T transaction(Work<T> work, Runnable afterCommit) {
    lock.lock();
    try {
      if (lock.getHoldCount() > 1) {
        throw new IllegalStateException("nested object index transaction");
      }
      boolean done = false;
      try {
        T result = work.run();
        conn.commit();
        done = true;
        if (afterCommit != null) {
          afterCommit.run();
        }
        return result;
      } finally {
        if (!done) {
          try {
            conn.rollback();
          } catch (SQLException e) {
            // The original failure is the interesting one.
          }
        }
      }
    } catch (SQLException e) {
      throw io("object metadata database failed", e);
    } finally {
      lock.unlock();
    }
  }

  // ---- buckets

  Optional<BucketRow> bucket(String name) throws SQLException {
    try (PreparedStatement ps =
        conn.prepareStatement(
            "SELECT name, created, versioning, lifecycle FROM buckets WHERE name = ?")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(bucketRow(rs)) : Optional.empty();
      }
    }
  }

  List<BucketRow> buckets() throws SQLException {
    List<BucketRow> rows = new ArrayList<>();
    try (PreparedStatement ps =
            conn.prepareStatement(
                "SELECT name, created, versioning, lifecycle FROM buckets ORDER BY name");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        rows.add(bucketRow(rs));
      }
    }
    return rows;
  }

  private static BucketRow bucketRow(ResultSet rs) throws SQLException {
    return new BucketRow(
        rs.getString(1),
        Instant.ofEpochMilli(rs.getLong(2)),
        VersioningStatus.valueOf(rs.getString(3)),
        rs.getString(4));
  }

  void insertBucket(String name, Instant created) throws SQLException {
    try (PreparedStatement ps =
        conn.prepareStatement(
            "INSERT INTO buckets(name, created, versioning) VALUES (?, ?, 'UNVERSIONED')")) {
      ps.setString(1, name);
      ps.setLong(2, created.toEpochMilli());
      ps.executeUpdate();
    }
  }

  void deleteBucket(String name) throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement("DELETE FROM buckets WHERE name = ?")) {
      ps.setString(1, name);
      ps.executeUpdate();
    }
  }

  void setVersioning(String name, VersioningStatus status) throws SQLException {
    try (PreparedStatement ps =
        conn.prepareStatement("UPDATE buckets SET versioning = ? WHERE name = ?")) {
      ps.setString(1, status.name());
      ps.setString(2, name);
      ps.executeUpdate();
    }
  }

  void setLifecycle(String name, String json) throws SQLException {
    try (PreparedStatement ps =
        conn.prepareStatement("UPDATE buckets SET lifecycle = ? WHERE name = ?")) {
      ps.setString(1, json);
      ps.setString(2, name);
      ps.executeUpdate();
    }
  }

  boolean bucketHasContent(String name) throws SQLException {
    try (PreparedStatement ps =
        conn.prepareStatement(
            "SELECT EXISTS(SELECT 1 FROM objects WHERE bucket = ?)"
                + " OR EXISTS(SELECT 1 FROM uploads WHERE bucket = ?)")) {
      ps.setString(1, name);
      ps.setString(2, name);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getBoolean(1);
      }
    }
  }

  // ---- object versions

  Optional<VersionRow> latest(String bucket, byte[] key) throws SQLException {
    return one(
        "SELECT " + VERSION_COLUMNS + " FROM objects WHERE bucket = ? AND key = ? AND latest = 1",
        bucket,
        key);
  }

  Optional<VersionRow> version(String bucket, byte[] key, String versionId) throws SQLException {
    return one(
        "SELECT "
            + VERSION_COLUMNS
            + " FROM objects WHERE bucket = ? AND key = ? AND version_id = ?",
        bucket,
        key,
        versionId);
  }

  Optional<VersionRow> bySeq(long seq) throws SQLException {
    return one("SELECT " + VERSION_COLUMNS + " FROM objects WHERE seq = ?", seq);
  }

  /** Every version of a key, newest first. */
  List<VersionRow> versionsOf(String bucket, byte[] key) throws SQLException {
    return many(
        "SELECT "
            + VERSION_COLUMNS
            + " FROM objects WHERE bucket = ? AND key = ? ORDER BY seq DESC",
        bucket,
        key);
  }

  /**
   * Current objects (not delete markers) with keys from {@code from} (inclusive or not) and below
   * {@code below} (null for no bound), in key order.
   */
  List<VersionRow> currentObjects(
      String bucket, byte[] from, boolean inclusive, byte[] below, int limit) throws SQLException {
    String sql =
        "SELECT "
            + VERSION_COLUMNS
            + " FROM objects WHERE bucket = ? AND latest = 1 AND delete_marker = 0 AND key "
            + (inclusive ? ">=" : ">")
            + " ?"
            + (below == null ? "" : " AND key < ?")
            + " ORDER BY key LIMIT ?";
    return below == null ? many(sql, bucket, from, limit) : many(sql, bucket, from, below, limit);
  }

  /**
   * Versions with keys after {@code fromKey} (or equal to it and older than {@code beforeSeq} when
   * that is not null), below {@code below}, by key then newest first.
   */
  List<VersionRow> versionsFrom(
      String bucket, byte[] fromKey, boolean inclusive, Long beforeSeq, byte[] below, int limit)
      throws SQLException {
    StringBuilder sql =
        new StringBuilder("SELECT ")
            .append(VERSION_COLUMNS)
            .append(" FROM objects WHERE bucket = ?");
    List<Object> args = new ArrayList<>(List.of(bucket));
    if (beforeSeq != null) {
      sql.append(" AND (key > ? OR (key = ? AND seq < ?))");
      args.add(fromKey);
      args.add(fromKey);
      args.add(beforeSeq);
    } else {
      sql.append(inclusive ? " AND key >= ?" : " AND key > ?");
      args.add(fromKey);
    }
    if (below != null) {
      sql.append(" AND key < ?");
      args.add(below);
    }
    sql.append(" ORDER BY key, seq DESC LIMIT ?");
    args.add(limit);
    return many(sql.toString(), args.toArray());
  }

  /**
   * Current ({@code latest}) or noncurrent versions of a bucket whose keys start with {@code
   * prefix}, by key then newest first.
   */
  List<VersionRow> scan(String bucket, byte[] prefix, boolean latest) throws SQLException {
    byte[] below = prefix.length == 0 ? null : Names.successor(prefix);
    String sql =
        "SELECT "
            + VERSION_COLUMNS
            + " FROM objects WHERE bucket = ? AND latest = ? AND key >= ?"
            + (below == null ? "" : " AND key < ?")
            + " ORDER BY key, seq DESC";
    return below == null
        ? many(sql, bucket, latest ? 1 : 0, prefix)
        : many(sql, bucket, latest ? 1 : 0, prefix, below);
  }

  long insertVersion(
      String bucket,
      byte[] key,
      String versionId,
      boolean deleteMarker,
      long size,
      String etag,
      Instant lastModified,
      ObjectMetadata metadata,
      String storageClass,
      int parts,
      String dataFile)
      throws SQLException {
    try (PreparedStatement ps =
        conn.prepareStatement(
            "INSERT INTO objects(bucket, key, version_id, latest, delete_marker, size, etag,"
                + " last_modified, content_type, content_encoding, content_disposition,"
                + " cache_control, content_language, user_meta, tags, storage_class, parts,"
                + " data_file) VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            Statement.RETURN_GENERATED_KEYS)) {
      ps.setString(1, bucket);
      ps.setBytes(2, key);
      ps.setString(3, versionId);
      ps.setBoolean(4, deleteMarker);
      ps.setLong(5, size);
      ps.setString(6, etag);
      ps.setLong(7, lastModified.toEpochMilli());
      bindMetadata(ps, 8, metadata);
      ps.setString(15, storageClass);
      ps.setInt(16, parts);
      ps.setString(17, dataFile);
      ps.executeUpdate();
      try (ResultSet rs = ps.getGeneratedKeys()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /** Makes the current version of a key noncurrent as of {@code since}. */
  void demoteLatest(String bucket, byte[] key, Instant since) throws SQLException {
    try (PreparedStatement ps =
        conn.prepareStatement(
            "UPDATE objects SET latest = 0, noncurrent_since = ?"
                + " WHERE bucket = ? AND key = ? AND latest = 1")) {
      ps.setLong(1, since.toEpochMilli());
      ps.setString(2, bucket);
      ps.setBytes(3, key);
      ps.executeUpdate();
    }
  }

  /** Makes the newest remaining version of a key current, if there is one. */
  void promoteNewest(String bucket, byte[] key) throws SQLException {
    try (PreparedStatement ps =
        conn.prepareStatement(
            "UPDATE objects SET latest = 1, noncurrent_since = NULL WHERE seq ="
                + " (SELECT MAX(seq) FROM objects WHERE bucket = ? AND key = ?)")) {
      ps.setString(1, bucket);
      ps.setBytes(2, key);
      ps.executeUpdate();
    }
  }

  void deleteVersion(long seq) throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement("DELETE FROM objects WHERE seq = ?")) {
      ps.setLong(1, seq);
      ps.executeUpdate();
    }
  }

  /** Points a version at a new data file and storage class (a lifecycle transition). */
  boolean moveVersion(long seq, String expectedFile, String newFile, String storageClass)
      throws SQLException {
    try (PreparedStatement ps =
        conn.prepareStatement(
            "UPDATE objects SET data_file = ?, storage_class = ? WHERE seq = ? AND data_file = ?")) {
      ps.setString(1, newFile);
      ps.setString(2, storageClass);
      ps.setLong(3, seq);
      ps.setString(4, expectedFile);
      return ps.executeUpdate() == 1;
    }
  }

  /** Replaces the tags of one version, leaving everything else about it as it is. */
  boolean setTags(long seq, Map<String, String> tags) throws SQLException {
    try (PreparedStatement ps =
        conn.prepareStatement("UPDATE objects SET tags = ? WHERE seq = ?")) {
      ps.setString(1, Json.write(new TreeMap<>(tags)));
      ps.setLong(2, seq);
      return ps.executeUpdate() == 1;
    }
  }

  /** The data files the versions of a bucket reference. */
  Set<String> dataFiles(String bucket) throws SQLException {
    Set<String> files = new HashSet<>();
    try (PreparedStatement ps =
        conn.prepareStatement(
            "SELECT data_file FROM objects WHERE bucket = ? AND data_file IS NOT NULL")) {
      ps.setString(1, bucket);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          files.add(rs.getString(1));
        }
      }
    }
    return files;
  }

  // ---- uploads

  void insertUpload(UploadRow u, byte[] key) throws SQLException {
    try (PreparedStatement ps =
        conn.prepareStatement(
            "INSERT INTO uploads("
                + UPLOAD_COLUMNS
                + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      ps.setString(1, u.uploadId());
      ps.setString(2, u.bucket());
      ps.setBytes(3, key);
      ps.setLong(4, u.initiated().toEpochMilli());
      bindMetadata(ps, 5, u.metadata());
      ps.setString(12, u.storageClass());
      ps.executeUpdate();
    }
  }

  Optional<UploadRow> upload(String uploadId) throws SQLException {
    List<UploadRow> rows =
        uploads("SELECT " + UPLOAD_COLUMNS + " FROM uploads WHERE upload_id = ?", uploadId);
    return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
  }

  /** Uploads of a bucket after the markers, below {@code below}, by key then upload id. */
  List<UploadRow> uploadsFrom(
      String bucket,
      byte[] fromKey,
      String afterUploadId,
      boolean inclusive,
      byte[] below,
      int limit)
      throws SQLException {
    StringBuilder sql =
        new StringBuilder("SELECT ")
            .append(UPLOAD_COLUMNS)
            .append(" FROM uploads WHERE bucket = ?");
    List<Object> args = new ArrayList<>(List.of(bucket));
    if (afterUploadId != null) {
      sql.append(" AND (key > ? OR (key = ? AND upload_id > ?))");
      args.add(fromKey);
      args.add(fromKey);
      args.add(afterUploadId);
    } else {
      sql.append(inclusive ? " AND key >= ?" : " AND key > ?");
      args.add(fromKey);
    }
    if (below != null) {
      sql.append(" AND key < ?");
      args.add(below);
    }
    sql.append(" ORDER BY key, upload_id LIMIT ?");
    args.add(limit);
    return uploads(sql.toString(), args.toArray());
  }

  List<UploadRow> allUploads(String bucket) throws SQLException {
    return uploads(
        "SELECT " + UPLOAD_COLUMNS + " FROM uploads WHERE bucket = ? ORDER BY key, upload_id",
        bucket);
  }

  void deleteUpload(String uploadId) throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement("DELETE FROM parts WHERE upload_id = ?")) {
      ps.setString(1, uploadId);
      ps.executeUpdate();
    }
    try (PreparedStatement ps = conn.prepareStatement("DELETE FROM uploads WHERE upload_id = ?")) {
      ps.setString(1, uploadId);
      ps.executeUpdate();
    }
  }

  private List<UploadRow> uploads(String sql, Object... args) throws SQLException {
    List<UploadRow> rows = new ArrayList<>();
    try (PreparedStatement ps = conn.prepareStatement(sql)) {
      bind(ps, args);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rows.add(
              new UploadRow(
                  rs.getString(1),
                  rs.getString(2),
                  Names.fromUtf8(rs.getBytes(3)),
                  Instant.ofEpochMilli(rs.getLong(4)),
                  metadata(rs, 5),
                  rs.getString(12)));
        }
      }
    }
    return rows;
  }

  /** Stores a part, returning the file of the part it replaced, if any. */
  Optional<String> putPart(PartRow p) throws SQLException {
    Optional<String> old = part(p.uploadId(), p.partNumber()).map(PartRow::file);
    try (PreparedStatement ps =
        conn.prepareStatement(
            "INSERT OR REPLACE INTO parts(upload_id, part_number, etag, size, last_modified, file)"
                + " VALUES (?, ?, ?, ?, ?, ?)")) {
      ps.setString(1, p.uploadId());
      ps.setInt(2, p.partNumber());
      ps.setString(3, p.etag());
      ps.setLong(4, p.size());
      ps.setLong(5, p.lastModified().toEpochMilli());
      ps.setString(6, p.file());
      ps.executeUpdate();
    }
    return old;
  }

  Optional<PartRow> part(String uploadId, int partNumber) throws SQLException {
    List<PartRow> rows =
        parts(
            "SELECT upload_id, part_number, etag, size, last_modified, file FROM parts"
                + " WHERE upload_id = ? AND part_number = ?",
            uploadId,
            partNumber);
    return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
  }

  /** Parts of an upload after {@code afterPart}, by number, at most {@code limit}. */
  List<PartRow> parts(String uploadId, int afterPart, int limit) throws SQLException {
    return parts(
        "SELECT upload_id, part_number, etag, size, last_modified, file FROM parts"
            + " WHERE upload_id = ? AND part_number > ? ORDER BY part_number LIMIT ?",
        uploadId,
        afterPart,
        limit);
  }

  private List<PartRow> parts(String sql, Object... args) throws SQLException {
    List<PartRow> rows = new ArrayList<>();
    try (PreparedStatement ps = conn.prepareStatement(sql)) {
      bind(ps, args);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rows.add(
              new PartRow(
                  rs.getString(1),
                  rs.getInt(2),
                  rs.getString(3),
                  rs.getLong(4),
                  Instant.ofEpochMilli(rs.getLong(5)),
                  rs.getString(6)));
        }
      }
    }
    return rows;
  }

  /** Every upload id with the part files its rows name. */
  Map<String, Set<String>> uploadFiles() throws SQLException {
    Map<String, Set<String>> files = new TreeMap<>();
    try (PreparedStatement ps = conn.prepareStatement("SELECT upload_id FROM uploads");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        files.put(rs.getString(1), new HashSet<>());
      }
    }
    try (PreparedStatement ps = conn.prepareStatement("SELECT upload_id, file FROM parts");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        Set<String> set = files.get(rs.getString(1));
        if (set != null) {
          set.add(rs.getString(2));
        }
      }
    }
    return files;
  }

  // ---- lifecycle history

  void recordAction(LifecycleAction a) throws SQLException {
    try (PreparedStatement ps =
        conn.prepareStatement(
            "INSERT INTO lifecycle_history(at, bucket, rule_id, kind, key, version_id, bytes,"
                + " detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
      ps.setLong(1, a.at().toEpochMilli());
      ps.setString(2, a.bucket());
      ps.setString(3, a.ruleId());
      ps.setString(4, a.kind().name());
      ps.setString(5, a.key());
      ps.setString(6, a.versionId());
      ps.setLong(7, a.bytes());
      ps.setString(8, a.detail());
      ps.executeUpdate();
    }
  }

  List<LifecycleAction> history(String bucket, int limit) throws SQLException {
    String sql =
        "SELECT at, bucket, rule_id, kind, key, version_id, bytes, detail FROM lifecycle_history"
            + (bucket == null ? "" : " WHERE bucket = ?")
            + " ORDER BY seq DESC LIMIT ?";
    List<LifecycleAction> actions = new ArrayList<>();
    try (PreparedStatement ps = conn.prepareStatement(sql)) {
      if (bucket == null) {
        bind(ps, limit);
      } else {
        bind(ps, bucket, limit);
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          actions.add(
              new LifecycleAction(
                  Instant.ofEpochMilli(rs.getLong(1)),
                  rs.getString(2),
                  rs.getString(3),
                  LifecycleAction.Kind.valueOf(rs.getString(4)),
                  rs.getString(5),
                  rs.getString(6),
                  rs.getLong(7),
                  rs.getString(8)));
        }
      }
    }
    return actions;
  }

  // ---- helpers

  private Optional<VersionRow> one(String sql, Object... args) throws SQLException {
    List<VersionRow> rows = many(sql, args);
    return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
  }

  List<VersionRow> many(String sql, Object... args) throws SQLException {
    List<VersionRow> rows = new ArrayList<>();
    try (PreparedStatement ps = conn.prepareStatement(sql)) {
      bind(ps, args);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rows.add(versionRow(rs));
        }
      }
    }
    return rows;
  }

  private static VersionRow versionRow(ResultSet rs) throws SQLException {
    long noncurrent = rs.getLong(20);
    boolean noNoncurrent = rs.wasNull();
    return new VersionRow(
        rs.getLong(1),
        rs.getString(2),
        Names.fromUtf8(rs.getBytes(3)),
        rs.getString(4),
        rs.getBoolean(5),
        rs.getBoolean(6),
        rs.getLong(7),
        rs.getString(8),
        Instant.ofEpochMilli(rs.getLong(9)),
        metadata(rs, 10),
        rs.getString(17),
        rs.getInt(18),
        rs.getString(19),
        noNoncurrent ? null : Instant.ofEpochMilli(noncurrent));
  }

  private static void bind(PreparedStatement ps, Object... args) throws SQLException {
    for (int i = 0; i < args.length; i++) {
      Object a = args[i];
      if (a instanceof byte[] b) {
        ps.setBytes(i + 1, b);
      } else if (a instanceof String s) {
        ps.setString(i + 1, s);
      } else if (a instanceof Integer n) {
        ps.setInt(i + 1, n);
      } else if (a instanceof Long n) {
        ps.setLong(i + 1, n);
      } else if (a == null) {
        ps.setNull(i + 1, Types.NULL);
      } else {
        throw new IllegalArgumentException("cannot bind " + a.getClass());
      }
    }
  }

  /** Binds the seven metadata columns starting at {@code index}. */
  private static void bindMetadata(PreparedStatement ps, int index, ObjectMetadata m)
      throws SQLException {
    ps.setString(index, m.contentType());
    ps.setString(index + 1, m.contentEncoding());
    ps.setString(index + 2, m.contentDisposition());
    ps.setString(index + 3, m.cacheControl());
    ps.setString(index + 4, m.contentLanguage());
    ps.setString(index + 5, Json.write(new TreeMap<>(m.user())));
    ps.setString(index + 6, Json.write(new TreeMap<>(m.tags())));
  }

  private static ObjectMetadata metadata(ResultSet rs, int index) throws SQLException {
    return new ObjectMetadata(
        rs.getString(index),
        rs.getString(index + 1),
        rs.getString(index + 2),
        rs.getString(index + 3),
        rs.getString(index + 4),
        map(rs.getString(index + 5)),
        map(rs.getString(index + 6)));
  }

  private static Map<String, String> map(String json) throws SQLException {
    try {
      return Json.mapper().readValue(json, STRING_MAP);
    } catch (JsonProcessingException e) {
      throw new SQLException("corrupt metadata column: " + json, e);
    }
  }

  @Override
  public void close() {
    lock.lock();
    try {
      conn.close();
    } catch (SQLException e) {
      throw io("cannot close the object metadata database", e);
    } finally {
      lock.unlock();
    }
  }
}
