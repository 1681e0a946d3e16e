package dev.basin.bench.streams;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.basin.bench.support.ChildProcess;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Compares Basin's Kinesis-compatible streams with a local Apache Kafka broker in one run.
 *
 * <p>Starts the Basin server and a single-node Kafka broker, each in its own JVM, then for every
 * record size, shard count and trial runs one producer process per system ({@link BasinProducer},
 * {@link KafkaProducerMain} with Kafka defaults, and again with {@code flush.messages=1}), one
 * after another so they never compete for the CPU. Trials of the systems are interleaved so slow
 * drift of the machine affects all of them alike. Writes a Markdown section with medians over the
 * trials.
 *
 * <p>Every option is described in {@code bench/streams.sh}, which builds the project and runs this.
 */
public final class StreamsBenchmark {
  private static final Pattern BASIN_READY = Pattern.compile("basin ready http=(\\d+) pg=(\\d+)");
  private static final Pattern KAFKA_READY =
      Pattern.compile(Pattern.quote(KafkaBrokerMain.READY_PREFIX) + "(\\d+)");
  private static final ObjectMapper JSON = new ObjectMapper();

  private StreamsBenchmark() {}

  public static void main(String[] argv) throws Exception {
    Settings s = Settings.parse(argv);
    Path work =
        s.workDir() != null ? s.workDir() : Files.createTempDirectory("basin-bench-streams");
    Files.createDirectories(work);
    log("work dir " + work + "; logs in " + work.resolve("logs"));
    List<Run> runs = new ArrayList<>();
    ChildProcess basin = null;
    ChildProcess kafka = null;
    String basinEndpoint = null;
    String kafkaBootstrap = null;
    try {
      if (s.systems().contains("basin")) {
        Path dataDir = work.resolve("basin-data");
        List<String> cmd = java(s, s.basinClasspath(), false);
        cmd.add("dev.basin.server.Main");
        cmd.addAll(
            List.of(
                "server", "--data-dir", dataDir.toString(), "--http-port", "0", "--pg-port", "0"));
        cmd.addAll(s.basinArgs());
        ChildProcess.Started started =
            ChildProcess.startServer(
                "basin-server", cmd, work.resolve("logs/basin-server.log"), BASIN_READY, 180);
        basin = started.process();
        basinEndpoint = "http://127.0.0.1:" + started.ready().group(1);
        log("basin server ready at " + basinEndpoint + " (pid " + basin.pid() + ")");
      }
      if (s.systems().contains("kafka") || s.systems().contains("kafka-fsync")) {
        List<String> cmd = java(s, System.getProperty("java.class.path"), true);
        cmd.add(KafkaBrokerMain.class.getName());
        cmd.addAll(
            List.of(
                "--log-dir",
                work.resolve("kafka-data").toString(),
                "--port",
                Integer.toString(freePort()),
                "--controller-port",
                Integer.toString(freePort()),
                "--max-lifetime-s",
                "86400"));
        ChildProcess.Started started =
            ChildProcess.startServer(
                "kafka-broker", cmd, work.resolve("logs/kafka-broker.log"), KAFKA_READY, 180);
        kafka = started.process();
        kafka.stopsWhenStdinCloses(30);
        kafkaBootstrap = "127.0.0.1:" + started.ready().group(1);
        log("kafka broker ready at " + kafkaBootstrap + " (pid " + kafka.pid() + ")");
      }

      List<Point> points = new ArrayList<>();
      for (int rate : new int[] {0, 1}) {
        for (int size : s.sizes()) {
          for (int shards : s.shards()) {
            if (rate == 0) {
              points.add(new Point(size, shards, s.rate()));
            } else if (s.latencyRates().containsKey(size)) {
              points.add(new Point(size, shards, s.latencyRates().get(size)));
            }
          }
        }
      }
      Servers servers = new Servers(basinEndpoint, kafkaBootstrap);
      warmUpServers(s, basin, kafka, servers, work);
      int total = points.size() * s.trials() * s.systems().size();
      int done = 0;
      for (Point point : points) {
        for (int trial = 1; trial <= s.trials(); trial++) {
          for (String system : s.systems()) {
            done++;
            String name =
                String.format(
                    "bench-%db-%ds-%s-t%d-%s",
                    point.size(),
                    point.shards(),
                    point.rate() == 0 ? "max" : "r" + point.rate(),
                    trial,
                    system);
            List<String> cmd =
                producerCommand(
                    s, system, name, point, s.warmupSeconds(), s.durationSeconds(), servers, work);
            ChildProcess server = system.equals("basin") ? basin : kafka;
            waitForQuiet(s.quietWaitSeconds());
            log(String.format("[%d/%d] %s ...", done, total, name));
            Run run = runProducer(name, point, system, cmd, server, work, s);
            runs.add(run);
            log(String.format("[%d/%d] %s: %s", done, total, name, run.summary()));
          }
        }
      }
    } finally {
      if (basin != null) {
        basin.stop();
      }
      if (kafka != null) {
        kafka.stop();
      }
    }
    String markdown = new StreamsReport(s, runs).markdown();
    Files.createDirectories(s.out().toAbsolutePath().getParent());
    Files.writeString(s.out(), markdown, StandardCharsets.UTF_8);
    System.out.println(markdown);
    log("wrote " + s.out().toAbsolutePath());
    if (!s.keep() && s.workDir() == null) {
      deleteRecursively(work);
    }
    System.exit(0);
  }

