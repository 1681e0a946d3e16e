package dev.basin.server.iceberg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.basin.server.iceberg.IcebergTestServer.Answer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.Transaction;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.relocated.com.google.common.collect.Lists;
import org.apache.iceberg.rest.RESTCatalog;
import org.apache.iceberg.types.Types;
import org.apache.iceberg.view.View;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Iceberg's own REST client ({@link RESTCatalog}, the one Spark's {@code type=rest} uses) against
 * the endpoint: OAuth2 client credentials, creates, appends, schema evolution, staged creates,
 * conflicts, metrics reports and views.
 */
class IcebergRestClientTest {
  static final Schema SCHEMA =
      new Schema(
          Types.NestedField.required(1, "id", Types.LongType.get()),
          Types.NestedField.optional(2, "kind", Types.StringType.get()));
  static final PartitionSpec SPEC = PartitionSpec.builderFor(SCHEMA).identity("kind").build();

  @TempDir Path dir;
  IcebergTestServer server;
  RESTCatalog client;

  @BeforeEach
  void start() {
    server = new IcebergTestServer(dir, true);
    client = newClient();
  }

  @AfterEach
  void stop() throws Exception {
    client.close();
    server.close();
  }

  private RESTCatalog newClient() {
    RESTCatalog c = new RESTCatalog();
    c.setConf(new Configuration());
    Map<String, String> props = new HashMap<>();
    props.put(CatalogProperties.URI, server.catalogUri());
    props.put(
        "credential",
        IcebergTestServer.CREDENTIALS.accessKeyId()
            + ":"
            + IcebergTestServer.CREDENTIALS.secretAccessKey());
    props.put("scope", "catalog");
    // the vended s3.* settings are for Spark's S3FileIO; this test's warehouse is local
    props.put(CatalogProperties.FILE_IO_IMPL, "org.apache.iceberg.hadoop.HadoopFileIO");
    c.initialize("basin", props);
    return c;
  }

  private static DataFile file(Table table, String name, String kind, long rows) {
    return DataFiles.builder(table.spec())
        .withPath(table.location() + "/data/kind=" + kind + "/" + name + ".parquet")
        .withFileSizeInBytes(1024)
        .withRecordCount(rows)
        .withPartitionPath("kind=" + kind)
        .withFormat(FileFormat.PARQUET)
        .build();
  }

