package dev.basin.etl.job;

import dev.basin.common.error.ErrorCode;
import dev.basin.common.error.ErrorKind;

/** Error codes of the ETL job model, parser and compiler. All are {@link ErrorKind#INVALID}. */
public enum JobErrorCode implements ErrorCode {
  /** The job text does not parse, or a field is missing, unknown or has a bad value. */
  INVALID_JOB,
  /** The nodes do not form a valid DAG: unknown input, cycle, dangling node. */
  INVALID_GRAPH,
  /** A {@code ${name}} argument has no value. */
  UNKNOWN_ARGUMENT,
  /** A node names a column its input does not have. */
  UNKNOWN_COLUMN,
  /** A SQL expression or query in a node does not compile. */
  INVALID_EXPRESSION,
  /** A DataQuality node's rules do not parse or do not fit its input. */
  INVALID_RULES,
  /** A target does not fit the existing table or its own settings. */
  INVALID_TARGET;

  @Override
  public ErrorKind kind() {
    return ErrorKind.INVALID;
  }
}
