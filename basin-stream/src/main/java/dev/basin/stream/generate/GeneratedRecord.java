package dev.basin.stream.generate;

import java.util.Arrays;
import java.util.Objects;

/**
 * One record the generator hands to a {@link RecordSink}: the partition key and the rendered bytes
 * (UTF-8, with the record delimiter, a newline by default, appended as KDG does).
 *
 * <p>The data array is not copied; neither the generator nor a sink may modify it.
 */
public record GeneratedRecord(String partitionKey, byte[] data) {
  public GeneratedRecord {
    Objects.requireNonNull(partitionKey, "partitionKey");
    Objects.requireNonNull(data, "data");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof GeneratedRecord r
        && partitionKey.equals(r.partitionKey)
        && Arrays.equals(data, r.data);
  }

  @Override
  public int hashCode() {
    return 31 * partitionKey.hashCode() + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return "GeneratedRecord[partitionKey=" + partitionKey + ", " + data.length + " bytes]";
  }
}
