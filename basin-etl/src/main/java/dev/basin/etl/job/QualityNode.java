package dev.basin.etl.job;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Evaluates DQDL rules on its input and passes rows on. YAML type {@code DataQuality}. Its relation
 * has its input's columns: every row for FAIL and WARN, the rows passing the row-level rules for
 * QUARANTINE.
 *
 * @param id the node id
 * @param input the node whose rows are checked
 * @param rules the DQDL ruleset text
 * @param action what to do on failure
 * @param quarantineUri where QUARANTINE writes failing rows ({@code s3://…/}); null otherwise
 * @param references DQDL reference name → node id, for ReferentialIntegrity
 */
public record QualityNode(
    String id,
    String input,
    String rules,
    QualityAction action,
    String quarantineUri,
    Map<String, String> references)
    implements JobNode {
  /** The YAML type name. */
  public static final String TYPE = "DataQuality";

  public QualityNode {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(input, "input");
    Objects.requireNonNull(rules, "rules");
    Objects.requireNonNull(action, "action");
    references =
        java.util.Collections.unmodifiableMap(
            new TreeMap<>(references == null ? Map.of() : references));
  }

  /**
   * The input first, then the distinct reference node ids in reference-name order: a reference is
   * read by the node, so it must be computed first.
   */
  @Override
  public List<String> inputs() {
    List<String> all = new ArrayList<>();
    all.add(input);
    for (String ref : references.values()) {
      if (!all.contains(ref)) {
        all.add(ref);
      }
    }
    return List.copyOf(all);
  }

  @Override
  public String type() {
    return TYPE;
  }
}
