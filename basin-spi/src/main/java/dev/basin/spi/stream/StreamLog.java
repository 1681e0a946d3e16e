package dev.basin.spi.stream;

import java.util.Set;

/**
 * A backend that stores shard logs: the local segment-file log by default, a Kafka cluster at
 * scale. It knows nothing of Kinesis semantics (hash ranges, iterators, lineage); the stream
 * service builds those on top.
 *
 * <p>Thread-safe. Logs handed out stay owned by the backend and are closed by {@link #close()}.
 */
public interface StreamLog extends AutoCloseable {

  /**
   * Opens (creating if absent) the log of {@code shardId} in {@code stream}. Repeated calls return
   * the same instance until the stream is deleted.
   */
  ShardLog open(String stream, String shardId);

  /** Names of the shards that have stored logs in {@code stream}. */
  Set<String> shards(String stream);

  /** Closes and permanently removes every shard log of {@code stream}. Idempotent. */
  void delete(String stream);

  /** Closes every open log, flushing acknowledged data. */
  @Override
  void close();
}
