package dev.basin.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.basin.server.BasinServer;
import dev.basin.server.TestServers;
import dev.basin.server.auth.Role;
import dev.basin.server.auth.User;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code basin user …} against an in-process server, found through its data directory. */
class UserCommandsTest {
  @TempDir static Path dir;
  private static BasinServer server;

  @BeforeAll
  static void start() {
    server = TestServers.start(dir, Map.of("sql.threads", "1"));
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  private record Result(int code, String out, String err) {}

  /** Runs {@code basin ARGS} with {@code stdin} as standard input. */
  private static Result basin(String stdin, String... args) {
    InputStream saved = System.in;
    System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
    try {
      CommandLine cli = BasinCommand.commandLine(Map.of("BASIN_DATA_DIR", dir.toString()));
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      cli.setOut(new PrintWriter(out));
      cli.setErr(new PrintWriter(err));
      int code = cli.execute(args);
      return new Result(code, out.toString(), err.toString());
    } finally {
      System.setIn(saved);
    }
  }

  private static boolean signsIn(String user, String password) {
    return server.users().authenticate(user, password.toCharArray()).isPresent();
  }

  @Test
  void createsAndManagesUsersWithPasswordsFromStdinOrAFile() throws Exception {
    Result created =
        basin("pw-alice-1234\n", "user", "create", "alice", "--role", "reader", "--password-stdin");
    assertThat(created.code()).as(created.err()).isZero();
    assertThat(created.out()).contains("created user alice (READER)");
    assertThat(signsIn("alice", "pw-alice-1234")).isTrue();

    Path file = dir.resolve("bob.pw");
    Files.writeString(file, "pw-bob-12345\r\n");
    Result fromFile =
        basin("", "user", "create", "bob", "--role", "AUTHOR", "--password-file", file.toString());
    assertThat(fromFile.code()).as(fromFile.err()).isZero();
    assertThat(signsIn("bob", "pw-bob-12345")).isTrue();

    Result list = basin("", "user", "list");
    assertThat(list.out()).containsPattern("alice\\s+READER\\s+enabled");
    assertThat(list.out()).containsPattern("bob\\s+AUTHOR\\s+enabled");

    assertThat(basin("", "user", "set-role", "alice", "author").out())
        .contains("alice is now AUTHOR");
    assertThat(server.users().get("alice").role()).isEqualTo(Role.AUTHOR);
    assertThat(
            basin("new-password-1\n", "user", "set-password", "alice", "--password-stdin").code())
        .isZero();
    assertThat(signsIn("alice", "pw-alice-1234")).isFalse();
    assertThat(signsIn("alice", "new-password-1")).isTrue();
    assertThat(basin("", "user", "disable", "alice").code()).isZero();
    assertThat(server.users().get("alice").disabled()).isTrue();
    assertThat(basin("", "user", "enable", "alice").code()).isZero();
    assertThat(signsIn("alice", "new-password-1")).isTrue();
    assertThat(basin("", "user", "delete", "bob").out()).contains("deleted user bob");
    assertThat(server.users().find("bob")).isEmpty();
  }

  @Test
  void refusesPasswordsAsArgumentsAndBadInputWithoutChangingAnything() {
    Result plain =
        basin("", "user", "create", "carol", "--role", "reader", "--password", "hunter22");
    assertThat(plain.code()).isEqualTo(2);
    assertThat(plain.err()).contains("Unknown options: '--password'");
    Result both =
        basin(
            "pw-carol-123\n",
            "user",
            "create",
            "carol",
            "--role",
            "reader",
            "--password-stdin",
            "--password-file",
            "x");
    assertThat(both.code()).isEqualTo(2);
    assertThat(both.err()).contains("mutually exclusive");
    Result noTerminal = basin("", "user", "create", "carol", "--role", "reader");
    assertThat(noTerminal.code()).isEqualTo(1);
    assertThat(noTerminal.err())
        .contains("no terminal to ask for the password; pass --password-stdin");
    Result badName =
        basin("pw-carol-123\n", "user", "create", "Carol", "--role", "reader", "--password-stdin");
    assertThat(badName.code()).isEqualTo(1);
    assertThat(badName.err()).contains("user name 'Carol' is invalid");
    Result badRole =
        basin("pw-carol-123\n", "user", "create", "carol", "--role", "owner", "--password-stdin");
    assertThat(badRole.err()).contains("role 'owner' is unknown");
    Result empty = basin("\n", "user", "create", "carol", "--role", "reader", "--password-stdin");
    assertThat(empty.err()).contains("the password from standard input is empty");
    assertThat(server.users().list()).extracting(User::name).doesNotContain("carol", "Carol");
    Result missing = basin("", "user", "delete", "nobody");
    assertThat(missing.code()).isEqualTo(1);
    assertThat(missing.err()).contains("user 'nobody' not found");
  }
}
