package dev.basin.etl.job;

/** How an Iceberg target is written. */
public enum WriteMode {
  /** Add the rows in a new snapshot. */
  APPEND,
  /** Replace the table's rows with the job's output. */
  OVERWRITE,
  /** Upsert by {@link IcebergTarget#keys()}: matching rows are replaced, others added. */
  MERGE
}
