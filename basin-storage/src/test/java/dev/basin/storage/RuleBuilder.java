package dev.basin.storage;

import dev.basin.spi.storage.LifecycleRule;
import java.util.Map;

/** Builds lifecycle rules in tests without eleven positional arguments. */
final class RuleBuilder {
  private final String id;
  private boolean enabled = true;
  private String prefix = "";
  private Map<String, String> tags = Map.of();
  private Long sizeGreaterThan;
  private Long sizeLessThan;
  private Integer transitionDays;
  private String storageClass;
  private Integer expirationDays;
  private boolean expiredObjectDeleteMarker;
  private Integer noncurrentDays;
  private Integer newerNoncurrentVersions;
  private Integer noncurrentTransitionDays;
  private Integer abortDays;

  RuleBuilder(String id) {
    this.id = id;
  }

  RuleBuilder enabled(boolean value) {
    enabled = value;
    return this;
  }

  RuleBuilder prefix(String value) {
    prefix = value;
    return this;
  }

  RuleBuilder tags(Map<String, String> value) {
    tags = value;
    return this;
  }

  RuleBuilder sizeGreaterThan(Long value) {
    sizeGreaterThan = value;
    return this;
  }

  RuleBuilder sizeLessThan(Long value) {
    sizeLessThan = value;
    return this;
  }

  RuleBuilder transition(int days, String storageClass) {
    transitionDays = days;
    this.storageClass = storageClass;
    return this;
  }

  RuleBuilder noncurrentTransition(int days, String storageClass) {
    noncurrentTransitionDays = days;
    this.storageClass = storageClass;
    return this;
  }

  RuleBuilder expirationDays(int days) {
    expirationDays = days;
    return this;
  }

  RuleBuilder expiredObjectDeleteMarker(boolean value) {
    expiredObjectDeleteMarker = value;
    return this;
  }

  RuleBuilder noncurrentDays(int days) {
    noncurrentDays = days;
    return this;
  }

  RuleBuilder newerNoncurrentVersions(int count) {
    newerNoncurrentVersions = count;
    return this;
  }

  RuleBuilder abortIncompleteMultipartDays(int days) {
    abortDays = days;
    return this;
  }

  LifecycleRule build() {
    return new LifecycleRule(
        id,
        enabled,
        new LifecycleRule.Filter(prefix, tags, sizeGreaterThan, sizeLessThan),
        transitionDays,
        storageClass,
        expirationDays,
        expiredObjectDeleteMarker,
        noncurrentDays,
        newerNoncurrentVersions,
        noncurrentTransitionDays,
        abortDays);
  }
}
