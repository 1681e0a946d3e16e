package dev.basin.stream;

import java.util.Objects;

/**
 * A record to put.
 *
 * @param partitionKey 1 to 256 characters; hashed with MD5 to choose the shard
 * @param explicitHashKey a decimal hash key overriding the partition key's hash, or null
 * @param data the payload
 */
public record PutEntry(String partitionKey, String explicitHashKey, byte[] data) {
  public PutEntry {
    Objects.requireNonNull(partitionKey, "partitionKey");
    Objects.requireNonNull(data, "data");
  }
}