  private static List<String> files(Table table) throws Exception {
    List<String> paths = Lists.newArrayList();
    try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
      tasks.forEach(t -> paths.add(t.file().location()));
    }
    return paths;
  }

  @Test
  void createAppendEvolveAndReadBack() throws Exception {
    client.createNamespace(Namespace.of("lake"), new HashMap<>(Map.of("owner", "it")));
    TableIdentifier id = TableIdentifier.of("lake", "events");
    Table table =
        client.createTable(id, SCHEMA, SPEC, new HashMap<>(Map.of("format-version", "2")));
    assertThat(client.listTables(Namespace.of("lake"))).containsExactly(id);
    assertThat(client.tableExists(id)).isTrue();

    table.newAppend().appendFile(file(table, "a", "click", 10)).commit();
    table.updateSchema().addColumn("country", Types.StringType.get()).commit();
    table.newAppend().appendFile(file(table, "b", "view", 5)).commit();

    try (RESTCatalog other = newClient()) {
      Table seen = other.loadTable(id);
      assertThat(seen.schema().findField("country")).isNotNull();
      assertThat(seen.spec().fields()).hasSize(1);
      assertThat(seen.currentSnapshot().summary()).containsEntry("total-records", "15");
      assertThat(files(seen)).hasSize(2);
      assertThat(seen.snapshots()).hasSize(2);
    }
    Table server = this.server.catalog.loadTable(id);
    assertThat(server.currentSnapshot().snapshotId())
        .isEqualTo(table.currentSnapshot().snapshotId());
  }

  @Test
  void stagedCreateCommitsThroughAssertCreate() {
    client.createNamespace(Namespace.of("lake"));
    TableIdentifier id = TableIdentifier.of("lake", "ctas");
    Transaction tx = client.buildTable(id, SCHEMA).withPartitionSpec(SPEC).createTransaction();
    assertThat(client.tableExists(id)).isFalse();
    tx.newAppend().appendFile(file(tx.table(), "a", "x", 3)).commit();
    tx.commitTransaction();
    Table table = server.catalog.loadTable(id);
    assertThat(table.currentSnapshot().summary()).containsEntry("total-records", "3");

    assertThatThrownBy(() -> client.buildTable(id, SCHEMA).createTransaction())
        .isInstanceOf(org.apache.iceberg.exceptions.AlreadyExistsException.class);
  }

  @Test
  void concurrentSchemaChangesFromTheSameBaseConflict() {
    client.createNamespace(Namespace.of("lake"));
    TableIdentifier id = TableIdentifier.of("lake", "t");
    client.createTable(id, SCHEMA, SPEC);
    Table a = client.loadTable(id);
    Table b = client.loadTable(id);
    a.updateSchema().addColumn("from_a", Types.StringType.get()).commit();
    assertThatThrownBy(() -> b.updateSchema().addColumn("from_b", Types.StringType.get()).commit())
        .isInstanceOf(CommitFailedException.class);
    Table current = server.catalog.loadTable(id);
    assertThat(current.schema().findField("from_a")).isNotNull();
    assertThat(current.schema().findField("from_b")).isNull();
  }

  @Test
  void staleSnapshotRequirementIsRefusedAndKeepsTheData() throws Exception {
    client.createNamespace(Namespace.of("lake"));
    TableIdentifier id = TableIdentifier.of("lake", "t");
    Table table = client.createTable(id, SCHEMA, SPEC);
    table.newAppend().appendFile(file(table, "a", "x", 1)).commit();
    long base = table.currentSnapshot().snapshotId();
    table.newAppend().appendFile(file(table, "b", "y", 2)).commit();
    long head = table.currentSnapshot().snapshotId();

    Answer stale =
        server.call(
            "POST",
            "/v1/namespaces/lake/tables/t",
            "{\"requirements\":[{\"type\":\"assert-ref-snapshot-id\",\"ref\":\"main\","
                + "\"snapshot-id\":"
                + base
                + "}],\"updates\":[{\"action\":\"set-properties\",\"updates\":{\"x\":\"y\"}}]}");
    assertThat(stale.status()).as(stale.body()).isEqualTo(409);
    assertThat(stale.errorType()).isEqualTo("CommitFailedException");

    Table reloaded = client.loadTable(id);
    assertThat(reloaded.currentSnapshot().snapshotId()).isEqualTo(head);
    assertThat(reloaded.properties()).doesNotContainKey("x");
    assertThat(files(reloaded)).hasSize(2);
  }

  @Test
  void metricsReportsAreCounted() throws Exception {
    client.createNamespace(Namespace.of("lake"));
    TableIdentifier id = TableIdentifier.of("lake", "t");
    Table table = client.createTable(id, SCHEMA, SPEC);
    table.newAppend().appendFile(file(table, "a", "x", 1)).commit();
    files(client.loadTable(id));
    long deadline = System.currentTimeMillis() + 10_000;
    while (System.currentTimeMillis() < deadline && (count("scan") < 1 || count("commit") < 1)) {
      Thread.sleep(50);
    }
    assertThat(count("scan")).isGreaterThanOrEqualTo(1);
    assertThat(count("commit")).isGreaterThanOrEqualTo(1);
  }

  private double count(String type) {
    return server.registry.counter("basin.iceberg.metrics.reports", "type", type).count();
  }

  @Test
  void renameAndDropThroughTheClient() {
    client.createNamespace(Namespace.of("lake"));
    client.createNamespace(Namespace.of("lake", "archive"));
    assertThat(client.listNamespaces(Namespace.of("lake")))
        .containsExactly(Namespace.of("lake", "archive"));
    TableIdentifier from = TableIdentifier.of("lake", "t");
    TableIdentifier to = TableIdentifier.of(Namespace.of("lake", "archive"), "t");
    client.createTable(from, SCHEMA);
    client.renameTable(from, to);
    assertThat(client.tableExists(to)).isTrue();
    assertThatThrownBy(() -> client.loadTable(from)).isInstanceOf(NoSuchTableException.class);
    assertThat(client.dropTable(to, true)).isTrue();
    assertThat(client.dropTable(to)).isFalse();
    assertThat(client.namespaceExists(Namespace.of("lake", "archive"))).isTrue();
    assertThat(client.dropNamespace(Namespace.of("lake", "archive"))).isTrue();
  }

  @Test
  void viewsRoundTrip() {
    client.createNamespace(Namespace.of("lake"));
    TableIdentifier id = TableIdentifier.of("lake", "v");
    View view =
        client
            .buildView(id)
            .withSchema(SCHEMA)
            .withDefaultNamespace(Namespace.of("lake"))
            .withQuery("spark", "SELECT id, kind FROM lake.events")
            .create();
    assertThat(client.listViews(Namespace.of("lake"))).containsExactly(id);
    assertThat(client.viewExists(id)).isTrue();
    assertThat(client.loadView(id).sqlFor("spark").sql()).contains("lake.events");
    view.replaceVersion()
        .withSchema(SCHEMA)
        .withDefaultNamespace(Namespace.of("lake"))
        .withQuery("spark", "SELECT id FROM lake.events")
        .commit();
    assertThat(client.loadView(id).sqlFor("spark").sql()).isEqualTo("SELECT id FROM lake.events");
    TableIdentifier renamed = TableIdentifier.of("lake", "v2");
    client.renameView(id, renamed);
    assertThat(client.dropView(renamed)).isTrue();
    assertThat(client.viewExists(renamed)).isFalse();
  }
}
