package dev.basin.bench.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.basin.server.auth.Credentials;
import dev.basin.server.client.KinesisHttpClient;
import dev.basin.server.client.KinesisHttpClient.PutEntry;
import dev.basin.server.client.KinesisHttpClient.PutRecordsResult;
import dev.basin.server.client.KinesisHttpClient.PutResultEntry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.iceberg.DataOperations;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.rest.RESTCatalog;

/**
 * The delivery benchmark's client process. Creates a stream, a catalog table and a delivery stream
 * per phase through the native API, then:
 *
 * <ul>
 *   <li><b>freshness</b>: puts single records at a steady rate, each carrying its send time; a
 *       watcher polls the table's description (native API) and notes when each new current snapshot
 *       was first seen. Afterwards the snapshots are walked with Iceberg's {@link RESTCatalog} and
 *       the rows each one appended are read, so every record is tied to the snapshot that made it
 *       visible: latency = first time a snapshot containing the record was seen − the record's put
 *       acknowledgement.
 *   <li><b>throughput</b>: sender threads put 500-record PutRecords batches of 200-byte JSON as
 *       fast as acknowledgements allow; a sampler reads total-records every 500 ms; afterwards the
 *       snapshots' {@code added-files-size} give the Parquet bytes written.
 * </ul>
 *
 * Prints one {@code RESULT <json>} line.
 */
public final class DeliveryDriver {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI endpoint;
  private final Credentials credentials;
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private DeliveryDriver(URI endpoint, Credentials credentials) {
    this.endpoint = endpoint;
    this.credentials = credentials;
  }

  public static void main(String[] argv) throws Exception {
    Map<String, String> a = DeliveryBenchmark.parse(argv);
    DeliveryDriver d =
        new DeliveryDriver(
            URI.create(a.get("endpoint")),
            new Credentials(a.get("access-key"), a.get("secret-key")));
    int rate = Integer.parseInt(a.getOrDefault("rate", "20"));
    int freshSeconds = Integer.parseInt(a.getOrDefault("fresh-seconds", "30"));
    int loadSeconds = Integer.parseInt(a.getOrDefault("load-seconds", "30"));
    int senders = Integer.parseInt(a.getOrDefault("senders", "4"));
    int shards = Integer.parseInt(a.getOrDefault("shards", "2"));

    ObjectNode out = JSON.createObjectNode();
    ArrayNode fresh = out.putArray("freshness");
    d.api("POST", "/api/v1/catalog/databases", "{\"name\":\"bench\"}", 201);
    // low-latency mode as the API exposes it, and interval 0 (flush whenever records are there)
    fresh.add(
        d.freshness(
            "fresh_ll",
            shards,
            "{\"intervalSeconds\":1,\"sizeMiB\":5,\"lowLatency\":true}",
            rate,
            freshSeconds));
    fresh.add(
        d.freshness(
            "fresh_i0",
            shards,
            "{\"intervalSeconds\":0,\"sizeMiB\":5,\"lowLatency\":true}",
            rate,
            freshSeconds));
    out.set(
        "throughput",
        d.throughput(
            "load",
            shards,
            "{\"intervalSeconds\":1,\"sizeMiB\":5,\"lowLatency\":true}",
            senders,
            loadSeconds));
    System.out.println("RESULT " + JSON.writeValueAsString(out));
  }

  private void setUp(String name, int shards, String buffering) throws Exception {
    try (KinesisHttpClient k = new KinesisHttpClient(endpoint, credentials, true)) {
      k.createStream(name, shards);
    }
    api(
        "POST",
        "/api/v1/catalog/databases/bench/tables",
        "{\"name\":\""
            + name
            + "\",\"columns\":[{\"name\":\"id\",\"type\":\"bigint\"},"
            + "{\"name\":\"sent_at\",\"type\":\"bigint\"},"
            + "{\"name\":\"payload\",\"type\":\"string\"}]}",
        201);
    api(
        "POST",
        "/api/v1/delivery-streams",
        "{\"name\":\""
            + name
            + "\",\"source\":{\"type\":\"stream\",\"stream\":\""
            + name
            + "\"},\"destination\":{\"type\":\"iceberg\",\"database\":\"bench\",\"table\":\""
            + name
            + "\",\"errorBucket\":\"raw\",\"errorPrefix\":\"bench-errors/\"},\"buffering\":"
            + buffering
            + "}",
        201);
  }

  // ---------------------------------------------------------------- freshness

