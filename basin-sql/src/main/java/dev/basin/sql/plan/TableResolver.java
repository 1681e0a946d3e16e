package dev.basin.sql.plan;

import dev.basin.catalog.ExternalTable;
import dev.basin.catalog.IcebergSchemas;
import dev.basin.catalog.LakeCatalog;
import dev.basin.catalog.Partition;
import dev.basin.catalog.TableSummary;
import dev.basin.common.error.BasinException;
import dev.basin.common.text.EditDistance;
import dev.basin.spi.sql.SqlException;
import dev.basin.spi.sql.SqlState;
import dev.basin.spi.sql.TableScan;
import dev.basin.spi.storage.ListPage;
import dev.basin.spi.storage.ListRequest;
import dev.basin.spi.storage.ObjectInfo;
import dev.basin.sql.DuckDbTypes;
import dev.basin.sql.Sql;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotRef;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.exceptions.NoSuchViewException;
import org.apache.iceberg.expressions.Binder;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;
import org.apache.iceberg.util.SnapshotUtil;
import org.apache.iceberg.view.SQLViewRepresentation;
import org.apache.iceberg.view.View;
import org.apache.iceberg.view.ViewRepresentation;

/**
 * Finds the tables a statement names in the catalog and turns each into SQL that reads exactly the
 * files the statement needs: for Iceberg tables the chosen snapshot's data files that survive
 * manifest filtering (partition values and column statistics against the WHERE clause), read with
 * columns mapped by field id; for external tables the files of the partitions whose keys can match,
 * read with the table's declared schema and SerDe options.
 *
 * <p>Thread-safe; holds no state between calls.
 */
public final class TableResolver {

  /** Table property naming columns of a materialized view's table that queries must not see. */
  public static final String HIDDEN_COLUMNS_PROPERTY = "basin.mv.hidden-columns";

  private final LakeCatalog catalog;
  private final LakeFiles files;
  private final PlanCache plans;
  private final TableCache tables;

  /**
   * @param plans planned scans shared by every session of an engine
   * @param tables loaded tables shared by every session of an engine
   */
  public TableResolver(LakeCatalog catalog, LakeFiles files, PlanCache plans, TableCache tables) {
    this.catalog = catalog;
    this.files = files;
    this.plans = plans;
    this.tables = tables;
  }

  public LakeCatalog catalog() {
    return catalog;
  }

  /** A time-travel request: {@code AT (VERSION => …)} or {@code AT (TIMESTAMP => …)}. */
  public record AtClause(String unit, Object value) {}

  /** A table found in the catalog, before its files are planned. */
  public sealed interface Handle {
    String qualifiedName();

    /** Column names in order, lower-case. */
    List<String> columns();
  }

  record IcebergHandle(String qualifiedName, Table table, Snapshot snapshot, Schema schema)
      implements Handle {
    @Override
    public List<String> columns() {
      List<String> names = new ArrayList<>();
      for (Types.NestedField f : schema.columns()) {
        names.add(f.name().toLowerCase(Locale.ROOT));
      }
      return names;
    }
  }

  record ExternalHandle(String qualifiedName, ExternalTable table) implements Handle {
    @Override
    public List<String> columns() {
      List<String> names = new ArrayList<>();
      table.columns().forEach(c -> names.add(c.name().toLowerCase(Locale.ROOT)));
      table.partitionKeys().forEach(c -> names.add(c.name().toLowerCase(Locale.ROOT)));
      return names;
    }
  }

  /** A view: its SQL is planned in place of the name. */
  record ViewHandle(
      String qualifiedName,
      String sql,
      String defaultDatabase,
      List<String> columns,
      String version)
      implements Handle {}

  /** A table resolved to SQL, with the local files it reads. */
  public record Resolved(String sql, List<TableScan> scans, List<java.nio.file.Path> files) {

    public Resolved(String sql, List<TableScan> scans) {
      this(sql, scans, List.of());
    }
  }

