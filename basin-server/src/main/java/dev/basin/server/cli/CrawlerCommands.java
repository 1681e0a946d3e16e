package dev.basin.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.basin.common.json.Json;
import dev.basin.server.client.BasinApiClient;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code basin crawler …}: Glue-style crawlers that turn folders of CSV, JSON and Parquet files
 * into external tables, with dry runs, plans shown as diffs, and rollback.
 */
final class CrawlerCommands {
  private CrawlerCommands() {}

  static CommandLine commandLine(Map<String, String> env) {
    return ApiCommand.commandLine(
        new Group(),
        env,
        new Create(),
        new ListCmd(),
        new Show(),
        new Delete(),
        new Run(),
        new Apply(),
        new Rollback(),
        new Runs());
  }

  @Command(
      name = "crawler",
      mixinStandardHelpOptions = true,
      description = {
        "Crawlers: find tables in the lake's folders and keep their definitions up to date.",
        "A run plans the exact change to the catalog; --dry-run stores the plan to apply later."
      })
  static final class Group extends CommandGroup {}

  abstract static class Base extends ApiCommand {
    static String path(String name) {
      return "/api/v1/crawlers/" + BasinApiClient.encode(name);
    }
  }

  @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a crawler.")
  static final class Create extends Base {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Option(
        names = "--target",
        paramLabel = "S3_URI",
        required = true,
        description = "An include path s3://bucket/prefix/ (repeatable)")
    List<String> targets = new ArrayList<>();

    @Option(
        names = "--exclude",
        paramLabel = "GLOB",
        description =
            "Exclude pattern for every target, relative to it: * stays in a folder, ** crosses"
                + " folders (repeatable)")
    List<String> excludes = new ArrayList<>();

    @Option(names = "--database", paramLabel = "NAME", required = true)
    String database;

    @Option(names = "--table-prefix", paramLabel = "PREFIX")
    String tablePrefix;

    @Option(names = "--description", paramLabel = "TEXT")
    String description;

    @Option(names = "--sample-rows", paramLabel = "N", description = "Rows read per file")
    Integer sampleRows;

    @Option(
        names = "--files-per-folder",
        paramLabel = "N",
        description = "Files classified per leaf folder (1-249)")
    Integer filesPerFolder;

    @Option(
        names = "--table-threshold",
        paramLabel = "N",
        description = "Fail the crawl, writing nothing, if it finds more tables")
    Integer tableThreshold;

    @Option(
        names = "--combine-compatible-schemas",
        description = "One table per folder level whatever the schemas, if formats match")
    boolean combine;

    @Option(
        names = "--table-level",
        paramLabel = "N",
        description = "Absolute folder level of the table roots (the bucket is level 1)")
    Integer tableLevel;

    @Option(
        names = "--update-behavior",
        paramLabel = "B",
        description = "UPDATE_IN_DATABASE (default) or LOG")
    String updateBehavior;

    @Option(
        names = "--delete-behavior",
        paramLabel = "B",
        description = "DEPRECATE_IN_DATABASE (default), DELETE_FROM_DATABASE or LOG")
    String deleteBehavior;

    @Option(names = "--merge-new-columns", description = "Only ever add columns")
    boolean mergeNewColumns;

    @Option(
        names = "--recrawl",
        paramLabel = "B",
        description = "CRAWL_EVERYTHING (default), CRAWL_NEW_FOLDERS_ONLY or CRAWL_EVENT_MODE")
    String recrawl;

    @Option(
        names = "--schedule",
        paramLabel = "CRON",
        description = "Cron text (5 fields, or 6 with a year), stored for the scheduler")
    String schedule;

    @Override
    public Integer call() {
      ObjectNode body = Json.mapper().createObjectNode();
      body.put("name", name);
      body.put("description", description);
      ArrayNode ts = body.putArray("targets");
      for (String t : targets) {
        ObjectNode o = ts.addObject();
        o.put("path", t);
        ArrayNode ex = o.putArray("exclusions");
        excludes.forEach(ex::add);
      }
      body.put("database", database);
      body.put("tablePrefix", tablePrefix);
      body.put("sampleRows", sampleRows);
      body.put("filesPerFolder", filesPerFolder);
      body.put("tableThreshold", tableThreshold);
      body.put("combineCompatibleSchemas", combine);
      body.put("tableLevel", tableLevel);
      body.put("updateBehavior", updateBehavior);
      body.put("deleteBehavior", deleteBehavior);
      body.put("addOrUpdateBehavior", mergeNewColumns ? "MERGE_NEW_COLUMNS" : null);
      body.put("recrawlBehavior", recrawl);
      body.put("schedule", schedule);
      client.api().post("/api/v1/crawlers", body.toString(), "application/json");
      out().println("created crawler " + name + "; run it with `basin crawler run " + name + "`");
      return 0;
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List crawlers.")
  static final class ListCmd extends Base {
    @Override
    public Integer call() {
      List<String[]> rows = new ArrayList<>();
      rows.add(new String[] {"CRAWLER", "DATABASE", "TARGETS", "RECRAWL", "SCHEDULE"});
      for (JsonNode c : client.api().get("/api/v1/crawlers").path("crawlers")) {
        List<String> targets = new ArrayList<>();
        c.path("targets").forEach(t -> targets.add(t.path("path").asText()));
        rows.add(
            new String[] {
              c.path("name").asText(),
              c.path("database").asText(),
              String.join(" ", targets),
              c.path("recrawlBehavior").asText(),
              c.path("schedule").asText("-")
            });
      }
      Tables.print(out(), rows);
      return 0;
    }
  }

  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description = "Show a crawler's definition.")
  static final class Show extends Base {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Option(names = "--json", description = "Print it as JSON")
    boolean json;

