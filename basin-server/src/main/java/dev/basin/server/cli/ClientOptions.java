package dev.basin.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.basin.common.error.BasinException;
import dev.basin.common.error.CommonErrorCode;
import dev.basin.common.json.Json;
import dev.basin.server.auth.Credentials;
import dev.basin.server.client.BasinApiClient;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * How client commands find a running server and its credentials: {@code --endpoint}, else the
 * {@code server.json} in the data directory; {@code BASIN_ACCESS_KEY_ID}/{@code
 * BASIN_SECRET_ACCESS_KEY}, else the data directory's {@code credentials} file.
 */
public final class ClientOptions {
  @Option(
      names = "--endpoint",
      paramLabel = "URL",
      description = "Server URL (default: from DATA_DIR/server.json)")
  URI endpoint;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description = "Data directory of the server (default: $BASIN_DATA_DIR or ./basin-data)")
  Path dataDir;

  Map<String, String> env = Map.of();

  Path dataDir() {
    if (dataDir != null) {
      return dataDir;
    }
    String fromEnv = env.get("BASIN_DATA_DIR");
    return Path.of(fromEnv != null ? fromEnv : "basin-data");
  }

  URI endpoint() {
    if (endpoint != null) {
      return endpoint;
    }
    Path serverJson = dataDir().resolve("server.json");
    if (!Files.isRegularFile(serverJson)) {
      throw new BasinException(
          CommonErrorCode.UNAVAILABLE,
          "no running server found: "
              + serverJson
              + " does not exist; start one with `./basin server` or pass --endpoint URL");
    }
    try {
      JsonNode json = Json.mapper().readTree(Files.readAllBytes(serverJson));
      String bind = json.path("bind").asText("127.0.0.1");
      String host = bind.equals("0.0.0.0") || bind.isEmpty() ? "127.0.0.1" : bind;
      return URI.create("http://" + host + ":" + json.get("http").asInt() + "/");
    } catch (IOException | RuntimeException e) {
      throw new BasinException(
          CommonErrorCode.UNAVAILABLE, "cannot read " + serverJson + ": " + e.getMessage());
    }
  }

  Credentials credentials() {
    String id = env.get("BASIN_ACCESS_KEY_ID");
    String secret = env.get("BASIN_SECRET_ACCESS_KEY");
    if (id != null && secret != null) {
      return new Credentials(id, secret);
    }
    return Credentials.readFile(dataDir().resolve("credentials"), "default");
  }

  BasinApiClient api() {
    return new BasinApiClient(endpoint(), credentials());
  }
}
