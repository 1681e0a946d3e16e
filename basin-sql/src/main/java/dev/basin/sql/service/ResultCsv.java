package dev.basin.sql.service;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Athena's result CSV: a header row of column names, then one line per row; every value in double
 * quotes (a quote inside doubled), SQL NULL as an empty unquoted field, lines ending in {@code \n}.
 * The reader counts bytes, so a page can start at a byte offset and report where the next begins.
 */
final class ResultCsv {
  private ResultCsv() {}

  /** Writes rows to a stream and counts the bytes written. Not thread-safe. */
  static final class Writer {
    private final OutputStream out;
    private long bytes;

    Writer(OutputStream out) {
      this.out = out;
    }

    /** Writes one row; a null value is written as NULL (an empty unquoted field). */
    void row(List<String> values) throws IOException {
      for (int i = 0; i < values.size(); i++) {
        if (i > 0) {
          out.write(',');
          bytes++;
        }
        String v = values.get(i);
        if (v == null) {
          continue;
        }
        byte[] b = v.getBytes(StandardCharsets.UTF_8);
        out.write('"');
        int start = 0;
        for (int j = 0; j < b.length; j++) {
          if (b[j] == '"') {
            out.write(b, start, j - start + 1);
            out.write('"');
            bytes++;
            start = j + 1;
          }
        }
        out.write(b, start, b.length - start);
        out.write('"');
        bytes += b.length + 2;
      }
      out.write('\n');
      bytes++;
    }

    /** Bytes written so far. */
    long bytes() {
      return bytes;
    }
  }

  /**
   * Rows read from a position in the file.
   *
   * @param rows the rows; null values are NULLs
   * @param bytesRead the bytes the rows took, so the next row starts at the start plus this
   */
  record Chunk(List<List<String>> rows, long bytesRead) {}

  /**
   * Reads up to {@code maxRows} rows from {@code in}, which must be positioned at the start of a
   * row, and stops at the end of the stream.
   *
   * @throws IOException if the stream fails or a row is cut short (a damaged file)
   */
  static Chunk read(InputStream in, int maxRows) throws IOException {
    List<List<String>> rows = new ArrayList<>();
    long consumed = 0;
    ByteArrayOutputStream field = new ByteArrayOutputStream(64);
    while (rows.size() < maxRows) {
      int c = in.read();
      if (c < 0) {
        break;
      }
      List<String> row = new ArrayList<>();
      consumed++;
      boolean endOfRow = false;
      while (!endOfRow) {
        field.reset();
        String value;
        if (c == '"') {
          while (true) {
            int d = in.read();
            if (d < 0) {
              throw new IOException("result file ends inside a quoted value");
            }
            consumed++;
            if (d == '"') {
              int e = in.read();
              if (e >= 0) {
                consumed++;
              }
              if (e == '"') {
                field.write('"');
                continue;
              }
              c = e;
              break;
            }
            field.write(d);
          }
          value = field.toString(StandardCharsets.UTF_8);
        } else {
          while (c >= 0 && c != ',' && c != '\n' && c != '\r') {
            field.write(c);
            c = in.read();
            if (c >= 0) {
              consumed++;
            }
          }
          value = field.size() == 0 ? null : field.toString(StandardCharsets.UTF_8);
        }
        row.add(value);
        if (c == '\r') {
          c = in.read();
          if (c >= 0) {
            consumed++;
          }
        }
        if (c == ',') {
          c = in.read();
          if (c < 0) {
            row.add(null);
            endOfRow = true;
          } else {
            consumed++;
          }
        } else if (c == '\n' || c < 0) {
          endOfRow = true;
        } else {
          throw new IOException("unexpected byte " + c + " after a quoted value");
        }
      }
      rows.add(row);
    }
    return new Chunk(rows, consumed);
  }
}