  private ObjectNode freshness(String name, int shards, String buffering, int rate, int seconds)
      throws Exception {
    setUp(name, shards, buffering);
    Map<Long, Long> ackMillis = new ConcurrentHashMap<>();
    Map<Long, Long> snapshotSeenMillis = new ConcurrentHashMap<>();
    AtomicBoolean stop = new AtomicBoolean();
    Thread watcher =
        new Thread(
            () -> {
              while (!stop.get()) {
                try {
                  JsonNode t =
                      api("GET", "/api/v1/catalog/databases/bench/tables/" + name, null, 200);
                  long now = System.currentTimeMillis();
                  JsonNode id = t.at("/currentSnapshot/snapshotId");
                  if (id.isIntegralNumber()) {
                    snapshotSeenMillis.putIfAbsent(id.asLong(), now);
                  }
                  Thread.sleep(20);
                } catch (InterruptedException e) {
                  return;
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              }
            },
            "watcher");
    watcher.start();
    long sent = 0;
    try (KinesisHttpClient k = new KinesisHttpClient(endpoint, credentials, true)) {
      long periodNanos = TimeUnit.SECONDS.toNanos(1) / rate;
      long start = System.nanoTime();
      long total = (long) rate * seconds;
      for (long id = 0; id < total; id++) {
        long due = start + id * periodNanos;
        long wait = due - System.nanoTime();
        if (wait > 0) {
          TimeUnit.NANOSECONDS.sleep(wait);
        }
        long sentAt = System.currentTimeMillis();
        byte[] data =
            ("{\"id\":" + id + ",\"sent_at\":" + sentAt + ",\"payload\":\"fresh\"}")
                .getBytes(StandardCharsets.UTF_8);
        PutRecordsResult r = k.putRecords(name, List.of(new PutEntry("k" + id, data))).join();
        if (r.failedRecordCount() == 0) {
          ackMillis.put(id, System.currentTimeMillis());
        }
        sent++;
      }
    }
    // wait until every acknowledged record is visible
    long deadline = System.currentTimeMillis() + 30_000;
    while (System.currentTimeMillis() < deadline && totalRecords(name) < ackMillis.size()) {
      Thread.sleep(100);
    }
    Thread.sleep(200);
    stop.set(true);
    watcher.join();

    // tie each record to the snapshot that added it, in commit order
    Map<Long, Long> idToSnapshot = new HashMap<>();
    Map<Long, Long> idToSentAt = new HashMap<>();
    List<Snapshot> chain = new ArrayList<>();
    Map<Long, Long> commitMillis = new HashMap<>();
    try (RESTCatalog catalog = restCatalog()) {
      Table table = catalog.loadTable(TableIdentifier.of("bench", name));
      for (Snapshot s = table.currentSnapshot();
          s != null;
          s = s.parentId() == null ? null : table.snapshot(s.parentId())) {
        chain.add(0, s);
      }
      for (Snapshot s : chain) {
        commitMillis.put(s.snapshotId(), s.timestampMillis());
        if (!DataOperations.APPEND.equals(s.operation())) {
          continue;
        }
        IcebergGenerics.ScanBuilder scan = IcebergGenerics.read(table);
        scan =
            s.parentId() == null
                ? scan.useSnapshot(s.snapshotId())
                : scan.appendsBetween(s.parentId(), s.snapshotId());
        try (CloseableIterable<Record> rows = scan.build()) {
          for (Record r : rows) {
            long id = (Long) r.getField("id");
            idToSnapshot.put(id, s.snapshotId());
            idToSentAt.put(id, (Long) r.getField("sent_at"));
          }
        }
      }
    }
    // a snapshot became visible when it or any later one was first seen
    Map<Long, Long> visibleMillis = new HashMap<>();
    long earliestLater = Long.MAX_VALUE;
    for (int i = chain.size() - 1; i >= 0; i--) {
      long id = chain.get(i).snapshotId();
      earliestLater = Math.min(earliestLater, snapshotSeenMillis.getOrDefault(id, Long.MAX_VALUE));
      visibleMillis.put(id, earliestLater);
    }
    List<Long> ackToVisible = new ArrayList<>();
    List<Long> ackToCommit = new ArrayList<>();
    List<Long> sendToVisible = new ArrayList<>();
    int missing = 0;
    for (Map.Entry<Long, Long> e : ackMillis.entrySet()) {
      Long snap = idToSnapshot.get(e.getKey());
      if (snap == null || visibleMillis.get(snap) == Long.MAX_VALUE) {
        missing++;
        continue;
      }
      ackToVisible.add(visibleMillis.get(snap) - e.getValue());
      ackToCommit.add(commitMillis.get(snap) - e.getValue());
      sendToVisible.add(visibleMillis.get(snap) - idToSentAt.get(e.getKey()));
    }
    long appends = chain.stream().filter(s -> DataOperations.APPEND.equals(s.operation())).count();
    ObjectNode r = JSON.createObjectNode();
    r.put("name", name);
    r.put("buffering", buffering);
    r.put("rate", rate);
    r.put("seconds", seconds);
    r.put("sent", sent);
    r.put("acked", ackMillis.size());
    r.put("delivered", idToSnapshot.size());
    r.put("notVisible", missing);
    r.put("commits", appends);
    r.set("ackToVisible", percentiles(ackToVisible));
    r.set("ackToCommit", percentiles(ackToCommit));
    r.set("sendToVisible", percentiles(sendToVisible));
    return r;
  }

  private static ObjectNode percentiles(List<Long> values) {
    long[] v = values.stream().mapToLong(Long::longValue).sorted().toArray();
    ObjectNode o = JSON.createObjectNode();
    o.put("count", v.length);
    if (v.length > 0) {
      o.put("p50", pct(v, 50));
      o.put("p95", pct(v, 95));
      o.put("p99", pct(v, 99));
      o.put("max", v[v.length - 1]);
      o.put("min", v[0]);
    }
    return o;
  }

  private static long pct(long[] sorted, double p) {
    int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }

  // ---------------------------------------------------------------- throughput

  private ObjectNode throughput(String name, int shards, String buffering, int senders, int seconds)
      throws Exception {
    setUp(name, shards, buffering);
    AtomicLong acked = new AtomicLong();
    AtomicLong ackedBytes = new AtomicLong();
    AtomicLong nextId = new AtomicLong();
    List<String> errors = new CopyOnWriteArrayList<>();
    long start = System.nanoTime();
    long end = start + TimeUnit.SECONDS.toNanos(seconds);
    List<long[]> samples = new CopyOnWriteArrayList<>(); // {millis since start, total-records}
    AtomicBoolean sampling = new AtomicBoolean(true);
    Thread sampler =
        new Thread(
            () -> {
              while (sampling.get()) {
                try {
                  long t = (System.nanoTime() - start) / 1_000_000;
                  samples.add(new long[] {t, totalRecords(name), acked.get()});
                  Thread.sleep(500);
                } catch (InterruptedException e) {
                  return;
                } catch (Exception e) {
                  errors.add(e.toString());
                }
              }
            },
            "sampler");
    sampler.start();
    List<Thread> threads = new ArrayList<>();
    for (int s = 0; s < senders; s++) {
      Thread t =
          new Thread(
              () -> {
                try (KinesisHttpClient k = new KinesisHttpClient(endpoint, credentials, true)) {
                  while (System.nanoTime() < end) {
                    List<PutEntry> batch = new ArrayList<>(500);
                    long bytes = 0;
                    for (int i = 0; i < 500; i++) {
                      byte[] data = record200(nextId.getAndIncrement());
                      bytes += data.length;
                      batch.add(new PutEntry(Long.toString(nextId.get()), data));
                    }
                    PutRecordsResult r = k.putRecords(name, batch).join();
                    long ok = 0;
                    for (PutResultEntry e : r.entries()) {
                      ok += e.errorCode() == null ? 1 : 0;
                    }
                    acked.addAndGet(ok);
                    ackedBytes.addAndGet(bytes * ok / batch.size());
                  }
                } catch (RuntimeException e) {
                  errors.add(e.toString());
                }
              },
              "sender");
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) {
      t.join();
    }
    long ingestMillis = (System.nanoTime() - start) / 1_000_000;
    long deliveredAtEnd = totalRecords(name);
    long deadline = System.currentTimeMillis() + 180_000;
    while (System.currentTimeMillis() < deadline && totalRecords(name) < acked.get()) {
      Thread.sleep(200);
    }
    long drainedMillis = (System.nanoTime() - start) / 1_000_000;
    sampling.set(false);
    sampler.join();
    long delivered = totalRecords(name);

    long parquetBytes = 0;
    long appendRecords = 0;
    int commits = 0;
    long firstCommit = Long.MAX_VALUE;
    long lastCommit = 0;
    try (RESTCatalog catalog = restCatalog()) {
      Table table = catalog.loadTable(TableIdentifier.of("bench", name));
      for (Snapshot s : table.snapshots()) {
        if (!DataOperations.APPEND.equals(s.operation())) {
          continue;
        }
        commits++;
        parquetBytes += Long.parseLong(s.summary().getOrDefault("added-files-size", "0"));
        appendRecords += Long.parseLong(s.summary().getOrDefault("added-records", "0"));
        firstCommit = Math.min(firstCommit, s.timestampMillis());
        lastCommit = Math.max(lastCommit, s.timestampMillis());
      }
    }
    // steady-state delivery rate: total-records gained between 5 s and the end of the window
    long[] from = null;
    long[] to = null;
    for (long[] s : samples) {
      if (from == null && s[0] >= 5_000) {
        from = s;
      }
      if (s[0] <= ingestMillis) {
        to = s;
      }
    }
    ObjectNode r = JSON.createObjectNode();
    r.put("name", name);
    r.put("buffering", buffering);
    r.put("senders", senders);
    r.put("shards", shards);
    r.put("ingestMillis", ingestMillis);
    r.put("acked", acked.get());
    r.put("ackedBytes", ackedBytes.get());
    r.put("deliveredAtEndOfIngest", deliveredAtEnd);
    r.put("delivered", delivered);
    r.put("drainedMillis", drainedMillis);
    r.put("commits", commits);
    r.put("appendRecords", appendRecords);
    r.put("parquetBytes", parquetBytes);
    r.put("commitSpanMillis", lastCommit - firstCommit);
    if (from != null && to != null && to[0] > from[0]) {
      r.put("steadyDeliveredPerSecond", (to[1] - from[1]) * 1000.0 / (to[0] - from[0]));
      r.put("steadyIngestPerSecond", (to[2] - from[2]) * 1000.0 / (to[0] - from[0]));
    }
    r.put("errors", String.join("; ", errors.subList(0, Math.min(3, errors.size()))));
    ArrayNode s = r.putArray("samples");
    for (long[] x : samples) {
      s.add(JSON.valueToTree(Arrays.asList(x[0], x[1], x[2])));
    }
    return r;
  }

  private static final char[] ALPHABET =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

  /**
   * A JSON record of exactly 200 bytes whose payload is random alphanumerics, so that Parquet's
   * compression does not turn it into nothing.
   */
  static byte[] record200(long id) {
    String head =
        "{\"id\":" + id + ",\"sent_at\":" + System.currentTimeMillis() + ",\"payload\":\"";
    String tail = "\"}";
    int pad = Math.max(0, 200 - head.length() - tail.length());
    java.util.concurrent.ThreadLocalRandom random =
        java.util.concurrent.ThreadLocalRandom.current();
    StringBuilder sb = new StringBuilder(200).append(head);
    for (int i = 0; i < pad; i++) {
      sb.append(ALPHABET[random.nextInt(ALPHABET.length)]);
    }
    return sb.append(tail).toString().getBytes(StandardCharsets.UTF_8);
  }

  // ---------------------------------------------------------------- plumbing

  private long totalRecords(String table) throws Exception {
    JsonNode t = api("GET", "/api/v1/catalog/databases/bench/tables/" + table, null, 200);
    return t.at("/currentSnapshot/summary/total-records").asLong(0);
  }

  private RESTCatalog restCatalog() {
    Map<String, String> rest = new HashMap<>();
    rest.put("uri", endpoint + "/iceberg");
    rest.put("credential", credentials.accessKeyId() + ":" + credentials.secretAccessKey());
    rest.put("rest.auth.type", "oauth2");
    rest.put("oauth2-server-uri", endpoint + "/iceberg/v1/oauth/tokens");
    rest.put("io-impl", "org.apache.iceberg.aws.s3.S3FileIO");
    rest.put("s3.endpoint", endpoint.toString());
    rest.put("s3.path-style-access", "true");
    rest.put("s3.access-key-id", credentials.accessKeyId());
    rest.put("s3.secret-access-key", credentials.secretAccessKey());
    rest.put("client.region", "us-east-1");
    RESTCatalog catalog = new RESTCatalog();
    catalog.initialize("basin", rest);
    return catalog;
  }

  private JsonNode api(String method, String path, String body, int status) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(endpoint.resolve(path))
            .header(
                "Authorization",
                "Bearer " + credentials.accessKeyId() + ":" + credentials.secretAccessKey())
            .header("Content-Type", "application/json")
            .timeout(Duration.ofSeconds(30))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != status) {
      throw new IllegalStateException(
          method + " " + path + " answered " + r.statusCode() + ": " + r.body());
    }
    return r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body());
  }
}
