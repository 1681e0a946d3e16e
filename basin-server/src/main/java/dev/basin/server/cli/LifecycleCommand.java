package dev.basin.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.basin.server.client.BasinApiClient;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code basin lifecycle …}: apply the buckets' lifecycle rules now, and show what they did. */
final class LifecycleCommand {
  private LifecycleCommand() {}

  static CommandLine commandLine(Map<String, String> env) {
    CommandLine cl = new CommandLine(new Group());
    for (Base b : new Base[] {new Run(), new History()}) {
      b.client.env = env;
      cl.addSubcommand(b);
    }
    return cl;
  }

  @Command(
      name = "lifecycle",
      mixinStandardHelpOptions = true,
      description =
          "Run the buckets' lifecycle rules (transitions, expirations) now, or show their history.")
  static final class Group implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
      spec.commandLine().usage(spec.commandLine().getOut());
    }
  }

  abstract static class Base implements Callable<Integer> {
    @Mixin ClientOptions client = new ClientOptions();
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--bucket", paramLabel = "BUCKET", description = "Only this bucket's actions")
    String bucket;

    PrintWriter out() {
      return spec.commandLine().getOut();
    }

    String bucketQuery(char sep) {
      return bucket == null ? "" : sep + "bucket=" + BasinApiClient.encode(bucket);
    }

    void printActions(JsonNode actions) {
      List<String[]> rows = new ArrayList<>();
      rows.add(
          new String[] {"AT", "BUCKET", "RULE", "ACTION", "KEY", "VERSION", "BYTES", "DETAIL"});
      for (JsonNode a : actions) {
        rows.add(
            new String[] {
              a.path("at").asText(),
              a.path("bucket").asText(),
              a.path("ruleId").asText(),
              a.path("kind").asText(),
              a.path("key").asText(),
              a.path("versionId").asText("-"),
              a.path("bytes").asText(),
              a.path("detail").asText("-")
            });
      }
      Tables.print(out(), rows);
    }
  }

  @Command(
      name = "run",
      mixinStandardHelpOptions = true,
      description = "Apply every bucket's lifecycle rules now and list the actions taken.")
  static final class Run extends Base {
    @Override
    public Integer call() {
      JsonNode r =
          client.api().post("/api/v1/lifecycle/run" + bucketQuery('?'), "", "application/json");
      JsonNode actions = r.path("actions");
      out()
          .println(
              "lifecycle run at "
                  + r.path("ranAt").asText()
                  + ": "
                  + actions.size()
                  + " action(s)"
                  + (bucket == null ? "" : " in bucket " + bucket)
                  + ", "
                  + r.path("actionsAllBuckets").asInt()
                  + " in all buckets");
      if (actions.size() > 0) {
        printActions(actions);
      }
      return 0;
    }
  }

  @Command(
      name = "history",
      mixinStandardHelpOptions = true,
      description = "Show the most recent lifecycle actions, newest first.")
  static final class History extends Base {
    @Option(names = "--limit", paramLabel = "N", description = "At most N actions (default 100)")
    int limit = 100;

    @Override
    public Integer call() {
      JsonNode r = client.api().get("/api/v1/lifecycle/history?limit=" + limit + bucketQuery('&'));
      JsonNode actions = r.path("actions");
      if (actions.isEmpty()) {
        out()
            .println(
                "no lifecycle actions recorded" + (bucket == null ? "" : " for bucket " + bucket));
        return 0;
      }
      printActions(actions);
      return 0;
    }
  }
}
