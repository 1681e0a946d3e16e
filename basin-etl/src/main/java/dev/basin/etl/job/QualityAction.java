package dev.basin.etl.job;

/** What a DataQuality node does when rules fail. */
public enum QualityAction {
  /** Fail the run when any rule fails; nothing is written downstream. */
  FAIL,
  /** Write rows failing row-level rules to the quarantine prefix; pass the other rows on. */
  QUARANTINE,
  /** Record the results and pass every row on. */
  WARN
}
