package dev.basin.etl.run;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One run of a job (one attempt; a retry is a new run that names the run it retries).
 *
 * @param id the run id, {@code jr_…}
 * @param job the job name
 * @param attempt 0 for the first attempt, 1 for the first retry, …
 * @param previousRunId the run this one retries, or null
 * @param trigger who started it: {@code manual}, {@code retry}, {@code schedule}, …
 * @param state the state
 * @param arguments the run's arguments (over the job's defaults)
 * @param startedOn when it was accepted
 * @param completedOn when it ended, or null
 * @param error why it failed, timed out or stopped, or null
 * @param epoch the bookmark epoch it processed, or null when bookmarks are disabled or paused
 * @param stepsDone steps finished so far (for progress)
 * @param stepsTotal steps in the compiled job, 0 before compilation
 * @param nodes per-node figures, in execution order
 * @param quality data-quality rule outcomes, per quality node
 */
public record JobRun(
    String id,
    String job,
    int attempt,
    String previousRunId,
    String trigger,
    RunState state,
    Map<String, String> arguments,
    Instant startedOn,
    Instant completedOn,
    String error,
    Long epoch,
    int stepsDone,
    int stepsTotal,
    List<NodeMetrics> nodes,
    List<QualityOutcome> quality) {

  public JobRun {
    arguments = Map.copyOf(arguments);
    nodes = List.copyOf(nodes);
    quality = List.copyOf(quality);
  }

  /** This run in another state, with an error (or null). */
  public JobRun with(RunState newState, String newError) {
    return new JobRun(
        id,
        job,
        attempt,
        previousRunId,
        trigger,
        newState,
        arguments,
        startedOn,
        completedOn,
        newError,
        epoch,
        stepsDone,
        stepsTotal,
        nodes,
        quality);
  }

  /** This run with its progress. */
  public JobRun withSteps(int done, int total) {
    return new JobRun(
        id,
        job,
        attempt,
        previousRunId,
        trigger,
        state,
        arguments,
        startedOn,
        completedOn,
        error,
        epoch,
        done,
        total,
        nodes,
        quality);
  }

  /** This run with its bookmark epoch. */
  public JobRun withEpoch(Long newEpoch) {
    return new JobRun(
        id,
        job,
        attempt,
        previousRunId,
        trigger,
        state,
        arguments,
        startedOn,
        completedOn,
        error,
        newEpoch,
        stepsDone,
        stepsTotal,
        nodes,
        quality);
  }

  /** This run with its node figures so far. */
  public JobRun withNodes(List<NodeMetrics> newNodes) {
    return new JobRun(
        id,
        job,
        attempt,
        previousRunId,
        trigger,
        state,
        arguments,
        startedOn,
        completedOn,
        error,
        epoch,
        stepsDone,
        stepsTotal,
        newNodes,
        quality);
  }

  /** This run, over. */
  public JobRun finished(
      RunState end, Instant at, String why, List<NodeMetrics> newNodes, List<QualityOutcome> q) {
    return new JobRun(
        id,
        job,
        attempt,
        previousRunId,
        trigger,
        end,
        arguments,
        startedOn,
        at,
        why,
        epoch,
        stepsDone,
        stepsTotal,
        newNodes,
        q);
  }

  /** Milliseconds from start to end (or to now while running). */
  public long executionMillis(Instant now) {
    Instant end = completedOn == null ? now : completedOn;
    return Math.max(0, end.toEpochMilli() - startedOn.toEpochMilli());
  }

  /**
   * What one node did.
   *
   * @param node the node id
   * @param type the node's type name
   * @param rows rows it produced (for a target: rows written; for a quality node: rows passed on)
   * @param millis time spent creating it
   * @param detail extra facts: files read, rows quarantined, target snapshot, …
   */
  public record NodeMetrics(
      String node, String type, Long rows, long millis, Map<String, Object> detail) {
    public NodeMetrics {
      detail =
          detail == null
              ? Map.of()
              : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(detail));
    }
  }

  /**
   * One data-quality rule's outcome.
   *
   * @param node the quality node
   * @param rule the rule as written
   * @param passed whether it passed
   * @param message why it failed (with the observed value), or null
   * @param actual the measured values by name (e.g. {@code completeness → 0.95})
   * @param failedRows rows failing the rule when it is row-level, or null
   */
  public record QualityOutcome(
      String node,
      String rule,
      boolean passed,
      String message,
      Map<String, Object> actual,
      Long failedRows) {
    public QualityOutcome {
      actual =
          actual == null
              ? Map.of()
              : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(actual));
    }
  }
}
