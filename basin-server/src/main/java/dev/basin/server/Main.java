package dev.basin.server;

import dev.basin.server.cli.BasinCommand;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;

/** The {@code basin} command: the only place that reads the environment or exits the JVM. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
    PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
    int code = run(args, System.getenv(), out, err);
    out.flush();
    err.flush();
    System.exit(code);
  }

  /** Runs the command line; returns the exit code. Blocks while a server runs. */
  public static int run(
      String[] args, java.util.Map<String, String> env, PrintWriter out, PrintWriter err) {
    Logging.quiet();
    CommandLine cli = BasinCommand.commandLine(env);
    cli.setOut(out);
    cli.setErr(err);
    return cli.execute(args);
  }
}
