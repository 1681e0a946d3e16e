package dev.basin.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.basin.common.json.Json;
import dev.basin.server.client.BasinApiClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
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

/** {@code basin job …}: create and run ETL jobs on a running server. */
final class JobCommands {
  private static final String BASE = "/api/v1/jobs";

  private JobCommands() {}

  static CommandLine commandLine(Map<String, String> env) {
    return ApiCommand.commandLine(
        new Group(),
        env,
        new Create(),
        new Update(),
        new ListAll(),
        new Show(),
        new Delete(),
        new Run(),
        new Runs(),
        new Logs(),
        new Stop(),
        new Bookmark());
  }

  @Command(
      name = "job",
      mixinStandardHelpOptions = true,
      description =
          "Create ETL jobs from YAML (sources → transforms → data quality → targets), run them"
              + " with a progress bar, and read their runs, logs and bookmarks.")
  static final class Group extends CommandGroup {}

  abstract static class Base extends ApiCommand {
    static String path(String name) {
      return BASE + "/" + BasinApiClient.encode(name);
    }
  }

  static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description = "Create a job from a YAML (or JSON) file; its name is the file's 'name:'.")
  static final class Create extends Base {
    @Parameters(index = "0", paramLabel = "FILE", description = "The job definition")
    Path file;

    @Override
    public Integer call() {
      JsonNode r = client.api().post(BASE, read(file), "application/yaml");
      out()
          .println(
              "created job "
                  + r.path("name").asText()
                  + " ("
                  + r.path("definition").path("nodes").size()
                  + " nodes)");
      return 0;
    }
  }

  @Command(
      name = "update",
      mixinStandardHelpOptions = true,
      description = "Replace a job's definition from a file.")
  static final class Update extends Base {
    @Parameters(index = "0", paramLabel = "FILE")
    Path file;

    @Override
    public Integer call() {
      String text = read(file);
      String name = Json.mapper().createObjectNode().textNode("").asText();
      JsonNode parsed;
      try {
        parsed =
            new com.fasterxml.jackson.databind.ObjectMapper(
                    new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
                .readTree(text);
      } catch (IOException e) {
        throw new IllegalArgumentException(file + " is not YAML or JSON: " + e.getMessage());
      }
      name = parsed == null ? "" : parsed.path("name").asText("");
      if (name.isEmpty()) {
        throw new IllegalArgumentException(file + " has no 'name:'");
      }
      client.api().put(path(name), text, "application/yaml");
      out().println("updated job " + name);
      return 0;
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List the jobs.")
  static final class ListAll extends Base {
    @Override
    public Integer call() {
      JsonNode r = client.api().get(BASE);
      List<String[]> rows = new ArrayList<>();
      for (JsonNode j : r.path("jobs")) {
        rows.add(
            new String[] {
              j.path("name").asText(),
              j.path("nodes").asText(),
              j.path("bookmarks").asText(),
              j.path("updated").asText(),
              j.path("description").asText()
            });
      }
      Tables.print(
          out(), new String[] {"NAME", "NODES", "BOOKMARKS", "UPDATED", "DESCRIPTION"}, rows);
      return 0;
    }
  }

  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description = "Print a job's definition as it was created.")
  static final class Show extends Base {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Option(names = "--json", description = "Print the parsed definition as JSON")
    boolean json;

    @Override
    public Integer call() {
      JsonNode r = client.api().get(path(name));
      if (json) {
        out().println(r.path("definition").toPrettyString());
      } else {
        out().println(r.path("source").asText());
      }
      return 0;
    }
  }

  @Command(
      name = "delete",
      mixinStandardHelpOptions = true,
      description = "Delete a job with its runs and bookmark.")
  static final class Delete extends Base {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Override
    public Integer call() {
      client.api().delete(path(name));
      out().println("deleted job " + name);
      return 0;
    }
  }

  @Command(
      name = "run",
      mixinStandardHelpOptions = true,
      description =
          "Start a run and follow it with a progress bar until it ends (exit code 0 when it"
              + " SUCCEEDED). Prints the rows each node produced and the data-quality results.")
  static final class Run extends Base {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Option(
        names = {"-a", "--arg"},
        paramLabel = "KEY=VALUE",
        description = "A run argument (repeatable); overrides the job's default")
    List<String> arguments = new ArrayList<>();

    @Option(names = "--no-wait", description = "Print the run id and return at once")
    boolean noWait;

    @Option(
        names = "--no-progress",
        description = "No progress bar (also when stderr is not a terminal)")
    boolean noProgress;

    @Override
    public Integer call() throws InterruptedException {
      ObjectNode body = Json.mapper().createObjectNode();
      ObjectNode args = body.putObject("arguments");
      for (String a : arguments) {
        int eq = a.indexOf('=');
        if (eq <= 0) {
          throw new IllegalArgumentException("--arg must read KEY=VALUE, not '" + a + "'");
        }
        args.put(a.substring(0, eq), a.substring(eq + 1));
      }
      JsonNode run = client.api().post(path(name) + "/runs", body.toString(), "application/json");
      String id = run.path("id").asText();
      if (noWait) {
        out().println(id);
        return 0;
      }
      boolean bar = !noProgress && System.console() != null;
      return follow(id, bar);
    }

    private String retryOf(String id, int attempt) throws InterruptedException {
      int maxRetries =
          client
              .api()
              .get(path(name))
              .path("definition")
              .path("settings")
              .path("maxRetries")
              .asInt(0);
      if (attempt >= maxRetries) {
        return null;
      }
      // The retry is recorded right after the failed run ends.
      for (int i = 0; i < 50; i++) {
        for (JsonNode r : client.api().get(path(name) + "/runs?limit=20").path("runs")) {
          if (id.equals(r.path("previousRunId").asText(null))) {
            return r.path("id").asText();
          }
        }
        Thread.sleep(100);
      }
      return null;
    }

    private int follow(String id, boolean bar) throws InterruptedException {
      JsonNode run = client.api().get(path(name) + "/runs/" + BasinApiClient.encode(id));
      err().println("run " + id + " of job " + name);
      err().flush();
      String last = "";
      long seq = 0;
      while (!terminal(run.path("state").asText())) {
        Thread.sleep(300);
        run = client.api().get(path(name) + "/runs/" + BasinApiClient.encode(id));
        String line = progress(run);
        if (bar) {
          err().print("\r" + line);
          err().flush();
        } else if (!line.equals(last)) {
          // Without a terminal, one line per change: steps done and the latest log line.
          JsonNode logs =
              client
                  .api()
                  .get(path(name) + "/runs/" + BasinApiClient.encode(id) + "/logs?after=" + seq);
          for (JsonNode l : logs.path("logs")) {
            seq = l.path("seq").asLong();
            err().println("  " + l.path("level").asText() + " " + l.path("message").asText());
          }
          err().flush();
        }
        last = line;
      }
      if (bar) {
        err().println("\r" + progress(run));
      }
      if (!bar) {
        JsonNode logs =
            client
                .api()
                .get(path(name) + "/runs/" + BasinApiClient.encode(id) + "/logs?after=" + seq);
        for (JsonNode l : logs.path("logs")) {
          err().println("  " + l.path("level").asText() + " " + l.path("message").asText());
        }
        err().flush();
      }
      printRun(out(), run);
      if (run.path("state").asText().equals("FAILED")) {
        // A job with maxRetries starts a retry that names this run: follow it.
        String retry = retryOf(id, run.path("attempt").asInt());
        if (retry != null) {
          err().println("retrying as run " + retry);
          return follow(retry, bar);
        }
      }
      return run.path("state").asText().equals("SUCCEEDED") ? 0 : 1;
    }
  }

  static boolean terminal(String state) {
    return switch (state) {
      case "SUCCEEDED", "FAILED", "STOPPED", "TIMEOUT" -> true;
      default -> false;
    };
  }

  /** {@code [#########.........] 4/9 steps RUNNING 12.3 s}. */
  static String progress(JsonNode run) {
    int done = run.path("stepsDone").asInt();
    int total = Math.max(run.path("stepsTotal").asInt(), 1);
    int width = 30;
    int filled = (int) Math.round(width * (double) done / total);
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < width; i++) {
      b.append(i < filled ? '#' : '.');
    }
    b.append("] ")
        .append(done)
        .append('/')
        .append(run.path("stepsTotal").asInt())
        .append(" steps  ")
        .append(run.path("state").asText())
        .append("  ")
        .append(
            String.format(
                java.util.Locale.ROOT, "%.1f s", run.path("executionMillis").asLong() / 1000.0));
    return b.toString();
  }

  static void printRun(PrintWriter out, JsonNode run) {
    out.println(
        "run "
            + run.path("id").asText()
            + ": "
            + run.path("state").asText()
            + " in "
            + run.path("executionMillis").asLong()
            + " ms"
            + (run.has("bookmarkEpoch")
                ? " (bookmark epoch " + run.path("bookmarkEpoch").asLong() + ")"
                : ""));
    if (run.has("error")) {
      out.println("error: " + run.path("error").asText());
    }
    List<String[]> rows = new ArrayList<>();
    for (JsonNode n : run.path("nodes")) {
      Map<String, String> detail = new LinkedHashMap<>();
      n.path("detail")
          .fields()
          .forEachRemaining(e -> detail.put(e.getKey(), e.getValue().asText()));
      rows.add(
          new String[] {
            n.path("node").asText(),
            n.path("type").asText(),
            n.path("rows").isNull() || n.path("rows").isMissingNode()
                ? "-"
                : n.path("rows").asText(),
            n.path("millis").asText(),
            detail.isEmpty() ? "" : detail.toString()
          });
    }
    if (!rows.isEmpty()) {
      Tables.print(out, new String[] {"NODE", "TYPE", "ROWS", "MS", "DETAIL"}, rows);
    }
    List<String[]> dq = new ArrayList<>();
    for (JsonNode q : run.path("quality")) {
      dq.add(
          new String[] {
            q.path("node").asText(),
            q.path("passed").asBoolean() ? "PASS" : "FAIL",
            q.path("rule").asText(),
            q.path("failedRows").isNull() || q.path("failedRows").isMissingNode()
                ? ""
                : q.path("failedRows").asText(),
            q.path("message").asText()
          });
    }
    if (!dq.isEmpty()) {
      Tables.print(out, new String[] {"QUALITY", "OUTCOME", "RULE", "FAILED ROWS", "MESSAGE"}, dq);
    }
  }

  @Command(
      name = "runs",
      mixinStandardHelpOptions = true,
      description = "List a job's runs, newest first.")
  static final class Runs extends Base {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Option(names = "--limit", defaultValue = "20")
    int limit;

    @Option(names = "--run", paramLabel = "RUN_ID", description = "Show one run in detail")
    String runId;

    @Override
    public Integer call() {
      if (runId != null) {
        printRun(out(), client.api().get(path(name) + "/runs/" + BasinApiClient.encode(runId)));
        return 0;
      }
      JsonNode r = client.api().get(path(name) + "/runs?limit=" + limit);
      List<String[]> rows = new ArrayList<>();
      for (JsonNode run : r.path("runs")) {
        rows.add(
            new String[] {
              run.path("id").asText(),
              run.path("state").asText(),
              run.path("attempt").asText(),
              run.path("trigger").asText(),
              run.path("startedOn").asText(),
              run.path("executionMillis").asText(),
              run.has("bookmarkEpoch") ? run.path("bookmarkEpoch").asText() : "",
              run.path("error").asText("")
            });
      }
      Tables.print(
          out(),
          new String[] {"RUN", "STATE", "ATTEMPT", "TRIGGER", "STARTED", "MS", "EPOCH", "ERROR"},
          rows);
      return 0;
    }
  }

  @Command(name = "logs", mixinStandardHelpOptions = true, description = "Print a run's log.")
  static final class Logs extends Base {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Parameters(
        index = "1",
        paramLabel = "RUN_ID",
        arity = "0..1",
        description = "The run (default: the latest)")
    String runId;

    @Option(
        names = {"-f", "--follow"},
        description = "Keep printing until the run ends")
    boolean follow;

    @Override
    public Integer call() throws InterruptedException {
      String id = runId;
      if (id == null) {
        JsonNode runs = client.api().get(path(name) + "/runs?limit=1");
        if (runs.path("runs").isEmpty()) {
          throw new IllegalArgumentException("job " + name + " has no runs yet");
        }
        id = runs.path("runs").get(0).path("id").asText();
      }
      String runPath = path(name) + "/runs/" + BasinApiClient.encode(id);
      long seq = 0;
      while (true) {
        JsonNode logs = client.api().get(runPath + "/logs?after=" + seq);
        for (JsonNode l : logs.path("logs")) {
          seq = l.path("seq").asLong();
          out()
              .println(
                  l.path("time").asText()
                      + " "
                      + l.path("level").asText()
                      + " "
                      + l.path("message").asText());
        }
        out().flush();
        if (!follow || terminal(client.api().get(runPath).path("state").asText())) {
          if (follow) {
            for (JsonNode l : client.api().get(runPath + "/logs?after=" + seq).path("logs")) {
              out()
                  .println(
                      l.path("time").asText()
                          + " "
                          + l.path("level").asText()
                          + " "
                          + l.path("message").asText());
            }
          }
          return 0;
        }
        Thread.sleep(500);
      }
    }
  }

  @Command(name = "stop", mixinStandardHelpOptions = true, description = "Stop a running run.")
  static final class Stop extends Base {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Parameters(index = "1", paramLabel = "RUN_ID")
    String runId;

    @Override
    public Integer call() {
      JsonNode r =
          client
              .api()
              .post(
                  path(name) + "/runs/" + BasinApiClient.encode(runId) + "/stop",
                  "",
                  "application/json");
      out().println("run " + runId + ": " + r.path("state").asText());
      return 0;
    }
  }

  @Command(
      name = "bookmark",
      mixinStandardHelpOptions = true,
      description =
          "Show a job's bookmark, reset it (--reset) or rewind it to after a run (--rewind RUN_ID).")
  static final class Bookmark extends Base {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Option(names = "--reset", description = "Forget all processed input")
    boolean reset;

    @Option(
        names = "--rewind",
        paramLabel = "RUN_ID",
        description = "Go back to right after this run")
    String rewind;

    @Override
    public Integer call() {
      JsonNode r;
      if (reset) {
        r = client.api().post(path(name) + "/bookmark/reset", "", "application/json");
      } else if (rewind != null) {
        ObjectNode body = Json.mapper().createObjectNode().put("runId", rewind);
        r = client.api().post(path(name) + "/bookmark/rewind", body.toString(), "application/json");
      } else {
        r = client.api().get(path(name) + "/bookmark");
      }
      out()
          .println(
              "job "
                  + name
                  + ": "
                  + r.path("committedEpochs").asInt()
                  + " committed epoch(s)"
                  + (r.path("pendingEpoch").isNull() || r.path("pendingEpoch").isMissingNode()
                      ? ""
                      : ", epoch "
                          + r.path("pendingEpoch").asText()
                          + " pending (the next run resumes it)")
                  + (r.path("lastRunId").isNull() || r.path("lastRunId").isMissingNode()
                      ? ""
                      : ", last committed by run " + r.path("lastRunId").asText()));
      return 0;
    }
  }
}
