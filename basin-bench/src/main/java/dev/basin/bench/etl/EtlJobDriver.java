package dev.basin.bench.etl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.basin.bench.support.BenchArgs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The client side of the ETL job benchmark, in its own JVM. Uploads the Spotify CSVs to {@code
 * s3://raw/spotify/} with the AWS SDK, catalogues them as the staging tables (by a crawler run, or
 * as external CSV tables through the catalog API), creates the seed job from its YAML and runs it:
 * one untimed warm-up, then {@code --runs} timed runs with {@code wait=true}, deleting {@code
 * s3://processed/spotify/} before each so that every run does the same work. Prints {@code RESULT
 * {"client": [ms…], "server": [ms…], "nodes": {node: [ms…]}, "rows": N, …}}.
 *
 * <p>Options: {@code --endpoint URL --access-key K --secret-key S --csv-dir DIR --job FILE --runs N
 * --staging crawler|catalog}.
 */
public final class EtlJobDriver {
  private static final String RAW_PREFIX = "spotify/";
  private static final String OUT_PREFIX = "spotify/";

  private EtlJobDriver() {}

  public static void main(String[] argv) throws Exception {
    BenchArgs a = BenchArgs.parse(argv);
    Http api = new Http(a.required("endpoint"), a.required("access-key"), a.required("secret-key"));
    Path csvDir = Path.of(a.required("csv-dir"));
    String yaml = Files.readString(Path.of(a.required("job")), StandardCharsets.UTF_8);
    int runs = a.integer("runs", 5);
    String staging = a.string("staging", "catalog");
    ObjectNode result = Http.JSON.createObjectNode();

    try (S3Client s3 = api.s3(4)) {
      long t0 = System.nanoTime();
      long bytes = 0;
      for (String table : SpotifyTables.tables()) {
        Path file = csvDir.resolve(SpotifyTables.file(table));
        s3.putObject(
            b -> b.bucket("raw").key(RAW_PREFIX + SpotifyTables.file(table)),
            RequestBody.fromFile(file));
        bytes += Files.size(file);
      }
      result.put("uploadMillis", (System.nanoTime() - t0) / 1e6);
      result.put("csvBytes", bytes);
      log(String.format("uploaded %,d bytes in %.1f s", bytes, (System.nanoTime() - t0) / 1e9));

      t0 = System.nanoTime();
      api.json("POST", "/api/v1/catalog/databases", "{\"name\":\"staging\"}");
      if (staging.equals("crawler")) {
        crawl(api);
      } else {
        for (String table : SpotifyTables.tables()) {
          externalTable(api, table);
        }
      }
      result.put("staging", staging);
      result.put("start", longPoll ? "POST + long-poll GET" : "POST wait=true");
      result.put("stagingMillis", (System.nanoTime() - t0) / 1e6);

      api.send("POST", "/api/v1/jobs", "application/yaml", yaml);
      ArrayNode client = result.putArray("client");
      ArrayNode server = result.putArray("server");
      ObjectNode nodes = result.putObject("nodes");
      ArrayNode last = null;
      for (int i = -1; i < runs; i++) {
        int deleted = deletePrefix(s3, "processed", OUT_PREFIX);
        long start = System.nanoTime();
        JsonNode run = runToEnd(api);
        double ms = (System.nanoTime() - start) / 1e6;
        if (!run.path("state").asText().equals("SUCCEEDED")) {
          throw new IllegalStateException("run " + (i + 1) + " did not succeed: " + run);
        }
        log(
            String.format(
                "run %d: %.0f ms (server %d ms), %d stale output objects deleted before",
                i + 1, ms, run.path("executionMillis").asLong(), deleted));
        if (i < 0) {
          continue;
        }
        client.add(ms);
        server.add(run.path("executionMillis").asLong());
        for (JsonNode n : run.path("nodes")) {
          ArrayNode times = (ArrayNode) nodes.get(n.path("node").asText());
          if (times == null) {
            times = nodes.putArray(n.path("node").asText());
          }
          times.add(n.path("millis").asLong());
        }
        last = (ArrayNode) run.path("nodes");
      }
      result.set("lastNodes", last);
      long rows = 0;
      long outBytes = 0;
      int files = 0;
      for (S3Object o : list(s3, "processed", OUT_PREFIX)) {
        outBytes += o.size();
        files++;
      }
      for (JsonNode n : last) {
        if (n.path("node").asText().equals("datalake")) {
          rows = n.path("rows").asLong(n.path("detail").path("rows").asLong());
        }
      }
      result.put("rows", rows);
      result.put("outputBytes", outBytes);
      result.put("outputFiles", files);
    }
    System.out.println("RESULT " + Http.JSON.writeValueAsString(result));
  }

