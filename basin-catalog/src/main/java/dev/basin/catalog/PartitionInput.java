package dev.basin.catalog;

import java.util.List;
import java.util.Map;

/**
 * A partition to add or update.
 *
 * @param values one value per partition key, in key order
 * @param location its folder ({@code s3://…/}), or null for {@code <table location>key=value/…/}
 * @param parameters free key/value pairs
 */
public record PartitionInput(List<String> values, String location, Map<String, String> parameters) {

  public PartitionInput {
    values = values == null ? List.of() : List.copyOf(values);
    parameters = parameters == null ? Map.of() : Map.copyOf(parameters);
  }

  public static PartitionInput of(List<String> values) {
    return new PartitionInput(values, null, Map.of());
  }
}
