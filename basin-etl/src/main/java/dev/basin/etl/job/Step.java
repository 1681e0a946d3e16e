package dev.basin.etl.job;

import dev.basin.spi.sql.SqlColumn;
import java.util.List;
import java.util.Objects;

/**
 * One node, compiled.
 *
 * @param node the node
 * @param relation the temp view/table name the runner creates for it: the node id (unquoted)
 * @param select the SELECT defining the relation; null for quality and target nodes, which the
 *     runner handles itself
 * @param materialize whether to create a TEMP TABLE (exact rows, read once) rather than a TEMP
 *     VIEW; see {@link JobCompiler} for the rule
 * @param rowsSameAs for 1:1 projections, the input node id whose row count equals this node's; null
 *     otherwise
 * @param columns the relation's columns (for quality and target nodes: the input's columns)
 */
public record Step(
    JobNode node,
    String relation,
    String select,
    boolean materialize,
    String rowsSameAs,
    List<SqlColumn> columns) {
  public Step {
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(relation, "relation");
    columns = List.copyOf(columns);
  }
}
