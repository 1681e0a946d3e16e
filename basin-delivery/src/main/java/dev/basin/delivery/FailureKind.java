package dev.basin.delivery;

/**
 * Why a record went to the error output. {@link #outputType()} is the value of {@code
 * !{firehose:error-output-type}} in the error prefix.
 */
public enum FailureKind {
  /** A transform failed or returned garbage for the record. */
  PROCESSING_FAILED("processing-failed"),
  /** The record is not JSON or does not fit the destination's schema or format. */
  FORMAT_CONVERSION_FAILED("format-conversion-failed"),
  /** A partition key query found no usable value, or the evaluated prefix is invalid. */
  PARTITION_KEY_FAILED("partition-key-failed"),
  /** The batch already had the maximum number of active partitions (Firehose's name). */
  ACTIVE_PARTITION_EXCEEDED("activePartitionExceeded");

  private final String outputType;

  FailureKind(String outputType) {
    this.outputType = outputType;
  }

  public String outputType() {
    return outputType;
  }
}
