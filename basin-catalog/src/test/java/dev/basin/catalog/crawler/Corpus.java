package dev.basin.catalog.crawler;

import com.github.luben.zstd.Zstd;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

/** Deterministic generated test files. */
final class Corpus {
  private Corpus() {}

  static final List<String> COUNTRIES = List.of("Germany", "France", "Spain", "Italy");
  static final List<String> STATUSES = List.of("active", "inactive", "pending");

  /** id, price (2 decimals), qty, sold_on, sold_at, active, ratio (double), note. */
  static String sales(int rows, boolean header, char d) {
    Random r = new Random(42);
    StringBuilder sb = new StringBuilder();
    if (header) {
      sb.append(
              String.join(
                  String.valueOf(d),
                  "id",
                  "price",
                  "qty",
                  "sold_on",
                  "sold_at",
                  "active",
                  "ratio",
                  "note"))
          .append('\n');
    }
    for (int i = 1; i <= rows; i++) {
      String price = (r.nextInt(999_999) / 100) + "." + String.format("%02d", r.nextInt(100));
      String ratio = String.valueOf(r.nextDouble());
      String date = String.format("2024-%02d-%02d", 1 + r.nextInt(12), 1 + r.nextInt(28));
      String ts =
          date
              + (i % 2 == 0 ? " " : "T")
              + String.format("%02d:%02d:%02d", r.nextInt(24), r.nextInt(60), r.nextInt(60))
              + (i % 3 == 0 ? ".123" : "");
      sb.append(
              String.join(
                  String.valueOf(d),
                  String.valueOf(i),
                  price,
                  String.valueOf(r.nextInt(50)),
                  date,
                  ts,
                  r.nextBoolean() ? "true" : "false",
                  ratio,
                  "item" + r.nextInt(1000)))
          .append('\n');
    }
    return sb.toString();
  }

  /** All-string customer data, optionally with a header; countries and statuses repeat. */
  static String customers(int rows, boolean header) {
    Random r = new Random(7);
    String[] first = {"Alice", "Bob", "Carol", "Dave", "Erin", "Frank", "Grace", "Heidi"};
    String[] last = {"Smith", "Jones", "Brown", "Taylor", "Wilson", "Evans"};
    StringBuilder sb = new StringBuilder();
    if (header) {
      sb.append("first_name,last_name,country,status\n");
    }
    for (int i = 0; i < rows; i++) {
      sb.append(first[r.nextInt(first.length)])
          .append(',')
          .append(last[r.nextInt(last.length)])
          .append(',')
          .append(COUNTRIES.get(r.nextInt(COUNTRIES.size())))
          .append(',')
          .append(STATUSES.get(r.nextInt(STATUSES.size())))
          .append('\n');
    }
    return sb.toString();
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static byte[] gzip(byte[] data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  static byte[] zstd(byte[] data) {
    return Zstd.compress(data);
  }

  static byte[] half(byte[] data) {
    return Arrays.copyOf(data, data.length / 2);
  }
}
