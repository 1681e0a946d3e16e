package dev.basin.sql.write;

import dev.basin.catalog.IcebergSchemas;
import dev.basin.catalog.LakeCatalog;
import dev.basin.spi.sql.SqlColumn;
import dev.basin.spi.sql.SqlException;
import dev.basin.spi.sql.SqlState;
import dev.basin.spi.sql.TableScan;
import dev.basin.spi.storage.ListPage;
import dev.basin.spi.storage.ListRequest;
import dev.basin.spi.storage.ObjectInfo;
import dev.basin.spi.storage.ObjectStore;
import dev.basin.spi.storage.PutOptions;
import dev.basin.sql.DuckDbSession;
import dev.basin.sql.DuckDbTypes;
import dev.basin.sql.Sql;
import dev.basin.sql.plan.LakeFiles;
import dev.basin.sql.plan.QueryPlanner;
import dev.basin.sql.plan.Statement;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.Metrics;
import org.apache.iceberg.MetricsConfig;
import org.apache.iceberg.PartitionField;
import org.apache.iceberg.PartitionKey;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.Transaction;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.InternalRecordWrapper;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.exceptions.CommitStateUnknownException;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.parquet.ParquetUtil;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * Writes query results into Iceberg tables: DuckDB writes the Parquet files (with Iceberg field
 * ids, one set of files per partition), Basin puts them into the lake, reads their footers for
 * column metrics, and commits them in one Iceberg snapshot. A failure before the commit leaves no
 * trace in the table; files already put are deleted unless the commit's outcome is unknown.
 *
 * <p>One writer per session; not thread-safe.
 */
public final class IcebergTableWriter {

  /** Rows written and what the statement read. */
  public record Result(long rows, List<TableScan> scans) {}

  private static final long TARGET_FILE_BYTES = 256L * 1024 * 1024;

  private final LakeCatalog catalog;
  private final ObjectStore store;
  private final DuckDbSession session;
  private final Path staging;

  public IcebergTableWriter(
      LakeCatalog catalog, ObjectStore store, DuckDbSession session, Path staging) {
    this.catalog = catalog;
    this.store = store;
    this.session = session;
    this.staging = staging;
  }

  /**
   * CREATE TABLE … AS SELECT: creates the table and its first snapshot in one commit.
   *
   * @return rows written
   */
  public long createTableAs(Statement.CreateTableAs c, Statement.Name name) {
    requireDatabase(name.database());
    TableIdentifier id = TableIdentifier.of(name.database(), name.name());
    if (catalog.iceberg().tableExists(id)
        || catalog.externalTables().find(name.database(), name.name()).isPresent()) {
      if (c.ifNotExists()) {
        return 0;
      }
      throw new SqlException(
          SqlState.DUPLICATE_TABLE,
          "table " + name + " already exists; DROP it first or use INSERT INTO to add rows");
    }
    QueryPlanner.Planned planned = session.plan(c.sql());
    List<SqlColumn> cols = session.describeQuery(planned.sql());
    List<String> names = new ArrayList<>();
    List<String> types = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (SqlColumn col : cols) {
      String n = col.name();
      if (n == null || n.isBlank()) {
        throw new SqlException(
            SqlState.SYNTAX_ERROR,
            "every column of a CREATE TABLE AS query needs a name (AS name)");
      }
      if (!seen.add(n.toLowerCase(Locale.ROOT))) {
        throw new SqlException(
            SqlState.DUPLICATE_TABLE,
            "the query returns column '" + n + "' twice; give one of them another name with AS");
      }
      names.add(n);
      types.add(col.type().name());
    }
    Schema schema = DuckDbTypes.icebergSchema(names, types);
    PartitionSpec spec = IcebergSchemas.spec(schema, partitioning(c.properties()));
    Map<String, String> props = tableProperties(c.properties());
    var builder =
        catalog.iceberg().buildTable(id, schema).withPartitionSpec(spec).withProperties(props);
    Object location = c.properties().get("location");
    if (location != null) {
      builder = builder.withLocation(String.valueOf(location));
    }
    Transaction tx;
    try {
      tx = builder.createTransaction();
    } catch (AlreadyExistsException e) {
      throw new SqlException(SqlState.DUPLICATE_TABLE, "table " + name + " already exists", e);
    }
    Table table = tx.table();
    List<DataFile> files = List.of();
    long rows = 0;
    if (c.withData()) {
      files = writeFiles(table, projection(table.schema(), names, planned.sql()));
      rows = files.stream().mapToLong(DataFile::recordCount).sum();
      AppendFiles append = tx.newAppend();
      files.forEach(append::appendFile);
      append.commit();
    }
    commit(table, files, tx::commitTransaction);
    return rows;
  }

