package dev.basin.stream.log;

import dev.basin.spi.stream.ShardLog;
import dev.basin.testing.stream.AbstractShardLogContractTest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the shard log contract against the local log with tiny segments and index intervals, so that
 * every test crosses many segments and index entries.
 */
class LocalShardLogContractTest extends AbstractShardLogContractTest {
  static final String STREAM = "orders";
  static final String SHARD = "shardId-000000000000";

  @TempDir Path dir;
  private final Map<ShardLog, LocalStreamLog> owners = new IdentityHashMap<>();
  private final List<LocalStreamLog> all = new ArrayList<>();
  private int created;

  LocalStreamLogConfig config(Path root) {
    return LocalStreamLogConfig.defaults(root).withSegmentBytes(2048).withIndexIntervalBytes(100);
  }

  @Override
  protected ShardLog newLog() {
    return openIn(config(dir.resolve("log" + created++)));
  }

  @Override
  protected ShardLog reopen(ShardLog log) {
    LocalStreamLog owner = owners.get(log);
    owner.close();
    return openIn(owner.config());
  }

  private ShardLog openIn(LocalStreamLogConfig config) {
    LocalStreamLog streams = new LocalStreamLog(config);
    all.add(streams);
    ShardLog log = streams.open(STREAM, SHARD);
    owners.put(log, streams);
    return log;
  }

  @AfterEach
  void closeStreamLogs() {
    all.forEach(LocalStreamLog::close);
  }
}