  /** One measured configuration: record size, shard count and offered rate (0 = closed loop). */
  record Point(int size, int shards, int rate) {}

  private static Run runProducer(
      String name,
      Point point,
      String system,
      List<String> cmd,
      ChildProcess server,
      Path work,
      Settings s)
      throws IOException, InterruptedException {
    AtomicReference<Sample> start = new AtomicReference<>();
    AtomicReference<Sample> end = new AtomicReference<>();
    AtomicReference<String> result = new AtomicReference<>();
    AtomicReference<ChildProcess> self = new AtomicReference<>();
    Path serverJfr = work.resolve("logs/" + name + "-server.jfr");
    Path producerJfr = work.resolve("logs/" + name + "-producer.jfr");
    ChildProcess producer =
        ChildProcess.start(
            name,
            cmd,
            work.resolve("logs/" + name + ".log"),
            line -> {
              if (line.equals(LoadWindow.MEASURE_START)) {
                start.set(Sample.take(server, self.get()));
                if (s.profile() && server != null) {
                  startServerRecording(server, name, serverJfr, s.durationSeconds());
                }
              } else if (line.equals(LoadWindow.MEASURE_END)) {
                end.set(Sample.take(server, self.get()));
              } else if (line.startsWith(LoadWindow.RESULT_PREFIX)) {
                result.set(line.substring(LoadWindow.RESULT_PREFIX.length()));
              }
            });
    self.set(producer);
    producer.closeStdin();
    long timeout = (long) (s.warmupSeconds() + s.durationSeconds()) + 180;
    int status = producer.awaitExit(timeout);
    if (result.get() == null) {
      return Run.failed(
          name,
          point,
          system,
          "producer exited with status " + status + " without a result; see " + producer.log());
    }
    DriverResult r = JSON.readValue(result.get(), DriverResult.class);
    String profile = null;
    if (s.profile()) {
      profile = "server:\n" + profileOf(serverJfr) + "producer:\n" + profileOf(producerJfr);
      Files.writeString(work.resolve("logs/" + name + "-profile.txt"), profile);
    }
    Sample a = start.get();
    Sample b = end.get();
    double serverCores = -1;
    double producerCores = -1;
    double busyCores = -1;
    double iowaitCores = -1;
    if (a != null && b != null && b.nanos > a.nanos) {
      double wall = (b.nanos - a.nanos) / 1e9;
      serverCores = cores(a.serverCpu, b.serverCpu, wall);
      producerCores = cores(a.producerCpu, b.producerCpu, wall);
      int cpus = Runtime.getRuntime().availableProcessors();
      long ticks = b.machine.total() - a.machine.total();
      if (ticks > 0 && a.machine.total() >= 0) {
        busyCores = cpus * (double) (b.machine.busy() - a.machine.busy()) / ticks;
        iowaitCores = cpus * (double) (b.machine.iowait() - a.machine.iowait()) / ticks;
      }
    }
    return new Run(
        name, point, system, r, serverCores, producerCores, busyCores, iowaitCores, null, profile);
  }

