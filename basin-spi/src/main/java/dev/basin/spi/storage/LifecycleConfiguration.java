package dev.basin.spi.storage;

import java.util.List;

/** A bucket's lifecycle rules (S3 allows up to 1000, with unique ids). */
public record LifecycleConfiguration(List<LifecycleRule> rules) {

  public LifecycleConfiguration {
    rules = List.copyOf(rules);
  }
}
