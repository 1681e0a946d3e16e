package dev.basin.catalog;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.iceberg.ContentFile;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.ManifestFile;
import org.apache.iceberg.ManifestFiles;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.PartitionStatisticsFile;
import org.apache.iceberg.RewriteFiles;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.StatisticsFile;
import org.apache.iceberg.StructLike;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.data.GenericFileWriterFactory;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.exceptions.CommitStateUnknownException;
import org.apache.iceberg.formats.FormatModelRegistry;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.FileInfo;
import org.apache.iceberg.io.OutputFileFactory;
import org.apache.iceberg.io.RollingDataWriter;
import org.apache.iceberg.io.SupportsPrefixOperations;
import org.apache.iceberg.util.StructLikeMap;

/**
 * Keeps Iceberg tables healthy: expires old snapshots, removes files no metadata references and
 * compacts small data files. Each operation commits at most one snapshot and returns what it did.
 *
 * <p>Thread-safe (it holds no state). Safe beside concurrent appends: expiry and compaction commit
 * through Iceberg's optimistic concurrency, and orphan removal only touches files older than the
 * caller's threshold (choose one well beyond the longest write, e.g. a day).
 */
public final class TableMaintenance {

  TableMaintenance() {}

  /**
   * @param snapshotsExpired snapshots removed from the metadata
   * @param filesDeleted data, manifest, manifest-list and statistics files deleted
   */
  public record ExpireResult(int snapshotsExpired, long filesDeleted) {}

  /**
   * @param orphans the locations found (and deleted unless {@code dryRun})
   * @param bytes their total size
   * @param dryRun whether they were only reported
   */
  public record OrphanResult(List<String> orphans, long bytes, boolean dryRun) {
    public OrphanResult {
      orphans = List.copyOf(orphans);
    }
  }

  /**
   * @param rewrittenFiles data files replaced
   * @param addedFiles data files written
   * @param rewrittenBytes bytes of the replaced files
   * @param addedBytes bytes of the new files
   * @param records rows copied
   * @param snapshotId the rewrite's snapshot, or -1 if nothing needed compaction
   */
  public record RewriteResult(
      int rewrittenFiles,
      int addedFiles,
      long rewrittenBytes,
      long addedBytes,
      long records,
      long snapshotId) {}

  /**
   * Expires snapshots older than {@code olderThan}, always keeping the newest {@code retainLast}
   * (at least 1), and deletes the files only they referenced.
   *
   * <p>Never expires a delivery's checkpoint snapshot: for every {@code
   * basin.delivery.<name>.checkpoints} summary property, the newest snapshot of the current lineage
   * carrying it is kept, because a delivery resumes from that snapshot's checkpoints after a
   * restart. (Snapshots between it and the current one may go; readers skip the gap.)
   */
  public ExpireResult expireSnapshots(Table table, Instant olderThan, int retainLast) {
    if (retainLast < 1) {
      throw new IllegalArgumentException("retainLast must be at least 1, was " + retainLast);
    }
    table.refresh();
    int before = size(table.snapshots());
    Set<Long> keep = checkpointSnapshots(table);
    // what the plain rule would expire (apply() lists the removed snapshots), but the checkpoints
    List<Long> expire = new ArrayList<>();
    for (Snapshot s :
        table
            .expireSnapshots()
            .expireOlderThan(olderThan.toEpochMilli())
            .retainLast(retainLast)
            .apply()) {
      if (!keep.contains(s.snapshotId())) {
        expire.add(s.snapshotId());
      }
    }
    if (expire.isEmpty()) {
      return new ExpireResult(0, 0);
    }
    AtomicLong deleted = new AtomicLong();
    FileIO io = table.io();
    // only the listed ids: an age of 0 keeps every other snapshot
    var expiry =
        table
            .expireSnapshots()
            .expireOlderThan(0)
            .retainLast(1)
            .deleteWith(
                location -> {
                  io.deleteFile(location);
                  deleted.incrementAndGet();
                });
    expire.forEach(expiry::expireSnapshotId);
    expiry.commit();
    table.refresh();
    return new ExpireResult(before - size(table.snapshots()), deleted.get());
  }

