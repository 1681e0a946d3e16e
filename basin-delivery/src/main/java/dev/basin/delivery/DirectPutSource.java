package dev.basin.delivery;

import dev.basin.common.error.BasinException;
import dev.basin.stream.PutEntry;
import dev.basin.stream.PutOutcome;
import dev.basin.stream.StreamErrorCode;
import dev.basin.stream.StreamMode;
import dev.basin.stream.StreamService;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The direct-put side of a delivery stream (Firehose's PutRecord/PutRecordBatch): validates
 * Firehose's limits and appends the records to the delivery's internal stream ({@link
 * DeliveryStreamConfig#sourceStream()}), which the {@link DeliveryWorker} reads like any other
 * source. The internal stream is created (on-demand mode) on first use.
 *
 * <p>Durability: a record reported as stored is on disk when {@link #put} returns (the stream log
 * fsyncs before it acknowledges), so an acknowledged record is delivered exactly once even if the
 * server crashes right after. Thread-safe.
 */
public final class DirectPutSource {
  /** Firehose's PutRecordBatch limit on records per call. */
  public static final int MAX_BATCH_RECORDS = 500;

  /** Firehose's PutRecordBatch limit on the total data per call (4 MiB). */
  public static final long MAX_BATCH_BYTES = 4L << 20;

  /** Firehose's limit on one record's data (1,000 KiB). */
  public static final int MAX_RECORD_BYTES = 1000 * 1024;

  private final DeliveryStreamConfig config;
  private final StreamService streams;
  private final AtomicLong counter = new AtomicLong();
  private volatile boolean streamReady;

  /**
   * @throws IllegalArgumentException the delivery's source is not direct put
   */
  public DirectPutSource(DeliveryStreamConfig config, StreamService streams) {
    if (!(config.source() instanceof DeliveryStreamConfig.DirectPut)) {
      throw new IllegalArgumentException(
          "delivery '"
              + config.name()
              + "' reads stream "
              + config.sourceStream()
              + "; only a DirectPut delivery accepts put records");
    }
    this.config = config;
    this.streams = streams;
  }

  /**
   * The result for one put record, as in Firehose's PutRecordBatch response.
   *
   * @param recordId identifies the stored record (shard and sequence number), or null on failure
   * @param errorCode Firehose's error code ({@code ServiceUnavailableException} when throttled:
   *     retry it), or null on success
   * @param errorMessage why the record was not stored, or null
   */
  public record PutResult(String recordId, String errorCode, String errorMessage) {
    public boolean succeeded() {
      return errorCode == null;
    }
  }

  /** The internal stream the records go to. */
  public String streamName() {
    return config.sourceStream();
  }

  /** Puts one record (PutRecord). */
  public PutResult put(byte[] record) {
    return put(List.of(record)).get(0);
  }

  /**
   * Puts records (PutRecordBatch). Returns one result per record, in order; a failed record was not
   * stored and may be retried. Records reported stored are durable when this returns.
   *
   * @throws BasinException INVALID_REQUEST when the batch is empty or breaks a limit (nothing was
   *     stored), or the stream service's error when the whole put failed
   */
  public List<PutResult> put(List<byte[]> records) {
    if (records == null || records.isEmpty() || records.size() > MAX_BATCH_RECORDS) {
      throw invalid(
          "Records must hold 1 to "
              + MAX_BATCH_RECORDS
              + " records, had "
              + (records == null ? 0 : records.size()));
    }
    long total = 0;
    for (int i = 0; i < records.size(); i++) {
      byte[] data = records.get(i);
      if (data == null) {
        throw invalid("Records." + (i + 1) + ".Data is required");
      }
      if (data.length > MAX_RECORD_BYTES) {
        throw invalid(
            "Records."
                + (i + 1)
                + ".Data has "
                + data.length
                + " bytes; a record may have at most "
                + MAX_RECORD_BYTES
                + " (1,000 KiB)");
      }
      total += data.length;
    }
    if (total > MAX_BATCH_BYTES) {
      throw invalid(
          "the batch has "
              + total
              + " bytes of data; PutRecordBatch allows at most "
              + MAX_BATCH_BYTES
              + " (4 MiB); send fewer records per call");
    }
    List<PutEntry> entries = new ArrayList<>(records.size());
    for (byte[] data : records) {
      // no order is promised across direct-put records (as in Firehose): spread them over shards
      entries.add(new PutEntry(Long.toString(counter.getAndIncrement()), null, data));
    }
    ensureStream();
    List<PutOutcome> outcomes;
    try {
      outcomes = streams.putRecords(streamName(), entries);
    } catch (BasinException e) {
      if (e.code() != StreamErrorCode.STREAM_NOT_FOUND) {
        throw e;
      }
      // deleted under us: recreate once
      streamReady = false;
      ensureStream();
      outcomes = streams.putRecords(streamName(), entries);
    }
    List<PutResult> results = new ArrayList<>(outcomes.size());
    for (PutOutcome o : outcomes) {
      results.add(
          o.succeeded()
              ? new PutResult(o.shardId() + ":" + o.sequenceNumber(), null, null)
              : new PutResult(
                  null,
                  o.error() == StreamErrorCode.THROUGHPUT_EXCEEDED
                      ? "ServiceUnavailableException"
                      : "InternalFailure",
                  o.errorMessage()));
    }
    return results;
  }

  /** Creates the internal stream if it does not exist. */
  void ensureStream() {
    if (streamReady) {
      return;
    }
    try {
      streams.describe(streamName());
    } catch (BasinException e) {
      if (e.code() != StreamErrorCode.STREAM_NOT_FOUND) {
        throw e;
      }
      try {
        streams.createStream(
            streamName(), null, StreamMode.ON_DEMAND, Map.of("basin:delivery", config.name()));
      } catch (BasinException exists) {
        if (exists.code() != StreamErrorCode.STREAM_EXISTS) {
          throw exists;
        }
      }
    }
    streamReady = true;
  }

  private static BasinException invalid(String message) {
    return new BasinException(DeliveryErrorCode.INVALID_REQUEST, message);
  }
}
