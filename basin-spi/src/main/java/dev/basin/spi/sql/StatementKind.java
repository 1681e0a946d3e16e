package dev.basin.spi.sql;

/** What a statement does, as far as callers care. */
public enum StatementKind {
  /** Returns rows and changes nothing: SELECT, SHOW, DESCRIBE, EXPLAIN. */
  QUERY,
  /** Writes rows: INSERT, CTAS, COPY, REFRESH MATERIALIZED VIEW. */
  WRITE,
  /** Changes the catalog: CREATE/DROP of databases, tables, views. */
  DDL,
  /** Changes the session: USE, SET. */
  SESSION
}
