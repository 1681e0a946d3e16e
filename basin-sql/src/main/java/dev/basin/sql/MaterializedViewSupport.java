package dev.basin.sql;

import dev.basin.sql.plan.Statement;

/**
 * What CREATE / REFRESH / DROP MATERIALIZED VIEW statements call. Implemented by the
 * materialized-view service and installed with {@link DuckDbSqlEngine#materializedViews}.
 */
public interface MaterializedViewSupport {

  /**
   * Creates the view's table and fills it. Durable when it returns.
   *
   * @return rows in the view
   */
  long create(DuckDbSession session, Statement.CreateMaterializedView statement);

  /**
   * Brings the view up to date with its inputs, incrementally when it can. Durable when it returns.
   *
   * @return rows written
   */
  long refresh(DuckDbSession session, Statement.RefreshMaterializedView statement);

  /** Drops the view and its table. */
  void drop(DuckDbSession session, Statement.Name view, boolean ifExists);
}
