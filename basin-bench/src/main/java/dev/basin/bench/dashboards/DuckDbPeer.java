package dev.basin.bench.dashboards;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.duckdb.DuckDBConnection;

/**
 * The peer: plain DuckDB (JDBC, in the benchmark's process) with a view named like Basin's table
 * over the very same Parquet files, running a load's SQL statements with the same parallelism as
 * the browser ({@code pool} connections of one database) and timing until the last result was read.
 */
final class DuckDbPeer implements AutoCloseable {
  private final Connection root;
  private final BlockingQueue<Connection> connections;
  private final ExecutorService pool;

  /**
   * @param table {@code database.table} as the visuals' SQL names it
   * @param files the table's Parquet files
   * @param threads DuckDB worker threads (Basin's engine uses one per core)
   */
  DuckDbPeer(String table, List<String> files, int pool, int threads) throws Exception {
    root = DriverManager.getConnection("jdbc:duckdb:");
    String[] parts = table.split("\\.");
    StringBuilder list = new StringBuilder("[");
    for (String p : files) {
      list.append(list.length() > 1 ? ", " : "")
          .append('\'')
          .append(p.replace("'", "''"))
          .append('\'');
    }
    list.append(']');
    try (Statement s = root.createStatement()) {
      s.execute("SET threads = " + threads);
      s.execute("CREATE SCHEMA " + parts[0]);
      s.execute("CREATE VIEW " + table + " AS SELECT * FROM read_parquet(" + list + ")");
    }
    connections = new ArrayBlockingQueue<>(pool);
    for (int i = 0; i < pool; i++) {
      connections.add(((DuckDBConnection) root).duplicate());
    }
    this.pool = Executors.newFixedThreadPool(pool);
  }

  /**
   * Runs the statements in parallel and reads every row.
   *
   * @return the time until the last statement's rows were read, in ms, and each statement's
   */
  Result load(List<String> sqls) throws Exception {
    long start = System.nanoTime();
    List<Future<Answer>> futures = new ArrayList<>();
    for (String sql : sqls) {
      futures.add(
          pool.submit(
              () -> {
                Connection c = connections.take();
                try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery(sql)) {
                  int n = rs.getMetaData().getColumnCount();
                  int rows = 0;
                  while (rs.next()) {
                    for (int i = 1; i <= n; i++) {
                      rs.getObject(i);
                    }
                    rows++;
                  }
                  return new Answer((System.nanoTime() - start) / 1e6, rows);
                } finally {
                  connections.add(c);
                }
              }));
    }
    List<Answer> done = new ArrayList<>();
    for (Future<Answer> f : futures) {
      done.add(f.get());
    }
    return new Result((System.nanoTime() - start) / 1e6, done);
  }

  /** One statement of a load: when its last row was read (ms from the load's start), and rows. */
  record Answer(double ms, int rows) {}

  /** One load of the peer: the time until the last statement's rows were read, and each one. */
  record Result(double ms, List<Answer> statements) {}

  @Override
  public void close() throws Exception {
    pool.shutdownNow();
    for (Connection c : connections) {
      c.close();
    }
    root.close();
  }
}
