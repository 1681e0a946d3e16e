package dev.basin.etl.run;

import dev.basin.catalog.Column;
import dev.basin.catalog.DataFormat;
import dev.basin.catalog.ExternalTable;
import dev.basin.catalog.ExternalTables;
import dev.basin.catalog.IcebergSchemas;
import dev.basin.catalog.LakeCatalog;
import dev.basin.catalog.PartitionInput;
import dev.basin.catalog.TableInput;
import dev.basin.common.error.BasinException;
import dev.basin.etl.job.CatalogRegistration;
import dev.basin.etl.job.IcebergTarget;
import dev.basin.etl.job.PrefixTarget;
import dev.basin.etl.job.WriteMode;
import dev.basin.spi.sql.SqlColumn;
import dev.basin.spi.storage.ObjectInfo;
import dev.basin.spi.storage.ObjectStore;
import dev.basin.spi.storage.PutOptions;
import dev.basin.sql.DuckDbSession;
import dev.basin.sql.DuckDbTypes;
import dev.basin.sql.Sql;
import dev.basin.sql.plan.LakeFiles;
import dev.basin.sql.write.IcebergTableWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.OverwriteFiles;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotUpdate;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Types;

/**
 * Writes a job's outputs. Iceberg targets commit one snapshot whose summary names the job and the
 * bookmark epoch, so a rerun of the same epoch finds its commit and skips it. Prefix targets write
 * objects named {@code part-<tag>-…} (the tag is the epoch, or the run when bookmarks are off); a
 * rerun of the epoch first deletes what an interrupted attempt left under that tag.
 */
final class Targets {

  static final String SUMMARY_JOB = "basin.etl.job";
  static final String SUMMARY_EPOCH = "basin.etl.epoch";
  static final String SUMMARY_RUN = "basin.etl.run";
  private static final int ANCESTORS_CHECKED = 1000;

  private final LakeCatalog catalog;
  private final ObjectStore store;
  private final DuckDbSession session;
  private final Path staging;

  Targets(LakeCatalog catalog, ObjectStore store, DuckDbSession session, Path staging) {
    this.catalog = catalog;
    this.store = store;
    this.session = session;
    this.staging = staging;
  }

  // ---- Iceberg

  /** Whether the table already has the commit of this job's epoch. */
  boolean icebergCommitted(IcebergTarget t, String job, String epochToken) {
    TableIdentifier id = TableIdentifier.of(t.database(), t.table());
    if (!catalog.iceberg().tableExists(id)) {
      return false;
    }
    Table table = catalog.iceberg().loadTable(id);
    Snapshot s = table.currentSnapshot();
    for (int i = 0; s != null && i < ANCESTORS_CHECKED; i++) {
      Map<String, String> summary = s.summary();
      if (job.equals(summary.get(SUMMARY_JOB)) && epochToken.equals(summary.get(SUMMARY_EPOCH))) {
        return true;
      }
      s = s.parentId() == null ? null : table.snapshot(s.parentId());
    }
    return false;
  }