  /**
   * Looks a table up.
   *
   * @return empty if {@code database} does not exist as a catalog database (the name may be
   *     DuckDB's own, e.g. {@code pg_catalog})
   * @throws SqlException {@link SqlState#UNDEFINED_TABLE} if the database exists but the table does
   *     not, with the closest names as suggestions
   */
  public Optional<Handle> lookup(String database, String name, AtClause at) {
    String db = database.toLowerCase(Locale.ROOT);
    if (!catalog.databases().exists(db)) {
      return Optional.empty();
    }
    String table = name;
    TableIdentifier id = TableIdentifier.of(Namespace.of(db), table);
    Optional<Handle> found = tryLoad(id, db, at);
    if (found.isEmpty() && !table.equals(table.toLowerCase(Locale.ROOT))) {
      found = tryLoad(TableIdentifier.of(Namespace.of(db), table.toLowerCase(Locale.ROOT)), db, at);
    }
    if (found.isPresent()) {
      return found;
    }
    List<String> names = new ArrayList<>();
    for (TableSummary s : catalog.tables(db)) {
      names.add(s.name());
    }
    String hint = "; SHOW TABLES IN " + db + " lists them";
    String closest = null;
    int best = Integer.MAX_VALUE;
    for (String candidate : names) {
      int d = EditDistance.between(name.toLowerCase(Locale.ROOT), candidate);
      if (d < best && d <= Math.max(2, name.length() / 3)) {
        best = d;
        closest = candidate;
      }
    }
    if (closest != null) {
      hint = "; did you mean " + db + "." + closest + "?";
    }
    throw new SqlException(
        SqlState.UNDEFINED_TABLE, "table " + db + "." + name + " does not exist" + hint);
  }

  /** Whether {@code database} is a catalog database. */
  public boolean databaseExists(String database) {
    return catalog.databases().exists(database.toLowerCase(Locale.ROOT));
  }

  private Optional<Handle> tryLoad(TableIdentifier id, String db, AtClause at) {
    String qualified = db + "." + id.name();
    try {
      Table table = tables.load(id);
      Snapshot snapshot = snapshotFor(table, qualified, at);
      Schema schema =
          snapshot == null || at == null
              ? table.schema()
              : SnapshotUtil.schemaFor(table, snapshot.snapshotId());
      return Optional.of(new IcebergHandle(qualified, table, snapshot, schema));
    } catch (NoSuchTableException e) {
      // not an Iceberg table
    }
    try {
      View view = catalog.iceberg().loadView(id);
      if (at != null) {
        throw new SqlException(
            SqlState.FEATURE_NOT_SUPPORTED, "time travel applies to tables, not view " + qualified);
      }
      String sql = viewSql(view, qualified);
      Namespace ns = view.currentVersion().defaultNamespace();
      String viewDb = ns == null || ns.isEmpty() ? db : ns.level(0);
      List<String> cols = new ArrayList<>();
      view.schema().columns().forEach(f -> cols.add(f.name().toLowerCase(Locale.ROOT)));
      String version =
          view.currentVersion().versionId() + "@" + Integer.toHexString(sql.hashCode());
      return Optional.of(new ViewHandle(qualified, sql, viewDb, cols, version));
    } catch (NoSuchViewException e) {
      // not a view
    }
    Optional<ExternalTable> ext = catalog.externalTables().find(db, id.name());
    if (ext.isPresent()) {
      if (at != null) {
        throw new SqlException(
            SqlState.FEATURE_NOT_SUPPORTED,
            "time travel needs an Iceberg table; " + qualified + " is an external table");
      }
      return Optional.of(new ExternalHandle(qualified, ext.get()));
    }
    return Optional.empty();
  }

  private static String viewSql(View view, String qualified) {
    String any = null;
    for (ViewRepresentation r : view.currentVersion().representations()) {
      if (r instanceof SQLViewRepresentation sql) {
        if ("duckdb".equalsIgnoreCase(sql.dialect()) || "basin".equalsIgnoreCase(sql.dialect())) {
          return sql.sql();
        }
        if (any == null) {
          any = sql.sql();
        }
      }
    }
    if (any == null) {
      throw new SqlException(
          SqlState.FEATURE_NOT_SUPPORTED, "view " + qualified + " has no SQL representation");
    }
    return any;
  }

  private static Snapshot snapshotFor(Table table, String qualified, AtClause at) {
    if (at == null) {
      return table.currentSnapshot();
    }
    if (at.unit().equals("VERSION")) {
      Object v = at.value();
      if (v instanceof Long id) {
        Snapshot s = table.snapshot(id);
        if (s == null) {
          throw new SqlException(
              SqlState.INVALID_PARAMETER_VALUE,
              "table "
                  + qualified
                  + " has no snapshot "
                  + id
                  + "; SELECT * FROM the table's snapshots (`basin catalog snapshots`) lists them");
        }
        return s;
      }
      SnapshotRef ref = table.refs().get(String.valueOf(v));
      if (ref == null) {
        throw new SqlException(
            SqlState.INVALID_PARAMETER_VALUE,
            "table " + qualified + " has no snapshot, branch or tag '" + v + "'");
      }
      return table.snapshot(ref.snapshotId());
    }
    long millis = timestampMillis(at.value());
    try {
      return table.snapshot(SnapshotUtil.snapshotIdAsOfTime(table, millis));
    } catch (IllegalArgumentException e) {
      throw new SqlException(
          SqlState.INVALID_PARAMETER_VALUE,
          "table "
              + qualified
              + " has no snapshot as of "
              + Instant.ofEpochMilli(millis)
              + "; its history starts later",
          e);
    }
  }

