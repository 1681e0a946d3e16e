package dev.basin.server.pgwire;

import java.nio.charset.StandardCharsets;

/**
 * Reads the fields of one message body. Every read checks the bounds: a field that runs past the
 * end of the message is a protocol violation, never an {@code ArrayIndexOutOfBoundsException}.
 */
final class PgBuffer {
  private final byte[] data;
  private final char type;
  private int pos;

  PgBuffer(char type, byte[] data) {
    this.type = type;
    this.data = data;
  }

  /** The message type byte ({@code 0} for start-up packets). */
  char type() {
    return type;
  }

  int remaining() {
    return data.length - pos;
  }

  byte int8() {
    need(1, "a byte");
    return data[pos++];
  }

  short int16() {
    need(2, "an Int16");
    short v = (short) (((data[pos] & 0xff) << 8) | (data[pos + 1] & 0xff));
    pos += 2;
    return v;
  }

  int int32() {
    need(4, "an Int32");
    int v =
        ((data[pos] & 0xff) << 24)
            | ((data[pos + 1] & 0xff) << 16)
            | ((data[pos + 2] & 0xff) << 8)
            | (data[pos + 3] & 0xff);
    pos += 4;
    return v;
  }

  /** A count (Int16) that must not be negative. */
  int count(String what) {
    int n = int16();
    if (n < 0) {
      throw malformed("negative " + what + " count " + n);
    }
    return n;
  }

  byte[] bytes(int n) {
    if (n < 0) {
      throw malformed("negative field length " + n);
    }
    need(n, n + " bytes");
    byte[] out = new byte[n];
    System.arraycopy(data, pos, out, 0, n);
    pos += n;
    return out;
  }

  /** A NUL-terminated UTF-8 string. */
  String cstring() {
    for (int i = pos; i < data.length; i++) {
      if (data[i] == 0) {
        String s = new String(data, pos, i - pos, StandardCharsets.UTF_8);
        pos = i + 1;
        return s;
      }
    }
    throw malformed("a string is not NUL-terminated");
  }

  /** Checks that the whole body was read. */
  void end() {
    if (pos != data.length) {
      throw malformed((data.length - pos) + " unexpected trailing bytes");
    }
  }

  private void need(int n, String what) {
    if (data.length - pos < n) {
      throw malformed("expected " + what + " but the message ends");
    }
  }

  PgProtocolException malformed(String problem) {
    String name = type == 0 ? "start-up packet" : "message '" + type + "'";
    return new PgProtocolException("invalid " + name + " format: " + problem);
  }
}
