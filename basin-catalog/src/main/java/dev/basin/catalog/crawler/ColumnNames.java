package dev.basin.catalog.crawler;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Turns header cells and JSON keys into Glue column names: lower-case letters, digits, _. */
final class ColumnNames {
  private ColumnNames() {}

  /**
   * Lower-cases, replaces every run of other characters with one underscore and trims underscores
   * at the ends; a name left empty becomes {@code fallback}. Leading digits are kept, as Glue does.
   */
  static String sanitize(String raw, String fallback) {
    String lower = raw.trim().toLowerCase(Locale.ROOT);
    StringBuilder sb = new StringBuilder();
    boolean gap = false;
    for (int i = 0; i < lower.length(); i++) {
      char ch = lower.charAt(i);
      boolean ok = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_';
      if (ok) {
        if (gap && sb.length() > 0) {
          sb.append('_');
        }
        gap = false;
        sb.append(ch);
      } else {
        gap = true;
      }
    }
    String name = sb.length() > 255 ? sb.substring(0, 255) : sb.toString();
    return name.isEmpty() ? fallback : name;
  }

  /** Sanitizes a header row; empty cells become {@code col<i>}, duplicates get {@code _2}, … */
  static List<String> fromHeader(List<String> header) {
    List<String> names = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < header.size(); i++) {
      String base = sanitize(header.get(i), "col" + i);
      String name = base;
      for (int n = 2; !seen.add(name); n++) {
        name = base + "_" + n;
      }
      names.add(name);
    }
    return names;
  }

  /** {@code col0 … col<n-1>}, the names Glue gives columns of a file without a header. */
  static List<String> positional(int count) {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      names.add("col" + i);
    }
    return names;
  }
}
