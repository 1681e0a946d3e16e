package dev.basin.storage;

import dev.basin.spi.storage.LifecycleAction;
import dev.basin.spi.storage.LifecycleAction.Kind;
import dev.basin.spi.storage.LifecycleConfiguration;
import dev.basin.spi.storage.LifecycleRule;
import dev.basin.spi.storage.ObjectEvent;
import dev.basin.storage.DataFiles.Written;
import dev.basin.storage.ObjectIndex.BucketRow;
import dev.basin.storage.ObjectIndex.UploadRow;
import dev.basin.storage.ObjectIndex.VersionRow;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies lifecycle rules. Each action is its own metadata transaction that first re-checks the
 * version it acts on, so a run can go on while clients read and write: a version replaced or
 * deleted since the scan is left alone.
 *
 * <p>Ages are whole days of 24 hours: a version is due when {@code lastModified} (for noncurrent
 * actions: the time it became noncurrent) plus the rule's days is at or before {@code now}. Within
 * a rule the order is: abort uploads, expire noncurrent versions, expire current versions, remove
 * expired delete markers, transition current versions, transition noncurrent versions.
 */
final class Lifecycle {
  private static final Logger LOG = LoggerFactory.getLogger(Lifecycle.class);

  private final LocalObjectStore store;
  private final ObjectIndex index;
  private final DataFiles files;

  Lifecycle(LocalObjectStore store, ObjectIndex index, DataFiles files) {
    this.store = store;
    this.index = index;
    this.files = files;
  }

  List<LifecycleAction> run(Instant now) {
    List<LifecycleAction> actions = new ArrayList<>();
    for (BucketRow b : index.transaction(index::buckets)) {
      if (b.lifecycle() == null) {
        continue;
      }
      LifecycleConfiguration config = LifecycleCodec.read(b.lifecycle());
      for (LifecycleRule rule : config.rules()) {
        if (rule.enabled()) {
          runRule(b.name(), rule, now, actions);
        }
      }
    }
    if (!actions.isEmpty()) {
      LOG.info("lifecycle run at {} took {} actions", now, actions.size());
    }
    return actions;
  }

  private void runRule(String bucket, LifecycleRule rule, Instant now, List<LifecycleAction> out) {
    LifecycleRule.Filter filter =
        rule.filter() == null ? LifecycleRule.Filter.all() : rule.filter();
    byte[] prefix = Names.utf8(filter.prefix());
    if (rule.abortIncompleteMultipartDays() != null) {
      abortUploads(bucket, rule, filter, now, out);
    }
    if (rule.noncurrentDays() != null) {
      expireNoncurrent(bucket, rule, filter, prefix, now, out);
    }
    if (rule.expirationDays() != null) {
      for (VersionRow row : index.transaction(() -> index.scan(bucket, prefix, true))) {
        if (!row.deleteMarker()
            && matches(filter, row)
            && due(row.lastModified(), rule.expirationDays(), now)) {
          expireCurrent(bucket, rule, row, now, out);
        }
      }
    }
    if (rule.expiredObjectDeleteMarker()) {
      for (VersionRow row : index.transaction(() -> index.scan(bucket, prefix, true))) {
        if (row.deleteMarker() && matches(filter, row)) {
          removeExpiredMarker(bucket, rule, row, now, out);
        }
      }
    }
    if (rule.transitionDays() != null) {
      for (VersionRow row : index.transaction(() -> index.scan(bucket, prefix, true))) {
        if (!row.deleteMarker()
            && matches(filter, row)
            && !row.storageClass().equals(rule.transitionStorageClass())
            && due(row.lastModified(), rule.transitionDays(), now)) {
          transition(bucket, rule, row, Kind.TRANSITION, now, out);
        }
      }
    }
    if (rule.noncurrentTransitionDays() != null) {
      for (VersionRow row : index.transaction(() -> index.scan(bucket, prefix, false))) {
        if (!row.deleteMarker()
            && matches(filter, row)
            && !row.storageClass().equals(rule.transitionStorageClass())
            && row.noncurrentSince() != null
            && due(row.noncurrentSince(), rule.noncurrentTransitionDays(), now)) {
          transition(bucket, rule, row, Kind.NONCURRENT_TRANSITION, now, out);
        }
      }
    }
  }

