package dev.basin.etl.job;

/** Job bookmark behaviour, as in Glue: DISABLE (default) reads everything on every run. */
public enum BookmarkOption {
  /** Process only input that is new since the last successful run, and move the bookmark. */
  ENABLE,
  /** Process all input; no bookmark is kept. */
  DISABLE,
  /** Process input that is new since the bookmark, without moving it. */
  PAUSE
}