  private static long timestampMillis(Object value) {
    if (value instanceof Long l) {
      return l;
    }
    String s = String.valueOf(value).trim().replace(' ', 'T');
    try {
      return OffsetDateTime.parse(s).toInstant().toEpochMilli();
    } catch (DateTimeParseException e) {
      try {
        if (s.length() == 10) {
          s = s + "T00:00:00";
        }
        return LocalDateTime.parse(s).toInstant(ZoneOffset.UTC).toEpochMilli();
      } catch (DateTimeParseException e2) {
        throw new SqlException(
            SqlState.INVALID_PARAMETER_VALUE,
            "cannot read '" + value + "' as a timestamp; write TIMESTAMP '2024-05-01 12:00:00'");
      }
    }
  }

  /**
   * Plans the files of a table and returns SQL for a relation with the table's columns.
   *
   * @param conjuncts predicates the statement's rows must satisfy (for pruning only)
   */
  public Resolved resolve(Handle handle, List<Conjunct> conjuncts) {
    if (handle instanceof IcebergHandle h) {
      return iceberg(h, conjuncts);
    }
    if (handle instanceof ExternalHandle h) {
      return external(h, conjuncts);
    }
    throw new IllegalArgumentException("views are planned by the caller");
  }

  private Resolved iceberg(IcebergHandle h, List<Conjunct> conjuncts) {
    Schema schema = h.schema();
    String hidden = h.table().properties().get(HIDDEN_COLUMNS_PROPERTY);
    List<String> hiddenColumns =
        hidden == null || hidden.isBlank() ? List.of() : List.of(hidden.split(","));
    if (h.snapshot() == null) {
      return new Resolved(
          emptyRelation(schema, hiddenColumns),
          List.of(new TableScan(h.qualifiedName(), "empty", 0, 0, 0, 0)));
    }
    // Iceberg binds scan filters to the table's current schema, so each conjunct is translated
    // from the (possibly older, time-travelled) schema the query reads to the current name of the
    // same field id, with its literal converted to the field's type.
    Schema current = h.table().schema();
    List<Expression> bound = new ArrayList<>();
    StringBuilder filters = new StringBuilder();
    for (Conjunct c : conjuncts) {
      Types.NestedField field = schema.caseInsensitiveFindField(c.column());
      if (field == null || schema.findField(field.fieldId()) == null) {
        continue;
      }
      Types.NestedField now = current.findField(field.fieldId());
      if (now == null || !now.type().equals(field.type())) {
        continue;
      }
      Expression e = toExpression(now.name(), now.type(), c);
      if (e == null) {
        continue;
      }
      try {
        Binder.bind(current.asStruct(), e, true);
        bound.add(e);
        filters.append(e).append(';');
      } catch (RuntimeException ex) {
        // A predicate Iceberg cannot bind only costs pruning.
      }
    }
    // A snapshot never changes, so the same snapshot, schema and filters always plan the same
    // files: repeated queries (dashboards) skip manifest reading.
    String cacheKey =
        h.table().uuid()
            + "/"
            + h.snapshot().snapshotId()
            + "/"
            + schema.schemaId()
            + "/"
            + String.join(",", hiddenColumns)
            + "/"
            + filters;
    Resolved cached = plans.get(cacheKey);
    if (cached != null && cached.scans().get(0).table().equals(h.qualifiedName())) {
      return cached;
    }
    Resolved planned;
    try {
      planned = planIceberg(h, schema, hiddenColumns, scan(h, bound));
    } catch (SqlException e) {
      throw e;
    } catch (RuntimeException e) {
      // Pruning is an optimisation: if the filters trip Iceberg up, read the snapshot unfiltered.
      planned = planIceberg(h, schema, hiddenColumns, scan(h, List.of()));
    }
    plans.put(cacheKey, planned, planned.files());
    return planned;
  }

  private static org.apache.iceberg.TableScan scan(IcebergHandle h, List<Expression> filters) {
    org.apache.iceberg.TableScan scan =
        h.table().newScan().useSnapshot(h.snapshot().snapshotId()).caseSensitive(true);
    for (Expression e : filters) {
      scan = scan.filter(e);
    }
    return scan;
  }

