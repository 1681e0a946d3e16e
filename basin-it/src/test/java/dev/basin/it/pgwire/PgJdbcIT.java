package dev.basin.it.pgwire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.basin.it.BasinProcess;
import dev.basin.server.auth.Credentials;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.net.Socket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.Date;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.util.PSQLException;

/**
 * pgjdbc, the PostgreSQL JDBC driver, against a real Basin server: log-in with SCRAM-SHA-256,
 * rejected passwords and databases, {@code DatabaseMetaData}, prepared statements with parameters
 * of many types (text and, after pgjdbc's prepare threshold, binary), a two-million-row result
 * streamed with a fetch size, cancel, errors with SQLSTATE and position, and malformed bytes on a
 * raw socket that leave the server serving.
 */
@ExtendWith(BasinProcess.DumpLogsOnFailure.class)
class PgJdbcIT {
  @TempDir static Path dir;
  private static BasinProcess server;
  private static Credentials credentials;

  @BeforeAll
  static void start() throws SQLException {
    server = BasinProcess.builder(dir.resolve("data")).maxHeap("768m").start();
    credentials = server.credentials();
    try (Connection c = connect("basin");
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE pgit");
      s.execute(
          "CREATE TABLE pgit.orders AS SELECT range AS id, 'customer ' || (range % 7) AS customer,"
              + " CAST(range / 4 AS DECIMAL(12,2)) AS total, range % 5 = 0 AS flagged,"
              + " DATE '2024-01-01' + CAST(range AS INTEGER) AS day FROM range(100)");
    }
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  static String url(String database) {
    return "jdbc:postgresql://127.0.0.1:" + server.pgPort() + "/" + database;
  }

  static Connection connect(String database) throws SQLException {
    return DriverManager.getConnection(
        url(database), credentials.accessKeyId(), credentials.secretAccessKey());
  }

  @Test
  void connectsWithScramAndReportsAPostgresVersion() throws SQLException {
    try (Connection c = connect("basin");
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT 41 + 1 AS answer")) {
      assertThat(c.getMetaData().getDatabaseProductName()).isEqualTo("PostgreSQL");
      assertThat(c.getMetaData().getDatabaseMajorVersion()).isEqualTo(16);
      assertThat(rs.next()).isTrue();
      assertThat(rs.getInt("answer")).isEqualTo(42);
    }
  }

  @Test
  void wrongPasswordAndUnknownDatabaseAreRejected() {
    assertThatThrownBy(
            () -> DriverManager.getConnection(url("basin"), credentials.accessKeyId(), "wrong"))
        .isInstanceOfSatisfying(
            SQLException.class,
            e -> {
              assertThat(e.getSQLState()).isEqualTo("28P01");
              assertThat(e.getMessage()).contains("password authentication failed");
            });
    assertThatThrownBy(
            () ->
                DriverManager.getConnection(url("basin"), "NOBODY", credentials.secretAccessKey()))
        .isInstanceOfSatisfying(
            SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("28P01"));
    assertThatThrownBy(() -> connect("nowhere"))
        .isInstanceOfSatisfying(
            SQLException.class,
            e -> {
              assertThat(e.getSQLState()).isEqualTo("3D000");
              assertThat(e.getMessage()).contains("basin");
            });
  }

  @Test
  void databaseMetaDataListsSchemasTablesAndColumns() throws SQLException {
    try (Connection c = connect("basin")) {
      DatabaseMetaData md = c.getMetaData();
      List<String> schemas = new ArrayList<>();
      try (ResultSet rs = md.getSchemas()) {
        while (rs.next()) {
          schemas.add(rs.getString("TABLE_SCHEM"));
        }
      }
      assertThat(schemas).contains("pgit", "information_schema", "pg_catalog");

      List<String> tables = new ArrayList<>();
      try (ResultSet rs = md.getTables(null, "pgit", "%", new String[] {"TABLE", "VIEW"})) {
        while (rs.next()) {
          tables.add(
              rs.getString("TABLE_SCHEM")
                  + "."
                  + rs.getString("TABLE_NAME")
                  + ":"
                  + rs.getString("TABLE_TYPE"));
        }
      }
      assertThat(tables).containsExactly("pgit.orders:TABLE");

      Map<String, Integer> types = new LinkedHashMap<>();
      Map<String, String> typeNames = new LinkedHashMap<>();
      try (ResultSet rs = md.getColumns(null, "pgit", "orders", "%")) {
        while (rs.next()) {
          types.put(rs.getString("COLUMN_NAME"), rs.getInt("DATA_TYPE"));
          typeNames.put(rs.getString("COLUMN_NAME"), rs.getString("TYPE_NAME"));
          if (rs.getString("COLUMN_NAME").equals("total")) {
            assertThat(rs.getInt("COLUMN_SIZE")).isEqualTo(12);
            assertThat(rs.getInt("DECIMAL_DIGITS")).isEqualTo(2);
          }
        }
      }
      assertThat(types)
          .containsExactly(
              Map.entry("id", Types.BIGINT),
              Map.entry("customer", Types.VARCHAR),
              Map.entry("total", Types.NUMERIC),
              Map.entry("flagged", Types.BIT),
              Map.entry("day", Types.DATE));
      assertThat(typeNames).containsEntry("id", "int8").containsEntry("day", "date");

      try (ResultSet rs = md.getPrimaryKeys(null, "pgit", "orders")) {
        assertThat(rs.next()).isFalse();
      }
      try (ResultSet rs = md.getCatalogs()) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo("basin");
      }
    }
  }

