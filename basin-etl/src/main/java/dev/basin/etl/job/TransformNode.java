package dev.basin.etl.job;

import java.util.List;
import java.util.Objects;

/**
 * Applies a {@link Transform} to its inputs.
 *
 * @param id the node id
 * @param type the transform's YAML type name; must equal {@code transform.typeName()}
 * @param inputs the input node ids (one, except Join: two, Union: two or more, Sql: one or more)
 * @param transform what it does
 */
public record TransformNode(String id, String type, List<String> inputs, Transform transform)
    implements JobNode {
  public TransformNode {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(transform, "transform");
    inputs = List.copyOf(inputs);
    if (type == null) {
      type = transform.typeName();
    } else if (!type.equals(transform.typeName())) {
      throw new IllegalArgumentException(
          "type '" + type + "' does not match transform " + transform.typeName());
    }
  }
}