  private Resolved planIceberg(
      IcebergHandle h,
      Schema schema,
      List<String> hiddenColumns,
      org.apache.iceberg.TableScan scan) {
    List<String> paths = new ArrayList<>();
    long bytes = 0;
    try (CloseableIterable<FileScanTask> tasks = scan.planFiles()) {
      for (FileScanTask task : tasks) {
        if (!task.deletes().isEmpty()) {
          throw new SqlException(
              SqlState.FEATURE_NOT_SUPPORTED,
              "table "
                  + h.qualifiedName()
                  + " has row-level delete files (merge-on-read), which Basin's engine cannot"
                  + " apply yet; compact it (`basin catalog compact`) or set"
                  + " write.delete.mode=copy-on-write in the writer");
        }
        paths.add(files.localPath(task.file().location()).toString());
        bytes += task.file().fileSizeInBytes();
      }
    } catch (java.io.IOException e) {
      throw new SqlException(SqlState.INTERNAL_ERROR, "cannot plan " + h.qualifiedName(), e);
    }
    Map<String, String> summary = h.snapshot().summary();
    long totalFiles = parseLong(summary.get("total-data-files"), paths.size());
    long totalBytes = parseLong(summary.get("total-files-size"), bytes);
    TableScan report =
        new TableScan(
            h.qualifiedName(),
            "snapshot:" + h.snapshot().snapshotId() + "/schema:" + h.table().schema().schemaId(),
            paths.size(),
            totalFiles,
            bytes,
            totalBytes);
    return new Resolved(
        readParquet(schema, paths, hiddenColumns, namesStable(h.table(), schema)), List.of(report));
  }

  /**
   * SQL for a relation over exactly these data files of an Iceberg table (e.g. the files a range of
   * snapshots added), columns mapped by field id to {@code schema}. Hidden columns are included.
   */
  public String relationForFiles(Schema schema, List<org.apache.iceberg.DataFile> dataFiles) {
    List<String> paths = new ArrayList<>();
    for (org.apache.iceberg.DataFile f : dataFiles) {
      paths.add(files.localPath(f.location()).toString());
    }
    return readParquet(schema, paths, List.of(), false);
  }

  /**
   * Whether every column of {@code schema} had the same id, name and type in every schema the table
   * ever had: then every data file holds each column under the name it has now, and reading by name
   * is the same as reading by field id. (Mapping by id through read_parquet's {@code schema}
   * parameter hides the files' statistics from DuckDB's optimizer, which can pick a much slower
   * join order, so the by-name read is preferred whenever it is exact.)
   */
  static boolean namesStable(Table table, Schema schema) {
    for (Schema past : table.schemas().values()) {
      for (Types.NestedField f : schema.columns()) {
        Types.NestedField then = past.findField(f.fieldId());
        if (then == null || !then.name().equals(f.name()) || !then.type().equals(f.type())) {
          return false;
        }
        if (past.columns().stream()
            .anyMatch(p -> p.name().equalsIgnoreCase(f.name()) && p.fieldId() != f.fieldId())) {
          return false;
        }
      }
    }
    return true;
  }

  private static String readParquet(
      Schema schema, List<String> paths, List<String> hiddenColumns, boolean byName) {
    if (paths.isEmpty()) {
      return emptyRelation(schema, hiddenColumns);
    }
    if (byName) {
      return "(SELECT "
          + visibleColumns(schema, hiddenColumns)
          + " FROM read_parquet("
          + Sql.stringList(paths)
          + "))";
    }
    StringBuilder map = new StringBuilder("MAP {");
    boolean first = true;
    for (Types.NestedField f : schema.columns()) {
      if (!first) {
        map.append(", ");
      }
      first = false;
      map.append(f.fieldId())
          .append(": {name: ")
          .append(Sql.quoteString(f.name()))
          .append(", type: ")
          .append(Sql.quoteString(DuckDbTypes.duckType(f.type())))
          .append(", default_value: NULL}");
    }
    map.append('}');
    String read = "read_parquet(" + Sql.stringList(paths) + ", schema = " + map + ")";
    if (hiddenColumns.isEmpty()) {
      return "(SELECT * FROM " + read + ")";
    }
    return "(SELECT " + visibleColumns(schema, hiddenColumns) + " FROM " + read + ")";
  }

  private static String visibleColumns(Schema schema, List<String> hidden) {
    List<String> cols = new ArrayList<>();
    for (Types.NestedField f : schema.columns()) {
      if (!hidden.contains(f.name())) {
        cols.add(Sql.quoteIdent(f.name()));
      }
    }
    return String.join(", ", cols);
  }

  private static long parseLong(String s, long fallback) {
    try {
      return s == null ? fallback : Long.parseLong(s);
    } catch (NumberFormatException e) {
      return fallback;
    }
  }

