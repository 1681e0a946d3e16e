package dev.basin.delivery;

import java.util.List;
import java.util.Map;

/** Where a worker flushes batches: one destination kind. Not thread-safe; one worker owns it. */
interface DeliverySink {

  /** The per-shard checkpoints (last delivered sequence number) that are durable now. */
  Map<String, String> committedCheckpoints();

  /**
   * Ranges of a batch whose delivery started but did not finish before a restart; the worker
   * re-reads exactly these first so that the replay writes the same keys. Empty when none.
   */
  Map<String, String> pendingLasts();

  /**
   * Delivers a batch and makes {@code newCheckpoints} durable with it, atomically for tables and
   * after the data for objects.
   *
   * @param expected the checkpoints the worker believes are committed
   * @return what was delivered; failed records are already in the error output
   */
  Outcome deliver(Batch batch, Map<String, String> expected, Map<String, String> newCheckpoints);

  /**
   * The result of one flush.
   *
   * @param records records written to the destination
   * @param bytes their source payload bytes
   * @param failures records written to the error output instead
   */
  record Outcome(long records, long bytes, List<FailedRecord> failures) {}
}
