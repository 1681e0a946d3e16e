package dev.basin.server.pgwire;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A minimal PostgreSQL frontend on a raw socket, written from the protocol documentation: start-up
 * with SCRAM-SHA-256 or a cleartext password, and helpers to send any message, well-formed or not.
 */
final class PgTestClient implements AutoCloseable {
  final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;
  final Map<String, String> parameters = new LinkedHashMap<>();
  int pid;
  int secretKey;

  /** A backend message: its type and body. */
  record Msg(char type, byte[] body) {
    ByteBuffer buffer() {
      return ByteBuffer.wrap(body);
    }

    /** The fields of an ErrorResponse/NoticeResponse, by field type. */
    Map<Character, String> fields() {
      Map<Character, String> f = new LinkedHashMap<>();
      int i = 0;
      while (i < body.length && body[i] != 0) {
        char code = (char) body[i++];
        int end = i;
        while (body[end] != 0) {
          end++;
        }
        f.put(code, new String(body, i, end - i, StandardCharsets.UTF_8));
        i = end + 1;
      }
      return f;
    }

    /** The text of a CommandComplete. */
    String tag() {
      return new String(body, 0, body.length - 1, StandardCharsets.UTF_8);
    }

    /** The values of a DataRow (text format), null for SQL NULL. */
    List<String> row() {
      List<byte[]> raw = rawRow();
      List<String> out = new ArrayList<>();
      for (byte[] b : raw) {
        out.add(b == null ? null : new String(b, StandardCharsets.UTF_8));
      }
      return out;
    }

    List<byte[]> rawRow() {
      ByteBuffer b = buffer();
      int n = b.getShort();
      List<byte[]> out = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        int len = b.getInt();
        if (len < 0) {
          out.add(null);
        } else {
          byte[] v = new byte[len];
          b.get(v);
          out.add(v);
        }
      }
      return out;
    }

