package dev.basin.server.pgwire;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads frontend messages from a connection: the length-prefixed start-up packets and the typed
 * messages after them. Lengths are checked before anything is allocated.
 */
final class PgReader {
  /** PostgreSQL's own limit for start-up packets. */
  static final int MAX_STARTUP_PACKET = 10_000;

  private final DataInputStream in;
  private final int maxMessageBytes;

  PgReader(InputStream in, int maxMessageBytes) {
    this.in = new DataInputStream(in);
    this.maxMessageBytes = maxMessageBytes;
  }

  /**
   * Reads a start-up packet (its length includes itself; no type byte).
   *
   * @return the body, or null at a clean end of stream
   * @throws PgProtocolException if the length is out of range
   * @throws EOFException if the stream ends inside the packet
   */
  PgBuffer readStartupPacket() throws IOException {
    int first = in.read();
    if (first < 0) {
      return null;
    }
    int length = (first << 24) | (in.readUnsignedByte() << 16) | in.readUnsignedShort();
    if (length < 8 || length > MAX_STARTUP_PACKET) {
      throw new PgProtocolException(
          "invalid length of start-up packet: "
              + length
              + " (expected 8 to "
              + MAX_STARTUP_PACKET
              + ")");
    }
    byte[] body = new byte[length - 4];
    in.readFully(body);
    return new PgBuffer((char) 0, body);
  }

  /**
   * Reads one typed message.
   *
   * @return the message, or null at a clean end of stream (between messages)
   * @throws PgProtocolException if the length is out of range
   * @throws EOFException if the stream ends inside a message
   */
  PgBuffer read() throws IOException {
    int type = in.read();
    if (type < 0) {
      return null;
    }
    int length = in.readInt();
    if (length < 4 || length - 4 > maxMessageBytes) {
      throw new PgProtocolException(
          "invalid length "
              + length
              + " of message '"
              + printable(type)
              + "' (expected 4 to "
              + (maxMessageBytes + 4L)
              + "; raise pg.max-message-bytes for larger messages)");
    }
    byte[] body = new byte[length - 4];
    in.readFully(body);
    return new PgBuffer((char) type, body);
  }

  static String printable(int type) {
    return type >= 0x20 && type < 0x7f
        ? String.valueOf((char) type)
        : "\\x" + Integer.toHexString(type);
  }
}
