package dev.basin.it.crash;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.basin.it.BasinProcess;
import dev.basin.server.auth.Credentials;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a real Basin server with SIGKILL while SQL writers run {@code INSERT … SELECT} over
 * PostgreSQL wire and {@code CREATE TABLE … AS SELECT} through the query service, restarts it, and
 * checks that every acknowledged statement's rows are there exactly once, that a statement in
 * flight at the kill left either all of its rows or none, that every acknowledged CTAS table exists
 * whole, and that the query history still answers for executions that had SUCCEEDED. {@code
 * -Dcrash.cycles=N} (default 3) runs more cycles.
 */
@ExtendWith(BasinProcess.DumpLogsOnFailure.class)
class SqlCrashIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int ROWS_PER_INSERT = 50;
  private static final int ROWS_PER_CTAS = 20;

  @TempDir Path dir;

  private final Set<Long> ackedBatches = ConcurrentHashMap.newKeySet();
  private final Set<Long> attemptedBatches = ConcurrentHashMap.newKeySet();
  private final Map<String, String> ackedTables = new ConcurrentHashMap<>();
  private final Set<String> succeededExecutions = ConcurrentHashMap.newKeySet();

  @Test
  void acknowledgedSqlWritesSurviveKillDashNine() throws Exception {
    int cycles = Integer.getInteger("crash.cycles", 3);
    long seed = Long.getLong("crash.seed", System.nanoTime());
    System.out.println("SqlCrashIT: seed=" + seed + " cycles=" + cycles);
    Random random = new Random(seed);
    BasinProcess server = BasinProcess.builder(dir.resolve("data")).maxHeap("512m").start();
    try {
      try (Connection c = connect(server);
          Statement s = c.createStatement()) {
        s.execute("CREATE DATABASE crash");
        s.execute("CREATE TABLE crash.events (batch bigint, n bigint)");
      }
      long nextBatch = 0;
      for (int cycle = 0; cycle < cycles; cycle++) {
        AtomicBoolean stop = new AtomicBoolean();
        long firstBatch = nextBatch;
        nextBatch += 1_000_000;
        int c = cycle;
        List<Thread> writers = new ArrayList<>();
        writers.add(new Thread(() -> insertBatches(server, firstBatch, stop)));
        writers.add(new Thread(() -> createTables(server, c, stop)));
        writers.forEach(Thread::start);
        Thread.sleep(1500 + random.nextInt(2500));
        server.kill();
        stop.set(true);
        for (Thread t : writers) {
          t.join(30_000);
        }
        server.restart();
        verify(server);
      }
      assertThat(ackedBatches).hasSizeGreaterThan(cycles);
      assertThat(ackedTables).isNotEmpty();
    } finally {
      server.close();
    }
  }

  private static Connection connect(BasinProcess server) throws Exception {
    Credentials keys = server.credentials();
    return DriverManager.getConnection(
        "jdbc:postgresql://127.0.0.1:" + server.pgPort() + "/basin",
        keys.accessKeyId(),
        keys.secretAccessKey());
  }

  private void insertBatches(BasinProcess server, long first, AtomicBoolean stop) {
    try (Connection c = connect(server);
        Statement s = c.createStatement()) {
      for (long batch = first; !stop.get(); batch++) {
        attemptedBatches.add(batch);
        try {
          s.executeUpdate(
              "INSERT INTO crash.events SELECT "
                  + batch
                  + ", range FROM range("
                  + ROWS_PER_INSERT
                  + ")");
        } catch (Exception e) {
          return; // the server died under this statement: its outcome is unknown
        }
        ackedBatches.add(batch);
      }
    } catch (Exception e) {
      // connecting failed: the server is already gone
    }
  }

  private void createTables(BasinProcess server, int cycle, AtomicBoolean stop) {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    for (int n = 0; !stop.get(); n++) {
      String table = "t_" + cycle + "_" + n;
      String sql =
          "CREATE TABLE crash." + table + " AS SELECT range AS n FROM range(" + ROWS_PER_CTAS + ")";
      try {
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(URI.create(server.endpoint() + "/api/v1/queries"))
                    .header("Authorization", server.bearer())
                    .header("Content-Type", "application/json")
                    .timeout(Duration.ofSeconds(30))
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            JSON.createObjectNode().put("sql", sql).put("wait", true).toString()))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode e = JSON.readTree(r.body());
        if (r.statusCode() != 200 || !e.path("state").asText().equals("SUCCEEDED")) {
          return;
        }
        ackedTables.put(table, e.path("id").asText());
        succeededExecutions.add(e.path("id").asText());
      } catch (Exception e) {
        return;
      }
    }
  }

  private void verify(BasinProcess server) throws Exception {
    Map<Long, Long> counts = new java.util.HashMap<>();
    try (Connection c = connect(server);
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT batch, count(*), count(DISTINCT n) FROM crash.events GROUP BY batch")) {
      while (rs.next()) {
        long batch = rs.getLong(1);
        assertThat(rs.getLong(2))
            .as("batch %d has each of its rows exactly once", batch)
            .isEqualTo(ROWS_PER_INSERT)
            .isEqualTo(rs.getLong(3));
        counts.put(batch, rs.getLong(2));
      }
    }
    assertThat(counts.keySet()).as("every acknowledged INSERT is there").containsAll(ackedBatches);
    assertThat(attemptedBatches).as("no rows nobody inserted").containsAll(counts.keySet());
    try (Connection c = connect(server);
        Statement s = c.createStatement()) {
      for (String table : ackedTables.keySet()) {
        try (ResultSet rs = s.executeQuery("SELECT count(*) FROM crash." + table)) {
          assertThat(rs.next()).isTrue();
          assertThat(rs.getLong(1)).as(table).isEqualTo(ROWS_PER_CTAS);
        }
      }
    }
    HttpClient http = HttpClient.newHttpClient();
    for (String id : succeededExecutions) {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(server.endpoint() + "/api/v1/queries/" + id))
                  .header("Authorization", server.bearer())
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(JSON.readTree(r.body()).path("state").asText())
          .as("history of %s", id)
          .isEqualTo("SUCCEEDED");
    }
  }
}
