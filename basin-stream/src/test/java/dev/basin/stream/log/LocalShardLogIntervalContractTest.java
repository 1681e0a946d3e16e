package dev.basin.stream.log;

import java.nio.file.Path;
import java.time.Duration;

/** Runs the shard log contract against the local log in INTERVAL fsync mode with default sizes. */
class LocalShardLogIntervalContractTest extends LocalShardLogContractTest {
  @Override
  LocalStreamLogConfig config(Path root) {
    return LocalStreamLogConfig.defaults(root)
        .withFsyncMode(LocalStreamLogConfig.FsyncMode.INTERVAL)
        .withFsyncInterval(Duration.ofMillis(5));
  }
}
