package dev.basin.bench.etl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.basin.bench.support.BenchArgs;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The client side of the crawler benchmark, in its own JVM. Uploads {@code --partitions} Hive-style
 * folders {@code s3://raw/crawl/events/dt=YYYY-MM-DD/} of {@code --objects-per-partition} small
 * JSON-lines objects each, then per repetition, on a fresh database and crawler each time, times a
 * dry run (the plan), applying that plan, a dry re-crawl of the unchanged data, and — on a second
 * fresh database — a one-shot crawl (plan and apply in one request). Prints {@code RESULT {…}} with
 * the times in milliseconds and what the plans contained.
 *
 * <p>Options: {@code --endpoint URL --access-key K --secret-key S --partitions N
 * --objects-per-partition N --runs N}.
 */
public final class CrawlerDriver {

  private CrawlerDriver() {}

  public static void main(String[] argv) throws Exception {
    BenchArgs a = BenchArgs.parse(argv);
    Http api = new Http(a.required("endpoint"), a.required("access-key"), a.required("secret-key"));
    int partitions = a.integer("partitions", 100);
    int perPartition = a.integer("objects-per-partition", 100);
    int runs = a.integer("runs", 3);
    ObjectNode result = Http.JSON.createObjectNode();

    long t0 = System.nanoTime();
    long bytes = upload(api, partitions, perPartition);
    result.put("objects", (long) partitions * perPartition);
    result.put("partitions", partitions);
    result.put("bytes", bytes);
    result.put("uploadMillis", (System.nanoTime() - t0) / 1e6);
    log(
        String.format(
            Locale.ROOT,
            "uploaded %d objects (%,d bytes) in %.1f s",
            partitions * perPartition,
            bytes,
            (System.nanoTime() - t0) / 1e9));

    ArrayNode dry = result.putArray("dryRun");
    ArrayNode apply = result.putArray("apply");
    ArrayNode recrawl = result.putArray("recrawlDryRun");
    ArrayNode oneShot = result.putArray("oneShot");
    for (int r = 1; r <= runs; r++) {
      String db = "crawl_bench_" + r;
      String crawler = "events-bench-" + r;
      create(api, db, crawler);
      long start = System.nanoTime();
      JsonNode plan = run(api, crawler, true);
      dry.add((System.nanoTime() - start) / 1e6);
      expect(plan, "PLANNED");
      result.put("planTables", plan.path("plan").path("tables").size());
      result.put("planPartitions", plan.path("plan").path("partitions").size());

      start = System.nanoTime();
      JsonNode applied =
          api.json(
              "POST",
              "/api/v1/crawlers/" + crawler + "/runs/" + plan.path("id").asLong() + "/apply",
              null);
      apply.add((System.nanoTime() - start) / 1e6);
      expect(applied, "SUCCEEDED");
      result.put("tablesCreated", applied.path("tablesCreated").asInt());
      result.put("partitionsAdded", applied.path("partitionsAdded").asInt());

      start = System.nanoTime();
      JsonNode again = run(api, crawler, true);
      recrawl.add((System.nanoTime() - start) / 1e6);
      expect(again, "PLANNED");
      result.put("recrawlPartitionChanges", again.path("plan").path("partitions").size());

      String db2 = "crawl_oneshot_" + r;
      String crawler2 = "events-oneshot-" + r;
      create(api, db2, crawler2);
      start = System.nanoTime();
      JsonNode full = run(api, crawler2, false);
      oneShot.add((System.nanoTime() - start) / 1e6);
      expect(full, "SUCCEEDED");
      log(
          String.format(
              Locale.ROOT,
              "repetition %d: dry run %.0f ms, apply %.0f ms, re-crawl %.0f ms, one-shot %.0f ms",
              r,
              dry.get(r - 1).asDouble(),
              apply.get(r - 1).asDouble(),
              recrawl.get(r - 1).asDouble(),
              oneShot.get(r - 1).asDouble()));
    }
    System.out.println("RESULT " + Http.JSON.writeValueAsString(result));
  }

  private static void create(Http api, String db, String crawler) throws Exception {
    api.json("POST", "/api/v1/catalog/databases", "{\"name\":\"" + db + "\"}");
    api.json(
        "POST",
        "/api/v1/crawlers",
        "{\"name\":\""
            + crawler
            + "\",\"targets\":[\"s3://raw/crawl/\"],\"database\":\""
            + db
            + "\"}");
  }

  private static JsonNode run(Http api, String crawler, boolean dryRun) throws Exception {
    return api.json("POST", "/api/v1/crawlers/" + crawler + "/runs", "{\"dryRun\":" + dryRun + "}");
  }

  private static void expect(JsonNode run, String state) {
    if (!run.path("state").asText().equals(state)) {
      throw new IllegalStateException("expected a " + state + " crawler run, got " + run);
    }
  }

  /** Uploads the objects with 8 client threads; returns the bytes written. */
  private static long upload(Http api, int partitions, int perPartition) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try (S3Client s3 = api.s3(8)) {
      List<Future<Integer>> puts = new ArrayList<>();
      LocalDate first = LocalDate.of(2025, 1, 1);
      for (int p = 0; p < partitions; p++) {
        LocalDate day = first.plusDays(p);
        for (int o = 0; o < perPartition; o++) {
          String key = String.format(Locale.ROOT, "crawl/events/dt=%s/part-%05d.json", day, o);
          byte[] body = events(day, p * perPartition + o).getBytes(StandardCharsets.UTF_8);
          puts.add(
              pool.submit(
                  () -> {
                    s3.putObject(b -> b.bucket("raw").key(key), RequestBody.fromBytes(body));
                    return body.length;
                  }));
        }
      }
      long bytes = 0;
      for (Future<Integer> f : puts) {
        bytes += f.get();
      }
      return bytes;
    } finally {
      pool.shutdownNow();
    }
  }

  /** Five JSON lines, deterministic for an object number. */
  private static String events(LocalDate day, int object) {
    StringBuilder sb = new StringBuilder();
    String[] types = {"view", "click", "purchase", "signup"};
    for (int i = 0; i < 5; i++) {
      long id = (long) object * 5 + i;
      sb.append(
          String.format(
              Locale.ROOT,
              "{\"event_id\":%d,\"user_id\":\"u%05d\",\"type\":\"%s\",\"ts\":\"%sT%02d:%02d:00Z\","
                  + "\"amount\":%.2f}%n",
              id,
              id % 9973,
              types[(int) (id % types.length)],
              day,
              (int) (id % 24),
              (int) (id % 60),
              (id % 1000) / 10.0));
    }
    return sb.toString();
  }

  private static void log(String msg) {
    System.err.println("[crawler-driver] " + msg);
  }
}