  /**
   * INSERT INTO table [(columns)] SELECT …: appends the rows in one snapshot.
   *
   * @param columns the target columns, or empty for all in order
   */
  public Result insert(Statement.Name name, List<String> columns, String sql) {
    Table table = loadIceberg(name, "INSERT INTO");
    QueryPlanner.Planned planned = session.plan(sql);
    List<SqlColumn> source = session.describeQuery(planned.sql());
    Schema schema = table.schema();
    List<String> targets = new ArrayList<>();
    if (columns.isEmpty()) {
      schema.columns().forEach(f -> targets.add(f.name()));
    } else {
      for (String c : columns) {
        Types.NestedField f = schema.caseInsensitiveFindField(c);
        if (f == null || schema.findField(f.fieldId()) == null || !schema.columns().contains(f)) {
          throw new SqlException(
              SqlState.UNDEFINED_COLUMN, "table " + name + " has no column '" + c + "'");
        }
        targets.add(f.name());
      }
    }
    if (source.size() != targets.size()) {
      throw new SqlException(
          SqlState.DATATYPE_MISMATCH,
          "INSERT INTO "
              + name
              + " expects "
              + targets.size()
              + " column(s) "
              + targets
              + " but the query returns "
              + source.size());
    }
    List<String> sourceNames = new ArrayList<>();
    for (int i = 0; i < source.size(); i++) {
      sourceNames.add("__c" + i);
    }
    String aliased = "(" + planned.sql() + ") AS __src(" + String.join(", ", sourceNames) + ")";
    List<String> projections = new ArrayList<>();
    for (Types.NestedField f : schema.columns()) {
      int i = indexOfIgnoreCase(targets, f.name());
      String value = i < 0 ? "NULL" : sourceNames.get(i);
      projections.add(
          "CAST("
              + value
              + " AS "
              + DuckDbTypes.duckType(f.type())
              + ") AS "
              + Sql.quoteIdent(f.name()));
    }
    String select = "SELECT " + String.join(", ", projections) + " FROM " + aliased;
    List<DataFile> files = writeFiles(table, select);
    long rows = files.stream().mapToLong(DataFile::recordCount).sum();
    if (!files.isEmpty()) {
      commit(table, files, () -> appendWithRetries(table, files));
    }
    return new Result(rows, planned.scans());
  }

