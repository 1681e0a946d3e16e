package dev.basin.etl.quality;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The outcome of one top-level rule.
 *
 * @param rule the rule's canonical DQDL text
 * @param outcome pass or fail
 * @param actual the measured values by name (e.g. {@code completeness → 0.95}); may be empty
 * @param message a sentence explaining the outcome with the measured value
 * @param children for a composite rule, the results of its operands; otherwise empty
 */
public record RuleResult(
    String rule,
    Outcome outcome,
    Map<String, Object> actual,
    String message,
    List<RuleResult> children) {

  /** Whether a rule held. */
  public enum Outcome {
    PASS,
    FAIL
  }

  public RuleResult {
    Objects.requireNonNull(rule, "rule");
    Objects.requireNonNull(outcome, "outcome");
    actual = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(actual));
    Objects.requireNonNull(message, "message");
    children = List.copyOf(children);
  }

  public boolean passed() {
    return outcome == Outcome.PASS;
  }
}
