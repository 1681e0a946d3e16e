package dev.basin.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.basin.common.json.Json;
import dev.basin.server.client.BasinApiClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code basin catalog …}: databases, tables, partitions, snapshots and table maintenance. */
final class CatalogCommands {
  private CatalogCommands() {}

  static CommandLine commandLine(Map<String, String> env) {
    return ApiCommand.commandLine(
        new Group(),
        env,
        new Databases(),
        new CreateDatabase(),
        new DropDatabase(),
        new TablesCmd(),
        new Describe(),
        new CreateTable(),
        new DropTable(),
        new Append(),
        new Snapshots(),
        new Versions(),
        new Partitions(),
        new AddPartition(),
        new ExpireSnapshots(),
        new RemoveOrphanFiles(),
        new Compact());
  }

  @Command(
      name = "catalog",
      mixinStandardHelpOptions = true,
      description = {
        "Databases and tables of the data catalog: Iceberg tables and external tables (Glue model).",
        "Tables are named DATABASE.TABLE."
      })
  static final class Group extends CommandGroup {}

  abstract static class Base extends ApiCommand {
    static String db(String name) {
      return "/api/v1/catalog/databases/" + BasinApiClient.encode(name);
    }

    /** The API path of a {@code DATABASE.TABLE} name. */
    String table(String qualified) {
      int dot = qualified.indexOf('.');
      if (dot <= 0 || dot == qualified.length() - 1) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "name tables as DATABASE.TABLE, was '" + qualified + "'");
      }
      return db(qualified.substring(0, dot))
          + "/tables/"
          + BasinApiClient.encode(qualified.substring(dot + 1));
    }

    JsonNode post(String path, JsonNode body) {
      return client.api().post(path, body.toString(), "application/json");
    }
  }

  @Command(name = "databases", mixinStandardHelpOptions = true, description = "List databases.")
  static final class Databases extends Base {
    @Override
    public Integer call() {
      List<String[]> rows = new ArrayList<>();
      rows.add(new String[] {"DATABASE", "LOCATION", "DESCRIPTION"});
      for (JsonNode d : client.api().get("/api/v1/catalog/databases").path("databases")) {
        rows.add(
            new String[] {
              d.path("name").asText(),
              d.path("location").asText("(warehouse)"),
              d.path("description").asText("")
            });
      }
      Tables.print(out(), rows);
      return 0;
    }
  }

  @Command(
      name = "create-database",
      mixinStandardHelpOptions = true,
      description = "Create a database (an Iceberg namespace).")
  static final class CreateDatabase extends Base {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Option(names = "--description", paramLabel = "TEXT")
    String description;

    @Option(
        names = "--location",
        paramLabel = "S3_URI",
        description = "Where its Iceberg tables go, e.g. s3://processed/sales (default: warehouse)")
    String location;

    @Option(names = "--param", paramLabel = "KEY=VALUE", description = "Parameter (repeatable)")
    Map<String, String> params = new LinkedHashMap<>();

    @Override
    public Integer call() {
      ObjectNode body = Json.mapper().createObjectNode();
      body.put("name", name);
      body.put("description", description);
      body.put("location", location);
      body.set("parameters", Json.mapper().valueToTree(params));
      post("/api/v1/catalog/databases", body);
      out().println("created database " + name);
      return 0;
    }
  }

  @Command(
      name = "drop-database",
      mixinStandardHelpOptions = true,
      description = "Drop a database.")
  static final class DropDatabase extends Base {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Option(names = "--cascade", description = "Also drop its tables (data files are kept)")
    boolean cascade;

    @Override
    public Integer call() {
      client.api().delete(db(name) + (cascade ? "?cascade=true" : ""));
      out().println("dropped database " + name);
      return 0;
    }
  }

  @Command(
      name = "tables",
      mixinStandardHelpOptions = true,
      description = "List a database's tables.")
  static final class TablesCmd extends Base {
    @Parameters(index = "0", paramLabel = "DATABASE")
    String database;

    @Override
    public Integer call() {
      List<String[]> rows = new ArrayList<>();
      rows.add(new String[] {"TABLE", "KIND", "LOCATION", "UPDATED"});
      for (JsonNode t : client.api().get(db(database) + "/tables").path("tables")) {
        rows.add(
            new String[] {
              t.path("name").asText(),
              t.path("kind").asText(),
              t.path("location").asText(),
              t.path("updated").asText("")
            });
      }
      Tables.print(out(), rows);
      return 0;
    }
  }

  @Command(
      name = "describe",
      mixinStandardHelpOptions = true,
      description =
          "Show a table's columns, partitioning, location and current snapshot or version.")
  static final class Describe extends Base {
    @Parameters(index = "0", paramLabel = "DATABASE.TABLE")
    String name;

    @Option(names = "--json", description = "Print the full description as JSON")
    boolean json;

    @Override
    public Integer call() throws IOException {
      JsonNode t = client.api().get(table(name));
      if (json) {
        out().println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(t));
        return 0;
      }
      boolean iceberg = t.path("kind").asText().equals("ICEBERG");
      out()
          .printf(
              "%s.%s  %s  %s%n",
              t.path("database").asText(),
              t.path("name").asText(),
              iceberg ? "iceberg" : t.path("format").asText() + " (external)",
              t.path("location").asText());
      List<String[]> rows = new ArrayList<>();
      rows.add(iceberg ? new String[] {"ID", "COLUMN", "TYPE"} : new String[] {"COLUMN", "TYPE"});
      for (JsonNode c : t.path("columns")) {
        rows.add(
            iceberg
                ? new String[] {
                  c.path("id").asText(), c.path("name").asText(), c.path("type").asText()
                }
                : new String[] {c.path("name").asText(), c.path("type").asText()});
      }
      if (!iceberg) {
        for (JsonNode c : t.path("partitionKeys")) {
          rows.add(
              new String[] {c.path("name").asText(), c.path("type").asText() + " (partition)"});
        }
      }
      Tables.print(out(), rows);
      if (iceberg) {
        List<String> terms = new ArrayList<>();
        t.path("partitionBy").forEach(x -> terms.add(x.asText()));
        out().println("partitioned by: " + (terms.isEmpty() ? "(none)" : String.join(", ", terms)));
        JsonNode s = t.path("currentSnapshot");
        out()
            .println(
                s.isMissingNode()
                    ? "no snapshots yet"
                    : "current snapshot "
                        + s.path("snapshotId").asText()
                        + " ("
                        + s.path("operation").asText()
                        + ", "
                        + s.path("timestamp").asText()
                        + "), total records "
                        + s.path("summary").path("total-records").asText("?")
                        + ", "
                        + t.path("snapshotCount").asText()
                        + " snapshot(s)");
      } else {
        out().println("serde parameters: " + t.path("serdeParameters"));
        out().println("version " + t.path("versionId").asText());
      }
      return 0;
    }
  }

  @Command(
      name = "create-table",
      mixinStandardHelpOptions = true,
      description = {
        "Create an Iceberg table (default) or, with --format csv|json|parquet and --location, an"
            + " external table.",
        "Example: basin catalog create-table sales.orders --column 'id bigint' --column 'ts"
            + " timestamp' --partition-by 'day(ts)'"
      })
  static final class CreateTable extends Base {
    @Parameters(index = "0", paramLabel = "DATABASE.TABLE")
    String name;

    @Option(
        names = "--column",
        paramLabel = "'NAME TYPE'",
        required = true,
        description = "A column and its Glue type (repeatable), e.g. 'price decimal(10,2)'")
    List<String> columns = new ArrayList<>();

    @Option(
        names = "--partition-by",
        paramLabel = "TERM",
        description = "Iceberg partition term (repeatable): col, day(ts), bucket(16, id) …")
    List<String> partitionBy = new ArrayList<>();

    @Option(
        names = "--partition-key",
        paramLabel = "'NAME TYPE'",
        description = "External tables: a Hive-style partition column (repeatable)")
    List<String> partitionKeys = new ArrayList<>();

    @Option(names = "--format", paramLabel = "FORMAT", description = "iceberg|csv|json|parquet")
    String format;

    @Option(names = "--location", paramLabel = "S3_URI", description = "s3://bucket/prefix/")
    String location;

    @Option(names = "--serde", paramLabel = "KEY=VALUE", description = "SerDe parameter")
    Map<String, String> serde = new LinkedHashMap<>();

    @Option(names = "--param", paramLabel = "KEY=VALUE", description = "Table parameter/property")
    Map<String, String> params = new LinkedHashMap<>();

    @Option(names = "--description", paramLabel = "TEXT")
    String description;

    @Override
    public Integer call() {
      int dot = name.indexOf('.');
      String path = table(name);
      ObjectNode body = Json.mapper().createObjectNode();
      body.put("name", name.substring(dot + 1));
      body.put("description", description);
      body.set("columns", columnArray(columns));
      boolean iceberg = format == null || format.equalsIgnoreCase("iceberg");
      if (iceberg) {
        body.set("partitionBy", Json.mapper().valueToTree(partitionBy));
        body.set("properties", Json.mapper().valueToTree(params));
      } else {
        body.put("format", format);
        body.set("partitionKeys", columnArray(partitionKeys));
        body.set("serdeParameters", Json.mapper().valueToTree(serde));
        body.set("parameters", Json.mapper().valueToTree(params));
      }
      body.put("location", location);
      JsonNode r = post(path.substring(0, path.lastIndexOf('/')), body);
      out()
          .println(
              "created "
                  + (iceberg ? "Iceberg" : "external")
                  + " table "
                  + name
                  + " at "
                  + r.path("location").asText());
      return 0;
    }

    private ArrayNode columnArray(List<String> specs) {
      ArrayNode arr = Json.mapper().createArrayNode();
      for (String spec : specs) {
        String s = spec.trim();
        int space = s.indexOf(' ');
        if (space <= 0) {
          throw new CommandLine.ParameterException(
              this.spec.commandLine(),
              "write a column as 'NAME TYPE', e.g. 'id bigint'; was '" + spec + "'");
        }
        arr.addObject()
            .put("name", s.substring(0, space))
            .put("type", s.substring(space + 1).trim());
      }
      return arr;
    }
  }

  @Command(name = "drop-table", mixinStandardHelpOptions = true, description = "Drop a table.")
  static final class DropTable extends Base {
    @Parameters(index = "0", paramLabel = "DATABASE.TABLE")
    String name;

    @Option(names = "--purge", description = "Iceberg tables: also delete data and metadata files")
    boolean purge;

    @Override
    public Integer call() {
      client.api().delete(table(name) + (purge ? "?purge=true" : ""));
      out().println("dropped table " + name + (purge ? " and purged its files" : ""));
      return 0;
    }
  }

  @Command(
      name = "append",
      mixinStandardHelpOptions = true,
      description = "Append newline-delimited JSON rows to an Iceberg table in one snapshot.")
  static final class Append extends Base {
    @Parameters(index = "0", paramLabel = "DATABASE.TABLE")
    String name;

    @Option(names = "--file", paramLabel = "FILE", description = "NDJSON file (default: stdin)")
    Path file;

    @Option(names = "--strict", description = "Fail on fields the table does not have")
    boolean strict;

    @Override
    public Integer call() throws IOException {
      String body =
          file != null
              ? Files.readString(file, StandardCharsets.UTF_8)
              : new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
      JsonNode r =
          client
              .api()
              .post(
                  table(name) + "/rows" + (strict ? "?unknownFields=fail" : ""),
                  body,
                  "application/x-ndjson");
      out()
          .println(
              "appended "
                  + r.path("rows").asLong()
                  + " row(s) in "
                  + r.path("dataFiles").asInt()
                  + " file(s); snapshot "
                  + r.path("snapshotId").asText());
      return 0;
    }
  }

  @Command(name = "snapshots", mixinStandardHelpOptions = true, description = "List snapshots.")
  static final class Snapshots extends Base {
    @Parameters(index = "0", paramLabel = "DATABASE.TABLE")
    String name;

    @Override
    public Integer call() {
      List<String[]> rows = new ArrayList<>();
      rows.add(
          new String[] {"SNAPSHOT", "TIME", "OPERATION", "ADDED_RECORDS", "TOTAL_RECORDS", ""});
      for (JsonNode s : client.api().get(table(name) + "/snapshots").path("snapshots")) {
        rows.add(
            new String[] {
              s.path("snapshotId").asText(),
              s.path("timestamp").asText(),
              s.path("operation").asText(),
              s.path("summary").path("added-records").asText("0"),
              s.path("summary").path("total-records").asText("?"),
              s.path("current").asBoolean() ? "current" : ""
            });
      }
      Tables.print(out(), rows);
      return 0;
    }
  }

  @Command(
      name = "versions",
      mixinStandardHelpOptions = true,
      description = "List an external table's versions (one per definition change).")
  static final class Versions extends Base {
    @Parameters(index = "0", paramLabel = "DATABASE.TABLE")
    String name;

    @Override
    public Integer call() {
      List<String[]> rows = new ArrayList<>();
      rows.add(new String[] {"VERSION", "UPDATED", "COLUMNS", ""});
      for (JsonNode v : client.api().get(table(name) + "/versions").path("versions")) {
        List<String> cols = new ArrayList<>();
        v.path("table").path("columns").forEach(c -> cols.add(c.path("name").asText()));
        rows.add(
            new String[] {
              v.path("versionId").asText(),
              v.path("table").path("updateTime").asText(),
              String.join(",", cols),
              v.path("current").asBoolean() ? "current" : ""
            });
      }
      Tables.print(out(), rows);
      return 0;
    }
  }

  @Command(
      name = "partitions",
      mixinStandardHelpOptions = true,
      description = "List an external table's partitions.")
  static final class Partitions extends Base {
    @Parameters(index = "0", paramLabel = "DATABASE.TABLE")
    String name;

    @Option(names = "--filter", paramLabel = "EXPR", description = "e.g. \"year='2026'\"")
    String filter;

    @Override
    public Integer call() {
      List<String[]> rows = new ArrayList<>();
      rows.add(new String[] {"VALUES", "LOCATION"});
      String q = filter == null ? "" : "?filter=" + BasinApiClient.encode(filter);
      for (JsonNode p : client.api().get(table(name) + "/partitions" + q).path("partitions")) {
        List<String> values = new ArrayList<>();
        p.path("values").forEach(x -> values.add(x.asText()));
        rows.add(new String[] {String.join("/", values), p.path("location").asText()});
      }
      Tables.print(out(), rows);
      return 0;
    }
  }

  @Command(
      name = "add-partition",
      mixinStandardHelpOptions = true,
      description = "Add a partition to an external table.")
  static final class AddPartition extends Base {
    @Parameters(index = "0", paramLabel = "DATABASE.TABLE")
    String name;

    @Option(
        names = "--values",
        paramLabel = "V1,V2",
        required = true,
        split = ",",
        description = "Partition values in key order")
    List<String> values = new ArrayList<>();

    @Option(
        names = "--location",
        paramLabel = "S3_URI",
        description = "Default: key=value/ folders")
    String location;

    @Override
    public Integer call() {
      ObjectNode body = Json.mapper().createObjectNode();
      ObjectNode p = body.putArray("partitions").addObject();
      p.set("values", Json.mapper().valueToTree(values));
      p.put("location", location);
      JsonNode r = post(table(name) + "/partitions", body);
      for (JsonNode e : r.path("errors")) {
        out().println("error: " + e.path("message").asText());
        return 1;
      }
      out().println("added partition " + String.join("/", values));
      return 0;
    }
  }

  @Command(
      name = "expire-snapshots",
      mixinStandardHelpOptions = true,
      description = "Expire an Iceberg table's old snapshots and delete files only they reference.")
  static final class ExpireSnapshots extends Base {
    @Parameters(index = "0", paramLabel = "DATABASE.TABLE")
    String name;

    @Option(names = "--older-than", paramLabel = "DURATION", defaultValue = "5d")
    String olderThan;

    @Option(names = "--retain-last", paramLabel = "N", defaultValue = "1")
    int retainLast;

    @Override
    public Integer call() {
      ObjectNode body = Json.mapper().createObjectNode();
      body.put("action", "expire-snapshots");
      body.put("olderThan", olderThan);
      body.put("retainLast", retainLast);
      JsonNode r = post(table(name) + "/maintenance", body);
      out()
          .println(
              "expired "
                  + r.path("snapshotsExpired").asInt()
                  + " snapshot(s), deleted "
                  + r.path("filesDeleted").asLong()
                  + " file(s)");
      return 0;
    }
  }

  @Command(
      name = "remove-orphan-files",
      mixinStandardHelpOptions = true,
      description = "Delete files under an Iceberg table's location that no snapshot references.")
  static final class RemoveOrphanFiles extends Base {
    @Parameters(index = "0", paramLabel = "DATABASE.TABLE")
    String name;

    @Option(names = "--older-than", paramLabel = "DURATION", defaultValue = "3d")
    String olderThan;

    @Option(names = "--dry-run", description = "Only list what would be deleted")
    boolean dryRun;

    @Option(
        names = "--force",
        description = "Allow --older-than below 1d (may delete files of writes still in progress)")
    boolean force;

    @Override
    public Integer call() {
      ObjectNode body = Json.mapper().createObjectNode();
      body.put("action", "remove-orphan-files");
      body.put("olderThan", olderThan);
      body.put("dryRun", dryRun);
      body.put("force", force);
      JsonNode r = post(table(name) + "/maintenance", body);
      r.path("orphans")
          .forEach(o -> out().println((dryRun ? "would delete " : "deleted ") + o.asText()));
      out()
          .println(
              r.path("orphans").size()
                  + " orphan file(s), "
                  + r.path("bytes").asLong()
                  + " bytes"
                  + (dryRun ? " (dry run, nothing deleted)" : ""));
      return 0;
    }
  }

  @Command(
      name = "compact",
      mixinStandardHelpOptions = true,
      description = "Rewrite an Iceberg table's small data files into larger ones.")
  static final class Compact extends Base {
    @Parameters(index = "0", paramLabel = "DATABASE.TABLE")
    String name;

    @Option(names = "--target-size", paramLabel = "SIZE", defaultValue = "128MiB")
    String targetSize;

    @Option(names = "--min-input-files", paramLabel = "N", defaultValue = "2")
    int minInputFiles;

    @Override
    public Integer call() {
      ObjectNode body = Json.mapper().createObjectNode();
      body.put("action", "rewrite-data-files");
      body.put("targetFileSize", targetSize);
      body.put("minInputFiles", minInputFiles);
      JsonNode r = post(table(name) + "/maintenance", body).path("result");
      if (r.path("snapshotId").asLong() < 0) {
        out()
            .println(
                "nothing to compact: no partition has " + minInputFiles + " or more small files");
      } else {
        out()
            .println(
                "rewrote "
                    + r.path("rewrittenFiles").asInt()
                    + " file(s) ("
                    + r.path("rewrittenBytes").asLong()
                    + " bytes) into "
                    + r.path("addedFiles").asInt()
                    + " ("
                    + r.path("addedBytes").asLong()
                    + " bytes), "
                    + r.path("records").asLong()
                    + " rows; snapshot "
                    + r.path("snapshotId").asText());
      }
      return 0;
    }
  }
}
