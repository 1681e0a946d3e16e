package dev.basin.etl.job;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A parsed, structurally valid job: its nodes form a DAG whose every path ends in a target.
 *
 * @param name the job name
 * @param description free text, may be empty
 * @param settings run settings
 * @param defaultArguments values for {@code ${name}} placeholders; run arguments override them
 * @param nodes the nodes in declaration order
 */
public record JobDefinition(
    String name,
    String description,
    JobSettings settings,
    Map<String, String> defaultArguments,
    List<JobNode> nodes) {
  public JobDefinition {
    Objects.requireNonNull(name, "name");
    description = description == null ? "" : description;
    settings = settings == null ? JobSettings.defaults() : settings;
    defaultArguments =
        java.util.Collections.unmodifiableMap(
            new LinkedHashMap<>(defaultArguments == null ? Map.of() : defaultArguments));
    nodes = List.copyOf(nodes);
  }

  /**
   * The node with this id.
   *
   * @throws IllegalArgumentException if there is none
   */
  public JobNode node(String id) {
    for (JobNode n : nodes) {
      if (n.id().equals(id)) {
        return n;
      }
    }
    throw new IllegalArgumentException("job '" + name + "' has no node '" + id + "'");
  }
}
