package dev.basin.delivery.transform;

import java.util.Map;

/**
 * A {@link RecordTransform}'s answer for one record, as in Firehose's Lambda output.
 *
 * @param recordId the input's recordId
 * @param result what happened to the record
 * @param data the new bytes, required for {@link Result#OK}
 * @param partitionKeys {@code metadata.partitionKeys}, the values of {@code
 *     !{partitionKeyFromLambda:…}}; empty when none
 * @param errorMessage why a record failed (Basin's addition; Firehose has none), or null
 */
public record TransformOutput(
    String recordId,
    Result result,
    byte[] data,
    Map<String, String> partitionKeys,
    String errorMessage) {

  public TransformOutput {
    partitionKeys = partitionKeys == null ? Map.of() : Map.copyOf(partitionKeys);
  }

  /** Firehose's {@code result} values. */
  public enum Result {
    /** The record was transformed; {@code data} replaces it. */
    OK("Ok"),
    /** The record is dropped on purpose; it is counted and its checkpoint advances. */
    DROPPED("Dropped"),
    /** The record could not be transformed; it goes to the error output. */
    PROCESSING_FAILED("ProcessingFailed");

    private final String wireName;

    Result(String wireName) {
      this.wireName = wireName;
    }

    /** The name in Firehose's Lambda response. */
    public String wireName() {
      return wireName;
    }
  }

  public static TransformOutput ok(String recordId, byte[] data) {
    return new TransformOutput(recordId, Result.OK, data, Map.of(), null);
  }

  public static TransformOutput ok(
      String recordId, byte[] data, Map<String, String> partitionKeys) {
    return new TransformOutput(recordId, Result.OK, data, partitionKeys, null);
  }

  public static TransformOutput dropped(String recordId) {
    return new TransformOutput(recordId, Result.DROPPED, null, Map.of(), null);
  }

  public static TransformOutput failed(String recordId, String errorMessage) {
    return new TransformOutput(recordId, Result.PROCESSING_FAILED, null, Map.of(), errorMessage);
  }
}