  /**
   * COPY table FROM 's3://bucket/prefix/' (FORMAT csv|json|parquet, …): loads every object under
   * the prefix (or the one object named), matching columns by name.
   */
  public Result copy(Statement.Name name, String source, Map<String, Object> options) {
    Table table = loadIceberg(name, "COPY");
    Map<String, Object> opts = new LinkedHashMap<>();
    options.forEach((k, v) -> opts.put(k.toLowerCase(Locale.ROOT), v));
    LakeFiles.Location loc = LakeFiles.Location.parse(source);
    List<ObjectInfo> objects = list(loc);
    if (objects.isEmpty()) {
      throw new SqlException(
          SqlState.UNDEFINED_TABLE, "COPY found no objects under " + source + "; check the prefix");
    }
    String format = String.valueOf(opts.getOrDefault("format", inferFormat(objects.get(0).key())));
    format = format.toLowerCase(Locale.ROOT);
    LakeFiles files = new LakeFiles(store, staging.resolveSibling("cache"));
    List<String> paths = new ArrayList<>();
    long bytes = 0;
    String compression = null;
    for (ObjectInfo o : objects) {
      paths.add(files.localPath("s3://" + o.bucket() + "/" + o.key()).toString());
      bytes += o.size();
      String k = o.key().toLowerCase(Locale.ROOT);
      if (k.endsWith(".gz")) {
        compression = "gzip";
      } else if (k.endsWith(".zst")) {
        compression = "zstd";
      }
    }
    Object explicitCompression = opts.get("compression");
    if (explicitCompression != null) {
      compression = String.valueOf(explicitCompression).toLowerCase(Locale.ROOT);
    }
    StringBuilder reader = new StringBuilder();
    Set<String> known = new HashSet<>(List.of("format", "compression", "ignore_extra_columns"));
    switch (format) {
      case "csv", "tsv" -> {
        known.addAll(
            List.of(
                "header",
                "delimiter",
                "delim",
                "quote",
                "escape",
                "null",
                "nullstr",
                "dateformat",
                "timestampformat"));
        reader.append("read_csv(").append(Sql.stringList(paths));
        reader.append(", header = ").append(bool(opts.getOrDefault("header", true)));
        Object delim = opts.getOrDefault("delimiter", opts.get("delim"));
        if (delim == null && format.equals("tsv")) {
          delim = "\t";
        }
        if (delim != null) {
          reader.append(", delim = ").append(Sql.quoteString(String.valueOf(delim)));
        }
        if (opts.containsKey("quote")) {
          reader.append(", quote = ").append(Sql.quoteString(String.valueOf(opts.get("quote"))));
        }
        if (opts.containsKey("escape")) {
          reader.append(", escape = ").append(Sql.quoteString(String.valueOf(opts.get("escape"))));
        }
        Object nul = opts.getOrDefault("null", opts.get("nullstr"));
        if (nul != null) {
          reader.append(", nullstr = ").append(Sql.quoteString(String.valueOf(nul)));
        }
        if (opts.containsKey("dateformat")) {
          reader
              .append(", dateformat = ")
              .append(Sql.quoteString(String.valueOf(opts.get("dateformat"))));
        }
        if (opts.containsKey("timestampformat")) {
          reader
              .append(", timestampformat = ")
              .append(Sql.quoteString(String.valueOf(opts.get("timestampformat"))));
        }
        reader.append(", all_varchar = true");
      }
      case "json" ->
          reader.append("read_json(").append(Sql.stringList(paths)).append(", format = 'auto'");
      case "parquet" ->
          reader
              .append("read_parquet(")
              .append(Sql.stringList(paths))
              .append(", union_by_name = true");
      default ->
          throw new SqlException(
              SqlState.INVALID_PARAMETER_VALUE,
              "COPY FORMAT must be csv, tsv, json or parquet, not '" + format + "'");
    }
    for (String k : opts.keySet()) {
      if (!known.contains(k) && !(format.equals("json") || format.equals("parquet"))) {
        throw new SqlException(
            SqlState.INVALID_PARAMETER_VALUE,
            "unknown COPY option '" + k + "'; valid options for " + format + ": " + known);
      }
      if (!known.contains(k)) {
        throw new SqlException(
            SqlState.INVALID_PARAMETER_VALUE,
            "unknown COPY option '" + k + "'; valid options for " + format + ": " + known);
      }
    }
    if (compression != null && !format.equals("parquet")) {
      reader.append(", compression = ").append(Sql.quoteString(compression));
    }
    reader.append(')');
    List<SqlColumn> fileColumns = session.describeQuery("SELECT * FROM " + reader);
    Schema schema = table.schema();
    Map<String, String> byLower = new LinkedHashMap<>();
    for (SqlColumn c : fileColumns) {
      byLower.put(c.name().toLowerCase(Locale.ROOT), c.name());
    }
    List<String> extra = new ArrayList<>();
    for (String c : byLower.keySet()) {
      if (schema.caseInsensitiveFindField(c) == null) {
        extra.add(byLower.get(c));
      }
    }
    if (!extra.isEmpty()
        && !Boolean.parseBoolean(
            String.valueOf(opts.getOrDefault("ignore_extra_columns", false)))) {
      throw new SqlException(
          SqlState.UNDEFINED_COLUMN,
          "the files have column(s) "
              + extra
              + " that table "
              + name
              + " lacks; add them (ALTER TABLE … ADD COLUMN) or pass IGNORE_EXTRA_COLUMNS true");
    }
    List<String> projections = new ArrayList<>();
    boolean any = false;
    for (Types.NestedField f : schema.columns()) {
      String src = byLower.get(f.name().toLowerCase(Locale.ROOT));
      any |= src != null;
      String value = src == null ? "NULL" : Sql.quoteIdent(src);
      if (src != null && format.startsWith("csv") || src != null && format.equals("tsv")) {
        value = "NULLIF(" + value + ", '')";
      }
      projections.add(
          "CAST("
              + value
              + " AS "
              + DuckDbTypes.duckType(f.type())
              + ") AS "
              + Sql.quoteIdent(f.name()));
    }
    if (!any) {
      throw new SqlException(
          SqlState.UNDEFINED_COLUMN,
          "none of the files' columns " + byLower.values() + " match table " + name + "'s columns");
    }
    List<DataFile> written =
        writeFiles(table, "SELECT " + String.join(", ", projections) + " FROM " + reader);
    long rows = written.stream().mapToLong(DataFile::recordCount).sum();
    if (!written.isEmpty()) {
      commit(table, written, () -> appendWithRetries(table, written));
    }
    return new Result(
        rows,
        List.of(
            new TableScan(
                source,
                "objects:" + objects.size(),
                objects.size(),
                objects.size(),
                bytes,
                bytes)));
  }

