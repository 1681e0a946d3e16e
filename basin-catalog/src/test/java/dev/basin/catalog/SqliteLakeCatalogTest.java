package dev.basin.catalog;

import java.nio.file.Path;

/** The catalog on SQLite, the embedded default. */
class SqliteLakeCatalogTest extends AbstractLakeCatalogTest {

  @Override
  CatalogConfig config(Path dir) {
    return CatalogConfig.sqlite(dir);
  }
}
