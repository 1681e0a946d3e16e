package dev.basin.server.cli;

import java.io.PrintWriter;
import java.util.List;

/** Prints rows as a left-aligned text table. */
final class Tables {
  private Tables() {}

  /** Prints a header row and the rows; nothing when there are no rows. */
  static void print(PrintWriter out, String[] header, List<String[]> rows) {
    if (rows.isEmpty()) {
      return;
    }
    List<String[]> all = new java.util.ArrayList<>();
    all.add(header);
    all.addAll(rows);
    print(out, all);
  }

  static void print(PrintWriter out, List<String[]> rows) {
    if (rows.isEmpty()) {
      return;
    }
    int[] widths = new int[rows.get(0).length];
    for (String[] r : rows) {
      for (int i = 0; i < r.length; i++) {
        widths[i] = Math.max(widths[i], r[i].length());
      }
    }
    for (String[] r : rows) {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < r.length; i++) {
        sb.append(r[i]);
        if (i < r.length - 1) {
          sb.append(" ".repeat(widths[i] - r[i].length() + 2));
        }
      }
      out.println(sb);
    }
  }
}
