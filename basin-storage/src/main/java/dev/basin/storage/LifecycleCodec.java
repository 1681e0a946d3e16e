package dev.basin.storage;

import dev.basin.common.json.Json;
import dev.basin.spi.storage.LifecycleConfiguration;
import dev.basin.spi.storage.LifecycleRule;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** Validates lifecycle configurations (S3's rules) and stores them as JSON. */
final class LifecycleCodec {
  static final int MAX_RULES = 1000;
  static final int MAX_ID_LENGTH = 255;
  static final int MAX_NEWER_NONCURRENT = 100;

  private LifecycleCodec() {}

  static String write(LifecycleConfiguration configuration) {
    return Json.write(configuration);
  }

  static LifecycleConfiguration read(String json) {
    return Json.read(json, LifecycleConfiguration.class);
  }

  /**
   * @throws dev.basin.spi.storage.ObjectStoreException {@code INVALID_ARGUMENT} naming the rule and
   *     the field at fault
   */
  static void validate(LifecycleConfiguration configuration) {
    if (configuration == null || configuration.rules().isEmpty()) {
      throw Errors.invalidArgument(
          "a lifecycle configuration needs at least one rule; to remove all rules, delete the"
              + " bucket's lifecycle configuration");
    }
    List<LifecycleRule> rules = configuration.rules();
    if (rules.size() > MAX_RULES) {
      throw Errors.invalidArgument(
          "a lifecycle configuration may have at most "
              + MAX_RULES
              + " rules, this one has "
              + rules.size()
              + "; merge rules with the same action");
    }
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < rules.size(); i++) {
      LifecycleRule rule = rules.get(i);
      if (rule == null) {
        throw Errors.invalidArgument("lifecycle rule #" + (i + 1) + " is missing");
      }
      String id = rule.id();
      if (id == null || id.isBlank()) {
        throw Errors.invalidArgument(
            "lifecycle rule #" + (i + 1) + " has no id; give every rule a unique id");
      }
      if (id.length() > MAX_ID_LENGTH) {
        throw Errors.invalidArgument(
            "lifecycle rule id '"
                + id.substring(0, 32)
                + "…' is "
                + id.length()
                + " characters long; the limit is "
                + MAX_ID_LENGTH);
      }
      if (!ids.add(id)) {
        throw Errors.invalidArgument(
            "lifecycle rule id '" + id + "' is used twice; rule ids must be unique");
      }
      validateRule(rule);
    }
  }

  private static void validateRule(LifecycleRule rule) {
    String id = rule.id();
    LifecycleRule.Filter filter = rule.filter();
    if (filter != null) {
      if (filter.sizeGreaterThan() != null && filter.sizeGreaterThan() < 0) {
        throw field(
            id, "filter.sizeGreaterThan", "must not be negative, was " + filter.sizeGreaterThan());
      }
      if (filter.sizeLessThan() != null && filter.sizeLessThan() <= 0) {
        throw field(id, "filter.sizeLessThan", "must be positive, was " + filter.sizeLessThan());
      }
      if (filter.sizeGreaterThan() != null
          && filter.sizeLessThan() != null
          && filter.sizeGreaterThan() >= filter.sizeLessThan()) {
        throw field(
            id,
            "filter.sizeLessThan",
            "must be greater than filter.sizeGreaterThan ("
                + filter.sizeGreaterThan()
                + "), was "
                + filter.sizeLessThan());
      }
    }
    boolean hasAction =
        rule.transitionDays() != null
            || rule.expirationDays() != null
            || rule.expiredObjectDeleteMarker()
            || rule.noncurrentDays() != null
            || rule.noncurrentTransitionDays() != null
            || rule.abortIncompleteMultipartDays() != null;
    if (!hasAction) {
      throw Errors.invalidArgument(
          "lifecycle rule '"
              + id
              + "' has no action; set at least one of transitionDays, expirationDays,"
              + " expiredObjectDeleteMarker, noncurrentDays, noncurrentTransitionDays or"
              + " abortIncompleteMultipartDays");
    }
    positive(id, "transitionDays", rule.transitionDays());
    positive(id, "expirationDays", rule.expirationDays());
    positive(id, "noncurrentDays", rule.noncurrentDays());
    positive(id, "noncurrentTransitionDays", rule.noncurrentTransitionDays());
    positive(id, "abortIncompleteMultipartDays", rule.abortIncompleteMultipartDays());
    boolean transitions = rule.transitionDays() != null || rule.noncurrentTransitionDays() != null;
    String sc = rule.transitionStorageClass();
    if (transitions && sc == null) {
      throw field(
          id,
          "transitionStorageClass",
          "is required with a transition; use one of "
              + new TreeSet<>(LocalObjectStore.COLD_CLASSES));
    }
    if (sc != null && !LocalObjectStore.COLD_CLASSES.contains(sc)) {
      throw field(
          id,
          "transitionStorageClass",
          "'"
              + sc
              + "' is not a class to transition to; use one of "
              + new TreeSet<>(LocalObjectStore.COLD_CLASSES));
    }
    if (sc != null && !transitions) {
      throw field(
          id,
          "transitionStorageClass",
          "is set but neither transitionDays nor noncurrentTransitionDays is");
    }
    if (rule.expirationDays() != null
        && rule.transitionDays() != null
        && rule.expirationDays() <= rule.transitionDays()) {
      throw field(
          id,
          "expirationDays",
          "must be greater than transitionDays ("
              + rule.transitionDays()
              + "), was "
              + rule.expirationDays());
    }
    if (rule.newerNoncurrentVersions() != null) {
      if (rule.noncurrentDays() == null) {
        throw field(id, "newerNoncurrentVersions", "needs noncurrentDays");
      }
      if (rule.newerNoncurrentVersions() < 1
          || rule.newerNoncurrentVersions() > MAX_NEWER_NONCURRENT) {
        throw field(
            id,
            "newerNoncurrentVersions",
            "must be 1 to " + MAX_NEWER_NONCURRENT + ", was " + rule.newerNoncurrentVersions());
      }
    }
    boolean tagFilter = filter != null && !filter.tags().isEmpty();
    if (tagFilter && rule.abortIncompleteMultipartDays() != null) {
      throw field(
          id,
          "abortIncompleteMultipartDays",
          "cannot be combined with a tag filter (uploads have no tags yet)");
    }
    if (tagFilter && rule.expiredObjectDeleteMarker()) {
      throw field(
          id,
          "expiredObjectDeleteMarker",
          "cannot be combined with a tag filter (delete markers have no tags)");
    }
  }

  private static void positive(String id, String field, Integer days) {
    if (days != null && days < 1) {
      throw field(id, field, "must be at least 1 day, was " + days);
    }
  }

  private static RuntimeException field(String id, String field, String problem) {
    return Errors.invalidArgument("lifecycle rule '" + id + "': " + field + " " + problem);
  }
}