  private static String bool(Object v) {
    return Boolean.parseBoolean(String.valueOf(v)) ? "true" : "false";
  }

  private static String inferFormat(String key) {
    String k = key.toLowerCase(Locale.ROOT).replaceAll("\\.(gz|zst|zstd|gzip)$", "");
    if (k.endsWith(".json") || k.endsWith(".jsonl") || k.endsWith(".ndjson")) {
      return "json";
    }
    if (k.endsWith(".parquet")) {
      return "parquet";
    }
    if (k.endsWith(".tsv")) {
      return "tsv";
    }
    return "csv";
  }

  private List<ObjectInfo> list(LakeFiles.Location loc) {
    List<ObjectInfo> out = new ArrayList<>();
    String after = null;
    while (true) {
      ListPage page = store.list(loc.bucket(), new ListRequest(loc.key(), null, after, 1000));
      for (ObjectInfo o : page.objects()) {
        String file = o.key().substring(o.key().lastIndexOf('/') + 1);
        if (o.size() > 0 && !file.startsWith("_") && !file.startsWith(".")) {
          out.add(o);
        }
      }
      if (!page.truncated()) {
        return out;
      }
      after = page.nextStartAfter();
    }
  }

  private Table loadIceberg(Statement.Name name, String what) {
    try {
      Table table = catalog.iceberg().loadTable(TableIdentifier.of(name.database(), name.name()));
      if (table.properties().containsKey(MATERIALIZED_VIEW_PROPERTY)) {
        throw new SqlException(
            SqlState.FEATURE_NOT_SUPPORTED,
            name + " is a materialized view; it changes only by REFRESH MATERIALIZED VIEW " + name);
      }
      return table;
    } catch (NoSuchTableException e) {
      if (catalog.externalTables().find(name.database(), name.name()).isPresent()) {
        throw new SqlException(
            SqlState.FEATURE_NOT_SUPPORTED,
            what
                + " writes Iceberg tables; "
                + name
                + " is an external table (its files are"
                + " managed outside Basin: upload objects under its location instead)");
      }
      requireDatabase(name.database());
      throw new SqlException(
          SqlState.UNDEFINED_TABLE,
          "table "
              + name
              + " does not exist; create it with CREATE TABLE "
              + name
              + " AS SELECT …");
    }
  }

