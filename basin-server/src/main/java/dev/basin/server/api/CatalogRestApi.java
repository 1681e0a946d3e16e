package dev.basin.server.api;

import static dev.basin.server.api.ApiResponses.guarded;
import static dev.basin.server.api.ApiResponses.json;
import static dev.basin.server.api.ApiResponses.jsonBody;
import static dev.basin.server.api.ApiResponses.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.basin.catalog.CatalogErrorCode;
import dev.basin.catalog.Column;
import dev.basin.catalog.DataFormat;
import dev.basin.catalog.Database;
import dev.basin.catalog.DatabaseInput;
import dev.basin.catalog.ExternalTable;
import dev.basin.catalog.IcebergAppender;
import dev.basin.catalog.IcebergSchemas;
import dev.basin.catalog.JsonRecordConverter;
import dev.basin.catalog.LakeCatalog;
import dev.basin.catalog.Partition;
import dev.basin.catalog.PartitionInput;
import dev.basin.catalog.TableInput;
import dev.basin.catalog.TableMaintenance;
import dev.basin.catalog.TableSummary;
import dev.basin.catalog.TableVersion;
import dev.basin.common.config.Durations;
import dev.basin.common.config.Sizes;
import dev.basin.common.error.BasinException;
import dev.basin.common.json.Json;
import dev.basin.server.api.ApiResponses.BadRequest;
import dev.basin.server.http.RequestBodies;
import io.javalin.http.Context;
import io.javalin.router.JavalinDefaultRoutingApi;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.types.Types;

/**
 * Basin's native catalog API under {@code /api/v1/catalog}: databases, managed Iceberg tables and
 * external tables in Glue's model, partitions, versions and snapshots, row appends and table
 * maintenance. The CLI's {@code basin catalog} commands use it. Bearer auth and error shape as
 * every {@code /api/v1} resource.
 */
public final class CatalogRestApi {
  private static final String BASE = "/api/v1/catalog/databases";
  private static final int APPEND_BATCH = 50_000;

  private final LakeCatalog catalog;
  private final long maxBodyBytes;
  private final Clock clock;

  public CatalogRestApi(LakeCatalog catalog, long maxBodyBytes, Clock clock) {
    this.catalog = catalog;
    this.maxBodyBytes = maxBodyBytes;
    this.clock = clock;
  }

  /** Registers the routes; the bearer check is the {@code /api/v1/*} filter already in place. */
  public void register(JavalinDefaultRoutingApi routes) {
    routes.get(BASE, guarded(this::listDatabases));
    routes.post(BASE, guarded(this::createDatabase));
    routes.get(BASE + "/{db}", guarded(this::getDatabase));
    routes.delete(BASE + "/{db}", guarded(this::dropDatabase));
    routes.get(BASE + "/{db}/tables", guarded(this::listTables));
    routes.post(BASE + "/{db}/tables", guarded(this::createTable));
    routes.get(BASE + "/{db}/tables/{table}", guarded(this::describeTable));
    routes.delete(BASE + "/{db}/tables/{table}", guarded(this::dropTable));
    routes.post(BASE + "/{db}/tables/{table}/rows", guarded(this::appendRows));
    routes.get(BASE + "/{db}/tables/{table}/snapshots", guarded(this::snapshots));
    routes.get(BASE + "/{db}/tables/{table}/versions", guarded(this::versions));
    routes.get(BASE + "/{db}/tables/{table}/partitions", guarded(this::listPartitions));
    routes.post(BASE + "/{db}/tables/{table}/partitions", guarded(this::addPartitions));
    routes.post(BASE + "/{db}/tables/{table}/maintenance", guarded(this::maintenance));
  }

  // ---- databases

  private void listDatabases(Context ctx) {
    ObjectNode body = Json.mapper().createObjectNode();
    ArrayNode arr = body.putArray("databases");
    for (Database d : catalog.databases().list()) {
      arr.add(database(d));
    }
    json(ctx, 200, body);
  }

  private void createDatabase(Context ctx) {
    JsonNode in = jsonBody(ctx, maxBodyBytes);
    Database d =
        catalog
            .databases()
            .create(
                new DatabaseInput(
                    text(in, "name", true),
                    text(in, "description", false),
                    text(in, "location", false),
                    stringMap(in, "parameters")));
    json(ctx, 201, database(d));
  }

