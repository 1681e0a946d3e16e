package dev.basin.spi.storage;

import java.nio.file.Path;
import java.util.Optional;

/**
 * An object store whose objects are plain files that in-process engines (DuckDB, Parquet readers)
 * may read directly. The file must only be read, never written, and may be replaced by a later put.
 */
public interface SupportsLocalFiles {

  /**
   * The file holding the object's current version, if it is stored uncompressed on local disk.
   *
   * @throws ObjectStoreException as {@link ObjectStore#head}
   */
  Optional<Path> localFile(String bucket, String key);
}