  private static String emptyRelation(Schema schema, List<String> hidden) {
    List<String> cols = new ArrayList<>();
    for (Types.NestedField f : schema.columns()) {
      if (!hidden.contains(f.name())) {
        cols.add(
            "CAST(NULL AS " + DuckDbTypes.duckType(f.type()) + ") AS " + Sql.quoteIdent(f.name()));
      }
    }
    return "(SELECT " + String.join(", ", cols) + " LIMIT 0)";
  }

  /**
   * An Iceberg predicate equivalent to {@code c} on a column of {@code type}, or null when the
   * literal cannot be converted exactly (the predicate then only costs pruning).
   */
  static Expression toExpression(String column, Type type, Conjunct c) {
    List<Object> values = new ArrayList<>();
    for (Object v : c.values()) {
      Object converted = Literals.coerce(type, v);
      if (converted == null) {
        return null;
      }
      values.add(converted);
    }
    if (values.isEmpty()) {
      return null;
    }
    Object v = values.get(0);
    return switch (c.op()) {
      case "=" -> Expressions.equal(column, v);
      case "<" -> Expressions.lessThan(column, v);
      case "<=" -> Expressions.lessThanOrEqual(column, v);
      case ">" -> Expressions.greaterThan(column, v);
      case ">=" -> Expressions.greaterThanOrEqual(column, v);
      case "IN" -> Expressions.in(column, values.toArray());
      default -> null;
    };
  }

  // ---- external tables

  private Resolved external(ExternalHandle h, List<Conjunct> conjuncts) {
    return external(h, conjuncts, null, null);
  }

  /**
   * An external table restricted to some of its objects (for ETL bookmarks): only objects {@code
   * include} accepts are read, and each one read is passed to {@code read}.
   *
   * @param include accepts an object by its {@code s3://bucket/key} URI and ETag
   * @param read receives every object included
   */
  public Resolved externalObjects(
      ExternalTable table,
      java.util.function.BiPredicate<String, String> include,
      java.util.function.Consumer<ObjectInfo> read) {
    return external(
        new ExternalHandle(table.database() + "." + table.name(), table), List.of(), include, read);
  }

  private Resolved external(
      ExternalHandle h,
      List<Conjunct> conjuncts,
      java.util.function.BiPredicate<String, String> include,
      java.util.function.Consumer<ObjectInfo> read) {
    ExternalTable t = h.table();
    Schema schema = IcebergSchemas.schema(t.columns());
    List<Types.NestedField> partitionFields =
        t.partitionKeys().isEmpty()
            ? List.of()
            : IcebergSchemas.schema(t.partitionKeys()).columns();
    List<PartitionGroup> groups = new ArrayList<>();
    if (t.partitionKeys().isEmpty()) {
      groups.add(new PartitionGroup(t.location(), List.of()));
    } else {
      List<Partition> partitions;
      try {
        partitions = catalog.externalTables().listPartitions(t.database(), t.name(), (String) null);
      } catch (BasinException e) {
        throw new SqlException(SqlState.INTERNAL_ERROR, e.getMessage(), e);
      }
      for (Partition p : partitions) {
        if (partitionMatches(t, partitionFields, p.values(), conjuncts)) {
          groups.add(new PartitionGroup(p.location(), p.values()));
        }
      }
    }
    long plannedFiles = 0;
    long plannedBytes = 0;
    MessageDigest fingerprint = sha256();
    fingerprint.update(("v" + t.versionId() + "\n").getBytes(StandardCharsets.UTF_8));
    List<String> selects = new ArrayList<>();
    for (PartitionGroup g : groups) {
      Map<String, List<String>> byCompression = new TreeMap<>();
      for (ObjectInfo o : listData(g.location())) {
        if (include != null && !include.test("s3://" + o.bucket() + "/" + o.key(), o.etag())) {
          continue;
        }
        if (read != null) {
          read.accept(o);
        }
        byCompression
            .computeIfAbsent(compression(o.key()), k -> new ArrayList<>())
            .add(files.localPath("s3://" + o.bucket() + "/" + o.key()).toString());
        plannedFiles++;
        plannedBytes += o.size();
        fingerprint.update(
            (o.bucket() + "/" + o.key() + " " + o.etag() + " " + o.size() + "\n")
                .getBytes(StandardCharsets.UTF_8));
      }
      for (Map.Entry<String, List<String>> e : byCompression.entrySet()) {
        selects.add(readExternal(t, schema, partitionFields, g.values(), e.getValue(), e.getKey()));
      }
    }
    TableScan report =
        new TableScan(
            h.qualifiedName(),
            "external:" + HexFormat.of().formatHex(fingerprint.digest()),
            plannedFiles,
            plannedFiles,
            plannedBytes,
            plannedBytes);
    if (selects.isEmpty()) {
      List<String> cols = new ArrayList<>();
      for (Types.NestedField f : schema.columns()) {
        cols.add(
            "CAST(NULL AS " + DuckDbTypes.duckType(f.type()) + ") AS " + Sql.quoteIdent(f.name()));
      }
      for (Types.NestedField f : partitionFields) {
        cols.add(
            "CAST(NULL AS " + DuckDbTypes.duckType(f.type()) + ") AS " + Sql.quoteIdent(f.name()));
      }
      return new Resolved("(SELECT " + String.join(", ", cols) + " LIMIT 0)", List.of(report));
    }
    return new Resolved("(" + String.join(" UNION ALL ", selects) + ")", List.of(report));
  }