  /**
   * Runs one unrecorded producer against each server so that its JIT has compiled the hot paths
   * before the first measured trial (a fresh server JVM is several times slower for a while).
   */
  private static void warmUpServers(
      Settings s, ChildProcess basin, ChildProcess kafka, Servers servers, Path work)
      throws IOException, InterruptedException {
    if (s.serverWarmupSeconds() <= 0) {
      return;
    }
    Point point =
        new Point(
            s.sizes().stream().max(Integer::compare).orElseThrow(),
            s.shards().stream().max(Integer::compare).orElseThrow(),
            0);
    for (String system : s.systems()) {
      ChildProcess server = system.equals("basin") ? basin : kafka;
      if (system.equals("kafka-fsync") && s.systems().contains("kafka")) {
        continue; // same broker
      }
      String name = "warmup-" + system;
      log(String.format(Locale.ROOT, "warming up %s for %d s", server, s.serverWarmupSeconds()));
      List<String> cmd =
          producerCommand(s, system, name, point, 0, s.serverWarmupSeconds(), servers, work);
      Run run = runProducer(name, point, system, cmd, server, work, s);
      log(name + ": " + run.summary());
    }
  }

  /** Where the servers under test listen. */
  private record Servers(String basinEndpoint, String kafkaBootstrap) {}

  private static List<String> producerCommand(
      Settings s,
      String system,
      String name,
      Point point,
      double warmupSeconds,
      double durationSeconds,
      Servers servers,
      Path work) {
    List<String> cmd = java(s, System.getProperty("java.class.path"), true);
    if (system.equals("basin")) {
      cmd.add(BasinProducer.class.getName());
      cmd.addAll(
          List.of(
              "--endpoint",
              servers.basinEndpoint(),
              "--credentials",
              work.resolve("basin-data/credentials").toString(),
              "--stream",
              name,
              "--cbor",
              Boolean.toString(s.cbor()),
              "--senders",
              Integer.toString(s.senders()),
              "--idle-poll-ms",
              Integer.toString(s.idlePollMillis())));
    } else {
      cmd.add(KafkaProducerMain.class.getName());
      cmd.addAll(List.of("--bootstrap", servers.kafkaBootstrap(), "--topic", name));
      cmd.addAll(List.of("--flush-messages", system.equals("kafka-fsync") ? "1" : "0"));
      cmd.addAll(List.of("--system", system));
    }
    cmd.addAll(
        List.of(
            "--record-size",
            Integer.toString(point.size()),
            "--shards",
            Integer.toString(point.shards()),
            "--warmup-s",
            Double.toString(warmupSeconds),
            "--duration-s",
            Double.toString(durationSeconds),
            "--batch-records",
            Integer.toString(s.batchRecords()),
            "--in-flight-records",
            Integer.toString(s.inFlightRecords()),
            "--rate",
            Integer.toString(point.rate())));
    if (s.profile()) {
      cmd.add(
          1,
          String.format(
              Locale.ROOT,
              "-XX:StartFlightRecording=delay=%ds,duration=%ds,settings=profile,filename=%s",
              Math.round(s.warmupSeconds()),
              Math.round(s.durationSeconds()),
              work.resolve("logs/" + name + "-producer.jfr")));
    }
    return cmd;
  }

