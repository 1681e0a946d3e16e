package dev.basin.etl.run;

import dev.basin.catalog.ExternalTable;
import dev.basin.catalog.LakeCatalog;
import dev.basin.common.error.BasinException;
import dev.basin.etl.job.CatalogSource;
import dev.basin.etl.job.PrefixSource;
import dev.basin.spi.storage.ListPage;
import dev.basin.spi.storage.ListRequest;
import dev.basin.spi.storage.ObjectInfo;
import dev.basin.spi.storage.ObjectStore;
import dev.basin.spi.storage.ObjectStoreException;
import dev.basin.sql.DuckDbSession;
import dev.basin.sql.DuckDbTypes;
import dev.basin.sql.Sql;
import dev.basin.sql.plan.LakeFiles;
import dev.basin.sql.plan.TableResolver;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Types;

/**
 * Turns source nodes into DuckDB relations: prefix sources into {@code read_csv/read_json/
 * read_parquet} over the lake's local files (CSV rows that do not parse are kept aside in a rejects
 * table instead of failing the read), catalog tables through the SQL engine's resolver, restricted
 * to a {@link SourceInput} when bookmarks are on.
 */
final class Sources {

  /** Options a prefix source accepts besides the reader's own. */
  static final Set<String> RUNNER_OPTIONS = Set.of("badrecords", "bookmark");

  private final LakeCatalog catalog;
  private final ObjectStore store;
  private final LakeFiles files;
  private final DuckDbSession session;

  Sources(LakeCatalog catalog, ObjectStore store, LakeFiles files, DuckDbSession session) {
    this.catalog = catalog;
    this.store = store;
    this.files = files;
    this.session = session;
  }

  // ---- planning: what is new since the bookmark

  /** Every readable object under a prefix source's URI (or the one object it names). */
  List<SourceInput.ObjectRef> listObjects(String nodeId, PrefixSource p) {
    LakeFiles.Location loc = location(nodeId, p.uri());
    List<SourceInput.ObjectRef> out = new ArrayList<>();
    if (!loc.key().isEmpty() && !loc.key().endsWith("/")) {
      try {
        ObjectInfo o = store.head(loc.bucket(), loc.key(), null);
        out.add(new SourceInput.ObjectRef(p.uri(), o.etag(), o.size()));
        return out;
      } catch (ObjectStoreException e) {
        if (e.reason() != ObjectStoreException.Reason.NO_SUCH_KEY) {
          throw noBucket(nodeId, p.uri(), e);
        }
      }
    }
    String prefix = loc.key().isEmpty() || loc.key().endsWith("/") ? loc.key() : loc.key() + "/";
    for (ObjectInfo o : list(nodeId, p.uri(), loc.bucket(), prefix)) {
      out.add(new SourceInput.ObjectRef("s3://" + o.bucket() + "/" + o.key(), o.etag(), o.size()));
    }
    return out;
  }

  /** Every readable object of an external table (all partitions). */
  List<SourceInput.ObjectRef> listObjects(ExternalTable t) {
    List<SourceInput.ObjectRef> out = new ArrayList<>();
    session
        .resolver()
        .externalObjects(
            t,
            (uri, etag) -> true,
            o ->
                out.add(
                    new SourceInput.ObjectRef(
                        "s3://" + o.bucket() + "/" + o.key(), o.etag(), o.size())));
    return out;
  }

  private List<ObjectInfo> list(String nodeId, String uri, String bucket, String prefix) {
    List<ObjectInfo> out = new ArrayList<>();
    String after = null;
    while (true) {
      ListPage page;
      try {
        page = store.list(bucket, new ListRequest(prefix, null, after, 1000));
      } catch (ObjectStoreException e) {
        throw noBucket(nodeId, uri, e);
      }
      for (ObjectInfo o : page.objects()) {
        String relative = o.key().substring(prefix.length());
        if (o.size() > 0 && !hidden(relative)) {
          out.add(o);
        }
      }
      if (!page.truncated()) {
        return out;
      }
      after = page.nextStartAfter();
    }
  }

  /** Names starting with _ or . (job markers, temporary folders) are not data, as for Glue. */
  static boolean hidden(String relative) {
    for (String part : relative.split("/")) {
      if (part.startsWith("_") || part.startsWith(".")) {
        return true;
      }
    }
    return relative.isEmpty();
  }

  private static BasinException noBucket(String nodeId, String uri, ObjectStoreException e) {
    if (e.reason() == ObjectStoreException.Reason.NO_SUCH_BUCKET) {
      return new BasinException(
          RunErrorCode.RUN_FAILED,
          "source '"
              + nodeId
              + "': the bucket of "
              + uri
              + " does not exist; create it or fix the uri",
          e);
    }
    return new BasinException(
        RunErrorCode.RUN_FAILED,
        "source '" + nodeId + "': cannot list " + uri + ": " + e.getMessage(),
        e);
  }

  /** The table's current snapshot id, or null if it has none. */
  Long currentSnapshot(CatalogSource c) {
    Snapshot s = icebergTable(c).currentSnapshot();
    return s == null ? null : s.snapshotId();
  }

