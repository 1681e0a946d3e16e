package dev.basin.server.cli;

import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;

/**
 * A subcommand that talks to a running server: it takes the {@link ClientOptions} ({@code
 * --endpoint}, {@code --data-dir}) and writes to the command line's output and error streams.
 */
abstract class ApiCommand implements Callable<Integer> {
  @Mixin ClientOptions client = new ClientOptions();
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  PrintWriter err() {
    return spec.commandLine().getErr();
  }

  /**
   * The command line of {@code group} with {@code subcommands} added in order, each reading the
   * process environment {@code env} for its server and credentials.
   */
  static CommandLine commandLine(
      CommandGroup group, Map<String, String> env, ApiCommand... subcommands) {
    CommandLine cl = new CommandLine(group);
    for (ApiCommand c : subcommands) {
      c.client.env = env;
      cl.addSubcommand(c);
    }
    return cl;
  }
}
