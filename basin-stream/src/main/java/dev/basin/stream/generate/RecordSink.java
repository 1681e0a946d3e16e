package dev.basin.stream.generate;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Where a {@link Generator} delivers records: a Kinesis-compatible stream, a delivery stream, an
 * HTTP endpoint, a file, or an in-memory list in tests.
 *
 * <p>The generator calls {@link #send} from its own thread, with at most its configured number of
 * batches outstanding at once, so implementations must tolerate that many concurrent calls. A call
 * should return quickly and complete the future later; blocking in {@code send} slows generation.
 */
public interface RecordSink {

  /**
   * Sends one batch. The list and its records belong to the sink from this call on; the generator
   * does not touch them again.
   *
   * <p>The future completes with the per-record outcome. A future that completes exceptionally (a
   * network error, a closed stream) or an exception thrown by this method means the whole batch
   * failed: every record counts as failed, none as acknowledged. A future that never completes is
   * counted as failed, with an "outcome unknown" reason, when the generator's drain timeout ends.
   */
  CompletableFuture<BatchOutcome> send(List<GeneratedRecord> batch);
}