  static boolean due(Instant since, int days, Instant now) {
    return !since.plus(Duration.ofDays(days)).isAfter(now);
  }

  /**
   * Whether a version passes a rule's filter. Delete markers have no size and no tags: they match a
   * filter on prefix alone.
   */
  static boolean matches(LifecycleRule.Filter filter, VersionRow row) {
    if (!row.key().startsWith(filter.prefix())) {
      return false;
    }
    if (row.deleteMarker()) {
      return filter.tags().isEmpty();
    }
    for (Map.Entry<String, String> tag : filter.tags().entrySet()) {
      if (!tag.getValue().equals(row.metadata().tags().get(tag.getKey()))) {
        return false;
      }
    }
    if (filter.sizeGreaterThan() != null && row.size() <= filter.sizeGreaterThan()) {
      return false;
    }
    return filter.sizeLessThan() == null || row.size() < filter.sizeLessThan();
  }

  private void abortUploads(
      String bucket,
      LifecycleRule rule,
      LifecycleRule.Filter filter,
      Instant now,
      List<LifecycleAction> out) {
    for (UploadRow u : index.transaction(() -> index.allUploads(bucket))) {
      if (!u.key().startsWith(filter.prefix())
          || !due(u.initiated(), rule.abortIncompleteMultipartDays(), now)) {
        continue;
      }
      LifecycleAction action =
          new LifecycleAction(
              now, bucket, rule.id(), Kind.ABORT_UPLOAD, u.key(), u.uploadId(), 0, null);
      boolean done =
          store.commit(
              tx -> {
                if (index.upload(u.uploadId()).isEmpty()) {
                  return false;
                }
                index.deleteUpload(u.uploadId());
                tx.garbage.add(files.uploadDir(u.uploadId()));
                index.recordAction(action);
                return true;
              });
      if (done) {
        out.add(action);
      }
    }
  }

  private void expireNoncurrent(
      String bucket,
      LifecycleRule rule,
      LifecycleRule.Filter filter,
      byte[] prefix,
      Instant now,
      List<LifecycleAction> out) {
    int keep = rule.newerNoncurrentVersions() == null ? 0 : rule.newerNoncurrentVersions();
    String key = null;
    int rank = 0;
    for (VersionRow row : index.transaction(() -> index.scan(bucket, prefix, false))) {
      if (!row.key().equals(key)) {
        key = row.key();
        rank = 0;
      }
      int newer = rank++;
      if (newer < keep
          || !matches(filter, row)
          || row.noncurrentSince() == null
          || !due(row.noncurrentSince(), rule.noncurrentDays(), now)) {
        continue;
      }
      LifecycleAction action =
          new LifecycleAction(
              now,
              bucket,
              rule.id(),
              Kind.EXPIRE_NONCURRENT,
              row.key(),
              row.versionId(),
              row.size(),
              row.deleteMarker() ? "delete marker" : null);
      boolean done =
          store.commit(
              tx -> {
                Optional<VersionRow> current = index.bySeq(row.seq());
                if (current.isEmpty() || current.get().latest()) {
                  return false;
                }
                BucketRow b = store.requireBucket(bucket);
                index.deleteVersion(row.seq());
                store.discard(tx, row);
                index.recordAction(action);
                tx.events.add(removed(b, row, "LifecycleExpiration:Delete", now));
                return true;
              });
      if (done) {
        out.add(action);
      }
    }
  }

