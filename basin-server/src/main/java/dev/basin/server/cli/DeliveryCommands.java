package dev.basin.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.basin.common.json.Json;
import dev.basin.server.client.BasinApiClient;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code basin delivery …}: manage delivery streams of a running server. */
final class DeliveryCommands {
  private static final String BASE = "/api/v1/delivery-streams";

  private DeliveryCommands() {}

  static CommandLine commandLine(Map<String, String> env) {
    return ApiCommand.commandLine(
        new Group(), env, new Create(), new ListAll(), new Describe(), new Delete(), new Put());
  }

  @Command(
      name = "delivery",
      mixinStandardHelpOptions = true,
      description =
          "Create, list, describe and delete delivery streams (stream → lake) and put records"
              + " into direct-put ones.")
  static final class Group extends CommandGroup {}

  abstract static class Base extends ApiCommand {
    static String path(String name) {
      return BASE + "/" + BasinApiClient.encode(name);
    }
  }

  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description =
          "Create a delivery stream from a stream to an Iceberg table (--iceberg-table) or to"
              + " objects in a bucket (--bucket).")
  static final class Create extends Base {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Option(
        names = "--source-stream",
        required = true,
        paramLabel = "STREAM",
        description = "The Basin stream to deliver")
    String sourceStream;

    @Option(
        names = "--iceberg-table",
        paramLabel = "DB.TABLE",
        description = "Deliver into this Iceberg table of the catalog")
    String icebergTable;

    @Option(
        names = "--bucket",
        paramLabel = "BUCKET",
        description =
            "Deliver objects into this bucket; with --iceberg-table, the error output's bucket"
                + " (default raw)")
    String bucket;

    @Option(names = "--prefix", paramLabel = "PREFIX", description = "Data object prefix")
    String prefix;

    @Option(
        names = "--error-prefix",
        paramLabel = "PREFIX",
        description = "Error output prefix (default: Firehose's)")
    String errorPrefix;

    @Option(
        names = "--compression",
        paramLabel = "KIND",
        description = "Objects: none, gzip, zstd or snappy (default none)")
    String compression;

    @Option(
        names = "--format",
        paramLabel = "FORMAT",
        description = "Objects: json-lines (default) or csv")
    String format;

    @Option(
        names = "--partition-key-query",
        paramLabel = "QUERY",
        description = "Dynamic partitioning keys, e.g. '{customer: .customer_id}'")
    String partitionKeyQuery;

    @Option(
        names = "--buffer-mib",
        paramLabel = "MIB",
        description = "Flush after this many MiB (1–128, default 5)")
    Integer bufferMib;

    @Option(
        names = "--buffer-seconds",
        paramLabel = "S",
        description = "Flush this long after the oldest record arrived (0–900, default 300)")
    Integer bufferSeconds;

    @Override
    public Integer call() {
      ObjectNode body = Json.mapper().createObjectNode();
      body.put("name", name);
      ObjectNode src = body.putObject("source");
      src.put("type", "stream");
      src.put("stream", sourceStream);
      ObjectNode dst = body.putObject("destination");
      if (icebergTable != null) {
        int dot = icebergTable.indexOf('.');
        if (dot <= 0 || dot == icebergTable.length() - 1) {
          throw new IllegalArgumentException(
              "--iceberg-table must be DATABASE.TABLE, was '" + icebergTable + "'");
        }
        if (compression != null || format != null || partitionKeyQuery != null || prefix != null) {
          throw new IllegalArgumentException(
              "--prefix, --compression, --format and --partition-key-query apply to --bucket"
                  + " destinations, not to --iceberg-table");
        }
        dst.put("type", "iceberg");
        dst.put("database", icebergTable.substring(0, dot));
        dst.put("table", icebergTable.substring(dot + 1));
        dst.put("errorBucket", bucket == null ? "raw" : bucket);
        dst.put("errorPrefix", errorPrefix);
      } else if (bucket != null) {
        dst.put("type", "objects");
        dst.put("bucket", bucket);
        dst.put("prefix", prefix);
        dst.put("errorPrefix", errorPrefix);
        dst.put("compression", compression);
        dst.put("format", format);
        dst.put("partitionKeyQuery", partitionKeyQuery);
      } else {
        throw new IllegalArgumentException(
            "name a destination: --iceberg-table DB.TABLE or --bucket BUCKET");
      }
      if (bufferMib != null || bufferSeconds != null) {
        ObjectNode b = body.putObject("buffering");
        b.put("sizeMiB", bufferMib == null ? 5 : bufferMib);
        b.put("intervalSeconds", bufferSeconds == null ? 300 : bufferSeconds);
      }
      JsonNode r = client.api().post(BASE, body.toString(), "application/json");
      out().println("created delivery stream " + name + " (" + r.path("status").asText() + ")");
      return 0;
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List delivery streams.")
  static final class ListAll extends Base {
    @Override
    public Integer call() {
      JsonNode r = client.api().get(BASE);
      List<String[]> rows = new ArrayList<>();
      rows.add(new String[] {"NAME", "STATUS", "SOURCE", "DESTINATION", "DELIVERED", "CREATED"});
      for (JsonNode d : r.path("deliveryStreams")) {
        rows.add(
            new String[] {
              d.path("name").asText(),
              d.path("status").asText(),
              d.at("/config/source/stream").asText("direct-put"),
              destination(d.path("config").path("destination")),
              d.at("/metrics/recordsDelivered").asText(),
              d.path("createdAt").asText()
            });
      }
      Tables.print(out(), rows);
      return 0;
    }
  }

  static String destination(JsonNode dst) {
    if ("iceberg".equals(dst.path("type").asText())) {
      return "iceberg " + dst.path("database").asText() + "." + dst.path("table").asText();
    }
    return "s3://" + dst.path("bucket").asText() + "/" + dst.path("prefix").asText("");
  }

  @Command(
      name = "describe",
      mixinStandardHelpOptions = true,
      description = "Describe a delivery stream: configuration, status and metrics.")
  static final class Describe extends Base {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Override
    public Integer call() {
      JsonNode d = client.api().get(path(name));
      JsonNode m = d.path("metrics");
      PrintWriter out = out();
      out.printf(
          "delivery stream %s  status=%s  created=%s%n",
          d.path("name").asText(), d.path("status").asText(), d.path("createdAt").asText());
      if (d.has("failure")) {
        out.println("failure: " + d.path("failure").asText());
      }
      out.printf(
          "source stream %s -> %s%n",
          d.at("/config/source/stream").asText("direct-put"),
          destination(d.path("config").path("destination")));
      out.printf(
          "buffering %s MiB / %s s%n",
          d.at("/config/buffering/sizeMiB").asText(),
          d.at("/config/buffering/intervalSeconds").asText());
      out.printf(
          "delivered %s record(s), %s byte(s) in %s commit(s); last commit %s; lag %s ms%n",
          m.path("recordsDelivered").asText(),
          m.path("bytesDelivered").asText(),
          m.path("commits").asText(),
          m.path("lastCommitAt").asText("never"),
          m.path("lagMillis").asText());
      out.println("failures " + m.path("failures"));
      return 0;
    }
  }

  @Command(
      name = "delete",
      mixinStandardHelpOptions = true,
      description = "Delete a delivery stream (the delivered data stays).")
  static final class Delete extends Base {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Override
    public Integer call() {
      client.api().delete(path(name));
      out().println("deleted delivery stream " + name);
      return 0;
    }
  }

  @Command(
      name = "put",
      mixinStandardHelpOptions = true,
      description =
          "Put records into a direct-put delivery stream: each JSON argument is one record, and"
              + " each non-blank line of --file (- for standard input). Acknowledged records are"
              + " durable; exits 1 if any record failed.")
  static final class Put extends Base {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Parameters(index = "1..*", paramLabel = "JSON", description = "Records, one per argument")
    List<String> records = new ArrayList<>();

    @Option(
        names = "--file",
        paramLabel = "FILE",
        description = "Read records from FILE, one per line (NDJSON); - reads standard input")
    String file;

    @Override
    public Integer call() throws java.io.IOException {
      StringBuilder body = new StringBuilder();
      for (String r : records) {
        if (r.contains("\n")) {
          throw new IllegalArgumentException(
              "a record argument must be one line; put multi-line records with --file");
        }
        body.append(r).append('\n');
      }
      if (file != null) {
        byte[] content =
            file.equals("-")
                ? System.in.readAllBytes()
                : java.nio.file.Files.readAllBytes(java.nio.file.Path.of(file));
        body.append(new String(content, java.nio.charset.StandardCharsets.UTF_8)).append('\n');
      }
      if (body.toString().isBlank()) {
        throw new IllegalArgumentException("give records as JSON arguments or with --file");
      }
      JsonNode r =
          client.api().post(path(name) + "/records", body.toString(), "application/x-ndjson");
      int failed = r.path("failedPutCount").asInt();
      out()
          .printf(
              "put %d record(s) into delivery stream %s, %d failed%n",
              r.path("records").asInt() - failed, name, failed);
      int line = 0;
      for (JsonNode res : r.path("results")) {
        line++;
        if (res.has("errorCode")) {
          out()
              .printf(
                  "record %d: %s %s%n",
                  line, res.path("errorCode").asText(), res.path("errorMessage").asText());
        }
      }
      return failed == 0 ? 0 : 1;
    }
  }
}
