package dev.basin.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.basin.common.error.BasinException;
import dev.basin.spi.storage.ListRequest;
import dev.basin.spi.storage.ObjectInfo;
import dev.basin.spi.storage.PutOptions;
import dev.basin.storage.LocalObjectStore;
import dev.basin.storage.LocalObjectStoreConfig;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotRef;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.TableOperations;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The catalog's behaviour on one metadata database; subclasses supply SQLite or PostgreSQL. Every
 * test uses a real {@link LocalObjectStore} in a temporary folder.
 */
abstract class AbstractLakeCatalogTest {
  static final Schema SCHEMA =
      new Schema(
          Types.NestedField.required(1, "id", Types.LongType.get()),
          Types.NestedField.optional(2, "name", Types.StringType.get()),
          Types.NestedField.optional(3, "day", Types.DateType.get()));
  static final PartitionSpec BY_DAY = PartitionSpec.builderFor(SCHEMA).identity("day").build();

  @TempDir Path dir;
  LocalObjectStore store;
  LakeCatalog catalog;
  final List<AutoCloseable> toClose = new ArrayList<>();

  /** A fresh, empty metadata database for one test. */
  abstract CatalogConfig config(Path dir) throws Exception;

  @BeforeEach
  void open() throws Exception {
    store = LocalObjectStore.open(LocalObjectStoreConfig.defaults(dir));
    store.createBucket("processed");
    store.createBucket("raw");
    catalog = LakeCatalog.open(config(dir), store, Clock.systemUTC());
  }

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : toClose) {
      c.close();
    }
    catalog.close();
    store.close();
  }

  LakeCatalog openSecond() {
    LakeCatalog second = LakeCatalog.open(catalog.config(), store, Clock.systemUTC());
    toClose.add(second);
    return second;
  }

  static List<Record> rows(long fromId, int count, LocalDate... days) {
    List<Record> rows = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      GenericRecord r = GenericRecord.create(SCHEMA);
      r.setField("id", fromId + i);
      r.setField("name", "n" + (fromId + i));
      r.setField("day", days[i % days.length]);
      rows.add(r);
    }
    return rows;
  }

  static List<Record> readAll(Table table) throws Exception {
    table.refresh();
    List<Record> out = new ArrayList<>();
    try (CloseableIterable<Record> it = IcebergGenerics.read(table).build()) {
      it.forEach(out::add);
    }
    return out;
  }

  Table createTable(String db, String name, PartitionSpec spec) {
    if (!catalog.databases().exists(db)) {
      catalog.databases().create(DatabaseInput.named(db));
    }
    return catalog.iceberg().createTable(TableIdentifier.of(db, name), SCHEMA, spec);
  }

  List<ObjectInfo> objectsUnder(String location) {
    S3Location loc = S3Location.parse(location.endsWith("/") ? location : location + "/");
    return store.list(loc.bucket(), ListRequest.prefix(loc.key())).objects();
  }

  @Test
  void createAppendAndReadBack() throws Exception {
    Table table = createTable("sales", "orders", BY_DAY);
    assertThat(table.location()).isEqualTo("s3://curated/warehouse/sales/orders");
    LocalDate d1 = LocalDate.of(2024, 5, 1);
    LocalDate d2 = LocalDate.of(2024, 5, 2);
    LocalDate d3 = LocalDate.of(2024, 5, 3);

    IcebergAppender.AppendResult result =
        catalog.appender().append(table, rows(0, 30, d1, d2, d3), Map.of("shard-0", "42"));

    assertThat(result.recordCount()).isEqualTo(30);
    assertThat(result.dataFileCount()).isEqualTo(3);
    assertThat(result.bytes()).isPositive();
    table.refresh();
    assertThat(table.currentSnapshot().snapshotId()).isEqualTo(result.snapshotId());
    assertThat(table.currentSnapshot().summary()).containsEntry("shard-0", "42");
    List<Record> read = readAll(table);
    assertThat(read).hasSize(30);
    assertThat(read.stream().map(r -> (Long) r.getField("id")).sorted().toList())
        .isEqualTo(java.util.stream.LongStream.range(0, 30).boxed().toList());
    List<DataFile> files = new ArrayList<>();
    table.currentSnapshot().addedDataFiles(table.io()).forEach(files::add);
    assertThat(files)
        .allSatisfy(
            f -> {
              assertThat(f.location()).startsWith("s3://curated/warehouse/sales/orders/data/");
              assertThat(f.location()).endsWith(".parquet");
              assertThat(f.recordCount()).isEqualTo(10);
              assertThat(f.valueCounts()).containsEntry(1, 10L);
              assertThat(f.lowerBounds()).containsKey(1);
            });
    assertThat(objectsUnder(table.location() + "/data")).hasSize(3);
    assertThat(objectsUnder(table.location() + "/metadata")).isNotEmpty();

    // A second catalog (another process) sees the same table and rows.
    Table again = openSecond().iceberg().loadTable(TableIdentifier.of("sales", "orders"));
    assertThat(readAll(again)).hasSize(30);
  }

  @Test
  void filteredReadPrunesByPartition() throws Exception {
    Table table = createTable("sales", "orders", BY_DAY);
    LocalDate d1 = LocalDate.of(2024, 5, 1);
    LocalDate d2 = LocalDate.of(2024, 5, 2);
    catalog.appender().append(table, rows(0, 10, d1, d2));
    List<Record> out = new ArrayList<>();
    try (CloseableIterable<Record> it =
        IcebergGenerics.read(table)
            .where(org.apache.iceberg.expressions.Expressions.equal("day", d2.toString()))
            .build()) {
      it.forEach(out::add);
    }
    assertThat(out).hasSize(5).allSatisfy(r -> assertThat(r.getField("day")).isEqualTo(d2));
  }

  @Test
  void databaseLocationHoldsItsTables() {
    catalog
        .databases()
        .create(new DatabaseInput("staging", "cleaned", "s3://processed/staging", Map.of()));
    Table table = catalog.iceberg().createTable(TableIdentifier.of("staging", "events"), SCHEMA);
    assertThat(table.location()).isEqualTo("s3://processed/staging/events");
    catalog.appender().append(table, rows(0, 5, LocalDate.of(2024, 1, 1)));
    assertThat(objectsUnder("s3://processed/staging/events/data")).hasSize(1);
  }

  @Test
  void schemaEvolutionKeepsOldRows() throws Exception {
    Table table = createTable("sales", "orders", PartitionSpec.unpartitioned());
    catalog.appender().append(table, rows(0, 4, LocalDate.of(2024, 1, 1)));

    table.updateSchema().addColumn("amount", Types.DoubleType.get()).commit();
    table.refresh();
    GenericRecord r = GenericRecord.create(table.schema());
    r.setField("id", 100L);
    r.setField("name", "new");
    r.setField("amount", 9.5);
    catalog.appender().append(table, List.of(r));

    List<Record> read = readAll(table);
    assertThat(read).hasSize(5);
    assertThat(read)
        .filteredOn(x -> (Long) x.getField("id") < 100)
        .allSatisfy(x -> assertThat(x.getField("amount")).isNull());
    assertThat(read)
        .filteredOn(x -> (Long) x.getField("id") == 100)
        .singleElement()
        .satisfies(x -> assertThat(x.getField("amount")).isEqualTo(9.5));
  }

  @Test
  void renameKeepsData() throws Exception {
    Table table = createTable("sales", "orders", PartitionSpec.unpartitioned());
    catalog.appender().append(table, rows(0, 3, LocalDate.of(2024, 1, 1)));
    catalog.databases().create(DatabaseInput.named("archive"));

    catalog
        .iceberg()
        .renameTable(TableIdentifier.of("sales", "orders"), TableIdentifier.of("archive", "old"));

    assertThat(catalog.iceberg().tableExists(TableIdentifier.of("sales", "orders"))).isFalse();
    assertThat(readAll(catalog.iceberg().loadTable(TableIdentifier.of("archive", "old"))))
        .hasSize(3);
  }

  @Test
  void dropWithPurgeDeletesEveryFile() {
    Table table = createTable("sales", "orders", BY_DAY);
    catalog
        .appender()
        .append(table, rows(0, 6, LocalDate.of(2024, 1, 1), LocalDate.of(2024, 1, 2)));
    catalog.appender().append(table, rows(10, 2, LocalDate.of(2024, 1, 3)));
    assertThat(objectsUnder(table.location())).isNotEmpty();

    assertThat(catalog.iceberg().dropTable(TableIdentifier.of("sales", "orders"), true)).isTrue();

    assertThat(catalog.iceberg().tableExists(TableIdentifier.of("sales", "orders"))).isFalse();
    assertThat(objectsUnder(table.location())).isEmpty();
  }

  @Test
  void concurrentCommitLosesAndRetrySucceeds() throws Exception {
    createTable("sales", "orders", PartitionSpec.unpartitioned());
    TableIdentifier id = TableIdentifier.of("sales", "orders");
    Table first = catalog.iceberg().loadTable(id);
    Table second = openSecond().iceberg().loadTable(id);
    List<DataFile> firstFiles =
        catalog.appender().writeDataFiles(first, rows(0, 5, LocalDate.of(2024, 1, 1)), "w1");
    List<DataFile> secondFiles =
        catalog.appender().writeDataFiles(second, rows(100, 7, LocalDate.of(2024, 1, 1)), "w2");

    // Both writers start from the same base metadata: the second prepares its snapshot, the
    // first commits, then the second tries to swap the metadata pointer from the old base.
    TableOperations secondOps = ((HasTableOperations) second).operations();
    AppendFiles pending = second.newAppend();
    secondFiles.forEach(pending::appendFile);
    Snapshot prepared = pending.apply();
    TableMetadata base = secondOps.current();

    var firstAppend = first.newAppend();
    firstFiles.forEach(firstAppend::appendFile);
    firstAppend.commit();

    TableMetadata stale =
        TableMetadata.buildFrom(base).setBranchSnapshot(prepared, SnapshotRef.MAIN_BRANCH).build();
    assertThatThrownBy(() -> secondOps.commit(base, stale))
        .isInstanceOf(CommitFailedException.class);
    assertThat(readAll(catalog.iceberg().loadTable(id))).hasSize(5);

    second.refresh();
    var retry = second.newAppend();
    secondFiles.forEach(retry::appendFile);
    retry.commit();

    List<Record> read = readAll(catalog.iceberg().loadTable(id));
    assertThat(read).hasSize(12);
    assertThat(read.stream().map(r -> (Long) r.getField("id")).filter(i -> i >= 100).count())
        .isEqualTo(7);
  }

  @Test
  void metadataSwapIsCompareAndSet() {
    createTable("sales", "orders", PartitionSpec.unpartitioned());
    TableIdentifier id = TableIdentifier.of("sales", "orders");
    TableOperations ops1 = ((HasTableOperations) catalog.iceberg().loadTable(id)).operations();
    TableOperations ops2 = ((HasTableOperations) openSecond().iceberg().loadTable(id)).operations();
    TableMetadata base1 = ops1.current();
    TableMetadata base2 = ops2.current();

    ops1.commit(base1, TableMetadata.buildFrom(base1).setProperties(Map.of("w", "1")).build());

    assertThatThrownBy(
            () ->
                ops2.commit(
                    base2, TableMetadata.buildFrom(base2).setProperties(Map.of("w", "2")).build()))
        .isInstanceOf(CommitFailedException.class);
    assertThat(catalog.iceberg().loadTable(id).properties()).containsEntry("w", "1");
  }

  @Test
  void concurrentAppendersBothLand() throws Exception {
    createTable("sales", "orders", PartitionSpec.unpartitioned());
    TableIdentifier id = TableIdentifier.of("sales", "orders");
    LakeCatalog other = openSecond();
    List<Thread> threads = new ArrayList<>();
    List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
    for (int t = 0; t < 4; t++) {
      LakeCatalog c = t % 2 == 0 ? catalog : other;
      long base = t * 1000L;
      Thread thread =
          new Thread(
              () -> {
                try {
                  for (int i = 0; i < 3; i++) {
                    Table table = c.iceberg().loadTable(id);
                    c.appender().append(table, rows(base + i * 10, 10, LocalDate.of(2024, 1, 1)));
                  }
                } catch (Throwable e) {
                  errors.add(e);
                }
              });
      threads.add(thread);
      thread.start();
    }
    for (Thread t : threads) {
      t.join();
    }
    assertThat(errors).isEmpty();
    assertThat(readAll(catalog.iceberg().loadTable(id))).hasSize(120);
  }

  @Test
  void databasesFollowGlueRules() {
    Databases dbs = catalog.databases();
    Database created =
        dbs.create(
            new DatabaseInput("web_logs", "Access logs", null, Map.of("owner", "data-team")));
    assertThat(created.description()).isEqualTo("Access logs");
    assertThat(created.parameters()).isEqualTo(Map.of("owner", "data-team"));
    assertThat(created.createTime()).isNotNull();
    assertThat(dbs.list()).extracting(Database::name).contains("web_logs");

    Database updated =
        dbs.update(
            "web_logs",
            new DatabaseInput("web_logs", "Logs v2", "s3://raw/logs", Map.of("tier", "gold")));
    assertThat(updated.description()).isEqualTo("Logs v2");
    assertThat(updated.location()).isEqualTo("s3://raw/logs");
    assertThat(updated.parameters()).isEqualTo(Map.of("tier", "gold"));
    assertThat(updated.createTime()).isEqualTo(created.createTime());

    assertThatThrownBy(() -> dbs.create(DatabaseInput.named("web_logs")))
        .isInstanceOf(BasinException.class)
        .satisfies(e -> assertCode(e, CatalogErrorCode.DATABASE_ALREADY_EXISTS))
        .hasMessageContaining("already exists");
    assertThatThrownBy(() -> dbs.create(DatabaseInput.named("WebLogs")))
        .satisfies(e -> assertCode(e, CatalogErrorCode.INVALID_NAME))
        .hasMessageContaining("'WebLogs'")
        .hasMessageContaining("lower case");
    assertThatThrownBy(() -> dbs.create(DatabaseInput.named("a-b")))
        .satisfies(e -> assertCode(e, CatalogErrorCode.INVALID_NAME))
        .hasMessageContaining("'-'");
    assertThatThrownBy(() -> dbs.create(DatabaseInput.named("x".repeat(256))))
        .satisfies(e -> assertCode(e, CatalogErrorCode.INVALID_NAME))
        .hasMessageContaining("255");
    assertThatThrownBy(() -> dbs.create(DatabaseInput.named("")))
        .satisfies(e -> assertCode(e, CatalogErrorCode.INVALID_NAME));
    assertThatThrownBy(() -> dbs.create(new DatabaseInput("other", null, "s3://nope/x", Map.of())))
        .satisfies(e -> assertCode(e, CatalogErrorCode.INVALID_LOCATION))
        .hasMessageContaining("bucket 'nope' does not exist");
    assertThatThrownBy(() -> dbs.create(new DatabaseInput("other", null, "/tmp/x", Map.of())))
        .satisfies(e -> assertCode(e, CatalogErrorCode.INVALID_LOCATION));
    assertThatThrownBy(
            () -> dbs.create(new DatabaseInput("other", null, null, Map.of("location", "x"))))
        .satisfies(e -> assertCode(e, CatalogErrorCode.INVALID_INPUT))
        .hasMessageContaining("reserved");
    assertThat(dbs.exists("other")).isFalse();
    assertThatThrownBy(() -> dbs.get("missing"))
        .satisfies(e -> assertCode(e, CatalogErrorCode.DATABASE_NOT_FOUND));

    catalog.iceberg().createTable(TableIdentifier.of("web_logs", "hits"), SCHEMA);
    catalog.externalTables().create("web_logs", csvTable("raw_hits", "s3://raw/hits/"));
    assertThatThrownBy(() -> dbs.drop("web_logs"))
        .satisfies(e -> assertCode(e, CatalogErrorCode.DATABASE_NOT_EMPTY))
        .hasMessageContaining("drop its tables first")
        .hasMessageContaining("hits")
        .hasMessageContaining("raw_hits");
    assertThat(dbs.exists("web_logs")).isTrue();
    assertThat(catalog.iceberg().tableExists(TableIdentifier.of("web_logs", "hits"))).isTrue();

    dbs.drop("web_logs", true);
    assertThat(dbs.exists("web_logs")).isFalse();
    assertThat(catalog.externalTables().exists("web_logs", "raw_hits")).isFalse();
    assertThatThrownBy(() -> dbs.drop("web_logs"))
        .satisfies(e -> assertCode(e, CatalogErrorCode.DATABASE_NOT_FOUND));
    dbs.create(DatabaseInput.named("empty_one"));
    dbs.drop("empty_one");
    assertThat(dbs.exists("empty_one")).isFalse();
  }

  static TableInput csvTable(String name, String location) {
    return new TableInput(
        name,
        "raw clicks",
        List.of(
            Column.of("id", "BIGINT"),
            Column.of("url", "string"),
            Column.of("price", "decimal(10, 2)"),
            Column.of("tags", "array<string>"),
            Column.of("attrs", "map<string,struct<a:int, b:array<double>>>")),
        List.of(Column.of("year", "int"), Column.of("month", "string")),
        location,
        DataFormat.CSV,
        null,
        Map.of("field.delim", ","),
        Map.of("skip.header.line.count", "1"));
  }

  @Test
  void externalTablesWithPartitionsAndVersions() {
    catalog.databases().create(DatabaseInput.named("lake"));
    ExternalTables ext = catalog.externalTables();

    ExternalTable t = ext.create("lake", csvTable("clicks", "s3://raw/clicks"));
    assertThat(t.versionId()).isEqualTo("1");
    assertThat(t.location()).isEqualTo("s3://raw/clicks/");
    assertThat(t.columns())
        .extracting(Column::type)
        .containsExactly(
            "bigint",
            "string",
            "decimal(10,2)",
            "array<string>",
            "map<string,struct<a:int,b:array<double>>>");
    assertThat(t.classification()).isEqualTo("csv");
    assertThat(t.inputFormat()).isEqualTo("org.apache.hadoop.mapred.TextInputFormat");
    assertThat(t.serdeLibrary()).isEqualTo("org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe");
    assertThat(t.serdeParameters()).containsEntry("field.delim", ",");
    assertThat(ext.get("lake", "clicks")).isEqualTo(t);

    // Names are unique across Iceberg and external tables, both ways.
    assertThatThrownBy(() -> ext.create("lake", csvTable("clicks", "s3://raw/other/")))
        .satisfies(e -> assertCode(e, CatalogErrorCode.TABLE_ALREADY_EXISTS));
    assertThatThrownBy(
            () -> catalog.iceberg().createTable(TableIdentifier.of("lake", "clicks"), SCHEMA))
        .isInstanceOf(AlreadyExistsException.class);
    catalog.iceberg().createTable(TableIdentifier.of("lake", "orders"), SCHEMA);
    assertThatThrownBy(() -> ext.create("lake", csvTable("orders", "s3://raw/orders/")))
        .satisfies(e -> assertCode(e, CatalogErrorCode.TABLE_ALREADY_EXISTS))
        .hasMessageContaining("Iceberg");

    // Bad input says what is wrong and stores nothing.
    TableInput badType =
        new TableInput(
            "bad",
            null,
            List.of(Column.of("x", "array<strng>")),
            List.of(),
            "s3://raw/bad/",
            DataFormat.JSON,
            null,
            Map.of(),
            Map.of());
    assertThatThrownBy(() -> ext.create("lake", badType))
        .satisfies(e -> assertCode(e, CatalogErrorCode.INVALID_TYPE))
        .hasMessageContaining("column 'x'")
        .hasMessageContaining("unknown type 'strng'");
    TableInput badDelimiter =
        new TableInput(
            "bad",
            null,
            List.of(Column.of("x", "int")),
            List.of(),
            "s3://raw/bad/",
            DataFormat.CSV,
            null,
            Map.of("field.delim", ";;"),
            Map.of());
    assertThatThrownBy(() -> ext.create("lake", badDelimiter))
        .satisfies(e -> assertCode(e, CatalogErrorCode.INVALID_INPUT))
        .hasMessageContaining("field.delim");
    assertThatThrownBy(() -> ext.create("missing_db", csvTable("x", "s3://raw/x/")))
        .satisfies(e -> assertCode(e, CatalogErrorCode.DATABASE_NOT_FOUND));
    assertThat(ext.find("lake", "bad")).isEmpty();

    // Updates archive the previous definition.
    TableInput v2 =
        new TableInput(
            "clicks",
            "with referrer",
            List.of(Column.of("id", "bigint"), Column.of("referrer", "string")),
            t.partitionKeys(),
            "s3://raw/clicks/",
            DataFormat.CSV,
            DataFormat.OPEN_CSV_SERDE,
            Map.of("separatorChar", ",", "quoteChar", "\""),
            Map.of());
    ExternalTable updated = ext.update("lake", v2);
    assertThat(updated.versionId()).isEqualTo("2");
    assertThat(updated.serdeLibrary()).isEqualTo(DataFormat.OPEN_CSV_SERDE);
    assertThat(updated.createTime()).isEqualTo(t.createTime());
    assertThatThrownBy(() -> ext.update("lake", v2, "1"))
        .satisfies(e -> assertCode(e, CatalogErrorCode.CONCURRENT_MODIFICATION));
    ext.update("lake", t.toInput(), "2");
    List<TableVersion> versions = ext.versions("lake", "clicks");
    assertThat(versions).extracting(TableVersion::versionId).containsExactly("3", "2", "1");
    assertThat(versions.get(0).current()).isTrue();
    assertThat(ext.version("lake", "clicks", "2").table().description()).isEqualTo("with referrer");
    assertThat(ext.version("lake", "clicks", "1").table().columns()).isEqualTo(t.columns());
    ext.deleteVersion("lake", "clicks", "2");
    assertThat(ext.versions("lake", "clicks"))
        .extracting(TableVersion::versionId)
        .containsExactly("3", "1");
    assertThatThrownBy(() -> ext.deleteVersion("lake", "clicks", "3"))
        .satisfies(e -> assertCode(e, CatalogErrorCode.INVALID_INPUT))
        .hasMessageContaining("current version");
    assertThatThrownBy(() -> ext.version("lake", "clicks", "2"))
        .satisfies(e -> assertCode(e, CatalogErrorCode.TABLE_VERSION_NOT_FOUND));

    // Partitions.
    List<ExternalTables.PartitionError> errors =
        ext.addPartitions(
            "lake",
            "clicks",
            List.of(
                PartitionInput.of(List.of("2024", "01")),
                PartitionInput.of(List.of("2024", "02")),
                new PartitionInput(List.of("2023", "12"), "s3://raw/old/dec/", Map.of("k", "v")),
                PartitionInput.of(List.of("2024", "01")),
                PartitionInput.of(List.of("2024"))));
    assertThat(errors).hasSize(2);
    assertCode(errors.get(0).error(), CatalogErrorCode.PARTITION_ALREADY_EXISTS);
    assertCode(errors.get(1).error(), CatalogErrorCode.INVALID_INPUT);
    assertThat(errors.get(1).error()).hasMessageContaining("2 partition keys");

    Partition p = ext.getPartition("lake", "clicks", List.of("2024", "01"));
    assertThat(p.location()).isEqualTo("s3://raw/clicks/year=2024/month=01/");
    assertThat(ext.getPartition("lake", "clicks", List.of("2023", "12")).parameters())
        .containsEntry("k", "v");
    assertThat(ext.listPartitions("lake", "clicks", (String) null)).hasSize(3);
    assertThat(ext.listPartitions("lake", "clicks", "year = 2024 AND month >= '02'"))
        .extracting(Partition::values)
        .containsExactly(List.of("2024", "02"));
    assertThat(ext.listPartitions("lake", "clicks", "year < 2024 or month = '01'")).hasSize(2);
    assertThat(ext.listPartitions("lake", "clicks", Map.of("year", "2023"))).hasSize(1);
    assertThatThrownBy(() -> ext.listPartitions("lake", "clicks", "day = '1'"))
        .satisfies(e -> assertCode(e, CatalogErrorCode.INVALID_INPUT))
        .hasMessageContaining("not a partition key");
    ext.deletePartition("lake", "clicks", List.of("2024", "02"));
    assertThatThrownBy(() -> ext.getPartition("lake", "clicks", List.of("2024", "02")))
        .satisfies(e -> assertCode(e, CatalogErrorCode.PARTITION_NOT_FOUND));
    assertThat(ext.listPartitions("lake", "clicks", (String) null)).hasSize(2);

    // The unified listing.
    catalog
        .iceberg()
        .buildView(TableIdentifier.of("lake", "recent"))
        .withSchema(SCHEMA)
        .withDefaultNamespace(Namespace.of("lake"))
        .withQuery("spark", "SELECT * FROM lake.orders")
        .create();
    List<TableSummary> all = catalog.tables("lake");
    assertThat(all)
        .extracting(TableSummary::name, TableSummary::kind)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("clicks", TableKind.EXTERNAL),
            org.assertj.core.groups.Tuple.tuple("orders", TableKind.ICEBERG),
            org.assertj.core.groups.Tuple.tuple("recent", TableKind.VIEW));
    assertThat(all).allSatisfy(s -> assertThat(s.updated()).isNotNull());

    ext.delete("lake", "clicks");
    assertThat(ext.find("lake", "clicks")).isEmpty();
    assertThatThrownBy(() -> ext.delete("lake", "clicks"))
        .satisfies(e -> assertCode(e, CatalogErrorCode.TABLE_NOT_FOUND));
    // Versions and partitions went with it: a new table of that name starts fresh.
    ext.create("lake", csvTable("clicks", "s3://raw/clicks/"));
    assertThat(ext.versions("lake", "clicks")).hasSize(1);
    assertThat(ext.listPartitions("lake", "clicks", (String) null)).isEmpty();
  }

  @Test
  void concurrentExternalTableUpdatesLoseNoVersion() throws Exception {
    catalog.databases().create(DatabaseInput.named("lake"));
    catalog.externalTables().create("lake", csvTable("clicks", "s3://raw/clicks/"));
    LakeCatalog other = openSecond();
    List<Thread> threads = new ArrayList<>();
    List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
    for (int t = 0; t < 3; t++) {
      LakeCatalog c = t % 2 == 0 ? catalog : other;
      int writer = t;
      Thread thread =
          new Thread(
              () -> {
                try {
                  for (int i = 0; i < 4; i++) {
                    TableInput input = csvTable("clicks", "s3://raw/clicks/");
                    c.externalTables()
                        .update(
                            "lake",
                            new TableInput(
                                input.name(),
                                "writer " + writer + " update " + i,
                                input.columns(),
                                input.partitionKeys(),
                                input.location(),
                                input.format(),
                                null,
                                input.serdeParameters(),
                                input.parameters()));
                  }
                } catch (Throwable e) {
                  errors.add(e);
                }
              });
      threads.add(thread);
      thread.start();
    }
    for (Thread t : threads) {
      t.join();
    }
    assertThat(errors).isEmpty();
    List<TableVersion> versions = catalog.externalTables().versions("lake", "clicks");
    assertThat(versions).hasSize(13);
    assertThat(versions.get(0).versionId()).isEqualTo("13");
    assertThat(versions.stream().map(v -> v.table().description()).distinct().count())
        .isEqualTo(13);
  }

  @Test
  void maintenanceKeepsEveryRow() throws Exception {
    Table table = createTable("sales", "orders", BY_DAY);
    LocalDate d1 = LocalDate.of(2024, 5, 1);
    LocalDate d2 = LocalDate.of(2024, 5, 2);
    for (int i = 0; i < 5; i++) {
      catalog.appender().append(table, rows(i * 100L, 10, d1, d2));
    }
    table.refresh();
    assertThat(readAll(table)).hasSize(50);
    int filesBefore = dataFileCount(table);
    assertThat(filesBefore).isEqualTo(10);

    TableMaintenance.RewriteResult rewrite =
        catalog.maintenance().rewriteDataFiles(table, 64L * 1024 * 1024, 2);
    assertThat(rewrite.rewrittenFiles()).isEqualTo(10);
    assertThat(rewrite.addedFiles()).isEqualTo(2);
    assertThat(rewrite.records()).isEqualTo(50);
    assertThat(rewrite.snapshotId()).isEqualTo(table.currentSnapshot().snapshotId());
    assertThat(readAll(table)).hasSize(50);
    assertThat(dataFileCount(table)).isEqualTo(2);

    // Iceberg deletes the replaced files once the snapshot that replaced them expires too.
    catalog.appender().append(table, rows(900, 10, d1, d2));
    TableMaintenance.ExpireResult expire =
        catalog.maintenance().expireSnapshots(table, Instant.now().plusSeconds(60), 1);
    assertThat(expire.snapshotsExpired()).isEqualTo(6);
    assertThat(expire.filesDeleted()).isGreaterThanOrEqualTo(10);
    assertThat(readAll(table)).hasSize(60);
    assertThat(objectsUnder(table.location() + "/data")).hasSize(4);

    S3Location loc = S3Location.parse(table.location());
    String strayKey = loc.key() + "/data/day=2024-05-01/stray.parquet";
    byte[] junk = "not parquet".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    store.put(
        loc.bucket(), strayKey, new ByteArrayInputStream(junk), junk.length, PutOptions.defaults());

    TableMaintenance.OrphanResult notYet =
        catalog.maintenance().removeOrphanFiles(table, Instant.now().minusSeconds(3600), true);
    assertThat(notYet.orphans()).isEmpty();

    TableMaintenance.OrphanResult dry =
        catalog.maintenance().removeOrphanFiles(table, Instant.now().plusSeconds(60), true);
    assertThat(dry.orphans()).containsExactly("s3://curated/" + strayKey);
    assertThat(dry.bytes()).isEqualTo(junk.length);
    assertThat(objectsUnder(table.location())).extracting(ObjectInfo::key).contains(strayKey);

    TableMaintenance.OrphanResult removed =
        catalog.maintenance().removeOrphanFiles(table, Instant.now().plusSeconds(60), false);
    assertThat(removed.orphans()).containsExactly("s3://curated/" + strayKey);
    assertThat(objectsUnder(table.location())).extracting(ObjectInfo::key).doesNotContain(strayKey);
    Table reloaded = openSecond().iceberg().loadTable(TableIdentifier.of("sales", "orders"));
    assertThat(readAll(reloaded)).hasSize(60);
    // Every remaining object is referenced by the metadata.
    var reachable = TableMaintenance.reachableFiles(reloaded);
    assertThat(objectsUnder(table.location()))
        .allSatisfy(o -> assertThat(reachable).contains("s3://" + o.bucket() + "/" + o.key()));
  }

  @Test
  void compactionKeepsAConcurrentAppend() throws Exception {
    Table table = createTable("sales", "orders", PartitionSpec.unpartitioned());
    for (int i = 0; i < 4; i++) {
      catalog.appender().append(table, rows(i * 10L, 10, LocalDate.of(2024, 1, 1)));
    }
    Table other = openSecond().iceberg().loadTable(TableIdentifier.of("sales", "orders"));

    TableMaintenance.RewriteResult result =
        catalog
            .maintenance()
            .rewriteDataFiles(
                table,
                64L * 1024 * 1024,
                2,
                () -> catalog.appender().append(other, rows(1000, 5, LocalDate.of(2024, 1, 2))));

    assertThat(result.rewrittenFiles()).isEqualTo(4);
    assertThat(result.addedFiles()).isEqualTo(1);
    List<Record> read = readAll(table);
    assertThat(read).hasSize(45);
    assertThat(dataFileCount(table)).isEqualTo(2);

    // Below the minimum number of input files nothing happens.
    TableMaintenance.RewriteResult nothing =
        catalog.maintenance().rewriteDataFiles(table, 64L * 1024 * 1024, 3);
    assertThat(nothing.snapshotId()).isEqualTo(-1);
    assertThat(readAll(table)).hasSize(45);
  }

  @Test
  void missingTableIsIcebergNotFound() {
    catalog.databases().create(DatabaseInput.named("sales"));
    assertThatThrownBy(() -> catalog.iceberg().loadTable(TableIdentifier.of("sales", "nope")))
        .isInstanceOf(NoSuchTableException.class);
  }

  @Test
  void reopenKeepsEverything() throws Exception {
    Table table = createTable("sales", "orders", BY_DAY);
    catalog.appender().append(table, rows(0, 4, LocalDate.of(2024, 1, 1)));
    catalog.externalTables().create("sales", csvTable("raw", "s3://raw/x/"));
    catalog.close();
    catalog = LakeCatalog.open(catalog.config(), store, Clock.systemUTC());
    assertThat(readAll(catalog.iceberg().loadTable(TableIdentifier.of("sales", "orders"))))
        .hasSize(4);
    assertThat(catalog.externalTables().get("sales", "raw").versionId()).isEqualTo("1");
  }

  static int dataFileCount(Table table) throws Exception {
    table.refresh();
    int n = 0;
    try (var tasks = table.newScan().planFiles()) {
      for (var ignored : tasks) {
        n++;
      }
    }
    return n;
  }

  static void assertCode(Throwable e, CatalogErrorCode code) {
    assertThat(e).isInstanceOf(BasinException.class);
    assertThat(((BasinException) e).code()).isEqualTo(code);
  }

  static Map<String, String> map(String... kv) {
    Map<String, String> m = new HashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }
}
