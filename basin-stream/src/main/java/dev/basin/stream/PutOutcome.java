package dev.basin.stream;

/**
 * The result for one record of a put: either the shard and sequence number it was durably stored
 * under, or an error code and message (the record was not stored).
 */
public record PutOutcome(
    String shardId, String sequenceNumber, StreamErrorCode error, String errorMessage) {

  public boolean succeeded() {
    return error == null;
  }

  static PutOutcome stored(String shardId, String sequenceNumber) {
    return new PutOutcome(shardId, sequenceNumber, null, null);
  }

  static PutOutcome failed(StreamErrorCode error, String message) {
    return new PutOutcome(null, null, error, message);
  }
}