  private record PartitionGroup(String location, List<String> values) {}

  private List<ObjectInfo> listData(String location) {
    LakeFiles.Location loc = LakeFiles.Location.parse(location);
    String prefix = loc.key().isEmpty() || loc.key().endsWith("/") ? loc.key() : loc.key() + "/";
    List<ObjectInfo> out = new ArrayList<>();
    String after = null;
    while (true) {
      ListPage page;
      try {
        page = files.store().list(loc.bucket(), new ListRequest(prefix, null, after, 1000));
      } catch (dev.basin.spi.storage.ObjectStoreException e) {
        if (e.reason() == dev.basin.spi.storage.ObjectStoreException.Reason.NO_SUCH_BUCKET) {
          throw new SqlException(
              SqlState.UNDEFINED_TABLE,
              "the table's location " + location + " names a bucket that does not exist");
        }
        throw e;
      }
      for (ObjectInfo o : page.objects()) {
        String name = o.key().substring(o.key().lastIndexOf('/') + 1);
        String relative = o.key().substring(prefix.length());
        if (o.size() == 0
            || name.isEmpty()
            || name.startsWith("_")
            || name.startsWith(".")
            || hiddenFolder(relative)) {
          continue;
        }
        out.add(o);
      }
      if (!page.truncated()) {
        return out;
      }
      after = page.nextStartAfter();
    }
  }

  private static boolean hiddenFolder(String relative) {
    for (String part : relative.split("/")) {
      if (part.startsWith("_") || part.startsWith(".")) {
        return true;
      }
    }
    return false;
  }

  static String compression(String key) {
    String k = key.toLowerCase(Locale.ROOT);
    if (k.endsWith(".gz") || k.endsWith(".gzip")) {
      return "gzip";
    }
    if (k.endsWith(".zst") || k.endsWith(".zstd")) {
      return "zstd";
    }
    return "none";
  }

