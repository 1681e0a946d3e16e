package dev.basin.delivery.transform;

/**
 * A record handed to a {@link RecordTransform}, as in Firehose's Lambda input.
 *
 * @param recordId identifies the record within the batch; the output must repeat it
 * @param approximateArrivalTimestamp when the record was durably accepted, epoch millis
 * @param data the record's bytes
 */
public record TransformInput(String recordId, long approximateArrivalTimestamp, byte[] data) {}
