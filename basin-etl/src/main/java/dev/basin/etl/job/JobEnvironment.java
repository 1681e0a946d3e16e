package dev.basin.etl.job;

import dev.basin.spi.sql.SqlColumn;
import java.util.List;
import java.util.Optional;

/** What {@link JobCompiler} needs from the runner. */
public interface JobEnvironment {
  /**
   * A FROM-able SQL relation and its columns for a source node. The runner applies bookmarks here.
   */
  BoundSource bind(SourceNode node);

  /**
   * The columns DuckDB reports for a query, without running it.
   *
   * @throws dev.basin.spi.sql.SqlException on a SQL error
   */
  List<SqlColumn> describe(String sql);

  /** The columns of an existing catalog table, or empty if it does not exist. */
  Optional<List<SqlColumn>> tableColumns(String database, String table);
}
