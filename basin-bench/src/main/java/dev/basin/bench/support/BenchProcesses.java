package dev.basin.bench.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;

/**
 * What the lake and delivery benchmarks share: JVM command lines, a Basin server on a fresh data
 * dir in its own process, and client drivers that report one {@code RESULT <json>} line.
 */
public final class BenchProcesses {
  private static final Pattern BASIN_READY = Pattern.compile("basin ready http=(\\d+) pg=(\\d+)");
  private static final ObjectMapper JSON = new ObjectMapper();

  private BenchProcesses() {}

  /**
   * A running Basin server: its process, {@code http://127.0.0.1:<port>}, data dir and
   * PostgreSQL-wire port.
   */
  public record Server(ChildProcess process, String endpoint, Path dataDir, int pgPort) {}

  /** {@code java -Xmx1g -cp classpath} with the benchmarks' quiet logging. */
  public static List<String> java(String classpath) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx1g");
    cmd.add("-Dlogback.configurationFile=basin-bench-logback.xml");
    cmd.add("-cp");
    cmd.add(classpath);
    return cmd;
  }

  /**
   * Starts {@code basin server} on {@code work/basin-data} and ephemeral ports, logging to work.
   */
  public static Server startBasin(Path work, String classpath) throws Exception {
    Path dataDir = work.resolve("basin-data");
    List<String> cmd = java(classpath);
    cmd.add("dev.basin.server.Main");
    cmd.addAll(
        List.of("server", "--data-dir", dataDir.toString(), "--http-port", "0", "--pg-port", "0"));
    ChildProcess.Started started =
        ChildProcess.startServer(
            "basin-server", cmd, work.resolve("logs/basin-server.log"), BASIN_READY, 180);
    return new Server(
        started.process(),
        "http://127.0.0.1:" + started.ready().group(1),
        dataDir,
        Integer.parseInt(started.ready().group(2)));
  }

  /**
   * Runs a driver process to its end and returns the JSON of its {@code RESULT} line.
   *
   * @throws IllegalStateException if it fails or prints no result
   */
  public static JsonNode runDriver(String name, List<String> cmd, Path log) throws Exception {
    AtomicReference<String> result = new AtomicReference<>();
    ChildProcess child =
        ChildProcess.start(
            name,
            cmd,
            log,
            line -> {
              if (line.startsWith("RESULT ")) {
                result.set(line.substring("RESULT ".length()));
              }
            });
    int status = child.awaitExit(1800);
    if (status != 0 || result.get() == null) {
      throw new IllegalStateException(name + " failed (exit " + status + "); see " + log);
    }
    return JSON.readTree(result.get());
  }
}
