package dev.basin.stream.generate;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What a generator run did. Every rendered record ends in exactly one place:
 *
 * <ul>
 *   <li>{@code rendered == sent + rejected}: a record is either handed to the sink or rejected
 *       before sending (larger than the record limit, no partition key, or not sent because the
 *       sink stopped answering after {@link Generator#stop()});
 *   <li>{@code rendered == acknowledged + failed}: failed counts records the sink failed (per
 *       record, or whole batches whose future failed or never completed) plus the rejected ones.
 * </ul>
 *
 * So {@code sent == acknowledged + (failed - rejected)}, which is {@code sent == acknowledged +
 * failed} whenever nothing was rejected. Nothing counts as acknowledged unless the sink
 * acknowledged it.
 *
 * @param failureReasons the first few distinct failure reasons, in the order they occurred
 * @param elapsed the run's duration by the generator's ticker
 */
public record GeneratorReport(
    long rendered,
    long sent,
    long acknowledged,
    long failed,
    long rejected,
    List<String> failureReasons,
    Duration elapsed,
    StopReason stopReason) {

  public GeneratorReport {
    failureReasons = List.copyOf(failureReasons);
    Objects.requireNonNull(elapsed, "elapsed");
    Objects.requireNonNull(stopReason, "stopReason");
  }

  /** Records handed to the sink per second of the run. */
  public double achievedRate() {
    return perSecond(sent);
  }

  /** Records the sink acknowledged per second of the run. */
  public double acknowledgedRate() {
    return perSecond(acknowledged);
  }

  /** Whether the counts add up as the class documentation says (always true for a finished run). */
  public boolean balanced() {
    return rendered == sent + rejected && rendered == acknowledged + failed;
  }

  /** One line for logs and the CLI. */
  public String summary() {
    StringBuilder sb =
        new StringBuilder()
            .append(rendered)
            .append(" rendered, ")
            .append(sent)
            .append(" sent, ")
            .append(acknowledged)
            .append(" acknowledged, ")
            .append(failed)
            .append(" failed");
    if (rejected > 0) {
      sb.append(" (").append(rejected).append(" not sent)");
    }
    sb.append(" in ")
        .append(String.format(java.util.Locale.ROOT, "%.1f", elapsed.toNanos() / 1e9))
        .append(" s (")
        .append(String.format(java.util.Locale.ROOT, "%.0f", achievedRate()))
        .append(" records/s); ended by ")
        .append(stopReason.name().toLowerCase(java.util.Locale.ROOT));
    if (!failureReasons.isEmpty()) {
      sb.append("; failures: ").append(String.join("; ", failureReasons));
    }
    return sb.toString();
  }

  private double perSecond(long count) {
    long nanos = elapsed.toNanos();
    return nanos <= 0 ? 0 : count / (nanos / 1e9);
  }
}