  private void requireDatabase(String db) {
    if (!catalog.databases().exists(db)) {
      throw new SqlException(
          SqlState.INVALID_SCHEMA_NAME,
          "database '" + db + "' does not exist; create it with CREATE DATABASE " + db);
    }
  }

  private static int indexOfIgnoreCase(List<String> names, String name) {
    for (int i = 0; i < names.size(); i++) {
      if (names.get(i).equalsIgnoreCase(name)) {
        return i;
      }
    }
    return -1;
  }

  /** Casts a query's columns (by position) to the table schema's exact DuckDB types. */
  private static String projection(Schema schema, List<String> names, String sql) {
    List<String> aliases = new ArrayList<>();
    List<String> projections = new ArrayList<>();
    List<Types.NestedField> fields = schema.columns();
    for (int i = 0; i < fields.size(); i++) {
      aliases.add("__c" + i);
      projections.add(
          "CAST(__c"
              + i
              + " AS "
              + DuckDbTypes.duckType(fields.get(i).type())
              + ") AS "
              + Sql.quoteIdent(fields.get(i).name()));
    }
    return "SELECT "
        + String.join(", ", projections)
        + " FROM ("
        + sql
        + ") AS __src("
        + String.join(", ", aliases)
        + ")";
  }

  // ---- files

  /** Writes {@code select}'s rows (already in the table's column order and types) as data files. */
  public List<DataFile> writeFiles(Table table, String select) {
    Path dir = staging.resolve(UUID.randomUUID().toString());
    PartitionSpec spec = table.spec();
    List<String> partitionExprs = new ArrayList<>();
    for (PartitionField f : spec.fields()) {
      String expr = partitionExpression(table.schema(), f);
      if (expr != null) {
        partitionExprs.add(expr);
      }
    }
    String codec =
        table
            .properties()
            .getOrDefault(TableProperties.PARQUET_COMPRESSION, "zstd")
            .toLowerCase(Locale.ROOT);
    if (codec.equals("uncompressed") || codec.equals("none")) {
      codec = "uncompressed";
    }
    StringBuilder copy = new StringBuilder("COPY (");
    if (partitionExprs.isEmpty()) {
      copy.append(select);
    } else {
      List<String> parts = new ArrayList<>();
      for (int i = 0; i < partitionExprs.size(); i++) {
        parts.add(partitionExprs.get(i) + " AS __p" + i);
      }
      copy.append("SELECT *, ")
          .append(String.join(", ", parts))
          .append(" FROM (")
          .append(select)
          .append(")");
    }
    copy.append(") TO ").append(Sql.quoteString(dir.toString()));
    copy.append(" (FORMAT parquet, COMPRESSION ").append(codec);
    copy.append(", FIELD_IDS ").append(fieldIds(table.schema().asStruct(), true));
    copy.append(", FILE_SIZE_BYTES ").append(TARGET_FILE_BYTES);
    if (!partitionExprs.isEmpty()) {
      List<String> p = new ArrayList<>();
      for (int i = 0; i < partitionExprs.size(); i++) {
        p.add("__p" + i);
      }
      copy.append(", PARTITION_BY (").append(String.join(", ", p)).append(")");
    }
    copy.append(")");
    List<DataFile> written = new ArrayList<>();
    try {
      Files.createDirectories(dir.getParent());
      session.runInternal(copy.toString());
      List<Path> produced;
      try (Stream<Path> s = Files.walk(dir)) {
        produced = s.filter(p -> p.toString().endsWith(".parquet")).sorted().toList();
      }
      for (Path p : produced) {
        DataFile df = put(table, p);
        if (df != null) {
          written.add(df);
        }
      }
      return written;
    } catch (IOException e) {
      deleteQuietly(table, written);
      throw new UncheckedIOException("cannot stage data files in " + dir, e);
    } catch (RuntimeException e) {
      deleteQuietly(table, written);
      throw e;
    } finally {
      deleteTree(dir);
    }
  }

