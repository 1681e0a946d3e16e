package dev.basin.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.basin.common.json.Json;
import dev.basin.server.client.BasinApiClient;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code basin stream …}: manage streams and move records through a running server. */
final class StreamCommands {
  private StreamCommands() {}

  static CommandLine commandLine(Map<String, String> env) {
    return ApiCommand.commandLine(
        new Group(),
        env,
        new Create(),
        new ListStreams(),
        new Describe(),
        new Put(),
        new Get(),
        new Delete());
  }

  @Command(
      name = "stream",
      mixinStandardHelpOptions = true,
      description = "Create, list, describe, delete streams; put and get records.")
  static final class Group extends CommandGroup {}

  abstract static class Base extends ApiCommand {
    static String path(String name) {
      return "/api/v1/streams/" + BasinApiClient.encode(name);
    }
  }

  @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a stream.")
  static final class Create extends Base {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Option(names = "--shards", paramLabel = "N", description = "Shard count (default 1)")
    Integer shards;

    @Option(names = "--on-demand", description = "On-demand capacity mode")
    boolean onDemand;

    @Option(names = "--tag", paramLabel = "KEY=VALUE", description = "Tag (repeatable)")
    Map<String, String> tags = new LinkedHashMap<>();

    @Override
    public Integer call() {
      ObjectNode body = Json.mapper().createObjectNode();
      body.put("name", name);
      if (onDemand) {
        body.put("mode", "on-demand");
      } else {
        body.put("shards", shards == null ? 1 : shards);
      }
      if (!tags.isEmpty()) {
        body.set("tags", Json.mapper().valueToTree(tags));
      }
      JsonNode r = client.api().post("/api/v1/streams", body.toString(), "application/json");
      out()
          .println(
              "created stream " + name + " with " + r.path("openShards").asInt() + " shard(s)");
      return 0;
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List streams.")
  static final class ListStreams extends Base {
    @Override
    public Integer call() {
      JsonNode r = client.api().get("/api/v1/streams");
      List<String[]> rows = new ArrayList<>();
      rows.add(new String[] {"NAME", "MODE", "SHARDS", "RETENTION_H", "CREATED"});
      for (JsonNode s : r.path("streams")) {
        rows.add(
            new String[] {
              s.path("name").asText(),
              s.path("mode").asText(),
              s.path("openShards").asText(),
              s.path("retentionHours").asText(),
              s.path("createdAt").asText()
            });
      }
      Tables.print(out(), rows);
      return 0;
    }
  }

  @Command(name = "describe", mixinStandardHelpOptions = true, description = "Describe a stream.")
  static final class Describe extends Base {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Override
    public Integer call() {
      JsonNode r = client.api().get(path(name));
      out()
          .printf(
              "stream %s  mode=%s  open shards=%s  retention=%sh  created=%s%n",
              r.path("name").asText(),
              r.path("mode").asText(),
              r.path("openShards").asText(),
              r.path("retentionHours").asText(),
              r.path("createdAt").asText());
      List<String[]> rows = new ArrayList<>();
      rows.add(new String[] {"SHARD", "STATE", "PARENTS", "STARTING_HASH_KEY", "ENDING_HASH_KEY"});
      for (JsonNode s : r.path("shards")) {
        String parents =
            (s.path("parent").asText("") + " " + s.path("adjacentParent").asText("")).trim();
        rows.add(
            new String[] {
              s.path("shardId").asText(),
              s.path("open").asBoolean() ? "open" : "closed",
              parents.isEmpty() ? "-" : parents,
              s.path("startingHashKey").asText(),
              s.path("endingHashKey").asText()
            });
      }
      Tables.print(out(), rows);
      return 0;
    }
  }

  @Command(
      name = "put",
      mixinStandardHelpOptions = true,
      description = {
        "Put JSON records: one per argument, or newline-delimited from --file or stdin.",
        "Example: basin stream put orders '{\"id\":1}' '{\"id\":2}'"
      })
  static final class Put extends Base {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Parameters(index = "1..*", paramLabel = "JSON", description = "Records (JSON documents)")
    List<String> records = new ArrayList<>();

    @Option(names = "--file", paramLabel = "FILE", description = "Newline-delimited JSON file")
    Path file;

    @Option(
        names = "--partition-key-field",
        paramLabel = "FIELD",
        description = "Use this JSON field as the partition key (default: a random key per record)")
    String keyField;

    @Option(names = "--partition-key", paramLabel = "KEY", description = "One key for all records")
    String key;

    @Override
    public Integer call() throws IOException {
      String body;
      if (!records.isEmpty()) {
        body = String.join("\n", records);
      } else if (file != null) {
        body = Files.readString(file, StandardCharsets.UTF_8);
      } else {
        InputStream in = System.in;
        body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      StringBuilder query = new StringBuilder();
      if (keyField != null) {
        query.append("?partitionKeyField=").append(BasinApiClient.encode(keyField));
      } else if (key != null) {
        query.append("?partitionKey=").append(BasinApiClient.encode(key));
      }
      JsonNode r = client.api().post(path(name) + "/records" + query, body, "application/x-ndjson");
      int failed = r.path("failed").asInt();
      out()
          .println(
              "put " + (r.path("records").asInt() - failed) + " record(s), " + failed + " failed");
      for (JsonNode res : r.path("results")) {
        if (res.has("error")) {
          out()
              .println(
                  "  failed: " + res.path("error").asText() + ": " + res.path("message").asText());
        }
      }
      return failed == 0 ? 0 : 2;
    }
  }

  @Command(
      name = "get",
      mixinStandardHelpOptions = true,
      description =
          "Print records of a stream (all shards, parents before children, unless --shard).")
  static final class Get extends Base {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Option(names = "--shard", paramLabel = "SHARD_ID")
    String shard;

    @Option(
        names = "--from",
        paramLabel = "POS",
        description = "trim-horizon (default), latest, at:<seq>, after:<seq>, timestamp:<ISO-8601>")
    String from = "trim-horizon";

    @Option(names = "--limit", paramLabel = "N", description = "Stop after N records")
    Integer limit;

    @Option(names = "--json", description = "Print each record as JSON with its metadata")
    boolean json;

    @Override
    public Integer call() {
      BasinApiClient api = client.api();
      List<String> shards = new ArrayList<>();
      if (shard != null) {
        shards.add(shard);
      } else {
        for (JsonNode s : api.get(path(name)).path("shards")) {
          shards.add(s.path("shardId").asText());
        }
      }
      int printed = 0;
      for (String s : shards) {
        String query =
            "?shard=" + BasinApiClient.encode(s) + "&from=" + BasinApiClient.encode(from);
        while (limit == null || printed < limit) {
          JsonNode r = api.get(path(name) + "/records" + query + "&limit=1000");
          for (JsonNode rec : r.path("records")) {
            if (limit != null && printed >= limit) {
              break;
            }
            out().println(json ? rec.toString() : display(rec));
            printed++;
          }
          if (!r.hasNonNull("nextIterator") || r.path("records").isEmpty()) {
            break;
          }
          query = "?iterator=" + BasinApiClient.encode(r.get("nextIterator").asText());
        }
      }
      return 0;
    }
  }

  /** A record's data as text (one trailing newline dropped), or its base64 if not UTF-8. */
  static String display(JsonNode rec) {
    if (!rec.has("data")) {
      return rec.path("dataBase64").asText();
    }
    String data = rec.get("data").asText();
    return data.endsWith("\n") ? data.substring(0, data.length() - 1) : data;
  }

  @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a stream.")
  static final class Delete extends Base {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Override
    public Integer call() {
      client.api().delete(path(name));
      out().println("deleted stream " + name);
      return 0;
    }
  }
}