  boolean isIceberg(CatalogSource c) {
    return catalog.iceberg().tableExists(TableIdentifier.of(c.database(), c.table()));
  }

  Optional<ExternalTable> external(CatalogSource c) {
    return catalog.externalTables().find(c.database(), c.table());
  }

  private Table icebergTable(CatalogSource c) {
    return catalog.iceberg().loadTable(TableIdentifier.of(c.database(), c.table()));
  }

  // ---- relations

  /**
   * The relation of a prefix source over some objects.
   *
   * @param schemaOnly an object to take the columns from when {@code objects} is empty (the
   *     relation then has no rows), or null
   */
  String prefixRelation(
      String nodeId, PrefixSource p, List<SourceInput.ObjectRef> objects, String schemaOnly) {
    List<String> paths = new ArrayList<>();
    for (SourceInput.ObjectRef o : objects) {
      paths.add(files.localPath(o.uri()).toString());
    }
    boolean empty = paths.isEmpty();
    if (empty) {
      if (schemaOnly == null) {
        throw new BasinException(
            RunErrorCode.RUN_FAILED,
            "source '"
                + nodeId
                + "' found no objects under "
                + p.uri()
                + "; upload data there or fix the uri");
      }
      paths.add(files.localPath(schemaOnly).toString());
    }
    Map<String, String> o = new LinkedHashMap<>();
    p.options().forEach((k, v) -> o.put(k.toLowerCase(Locale.ROOT), v));
    String format = p.format().toLowerCase(Locale.ROOT);
    StringBuilder r = new StringBuilder();
    switch (format) {
      case "csv", "tsv" -> {
        r.append("read_csv(").append(Sql.stringList(paths));
        r.append(", header = ").append(bool(o.getOrDefault("header", "true")));
        String delim = first(o, "delimiter", "sep", "separator");
        if (delim == null && format.equals("tsv")) {
          delim = "\t";
        }
        if (delim != null) {
          r.append(", delim = ").append(Sql.quoteString(unescape(delim)));
        }
        appendString(r, "quote", first(o, "quote", "quotechar"));
        appendString(r, "escape", first(o, "escape", "escapechar"));
        appendString(r, "nullstr", first(o, "nullvalue", "null"));
        appendString(r, "dateformat", first(o, "dateformat"));
        appendString(r, "timestampformat", first(o, "timestampformat"));
        appendString(r, "compression", first(o, "compression"));
        String columns = first(o, "columns");
        if (columns != null) {
          r.append(", columns = ").append(columnsStruct(nodeId, columns));
        }
        String sample = first(o, "samplesize");
        if (sample != null) {
          r.append(", sample_size = ").append(Long.parseLong(sample.strip()));
        }
        if (!empty) {
          r.append(", store_rejects = true, rejects_table = ")
              .append(Sql.quoteString(rejectsTable(nodeId)))
              .append(", rejects_scan = ")
              .append(Sql.quoteString(rejectsScan(nodeId)));
        }
        r.append(')');
      }
      case "json" -> {
        r.append("read_json(").append(Sql.stringList(paths));
        String layout = first(o, "layout", "jsonformat");
        r.append(", format = ").append(Sql.quoteString(layout == null ? "auto" : layout));
        appendString(r, "compression", first(o, "compression"));
        String columns = first(o, "columns");
        if (columns != null) {
          r.append(", columns = ").append(columnsStruct(nodeId, columns));
        }
        r.append(')');
      }
      case "parquet" ->
          r.append("read_parquet(").append(Sql.stringList(paths)).append(", union_by_name = true)");
      default ->
          throw new BasinException(
              RunErrorCode.RUN_FAILED,
              "source '"
                  + nodeId
                  + "': format '"
                  + p.format()
                  + "' is not csv, tsv, json or parquet");
    }
    return empty ? "(SELECT * FROM " + r + " LIMIT 0)" : r.toString();
  }