  private DataFile put(Table table, Path file) throws IOException {
    PartitionSpec spec = table.spec();
    PartitionKey key = null;
    if (spec.isPartitioned()) {
      key = partitionKey(table, file);
      if (key == null) {
        return null;
      }
    }
    String partitionPath = key == null ? "" : spec.partitionToPath(key) + "/";
    String name = UUID.randomUUID() + ".parquet";
    String location = table.locationProvider().newDataLocation(partitionPath + name);
    LakeFiles.Location loc = LakeFiles.Location.parse(location);
    long length = Files.size(file);
    try (InputStream in = Files.newInputStream(file)) {
      store.put(loc.bucket(), loc.key(), in, length, PutOptions.defaults());
    }
    Metrics metrics;
    try {
      metrics =
          ParquetUtil.fileMetrics(table.io().newInputFile(location), MetricsConfig.forTable(table));
    } catch (RuntimeException e) {
      store.delete(loc.bucket(), loc.key(), null);
      throw e;
    }
    if (metrics.recordCount() == null || metrics.recordCount() == 0) {
      store.delete(loc.bucket(), loc.key(), null);
      return null;
    }
    DataFiles.Builder b =
        DataFiles.builder(spec)
            .withPath(location)
            .withFormat(FileFormat.PARQUET)
            .withFileSizeInBytes(length)
            .withMetrics(metrics);
    if (key != null) {
      b.withPartition(key);
    }
    return b.build();
  }

  /** The partition of a file written by PARTITION_BY: every row shares it, so one row tells. */
  private PartitionKey partitionKey(Table table, Path file) {
    Schema schema = table.schema();
    List<Types.NestedField> sources = new ArrayList<>();
    for (PartitionField f : table.spec().fields()) {
      Types.NestedField source = schema.findField(f.sourceId());
      if (!sources.contains(source)) {
        sources.add(source);
      }
    }
    List<String> cols = new ArrayList<>();
    sources.forEach(s -> cols.add(Sql.quoteIdent(s.name())));
    List<Object[]> rows =
        session.queryInternal(
            "SELECT "
                + String.join(", ", cols)
                + " FROM read_parquet("
                + Sql.quoteString(file.toString())
                + ") LIMIT 1");
    if (rows.isEmpty()) {
      return null;
    }
    GenericRecord record = GenericRecord.create(schema);
    for (int i = 0; i < sources.size(); i++) {
      record.setField(sources.get(i).name(), icebergValue(sources.get(i).type(), rows.get(0)[i]));
    }
    PartitionKey key = new PartitionKey(table.spec(), schema);
    key.partition(new InternalRecordWrapper(schema.asStruct()).wrap(record));
    return key;
  }

  private static Object icebergValue(Type type, Object v) {
    if (v == null) {
      return null;
    }
    return switch (type.typeId()) {
      case INTEGER -> ((Number) v).intValue();
      case LONG -> ((Number) v).longValue();
      case FLOAT -> ((Number) v).floatValue();
      case DOUBLE -> ((Number) v).doubleValue();
      case STRING -> v.toString();
      default -> v;
    };
  }

