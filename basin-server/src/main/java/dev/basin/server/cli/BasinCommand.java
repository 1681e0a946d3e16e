package dev.basin.server.cli;

import dev.basin.common.error.BasinException;
import dev.basin.server.client.BasinApiClient;
import java.io.UncheckedIOException;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The root {@code basin} command. */
@Command(
    name = "basin",
    mixinStandardHelpOptions = true,
    versionProvider = BasinCommand.Version.class,
    description =
        "Basin: a self-hosted analytics pipeline (streams today; more with every release).",
    subcommandsRepeatable = false)
public final class BasinCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Builds the command tree; {@code env} is the process environment. */
  public static CommandLine commandLine(Map<String, String> env) {
    CommandLine cli = new CommandLine(new BasinCommand());
    cli.addSubcommand("server", new ServerCommand(env));
    cli.addSubcommand("demo", new DemoCommand(env));
    cli.addSubcommand("config", new ConfigCommand());
    cli.addSubcommand("stream", StreamCommands.commandLine(env));
    cli.addSubcommand("generate", new GenerateCommand(env));
    cli.addSubcommand("s3", S3Commands.commandLine(env));
    cli.addSubcommand("lifecycle", LifecycleCommand.commandLine(env));
    cli.addSubcommand("catalog", CatalogCommands.commandLine(env));
    cli.addSubcommand("crawler", CrawlerCommands.commandLine(env));
    cli.addSubcommand("delivery", DeliveryCommands.commandLine(env));
    cli.addSubcommand("sql", new SqlCommand(env));
    cli.addSubcommand("sample-data", new SampleDataCommand(env));
    cli.addSubcommand("job", JobCommands.commandLine(env));
    cli.addSubcommand("user", UserCommands.commandLine(env));
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          if (e instanceof BasinException
              || e instanceof BasinApiClient.ApiException
              || e instanceof UncheckedIOException
              || e instanceof IllegalArgumentException) {
            commandLine.getErr().println("error: " + e.getMessage());
            return 1;
          }
          throw e;
        });
    return cli;
  }

  /** Prints the version from the jar manifest. */
  public static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = BasinCommand.class.getPackage().getImplementationVersion();
      return new String[] {"basin " + (v == null ? "development build" : v)};
    }
  }
}
