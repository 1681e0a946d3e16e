package dev.basin.etl.job;

import java.util.List;
import java.util.Objects;

/**
 * A job ready to run.
 *
 * @param job the job after argument substitution
 * @param steps one per node in a deterministic topological order (ties in declaration order)
 */
public record CompiledJob(JobDefinition job, List<Step> steps) {
  public CompiledJob {
    Objects.requireNonNull(job, "job");
    steps = List.copyOf(steps);
  }

  /**
   * The step of a node.
   *
   * @throws IllegalArgumentException if there is none
   */
  public Step step(String nodeId) {
    for (Step s : steps) {
      if (s.node().id().equals(nodeId)) {
        return s;
      }
    }
    throw new IllegalArgumentException("no step for node '" + nodeId + "'");
  }
}
