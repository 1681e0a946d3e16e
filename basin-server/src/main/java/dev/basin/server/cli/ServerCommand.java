package dev.basin.server.cli;

import dev.basin.common.config.Config;
import dev.basin.common.config.ConfigFiles;
import dev.basin.server.BasinServer;
import dev.basin.server.Logging;
import dev.basin.server.ServerConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code basin server}: runs every service until interrupted. */
@Command(
    name = "server",
    mixinStandardHelpOptions = true,
    description = {
      "Start the Basin server (HTTP: Kinesis API, native API, /health, /metrics).",
      "Prints 'basin ready http=<port> pg=<port>' when ready and writes DATA_DIR/server.json.",
      "Settings: `basin config` lists them; --set KEY=VALUE overrides any."
    })
public final class ServerCommand implements Callable<Integer> {
  private final Map<String, String> env;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description = "Data directory (default ./basin-data)")
  String dataDir;

  @Option(
      names = "--http-port",
      paramLabel = "N",
      description = "HTTP port (default 4580; 0 = any free)")
  Integer httpPort;

  @Option(
      names = "--pg-port",
      paramLabel = "N",
      description = "PostgreSQL-wire port (default 4581)")
  Integer pgPort;

  @Option(names = "--bind", paramLabel = "ADDR", description = "Listen address (default 127.0.0.1)")
  String bind;

  @Option(names = "--config", paramLabel = "FILE", description = "YAML settings file")
  Path configFile;

  @Option(
      names = "--no-auth",
      description = "Disable authentication (local experiments only; never the default)")
  boolean noAuth;

  @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override any setting")
  Map<String, String> overrides = new LinkedHashMap<>();

  ServerCommand(Map<String, String> env) {
    this.env = env;
  }

  @Override
  public Integer call() throws InterruptedException {
    Map<String, String> flags = new LinkedHashMap<>(overrides);
    putIf(flags, ServerConfig.DATA_DIR.name(), dataDir);
    putIf(flags, ServerConfig.HTTP_PORT.name(), httpPort);
    putIf(flags, ServerConfig.PG_PORT.name(), pgPort);
    putIf(flags, ServerConfig.BIND.name(), bind);
    if (noAuth) {
      flags.put(ServerConfig.AUTH_ENABLED.name(), "false");
    }
    Map<String, String> file = configFile == null ? Map.of() : ConfigFiles.load(configFile);
    Config config = ServerConfig.definition().resolve(file, env, flags);
    Logging.configure(config.get(ServerConfig.LOG_FORMAT), config.get(ServerConfig.LOG_LEVEL));
    org.slf4j.LoggerFactory.getLogger(ServerCommand.class)
        .atInfo()
        .addKeyValue("settings", config.describe())
        .log("configuration");
    BasinServer server = new BasinServer(config).start();
    // SIGTERM and SIGINT end the wait below, so the server stops on this thread and the process
    // exits 0; the shutdown hook only covers other ways the JVM may go down.
    CountDownLatch stop = new CountDownLatch(1);
    for (String name : new String[] {"TERM", "INT"}) {
      sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> stop.countDown());
    }
    Runtime.getRuntime().addShutdownHook(new Thread(server::close, "basin-shutdown"));
    spec.commandLine()
        .getOut()
        .println("basin ready http=" + server.httpPort() + " pg=" + server.pgPort());
    spec.commandLine().getOut().flush();
    stop.await();
    server.close();
    return 0;
  }

  private static void putIf(Map<String, String> m, String key, Object value) {
    if (value != null) {
      m.put(key, value.toString());
    }
  }
}
