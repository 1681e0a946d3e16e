package dev.basin.sql.mv;

/** How a materialized view refresh brought the view up to date. */
public enum RefreshMode {
  /** The query ran over all of its inputs and replaced the view's rows. */
  FULL,
  /** Only the files appended to the input since the last refresh were aggregated and merged. */
  INCREMENTAL,
  /** Every input was at the snapshot the view already reflects; nothing was written. */
  UP_TO_DATE
}
