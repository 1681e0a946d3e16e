package dev.basin.catalog;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A private PostgreSQL server for tests, started from the Debian package's binaries in {@code
 * /usr/lib/postgresql/<version>/bin} on a free port, with its data and socket folder in a fresh
 * temporary folder. PostgreSQL refuses to run as root, so as root the folder is handed to the
 * {@code postgres} user and the binaries run through {@code runuser} (or {@code su}).
 */
final class PostgresServer implements AutoCloseable {
  private static final String USER = "basin";
  private final Path bin;
  private final Path dir;
  private final Path data;
  private final int port;
  private final boolean asPostgresUser;
  private final Process server;
  private final AtomicInteger databases = new AtomicInteger();

  private PostgresServer(Path bin, Path dir, int port, boolean asPostgresUser, Process server) {
    this.bin = bin;
    this.dir = dir;
    this.data = dir.resolve("data");
    this.port = port;
    this.asPostgresUser = asPostgresUser;
    this.server = server;
  }

  static PostgresServer start() throws Exception {
    Path bin = findBinaries();
    boolean root = "root".equals(System.getProperty("user.name"));
    Path dir = Files.createTempDirectory("basin-pg-");
    if (root) {
      chownRecursively(dir, "postgres");
    }
    Path data = dir.resolve("data");
    Path log = dir.resolve("initdb.log");
    run(
        root,
        dir,
        List.of(
            bin.resolve("initdb").toString(),
            "-D",
            data.toString(),
            "-U",
            USER,
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
            "--no-instructions"),
        log);
    int port = freePort();
    List<String> postgres =
        List.of(
            bin.resolve("postgres").toString(),
            "-D",
            data.toString(),
            "-p",
            Integer.toString(port),
            "-k",
            dir.toString(),
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            "fsync=off",
            "-c",
            "synchronous_commit=off",
            "-c",
            "full_page_writes=off",
            "-c",
            "max_connections=200");
    ProcessBuilder pb = new ProcessBuilder(asUser(root, postgres));
    pb.redirectErrorStream(true);
    pb.redirectOutput(dir.resolve("server.log").toFile());
    Process process = pb.start();
    PostgresServer server = new PostgresServer(bin, dir, port, root, process);
    server.awaitReady();
    return server;
  }

  private static Path findBinaries() throws IOException {
    Path base = Path.of("/usr/lib/postgresql");
    if (Files.isDirectory(base)) {
      try (Stream<Path> versions = Files.list(base)) {
        List<Path> found =
            versions
                .map(v -> v.resolve("bin"))
                .filter(b -> Files.isExecutable(b.resolve("initdb")))
                .filter(b -> Files.isExecutable(b.resolve("postgres")))
                .sorted(Comparator.reverseOrder())
                .toList();
        if (!found.isEmpty()) {
          return found.get(0);
        }
      }
    }
    return fail(
        "PostgreSQL server binaries not found in /usr/lib/postgresql/*/bin;"
            + " install Debian package postgresql (apt-get install postgresql)");
  }

  private static void chownRecursively(Path path, String user) throws IOException {
    UserPrincipalLookupService lookup = path.getFileSystem().getUserPrincipalLookupService();
    UserPrincipal owner = lookup.lookupPrincipalByName(user);
    GroupPrincipal group = lookup.lookupPrincipalByGroupName(user);
    try (Stream<Path> paths = Files.walk(path)) {
      for (Path p : paths.toList()) {
        PosixFileAttributeView view = Files.getFileAttributeView(p, PosixFileAttributeView.class);
        view.setOwner(owner);
        view.setGroup(group);
      }
    }
  }

  private static List<String> asUser(boolean root, List<String> command) {
    if (!root) {
      return command;
    }
    if (Files.isExecutable(Path.of("/usr/sbin/runuser"))
        || Files.isExecutable(Path.of("/sbin/runuser"))) {
      List<String> result = new ArrayList<>(List.of("runuser", "-u", "postgres", "--"));
      result.addAll(command);
      return result;
    }
    StringBuilder sb = new StringBuilder();
    for (String part : command) {
      sb.append('\'').append(part.replace("'", "'\\''")).append("' ");
    }
    return List.of("su", "postgres", "-s", "/bin/sh", "-c", sb.toString().trim());
  }

  private static void run(boolean root, Path dir, List<String> command, Path log)
      throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(asUser(root, command));
    pb.redirectErrorStream(true);
    pb.redirectOutput(log.toFile());
    pb.directory(dir.toFile());
    Process p = pb.start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail("timed out: " + command);
    }
    if (p.exitValue() != 0) {
      fail(
          "failed (exit "
              + p.exitValue()
              + "): "
              + command
              + "\n"
              + Files.readString(log, StandardCharsets.UTF_8));
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private void awaitReady() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    SQLException last = null;
    while (System.nanoTime() < deadline) {
      if (!server.isAlive()) {
        fail(
            "PostgreSQL exited with "
                + server.exitValue()
                + ":\n"
                + Files.readString(dir.resolve("server.log")));
      }
      try (Connection c = DriverManager.getConnection(url("postgres"), USER, "")) {
        return;
      } catch (SQLException e) {
        last = e;
        Thread.sleep(100);
      }
    }
    close();
    throw new IllegalStateException("PostgreSQL did not start on port " + port, last);
  }

  String url(String database) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
  }

  String user() {
    return USER;
  }

  /** Creates a fresh, empty database and returns its JDBC URL. */
  String newDatabase() throws SQLException {
    String name = "test_" + databases.incrementAndGet();
    try (Connection c = DriverManager.getConnection(url("postgres"), USER, "");
        Statement s = c.createStatement()) {
      s.executeUpdate("CREATE DATABASE " + name);
    }
    return url(name);
  }

  @Override
  public void close() throws Exception {
    try {
      ProcessBuilder pb =
          new ProcessBuilder(
              asUser(
                  asPostgresUser,
                  List.of(
                      bin.resolve("pg_ctl").toString(),
                      "-D",
                      data.toString(),
                      "-m",
                      "fast",
                      "-w",
                      "stop")));
      pb.redirectErrorStream(true);
      pb.redirectOutput(dir.resolve("stop.log").toFile());
      Process stop = pb.start();
      if (!stop.waitFor(30, TimeUnit.SECONDS)) {
        stop.destroyForcibly();
      }
      if (!server.waitFor(30, TimeUnit.SECONDS)) {
        server.destroyForcibly();
        server.waitFor(10, TimeUnit.SECONDS);
      }
    } finally {
      try (Stream<Path> paths = Files.walk(dir)) {
        for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }
}
