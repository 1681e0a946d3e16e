package dev.basin.catalog;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.PartitionKey;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.StructLike;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.data.GenericFileWriterFactory;
import org.apache.iceberg.data.InternalRecordWrapper;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.exceptions.CommitStateUnknownException;
import org.apache.iceberg.io.DataWriteResult;
import org.apache.iceberg.io.FanoutDataWriter;
import org.apache.iceberg.io.OutputFileFactory;
import org.apache.iceberg.util.PropertyUtil;

/**
 * Appends generic records to an Iceberg table: writes zstd-compressed Parquet data files through
 * the table's FileIO, one or more per partition of the table's current spec, and commits them in
 * one append snapshot.
 *
 * <p>Thread-safe (it holds no state). When {@link #append} returns, the rows are committed. If the
 * commit fails for certain, the written files are deleted; if its outcome is unknown ({@link
 * CommitStateUnknownException}) they are left in place, since the commit may have succeeded.
 */
public final class IcebergAppender {
  /** The snapshot summary property that identifies an append and its data files. */
  public static final String APPEND_ID_PROPERTY = "basin.append-id";

  IcebergAppender() {}

  /**
   * What an append committed.
   *
   * @param snapshotId the new snapshot
   * @param recordCount rows written
   * @param dataFileCount data files written
   * @param bytes bytes of the data files
   */
  public record AppendResult(long snapshotId, long recordCount, int dataFileCount, long bytes) {}

  /** Appends {@code records} in one snapshot. */
  public AppendResult append(Table table, Iterable<Record> records) {
    return append(table, records, Map.of());
  }

  /**
   * Appends {@code records} in one snapshot whose summary also carries {@code snapshotProperties}
   * (e.g. stream checkpoints). An empty input still commits a snapshot, so the properties advance.
   *
   * @throws org.apache.iceberg.exceptions.CommitFailedException if concurrent commits kept winning
   *     past the table's retry limit
   */
  public AppendResult append(
      Table table, Iterable<Record> records, Map<String, String> snapshotProperties) {
    String appendId = UUID.randomUUID().toString();
    List<DataFile> files = writeDataFiles(table, records, appendId);
    AppendFiles append = table.newAppend();
    files.forEach(append::appendFile);
    snapshotProperties.forEach(append::set);
    append.set(APPEND_ID_PROPERTY, appendId);
    try {
      append.commit();
    } catch (CommitStateUnknownException e) {
      throw e;
    } catch (RuntimeException e) {
      deleteQuietly(table, files);
      throw e;
    }
    long rows = 0;
    long bytes = 0;
    for (DataFile f : files) {
      rows += f.recordCount();
      bytes += f.fileSizeInBytes();
    }
    return new AppendResult(committedSnapshot(table, appendId), rows, files.size(), bytes);
  }

  /**
   * Writes records as Parquet data files without committing them. File names carry {@code
   * operationId}, so a writer that retries with the same id writes the same names.
   */
  public List<DataFile> writeDataFiles(Table table, Iterable<Record> records, String operationId) {
    PartitionSpec spec = table.spec();
    Map<String, String> props = new java.util.HashMap<>(table.properties());
    props.putIfAbsent(TableProperties.PARQUET_COMPRESSION, "zstd");
    GenericFileWriterFactory writerFactory =
        new GenericFileWriterFactory.Builder(table)
            .dataFileFormat(FileFormat.PARQUET)
            .dataSchema(table.schema())
            .writerProperties(props)
            .build();
    OutputFileFactory fileFactory =
        OutputFileFactory.builderFor(table, 1, 0)
            .format(FileFormat.PARQUET)
            .operationId(operationId)
            .build();
    long targetSize =
        PropertyUtil.propertyAsLong(
            table.properties(),
            TableProperties.WRITE_TARGET_FILE_SIZE_BYTES,
            TableProperties.WRITE_TARGET_FILE_SIZE_BYTES_DEFAULT);
    FanoutDataWriter<Record> writer =
        new FanoutDataWriter<>(writerFactory, fileFactory, table.io(), targetSize);
    PartitionKey key = spec.isUnpartitioned() ? null : new PartitionKey(spec, table.schema());
    InternalRecordWrapper wrapper =
        spec.isUnpartitioned() ? null : new InternalRecordWrapper(table.schema().asStruct());
    boolean ok = false;
    try {
      for (Record record : records) {
        StructLike partition = null;
        if (key != null) {
          key.partition(wrapper.wrap(record));
          partition = key;
        }
        writer.write(record, spec, partition);
      }
      ok = true;
    } finally {
      try {
        writer.close();
      } catch (IOException e) {
        if (ok) {
          throw new UncheckedIOException(e);
        }
      }
      if (!ok) {
        deleteQuietly(table, writer.result().dataFiles());
      }
    }
    DataWriteResult result = writer.result();
    return result.dataFiles();
  }

  private static long committedSnapshot(Table table, String appendId) {
    for (Snapshot s = table.currentSnapshot();
        s != null;
        s = s.parentId() == null ? null : table.snapshot(s.parentId())) {
      if (appendId.equals(s.summary().get(APPEND_ID_PROPERTY))) {
        return s.snapshotId();
      }
    }
    throw new IllegalStateException("committed append " + appendId + " not found in " + table);
  }

  static void deleteQuietly(Table table, List<DataFile> files) {
    for (DataFile f : files) {
      try {
        table.io().deleteFile(f.location());
      } catch (RuntimeException e) {
        org.slf4j.LoggerFactory.getLogger(IcebergAppender.class)
            .warn("could not delete uncommitted data file {}: {}", f.location(), e.getMessage());
      }
    }
  }
}