  private static String readExternal(
      ExternalTable t,
      Schema schema,
      List<Types.NestedField> partitionFields,
      List<String> partitionValues,
      List<String> paths,
      String compression) {
    List<String> projections = new ArrayList<>();
    String reader;
    Map<String, String> serde = lowerKeys(t.serdeParameters());
    Map<String, String> params = lowerKeys(t.parameters());
    switch (t.format()) {
      case CSV -> {
        Map<String, String> columns = new LinkedHashMap<>();
        for (Types.NestedField f : schema.columns()) {
          columns.put(f.name(), "VARCHAR");
        }
        String delim = first(serde, "field.delim", "separatorchar", "serialization.format");
        if (delim == null || delim.isEmpty() || delim.equals("1")) {
          delim = ",";
        }
        String quote = Optional.ofNullable(serde.get("quotechar")).orElse("\"");
        String escape =
            Optional.ofNullable(first(serde, "escapechar", "escape.delim")).orElse(quote);
        String nullFormat =
            Optional.ofNullable(first(serde, "serialization.null.format", "null.format"))
                .orElse("\\N");
        long skip = parseLong(first(params, "skip.header.line.count"), 0);
        StringBuilder r = new StringBuilder("read_csv(").append(Sql.stringList(paths));
        r.append(", columns = ").append(structLiteral(columns));
        r.append(", delim = ").append(Sql.quoteString(delim));
        r.append(", quote = ").append(Sql.quoteString(quote));
        r.append(", escape = ").append(Sql.quoteString(escape));
        r.append(", header = false, skip = ").append(skip);
        r.append(", nullstr = ").append(Sql.quoteString(nullFormat));
        r.append(", auto_detect = false, null_padding = true, strict_mode = false");
        if (!compression.equals("none")) {
          r.append(", compression = ").append(Sql.quoteString(compression));
        }
        reader = r.append(')').toString();
        for (Types.NestedField f : schema.columns()) {
          String duck = DuckDbTypes.duckType(f.type());
          String ref = Sql.quoteIdent(f.name());
          projections.add(
              (duck.equals("VARCHAR") ? ref : "TRY_CAST(NULLIF(" + ref + ", '') AS " + duck + ")")
                  + " AS "
                  + ref);
        }
      }
      case JSON -> {
        Map<String, String> columns = new LinkedHashMap<>();
        for (Types.NestedField f : schema.columns()) {
          columns.put(f.name(), DuckDbTypes.duckType(f.type()));
        }
        StringBuilder r = new StringBuilder("read_json(").append(Sql.stringList(paths));
        r.append(", columns = ").append(structLiteral(columns));
        r.append(", format = 'auto'");
        if ("true".equalsIgnoreCase(serde.get("ignore.malformed.json"))) {
          r.append(", ignore_errors = true");
        }
        if (!compression.equals("none")) {
          r.append(", compression = ").append(Sql.quoteString(compression));
        }
        reader = r.append(')').toString();
        for (Types.NestedField f : schema.columns()) {
          projections.add(Sql.quoteIdent(f.name()));
        }
      }
      case PARQUET -> {
        reader = "read_parquet(" + Sql.stringList(paths) + ", union_by_name = true)";
        java.util.Set<String> present = parquetColumns(paths);
        for (Types.NestedField f : schema.columns()) {
          String ref = Sql.quoteIdent(f.name());
          String duck = DuckDbTypes.duckType(f.type());
          // A column no file has reads as NULL, as Athena does, instead of failing to bind.
          projections.add(
              (present.contains(f.name().toLowerCase(Locale.ROOT))
                      ? "TRY_CAST(" + ref + " AS " + duck + ")"
                      : "CAST(NULL AS " + duck + ")")
                  + " AS "
                  + ref);
        }
      }
      default -> throw new IllegalStateException("unknown format " + t.format());
    }
    for (int i = 0; i < partitionFields.size(); i++) {
      Types.NestedField f = partitionFields.get(i);
      String value = i < partitionValues.size() ? partitionValues.get(i) : null;
      String literal =
          value == null || value.equals("__HIVE_DEFAULT_PARTITION__")
              ? "NULL"
              : Sql.quoteString(value);
      projections.add(
          "TRY_CAST("
              + literal
              + " AS "
              + DuckDbTypes.duckType(f.type())
              + ") AS "
              + Sql.quoteIdent(f.name()));
    }
    return "SELECT " + String.join(", ", projections) + " FROM " + reader;
  }

