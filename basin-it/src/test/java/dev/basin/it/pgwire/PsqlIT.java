package dev.basin.it.pgwire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.basin.it.BasinProcess;
import dev.basin.server.auth.Credentials;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code psql} command-line client against a real Basin server: queries and the catalog
 * commands {@code \l}, {@code \dn}, {@code \dt} and {@code \d table}. Skipped where psql is not
 * installed ({@code .ci/run} installs it).
 */
@ExtendWith(BasinProcess.DumpLogsOnFailure.class)
class PsqlIT {
  private static final Path PSQL = Path.of("/usr/bin/psql");
  @TempDir static Path dir;
  private static BasinProcess server;
  private static Credentials credentials;

  /** How a psql run ended. */
  record Run(int code, String stdout, String stderr) {}

  @BeforeAll
  static void start() throws Exception {
    assumeTrue(Files.isExecutable(PSQL), "psql is not installed");
    server = BasinProcess.start(dir.resolve("data"));
    credentials = server.credentials();
    Run created =
        psql(
            credentials.secretAccessKey(),
            "-c",
            "CREATE DATABASE shop",
            "-c",
            "CREATE TABLE shop.orders AS SELECT range AS id, 'customer ' || range AS customer,"
                + " CAST(range AS DECIMAL(10,2)) AS total, TIMESTAMP '2024-01-01 00:00:00' AS ts"
                + " FROM range(3)");
    assertThat(created.code()).as(created.stderr()).isZero();
    assertThat(created.stdout()).contains("CREATE SCHEMA").contains("SELECT 3");
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  static Run psql(String password, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(PSQL.toString());
    cmd.add("-X");
    cmd.add("-h");
    cmd.add("127.0.0.1");
    cmd.add("-p");
    cmd.add(String.valueOf(server.pgPort()));
    cmd.add("-U");
    cmd.add(credentials.accessKeyId());
    cmd.add("-d");
    cmd.add("basin");
    cmd.add("-v");
    cmd.add("ON_ERROR_STOP=1");
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("PGPASSWORD", password);
    pb.environment().put("PGCONNECT_TIMEOUT", "30");
    pb.environment().put("PAGER", "cat");
    pb.environment().remove("PGSERVICE");
    Path out = Files.createTempFile(dir, "psql", ".out");
    Path err = Files.createTempFile(dir, "psql", ".err");
    pb.redirectOutput(out.toFile());
    pb.redirectError(err.toFile());
    pb.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
    Process p = pb.start();
    if (!p.waitFor(2, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError("psql " + String.join(" ", args) + " did not finish");
    }
    return new Run(
        p.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  static String ok(String... args) throws Exception {
    Run r = psql(credentials.secretAccessKey(), args);
    assertThat(r.code()).as("psql %s failed: %s", String.join(" ", args), r.stderr()).isZero();
    return r.stdout();
  }

  @Test
  void selectOne() throws Exception {
    assertThat(ok("-c", "SELECT 1 AS one")).contains("one").contains(" 1").contains("(1 row)");
    assertThat(ok("-A", "-t", "-c", "SELECT customer FROM shop.orders ORDER BY id"))
        .isEqualTo("customer 0\ncustomer 1\ncustomer 2\n");
  }

  @Test
  void listDatabases() throws Exception {
    String out = ok("-c", "\\l");
    assertThat(out).contains("List of databases").contains("basin").contains("UTF8");
  }

  @Test
  void listSchemas() throws Exception {
    String out = ok("-c", "\\dn");
    assertThat(out).contains("List of schemas").contains("shop").doesNotContain("pg_catalog");
  }

  @Test
  void listTablesOfASchema() throws Exception {
    String out = ok("-c", "\\dt shop.*");
    assertThat(out)
        .contains("List of relations")
        .containsPattern("shop\\s*\\|\\s*orders\\s*\\|\\s*table");
    assertThat(ok("-c", "SET search_path = shop", "-c", "\\dt")).contains("orders");
  }

  @Test
  void describeTable() throws Exception {
    String out = ok("-c", "\\d shop.orders");
    assertThat(out)
        .contains("Table \"shop.orders\"")
        .containsPattern("id\\s*\\|\\s*bigint")
        .containsPattern("customer\\s*\\|\\s*text")
        .containsPattern("total\\s*\\|\\s*numeric\\(10,2\\)")
        .containsPattern("ts\\s*\\|\\s*timestamp without time zone");
  }

  @Test
  void errorsAndWrongPasswords() throws Exception {
    Run missing = psql(credentials.secretAccessKey(), "-c", "SELECT * FROM shop.missing");
    assertThat(missing.code()).isNotZero();
    assertThat(missing.stderr()).contains("ERROR");
    Run wrong = psql("not-the-secret", "-c", "SELECT 1");
    assertThat(wrong.code()).isNotZero();
    assertThat(wrong.stderr()).contains("password authentication failed");
  }
}