  private void expireCurrent(
      String bucket, LifecycleRule rule, VersionRow row, Instant now, List<LifecycleAction> out) {
    byte[] k = Names.utf8(row.key());
    LifecycleAction action =
        new LifecycleAction(
            now, bucket, rule.id(), Kind.EXPIRE, row.key(), row.versionId(), row.size(), null);
    boolean done =
        store.commit(
            tx -> {
              Optional<VersionRow> current = index.latest(bucket, k);
              if (current.isEmpty() || current.get().seq() != row.seq()) {
                return false;
              }
              BucketRow b = store.requireBucket(bucket);
              store.deleteIn(tx, b, k, row.key(), null, "LifecycleExpiration");
              index.recordAction(action);
              return true;
            });
    if (done) {
      out.add(action);
    }
  }

  private void removeExpiredMarker(
      String bucket, LifecycleRule rule, VersionRow row, Instant now, List<LifecycleAction> out) {
    byte[] k = Names.utf8(row.key());
    LifecycleAction action =
        new LifecycleAction(
            now, bucket, rule.id(), Kind.REMOVE_DELETE_MARKER, row.key(), row.versionId(), 0, null);
    boolean done =
        store.commit(
            tx -> {
              List<VersionRow> versions = index.versionsOf(bucket, k);
              if (versions.size() != 1 || versions.get(0).seq() != row.seq()) {
                return false;
              }
              BucketRow b = store.requireBucket(bucket);
              index.deleteVersion(row.seq());
              index.recordAction(action);
              tx.events.add(removed(b, row, "LifecycleExpiration:Delete", now));
              return true;
            });
    if (done) {
      out.add(action);
    }
  }

  private static ObjectEvent removed(BucketRow b, VersionRow row, String name, Instant now) {
    return new ObjectEvent(
        ObjectEvent.Type.REMOVED,
        name,
        b.name(),
        row.key(),
        LocalObjectStore.eventVersion(b, row.versionId()),
        0,
        null,
        now);
  }

  /**
   * Moves a version to a cold class: its bytes are compressed into a new data file (unless they
   * already are), and the row is switched over only if it still names the old file.
   */
  private void transition(
      String bucket,
      LifecycleRule rule,
      VersionRow row,
      Kind kind,
      Instant now,
      List<LifecycleAction> out) {
    String target = rule.transitionStorageClass();
    String newFile = row.dataFile();
    if (!DataFiles.isCompressed(row.dataFile())) {
      FileChannel ch =
          index.transaction(
              () -> {
                Optional<VersionRow> current = index.bySeq(row.seq());
                if (current.isEmpty() || !row.dataFile().equals(current.get().dataFile())) {
                  return null;
                }
                try {
                  return FileChannel.open(
                      files.dataPath(bucket, row.dataFile()), StandardOpenOption.READ);
                } catch (IOException e) {
                  throw new UncheckedIOException("cannot open " + row.dataFile(), e);
                }
              });
      if (ch == null) {
        return;
      }
      try (ch;
          InputStream in = DataFiles.openRange(ch, false, 0, row.size())) {
        Written w = files.copyOf(in, row.size(), true);
        newFile = files.install(w, bucket, true);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot compress " + row.dataFile(), e);
      }
    }
    String installed = newFile;
    LifecycleAction action =
        new LifecycleAction(
            now, bucket, rule.id(), kind, row.key(), row.versionId(), row.size(), target);
    boolean done =
        store.commit(
            tx -> {
              if (!index.moveVersion(row.seq(), row.dataFile(), installed, target)) {
                return false;
              }
              BucketRow b = store.requireBucket(bucket);
              if (!installed.equals(row.dataFile())) {
                store.discard(tx, row);
              }
              index.recordAction(action);
              tx.events.add(
                  new ObjectEvent(
                      ObjectEvent.Type.CREATED,
                      "LifecycleTransition",
                      bucket,
                      row.key(),
                      LocalObjectStore.eventVersion(b, row.versionId()),
                      row.size(),
                      row.etag(),
                      now));
              return true;
            });
    if (done) {
      out.add(action);
    } else if (!installed.equals(row.dataFile())) {
      files.deleteQuietly(files.dataPath(bucket, installed));
    }
  }
}