  /** Summary properties {@code basin.delivery.<name>.checkpoints} end with this. */
  static final String CHECKPOINT_PROPERTY_SUFFIX = ".checkpoints";

  static final String DELIVERY_PROPERTY_PREFIX = "basin.delivery.";

  /**
   * For every delivery checkpoint property, the newest snapshot carrying it, walking the current
   * lineage (and, where an earlier expiry left a gap, the older snapshots by sequence number).
   */
  static Set<Long> checkpointSnapshots(Table table) {
    Set<String> seen = new HashSet<>();
    Set<Long> keep = new HashSet<>();
    for (Snapshot s : lineage(table)) {
      for (String property : s.summary().keySet()) {
        if (property.startsWith(DELIVERY_PROPERTY_PREFIX)
            && property.endsWith(CHECKPOINT_PROPERTY_SUFFIX)
            && seen.add(property)) {
          keep.add(s.snapshotId());
        }
      }
    }
    return keep;
  }

  /**
   * The current snapshot and its ancestors, newest first. Where a parent has been expired, the walk
   * continues with the newest remaining snapshot older than the child (by sequence number, then
   * commit time), which is the ancestor's place in a linear history.
   */
  public static Iterable<Snapshot> lineage(Table table) {
    return () ->
        new java.util.Iterator<>() {
          private Snapshot next = table.currentSnapshot();
          private List<Snapshot> newestFirst;

          @Override
          public boolean hasNext() {
            return next != null;
          }

          @Override
          public Snapshot next() {
            if (next == null) {
              throw new java.util.NoSuchElementException();
            }
            Snapshot s = next;
            Long parentId = s.parentId();
            next = parentId == null ? null : table.snapshot(parentId);
            if (parentId != null && next == null) {
              next = olderThan(s);
            }
            return s;
          }

          private Snapshot olderThan(Snapshot child) {
            if (newestFirst == null) {
              newestFirst = new ArrayList<>();
              table.snapshots().forEach(newestFirst::add);
              newestFirst.sort(
                  java.util.Comparator.comparingLong(Snapshot::sequenceNumber)
                      .thenComparingLong(Snapshot::timestampMillis)
                      .reversed());
            }
            for (Snapshot c : newestFirst) {
              if (c.sequenceNumber() < child.sequenceNumber()
                  || (c.sequenceNumber() == child.sequenceNumber()
                      && c.timestampMillis() < child.timestampMillis())) {
                return c;
              }
            }
            return null;
          }
        };
  }

  /**
   * Finds files under the table's location (and its data and metadata paths if set elsewhere) that
   * no metadata reachable from the table references and that were last modified before {@code
   * olderThan}: current and previous metadata files, manifest lists, manifests, data and delete
   * files, statistics files. Deletes them unless {@code dryRun}.
   */
  public OrphanResult removeOrphanFiles(Table table, Instant olderThan, boolean dryRun) {
    if (!(table.io() instanceof SupportsPrefixOperations listing)) {
      throw new IllegalArgumentException(
          "table " + table.name() + " uses a FileIO that cannot list files: " + table.io());
    }
    table.refresh();
    Set<String> reachable = reachableFiles(table);
    Set<String> roots = new LinkedHashSet<>();
    roots.add(asFolder(table.location()));
    String dataPath = table.properties().get(TableProperties.WRITE_DATA_LOCATION);
    if (dataPath != null) {
      roots.add(asFolder(dataPath));
    }
    String metadataPath = table.properties().get(TableProperties.WRITE_METADATA_LOCATION);
    if (metadataPath != null) {
      roots.add(asFolder(metadataPath));
    }
    List<String> orphans = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    long bytes = 0;
    for (String root : roots) {
      for (FileInfo file : listing.listPrefix(root)) {
        String normalized = normalize(file.location());
        if (!seen.add(normalized)
            || reachable.contains(normalized)
            || file.createdAtMillis() >= olderThan.toEpochMilli()) {
          continue;
        }
        orphans.add(file.location());
        bytes += file.size();
      }
    }
    if (!dryRun && !orphans.isEmpty()) {
      if (table.io() instanceof org.apache.iceberg.io.SupportsBulkOperations bulk) {
        bulk.deleteFiles(orphans);
      } else {
        orphans.forEach(table.io()::deleteFile);
      }
    }
    return new OrphanResult(orphans, bytes, dryRun);
  }

