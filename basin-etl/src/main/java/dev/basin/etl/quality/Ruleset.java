package dev.basin.etl.quality;

import java.util.List;
import java.util.stream.Collectors;

/** A parsed DQDL ruleset: the rules of {@code Rules = [ ... ]} in source order. */
public record Ruleset(List<Rule> rules) {
  public Ruleset {
    rules = List.copyOf(rules);
  }

  /** The ruleset as canonical DQDL text. */
  public String dqdl() {
    return rules.stream()
        .map(Rule::dqdl)
        .collect(Collectors.joining(",\n  ", "Rules = [\n  ", "\n]"));
  }
}