  /**
   * Writes the rows of {@code relation} into an Iceberg table (created if missing and allowed).
   *
   * @return rows written and the new snapshot
   */
  Map<String, Object> writeIceberg(
      String nodeId,
      IcebergTarget t,
      String relation,
      List<SqlColumn> columns,
      Map<String, String> summary) {
    TableIdentifier id = TableIdentifier.of(t.database(), t.table());
    Table table;
    boolean created = false;
    if (catalog.iceberg().tableExists(id)) {
      table = catalog.iceberg().loadTable(id);
    } else {
      if (!t.createIfMissing()) {
        throw failed(
            nodeId,
            "table "
                + t.database()
                + "."
                + t.table()
                + " does not exist and createIfMissing is false; create it or allow the job to");
      }
      if (!catalog.databases().exists(t.database())) {
        throw failed(
            nodeId,
            "database '"
                + t.database()
                + "' does not exist; create it (./basin catalog create-database "
                + t.database()
                + ")");
      }
      List<String> names = new ArrayList<>();
      List<String> types = new ArrayList<>();
      for (SqlColumn c : columns) {
        names.add(c.name());
        types.add(c.type().name());
      }
      Schema schema = DuckDbTypes.icebergSchema(names, types);
      PartitionSpec spec = IcebergSchemas.spec(schema, t.partitionBy());
      try {
        table =
            catalog
                .iceberg()
                .buildTable(id, schema)
                .withPartitionSpec(spec)
                .withProperties(IcebergTableWriter.tableProperties(Map.of()))
                .create();
        created = true;
      } catch (org.apache.iceberg.exceptions.AlreadyExistsException e) {
        table = catalog.iceberg().loadTable(id);
      }
    }
    if (table.properties().containsKey(IcebergTableWriter.MATERIALIZED_VIEW_PROPERTY)) {
      throw failed(
          nodeId,
          t.database() + "." + t.table() + " is a materialized view; only its refresh writes it");
    }
    Schema schema = table.schema();
    Set<String> tableColumns = new LinkedHashSet<>();
    schema.columns().forEach(f -> tableColumns.add(f.name().toLowerCase(Locale.ROOT)));
    for (SqlColumn c : columns) {
      if (!tableColumns.contains(c.name().toLowerCase(Locale.ROOT))) {
        throw failed(
            nodeId,
            "column '"
                + c.name()
                + "' is not in table "
                + t.database()
                + "."
                + t.table()
                + " (columns: "
                + String.join(", ", tableColumns)
                + "); drop it with DropFields or add it with ALTER TABLE … ADD COLUMN");
      }
    }
    String select = projection(schema, columns, relation);
    Snapshot base = table.currentSnapshot();
    List<DataFile> oldFiles = new ArrayList<>();
    String rowsSource = select;
    long mergedRows = 0;
    if (t.mode() == WriteMode.MERGE && base != null) {
      oldFiles = dataFiles(table, base);
      String fresh = "basin_merge_" + nodeId;
      session.runInternal(
          "CREATE OR REPLACE TEMP TABLE " + Sql.quoteIdent(fresh) + " AS " + select);
      List<String> keys = new ArrayList<>();
      for (String k : t.keys()) {
        keys.add(Sql.quoteIdent(schema.caseInsensitiveFindField(k).name()));
      }
      List<Object[]> dup =
          session.queryInternal(
              "SELECT "
                  + String.join(", ", keys)
                  + ", count(*) FROM "
                  + Sql.quoteIdent(fresh)
                  + " GROUP BY ALL HAVING count(*) > 1 LIMIT 1");
      if (!dup.isEmpty()) {
        throw failed(
            nodeId,
            "merge input has "
                + dup.get(0)[keys.size()]
                + " rows with the same key ("
                + String.join(", ", t.keys())
                + ") = "
                + java.util.Arrays.toString(java.util.Arrays.copyOf(dup.get(0), keys.size()))
                + "; add a DropDuplicates on the keys before the target");
      }
      String old =
          oldFiles.isEmpty()
              ? Sources.emptyRelation(schema)
              : session.resolver().relationForFiles(schema, oldFiles);
      List<String> match = new ArrayList<>();
      for (String k : keys) {
        match.add("n." + k + " IS NOT DISTINCT FROM o." + k);
      }
      rowsSource =
          "SELECT * FROM "
              + old
              + " AS o WHERE NOT EXISTS (SELECT 1 FROM "
              + Sql.quoteIdent(fresh)
              + " AS n WHERE "
              + String.join(" AND ", match)
              + ") UNION ALL SELECT * FROM "
              + Sql.quoteIdent(fresh);
    } else if (t.mode() == WriteMode.OVERWRITE && base != null) {
      oldFiles = dataFiles(table, base);
    }
    List<DataFile> files = session.writer().writeFiles(table, rowsSource);
    long rows = files.stream().mapToLong(DataFile::recordCount).sum();
    SnapshotUpdate<?> update;
    if (t.mode() == WriteMode.APPEND || base == null) {
      var append = table.newAppend();
      files.forEach(append::appendFile);
      update = append;
    } else {
      OverwriteFiles overwrite = table.newOverwrite();
      oldFiles.forEach(overwrite::deleteFile);
      files.forEach(overwrite::addFile);
      overwrite.validateFromSnapshot(base.snapshotId());
      overwrite.validateNoConflictingData();
      overwrite.validateNoConflictingDeletes();
      update = overwrite;
    }
    summary.forEach(update::set);
    try {
      update.commit();
    } catch (org.apache.iceberg.exceptions.CommitFailedException e) {
      deleteQuietly(files);
      throw failed(
          nodeId,
          "a concurrent change to "
              + t.database()
              + "."
              + t.table()
              + " won ("
              + e.getMessage()
              + "); run the job again");
    } catch (org.apache.iceberg.exceptions.ValidationException e) {
      deleteQuietly(files);
      throw failed(
          nodeId, "the table changed while the job ran: " + e.getMessage() + "; run the job again");
    }
    table.refresh();
    Map<String, Object> detail = new LinkedHashMap<>();
    detail.put("rows", rows);
    detail.put("files", files.size());
    detail.put("table", t.database() + "." + t.table());
    detail.put("mode", t.mode().name());
    detail.put(
        "snapshot", table.currentSnapshot() == null ? null : table.currentSnapshot().snapshotId());
    if (created) {
      detail.put("created", true);
    }
    if (t.mode() == WriteMode.MERGE && base != null) {
      // rows = what the run brought in; the table now holds tableRows
      detail.put("tableRows", rows);
      detail.put("rows", mergedRows);
      detail.put("filesReplaced", oldFiles.size());
    }
    return detail;
  }