  /**
   * On a shared machine, waits up to {@code maxSeconds} until the CPU is nearly idle (under 0.3
   * cores busy over one second), so that a trial does not start in the middle of someone's build.
   */
  private static void waitForQuiet(int maxSeconds) throws InterruptedException {
    if (maxSeconds <= 0) {
      return;
    }
    long deadline = System.nanoTime() + maxSeconds * 1_000_000_000L;
    int cpus = Runtime.getRuntime().availableProcessors();
    double busy = 0;
    while (true) {
      ProcessCpu.Machine a = ProcessCpu.Machine.now();
      Thread.sleep(1000);
      ProcessCpu.Machine b = ProcessCpu.Machine.now();
      long ticks = b.total() - a.total();
      if (ticks <= 0 || a.total() < 0) {
        return;
      }
      busy = cpus * (double) (b.busy() - a.busy()) / ticks;
      if (busy < 0.3) {
        return;
      }
      if (System.nanoTime() > deadline) {
        log(String.format(Locale.ROOT, "machine still busy (%.2f cores); starting anyway", busy));
        return;
      }
    }
  }

  /** Records the server's CPU samples for the window with {@code jcmd}, in the background. */
  private static void startServerRecording(
      ChildProcess server, String name, Path file, double seconds) {
    Thread t =
        new Thread(
            () -> {
              try {
                Process p =
                    new ProcessBuilder(
                            Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                            Long.toString(server.pid()),
                            "JFR.start",
                            "name=" + name,
                            "settings=profile",
                            "duration=" + Math.max(1, Math.round(seconds) - 1) + "s",
                            "filename=" + file)
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .start();
                p.waitFor();
              } catch (IOException e) {
                log("cannot start a recording of " + server + ": " + e.getMessage());
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "jcmd");
    t.setDaemon(true);
    t.start();
  }

  /** Waits up to 20 s for a recording to be written, then summarizes it. */
  private static String profileOf(Path jfr) throws InterruptedException {
    long deadline = System.nanoTime() + 20_000_000_000L;
    long lastSize = -1;
    while (System.nanoTime() < deadline) {
      try {
        long size = Files.exists(jfr) ? Files.size(jfr) : -1;
        if (size > 0 && size == lastSize) {
          return JfrSummary.summarize(jfr, 25);
        }
        lastSize = size;
      } catch (IOException e) {
        // Still being written; try again.
      }
      Thread.sleep(500);
    }
    return "  no recording at " + jfr + "\n";
  }

  private static double cores(double before, double after, double wallSeconds) {
    return before < 0 || after < 0 ? -1 : (after - before) / wallSeconds;
  }

  private record Sample(
      long nanos, double serverCpu, double producerCpu, ProcessCpu.Machine machine) {
    static Sample take(ChildProcess server, ChildProcess producer) {
      return new Sample(
          System.nanoTime(),
          server == null ? -1 : ProcessCpu.cpuSeconds(server.pid()),
          producer == null ? -1 : ProcessCpu.cpuSeconds(producer.pid()),
          ProcessCpu.Machine.now());
    }
  }

  /** One producer process's result plus what the orchestrator saw of the CPU meanwhile. */
  record Run(
      String name,
      Point point,
      String system,
      DriverResult result,
      double serverCores,
      double producerCores,
      double machineBusyCores,
      double iowaitCores,
      String failure,
      String profile) {
    static Run failed(String name, Point point, String system, String why) {
      return new Run(name, point, system, null, -1, -1, -1, -1, why, null);
    }

    String summary() {
      if (result == null) {
        return "FAILED: " + failure;
      }
      return String.format(
          "%,.0f rec/s (%.1f MiB/s), ack p50/p99 %.1f/%.1f ms, put->get p50/p99 %.1f/%.1f ms,"
              + " failed %d, CPU server %.2f producer %.2f busy %.2f iowait %.2f cores%s",
          result.recordsPerSecond(),
          result.mibPerSecond(),
          result.ackP50Ms(),
          result.ackP99Ms(),
          result.e2eP50Ms(),
          result.e2eP99Ms(),
          result.failedRecords(),
          serverCores,
          producerCores,
          machineBusyCores,
          iowaitCores,
          result.note().isEmpty() ? "" : " (" + result.note() + ")");
    }
  }

  private static List<String> java(Settings s, String classpath, boolean benchLogging) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(s.jvmOptions());
    if (benchLogging) {
      cmd.add("-Dlogback.configurationFile=basin-bench-logback.xml");
    }
    cmd.add("-cp");
    cmd.add(classpath);
    return cmd;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private static Map<Integer, Integer> parseLatencyRates(String spec) {
    Map<Integer, Integer> rates = new LinkedHashMap<>();
    if (spec.equals("none") || spec.isBlank()) {
      return rates;
    }
    for (String part : spec.split(",")) {
      String[] kv = part.trim().split(":");
      try {
        rates.put(Integer.parseInt(kv[0]), Integer.parseInt(kv[1]));
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(
            "--latency-rates takes SIZE:RECORDS_PER_SECOND,... or none, got '" + part + "'", e);
      }
    }
    return rates;
  }

  static void log(String message) {
    System.err.println(
        "[streams-bench "
            + LocalTime.now().format(DateTimeFormatter.ofPattern("HH:mm:ss"))
            + "] "
            + message);
  }

  /** The orchestrator's options; {@code --quick} changes only the defaults. */
  record Settings(
      boolean quick,
      int trials,
      double warmupSeconds,
      double durationSeconds,
      List<Integer> sizes,
      List<Integer> shards,
      List<String> systems,
      int batchRecords,
      int inFlightRecords,
      int rate,
      Map<Integer, Integer> latencyRates,
      boolean cbor,
      int senders,
      int idlePollMillis,
      List<String> jvmOptions,
      String basinClasspath,
      List<String> basinArgs,
      Path out,
      Path workDir,
      boolean keep,
      boolean profile,
      int quietWaitSeconds,
      int serverWarmupSeconds,
      String command) {

    static Settings parse(String[] argv) {
      Args a = Args.parse(argv, Set.of("quick", "keep", "profile"));
      boolean quick = a.flag("quick");
      List<String> systems = a.strings("systems", "basin,kafka,kafka-fsync");
      for (String system : systems) {
        if (!List.of("basin", "kafka", "kafka-fsync").contains(system)) {
          throw new IllegalArgumentException(
              "--systems takes basin, kafka and kafka-fsync, got '" + system + "'");
        }
      }
      String workDir = a.string("work-dir", null);
      Settings s =
          new Settings(
              quick,
              a.integer("trials", quick ? 1 : 3),
              a.decimal("warmup-s", quick ? 2 : 5),
              a.decimal("duration-s", quick ? 5 : 10),
              a.integers("sizes", "100,1024"),
              a.integers("shards", "1,4"),
              systems,
              a.integer("batch-records", 500),
              a.integer("in-flight-records", 4000),
              a.integer("rate", 0),
              parseLatencyRates(a.string("latency-rates", quick ? "none" : "100:75000,1024:25000")),
              Boolean.parseBoolean(a.string("cbor", "true")),
              a.integer("senders", 1),
              a.integer("idle-poll-ms", 1),
              List.of(a.string("jvm-opts", "-Xmx2g").trim().split("\\s+")),
              a.string("basin-classpath", System.getProperty("java.class.path")),
              a.strings("basin-args", "").stream()
                  .flatMap(x -> Stream.of(x.split("\\s+")))
                  .toList(),
              Path.of(a.string("out", "streams-benchmark.md")),
              workDir == null ? null : Path.of(workDir),
              a.flag("keep"),
              a.flag("profile"),
              a.integer("quiet-wait-s", 0),
              a.integer("server-warmup-s", quick ? 8 : 30),
              a.string("command", "./bench/streams.sh" + (quick ? " --quick" : "")));
      a.rejectUnknown();
      if (s.trials() < 1) {
        throw new IllegalArgumentException("--trials must be at least 1, got " + s.trials());
      }
      return s;
    }
  }
}