  /** SQL grouping rows exactly as the partition field's transform does; null for void. */
  static String partitionExpression(Schema schema, PartitionField f) {
    Types.NestedField source = schema.findField(f.sourceId());
    String col = Sql.quoteIdent(source.name());
    String t = f.transform().toString();
    if (t.equals("identity")) {
      return col;
    }
    if (t.equals("year")) {
      return "year(" + col + ")";
    }
    if (t.equals("month")) {
      return "(year(" + col + ") * 12 + month(" + col + "))";
    }
    if (t.equals("day")) {
      return "CAST(" + col + " AS DATE)";
    }
    if (t.equals("hour")) {
      return "date_trunc('hour', " + col + ")";
    }
    if (t.equals("void")) {
      return null;
    }
    if (t.startsWith("truncate[")) {
      int w = Integer.parseInt(t.substring(9, t.length() - 1));
      Type.TypeID id = source.type().typeId();
      if (id == Type.TypeID.STRING) {
        return "left(" + col + ", " + w + ")";
      }
      if (id == Type.TypeID.INTEGER || id == Type.TypeID.LONG) {
        return "(" + col + " - (((" + col + " % " + w + ") + " + w + ") % " + w + "))";
      }
    }
    throw new SqlException(
        SqlState.FEATURE_NOT_SUPPORTED,
        "SQL writes do not support the partition transform "
            + t
            + " on "
            + source.name()
            + " yet; use identity, year, month, day, hour or truncate, or write the table with"
            + " Spark through the Iceberg REST catalog");
  }

  /** DuckDB's FIELD_IDS option value for a struct's fields. */
  static String fieldIds(Types.StructType struct, boolean top) {
    List<String> entries = new ArrayList<>();
    for (Types.NestedField f : struct.fields()) {
      entries.add(Sql.quoteString(f.name()) + ": " + fieldId(f.fieldId(), f.type()));
    }
    return "{" + String.join(", ", entries) + "}";
  }

  private static String fieldId(int id, Type type) {
    if (type.isStructType()) {
      List<String> entries = new ArrayList<>();
      entries.add("__duckdb_field_id: " + id);
      for (Types.NestedField f : type.asStructType().fields()) {
        entries.add(Sql.quoteString(f.name()) + ": " + fieldId(f.fieldId(), f.type()));
      }
      return "{" + String.join(", ", entries) + "}";
    }
    if (type.isListType()) {
      Types.ListType l = type.asListType();
      return "{__duckdb_field_id: "
          + id
          + ", element: "
          + fieldId(l.elementId(), l.elementType())
          + "}";
    }
    if (type.isMapType()) {
      Types.MapType m = type.asMapType();
      return "{__duckdb_field_id: "
          + id
          + ", key: "
          + fieldId(m.keyId(), m.keyType())
          + ", value: "
          + fieldId(m.valueId(), m.valueType())
          + "}";
    }
    return String.valueOf(id);
  }

  private static final int APPEND_ATTEMPTS = 20;