  private static final Map<String, java.util.Set<String>> FOOTER_COLUMNS =
      java.util.Collections.synchronizedMap(
          new java.util.LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, java.util.Set<String>> e) {
              return size() > 10_000;
            }
          });

  /** The top-level column names (lower case) any of these Parquet files has. */
  static java.util.Set<String> parquetColumns(List<String> paths) {
    java.util.Set<String> out = new java.util.HashSet<>();
    for (String p : paths) {
      java.nio.file.Path path = java.nio.file.Path.of(p);
      try {
        String key =
            p
                + ":"
                + java.nio.file.Files.size(path)
                + ":"
                + java.nio.file.Files.getLastModifiedTime(path).toMillis();
        java.util.Set<String> cols = FOOTER_COLUMNS.get(key);
        if (cols == null) {
          cols = new java.util.HashSet<>();
          try (org.apache.parquet.hadoop.ParquetFileReader r =
              org.apache.parquet.hadoop.ParquetFileReader.open(
                  new org.apache.parquet.io.LocalInputFile(path))) {
            for (org.apache.parquet.schema.Type t :
                r.getFooter().getFileMetaData().getSchema().getFields()) {
              cols.add(t.getName().toLowerCase(Locale.ROOT));
            }
          }
          FOOTER_COLUMNS.put(key, cols);
        }
        out.addAll(cols);
      } catch (java.io.IOException | RuntimeException e) {
        throw new SqlException(
            SqlState.DATA_EXCEPTION,
            "cannot read the Parquet footer of a file of the table ("
                + e.getMessage()
                + "); is it really Parquet?",
            e);
      }
    }
    return out;
  }

  private static String structLiteral(Map<String, String> columns) {
    List<String> entries = new ArrayList<>();
    columns.forEach((k, v) -> entries.add(Sql.quoteString(k) + ": " + Sql.quoteString(v)));
    return "{" + String.join(", ", entries) + "}";
  }

  private static Map<String, String> lowerKeys(Map<String, String> m) {
    Map<String, String> out = new LinkedHashMap<>();
    m.forEach((k, v) -> out.put(k.toLowerCase(Locale.ROOT), v));
    return out;
  }

  private static String first(Map<String, String> m, String... keys) {
    for (String k : keys) {
      if (m.containsKey(k)) {
        return m.get(k);
      }
    }
    return null;
  }

  /** Whether a partition's key values can satisfy every conjunct on the partition keys. */
  private static boolean partitionMatches(
      ExternalTable t,
      List<Types.NestedField> keys,
      List<String> values,
      List<Conjunct> conjuncts) {
    for (Conjunct c : conjuncts) {
      for (int i = 0; i < keys.size() && i < values.size(); i++) {
        if (!keys.get(i).name().equalsIgnoreCase(c.column())) {
          continue;
        }
        String raw = values.get(i);
        if (raw == null || raw.equals("__HIVE_DEFAULT_PARTITION__")) {
          return false;
        }
        Boolean ok = evaluate(keys.get(i).type(), raw, c);
        if (ok != null && !ok) {
          return false;
        }
      }
    }
    return true;
  }

  /** True/false when the value is known to satisfy / violate {@code c}; null when unsure. */
  private static Boolean evaluate(Type type, String raw, Conjunct c) {
    List<Integer> comparisons = new ArrayList<>();
    for (Object v : c.values()) {
      if (v == null) {
        return null;
      }
      Integer cmp = compare(type, raw, v);
      if (cmp == null) {
        return null;
      }
      comparisons.add(cmp);
    }
    int cmp = comparisons.get(0);
    return switch (c.op()) {
      case "=" -> cmp == 0;
      case "<" -> cmp < 0;
      case "<=" -> cmp <= 0;
      case ">" -> cmp > 0;
      case ">=" -> cmp >= 0;
      case "IN" -> comparisons.contains(0);
      default -> null;
    };
  }

  private static Integer compare(Type type, String raw, Object literal) {
    try {
      switch (type.typeId()) {
        case INTEGER, LONG, DOUBLE, FLOAT, DECIMAL -> {
          if (!(literal instanceof Number)) {
            return null;
          }
          return new BigDecimal(raw.trim()).compareTo(new BigDecimal(String.valueOf(literal)));
        }
        case DATE -> {
          if (!(literal instanceof String s) || s.trim().length() != 10) {
            return null;
          }
          return Integer.signum(
              java.time.LocalDate.parse(raw.trim()).compareTo(java.time.LocalDate.parse(s.trim())));
        }
        case TIMESTAMP -> {
          if (!(literal instanceof String s)) {
            return null;
          }
          LocalDateTime a = Literals.timestamp(raw);
          LocalDateTime b = Literals.timestamp(s);
          return a == null || b == null ? null : Integer.signum(a.compareTo(b));
        }
        case STRING -> {
          return literal instanceof String s ? Integer.signum(raw.compareTo(s)) : null;
        }
        default -> {
          return null;
        }
      }
    } catch (NumberFormatException | java.time.DateTimeException e) {
      return null;
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The columns of a table as {@code CAST(NULL AS type) AS "name"} projections, for the catalog
   * mirror.
   */
  public List<String> columnDefinitions(String database, String table) {
    Handle h = lookup(database, table, null).orElseThrow();
    List<String> out = new ArrayList<>();
    if (h instanceof IcebergHandle ih) {
      String hidden = ih.table().properties().get(HIDDEN_COLUMNS_PROPERTY);
      List<String> hiddenColumns =
          hidden == null || hidden.isBlank() ? List.of() : List.of(hidden.split(","));
      for (Types.NestedField f : ih.schema().columns()) {
        if (!hiddenColumns.contains(f.name())) {
          out.add(
              "CAST(NULL AS "
                  + DuckDbTypes.duckType(f.type())
                  + ") AS "
                  + Sql.quoteIdent(f.name()));
        }
      }
    } else if (h instanceof ExternalHandle eh) {
      for (Types.NestedField f : IcebergSchemas.schema(eh.table().columns()).columns()) {
        out.add(
            "CAST(NULL AS " + DuckDbTypes.duckType(f.type()) + ") AS " + Sql.quoteIdent(f.name()));
      }
      for (Types.NestedField f :
          eh.table().partitionKeys().isEmpty()
              ? List.<Types.NestedField>of()
              : IcebergSchemas.schema(eh.table().partitionKeys()).columns()) {
        out.add(
            "CAST(NULL AS " + DuckDbTypes.duckType(f.type()) + ") AS " + Sql.quoteIdent(f.name()));
      }
    } else if (h instanceof ViewHandle vh) {
      for (String c : vh.columns()) {
        out.add("CAST(NULL AS VARCHAR) AS " + Sql.quoteIdent(c));
      }
    }
    return out;
  }
}