    @Override
    public Integer call() throws Exception {
      JsonNode c = client.api().get(path(name));
      if (json) {
        out().println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(c));
        return 0;
      }
      out()
          .println(
              "crawler " + c.path("name").asText() + " → database " + c.path("database").asText());
      for (JsonNode t : c.path("targets")) {
        List<String> ex = new ArrayList<>();
        t.path("exclusions").forEach(x -> ex.add(x.asText()));
        out()
            .println(
                "  target  " + t.path("path").asText() + (ex.isEmpty() ? "" : "  exclude " + ex));
      }
      for (String f :
          new String[] {
            "tablePrefix",
            "sampleRows",
            "filesPerFolder",
            "tableLevel",
            "combineCompatibleSchemas",
            "tableThreshold",
            "updateBehavior",
            "deleteBehavior",
            "addOrUpdateBehavior",
            "recrawlBehavior",
            "schedule",
            "createTime",
            "updateTime"
          }) {
        JsonNode v = c.path(f);
        if (!v.isMissingNode() && !v.isNull() && !v.asText().isEmpty()) {
          out().println("  " + f + ": " + v.asText());
        }
      }
      return 0;
    }
  }

  @Command(
      name = "delete",
      mixinStandardHelpOptions = true,
      description = "Delete a crawler and its run history (its tables stay).")
  static final class Delete extends Base {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Override
    public Integer call() {
      client.api().delete(path(name));
      out().println("deleted crawler " + name);
      return 0;
    }
  }

  @Command(
      name = "run",
      mixinStandardHelpOptions = true,
      description = "Crawl now and print the change as a diff; --dry-run only plans it.")
  static final class Run extends Base {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Option(names = "--dry-run", description = "Plan only; apply later with `crawler apply`")
    boolean dryRun;

    @Override
    public Integer call() {
      ObjectNode body = Json.mapper().createObjectNode().put("dryRun", dryRun);
      JsonNode run = client.api().post(path(name) + "/runs", body.toString(), "application/json");
      return printRun(out(), err(), run);
    }
  }

  @Command(
      name = "apply",
      mixinStandardHelpOptions = true,
      description = "Apply a dry run's plan, if the catalog did not change since.")
  static final class Apply extends Base {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Parameters(index = "1", paramLabel = "RUN_ID")
    long runId;

    @Override
    public Integer call() {
      JsonNode run =
          client.api().post(path(name) + "/runs/" + runId + "/apply", "{}", "application/json");
      return printRun(out(), err(), run);
    }
  }

  @Command(
      name = "rollback",
      mixinStandardHelpOptions = true,
      description =
          "Undo a run: tables go back to their versions before it (as new versions), tables it"
              + " created are dropped.")
  static final class Rollback extends Base {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Parameters(index = "1", paramLabel = "RUN_ID")
    long runId;

    @Option(names = "--force", description = "Also roll back tables changed after the run")
    boolean force;

    @Override
    public Integer call() {
      ObjectNode body = Json.mapper().createObjectNode().put("force", force);
      JsonNode run =
          client
              .api()
              .post(
                  path(name) + "/runs/" + runId + "/rollback", body.toString(), "application/json");
      out()
          .println(
              "run "
                  + run.path("id").asText()
                  + " of crawler "
                  + name
                  + ": "
                  + run.path("state").asText());
      run.path("errors").forEach(e -> out().println("  " + e.asText()));
      return 0;
    }
  }

  @Command(name = "runs", mixinStandardHelpOptions = true, description = "A crawler's run history.")
  static final class Runs extends Base {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Override
    public Integer call() {
      List<String[]> rows = new ArrayList<>();
      rows.add(
          new String[] {
            "RUN", "STATE", "STARTED", "ENDED", "TABLES +/~/-/deprecated", "PARTITIONS +/-", "ERROR"
          });
      for (JsonNode r : client.api().get(path(name) + "/runs").path("runs")) {
        rows.add(
            new String[] {
              r.path("id").asText(),
              r.path("state").asText() + (r.path("dryRun").asBoolean() ? " (dry run)" : ""),
              r.path("startTime").asText(""),
              r.path("endTime").asText("-"),
              r.path("tablesCreated").asInt()
                  + "/"
                  + r.path("tablesUpdated").asInt()
                  + "/"
                  + r.path("tablesDeleted").asInt()
                  + "/"
                  + r.path("tablesDeprecated").asInt(),
              r.path("partitionsAdded").asInt() + "/" + r.path("partitionsDeleted").asInt(),
              r.path("errors").size() == 0 ? "" : r.path("errors").get(0).asText()
            });
      }
      Tables.print(out(), rows);
      return 0;
    }
  }

