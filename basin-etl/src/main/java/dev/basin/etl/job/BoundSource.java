package dev.basin.etl.job;

import dev.basin.spi.sql.SqlColumn;
import java.util.List;
import java.util.Objects;

/**
 * A source bound to something the engine can read.
 *
 * @param relationSql a FROM-able relation, e.g. {@code read_csv([...], header=true)} or {@code
 *     (SELECT …)}
 * @param columns its columns
 */
public record BoundSource(String relationSql, List<SqlColumn> columns) {
  public BoundSource {
    Objects.requireNonNull(relationSql, "relationSql");
    columns = List.copyOf(columns);
  }
}