  private void getDatabase(Context ctx) {
    json(ctx, 200, database(catalog.databases().get(ctx.pathParam("db"))));
  }

  private void dropDatabase(Context ctx) {
    catalog.databases().drop(ctx.pathParam("db"), "true".equals(ctx.queryParam("cascade")));
    ctx.status(204);
  }

  private static ObjectNode database(Database d) {
    ObjectNode o = Json.mapper().createObjectNode();
    o.put("name", d.name());
    o.put("description", d.description());
    o.put("location", d.location());
    o.set("parameters", Json.mapper().valueToTree(d.parameters()));
    o.put("createTime", d.createTime() == null ? null : d.createTime().toString());
    return o;
  }

  // ---- tables

  private void listTables(Context ctx) {
    ObjectNode body = Json.mapper().createObjectNode();
    ArrayNode arr = body.putArray("tables");
    for (TableSummary t : catalog.tables(ctx.pathParam("db"))) {
      ObjectNode o = arr.addObject();
      o.put("name", t.name());
      o.put("kind", t.kind().name());
      o.put("location", t.location());
      o.put("updated", t.updated() == null ? null : t.updated().toString());
    }
    json(ctx, 200, body);
  }

  private void createTable(Context ctx) {
    String db = ctx.pathParam("db");
    JsonNode in = jsonBody(ctx, maxBodyBytes);
    String name = text(in, "name", true);
    String format = text(in, "format", false);
    List<Column> columns = columns(in.get("columns"), "columns");
    if (format == null || format.equalsIgnoreCase("iceberg")) {
      json(ctx, 201, describeIceberg(db, createIceberg(db, name, in, columns)));
      return;
    }
    DataFormat dataFormat;
    try {
      dataFormat = DataFormat.valueOf(format.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new BadRequest(
          "format '" + format + "' is not supported; use iceberg, csv, json or parquet");
    }
    ExternalTable t =
        catalog
            .externalTables()
            .create(
                db,
                new TableInput(
                    name,
                    text(in, "description", false),
                    columns,
                    in.has("partitionKeys")
                        ? columns(in.get("partitionKeys"), "partitionKeys")
                        : List.of(),
                    text(in, "location", true),
                    dataFormat,
                    text(in, "serdeLibrary", false),
                    stringMap(in, "serdeParameters"),
                    stringMap(in, "parameters")));
    json(ctx, 201, describeExternal(t));
  }

  private Table createIceberg(String db, String name, JsonNode in, List<Column> columns) {
    catalog.databases().get(db);
    if (catalog.externalTables().find(db, name).isPresent()) {
      throw new BasinException(
          CatalogErrorCode.TABLE_ALREADY_EXISTS,
          "an external table '"
              + db
              + "."
              + name
              + "' already exists; drop it or pick another name");
    }
    List<Column> all = new ArrayList<>(columns);
    List<String> terms = new ArrayList<>();
    JsonNode keys = in.get("partitionKeys");
    if (keys != null && keys.isArray()) {
      for (JsonNode k : keys) {
        if (k.isTextual()) {
          terms.add(k.textValue());
        } else {
          // Glue-style partition key columns: extra columns, partitioned by identity.
          Column c = column(k, "partitionKeys");
          all.add(c);
          terms.add(c.name());
        }
      }
    }
    JsonNode by = in.get("partitionBy");
    if (by != null) {
      if (!by.isArray()) {
        throw new BadRequest("partitionBy must be an array of terms like \"day(ts)\"");
      }
      by.forEach(t -> terms.add(t.asText()));
    }
    Schema schema = IcebergSchemas.schema(all);
    PartitionSpec spec = IcebergSchemas.spec(schema, terms);
    Map<String, String> properties = new LinkedHashMap<>();
    properties.put(TableProperties.FORMAT_VERSION, "2");
    properties.put(TableProperties.PARQUET_COMPRESSION, "zstd");
    properties.putAll(stringMap(in, "properties"));
    String description = text(in, "description", false);
    if (description != null) {
      properties.put("comment", description);
    }
    try {
      return catalog
          .iceberg()
          .buildTable(TableIdentifier.of(db, name), schema)
          .withPartitionSpec(spec)
          .withLocation(text(in, "location", false))
          .withProperties(properties)
          .create();
    } catch (AlreadyExistsException e) {
      throw new BasinException(
          CatalogErrorCode.TABLE_ALREADY_EXISTS,
          "table '" + db + "." + name + "' already exists; drop it first or pick another name");
    }
  }

  private void describeTable(Context ctx) {
    String db = ctx.pathParam("db");
    String name = ctx.pathParam("table");
    Table table = icebergOrNull(db, name);
    if (table != null) {
      json(ctx, 200, describeIceberg(db, table));
    } else {
      json(ctx, 200, describeExternal(catalog.externalTables().get(db, name)));
    }
  }

  private void dropTable(Context ctx) {
    String db = ctx.pathParam("db");
    String name = ctx.pathParam("table");
    catalog.databases().get(db);
    boolean purge = "true".equals(ctx.queryParam("purge"));
    if (!catalog.iceberg().dropTable(TableIdentifier.of(db, name), purge)) {
      catalog.externalTables().delete(db, name);
    }
    ctx.status(204);
  }

  private ObjectNode describeIceberg(String db, Table table) {
    ObjectNode o = Json.mapper().createObjectNode();
    o.put("database", db);
    o.put("name", table.name().substring(table.name().lastIndexOf('.') + 1));
    o.put("kind", "ICEBERG");
    o.put("location", table.location());
    o.put("formatVersion", table.properties().getOrDefault(TableProperties.FORMAT_VERSION, "2"));
    ArrayNode cols = o.putArray("columns");
    for (Types.NestedField f : table.schema().columns()) {
      ObjectNode c = cols.addObject();
      c.put("id", f.fieldId());
      c.put("name", f.name());
      c.put("type", IcebergSchemas.glueType(f.type()));
      c.put("required", f.isRequired());
      if (f.doc() != null) {
        c.put("comment", f.doc());
      }
    }
    ArrayNode part = o.putArray("partitionBy");
    IcebergSchemas.terms(table.spec()).forEach(part::add);
    o.set("properties", Json.mapper().valueToTree(table.properties()));
    Snapshot current = table.currentSnapshot();
    if (current != null) {
      o.set("currentSnapshot", snapshot(current));
    }
    o.put("snapshotCount", countSnapshots(table));
    return o;
  }

  private static int countSnapshots(Table table) {
    int n = 0;
    for (Snapshot ignored : table.snapshots()) {
      n++;
    }
    return n;
  }

  private static ObjectNode snapshot(Snapshot s) {
    ObjectNode o = Json.mapper().createObjectNode();
    o.put("snapshotId", s.snapshotId());
    if (s.parentId() != null) {
      o.put("parentId", s.parentId());
    }
    o.put("timestamp", Instant.ofEpochMilli(s.timestampMillis()).toString());
    o.put("operation", s.operation());
    o.set("summary", Json.mapper().valueToTree(s.summary()));
    return o;
  }

  private static ObjectNode describeExternal(ExternalTable t) {
    ObjectNode o = Json.mapper().createObjectNode();
    o.put("database", t.database());
    o.put("name", t.name());
    o.put("kind", "EXTERNAL");
    o.put("description", t.description());
    o.put("location", t.location());
    o.put("format", t.format().name().toLowerCase(Locale.ROOT));
    o.put("classification", t.classification());
    o.set("columns", columnsJson(t.columns()));
    o.set("partitionKeys", columnsJson(t.partitionKeys()));
    o.put("inputFormat", t.inputFormat());
    o.put("outputFormat", t.outputFormat());
    o.put("serdeLibrary", t.serdeLibrary());
    o.set("serdeParameters", Json.mapper().valueToTree(t.serdeParameters()));
    o.set("parameters", Json.mapper().valueToTree(t.parameters()));
    o.put("versionId", t.versionId());
    o.put("createTime", t.createTime().toString());
    o.put("updateTime", t.updateTime().toString());
    return o;
  }

  private static ArrayNode columnsJson(List<Column> columns) {
    ArrayNode arr = Json.mapper().createArrayNode();
    for (Column c : columns) {
      ObjectNode o = arr.addObject();
      o.put("name", c.name());
      o.put("type", c.type());
      if (c.comment() != null) {
        o.put("comment", c.comment());
      }
    }
    return arr;
  }

  // ---- rows, snapshots, versions, partitions

  /**
   * Appends newline-delimited JSON objects to an Iceberg table in one snapshot. All-or-nothing: a
   * row that does not fit the schema fails the request (naming the line and field) and nothing is
   * committed.
   */
  private void appendRows(Context ctx) throws IOException {
    String db = ctx.pathParam("db");
    String name = ctx.pathParam("table");
    Table table = icebergOrNull(db, name);
    if (table == null) {
      catalog.externalTables().get(db, name);
      throw new BadRequest(
          "'"
              + db
              + "."
              + name
              + "' is an external table; add files under its location instead of appending rows");
    }
    String unknown = ctx.queryParam("unknownFields");
    JsonRecordConverter converter =
        new JsonRecordConverter(
            table.schema(),
            "fail".equalsIgnoreCase(unknown)
                ? JsonRecordConverter.UnknownFields.FAIL
                : JsonRecordConverter.UnknownFields.IGNORE);
    List<Record> records = new ArrayList<>();
    byte[] body = RequestBodies.read(ctx, maxBodyBytes);
    try (BufferedReader reader =
        new BufferedReader(
            new InputStreamReader(
                new java.io.ByteArrayInputStream(body), StandardCharsets.UTF_8))) {
      String line;
      int lineNo = 0;
      while ((line = reader.readLine()) != null) {
        lineNo++;
        if (line.isBlank()) {
          continue;
        }
        JsonNode node;
        try {
          node = Json.mapper().readTree(line);
        } catch (IOException e) {
          throw new BadRequest("line " + lineNo + " is not valid JSON: " + e.getMessage());
        }
        try {
          records.add(converter.convert(node));
        } catch (BasinException e) {
          throw new BasinException(e.code(), "line " + lineNo + ": " + e.getMessage(), e);
        }
        if (records.size() > APPEND_BATCH) {
          throw new BadRequest(
              "more than " + APPEND_BATCH + " rows in one request; split the input");
        }
      }
    }
    if (records.isEmpty()) {
      throw new BadRequest("no rows in the body; send newline-delimited JSON objects");
    }
    IcebergAppender.AppendResult r = catalog.appender().append(table, records);
    ObjectNode out = Json.mapper().createObjectNode();
    out.put("snapshotId", r.snapshotId());
    out.put("rows", r.recordCount());
    out.put("dataFiles", r.dataFileCount());
    out.put("bytes", r.bytes());
    json(ctx, 200, out);
  }

  private void snapshots(Context ctx) {
    Table table = iceberg(ctx.pathParam("db"), ctx.pathParam("table"));
    ObjectNode body = Json.mapper().createObjectNode();
    ArrayNode arr = body.putArray("snapshots");
    Snapshot current = table.currentSnapshot();
    for (Snapshot s : table.snapshots()) {
      ObjectNode o = snapshot(s);
      o.put("current", current != null && current.snapshotId() == s.snapshotId());
      arr.add(o);
    }
    json(ctx, 200, body);
  }

  private void versions(Context ctx) {
    ObjectNode body = Json.mapper().createObjectNode();
    ArrayNode arr = body.putArray("versions");
    for (TableVersion v :
        catalog.externalTables().versions(ctx.pathParam("db"), ctx.pathParam("table"))) {
      ObjectNode o = arr.addObject();
      o.put("versionId", v.versionId());
      o.put("current", v.current());
      o.set("table", describeExternal(v.table()));
    }
    json(ctx, 200, body);
  }

  private void listPartitions(Context ctx) {
    ObjectNode body = Json.mapper().createObjectNode();
    ArrayNode arr = body.putArray("partitions");
    for (Partition p :
        catalog
            .externalTables()
            .listPartitions(
                ctx.pathParam("db"), ctx.pathParam("table"), ctx.queryParam("filter"))) {
      ObjectNode o = arr.addObject();
      o.set("values", Json.mapper().valueToTree(p.values()));
      o.put("location", p.location());
      o.set("parameters", Json.mapper().valueToTree(p.parameters()));
      o.put("createTime", p.createTime().toString());
    }
    json(ctx, 200, body);
  }

  /** Adds partitions: {@code {"partitions": [{"values": [...], "location": "s3://…"}]}}. */
  private void addPartitions(Context ctx) {
    JsonNode in = jsonBody(ctx, maxBodyBytes);
    JsonNode list = in.get("partitions");
    if (list == null || !list.isArray() || list.isEmpty()) {
      throw new BadRequest("send {\"partitions\": [{\"values\": [\"2026\", \"11\"]}, …]}");
    }
    List<PartitionInput> inputs = new ArrayList<>();
    for (JsonNode p : list) {
      JsonNode values = p.get("values");
      if (values == null || !values.isArray()) {
        throw new BadRequest("every partition needs \"values\": an array of strings");
      }
      List<String> v = new ArrayList<>();
      values.forEach(x -> v.add(x.asText()));
      inputs.add(new PartitionInput(v, text(p, "location", false), stringMap(p, "parameters")));
    }
    var errors =
        catalog.externalTables().addPartitions(ctx.pathParam("db"), ctx.pathParam("table"), inputs);
    ObjectNode out = Json.mapper().createObjectNode();
    out.put("added", inputs.size() - errors.size());
    ArrayNode errs = out.putArray("errors");
    for (var e : errors) {
      ObjectNode o = errs.addObject();
      o.set("values", Json.mapper().valueToTree(e.values()));
      o.put("code", e.error().code().name());
      o.put("message", e.error().getMessage());
    }
    json(ctx, errors.isEmpty() ? 201 : 200, out);
  }

  /**
   * Runs one maintenance action: {@code {"action": "expire-snapshots", "olderThan": "7d",
   * "retainLast": 1}}, {@code {"action": "remove-orphan-files", "olderThan": "3d", "dryRun": true}}
   * or {@code {"action": "rewrite-data-files", "targetFileSize": "128MiB", "minInputFiles": 2}}.
   */
  private void maintenance(Context ctx) {
    Table table = iceberg(ctx.pathParam("db"), ctx.pathParam("table"));
    JsonNode in = jsonBody(ctx, maxBodyBytes);
    String action = text(in, "action", true);
    TableMaintenance m = catalog.maintenance();
    ObjectNode out = Json.mapper().createObjectNode();
    out.put("action", action);
    switch (action) {
      case "expire-snapshots" -> {
        Instant olderThan = clock.instant().minus(duration(in, "olderThan", "5d"));
        int retainLast = in.path("retainLast").asInt(1);
        if (retainLast < 1) {
          throw new BadRequest("retainLast must be at least 1, was " + retainLast);
        }
        TableMaintenance.ExpireResult r = m.expireSnapshots(table, olderThan, retainLast);
        out.put("snapshotsExpired", r.snapshotsExpired());
        out.put("filesDeleted", r.filesDeleted());
      }
      case "remove-orphan-files" -> {
        java.time.Duration age = duration(in, "olderThan", "3d");
        boolean force = in.path("force").asBoolean(false);
        if (age.compareTo(java.time.Duration.ofDays(1)) < 0 && !force) {
          throw new BadRequest(
              "olderThan "
                  + in.path("olderThan").asText()
                  + " is under a day: files a writer has written but not yet committed would be"
                  + " deleted; use 1d or more, or force it (--force)");
        }
        checkOrphanScanIsSafe(ctx.pathParam("db"), ctx.pathParam("table"), table);
        Instant olderThan = clock.instant().minus(age);
        TableMaintenance.OrphanResult r =
            m.removeOrphanFiles(table, olderThan, in.path("dryRun").asBoolean(false));
        out.put("dryRun", r.dryRun());
        out.put("bytes", r.bytes());
        out.set("orphans", Json.mapper().valueToTree(r.orphans()));
      }
      case "rewrite-data-files" -> {
        long target;
        try {
          target = Sizes.parse(in.path("targetFileSize").asText("128MiB"));
        } catch (IllegalArgumentException e) {
          throw new BadRequest("targetFileSize: " + e.getMessage());
        }
        int minInputFiles = in.path("minInputFiles").asInt(2);
        TableMaintenance.RewriteResult r = m.rewriteDataFiles(table, target, minInputFiles);
        out.set("result", Json.mapper().valueToTree(r));
      }
      default ->
          throw new BadRequest(
              "unknown action '"
                  + action
                  + "'; use expire-snapshots, remove-orphan-files or rewrite-data-files");
    }
    json(ctx, 200, out);
  }

  // ---- helpers

  /**
   * Orphan removal deletes everything under a table's folders that its metadata does not reach, so
   * it must never scan a bucket root or a folder that holds (or is held by) another table.
   */
  private void checkOrphanScanIsSafe(String db, String name, Table table) {
    List<String> roots = new ArrayList<>();
    roots.add(table.location());
    String data = table.properties().get(TableProperties.WRITE_DATA_LOCATION);
    if (data != null) {
      roots.add(data);
    }
    String meta = table.properties().get(TableProperties.WRITE_METADATA_LOCATION);
    if (meta != null) {
      roots.add(meta);
    }
    for (String root : roots) {
      String folder = folder(root);
      int slash = folder.indexOf('/', folder.indexOf("://") + 3);
      if (slash < 0 || slash == folder.length() - 1) {
        throw new BadRequest(
            "refusing to remove orphan files: "
                + root
                + " is a whole bucket and may hold other data; move the table under a prefix");
      }
    }
    for (Database d : catalog.databases().list()) {
      for (TableSummary other : catalog.tables(d.name())) {
        if ((d.name().equals(db) && other.name().equals(name)) || other.location() == null) {
          continue;
        }
        String theirs = folder(other.location());
        for (String root : roots) {
          String mine = folder(root);
          if (theirs.startsWith(mine) || mine.startsWith(theirs)) {
            throw new BadRequest(
                "refusing to remove orphan files: "
                    + root
                    + " overlaps the location of "
                    + d.name()
                    + "."
                    + other.name()
                    + " ("
                    + other.location()
                    + "), whose files would look unreferenced");
          }
        }
      }
    }
  }

  private static String folder(String location) {
    String l = location.replaceFirst("^s3[an]?://", "s3://");
    return l.endsWith("/") ? l : l + "/";
  }

  private Table icebergOrNull(String db, String name) {
    catalog.databases().get(db);
    try {
      return catalog.iceberg().loadTable(TableIdentifier.of(Namespace.of(db), name));
    } catch (NoSuchTableException e) {
      return null;
    }
  }

  private Table iceberg(String db, String name) {
    Table t = icebergOrNull(db, name);
    if (t == null) {
      catalog.externalTables().get(db, name);
      throw new BadRequest("'" + db + "." + name + "' is an external table, not an Iceberg table");
    }
    return t;
  }

  private static Map<String, String> stringMap(JsonNode in, String field) {
    JsonNode v = in.get(field);
    if (v == null || v.isNull()) {
      return Map.of();
    }
    if (!v.isObject()) {
      throw new BadRequest("\"" + field + "\" must be an object of strings, was " + v);
    }
    Map<String, String> out = new HashMap<>();
    Iterator<Map.Entry<String, JsonNode>> it = v.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().isValueNode()) {
        throw new BadRequest("\"" + field + "." + e.getKey() + "\" must be a string");
      }
      out.put(e.getKey(), e.getValue().asText());
    }
    return out;
  }

  private static List<Column> columns(JsonNode arr, String field) {
    if (arr == null || arr.isNull()) {
      return List.of();
    }
    if (!arr.isArray()) {
      throw new BadRequest(
          "\"" + field + "\" must be an array of {\"name\": …, \"type\": …} objects");
    }
    List<Column> out = new ArrayList<>();
    for (JsonNode c : arr) {
      out.add(column(c, field));
    }
    return out;
  }

  private static Column column(JsonNode c, String field) {
    if (!c.isObject()) {
      throw new BadRequest(
          "every entry of \"" + field + "\" must be {\"name\": …, \"type\": …}, was " + c);
    }
    return new Column(text(c, "name", true), text(c, "type", true), text(c, "comment", false));
  }

  private static java.time.Duration duration(JsonNode in, String field, String fallback) {
    String text = in.path(field).asText(fallback);
    try {
      return Durations.parse(text);
    } catch (IllegalArgumentException e) {
      throw new BadRequest("\"" + field + "\": " + e.getMessage());
    }
  }
}
