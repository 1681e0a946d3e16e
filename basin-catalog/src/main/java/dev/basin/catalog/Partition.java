package dev.basin.catalog;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** A partition of an external table. */
public record Partition(
    String database,
    String table,
    List<String> values,
    String location,
    Map<String, String> parameters,
    Instant createTime,
    Instant updateTime) {

  public Partition {
    values = List.copyOf(values);
    parameters = Map.copyOf(parameters);
  }
}