  /** The relation of a catalog table: everything, or what a bookmark selected. */
  String catalogRelation(String nodeId, CatalogSource c, SourceInput input) {
    if (input.kind().equals("all")) {
      TableResolver resolver = session.resolver();
      Optional<TableResolver.Handle> h;
      try {
        h = resolver.lookup(c.database(), c.table(), null);
      } catch (RuntimeException e) {
        throw missingTable(nodeId, c, e);
      }
      if (h.isEmpty()) {
        throw missingTable(nodeId, c, null);
      }
      return resolver.resolve(h.get(), List.of()).sql();
    }
    if (input.kind().equals("snapshots")) {
      Table table = icebergTable(c);
      Schema schema = table.schema();
      List<DataFile> dataFiles = new ArrayList<>();
      if (input.fromSnapshot() != null && input.toSnapshot() != null) {
        requireAppendsOnly(nodeId, c, table, input.fromSnapshot(), input.toSnapshot());
      }
      if (input.toSnapshot() != null && !input.toSnapshot().equals(input.fromSnapshot())) {
        try (CloseableIterable<FileScanTask> tasks =
            input.fromSnapshot() == null
                ? table.newScan().useSnapshot(input.toSnapshot()).planFiles()
                : table
                    .newIncrementalAppendScan()
                    .fromSnapshotExclusive(input.fromSnapshot())
                    .toSnapshot(input.toSnapshot())
                    .planFiles()) {
          for (FileScanTask t : tasks) {
            if (!t.deletes().isEmpty()) {
              throw new BasinException(
                  RunErrorCode.RUN_FAILED,
                  "source '"
                      + nodeId
                      + "': "
                      + c.database()
                      + "."
                      + c.table()
                      + " has row-level delete files (written by another engine); compact it with"
                      + " rewrite_data_files in Spark first");
            }
            dataFiles.add(t.file());
          }
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }
      if (dataFiles.isEmpty()) {
        return emptyRelation(schema);
      }
      return "(SELECT * FROM " + session.resolver().relationForFiles(schema, dataFiles) + ")";
    }
    ExternalTable t = external(c).orElseThrow(() -> missingTable(nodeId, c, null));
    Set<String> wanted = new java.util.HashSet<>();
    for (SourceInput.ObjectRef o : input.objects()) {
      wanted.add(o.uri() + " " + o.etag());
    }
    return session
        .resolver()
        .externalObjects(t, (uri, etag) -> wanted.contains(uri + " " + etag), o -> {})
        .sql();
  }

  /**
   * Bookmarks read what snapshots appended; an overwrite, delete or replace in the range would be
   * skipped silently, so it fails the run instead.
   */
  private static void requireAppendsOnly(
      String nodeId, CatalogSource c, Table table, long from, long to) {
    Snapshot s = table.snapshot(to);
    while (s != null && s.snapshotId() != from) {
      String op = s.operation();
      if (op != null && !op.equals("append")) {
        throw new BasinException(
            RunErrorCode.RUN_FAILED,
            "source '"
                + nodeId
                + "': "
                + c.database()
                + "."
                + c.table()
                + " had a '"
                + op
                + "' snapshot ("
                + s.snapshotId()
                + ") since the bookmark, and bookmarks only follow appends; reset the bookmark"
                + " (./basin job bookmark JOB --reset) to read the table whole");
      }
      s = s.parentId() == null ? null : table.snapshot(s.parentId());
    }
    if (s == null) {
      throw new BasinException(
          RunErrorCode.RUN_FAILED,
          "source '"
              + nodeId
              + "': the bookmark's snapshot "
              + from
              + " of "
              + c.database()
              + "."
              + c.table()
              + " is no longer in its history (expired or rolled back); reset the bookmark");
    }
  }

  private static BasinException missingTable(String nodeId, CatalogSource c, Exception cause) {
    return new BasinException(
        RunErrorCode.RUN_FAILED,
        "source '"
            + nodeId
            + "': table "
            + c.database()
            + "."
            + c.table()
            + " does not exist"
            + (cause == null ? "" : " (" + cause.getMessage() + ")")
            + "; run the crawler or create the table first",
        cause);
  }

  static String emptyRelation(Schema schema) {
    List<String> cols = new ArrayList<>();
    for (Types.NestedField f : schema.columns()) {
      cols.add(
          "CAST(NULL AS " + DuckDbTypes.duckType(f.type()) + ") AS " + Sql.quoteIdent(f.name()));
    }
    return "(SELECT " + String.join(", ", cols) + " LIMIT 0)";
  }

  static String rejectsTable(String nodeId) {
    return "basin_rejects_" + nodeId;
  }

  static String rejectsScan(String nodeId) {
    return "basin_rejects_scan_" + nodeId;
  }

  static LakeFiles.Location location(String nodeId, String uri) {
    try {
      return LakeFiles.Location.parse(uri);
    } catch (RuntimeException e) {
      throw new BasinException(
          RunErrorCode.RUN_FAILED,
          "node '" + nodeId + "': '" + uri + "' is not an s3://bucket/prefix/ uri",
          e);
    }
  }

  private static String columnsStruct(String nodeId, String spec) {
    // "name:type, name2:type2"
    List<String> parts = new ArrayList<>();
    for (String item : spec.split(",")) {
      String[] nt = item.strip().split("[:\\s]+", 2);
      if (nt.length != 2 || nt[0].isBlank()) {
        throw new BasinException(
            RunErrorCode.RUN_FAILED,
            "source '"
                + nodeId
                + "': option columns must read 'name:type, name:type', not '"
                + spec
                + "'");
      }
      parts.add(Sql.quoteString(nt[0].strip()) + ": " + Sql.quoteString(nt[1].strip()));
    }
    return "{" + String.join(", ", parts) + "}";
  }

  private static void appendString(StringBuilder r, String name, String value) {
    if (value != null) {
      r.append(", ").append(name).append(" = ").append(Sql.quoteString(unescape(value)));
    }
  }

  private static String unescape(String v) {
    return switch (v) {
      case "\\t" -> "\t";
      case "\\|" -> "|";
      default -> v;
    };
  }

  private static String bool(String v) {
    return Boolean.parseBoolean(v.strip()) ? "true" : "false";
  }

  private static String first(Map<String, String> o, String... names) {
    for (String n : names) {
      String v = o.get(n);
      if (v != null) {
        return v;
      }
    }
    return null;
  }
}
