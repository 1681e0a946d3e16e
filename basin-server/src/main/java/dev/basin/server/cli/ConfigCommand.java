package dev.basin.server.cli;

import dev.basin.common.config.ConfigKey;
import dev.basin.server.ServerConfig;
import java.io.PrintWriter;
import java.time.Duration;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Prints every server setting with its type, default, environment variable and meaning. */
@Command(name = "config", description = "List every server setting, its default and its env var.")
final class ConfigCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    PrintWriter out = spec.commandLine().getOut();
    for (ConfigKey<?> k : ServerConfig.definition().keys()) {
      Object d = k.defaultValue();
      String dv = d == null ? "(none)" : d instanceof Duration dur ? dur.toString() : d.toString();
      if (d instanceof Enum<?> e) {
        dv = e.name().toLowerCase().replace('_', '-');
      }
      out.printf("%-44s %s%n", k.name(), k.doc());
      out.printf("%-44s type: %s; default: %s; env: %s%n%n", "", k.type(), dv, k.envName());
    }
  }
}
