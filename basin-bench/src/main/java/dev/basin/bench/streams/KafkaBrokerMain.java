package dev.basin.bench.streams;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.Set;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

/**
 * A single-node Apache Kafka (KRaft, combined broker and controller) in its own JVM, with Kafka's
 * default durability settings: no forced flush, so {@code acks=all} with one replica acknowledges
 * once a batch is in the leader's page cache.
 *
 * <p>Prints {@code kafka ready port=<port>} on stdout when it accepts clients. Stops when its stdin
 * closes (the orchestrator died or is done) or after {@code --max-lifetime-s}.
 */
public final class KafkaBrokerMain {
  static final String READY_PREFIX = "kafka ready port=";

  private KafkaBrokerMain() {}

  public static void main(String[] argv) throws Exception {
    Args args = Args.parse(argv, Set.of());
    Path logDir = Path.of(args.required("log-dir"));
    int port = args.integer("port", 9092);
    int controllerPort = args.integer("controller-port", 9093);
    long maxLifetimeSeconds = args.integer("max-lifetime-s", 3600);
    args.rejectUnknown();

    Files.createDirectories(logDir);
    Properties props = new Properties();
    props.put("process.roles", "broker,controller");
    props.put("node.id", "1");
    props.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
    props.put(
        "listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
    props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
    props.put("controller.listener.names", "CONTROLLER");
    props.put("inter.broker.listener.name", "PLAINTEXT");
    props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    props.put("log.dirs", logDir.toString());
    props.put("offsets.topic.replication.factor", "1");
    props.put("transaction.state.log.replication.factor", "1");
    props.put("transaction.state.log.min.isr", "1");
    props.put("share.coordinator.state.topic.replication.factor", "1");
    props.put("share.coordinator.state.topic.min.isr", "1");
    props.put("group.initial.rebalance.delay.ms", "0");
    props.put("auto.create.topics.enable", "false");

    Path propsFile = logDir.resolve("server.properties");
    try (OutputStream out = Files.newOutputStream(propsFile)) {
      props.store(out, "basin-bench single-node KRaft");
    }
    ByteArrayOutputStream formatOutput = new ByteArrayOutputStream();
    int rc =
        StorageTool.execute(
            new String[] {
              "format",
              "-t",
              Uuid.randomUuid().toString(),
              "-c",
              propsFile.toString(),
              "--ignore-formatted"
            },
            new PrintStream(formatOutput, true, StandardCharsets.UTF_8));
    if (rc != 0) {
      throw new IllegalStateException(
          "formatting Kafka storage in "
              + logDir
              + " failed ("
              + rc
              + "): "
              + formatOutput.toString(StandardCharsets.UTF_8));
    }

    KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
    server.startup();
    System.out.println(READY_PREFIX + port);
    System.out.flush();

    Thread stdinWatch =
        new Thread(
            () -> {
              try {
                while (System.in.read() >= 0) {
                  // The orchestrator never writes; EOF means it is gone or done.
                }
              } catch (IOException e) {
                // Treat a broken stdin like EOF.
              }
            },
            "stdin-watch");
    stdinWatch.setDaemon(true);
    stdinWatch.start();
    stdinWatch.join(maxLifetimeSeconds * 1000);

    server.shutdown();
    server.awaitShutdown();
    System.exit(0);
  }
}
