package dev.basin.server.pgwire;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Builds backend messages into a reusable buffer and writes them to a buffered stream. Messages go
 * out when the stream's buffer fills or on {@link #flush()}, so long results stream without being
 * held in memory. Not thread-safe: one connection thread writes.
 */
final class PgWriter {
  private final OutputStream out;
  private byte[] buf = new byte[8192];
  private int len;
  private int start = -1;

  PgWriter(OutputStream out) {
    this.out = out;
  }

  // ------------------------------------------------------------------ framing

  void begin(char type) {
    if (start >= 0) {
      throw new IllegalStateException("message already open");
    }
    len = 0;
    int8(type);
    start = len;
    int32(0);
  }

  void end() throws IOException {
    int length = len - start;
    buf[start] = (byte) (length >>> 24);
    buf[start + 1] = (byte) (length >>> 16);
    buf[start + 2] = (byte) (length >>> 8);
    buf[start + 3] = (byte) length;
    out.write(buf, 0, len);
    start = -1;
    len = 0;
  }

  /** Drops a half-built message (after an encoding error). */
  void abandon() {
    start = -1;
    len = 0;
  }

  void flush() throws IOException {
    out.flush();
  }

  /** Writes a raw byte outside any message (the answer to SSLRequest). */
  void rawByte(char b) throws IOException {
    out.write(b);
  }

  // ------------------------------------------------------------------ fields

  void int8(int v) {
    ensure(1);
    buf[len++] = (byte) v;
  }

  void int16(int v) {
    ensure(2);
    buf[len++] = (byte) (v >>> 8);
    buf[len++] = (byte) v;
  }

  void int32(int v) {
    ensure(4);
    buf[len++] = (byte) (v >>> 24);
    buf[len++] = (byte) (v >>> 16);
    buf[len++] = (byte) (v >>> 8);
    buf[len++] = (byte) v;
  }

  void int64(long v) {
    int32((int) (v >>> 32));
    int32((int) v);
  }

  void bytes(byte[] b) {
    bytes(b, 0, b.length);
  }

  void bytes(byte[] b, int off, int n) {
    ensure(n);
    System.arraycopy(b, off, buf, len, n);
    len += n;
  }

  void cstring(String s) {
    bytes(s.getBytes(StandardCharsets.UTF_8));
    int8(0);
  }

  /** Reserves an Int32 length field and returns its offset for {@link #patchLength}. */
  int reserveLength() {
    int at = len;
    int32(0);
    return at;
  }

  /** Sets the length field at {@code at} to the number of bytes written after it. */
  void patchLength(int at) {
    int n = len - at - 4;
    buf[at] = (byte) (n >>> 24);
    buf[at + 1] = (byte) (n >>> 16);
    buf[at + 2] = (byte) (n >>> 8);
    buf[at + 3] = (byte) n;
  }

  private void ensure(int n) {
    if (len + n > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
    }
  }

  // ------------------------------------------------------------------ messages

  void authentication(int code, byte[] payload) throws IOException {
    begin('R');
    int32(code);
    if (payload != null) {
      bytes(payload);
    }
    end();
  }

  void parameterStatus(String name, String value) throws IOException {
    begin('S');
    cstring(name);
    cstring(value);
    end();
  }

  void backendKeyData(int pid, int secret) throws IOException {
    begin('K');
    int32(pid);
    int32(secret);
    end();
  }

  void readyForQuery(char status) throws IOException {
    begin('Z');
    int8(status);
    end();
  }

  void empty(char type) throws IOException {
    begin(type);
    end();
  }

  void commandComplete(String tag) throws IOException {
    begin('C');
    cstring(tag);
    end();
  }

  void parameterDescription(List<Integer> oids) throws IOException {
    begin('t');
    int16(oids.size());
    for (int oid : oids) {
      int32(oid);
    }
    end();
  }

  /** RowDescription: one field per column, with the format code each is sent in. */
  void rowDescription(List<PgColumn> columns, short[] formats) throws IOException {
    begin('T');
    int16(columns.size());
    for (int i = 0; i < columns.size(); i++) {
      PgColumn c = columns.get(i);
      cstring(c.name());
      int32(0); // table oid
      int16(0); // column attribute number
      int32(c.type().oid());
      int16(c.type().size());
      int32(c.typmod());
      int16(formats == null ? 0 : formats[i]);
    }
    end();
  }

  /** An ErrorResponse ('E') or NoticeResponse ('N'). */
  void error(char type, String severity, String sqlState, String message, int position)
      throws IOException {
    begin(type);
    int8('S');
    cstring(severity);
    int8('V');
    cstring(severity);
    int8('C');
    cstring(sqlState);
    int8('M');
    cstring(message == null ? "" : message);
    if (position > 0) {
      int8('P');
      cstring(Integer.toString(position));
    }
    int8(0);
    end();
  }

  void negotiateProtocolVersion(int newestMinor, List<String> unsupported) throws IOException {
    begin('v');
    int32(newestMinor);
    int32(unsupported.size());
    for (String option : unsupported) {
      cstring(option);
    }
    end();
  }
}
