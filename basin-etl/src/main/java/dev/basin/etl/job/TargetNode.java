package dev.basin.etl.job;

import java.util.List;
import java.util.Objects;

/**
 * Writes its input's rows. YAML type {@code target}.
 *
 * @param id the node id
 * @param input the node whose rows are written
 * @param target where they go
 */
public record TargetNode(String id, String input, TargetSpec target) implements JobNode {
  /** The YAML type name. */
  public static final String TYPE = "target";

  public TargetNode {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(input, "input");
    Objects.requireNonNull(target, "target");
  }

  @Override
  public List<String> inputs() {
    return List.of(input);
  }

  @Override
  public String type() {
    return TYPE;
  }
}
