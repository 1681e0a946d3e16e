package dev.basin.storage;

import dev.basin.spi.storage.ObjectStore;
import dev.basin.testing.storage.AbstractObjectStoreContractTest;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.io.TempDir;

class LocalObjectStoreContractTest extends AbstractObjectStoreContractTest {
  static final long MIN_PART = 64 * 1024;

  @TempDir Path dataDir;

  @Override
  protected ObjectStore createStore() {
    return LocalObjectStore.open(
        LocalObjectStoreConfig.defaults(dataDir).withMinPartSize(MIN_PART), Clock.systemUTC());
  }

  @Override
  protected long minPartSize() {
    return MIN_PART;
  }
}