  /** Every file the table's metadata references, in normalized form. */
  static Set<String> reachableFiles(Table table) {
    TableMetadata metadata = ((HasTableOperations) table).operations().current();
    FileIO io = table.io();
    Map<Integer, PartitionSpec> specs = table.specs();
    Set<String> files = new HashSet<>();
    files.add(normalize(metadata.metadataFileLocation()));
    for (TableMetadata.MetadataLogEntry entry : metadata.previousFiles()) {
      files.add(normalize(entry.file()));
    }
    for (StatisticsFile s : metadata.statisticsFiles()) {
      files.add(normalize(s.path()));
    }
    for (PartitionStatisticsFile s : metadata.partitionStatisticsFiles()) {
      files.add(normalize(s.path()));
    }
    Set<String> manifests = new HashSet<>();
    for (Snapshot snapshot : metadata.snapshots()) {
      if (snapshot.manifestListLocation() != null) {
        files.add(normalize(snapshot.manifestListLocation()));
      }
      for (ManifestFile manifest : snapshot.allManifests(io)) {
        if (!manifests.add(manifest.path())) {
          continue;
        }
        files.add(normalize(manifest.path()));
        switch (manifest.content()) {
          case DATA -> {
            try (CloseableIterable<String> paths = ManifestFiles.readPaths(manifest, io, specs)) {
              paths.forEach(p -> files.add(normalize(p)));
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          }
          case DELETES -> {
            try (var reader = ManifestFiles.readDeleteManifest(manifest, io, specs)) {
              for (DeleteFile f : reader) {
                files.add(normalize(f.location()));
              }
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          }
        }
      }
    }
    return files;
  }

  /**
   * Compacts data files smaller than {@code targetFileSizeBytes}: in every partition with at least
   * {@code minInputFiles} such files (and no delete files against them), reads their rows and
   * writes them into files of about the target size, committed in one snapshot that replaces
   * exactly those files. The commit is validated against the snapshot the plan started from, so
   * rows appended meanwhile are kept; if another operation removed one of the input files, the
   * rewrite fails with {@link org.apache.iceberg.exceptions.ValidationException} and its new files
   * are deleted.
   */
  public RewriteResult rewriteDataFiles(Table table, long targetFileSizeBytes, int minInputFiles) {
    return rewriteDataFiles(table, targetFileSizeBytes, minInputFiles, () -> {});
  }

  /** As above, running {@code beforeCommit} between writing and committing (for tests). */
  RewriteResult rewriteDataFiles(
      Table table, long targetFileSizeBytes, int minInputFiles, Runnable beforeCommit) {
    if (targetFileSizeBytes <= 0) {
      throw new IllegalArgumentException(
          "targetFileSizeBytes must be positive, was " + targetFileSizeBytes);
    }
    if (minInputFiles < 2) {
      throw new IllegalArgumentException("minInputFiles must be at least 2, was " + minInputFiles);
    }
    table.refresh();
    Snapshot start = table.currentSnapshot();
    if (start == null) {
      return new RewriteResult(0, 0, 0, 0, 0, -1);
    }
    Map<Integer, StructLikeMap<List<DataFile>>> groups = new java.util.HashMap<>();
    try (CloseableIterable<FileScanTask> tasks =
        table.newScan().useSnapshot(start.snapshotId()).planFiles()) {
      for (FileScanTask task : tasks) {
        DataFile file = task.file();
        if (!task.deletes().isEmpty()
            || file.fileSizeInBytes() >= targetFileSizeBytes
            || file.format() != FileFormat.PARQUET) {
          continue;
        }
        PartitionSpec spec = table.specs().get(file.specId());
        groups
            .computeIfAbsent(file.specId(), id -> StructLikeMap.create(spec.partitionType()))
            .computeIfAbsent(file.partition(), p -> new ArrayList<>())
            .add(file.copy());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String operationId = "compact-" + UUID.randomUUID();
    OutputFileFactory fileFactory =
        OutputFileFactory.builderFor(table, 2, 0)
            .format(FileFormat.PARQUET)
            .operationId(operationId)
            .build();
    Map<String, String> props = new java.util.HashMap<>(table.properties());
    props.putIfAbsent(TableProperties.PARQUET_COMPRESSION, "zstd");
    GenericFileWriterFactory writerFactory =
        new GenericFileWriterFactory.Builder(table)
            .dataFileFormat(FileFormat.PARQUET)
            .dataSchema(table.schema())
            .writerProperties(props)
            .build();
    Set<DataFile> removed = new HashSet<>();
    List<DataFile> added = new ArrayList<>();
    long removedBytes = 0;
    long records = 0;
    try {
      for (Map.Entry<Integer, StructLikeMap<List<DataFile>>> bySpec : groups.entrySet()) {
        PartitionSpec spec = table.specs().get(bySpec.getKey());
        for (Map.Entry<StructLike, List<DataFile>> group : bySpec.getValue().entrySet()) {
          List<DataFile> inputs = group.getValue();
          if (inputs.size() < minInputFiles) {
            continue;
          }
          RollingDataWriter<Record> writer =
              new RollingDataWriter<>(
                  writerFactory,
                  fileFactory,
                  table.io(),
                  targetFileSizeBytes,
                  spec,
                  group.getKey());
          try (writer) {
            for (DataFile input : inputs) {
              records += copyRows(table, input, writer);
            }
          }
          added.addAll(writer.result().dataFiles());
          for (DataFile input : inputs) {
            removed.add(input);
            removedBytes += input.fileSizeInBytes();
          }
        }
      }
    } catch (IOException e) {
      IcebergAppender.deleteQuietly(table, added);
      throw new UncheckedIOException(e);
    } catch (RuntimeException e) {
      IcebergAppender.deleteQuietly(table, added);
      throw e;
    }
    if (removed.isEmpty()) {
      return new RewriteResult(0, 0, 0, 0, 0, -1);
    }
    beforeCommit.run();
    RewriteFiles rewrite =
        table
            .newRewrite()
            .validateFromSnapshot(start.snapshotId())
            .dataSequenceNumber(start.sequenceNumber());
    removed.forEach(rewrite::deleteFile);
    added.forEach(rewrite::addFile);
    rewrite.set("basin.operation", "compaction");
    try {
      rewrite.commit();
    } catch (CommitStateUnknownException e) {
      throw e;
    } catch (RuntimeException e) {
      IcebergAppender.deleteQuietly(table, added);
      throw e;
    }
    table.refresh();
    long addedBytes = added.stream().mapToLong(ContentFile::fileSizeInBytes).sum();
    long snapshotId = findRewrite(table, operationId, added);
    return new RewriteResult(
        removed.size(), added.size(), removedBytes, addedBytes, records, snapshotId);
  }

  private static long copyRows(Table table, DataFile input, RollingDataWriter<Record> writer)
      throws IOException {
    Schema schema = table.schema();
    long n = 0;
    try (CloseableIterable<Record> rows =
        FormatModelRegistry.<Record, Schema>readBuilder(
                FileFormat.PARQUET,
                Record.class,
                table.io().newInputFile(input.location(), input.fileSizeInBytes()))
            .project(schema)
            .build()) {
      for (Record row : rows) {
        writer.write(row);
        n++;
      }
    }
    return n;
  }

  private static long findRewrite(Table table, String operationId, List<DataFile> added) {
    String someFile = added.isEmpty() ? null : added.get(0).location();
    for (Snapshot s = table.currentSnapshot();
        s != null;
        s = s.parentId() == null ? null : table.snapshot(s.parentId())) {
      if ("compaction".equals(s.summary().get("basin.operation"))) {
        for (DataFile f : s.addedDataFiles(table.io())) {
          if (f.location().equals(someFile) || f.location().contains(operationId)) {
            return s.snapshotId();
          }
        }
      }
    }
    return -1;
  }

  private static String asFolder(String location) {
    return location.endsWith("/") ? location : location + "/";
  }

  /** Locations compare without the s3a/s3n distinction. */
  static String normalize(String location) {
    return S3Location.parse(location).normalized();
  }

  private static int size(Iterable<?> items) {
    int n = 0;
    for (Object ignored : items) {
      n++;
    }
    return n;
  }
}
