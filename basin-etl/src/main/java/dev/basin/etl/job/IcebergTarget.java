package dev.basin.etl.job;

import java.util.List;
import java.util.Objects;

/**
 * An Iceberg table in the catalog.
 *
 * @param database the catalog database
 * @param table the table
 * @param mode append, overwrite or merge
 * @param keys the key columns for MERGE (required then), empty otherwise
 * @param partitionBy Iceberg partition transforms used when the table is created, e.g. {@code
 *     day(ts)}, {@code bucket(16, id)}, {@code store}
 * @param createIfMissing create the table from the input's columns when it does not exist
 */
public record IcebergTarget(
    String database,
    String table,
    WriteMode mode,
    List<String> keys,
    List<String> partitionBy,
    boolean createIfMissing)
    implements TargetSpec {
  public IcebergTarget {
    Objects.requireNonNull(database, "database");
    Objects.requireNonNull(table, "table");
    Objects.requireNonNull(mode, "mode");
    keys = List.copyOf(keys == null ? List.of() : keys);
    partitionBy = List.copyOf(partitionBy == null ? List.of() : partitionBy);
  }
}
