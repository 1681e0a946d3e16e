package dev.basin.stream.generate;

import java.util.List;

/**
 * A sink's answer for one batch: how many of its records were acknowledged (durably accepted) and
 * how many failed, with the failure reasons the sink reported (typically one per failed record, as
 * Kinesis {@code PutRecords} answers per record; repeated reasons are fine).
 *
 * <p>{@code acknowledged + failed} should equal the batch size. If a sink answers for fewer
 * records, the generator counts the rest as failed; it never counts more records as acknowledged
 * than the batch held.
 */
public record BatchOutcome(int acknowledged, int failed, List<String> failureReasons) {
  public BatchOutcome {
    if (acknowledged < 0 || failed < 0) {
      throw new IllegalArgumentException(
          "counts must not be negative: acknowledged=" + acknowledged + ", failed=" + failed);
    }
    failureReasons = List.copyOf(failureReasons);
  }

  /** Every one of {@code count} records acknowledged. */
  public static BatchOutcome acknowledgedAll(int count) {
    return new BatchOutcome(count, 0, List.of());
  }

  /** Every one of {@code count} records failed for {@code reason}. */
  public static BatchOutcome failedAll(int count, String reason) {
    return new BatchOutcome(0, count, List.of(reason));
  }
}
