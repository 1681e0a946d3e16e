package dev.basin.etl.job;

import dev.basin.common.error.BasinException;

/**
 * Thrown for every invalid job: by {@link JobParser} for text that does not describe a structurally
 * valid job and by {@link JobCompiler} for a job that does not fit its arguments, sources or
 * targets. The message names the node, its type and the offending field or column, and says what to
 * do. When the position in the job's YAML is known the message starts with {@code line L:C:}.
 */
public final class JobValidationException extends BasinException {
  private final String nodeId;
  private final int line;
  private final int column;

  JobValidationException(JobErrorCode code, String nodeId, int line, int column, String message) {
    super(code, (line > 0 ? "line " + line + ":" + column + ": " : "") + message);
    this.nodeId = nodeId;
    this.line = line;
    this.column = column;
  }

  JobValidationException(JobErrorCode code, String nodeId, String message, Throwable cause) {
    super(code, message, cause);
    this.nodeId = nodeId;
    this.line = 0;
    this.column = 0;
  }

  /** The id of the node at fault, or null when the error is about the job as a whole. */
  public String nodeId() {
    return nodeId;
  }

  /** The 1-based line in the job's YAML, or 0 when unknown. */
  public int line() {
    return line;
  }

  /** The 1-based column in the job's YAML, or 0 when unknown. */
  public int column() {
    return column;
  }
}
