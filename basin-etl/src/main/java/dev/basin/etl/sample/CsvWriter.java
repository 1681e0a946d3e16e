package dev.basin.etl.sample;

import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;

/**
 * Writes UTF-8 CSV with a header row. A value is quoted as RFC 4180 says (only when it contains a
 * comma, a double quote or a line break; quotes inside are doubled); rows end with {@code \n}.
 * Closing it closes the underlying stream.
 */
final class CsvWriter implements Closeable {
  private final Counting counting;
  private final Writer out;
  private final int columns;
  private final StringBuilder line = new StringBuilder(256);
  private long rows;

  CsvWriter(OutputStream target, String... header) throws IOException {
    this.counting = new Counting(target);
    this.out =
        new BufferedWriter(new OutputStreamWriter(counting, StandardCharsets.UTF_8), 1 << 16);
    this.columns = header.length;
    write(header);
  }

  /** Writes one data row; it must have as many values as the header has columns. */
  void row(String... values) throws IOException {
    write(values);
    rows++;
  }

  private void write(String[] values) throws IOException {
    if (values.length != columns) {
      throw new IllegalStateException(
          "row has " + values.length + " values but the header has " + columns + " columns");
    }
    line.setLength(0);
    for (int i = 0; i < values.length; i++) {
      if (i > 0) {
        line.append(',');
      }
      append(line, values[i]);
    }
    line.append('\n');
    out.append(line);
  }

  static void append(StringBuilder sb, String v) {
    boolean quote = false;
    for (int i = 0; i < v.length() && !quote; i++) {
      char c = v.charAt(i);
      quote = c == ',' || c == '"' || c == '\n' || c == '\r';
    }
    if (!quote) {
      sb.append(v);
      return;
    }
    sb.append('"');
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c == '"') {
        sb.append('"');
      }
      sb.append(c);
    }
    sb.append('"');
  }

  long rows() {
    return rows;
  }

  /** Flushes and closes the stream, and returns what was written. */
  SampleFile finish(String name) throws IOException {
    out.close();
    return new SampleFile(name, rows, counting.count);
  }

  @Override
  public void close() throws IOException {
    out.close();
  }

  private static final class Counting extends FilterOutputStream {
    long count;

    Counting(OutputStream out) {
      super(out);
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      count += len;
    }
  }
}
