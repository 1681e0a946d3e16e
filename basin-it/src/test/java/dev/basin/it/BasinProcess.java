package dev.basin.it;

import dev.basin.server.auth.Credentials;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * A Basin server running as a separate JVM ({@code dev.basin.server.Main server}) on the test
 * classpath, for integration tests that need a real process: kill -9, restarts on the same data
 * directory, exit codes, files on disk.
 *
 * <p>The server's stderr goes to {@code <logDir>/server-<n>.stderr.log} (one file per launch) and
 * its stdout is collected in memory; {@link #stderrTail} and the {@link DumpLogsOnFailure}
 * extension show them when something goes wrong. Every launch has a startup timeout, every stop a
 * shutdown timeout.
 *
 * <p>Typical use:
 *
 * <pre>{@code
 * @TempDir Path dir;
 * try (BasinProcess basin = BasinProcess.start(dir)) {
 *   KinesisClient k = ...endpointOverride(basin.endpoint())...;
 *   basin.kill();      // SIGKILL
 *   basin.restart();   // same data dir, new port
 * }
 * }</pre>
 */
public final class BasinProcess implements AutoCloseable {
  /** How long a launch may take until the ready line. */
  public static final Duration START_TIMEOUT = Duration.ofSeconds(90);

  /** How long a graceful stop may take. */
  public static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);

  private static final Pattern READY = Pattern.compile("basin ready http=(\\d+) pg=(\\d+)");
  private static final List<BasinProcess> RECENT = new CopyOnWriteArrayList<>();
  private static final java.util.concurrent.atomic.AtomicInteger SEQ =
      new java.util.concurrent.atomic.AtomicInteger();

  private final Path dataDir;
  private final Path logDir;
  // The server JVM's java.io.tmpdir: DuckDB unpacks its ~70 MB native library there and a killed
  // JVM never deletes it, so each process gets its own directory, emptied between launches.
  private Path jvmTmp;
  private final List<String> extraArgs;
  private final Map<String, String> env;
  private final String maxHeap;
  private final List<String> stdout = new CopyOnWriteArrayList<>();
  private Process process;
  private Path stderrFile;
  private int launches;
  private int httpPort = -1;
  private int pgPort = -1;

  private BasinProcess(Builder b) {
    this.dataDir = b.dataDir.toAbsolutePath();
    this.logDir =
        b.logDir != null
            ? b.logDir
            : Path.of(System.getProperty("basin.it.logDir", "target/it-logs"))
                .toAbsolutePath()
                .resolve(dataDir.getFileName() + "-" + SEQ.incrementAndGet());
    this.extraArgs = List.copyOf(b.args);
    this.env = Map.copyOf(b.env);
    this.maxHeap = b.maxHeap;
    RECENT.add(this);
  }

  /** Starts a server on port 0 in {@code dataDir} and waits until it is ready. */
  public static BasinProcess start(Path dataDir) {
    return builder(dataDir).start();
  }

  public static Builder builder(Path dataDir) {
    return new Builder(dataDir);
  }

  /** Options of a server launch. */
  public static final class Builder {
    private final Path dataDir;
    private Path logDir;
    private final List<String> args = new ArrayList<>();
    private final Map<String, String> env = new LinkedHashMap<>();
    private String maxHeap = "512m";

    private Builder(Path dataDir) {
      this.dataDir = dataDir;
    }

    /**
     * Extra command-line arguments after {@code server --data-dir DIR --http-port 0} (and {@code
     * --pg-port 0} unless they name one).
     */
    public Builder args(String... more) {
      args.addAll(List.of(more));
      return this;
    }

    /** An environment variable of the server process ({@code BASIN_*} are otherwise removed). */
    public Builder env(String name, String value) {
      env.put(name, value);
      return this;
    }

    /**
     * Where the stderr logs go (default: a new folder under the system property {@code
     * basin.it.logDir}, else {@code target/it-logs}).
     */
    public Builder logDir(Path dir) {
      this.logDir = dir;
      return this;
    }

    public Builder maxHeap(String heap) {
      this.maxHeap = heap;
      return this;
    }

    /** The process, not yet launched. */
    public BasinProcess build() {
      return new BasinProcess(this);
    }

    /** Launches and waits for the ready line. */
    public BasinProcess start() {
      BasinProcess p = build();
      p.launch();
      return p;
    }

    /**
     * Runs the server expecting it to exit by itself (e.g. on a configuration error) and returns
     * how it ended. Fails if it becomes ready or does not exit within the start timeout.
     */
    public Exit runExpectingExit() {
      return build().launchExpectingExit();
    }
  }

  /** How a process ended: exit code, stdout, stderr. */
  public record Exit(int code, String stdout, String stderr) {}

  // ---------------------------------------------------------------- lifecycle

  /** Launches the server on the data directory and waits until it prints its ready line. */
  public synchronized BasinProcess launch() {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException("server is already running (pid " + process.pid() + ")");
    }
    CompletableFuture<Matcher> ready = spawn();
    try {
      Matcher m = ready.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      httpPort = Integer.parseInt(m.group(1));
      pgPort = Integer.parseInt(m.group(2));
      return this;
    } catch (TimeoutException e) {
      process.destroyForcibly();
      throw new AssertionError(
          "server did not print its ready line within " + START_TIMEOUT + "\n" + diagnostics(), e);
    } catch (ExecutionException e) {
      waitQuietly(process, Duration.ofSeconds(10));
      throw new AssertionError(
          "server did not start: " + e.getCause().getMessage() + "\n" + diagnostics(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      throw new AssertionError("interrupted while waiting for the server", e);
    }
  }

  private Exit launchExpectingExit() {
    CompletableFuture<Matcher> ready = spawn();
    try {
      if (!process.waitFor(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new AssertionError(
            "server was expected to exit but still runs after "
                + START_TIMEOUT
                + "\n"
                + diagnostics());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      throw new AssertionError("interrupted", e);
    }
    // let the stdout reader drain
    try {
      ready.get(10, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      // expected: no ready line
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return new Exit(process.exitValue(), String.join("\n", stdout), readStderr());
  }

  private CompletableFuture<Matcher> spawn() {
    launches++;
    stdout.clear();
    httpPort = -1;
    pgPort = -1;
    List<String> cmd = new ArrayList<>();
    cmd.add(javaExecutable());
    cmd.add("-Xmx" + maxHeap);
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("-Djava.io.tmpdir=" + freshJvmTmp());
    cmd.add("-cp");
    cmd.add(serverClasspath());
    cmd.add("dev.basin.server.Main");
    cmd.add("server");
    cmd.add("--data-dir");
    cmd.add(dataDir.toString());
    cmd.add("--http-port");
    cmd.add("0");
    if (!extraArgs.contains("--pg-port")) {
      cmd.add("--pg-port");
      cmd.add("0");
    }
    cmd.addAll(extraArgs);
    try {
      Files.createDirectories(logDir);
      stderrFile = logDir.resolve("server-" + launches + ".stderr.log");
      ProcessBuilder pb = new ProcessBuilder(cmd);
      pb.environment().keySet().removeIf(k -> k.startsWith("BASIN_"));
      pb.environment().putAll(env);
      pb.redirectError(stderrFile.toFile());
      pb.redirectInput(ProcessBuilder.Redirect.PIPE);
      process = pb.start();
      process.getOutputStream().close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot launch the Basin server", e);
    }
    return readStdout(process);
  }

  private CompletableFuture<Matcher> readStdout(Process p) {
    CompletableFuture<Matcher> ready = new CompletableFuture<>();
    Thread t =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  stdout.add(line);
                  Matcher m = READY.matcher(line);
                  if (m.matches() && !ready.isDone()) {
                    ready.complete(m);
                  }
                }
              } catch (IOException e) {
                // the process died; fall through
              }
              ready.completeExceptionally(
                  new IllegalStateException(
                      "stdout closed without a ready line (process "
                          + (p.isAlive() ? "still alive" : "exited with " + p.exitValue())
                          + ")"));
            },
            "basin-stdout-" + launches);
    t.setDaemon(true);
    t.start();
    return ready;
  }

  /**
   * Runs {@code dev.basin.server.Main} with {@code args} (e.g. a CLI command) as a separate JVM on
   * the test classpath and waits for it to exit.
   *
   * @param env extra environment ({@code BASIN_*} of the test JVM are removed)
   * @param stdin what the process reads on standard input ({@code null}: nothing)
   */
  public static Exit runMain(
      Map<String, String> env, String stdin, Duration timeout, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(javaExecutable());
    cmd.add("-Xmx256m");
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("-cp");
    cmd.add(serverClasspath());
    cmd.add("dev.basin.server.Main");
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().keySet().removeIf(k -> k.startsWith("BASIN_"));
    pb.environment().putAll(env);
    try {
      Path err = Files.createTempFile("basin-cli", ".stderr");
      Path out = Files.createTempFile("basin-cli", ".stdout");
      try {
        pb.redirectError(err.toFile());
        pb.redirectOutput(out.toFile());
        Process p = pb.start();
        try (var in = p.getOutputStream()) {
          if (stdin != null) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
          }
        }
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          p.destroyForcibly();
          p.waitFor(10, TimeUnit.SECONDS);
          throw new AssertionError(
              "`basin "
                  + String.join(" ", args)
                  + "` did not exit within "
                  + timeout
                  + "\nstdout:\n"
                  + Files.readString(out)
                  + "\nstderr:\n"
                  + Files.readString(err));
        }
        return new Exit(
            p.exitValue(),
            Files.readString(out, StandardCharsets.UTF_8),
            Files.readString(err, StandardCharsets.UTF_8));
      } finally {
        Files.deleteIfExists(err);
        Files.deleteIfExists(out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run basin " + String.join(" ", args), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** SIGTERM, then waits for the exit; returns the exit code. */
  public synchronized int stop() {
    if (process == null) {
      throw new IllegalStateException("not launched");
    }
    process.destroy();
    if (!waitQuietly(process, STOP_TIMEOUT)) {
      process.destroyForcibly();
      waitQuietly(process, Duration.ofSeconds(10));
      throw new AssertionError(
          "server did not stop within " + STOP_TIMEOUT + " of SIGTERM\n" + diagnostics());
    }
    return process.exitValue();
  }

  /** SIGKILL (kill -9), then waits until the process is gone. */
  public synchronized void kill() {
    if (process == null) {
      throw new IllegalStateException("not launched");
    }
    process.destroyForcibly();
    if (!waitQuietly(process, Duration.ofSeconds(30))) {
      throw new AssertionError("server did not die of SIGKILL within 30 s");
    }
  }

  /**
   * Launches the server and SIGKILLs it after {@code delay} or as soon as it is ready, whichever
   * comes first: a crash during startup (recovery, lock, credentials). Returns whether the server
   * had become ready.
   */
  public synchronized boolean killDuringStartup(Duration delay) {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException("server is already running (pid " + process.pid() + ")");
    }
    CompletableFuture<Matcher> ready = spawn();
    boolean wasReady;
    try {
      ready.get(delay.toMillis(), TimeUnit.MILLISECONDS);
      wasReady = true;
    } catch (TimeoutException | ExecutionException e) {
      wasReady = false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      wasReady = false;
    }
    kill();
    httpPort = -1;
    pgPort = -1;
    return wasReady;
  }

  /** Launches again on the same data directory (after {@link #stop} or {@link #kill}). */
  public BasinProcess restart() {
    return launch();
  }

  /** Kills the process if it still runs and deletes its temporary directory. */
  @Override
  public synchronized void close() {
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
      waitQuietly(process, Duration.ofSeconds(30));
    }
    if (jvmTmp != null && (process == null || !process.isAlive())) {
      deleteTree(jvmTmp, true);
      jvmTmp = null;
    }
  }

  /** The (empty) temporary directory for the next launch; the previous process is gone. */
  private Path freshJvmTmp() {
    try {
      if (jvmTmp == null) {
        jvmTmp = Files.createTempDirectory("basin-it-jvm-");
      } else {
        deleteTree(jvmTmp, false);
      }
      return jvmTmp;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary directory for the server", e);
    }
  }

  private static void deleteTree(Path root, boolean includingRoot) {
    try (var paths = Files.walk(root)) {
      paths
          .sorted(java.util.Comparator.reverseOrder())
          .filter(p -> includingRoot || !p.equals(root))
          .forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort: a leftover temporary file is not a test failure
    }
  }

  private static boolean waitQuietly(Process p, Duration d) {
    try {
      return p.waitFor(d.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static String serverClasspath;

  /**
   * The test classpath, with Basin's own jars copied to a private folder first (once per JVM):
   * other builds may {@code mvn install} over the jars in the local repository while a server runs,
   * and a JVM whose jar is rewritten under it fails with NoClassDefFoundError.
   */
  private static synchronized String serverClasspath() {
    if (serverClasspath != null) {
      return serverClasspath;
    }
    try {
      Path copies = Files.createTempDirectory("basin-it-classpath");
      List<String> entries = new ArrayList<>();
      int n = 0;
      for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
        Path p = Path.of(entry);
        String normalized = p.toString().replace('\\', '/');
        if (normalized.contains("/dev/basin/")
            && entry.endsWith(".jar")
            && Files.isRegularFile(p)) {
          Path copy = copies.resolve((n++) + "-" + p.getFileName());
          Files.copy(p, copy);
          entries.add(copy.toString());
        } else {
          entries.add(entry);
        }
      }
      Runtime.getRuntime()
          .addShutdownHook(new Thread(() -> deleteQuietly(copies), "basin-it-classpath-cleanup"));
      serverClasspath = String.join(java.io.File.pathSeparator, entries);
      return serverClasspath;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare the server classpath", e);
    }
  }

  private static void deleteQuietly(Path dir) {
    try (var files = Files.list(dir)) {
      for (Path f : files.toList()) {
        Files.deleteIfExists(f);
      }
      Files.deleteIfExists(dir);
    } catch (IOException e) {
      // best effort
    }
  }

  private static String javaExecutable() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  // ---------------------------------------------------------------- accessors

  public int httpPort() {
    requireReady();
    return httpPort;
  }

  public int pgPort() {
    requireReady();
    return pgPort;
  }

  /** {@code http://127.0.0.1:<port>}. */
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + httpPort());
  }

  public Path dataDir() {
    return dataDir;
  }

  public Process process() {
    return process;
  }

  public boolean isAlive() {
    return process != null && process.isAlive();
  }

  public long pid() {
    return process.pid();
  }

  /** The key pair the server uses: the env override if given, else DATA_DIR/credentials. */
  public Credentials credentials() {
    String id = env.get("BASIN_ACCESS_KEY_ID");
    String secret = env.get("BASIN_SECRET_ACCESS_KEY");
    if (id != null && secret != null) {
      return new Credentials(id, secret);
    }
    return Credentials.readFile(dataDir.resolve("credentials"), "default");
  }

  /** {@code Bearer <id>:<secret>} for the native API and /metrics. */
  public String bearer() {
    Credentials c = credentials();
    return "Bearer " + c.accessKeyId() + ":" + c.secretAccessKey();
  }

  /** Stdout lines of the current launch. */
  public List<String> stdoutLines() {
    return List.copyOf(stdout);
  }

  /** The stderr log of the current launch. */
  public Path stderrFile() {
    return stderrFile;
  }

  /** The whole stderr of the current launch. */
  public String readStderr() {
    if (stderrFile == null || !Files.exists(stderrFile)) {
      return "";
    }
    try {
      return Files.readString(stderrFile, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(cannot read " + stderrFile + ": " + e + ")";
    }
  }

  /** The last {@code lines} lines of the current launch's stderr. */
  public String stderrTail(int lines) {
    String[] all = readStderr().split("\n", -1);
    int from = Math.max(0, all.length - lines);
    return String.join("\n", java.util.Arrays.copyOfRange(all, from, all.length));
  }

  /** A description for failure messages: pid, state, stdout, stderr tail. */
  public String diagnostics() {
    StringBuilder sb = new StringBuilder();
    sb.append("--- basin server (data dir ").append(dataDir).append(", launch ").append(launches);
    if (process != null) {
      sb.append(", pid ").append(process.pid());
      sb.append(process.isAlive() ? ", alive" : ", exit code " + process.exitValue());
    }
    sb.append(")\n--- stdout:\n").append(String.join("\n", stdout));
    sb.append("\n--- stderr tail (").append(stderrFile).append("):\n").append(stderrTail(60));
    return sb.toString();
  }

  @Override
  public String toString() {
    return "BasinProcess[" + dataDir + (httpPort > 0 ? ", http=" + httpPort : "") + "]";
  }

  private void requireReady() {
    if (httpPort < 0) {
      throw new IllegalStateException("server is not running (no ready line seen)");
    }
  }

  /**
   * Prints the diagnostics of the servers involved in a failed test: those launched by the test and
   * those still running (class-wide servers). Register with {@code @ExtendWith}.
   */
  public static final class DumpLogsOnFailure
      implements TestWatcher, BeforeAllCallback, BeforeEachCallback {
    private static final ExtensionContext.Namespace NS =
        ExtensionContext.Namespace.create(DumpLogsOnFailure.class);

    @Override
    public void beforeAll(ExtensionContext context) {
      RECENT.clear();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
      context.getStore(NS).put("mark", RECENT.size());
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
      Integer mark = context.getStore(NS).get("mark", Integer.class);
      int from = mark == null ? 0 : mark;
      for (int i = 0; i < RECENT.size(); i++) {
        BasinProcess p = RECENT.get(i);
        if (i >= from || p.isAlive()) {
          System.err.println(
              "=== "
                  + context.getDisplayName()
                  + " failed; server diagnostics:\n"
                  + p.diagnostics());
        }
      }
    }

    @Override
    public void testSuccessful(ExtensionContext context) {}
  }
}