  @Test
  void currentSchemaMakesUnqualifiedNamesResolve() throws SQLException {
    try (Connection c = connect("basin?currentSchema=pgit");
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM orders")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getLong(1)).isEqualTo(100);
      assertThat(c.getSchema()).isEqualTo("pgit");
    }
  }

  @Test
  void preparedStatementsWithParametersOfManyTypes() throws SQLException {
    try (Connection c = connect("basin");
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT ?::INTEGER + 1 AS i, ?::BIGINT AS b, ?::VARCHAR AS s, ?::DOUBLE AS d,"
                    + " ?::DATE AS dt, ?::TIMESTAMP AS ts, ?::BOOLEAN AS f,"
                    + " ?::DECIMAL(10,3) AS n")) {
      // pgjdbc switches to a named statement and binary results after five executions
      for (int i = 0; i < 8; i++) {
        ps.setInt(1, 41 + i);
        ps.setLong(2, 5_000_000_000L);
        ps.setString(3, "héllo " + i);
        ps.setDouble(4, 1.25);
        ps.setDate(5, Date.valueOf("2024-02-29"));
        ps.setTimestamp(6, Timestamp.valueOf("2024-01-02 03:04:05.123456"));
        ps.setBoolean(7, i % 2 == 0);
        ps.setBigDecimal(8, new BigDecimal("12.345"));
        try (ResultSet rs = ps.executeQuery()) {
          assertThat(rs.next()).isTrue();
          assertThat(rs.getInt("i")).isEqualTo(42 + i);
          assertThat(rs.getLong("b")).isEqualTo(5_000_000_000L);
          assertThat(rs.getString("s")).isEqualTo("héllo " + i);
          assertThat(rs.getDouble("d")).isEqualTo(1.25);
          assertThat(rs.getObject("dt", LocalDate.class)).isEqualTo(LocalDate.of(2024, 2, 29));
          assertThat(rs.getObject("ts", LocalDateTime.class))
              .isEqualTo(LocalDateTime.of(2024, 1, 2, 3, 4, 5, 123_456_000));
          assertThat(rs.getBoolean("f")).isEqualTo(i % 2 == 0);
          assertThat(rs.getBigDecimal("n")).isEqualByComparingTo("12.345");
          assertThat(rs.next()).isFalse();
        }
      }
    }
    try (Connection c = connect("basin");
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT count(*) AS n, min(id) AS lo FROM pgit.orders WHERE id >= ? AND customer <> ?"
                    + " AND total >= ? AND flagged = ? AND day >= ?")) {
      ps.setLong(1, 10);
      ps.setString(2, "customer 3");
      ps.setBigDecimal(3, new BigDecimal("2.50"));
      ps.setBoolean(4, true);
      ps.setObject(5, LocalDate.of(2024, 1, 1));
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).isTrue();
        // ids 10..99 divisible by 5, except those with id % 7 == 3
        long expected = 0;
        for (int id = 10; id < 100; id += 5) {
          if (id % 7 != 3) {
            expected++;
          }
        }
        assertThat(rs.getLong("n")).isEqualTo(expected);
        // id 10 is "customer 3"
        assertThat(rs.getLong("lo")).isEqualTo(15);
      }
      ps.setNull(2, Types.VARCHAR);
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getLong("n")).isZero();
      }
    }
  }

  @Test
  void largeResultsStreamWithAFetchSize() throws SQLException {
    long n = 2_000_000;
    try (Connection c = connect("basin")) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.setFetchSize(1000);
        long rows = 0;
        long sum = 0;
        try (ResultSet rs = s.executeQuery("SELECT * FROM range(" + n + ")")) {
          while (rs.next()) {
            rows++;
            sum += rs.getLong(1);
          }
        }
        assertThat(rows).isEqualTo(n);
        assertThat(sum).isEqualTo(n * (n - 1) / 2);
      }
      c.commit();
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT 1")) {
        assertThat(rs.next()).isTrue();
      }
      c.rollback();
    }
  }

  @Test
  void cancelStopsALongQueryAndTheConnectionStaysUsable() throws Exception {
    try (Connection c = connect("basin");
        Statement s = c.createStatement()) {
      CompletableFuture<Void> running =
          CompletableFuture.runAsync(
              () -> {
                try (ResultSet rs =
                    s.executeQuery(
                        "SELECT sum(a.range * b.range) FROM range(1000000) a, range(1000000) b")) {
                  rs.next();
                } catch (SQLException e) {
                  throw new RuntimeException(e);
                }
              });
      // pgjdbc sends a cancel only while the statement runs: keep asking until it ends.
      while (!running.isDone()) {
        s.cancel();
        Thread.sleep(100);
      }
      assertThatThrownBy(() -> running.get(2, TimeUnit.MINUTES))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .cause()
          .isInstanceOfSatisfying(
              SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("57014"));
      try (ResultSet rs = s.executeQuery("SELECT 7")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getInt(1)).isEqualTo(7);
      }
    }
  }

  @Test
  void errorsCarrySqlstateAndPositionAndTheConnectionKeepsWorking() throws SQLException {
    try (Connection c = connect("basin");
        Statement s = c.createStatement()) {
      assertThatThrownBy(() -> s.executeQuery("SELEC 1"))
          .isInstanceOfSatisfying(
              PSQLException.class,
              e -> {
                assertThat(e.getSQLState()).isEqualTo("42601");
                assertThat(e.getServerErrorMessage().getPosition()).isEqualTo(1);
              });
      assertThatThrownBy(() -> s.executeQuery("SELECT * FROM pgit.missing"))
          .isInstanceOfSatisfying(
              SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("42P01"));
      assertThatThrownBy(() -> s.executeQuery("SELECT nope FROM pgit.orders"))
          .isInstanceOfSatisfying(
              SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("42703"));
      try (ResultSet rs = s.executeQuery("SELECT count(*) FROM pgit.orders")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getLong(1)).isEqualTo(100);
      }
      // in manual-commit mode an error fails the transaction until rollback, as in PostgreSQL
      c.setAutoCommit(false);
      assertThatThrownBy(() -> s.executeQuery("SELECT * FROM pgit.missing"))
          .isInstanceOf(SQLException.class);
      assertThatThrownBy(() -> s.executeQuery("SELECT 1"))
          .isInstanceOfSatisfying(
              SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("25P02"));
      c.rollback();
      try (ResultSet rs = s.executeQuery("SELECT 2")) {
        assertThat(rs.next()).isTrue();
      }
      c.commit();
    }
  }

  @Test
  void malformedBytesOnARawSocketDoNotHurtTheServer() throws Exception {
    try (Connection healthy = connect("basin")) {
      byte[][] attacks = {
        {0, 0, 0, 3}, // start-up packet shorter than its header
        {0x7f, 0, 0, 0, 1, 2, 3}, // 2 GiB start-up packet
        {0, 0, 0, 8, 0, 9, 0, 0}, // protocol 9.0
        "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII)
      };
      for (byte[] attack : attacks) {
        try (Socket socket = new Socket("127.0.0.1", server.pgPort())) {
          socket.setSoTimeout(30_000);
          OutputStream out = socket.getOutputStream();
          out.write(attack);
          out.flush();
          DataInputStream in = new DataInputStream(socket.getInputStream());
          assertThat(in.read()).as("an ErrorResponse").isEqualTo('E');
          byte[] body = new byte[in.readInt() - 4];
          in.readFully(body);
          String fields = new String(body, java.nio.charset.StandardCharsets.UTF_8);
          assertThat(fields).contains("FATAL").containsAnyOf("08P01", "0A000");
          assertThat(readToEnd(in)).as("connection closed").isTrue();
        }
      }
      try (Statement s = healthy.createStatement();
          ResultSet rs = s.executeQuery("SELECT 1")) {
        assertThat(rs.next()).isTrue();
      }
      try (Connection fresh = connect("basin");
          Statement s = fresh.createStatement();
          ResultSet rs = s.executeQuery("SELECT 2")) {
        assertThat(rs.next()).isTrue();
      }
    }
    assertThat(server.isAlive()).isTrue();
  }

  private static boolean readToEnd(DataInputStream in) throws IOException {
    try {
      while (in.read() >= 0) {
        // drain
      }
      return true;
    } catch (EOFException e) {
      return true;
    }
  }

  @Test
  void connectionPropertiesApplicationNameAndOptionsAreApplied() throws SQLException {
    Properties props = new Properties();
    props.setProperty("user", credentials.accessKeyId());
    props.setProperty("password", credentials.secretAccessKey());
    props.setProperty("ApplicationName", "pgjdbc-it");
    props.setProperty("options", "-c search_path=pgit");
    try (Connection c = DriverManager.getConnection(url("basin"), props);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SHOW application_name")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("pgjdbc-it");
      try (ResultSet count = s.executeQuery("SELECT count(*) FROM orders")) {
        assertThat(count.next()).isTrue();
        assertThat(count.getLong(1)).isEqualTo(100);
      }
    }
  }
}
