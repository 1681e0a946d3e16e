package dev.basin.bench.sql;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.basin.bench.support.BenchArgs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The peer: plain DuckDB (same JDBC driver, same thread count) over the very Parquet files of
 * Basin's tables, with views named like the tables. Runs each query once to warm up and then {@code
 * --runs} times, timing execution plus reading every row, and prints {@code RESULT {"query": [ms,
 * …], …}}.
 *
 * <p>Options: {@code --files FILE} (lines {@code table<TAB>path}), {@code --runs N}, {@code
 * --threads N}.
 */
public final class RawDuckDbDriver {

  private RawDuckDbDriver() {}

  public static void main(String[] argv) throws Exception {
    Map<String, String> a = BenchArgs.parse(argv).asMap();
    int runs = Integer.parseInt(a.getOrDefault("runs", "5"));
    int threads = Integer.parseInt(a.getOrDefault("threads", "2"));
    Map<String, List<String>> files = new java.util.TreeMap<>();
    for (String line : Files.readAllLines(Path.of(a.get("files")))) {
      String[] parts = line.split("\t", 2);
      files.computeIfAbsent(parts[0], k -> new ArrayList<>()).add(parts[1]);
    }
    ObjectMapper json = new ObjectMapper();
    ObjectNode result = json.createObjectNode();
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement s = c.createStatement()) {
      s.execute("SET threads = " + threads);
      for (Map.Entry<String, List<String>> e : files.entrySet()) {
        StringBuilder list = new StringBuilder("[");
        for (String p : e.getValue()) {
          list.append(list.length() > 1 ? ", " : "").append('\'').append(p).append('\'');
        }
        list.append(']');
        s.execute("CREATE VIEW " + e.getKey() + " AS SELECT * FROM read_parquet(" + list + ")");
      }
      for (Map.Entry<String, String> q : SqlQueries.all().entrySet()) {
        run(s, q.getValue());
        ArrayNode times = result.putArray(q.getKey());
        for (int i = 0; i < runs; i++) {
          long start = System.nanoTime();
          run(s, q.getValue());
          times.add((System.nanoTime() - start) / 1e6);
        }
      }
    }
    System.out.println("RESULT " + json.writeValueAsString(result));
  }

  private static void run(Statement s, String sql) throws Exception {
    try (ResultSet rs = s.executeQuery(sql)) {
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        for (int i = 1; i <= n; i++) {
          rs.getObject(i);
        }
      }
    }
  }
}
