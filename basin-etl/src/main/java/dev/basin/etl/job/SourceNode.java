package dev.basin.etl.job;

import java.util.List;
import java.util.Objects;

/**
 * Reads a catalog table or lake files. YAML type {@code source}.
 *
 * @param id the node id
 * @param source where it reads
 */
public record SourceNode(String id, SourceSpec source) implements JobNode {
  /** The YAML type name. */
  public static final String TYPE = "source";

  public SourceNode {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(source, "source");
  }

  @Override
  public List<String> inputs() {
    return List.of();
  }

  @Override
  public String type() {
    return TYPE;
  }
}
