package dev.basin.server.cli;

import picocli.CommandLine;

/**
 * A command that only groups subcommands ({@code basin stream}, {@code basin job}, …): run without
 * one, it prints its usage. Subclasses carry the {@code @Command} annotation and nothing else.
 */
abstract class CommandGroup implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
