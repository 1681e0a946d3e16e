package dev.basin.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.basin.common.json.Json;
import dev.basin.server.client.BasinApiClient;
import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code basin user …}: manage the named users of the web console and the native API (admins only:
 * the commands use the key pair). A password is never a plain argument, where it would end up in
 * the shell history and the process list: it comes from standard input ({@code --password-stdin}),
 * a file ({@code --password-file}), or a prompt on the terminal.
 */
final class UserCommands {
  private static final String BASE = "/api/v1/users";

  private UserCommands() {}

  static CommandLine commandLine(Map<String, String> env) {
    return ApiCommand.commandLine(
        new Group(),
        env,
        new Create(),
        new ListAll(),
        new Delete(),
        new SetPassword(),
        new SetRole(),
        new Disable(),
        new Enable());
  }

  @Command(
      name = "user",
      mixinStandardHelpOptions = true,
      description =
          "Manage named users (roles admin, author, reader) who sign in to the web console;"
              + " row-level security rules name them.")
  static final class Group extends CommandGroup {}

  abstract static class Base extends ApiCommand {
    static String path(String name) {
      return BASE + "/" + BasinApiClient.encode(name);
    }
  }

  /** Where a new password comes from; a terminal prompt when neither is given. */
  static final class PasswordSource {
    @Option(
        names = "--password-stdin",
        description = "Read the password from the first line of standard input")
    boolean stdin;

    @Option(
        names = "--password-file",
        paramLabel = "FILE",
        description = "Read the password from the first line of FILE")
    Path file;
  }

  /** Reads the password from the chosen source; {@code stdin} is the process's standard input. */
  static char[] password(PasswordSource source, InputStream stdin, String name) {
    if (source != null && source.file != null) {
      try {
        return firstLine(Files.readString(source.file, StandardCharsets.UTF_8), source.file + "");
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + source.file + ": " + e.getMessage(), e);
      }
    }
    if (source != null && source.stdin) {
      try {
        String line =
            new BufferedReader(new InputStreamReader(stdin, StandardCharsets.UTF_8)).readLine();
        return firstLine(line == null ? "" : line, "standard input");
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read standard input: " + e.getMessage(), e);
      }
    }
    Console console = System.console();
    if (console == null) {
      throw new IllegalArgumentException(
          "no terminal to ask for the password; pass --password-stdin (and pipe it in) or"
              + " --password-file FILE");
    }
    char[] first = console.readPassword("Password for %s: ", name);
    char[] again = console.readPassword("Repeat the password: ");
    if (first == null || again == null || !Arrays.equals(first, again)) {
      throw new IllegalArgumentException("the two passwords differ; nothing was changed");
    }
    Arrays.fill(again, '\0');
    return first;
  }

  private static char[] firstLine(String text, String from) {
    int nl = text.indexOf('\n');
    String line = nl < 0 ? text : text.substring(0, nl);
    if (line.endsWith("\r")) {
      line = line.substring(0, line.length() - 1);
    }
    if (line.isEmpty()) {
      throw new IllegalArgumentException("the password from " + from + " is empty");
    }
    return line.toCharArray();
  }

  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description = "Create a user; the password comes from a prompt, stdin or a file.")
  static final class Create extends Base {
    @Parameters(index = "0", paramLabel = "NAME", description = "Lower-case user name")
    String name;

    @Option(
        names = "--role",
        required = true,
        paramLabel = "ROLE",
        description = "admin, author or reader")
    String role;

    @ArgGroup(exclusive = true)
    PasswordSource source;

    InputStream stdin = System.in;

    @Override
    public Integer call() {
      ObjectNode body = Json.mapper().createObjectNode().put("name", name).put("role", role);
      body.put("password", new String(password(source, stdin, name)));
      JsonNode r = client.api().post(BASE, body.toString(), "application/json");
      out()
          .println(
              "created user " + r.path("name").asText() + " (" + r.path("role").asText() + ")");
      return 0;
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List the users.")
  static final class ListAll extends Base {
    @Override
    public Integer call() {
      JsonNode r = client.api().get(BASE);
      List<String[]> rows = new ArrayList<>();
      for (JsonNode u : r.path("users")) {
        rows.add(
            new String[] {
              u.path("name").asText(),
              u.path("role").asText(),
              u.path("disabled").asBoolean() ? "disabled" : "enabled",
              u.path("createdAt").asText(),
              u.path("createdBy").asText()
            });
      }
      Tables.print(out(), new String[] {"NAME", "ROLE", "STATUS", "CREATED", "CREATED BY"}, rows);
      return 0;
    }
  }

  @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a user.")
  static final class Delete extends Base {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Override
    public Integer call() {
      client.api().delete(path(name));
      out().println("deleted user " + name);
      return 0;
    }
  }

  @Command(
      name = "set-password",
      mixinStandardHelpOptions = true,
      description = "Replace a user's password (prompt, stdin or file).")
  static final class SetPassword extends Base {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @ArgGroup(exclusive = true)
    PasswordSource source;

    InputStream stdin = System.in;

    @Override
    public Integer call() {
      ObjectNode body = Json.mapper().createObjectNode();
      body.put("password", new String(password(source, stdin, name)));
      client.api().put(path(name), body.toString(), "application/json");
      out().println("changed the password of " + name);
      return 0;
    }
  }

  @Command(
      name = "set-role",
      mixinStandardHelpOptions = true,
      description = "Change a user's role; it applies to the user's next request.")
  static final class SetRole extends Base {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Parameters(index = "1", paramLabel = "ROLE", description = "admin, author or reader")
    String role;

    @Override
    public Integer call() {
      JsonNode r =
          client
              .api()
              .put(
                  path(name),
                  Json.mapper().createObjectNode().put("role", role).toString(),
                  "application/json");
      out().println(name + " is now " + r.path("role").asText());
      return 0;
    }
  }

  @Command(
      name = "disable",
      mixinStandardHelpOptions = true,
      description = "Stop a user from signing in; their open sessions end at once.")
  static final class Disable extends Base {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Override
    public Integer call() {
      client
          .api()
          .put(
              path(name),
              Json.mapper().createObjectNode().put("disabled", true).toString(),
              "application/json");
      out().println("disabled user " + name);
      return 0;
    }
  }

  @Command(name = "enable", mixinStandardHelpOptions = true, description = "Re-enable a user.")
  static final class Enable extends Base {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Override
    public Integer call() {
      client
          .api()
          .put(
              path(name),
              Json.mapper().createObjectNode().put("disabled", false).toString(),
              "application/json");
      out().println("enabled user " + name);
      return 0;
    }
  }
}
