package dev.basin.delivery;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.basin.catalog.JsonRecordConverter;
import dev.basin.catalog.LakeCatalog;
import dev.basin.catalog.TableMaintenance;
import dev.basin.common.error.BasinException;
import dev.basin.common.json.Json;
import dev.basin.spi.storage.ObjectStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.exceptions.CommitStateUnknownException;
import org.apache.iceberg.io.FileInfo;
import org.apache.iceberg.io.SupportsPrefixOperations;

/**
 * Delivers batches into an Iceberg table: converts each record's JSON to the table schema, writes
 * Parquet data files named after the batch, and commits one append whose snapshot summary carries
 * the delivery's new per-shard checkpoints under {@link #checkpointProperty}. Records that do not
 * convert go to the error output before the commit and still advance the checkpoints.
 */
final class IcebergSink implements DeliverySink {
  static final String PROPERTY_PREFIX = "basin.delivery.";

  private final String deliveryName;
  private final DeliveryStreamConfig.IcebergTable destination;
  private final LakeCatalog catalog;
  private final Table table;
  private final ErrorOutput errors;
  private final Runnable beforeCommit;

  IcebergSink(
      DeliveryStreamConfig config,
      LakeCatalog catalog,
      ObjectStore errorStore,
      Runnable beforeCommit) {
    this.deliveryName = config.name();
    this.destination = (DeliveryStreamConfig.IcebergTable) config.destination();
    this.catalog = catalog;
    this.table =
        catalog
            .iceberg()
            .loadTable(TableIdentifier.of(destination.database(), destination.table()));
    this.errors =
        new ErrorOutput(
            deliveryName, errorStore, destination.errorBucket(), destination.errorOutputPrefix());
    this.beforeCommit = beforeCommit;
  }

  /** The snapshot summary property holding a delivery's checkpoints, as JSON {shardId: seq}. */
  static String checkpointProperty(String deliveryName) {
    return PROPERTY_PREFIX + deliveryName + ".checkpoints";
  }

  /** The snapshot summary property naming the batch a snapshot committed. */
  static String batchProperty(String deliveryName) {
    return PROPERTY_PREFIX + deliveryName + ".batch";
  }

  /**
   * The checkpoints of the newest snapshot in the current lineage that carries this delivery's
   * property (other writers, e.g. compaction, may have committed after it). The walk steps over
   * snapshots that expiry removed ({@link TableMaintenance#lineage}); maintenance never expires the
   * snapshot carrying the newest checkpoints.
   */
  @Override
  public Map<String, String> committedCheckpoints() {
    table.refresh();
    String property = checkpointProperty(deliveryName);
    for (Snapshot s : TableMaintenance.lineage(table)) {
      String json = s.summary().get(property);
      if (json != null) {
        try {
          return new TreeMap<>(
              Json.mapper().readValue(json, new TypeReference<Map<String, String>>() {}));
        } catch (IOException e) {
          throw new UncheckedIOException(
              "snapshot " + s.snapshotId() + " has a malformed " + property + ": " + json, e);
        }
      }
    }
    return new TreeMap<>();
  }

  @Override
  public Map<String, String> pendingLasts() {
    return Map.of();
  }

  @Override
  public Outcome deliver(
      Batch batch, Map<String, String> expected, Map<String, String> newCheckpoints) {
    Map<String, String> current = committedCheckpoints();
    if (!current.equals(expected)) {
      throw new BasinException(
          DeliveryErrorCode.CHECKPOINT_CONFLICT,
          "delivery '"
              + deliveryName
              + "': table "
              + destination.database()
              + "."
              + destination.table()
              + " has checkpoints "
              + current
              + " but this worker expected "
              + expected
              + "; another worker of the same delivery committed. Restart the delivery.");
    }
    JsonRecordConverter converter =
        new JsonRecordConverter(
            table.schema(),
            destination.unknownFields() == DeliveryStreamConfig.UnknownFieldPolicy.FAIL
                ? JsonRecordConverter.UnknownFields.FAIL
                : JsonRecordConverter.UnknownFields.IGNORE);
    List<Record> rows = new ArrayList<>();
    List<FailedRecord> failures = new ArrayList<>(batch.processingFailures());
    long bytes = 0;
    for (SourceRecord r : batch.records()) {
      JsonNode json;
      try {
        json = Json.mapper().readTree(r.record().data());
      } catch (IOException e) {
        failures.add(
            new FailedRecord(
                r,
                FailureKind.FORMAT_CONVERSION_FAILED,
                "InvalidJson",
                "not JSON: " + e.getMessage()));
        continue;
      }
      try {
        rows.add(converter.convert(json));
        bytes += r.size();
      } catch (BasinException e) {
        failures.add(
            new FailedRecord(
                r, FailureKind.FORMAT_CONVERSION_FAILED, "SchemaMismatch", e.getMessage()));
      }
    }
    errors.write(batch, failures);
    String operationId = "dlv-" + batch.id();
    List<DataFile> files = writeFiles(rows, operationId);
    AppendFiles append = table.newAppend();
    files.forEach(append::appendFile);
    try {
      append.set(
          checkpointProperty(deliveryName),
          Json.mapper().writeValueAsString(new TreeMap<>(newCheckpoints)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    append.set(batchProperty(deliveryName), batch.id());
    beforeCommit.run();
    try {
      append.commit();
    } catch (CommitStateUnknownException e) {
      // the commit may have succeeded: keep the files; a restart reads the truth from the table
      throw e;
    } catch (RuntimeException e) {
      deleteQuietly(files);
      throw e;
    }
    return new Outcome(rows.size(), bytes, failures);
  }

  /**
   * Writes the data files. An attempt that crashed before its commit may have left files with the
   * same names; they were never committed (the checkpoints did not advance), so they are removed
   * and the write is redone once.
   */
  private List<DataFile> writeFiles(List<Record> rows, String operationId) {
    if (rows.isEmpty()) {
      return List.of();
    }
    try {
      return catalog.appender().writeDataFiles(table, rows, operationId);
    } catch (AlreadyExistsException e) {
      removeUncommitted(operationId);
      return catalog.appender().writeDataFiles(table, rows, operationId);
    }
  }

  private void removeUncommitted(String operationId) {
    if (!(table.io() instanceof SupportsPrefixOperations io)) {
      throw new IllegalStateException(
          "table "
              + table.name()
              + " has files of an uncommitted batch "
              + operationId
              + " and its FileIO cannot list them");
    }
    String prefix =
        table
                .properties()
                .getOrDefault(
                    org.apache.iceberg.TableProperties.WRITE_DATA_LOCATION,
                    table.location() + "/data")
            + "/";
    List<String> stale = new ArrayList<>();
    for (FileInfo f : io.listPrefix(prefix)) {
      if (f.location().contains(operationId)) {
        stale.add(f.location());
      }
    }
    stale.forEach(io::deleteFile);
  }

  private void deleteQuietly(List<DataFile> files) {
    for (DataFile f : files) {
      try {
        table.io().deleteFile(f.location());
      } catch (RuntimeException e) {
        org.slf4j.LoggerFactory.getLogger(IcebergSink.class)
            .warn("could not delete uncommitted data file {}: {}", f.location(), e.getMessage());
      }
    }
  }
}
