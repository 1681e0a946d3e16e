package dev.basin.catalog;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The catalog on a private PostgreSQL server, one fresh database per test. */
class PostgresLakeCatalogTest extends AbstractLakeCatalogTest {
  private static PostgresServer server;

  @BeforeAll
  static void startServer() throws Exception {
    server = PostgresServer.start();
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  @Override
  CatalogConfig config(Path dir) throws Exception {
    return new CatalogConfig(server.newDatabase(), server.user(), "unused", null);
  }
}