  private static List<DataFile> dataFiles(Table table, Snapshot snapshot) {
    List<DataFile> out = new ArrayList<>();
    try (CloseableIterable<FileScanTask> tasks =
        table.newScan().useSnapshot(snapshot.snapshotId()).planFiles()) {
      for (FileScanTask t : tasks) {
        if (!t.deletes().isEmpty()) {
          throw new BasinException(
              RunErrorCode.RUN_FAILED,
              table.name()
                  + " has row-level delete files (written by another engine); compact it with"
                  + " rewrite_data_files in Spark before a job overwrites or merges into it");
        }
        out.add(t.file());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /** The input's columns cast to the table's types by name; table columns it lacks are NULL. */
  private static String projection(Schema schema, List<SqlColumn> columns, String relation) {
    Map<String, String> byLower = new LinkedHashMap<>();
    for (SqlColumn c : columns) {
      byLower.put(c.name().toLowerCase(Locale.ROOT), c.name());
    }
    List<String> out = new ArrayList<>();
    for (Types.NestedField f : schema.columns()) {
      String source = byLower.get(f.name().toLowerCase(Locale.ROOT));
      String duck = DuckDbTypes.duckType(f.type());
      out.add(
          "CAST("
              + (source == null ? "NULL" : Sql.quoteIdent(source))
              + " AS "
              + duck
              + ") AS "
              + Sql.quoteIdent(f.name()));
    }
    return "SELECT " + String.join(", ", out) + " FROM " + relation;
  }

  private void deleteQuietly(List<DataFile> files) {
    for (DataFile f : files) {
      try {
        LakeFiles.Location loc = LakeFiles.Location.parse(f.location());
        store.delete(loc.bucket(), loc.key(), null);
      } catch (RuntimeException ignored) {
        // An orphan file; remove-orphan-files maintenance collects it.
      }
    }
  }

  // ---- prefix

  /** Deletes the objects an interrupted attempt wrote under {@code prefixUri} with this tag. */
  int deleteTagged(String prefixUri, String tag) {
    LakeFiles.Location loc = LakeFiles.Location.parse(prefixUri);
    String prefix = loc.key().isEmpty() || loc.key().endsWith("/") ? loc.key() : loc.key() + "/";
    String marker = "part-" + tag + "-";
    int deleted = 0;
    String after = null;
    while (true) {
      var page =
          store.list(
              loc.bucket(), new dev.basin.spi.storage.ListRequest(prefix, null, after, 1000));
      for (ObjectInfo o : page.objects()) {
        String name = o.key().substring(o.key().lastIndexOf('/') + 1);
        if (name.startsWith(marker)) {
          store.delete(o.bucket(), o.key(), null);
          deleted++;
        }
      }
      if (!page.truncated()) {
        return deleted;
      }
      after = page.nextStartAfter();
    }
  }

  /**
   * Writes {@code relation} under a prefix as Parquet, CSV or JSON lines, Hive-partitioned by the
   * partition keys, and registers or updates a catalog table when asked.
   */
  Map<String, Object> writePrefix(
      String nodeId, PrefixTarget t, String relation, List<SqlColumn> columns, String tag) {
    LakeFiles.Location loc = Sources.location(nodeId, t.uri());
    if (store.bucket(loc.bucket()).isEmpty()) {
      throw failed(nodeId, "bucket '" + loc.bucket() + "' does not exist; create it first");
    }
    String prefix = loc.key().isEmpty() || loc.key().endsWith("/") ? loc.key() : loc.key() + "/";
    String format = t.format().toLowerCase(Locale.ROOT);
    String compression = t.compression() == null ? "" : t.compression().toLowerCase(Locale.ROOT);
    String ext;
    StringBuilder options = new StringBuilder();
    switch (format) {
      case "parquet" -> {
        String codec =
            compression.isEmpty()
                ? "zstd"
                : compression.equals("none") ? "uncompressed" : compression;
        options.append("FORMAT parquet, COMPRESSION ").append(codec);
        ext = ".parquet";
      }
      case "csv" -> {
        options.append("FORMAT csv, HEADER true");
        ext = ".csv";
        if (compression.equals("gzip") || compression.equals("zstd")) {
          options.append(", COMPRESSION ").append(compression);
          ext += compression.equals("gzip") ? ".gz" : ".zst";
        }
      }
      case "json" -> {
        options.append("FORMAT json");
        ext = ".json";
        if (compression.equals("gzip") || compression.equals("zstd")) {
          options.append(", COMPRESSION ").append(compression);
          ext += compression.equals("gzip") ? ".gz" : ".zst";
        }
      }
      default -> throw failed(nodeId, "format '" + t.format() + "' is not parquet, csv or json");
    }
    Path dir = staging.resolve(UUID.randomUUID().toString());
    List<String> partitionKeys = new ArrayList<>();
    for (String k : t.partitionKeys()) {
      partitionKeys.add(columnName(columns, k, nodeId));
    }
    StringBuilder copy = new StringBuilder("COPY (SELECT * FROM ").append(relation).append(") TO ");
    try {
      Files.createDirectories(dir);
      if (partitionKeys.isEmpty()) {
        copy.append(Sql.quoteString(dir.resolve("part-" + tag + "-0" + ext).toString()));
        copy.append(" (").append(options).append(")");
      } else {
        List<String> quoted = new ArrayList<>();
        partitionKeys.forEach(k -> quoted.add(Sql.quoteIdent(k)));
        copy.append(Sql.quoteString(dir.toString()));
        copy.append(" (").append(options);
        copy.append(", PARTITION_BY (").append(String.join(", ", quoted)).append(")");
        copy.append(", FILENAME_PATTERN ").append(Sql.quoteString("part-" + tag + "-{i}"));
        copy.append(", FILE_EXTENSION ").append(Sql.quoteString(ext.substring(1)));
        copy.append(")");
      }
      long rows = copyRows(copy.toString());
      List<Path> produced;
      try (Stream<Path> s = Files.walk(dir)) {
        produced = s.filter(Files::isRegularFile).sorted(Comparator.naturalOrder()).toList();
      }
      long bytes = 0;
      Set<List<String>> partitions = new LinkedHashSet<>();
      for (Path p : produced) {
        String relative = dir.relativize(p).toString().replace('\\', '/');
        long size = Files.size(p);
        try (InputStream in = Files.newInputStream(p)) {
          store.put(loc.bucket(), prefix + relative, in, size, PutOptions.defaults());
        }
        bytes += size;
        if (!partitionKeys.isEmpty()) {
          partitions.add(partitionValues(relative, partitionKeys.size()));
        }
      }
      Map<String, Object> detail = new LinkedHashMap<>();
      detail.put("rows", rows);
      detail.put("files", produced.size());
      detail.put("bytes", bytes);
      detail.put("uri", t.uri());
      if (!partitions.isEmpty()) {
        detail.put("partitions", partitions.size());
      }
      if (t.register() != null) {
        register(nodeId, t, format, compression, columns, partitionKeys, partitions);
        detail.put("table", t.register().database() + "." + t.register().table());
      }
      return detail;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot stage the output of node '" + nodeId + "' in " + dir, e);
    } finally {
      deleteTree(dir);
    }
  }

  /** Runs a COPY … TO and returns the rows it wrote (DuckDB answers with the count). */
  private long copyRows(String copy) {
    return session.updateInternal(copy);
  }

  private static List<String> partitionValues(String relative, int n) {
    String[] parts = relative.split("/");
    List<String> values = new ArrayList<>();
    for (int i = 0; i < n && i < parts.length - 1; i++) {
      String p = parts[i];
      int eq = p.indexOf('=');
      values.add(decode(eq < 0 ? p : p.substring(eq + 1)));
    }
    return values;
  }

  private static String decode(String s) {
    try {
      return java.net.URLDecoder.decode(s, java.nio.charset.StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return s;
    }
  }

  private void register(
      String nodeId,
      PrefixTarget t,
      String format,
      String compression,
      List<SqlColumn> columns,
      List<String> partitionKeys,
      Set<List<String>> partitions) {
    CatalogRegistration r = t.register();
    if (!catalog.databases().exists(r.database())) {
      throw failed(
          nodeId, "database '" + r.database() + "' (register) does not exist; create it first");
    }
    List<String> names = new ArrayList<>();
    List<String> types = new ArrayList<>();
    for (SqlColumn c : columns) {
      names.add(c.name());
      types.add(c.type().name());
    }
    Schema schema = DuckDbTypes.icebergSchema(names, types);
    List<Column> data = new ArrayList<>();
    List<Column> keys = new ArrayList<>();
    for (Types.NestedField f : schema.columns()) {
      boolean isKey = partitionKeys.stream().anyMatch(k -> k.equalsIgnoreCase(f.name()));
      (isKey ? keys : data)
          .add(Column.of(f.name().toLowerCase(Locale.ROOT), IcebergSchemas.glueType(f.type())));
    }
    // Partition keys in the order of the folders, not of the columns.
    keys.sort(Comparator.comparingInt(c -> indexOfIgnoreCase(partitionKeys, c.name())));
    DataFormat df =
        switch (format) {
          case "csv" -> DataFormat.CSV;
          case "json" -> DataFormat.JSON;
          default -> DataFormat.PARQUET;
        };
    Map<String, String> serde = new LinkedHashMap<>();
    Map<String, String> params = new LinkedHashMap<>();
    params.put("classification", df.classification());
    if (df == DataFormat.CSV) {
      serde.put("field.delim", ",");
      params.put("skip.header.line.count", "1");
    }
    if (!compression.isEmpty() && !compression.equals("none")) {
      params.put("compressionType", compression);
    }
    params.put("UPDATED_BY_JOB", nodeId);
    TableInput input =
        new TableInput(
            r.table(),
            "written by Basin ETL node '" + nodeId + "'",
            data,
            keys,
            t.uri().endsWith("/") ? t.uri() : t.uri() + "/",
            df,
            df == DataFormat.CSV ? DataFormat.OPEN_CSV_SERDE : null,
            serde,
            params);
    ExternalTables tables = catalog.externalTables();
    java.util.Optional<ExternalTable> existing = tables.find(r.database(), r.table());
    if (existing.isEmpty()) {
      tables.create(r.database(), input);
    } else if (!existing.get().columns().equals(data)
        || !existing.get().partitionKeys().equals(keys)
        || existing.get().format() != df) {
      tables.update(r.database(), input);
    }
    if (!partitions.isEmpty()) {
      List<PartitionInput> inputs = new ArrayList<>();
      for (List<String> values : partitions) {
        inputs.add(PartitionInput.of(values));
      }
      for (ExternalTables.PartitionError e :
          tables.addPartitions(r.database(), r.table(), inputs)) {
        if (e.error().kind() != dev.basin.common.error.ErrorKind.CONFLICT) {
          throw e.error();
        }
      }
    }
  }

  private static int indexOfIgnoreCase(List<String> names, String name) {
    for (int i = 0; i < names.size(); i++) {
      if (names.get(i).equalsIgnoreCase(name)) {
        return i;
      }
    }
    return Integer.MAX_VALUE;
  }

  private static String columnName(List<SqlColumn> columns, String name, String nodeId) {
    for (SqlColumn c : columns) {
      if (c.name().equalsIgnoreCase(name)) {
        return c.name();
      }
    }
    throw failed(nodeId, "partition key '" + name + "' is not a column of the input");
  }

  /** Writes a query's rows as one JSON-lines object (quarantined rows). */
  Map<String, Object> writeJsonLines(String nodeId, String query, String prefixUri, String name) {
    LakeFiles.Location loc = Sources.location(nodeId, prefixUri);
    if (store.bucket(loc.bucket()).isEmpty()) {
      throw failed(nodeId, "bucket '" + loc.bucket() + "' does not exist; create it first");
    }
    String prefix = loc.key().isEmpty() || loc.key().endsWith("/") ? loc.key() : loc.key() + "/";
    Path dir = staging.resolve(UUID.randomUUID().toString());
    Path file = dir.resolve(name);
    try {
      Files.createDirectories(dir);
      session.runInternal(
          "COPY (" + query + ") TO " + Sql.quoteString(file.toString()) + " (FORMAT json)");
      long size = Files.size(file);
      try (InputStream in = Files.newInputStream(file)) {
        store.put(loc.bucket(), prefix + name, in, size, PutOptions.defaults());
      }
      Map<String, Object> detail = new LinkedHashMap<>();
      detail.put("uri", "s3://" + loc.bucket() + "/" + prefix + name);
      detail.put("bytes", size);
      return detail;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot stage " + name + " in " + dir, e);
    } finally {
      deleteTree(dir);
    }
  }

  static BasinException failed(String nodeId, String message) {
    return new BasinException(RunErrorCode.RUN_FAILED, "node '" + nodeId + "': " + message);
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.deleteIfExists(p);
                } catch (IOException ignored) {
                  // best effort
                }
              });
    } catch (IOException ignored) {
      // best effort
    }
  }
}