  /**
   * Appends files, starting over on a fresh table state when a concurrent writer won the race: an
   * append never conflicts with another append, so only the compare-and-swap has to be redone
   * (Iceberg's own retries give up after a few attempts under many concurrent writers).
   */
  private static void appendWithRetries(Table table, List<DataFile> files) {
    for (int attempt = 1; ; attempt++) {
      try {
        AppendFiles append = table.newAppend();
        files.forEach(append::appendFile);
        append.commit();
        return;
      } catch (org.apache.iceberg.exceptions.CommitFailedException e) {
        if (attempt >= APPEND_ATTEMPTS) {
          throw e;
        }
        table.refresh();
        try {
          Thread.sleep(Math.min(1000, 20L * attempt * attempt));
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  /** Table property marking a materialized view's table; only its refresh may write it. */
  public static final String MATERIALIZED_VIEW_PROPERTY = "basin.mv.sql";

  private void commit(Table table, List<DataFile> files, Runnable commit) {
    try {
      // Last chance to honour a cancel or timeout: after the commit the rows are in.
      session.checkCancelled();
    } catch (SqlException e) {
      deleteQuietly(table, files);
      throw e;
    }
    try {
      commit.run();
    } catch (CommitStateUnknownException e) {
      throw new SqlException(
          SqlState.INTERNAL_ERROR,
          "the commit to "
              + table.name()
              + " may or may not have happened; check the table's"
              + " snapshots before retrying",
          e);
    } catch (RuntimeException e) {
      deleteQuietly(table, files);
      if (e instanceof org.apache.iceberg.exceptions.CommitFailedException) {
        throw new SqlException(
            SqlState.SERIALIZATION_FAILURE,
            "a concurrent change to " + table.name() + " won; retry the statement",
            e);
      }
      throw e;
    }
  }

  private void deleteQuietly(Table table, List<DataFile> files) {
    for (DataFile f : files) {
      try {
        LakeFiles.Location loc = LakeFiles.Location.parse(f.location());
        store.delete(loc.bucket(), loc.key(), null);
      } catch (RuntimeException e) {
        // An orphan file; remove-orphan-files maintenance collects it.
      }
    }
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // staging leftovers are removed on the next start
    }
  }

  // ---- properties

  /** The partition terms a CTAS asks for ({@code partitioning} or {@code partitioned_by}). */
  static List<String> partitioning(Map<String, Object> properties) {
    Object p = properties.getOrDefault("partitioning", properties.get("partitioned_by"));
    if (p == null) {
      return List.of();
    }
    List<String> terms = new ArrayList<>();
    if (p instanceof List<?> l) {
      l.forEach(x -> terms.add(String.valueOf(x).trim()));
    } else {
      for (String s : String.valueOf(p).split(",")) {
        terms.add(s.trim());
      }
    }
    return terms;
  }

  /**
   * Iceberg table properties from Athena-style CTAS / CREATE TABLE properties.
   *
   * @throws SqlException for an unknown property or an unsupported format
   */
  public static Map<String, String> tableProperties(Map<String, Object> properties) {
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : properties.entrySet()) {
      String k = e.getKey().toLowerCase(Locale.ROOT);
      String v = String.valueOf(e.getValue());
      switch (k) {
        case "partitioning", "partitioned_by", "location" -> {}
        case "format" -> {
          if (!v.equalsIgnoreCase("parquet")) {
            throw new SqlException(
                SqlState.FEATURE_NOT_SUPPORTED,
                "Basin writes Iceberg tables as Parquet; format '" + v + "' is not supported");
          }
        }
        case "table_type" -> {
          if (!v.equalsIgnoreCase("iceberg")) {
            throw new SqlException(
                SqlState.FEATURE_NOT_SUPPORTED,
                "SQL writes create Iceberg tables; table_type '"
                    + v
                    + "' is not supported (create"
                    + " external tables with the catalog API)");
          }
        }
        case "write_compression", "parquet_compression" -> {
          String codec = v.toLowerCase(Locale.ROOT);
          if (!List.of("zstd", "snappy", "gzip", "uncompressed", "none", "lz4").contains(codec)) {
            throw new SqlException(
                SqlState.INVALID_PARAMETER_VALUE,
                "write_compression must be ZSTD, SNAPPY, GZIP, LZ4 or NONE, not '" + v + "'");
          }
          out.put(
              TableProperties.PARQUET_COMPRESSION, codec.equals("none") ? "uncompressed" : codec);
        }
        case "is_external" -> {
          if (Boolean.parseBoolean(v)) {
            throw new SqlException(
                SqlState.FEATURE_NOT_SUPPORTED,
                "is_external = true is not supported; SQL writes create Iceberg tables");
          }
        }
        default -> {
          if (k.startsWith("write.")
              || k.startsWith("read.")
              || k.startsWith("commit.")
              || k.startsWith("history.")
              || k.startsWith("format-version")
              || k.startsWith("comment")) {
            out.put(e.getKey(), v);
          } else {
            throw new SqlException(
                SqlState.INVALID_PARAMETER_VALUE,
                "unknown table property '"
                    + e.getKey()
                    + "'; use format, partitioning,"
                    + " write_compression, location, table_type or Iceberg's write.*/read.* keys");
          }
        }
      }
    }
    return out;
  }
}
