package dev.basin.etl.job;

/** Finds where in the job's text a node's field is, for error messages. */
interface Locator {
  /** A locator that knows nothing (jobs built from JSON trees or in code). */
  Locator NONE = (nodeId, field) -> null;

  /** The 1-based {line, column} of a node's field (or of the node when field is null), or null. */
  int[] at(String nodeId, String field);
}