    /** RowDescription: (name, type oid, format) per field. */
    List<Object[]> fieldsDescribed() {
      ByteBuffer b = buffer();
      int n = b.getShort();
      List<Object[]> out = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        int start = b.position();
        while (b.get() != 0) {
          // skip name
        }
        String name = new String(body, start, b.position() - start - 1, StandardCharsets.UTF_8);
        b.getInt();
        b.getShort();
        int oid = b.getInt();
        b.getShort();
        int typmod = b.getInt();
        short format = b.getShort();
        out.add(new Object[] {name, oid, format, typmod});
      }
      return out;
    }
  }

  PgTestClient(int port) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(60_000);
    in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
    out = socket.getOutputStream();
  }

  /** Connects and logs in; returns the client after ReadyForQuery. Fails on an error. */
  static PgTestClient login(int port, String user, String password, String database)
      throws IOException {
    PgTestClient c = new PgTestClient(port);
    Msg last = c.startup(user, password, database, Map.of());
    if (last.type() != 'Z') {
      throw new AssertionError("login failed: " + last.fields());
    }
    return c;
  }

  /**
   * Sends the start-up packet and answers the authentication requests.
   *
   * @return ReadyForQuery on success, or the ErrorResponse
   */
  Msg startup(String user, String password, String database, Map<String, String> extra)
      throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    writeInt(body, 196608);
    cstring(body, "user");
    cstring(body, user);
    if (database != null) {
      cstring(body, "database");
      cstring(body, database);
    }
    for (Map.Entry<String, String> e : extra.entrySet()) {
      cstring(body, e.getKey());
      cstring(body, e.getValue());
    }
    body.write(0);
    sendUntyped(body.toByteArray());
    String clientFirstBare = null;
    String clientNonce = "fyko+d2lbbFgONRv9qkxdawL";
    byte[] salted = null;
    String authMessagePrefix = null;
    while (true) {
      Msg m = read();
      switch (m.type()) {
        case 'R' -> {
          ByteBuffer b = m.buffer();
          int code = b.getInt();
          if (code == 3) {
            ByteArrayOutputStream p = new ByteArrayOutputStream();
            cstring(p, password);
            send('p', p.toByteArray());
          } else if (code == 10) {
            clientFirstBare = "n=,r=" + clientNonce;
            byte[] first = ("n,," + clientFirstBare).getBytes(StandardCharsets.UTF_8);
            ByteArrayOutputStream p = new ByteArrayOutputStream();
            cstring(p, "SCRAM-SHA-256");
            writeInt(p, first.length);
            p.write(first);
            send('p', p.toByteArray());
          } else if (code == 11) {
            String serverFirst =
                new String(m.body(), 4, m.body().length - 4, StandardCharsets.UTF_8);
            Map<String, String> attrs = attributes(serverFirst);
            byte[] salt = Base64.getDecoder().decode(attrs.get("s"));
            int iterations = Integer.parseInt(attrs.get("i"));
            salted = hi(password.getBytes(StandardCharsets.UTF_8), salt, iterations);
            String withoutProof = "c=biws,r=" + attrs.get("r");
            authMessagePrefix = clientFirstBare + "," + serverFirst + "," + withoutProof;
            byte[] clientKey = hmac(salted, "Client Key");
            byte[] storedKey = sha256(clientKey);
            byte[] signature = hmac(storedKey, authMessagePrefix);
            byte[] proof = new byte[clientKey.length];
            for (int i = 0; i < proof.length; i++) {
              proof[i] = (byte) (clientKey[i] ^ signature[i]);
            }
            String clientFinal = withoutProof + ",p=" + Base64.getEncoder().encodeToString(proof);
            send('p', clientFinal.getBytes(StandardCharsets.UTF_8));
          } else if (code == 12) {
            String serverFinal =
                new String(m.body(), 4, m.body().length - 4, StandardCharsets.UTF_8);
            byte[] serverKey = hmac(salted, "Server Key");
            String expected =
                "v=" + Base64.getEncoder().encodeToString(hmac(serverKey, authMessagePrefix));
            if (!expected.equals(serverFinal)) {
              throw new AssertionError("server signature does not verify: " + serverFinal);
            }
          } else if (code != 0) {
            throw new AssertionError("unexpected authentication request " + code);
          }
        }
        case 'S' -> {
          ByteBuffer b = m.buffer();
          String[] kv = new String(m.body(), StandardCharsets.UTF_8).split("\0");
          parameters.put(kv[0], kv.length > 1 ? kv[1] : "");
          b.clear();
        }
        case 'K' -> {
          ByteBuffer b = m.buffer();
          pid = b.getInt();
          secretKey = b.getInt();
        }
        case 'Z', 'E' -> {
          return m;
        }
        default -> {
          // NegotiateProtocolVersion and notices are ignored
        }
      }
    }
  }

  private static Map<String, String> attributes(String message) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String part : message.split(",")) {
      out.put(part.substring(0, 1), part.substring(2));
    }
    return out;
  }

  private static byte[] hi(byte[] password, byte[] salt, int iterations) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(password, "HmacSHA256"));
      mac.update(salt);
      byte[] u = mac.doFinal(new byte[] {0, 0, 0, 1});
      byte[] result = u.clone();
      for (int i = 1; i < iterations; i++) {
        u = mac.doFinal(u);
        for (int j = 0; j < u.length; j++) {
          result[j] ^= u[j];
        }
      }
      return result;
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static byte[] hmac(byte[] key, String data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  // ------------------------------------------------------------------ sending

  void send(char type, byte[] body) throws IOException {
    ByteArrayOutputStream m = new ByteArrayOutputStream();
    m.write(type);
    writeInt(m, body.length + 4);
    m.write(body);
    out.write(m.toByteArray());
    out.flush();
  }

  void sendUntyped(byte[] body) throws IOException {
    ByteArrayOutputStream m = new ByteArrayOutputStream();
    writeInt(m, body.length + 4);
    m.write(body);
    out.write(m.toByteArray());
    out.flush();
  }

  void sendRaw(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  void query(String sql) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    cstring(b, sql);
    send('Q', b.toByteArray());
  }

  void parse(String name, String sql, int... oids) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    cstring(b, name);
    cstring(b, sql);
    writeShort(b, oids.length);
    for (int oid : oids) {
      writeInt(b, oid);
    }
    send('P', b.toByteArray());
  }

  /** Bind with per-parameter formats and values (null = SQL NULL) and result formats. */
  void bind(
      String portal,
      String statement,
      short[] paramFormats,
      List<byte[]> values,
      short... resultFormats)
      throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    cstring(b, portal);
    cstring(b, statement);
    writeShort(b, paramFormats.length);
    for (short f : paramFormats) {
      writeShort(b, f);
    }
    writeShort(b, values.size());
    for (byte[] v : values) {
      if (v == null) {
        writeInt(b, -1);
      } else {
        writeInt(b, v.length);
        b.write(v);
      }
    }
    writeShort(b, resultFormats.length);
    for (short f : resultFormats) {
      writeShort(b, f);
    }
    send('B', b.toByteArray());
  }

  void describe(char kind, String name) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.write(kind);
    cstring(b, name);
    send('D', b.toByteArray());
  }

  void execute(String portal, int maxRows) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    cstring(b, portal);
    writeInt(b, maxRows);
    send('E', b.toByteArray());
  }

  void close(char kind, String name) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.write(kind);
    cstring(b, name);
    send('C', b.toByteArray());
  }

  void sync() throws IOException {
    send('S', new byte[0]);
  }

  // ------------------------------------------------------------------ receiving

  /** Reads one backend message; throws EOFException when the server closed the connection. */
  Msg read() throws IOException {
    int type = in.read();
    if (type < 0) {
      throw new EOFException("server closed the connection");
    }
    int length = in.readInt();
    byte[] body = new byte[length - 4];
    in.readFully(body);
    return new Msg((char) type, body);
  }

  /** Reads one raw byte (the answer to SSLRequest). */
  int readByte() throws IOException {
    return in.read();
  }

  /** Reads messages up to and including ReadyForQuery. */
  List<Msg> untilReady() throws IOException {
    List<Msg> out = new ArrayList<>();
    while (true) {
      Msg m = read();
      out.add(m);
      if (m.type() == 'Z') {
        return out;
      }
    }
  }

  /** Whether the server closed the connection (reads until EOF, skipping messages). */
  boolean closedByServer() {
    try {
      while (true) {
        read();
      }
    } catch (IOException e) {
      return true;
    }
  }

  static String types(List<Msg> messages) {
    StringBuilder sb = new StringBuilder();
    for (Msg m : messages) {
      sb.append(m.type());
    }
    return sb.toString();
  }

  static void cstring(ByteArrayOutputStream b, String s) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    b.write(bytes, 0, bytes.length);
    b.write(0);
  }

  static void writeInt(ByteArrayOutputStream b, int v) {
    b.write(v >>> 24);
    b.write(v >>> 16);
    b.write(v >>> 8);
    b.write(v);
  }

  static void writeShort(ByteArrayOutputStream b, int v) {
    b.write(v >>> 8);
    b.write(v);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
