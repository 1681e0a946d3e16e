package dev.basin.sql.service;

import dev.basin.spi.sql.StatementKind;
import dev.basin.spi.sql.TableScan;
import java.util.List;

/**
 * What a statement would read, planned but not run.
 *
 * @param kind what the statement does
 * @param statementType Athena's classification (DML, DDL, UTILITY)
 * @param columns the columns it would return
 * @param tables per table read: the version pinned, files and bytes planned after pruning and in
 *     total
 * @param filesPlanned files it would read, over all tables
 * @param bytesPlanned bytes it would read, over all tables
 * @param bytesScannedCutoffPerQuery the workgroup's per-query limit, or null
 * @param fileAccess what it reads besides catalog tables, views and its CTEs (files, file-reading
 *     table functions, settings), as {@link dev.basin.spi.sql.PreparedSql#fileAccess()} lists it
 */
public record DryRun(
    StatementKind kind,
    String statementType,
    List<ResultColumn> columns,
    List<TableScan> tables,
    long filesPlanned,
    long bytesPlanned,
    Long bytesScannedCutoffPerQuery,
    List<String> fileAccess) {

  /** Whether running it would be cancelled for going over the workgroup's per-query limit. */
  public boolean exceedsCutoff() {
    return bytesScannedCutoffPerQuery != null && bytesPlanned > bytesScannedCutoffPerQuery;
  }
}
