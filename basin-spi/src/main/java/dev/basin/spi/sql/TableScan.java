package dev.basin.spi.sql;

import java.util.Objects;

/**
 * One table a statement reads and what it scans there.
 *
 * @param table {@code database.table}
 * @param version what pins the data read: an Iceberg snapshot id, an external table's version and
 *     file listing fingerprint; equal versions mean equal data
 * @param filesPlanned data files the statement reads after pruning
 * @param filesTotal data files in the table (or its chosen snapshot)
 * @param bytesPlanned bytes of the planned files
 * @param bytesTotal bytes of all files
 */
public record TableScan(
    String table,
    String version,
    long filesPlanned,
    long filesTotal,
    long bytesPlanned,
    long bytesTotal) {

  public TableScan {
    Objects.requireNonNull(table, "table");
    Objects.requireNonNull(version, "version");
  }
}
