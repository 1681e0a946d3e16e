package dev.basin.it.crash;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.basin.it.BasinProcess;
import dev.basin.it.NativeApi;
import dev.basin.it.s3.S3Clients;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * Kills a real Basin server with SIGKILL while clients PUT objects through the S3 API and append
 * rows to an Iceberg table through the native catalog API, restarts it, and checks that every
 * acknowledged object is there byte for byte, that no object is visible with bytes nobody sent, and
 * that the table holds every acknowledged row (and at most the rows of the one append in flight at
 * the kill). {@code -Dcrash.cycles=N} (default 4) runs more cycles.
 */
@ExtendWith(BasinProcess.DumpLogsOnFailure.class)
class LakeCrashIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int ROWS_PER_APPEND = 10;

  @TempDir Path dir;

  private final Map<String, String> ackedMd5 = new ConcurrentHashMap<>();
  private final Map<String, String> attemptedMd5 = new ConcurrentHashMap<>();
  private final AtomicLong ackedRows = new AtomicLong();
  private final AtomicLong attemptedRows = new AtomicLong();

  @Test
  void acknowledgedObjectsAndCommitsSurviveKillDashNine() throws Exception {
    int cycles = Integer.getInteger("crash.cycles", 4);
    long seed = Long.getLong("crash.seed", System.nanoTime());
    System.out.println("LakeCrashIT: seed=" + seed + " cycles=" + cycles);
    Random random = new Random(seed);
    BasinProcess server = BasinProcess.builder(dir.resolve("data")).maxHeap("384m").start();
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    try {
      api(http, server, "POST", "/api/v1/catalog/databases", "{\"name\":\"crash\"}", 201);
      api(
          http,
          server,
          "POST",
          "/api/v1/catalog/databases/crash/tables",
          "{\"name\":\"events\",\"columns\":[{\"name\":\"id\",\"type\":\"bigint\"},"
              + "{\"name\":\"body\",\"type\":\"string\"}]}",
          201);
      for (int cycle = 0; cycle < cycles; cycle++) {
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
          int writer = w;
          int c = cycle;
          long writerSeed = random.nextLong();
          writers.add(new Thread(() -> putObjects(server, c, writer, writerSeed, stop)));
        }
        writers.add(new Thread(() -> appendRows(server, http, stop)));
        writers.forEach(Thread::start);
        Thread.sleep(800 + random.nextInt(2500));
        server.kill();
        stop.set(true);
        for (Thread t : writers) {
          t.join(30_000);
        }
        server.restart();
        verify(server, http, cycle);
      }
      assertThat(ackedMd5).hasSizeGreaterThan(cycles);
      assertThat(ackedRows.get()).isPositive();
    } finally {
      server.close();
    }
  }

  private void putObjects(
      BasinProcess server, int cycle, int writer, long seed, AtomicBoolean stop) {
    Random random = new Random(seed);
    try (S3Client s3 = client(server)) {
      for (int n = 0; !stop.get(); n++) {
        String key = "crash/c" + cycle + "/w" + writer + "/" + n;
        byte[] data = new byte[1 + random.nextInt(300_000)];
        random.nextBytes(data);
        String md5 = md5(data);
        attemptedMd5.put(key, md5);
        try {
          s3.putObject(p -> p.bucket("raw").key(key), RequestBody.fromBytes(data));
        } catch (RuntimeException e) {
          return; // the server died under this request: its outcome is unknown
        }
        ackedMd5.put(key, md5);
      }
    } catch (RuntimeException e) {
      // Client setup failed because the server was already gone.
    }
  }

  private void appendRows(BasinProcess server, HttpClient http, AtomicBoolean stop) {
    long id = attemptedRows.get();
    while (!stop.get()) {
      StringBuilder body = new StringBuilder();
      for (int i = 0; i < ROWS_PER_APPEND; i++) {
        body.append("{\"id\":").append(id++).append(",\"body\":\"row\"}\n");
      }
      attemptedRows.addAndGet(ROWS_PER_APPEND);
      try {
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(
                        URI.create(
                            server.endpoint()
                                + "/api/v1/catalog/databases/crash/tables/events/rows"))
                    .header("Authorization", server.bearer())
                    .timeout(Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
          return;
        }
        ackedRows.addAndGet(ROWS_PER_APPEND);
      } catch (Exception e) {
        return;
      }
    }
  }

  private void verify(BasinProcess server, HttpClient http, int cycle) throws Exception {
    try (S3Client s3 = client(server)) {
      for (Map.Entry<String, String> e : ackedMd5.entrySet()) {
        ResponseBytes<GetObjectResponse> got =
            s3.getObjectAsBytes(g -> g.bucket("raw").key(e.getKey()));
        assertThat(md5(got.asByteArray()))
            .as("cycle %d: acknowledged object %s", cycle, e.getKey())
            .isEqualTo(e.getValue());
      }
      for (Map.Entry<String, String> e : attemptedMd5.entrySet()) {
        if (ackedMd5.containsKey(e.getKey())) {
          continue;
        }
        try {
          ResponseBytes<GetObjectResponse> got =
              s3.getObjectAsBytes(g -> g.bucket("raw").key(e.getKey()));
          assertThat(md5(got.asByteArray()))
              .as("cycle %d: an object in flight at the kill is whole or absent", cycle)
              .isEqualTo(e.getValue());
        } catch (NoSuchKeyException absent) {
          // Never acknowledged, never stored: fine.
        }
      }
    }
    JsonNode table =
        api(http, server, "GET", "/api/v1/catalog/databases/crash/tables/events", null, 200);
    long total = table.path("currentSnapshot").path("summary").path("total-records").asLong(0);
    assertThat(total)
        .as("cycle %d: rows in the table vs acknowledged %d", cycle, ackedRows.get())
        .isBetween(ackedRows.get(), ackedRows.get() + ROWS_PER_APPEND);
    // An append in flight at the kill may have committed: count it as acknowledged from now on.
    ackedRows.set(total);
    attemptedRows.set(Math.max(attemptedRows.get(), total));
  }

  private static S3Client client(BasinProcess server) {
    return S3Clients.client(server);
  }

  private static JsonNode api(
      HttpClient http, BasinProcess server, String method, String path, String body, int status) {
    return NativeApi.call(server, method, path, body, status);
  }

  private static String md5(byte[] data) throws RuntimeException {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(data));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