  /** Prints a run with its plan as a diff; 1 when it failed. */
  static int printRun(PrintWriter out, PrintWriter err, JsonNode run) {
    String crawler = run.path("crawler").asText();
    String state = run.path("state").asText();
    long id = run.path("id").asLong();
    JsonNode plan = run.path("plan");
    if (!plan.isMissingNode() && !plan.isNull()) {
      printPlan(out, plan);
    }
    switch (state) {
      case "PLANNED":
        out.println(
            "run "
                + id
                + " of crawler "
                + crawler
                + ": PLANNED (dry run, nothing written);"
                + " apply it with `basin crawler apply "
                + crawler
                + " "
                + id
                + "`");
        return 0;
      case "SUCCEEDED":
        out.println(
            "run "
                + id
                + " of crawler "
                + crawler
                + ": SUCCEEDED: tables "
                + run.path("tablesCreated").asInt()
                + " created, "
                + run.path("tablesUpdated").asInt()
                + " updated, "
                + run.path("tablesDeleted").asInt()
                + " deleted, "
                + run.path("tablesDeprecated").asInt()
                + " deprecated; partitions "
                + run.path("partitionsAdded").asInt()
                + " added, "
                + run.path("partitionsDeleted").asInt()
                + " deleted");
        return 0;
      default:
        out.println("run " + id + " of crawler " + crawler + ": " + state);
        for (JsonNode e : run.path("errors")) {
          err.println("error: " + e.asText());
        }
        return 1;
    }
  }

  private static void printPlan(PrintWriter out, JsonNode plan) {
    Map<String, Integer> partitionCounts = new java.util.HashMap<>();
    for (JsonNode p : plan.path("partitions")) {
      if (p.path("action").asText().equals("ADD") && !p.path("logOnly").asBoolean()) {
        partitionCounts.merge(p.path("table").asText(), 1, Integer::sum);
      }
    }
    List<String> logged = new ArrayList<>();
    int changes = 0;
    for (JsonNode t : plan.path("tables")) {
      String name = t.path("table").asText();
      String action = t.path("action").asText();
      List<String> lines = new ArrayList<>();
      switch (action) {
        case "CREATE":
          lines.add(
              "+ table "
                  + name
                  + " ("
                  + t.path("after").path("columns").size()
                  + " columns, "
                  + partitionCounts.getOrDefault(name, 0)
                  + " partitions) at "
                  + t.path("after").path("location").asText());
          break;
        case "UPDATE":
          for (JsonNode d : t.path("diff")) {
            lines.add("~ table " + name + ": " + d.asText());
          }
          break;
        case "DEPRECATE":
          lines.add("! table " + name + " deprecated: " + String.join("; ", texts(t.path("diff"))));
          break;
        default:
          lines.add("- table " + name + ": " + String.join("; ", texts(t.path("diff"))));
      }
      if (t.path("logOnly").asBoolean()) {
        logged.addAll(lines);
      } else {
        lines.forEach(out::println);
        changes += lines.size();
      }
    }
    for (JsonNode p : plan.path("partitions")) {
      String line =
          (p.path("action").asText().equals("ADD") ? "+ partition " : "- partition ")
              + p.path("table").asText()
              + " "
              + texts(p.path("values"))
              + " "
              + p.path("location").asText();
      if (p.path("logOnly").asBoolean()) {
        logged.add(line);
      } else {
        out.println(line);
        changes++;
      }
    }
    if (changes == 0) {
      out.println("(no changes to the catalog)");
    }
    if (!logged.isEmpty()) {
      out.println("logged only, not applied (schema change / recrawl policy):");
      logged.forEach(l -> out.println("  " + l));
    }
    java.util.Set<String> touched = new java.util.HashSet<>();
    plan.path("tables").forEach(t -> touched.add(t.path("table").asText()));
    plan.path("partitions").forEach(p -> touched.add(p.path("table").asText()));
    List<String> why = new ArrayList<>();
    for (JsonNode e : plan.path("explanations")) {
      if (touched.contains(e.path("table").asText())) {
        why.add("  " + e.path("table").asText() + ": " + e.path("text").asText());
      }
    }
    if (!why.isEmpty()) {
      out.println("why:");
      why.forEach(out::println);
    }
    if (plan.path("notes").size() > 0) {
      out.println("notes:");
      plan.path("notes").forEach(n -> out.println("  " + n.asText()));
    }
  }

  private static List<String> texts(JsonNode arr) {
    List<String> out = new ArrayList<>();
    arr.forEach(x -> out.add(x.asText()));
    return out;
  }
}