  private static boolean longPoll;

  /**
   * Runs the job to its end: one {@code POST …/runs} with {@code wait=true}; or, when the server
   * cannot read a body on that route, a POST without one and long-polling {@code GET
   * …/runs/{id}?waitSeconds=60}, which answers as soon as the run ends.
   */
  private static JsonNode runToEnd(Http api) throws Exception {
    String runs = "/api/v1/jobs/spotify_join/runs";
    if (!longPoll) {
      try {
        return api.json("POST", runs, "{\"wait\":true,\"waitSeconds\":3600}");
      } catch (IllegalStateException e) {
        if (!e.getMessage().contains("the body must be a JSON object")) {
          throw e;
        }
        log("POST …/runs rejects its JSON body (" + e.getMessage() + "); long-polling instead");
        longPoll = true;
      }
    }
    JsonNode run = api.json("POST", runs, null);
    String id = run.path("id").asText();
    while (!terminal(run.path("state").asText())) {
      run = api.json("GET", runs + "/" + id + "?waitSeconds=60", null);
    }
    return run;
  }

  private static boolean terminal(String state) {
    return state.equals("SUCCEEDED")
        || state.equals("FAILED")
        || state.equals("STOPPED")
        || state.equals("TIMEOUT");
  }

  /** A crawler over {@code s3://raw/spotify/} into {@code staging}, run once and applied. */
  private static void crawl(Http api) throws Exception {
    api.json(
        "POST",
        "/api/v1/crawlers",
        "{\"name\":\"spotify-staging\",\"targets\":[\"s3://raw/spotify/\"],"
            + "\"database\":\"staging\"}");
    JsonNode run = api.json("POST", "/api/v1/crawlers/spotify-staging/runs", "{}");
    if (!run.path("state").asText().equals("SUCCEEDED")) {
      throw new IllegalStateException("the staging crawl did not succeed: " + run);
    }
    for (String table : SpotifyTables.tables()) {
      JsonNode t = api.json("GET", "/api/v1/catalog/databases/staging/tables/" + table, null);
      log("crawled staging." + table + ": " + t.path("columns"));
    }
  }

  private static void externalTable(Http api, String table) throws Exception {
    ObjectNode body = Http.JSON.createObjectNode();
    body.put("name", table);
    body.put("format", "csv");
    body.put("location", "s3://raw/" + RAW_PREFIX + table + "/");
    ArrayNode cols = body.putArray("columns");
    for (Map.Entry<String, String> c : SpotifyTables.COLUMNS.get(table).entrySet()) {
      cols.addObject().put("name", c.getKey()).put("type", c.getValue());
    }
    body.putObject("parameters").put("skip.header.line.count", "1");
    api.json("POST", "/api/v1/catalog/databases/staging/tables", body.toString());
  }

  static List<S3Object> list(S3Client s3, String bucket, String prefix) {
    List<S3Object> all = new ArrayList<>();
    String token = null;
    do {
      String t = token;
      ListObjectsV2Response page =
          s3.listObjectsV2(b -> b.bucket(bucket).prefix(prefix).continuationToken(t));
      all.addAll(page.contents());
      token = page.isTruncated() ? page.nextContinuationToken() : null;
    } while (token != null);
    return all;
  }

  private static int deletePrefix(S3Client s3, String bucket, String prefix) {
    List<S3Object> objects = list(s3, bucket, prefix);
    for (S3Object o : objects) {
      s3.deleteObject(b -> b.bucket(bucket).key(o.key()));
    }
    return objects.size();
  }

  private static void log(String msg) {
    System.err.println("[etl-driver] " + msg);
  }
}
