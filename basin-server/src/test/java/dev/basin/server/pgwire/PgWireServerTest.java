package dev.basin.server.pgwire;

import static org.assertj.core.api.Assertions.assertThat;

import dev.basin.server.auth.Credentials;
import dev.basin.server.pgwire.PgTestClient.Msg;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The protocol end to end over raw sockets, against an in-memory engine. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PgWireServerTest {
  static final Credentials CREDENTIALS = new Credentials("BASINTESTKEY00000000", "s3cr3t/Key+abc");
  FakeSqlEngine engine;
  PgWireServer server;

  @BeforeEach
  void start() {
    engine = new FakeSqlEngine();
    server = start(PgWireConfig.defaults("127.0.0.1", 0));
  }

  PgWireServer start(PgWireConfig config) {
    return new PgWireServer(engine, CREDENTIALS, config).start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  PgTestClient login() throws IOException {
    return PgTestClient.login(
        server.port(), CREDENTIALS.accessKeyId(), CREDENTIALS.secretAccessKey(), "basin");
  }

  // ------------------------------------------------------------------ start-up

  @Test
  void scramLoginReportsParametersAndBackendKey() throws Exception {
    try (PgTestClient c = login()) {
      assertThat(c.parameters)
          .containsEntry("server_version", "16.0 (Basin)")
          .containsEntry("server_encoding", "UTF8")
          .containsEntry("client_encoding", "UTF8")
          .containsEntry("DateStyle", "ISO, MDY")
          .containsEntry("integer_datetimes", "on")
          .containsEntry("standard_conforming_strings", "on")
          .containsEntry("TimeZone", "UTC")
          .containsEntry("session_authorization", CREDENTIALS.accessKeyId());
      assertThat(c.pid).isNotZero();
      c.query("SELECT 1");
      List<Msg> msgs = c.untilReady();
      assertThat(PgTestClient.types(msgs)).isEqualTo("TDCZ");
      assertThat(msgs.get(1).row()).containsExactly("1");
      assertThat(msgs.get(2).tag()).isEqualTo("SELECT 1");
    }
  }

  @Test
  void wrongPasswordIsRejectedWithNothingElse() throws Exception {
    try (PgTestClient c = new PgTestClient(server.port())) {
      Msg m = c.startup(CREDENTIALS.accessKeyId(), "wrong", "basin", Map.of());
      assertThat(m.type()).isEqualTo('E');
      assertThat(m.fields())
          .containsEntry('S', "FATAL")
          .containsEntry('C', "28P01")
          .containsEntry('M', "password authentication failed for user \"BASINTESTKEY00000000\"");
      assertThat(c.parameters).isEmpty();
      assertThat(c.closedByServer()).isTrue();
    }
    assertThat(engine.sessions).isEmpty();
  }

  @Test
  void unknownUserGetsTheSameAnswerAsAWrongPassword() throws Exception {
    try (PgTestClient c = new PgTestClient(server.port())) {
      Msg m = c.startup("SOMEONE", CREDENTIALS.secretAccessKey(), "basin", Map.of());
      assertThat(m.fields())
          .containsEntry('C', "28P01")
          .containsEntry('M', "password authentication failed for user \"SOMEONE\"");
    }
  }

  @Test
  void cleartextPasswordWhenConfigured() throws Exception {
    server.close();
    server = start(PgWireConfig.defaults("127.0.0.1", 0).withAuthMethod(PgAuthMethod.PASSWORD));
    try (PgTestClient c = login()) {
      c.query("SELECT 7");
      assertThat(c.untilReady().get(1).row()).containsExactly("7");
    }
    try (PgTestClient c = new PgTestClient(server.port())) {
      Msg m = c.startup(CREDENTIALS.accessKeyId(), "nope", "basin", Map.of());
      assertThat(m.fields()).containsEntry('C', "28P01");
    }
  }

  @Test
  void unknownDatabaseIsFatal3D000() throws Exception {
    try (PgTestClient c = new PgTestClient(server.port())) {
      Msg m = c.startup(CREDENTIALS.accessKeyId(), CREDENTIALS.secretAccessKey(), "nope", Map.of());
      assertThat(m.fields()).containsEntry('S', "FATAL").containsEntry('C', "3D000");
      assertThat(m.fields().get('M'))
          .contains("database \"nope\" does not exist")
          .contains("basin");
    }
  }

  @Test
  void catalogDatabaseAndSearchPathSelectTheSessionDatabase() throws Exception {
    try (PgTestClient c = new PgTestClient(server.port())) {
      Msg m =
          c.startup(
              CREDENTIALS.accessKeyId(),
              CREDENTIALS.secretAccessKey(),
              "basin",
              Map.of("options", "-c search_path=db", "application_name", "itest"));
      assertThat(m.type()).isEqualTo('Z');
      assertThat(c.parameters).containsEntry("application_name", "itest");
      assertThat(engine.sessions.get(0).database).isEqualTo("db");
      c.query("SHOW search_path");
      assertThat(c.untilReady().get(1).row()).containsExactly("db");
    }
    try (PgTestClient c =
        PgTestClient.login(
            server.port(), CREDENTIALS.accessKeyId(), CREDENTIALS.secretAccessKey(), "db")) {
      assertThat(engine.sessions.get(1).database).isEqualTo("db");
    }
    // drivers default the database to the user name: that is Basin's one database too
    try (PgTestClient c =
        PgTestClient.login(
            server.port(),
            CREDENTIALS.accessKeyId(),
            CREDENTIALS.secretAccessKey(),
            CREDENTIALS.accessKeyId())) {
      assertThat(engine.sessions.get(2).database).isNull();
    }
  }

  @Test
  void sslAndGssEncryptionRequestsAreDeclined() throws Exception {
    try (PgTestClient c = new PgTestClient(server.port())) {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      PgTestClient.writeInt(b, 80877103);
      c.sendUntyped(b.toByteArray());
      assertThat(c.readByte()).isEqualTo('N');
      b.reset();
      PgTestClient.writeInt(b, 80877104);
      c.sendUntyped(b.toByteArray());
      assertThat(c.readByte()).isEqualTo('N');
      Msg m =
          c.startup(CREDENTIALS.accessKeyId(), CREDENTIALS.secretAccessKey(), "basin", Map.of());
      assertThat(m.type()).isEqualTo('Z');
    }
  }

  @Test
  void connectionsBeyondTheLimitGet53300() throws Exception {
    server.close();
    server = start(PgWireConfig.defaults("127.0.0.1", 0).withMaxConnections(1));
    try (PgTestClient first = login();
        PgTestClient second = new PgTestClient(server.port())) {
      Msg m =
          second.startup(
              CREDENTIALS.accessKeyId(), CREDENTIALS.secretAccessKey(), "basin", Map.of());
      assertThat(m.fields()).containsEntry('C', "53300");
      first.query("SELECT 1");
      assertThat(PgTestClient.types(first.untilReady())).isEqualTo("TDCZ");
    }
  }

  // ------------------------------------------------------------------ simple query

  @Test
  void simpleQueryRunsEveryStatementAndStopsAtTheFirstError() throws Exception {
    try (PgTestClient c = login()) {
      c.query("SELECT 1; SELECT 2 ; -- comment\n CREATE TABLE db.x (a int);");
      List<Msg> msgs = c.untilReady();
      assertThat(PgTestClient.types(msgs)).isEqualTo("TDCTDCCZ");
      assertThat(msgs.get(6).tag()).isEqualTo("CREATE TABLE");

      c.query("SELECT 1; SELECT * FROM missing; SELECT 3");
      msgs = c.untilReady();
      assertThat(PgTestClient.types(msgs)).isEqualTo("TDCEZ");
      Map<Character, String> error = msgs.get(3).fields();
      assertThat(error).containsEntry('S', "ERROR").containsEntry('C', "42P01");
      // the position counts from the start of the whole query text
      assertThat(error.get('P')).isEqualTo(String.valueOf("SELECT 1; SELECT * FROM ".length() + 1));

      c.query("SELEC 1");
      msgs = c.untilReady();
      assertThat(msgs.get(0).fields()).containsEntry('C', "42601").containsEntry('P', "1");

      c.query("SELECT 5");
      assertThat(c.untilReady().get(1).row()).containsExactly("5");
    }
  }

  @Test
  void emptyQueryGetsEmptyQueryResponse() throws Exception {
    try (PgTestClient c = login()) {
      c.query("  ; -- nothing\n");
      assertThat(PgTestClient.types(c.untilReady())).isEqualTo("IZ");
    }
  }

  @Test
  void textFormatsMatchPostgres() throws Exception {
    try (PgTestClient c = login()) {
      c.query("SELECT types()");
      List<Msg> msgs = c.untilReady();
      List<Object[]> fields = msgs.get(0).fieldsDescribed();
      assertThat(fields.stream().map(f -> (Integer) f[1]).toList())
          .containsExactly(
              16, 21, 23, 20, 700, 701, 1700, 25, 17, 1082, 1083, 1114, 1184, 1186, 2950, 114, 25,
              1700, 25);
      assertThat(fields.get(6)[3]).isEqualTo(((10 << 16) | 3) + 4);
      assertThat(msgs.get(1).row())
          .containsExactly(
              "t",
              "7",
              "42",
              "5000000000",
              "1.5",
              "0.1",
              "-12.345",
              "héllo",
              "\\x0001ff",
              "2024-01-02",
              "03:04:05.000006",
              "2024-01-02 03:04:05.123456",
              "2024-01-02 02:04:05+00",
              "1 year 2 mons 3 days 04:05:06.789",
              "a5307cab-ca8b-4f26-afd1-406ac24d0ad7",
              "{\"a\":1}",
              "[1, 2]",
              "123456789012345678901234567890",
              null);
    }
  }

  @Test
  void largeResultsStreamBeforeTheQueryFinishes() throws Exception {
    try (PgTestClient c = login()) {
      c.query("SELECT * FROM gated(200000)");
      // The cursor stops after half of the rows until the gate opens: rows must arrive first.
      assertThat(c.read().type()).isEqualTo('T');
      long rows = 0;
      while (rows < 1000) {
        assertThat(c.read().type()).isEqualTo('D');
        rows++;
      }
      engine.openGate();
      Msg m;
      while ((m = c.read()).type() == 'D') {
        rows++;
      }
      assertThat(rows).isEqualTo(200000);
      assertThat(m.tag()).isEqualTo("SELECT 200000");
      assertThat(c.read().type()).isEqualTo('Z');
    }
  }

  // ------------------------------------------------------------------ extended query

  @Test
  void extendedQueryWithRowLimitSuspendsAndContinues() throws Exception {
    try (PgTestClient c = login()) {
      c.send('Q', "BEGIN\0".getBytes(StandardCharsets.UTF_8));
      assertThat(c.untilReady().get(1).body()).containsExactly('T');
      c.parse("s1", "SELECT * FROM range(5)");
      c.bind("p1", "s1", new short[0], List.of());
      c.describe('P', "p1");
      c.execute("p1", 2);
      c.sync();
      List<Msg> msgs = c.untilReady();
      assertThat(PgTestClient.types(msgs)).isEqualTo("12TDDsZ");
      assertThat(msgs.get(6).body()).containsExactly('T');
      c.execute("p1", 2);
      c.sync();
      assertThat(PgTestClient.types(c.untilReady())).isEqualTo("DDsZ");
      c.execute("p1", 2);
      c.sync();
      msgs = c.untilReady();
      assertThat(PgTestClient.types(msgs)).isEqualTo("DCZ");
      assertThat(msgs.get(1).tag()).isEqualTo("SELECT 1");
      c.query("COMMIT");
      msgs = c.untilReady();
      assertThat(msgs.get(0).tag()).isEqualTo("COMMIT");
      assertThat(msgs.get(1).body()).containsExactly('I');
      // the portal ended with the transaction
      c.execute("p1", 0);
      c.sync();
      assertThat(c.untilReady().get(0).fields()).containsEntry('C', "34000");
    }
  }

  @Test
  void parametersInTextAndBinaryWithDeclaredAndEngineTypes() throws Exception {
    try (PgTestClient c = login()) {
      // pgjdbc's shapes: int4/int8/float8 binary, numeric binary, text, date and timestamp as
      // untyped text with a zone suffix, bool as text
      c.parse(
          "",
          "SELECT $1::int, $2::bigint, $3::text, $4::double, $5::date, $6::timestamp, $7::bool,"
              + " $8::numeric, $9::timestamptz, $10",
          23,
          20,
          1043,
          701,
          0,
          0,
          16,
          1700,
          1184,
          0);
      ByteArrayOutputStream numeric = new ByteArrayOutputStream();
      PgTestClient.writeShort(numeric, 2);
      PgTestClient.writeShort(numeric, 0);
      PgTestClient.writeShort(numeric, 0);
      PgTestClient.writeShort(numeric, 3);
      PgTestClient.writeShort(numeric, 12);
      PgTestClient.writeShort(numeric, 3450);
      List<byte[]> values =
          Arrays.asList(
              ByteBuffer.allocate(4).putInt(41).array(),
              ByteBuffer.allocate(8).putLong(5).array(),
              "x".getBytes(StandardCharsets.UTF_8),
              ByteBuffer.allocate(8).putDouble(1.5).array(),
              "2024-01-02 +01".getBytes(StandardCharsets.UTF_8),
              "2024-01-02 03:04:05.123456+01".getBytes(StandardCharsets.UTF_8),
              "TRUE".getBytes(StandardCharsets.UTF_8),
              numeric.toByteArray(),
              "2024-01-02 03:04:05+01".getBytes(StandardCharsets.UTF_8),
              null);
      c.bind("", "", new short[] {1, 1, 0, 1, 0, 0, 0, 1, 0, 0}, values);
      c.describe('S', "");
      c.execute("", 0);
      c.sync();
      List<Msg> msgs = c.untilReady();
      assertThat(PgTestClient.types(msgs)).isEqualTo("12tTDCZ");
      ByteBuffer pd = msgs.get(2).buffer();
      assertThat(pd.getShort()).isEqualTo((short) 10);
      List<Integer> oids = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        oids.add(pd.getInt());
      }
      assertThat(oids).containsExactly(23, 20, 1043, 701, 1082, 1114, 16, 1700, 1184, 25);
      List<Object> received = new ArrayList<>(engine.executions.get(0));
      assertThat(received)
          .containsExactly(
              41,
              5L,
              "x",
              1.5,
              LocalDate.of(2024, 1, 2),
              LocalDateTime.of(2024, 1, 2, 3, 4, 5, 123_456_000),
              true,
              new BigDecimal("12.345"),
              java.time.OffsetDateTime.parse("2024-01-02T03:04:05+01:00"),
              null);
      assertThat(msgs.get(4).row().subList(0, 8))
          .containsExactly(
              "41", "5", "x", "1.5", "2024-01-02", "2024-01-02 03:04:05.123456", "t", "12.345");
    }
  }

  @Test
  void columnsThatDependOnParametersAreLearnedByRunningTheStatement() throws Exception {
    try (PgTestClient c = login()) {
      c.parse("", "SELECT dyn($1)", 1082);
      c.bind(
          "", "", new short[0], List.of("2024-01-02".getBytes(StandardCharsets.UTF_8)), (short) 1);
      c.describe('P', "");
      c.execute("", 0);
      c.sync();
      List<Msg> msgs = c.untilReady();
      assertThat(PgTestClient.types(msgs)).isEqualTo("12TDCZ");
      assertThat(msgs.get(2).fieldsDescribed().get(0)[1]).isEqualTo(1082);
      assertThat(ByteBuffer.wrap(msgs.get(3).rawRow().get(0)).getInt()).isEqualTo(8767);

      // a named statement described before Bind: the columns come from a run with NULLs
      c.parse("s", "SELECT dyn($1)");
      c.describe('S', "s");
      c.bind("", "s", new short[0], List.of("x".getBytes(StandardCharsets.UTF_8)));
      c.execute("", 0);
      c.sync();
      msgs = c.untilReady();
      assertThat(PgTestClient.types(msgs)).isEqualTo("1tT2DCZ");
      assertThat(msgs.get(4).row()).containsExactly("x");
    }
  }

  @Test
  void binaryResultFormats() throws Exception {
    try (PgTestClient c = login()) {
      c.parse("", "SELECT types()");
      c.bind("", "", new short[0], List.of(), (short) 1);
      c.execute("", 0);
      c.sync();
      List<Msg> msgs = c.untilReady();
      assertThat(PgTestClient.types(msgs)).isEqualTo("12DCZ");
      List<byte[]> row = msgs.get(2).rawRow();
      assertThat(row.get(0)).containsExactly(1);
      assertThat(ByteBuffer.wrap(row.get(1)).getShort()).isEqualTo((short) 7);
      assertThat(ByteBuffer.wrap(row.get(2)).getInt()).isEqualTo(42);
      assertThat(ByteBuffer.wrap(row.get(3)).getLong()).isEqualTo(5_000_000_000L);
      assertThat(ByteBuffer.wrap(row.get(4)).getFloat()).isEqualTo(1.5f);
      assertThat(ByteBuffer.wrap(row.get(5)).getDouble()).isEqualTo(0.1);
      assertThat(PgTypes.readNumeric(ByteBuffer.wrap(row.get(6))))
          .isEqualTo(new BigDecimal("-12.345"));
      assertThat(row.get(8)).containsExactly(0, 1, 0xff);
      assertThat(ByteBuffer.wrap(row.get(9)).getInt()).isEqualTo(8767); // days since 2000-01-01
      assertThat(ByteBuffer.wrap(row.get(10)).getLong()).isEqualTo(11_045_000_006L);
      long micros = ByteBuffer.wrap(row.get(11)).getLong();
      assertThat(micros).isEqualTo(8767L * 86_400_000_000L + 11_045_123_456L);
      long tz = ByteBuffer.wrap(row.get(12)).getLong();
      assertThat(tz).isEqualTo(8767L * 86_400_000_000L + 7_445_000_000L);
      ByteBuffer iv = ByteBuffer.wrap(row.get(13));
      assertThat(iv.getLong()).isEqualTo(14_706_789_000L);
      assertThat(iv.getInt()).isEqualTo(3);
      assertThat(iv.getInt()).isEqualTo(14);
      ByteBuffer u = ByteBuffer.wrap(row.get(14));
      assertThat(new java.util.UUID(u.getLong(), u.getLong()).toString())
          .isEqualTo("a5307cab-ca8b-4f26-afd1-406ac24d0ad7");
      assertThat(new String(row.get(16), StandardCharsets.UTF_8)).isEqualTo("[1, 2]");
      assertThat(row.get(18)).isNull();
    }
  }

  @Test
  void errorsSkipMessagesUntilSync() throws Exception {
    try (PgTestClient c = login()) {
      c.parse("", "SELECT * FROM missing");
      c.bind("", "", new short[0], List.of());
      c.execute("", 0);
      c.sync();
      List<Msg> msgs = c.untilReady();
      assertThat(PgTestClient.types(msgs)).isEqualTo("EZ");
      assertThat(msgs.get(0).fields()).containsEntry('C', "42P01").containsEntry('P', "15");

      c.bind("", "nope", new short[0], List.of());
      c.execute("", 0);
      c.sync();
      msgs = c.untilReady();
      assertThat(msgs.get(0).fields()).containsEntry('C', "26000");

      c.parse("", "SELECT 1; SELECT 2");
      c.sync();
      assertThat(c.untilReady().get(0).fields()).containsEntry('C', "42601");

      c.parse("", "SELECT $1::int", 23);
      c.bind("", "", new short[0], List.of());
      c.sync();
      assertThat(c.untilReady().get(1).fields().get('M'))
          .contains("supplies 0 parameters")
          .contains("requires 1");

      c.parse("", "SELECT $1::int", 23);
      c.bind("", "", new short[] {0}, List.of("abc".getBytes(StandardCharsets.UTF_8)));
      c.sync();
      assertThat(c.untilReady().get(1).fields()).containsEntry('C', "22P02");

      c.parse("named", "SELECT 3");
      c.parse("named", "SELECT 4");
      c.sync();
      msgs = c.untilReady();
      assertThat(PgTestClient.types(msgs)).isEqualTo("1EZ");
      assertThat(msgs.get(1).fields()).containsEntry('C', "42P05");

      c.bind("", "named", new short[0], List.of());
      c.execute("", 0);
      c.close('S', "named");
      c.sync();
      msgs = c.untilReady();
      assertThat(PgTestClient.types(msgs)).isEqualTo("2DC3Z");
      assertThat(msgs.get(1).row()).containsExactly("3");
    }
  }

  @Test
  void failedTransactionBlockRefusesStatementsUntilRollback() throws Exception {
    try (PgTestClient c = login()) {
      c.query("BEGIN");
      c.untilReady();
      c.query("SELECT * FROM missing");
      List<Msg> msgs = c.untilReady();
      assertThat(msgs.get(1).body()).containsExactly('E');
      c.query("SELECT 1");
      msgs = c.untilReady();
      assertThat(msgs.get(0).fields()).containsEntry('C', "25P02");
      c.query("COMMIT");
      msgs = c.untilReady();
      assertThat(msgs.get(0).tag()).isEqualTo("ROLLBACK");
      assertThat(msgs.get(1).body()).containsExactly('I');
      c.query("SELECT 1");
      assertThat(PgTestClient.types(c.untilReady())).isEqualTo("TDCZ");
    }
  }

  @Test
  void setShowAndSessionFunctionsAreAnsweredLocally() throws Exception {
    try (PgTestClient c = login()) {
      c.query("SET application_name = 'tool'; SHOW TRANSACTION ISOLATION LEVEL; SELECT version()");
      List<Msg> msgs = c.untilReady();
      assertThat(PgTestClient.types(msgs)).isEqualTo("CSTDCTDCZ");
      assertThat(new String(msgs.get(1).body(), StandardCharsets.UTF_8))
          .isEqualTo("application_name\0tool\0");
      assertThat(msgs.get(3).row()).containsExactly("read committed");
      assertThat(msgs.get(6).row().get(0)).startsWith("PostgreSQL 16.0");
      c.query("SET DateStyle = 'German'");
      assertThat(c.untilReady().get(0).fields()).containsEntry('C', "22023");
      c.query("SET search_path TO db, public; SELECT current_schema()");
      msgs = c.untilReady();
      assertThat(PgTestClient.types(msgs)).isEqualTo("CTDCZ");
      assertThat(msgs.get(2).row()).containsExactly("db");
    }
  }

  @Test
  void cancelRequestCancelsTheRunningStatementOnly() throws Exception {
    try (PgTestClient c = login();
        PgTestClient other = login()) {
      c.query("SELECT sleep()");
      assertThat(engine.sleeping.await(30, TimeUnit.SECONDS)).isTrue();
      // a cancel with the wrong key does nothing
      try (PgTestClient canceller = new PgTestClient(server.port())) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        PgTestClient.writeInt(b, 80877102);
        PgTestClient.writeInt(b, c.pid);
        PgTestClient.writeInt(b, c.secretKey + 1);
        canceller.sendUntyped(b.toByteArray());
        assertThat(canceller.closedByServer()).isTrue();
      }
      assertThat(engine.cancels.get()).isZero();
      try (PgTestClient canceller = new PgTestClient(server.port())) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        PgTestClient.writeInt(b, 80877102);
        PgTestClient.writeInt(b, c.pid);
        PgTestClient.writeInt(b, c.secretKey);
        canceller.sendUntyped(b.toByteArray());
        assertThat(canceller.closedByServer()).isTrue();
      }
      List<Msg> msgs = c.untilReady();
      assertThat(msgs.get(msgs.size() - 2).fields()).containsEntry('C', "57014");
      c.query("SELECT 1");
      assertThat(PgTestClient.types(c.untilReady())).isEqualTo("TDCZ");
      other.query("SELECT 2");
      assertThat(PgTestClient.types(other.untilReady())).isEqualTo("TDCZ");
    }
  }

  // ------------------------------------------------------------------ malformed input

  @Test
  void malformedMessagesCloseOnlyThatConnection() throws Exception {
    try (PgTestClient healthy = login()) {
      List<byte[]> attacks =
          List.of(
              new byte[] {'Q', 0, 0, 0, 2}, // length below 4
              new byte[] {'Q', 0x7f, 0, 0, 0}, // 2 GiB message
              new byte[] {'?', 0, 0, 0, 4}, // unknown type
              new byte[] {'Q', 0, 0, 0, 8, 'a', 'b', 'c', 'd'}, // string without NUL
              new byte[] {'B', 0, 0, 0, 6, 0, 0}, // bind cut short
              new byte[] {'E', 0, 0, 0, 5, 0}, // execute without its row count
              new byte[] {'P', 0, 0, 0, 10, 0, 'x', 0, (byte) 0xff, (byte) 0xff, 0}); // count -1
      for (byte[] attack : attacks) {
        try (PgTestClient c = login()) {
          c.sendRaw(attack);
          Msg m = c.read();
          assertThat(m.type()).as(Arrays.toString(attack)).isEqualTo('E');
          assertThat(m.fields()).containsEntry('S', "FATAL").containsEntry('C', "08P01");
          assertThat(c.closedByServer()).isTrue();
        }
      }
      // a message cut off by the client going away
      try (PgTestClient c = login()) {
        c.sendRaw(new byte[] {'Q', 0, 0, 0, 100, 'S', 'E'});
      }
      // garbage instead of a start-up packet
      try (PgTestClient c = new PgTestClient(server.port())) {
        c.sendRaw(new byte[] {0, 0, 0, 3});
        assertThat(c.read().fields()).containsEntry('C', "08P01");
      }
      try (PgTestClient c = new PgTestClient(server.port())) {
        c.sendRaw(new byte[] {0, 0, 0, 8, 0, 1, 0, 0});
        assertThat(c.read().fields()).containsEntry('C', "0A000");
      }
      healthy.query("SELECT 1");
      assertThat(PgTestClient.types(healthy.untilReady())).isEqualTo("TDCZ");
      try (PgTestClient fresh = login()) {
        fresh.query("SELECT 2");
        assertThat(PgTestClient.types(fresh.untilReady())).isEqualTo("TDCZ");
      }
    }
  }

  @Test
  void closingTheServerEndsSessions() throws Exception {
    PgTestClient c = login();
    CompletableFuture<Boolean> closed = CompletableFuture.supplyAsync(c::closedByServer);
    server.close();
    assertThat(closed.get(30, TimeUnit.SECONDS)).isTrue();
    c.close();
  }
}
