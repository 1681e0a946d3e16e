package dev.basin.catalog;

/** What a name in a database refers to. */
public enum TableKind {
  ICEBERG,
  EXTERNAL,
  VIEW
}
