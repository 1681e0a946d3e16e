package dev.basin.catalog.crawler;

import dev.basin.catalog.HiveType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Decides whether the first record of a delimited file is a header.
 *
 * <p>Glue's rule (a header only if some data column is not a string) never finds the header of an
 * all-string file. Basin applies Glue's rule first and then, for all-string files, compares the
 * first record with the rest, column by column:
 *
 * <ol>
 *   <li>Every first-record cell must look like a column name (starts with a letter or underscore,
 *       at most 150 characters, no empty cell except a trailing one) and the cells must be
 *       distinct, or there is no header.
 *   <li>If a first-record cell reappears as a value of its column in the sample, there is no
 *       header: column names do not repeat as data.
 *   <li>Otherwise each column adds one point of evidence for each of: the cell's character shape
 *       (letters/upper/digits/punctuation) matches no data value of the column; its length is more
 *       than two standard deviations (at least 1) from the data's mean length; the column repeats
 *       its values (under 20% singletons in at least 4 values) yet never the first-record cell.
 *   <li>The first record is a header when the evidence reaches half the number of columns.
 * </ol>
 */
final class HeaderDetector {

  private static final Pattern NAME_LIKE = Pattern.compile("[\\p{L}_][\\p{L}\\p{N} _.\\-/()#%&:]*");

  record Decision(boolean header, double confidence, String reason) {}

  private HeaderDetector() {}

  static Decision decide(List<List<String>> records, int width, ClassifierConfig config) {
    List<String> first = records.get(0);
    if (first.size() != width) {
      return new Decision(
          false, 0.8, "the first record has " + first.size() + " fields, not " + width);
    }
    Set<String> distinct = new HashSet<>();
    for (int c = 0; c < width; c++) {
      String cell = first.get(c).trim();
      boolean last = c == width - 1;
      if (cell.isEmpty() && last) {
        continue;
      }
      if (cell.isEmpty() || cell.length() > 150 || !NAME_LIKE.matcher(cell).matches()) {
        return new Decision(
            false,
            1.0,
            "first-record value '" + shorten(cell) + "' does not look like a column name");
      }
      if (!distinct.add(cell.toLowerCase(Locale.ROOT))) {
        return new Decision(false, 0.9, "first-record value '" + shorten(cell) + "' occurs twice");
      }
    }
    List<List<String>> data = new ArrayList<>();
    for (int r = 1; r < records.size(); r++) {
      if (records.get(r).size() == width) {
        data.add(records.get(r));
      }
    }
    if (data.isEmpty()) {
      return new Decision(
          true, 0.5, "a single record of distinct names is taken as a header-only file");
    }
    List<String> typed = new ArrayList<>();
    for (int c = 0; c < width; c++) {
      TypeAccumulator acc = new TypeAccumulator(config.maxDecimalScale());
      for (List<String> row : data) {
        String v = row.get(c);
        if (!config.nullTokens().contains(v)) {
          acc.addText(v);
        }
      }
      HiveType t = acc.result();
      if (acc.votes() > 0 && !t.toString().equals("string")) {
        typed.add("column " + (c + 1) + " is " + t);
      }
    }
    if (!typed.isEmpty()) {
      return new Decision(
          true,
          1.0,
          "header: the first record is all names while the data is typed ("
              + String.join(", ", typed)
              + ")");
    }
    int evidence = 0;
    List<String> clues = new ArrayList<>();
    for (int c = 0; c < width; c++) {
      String cell = first.get(c).trim();
      List<String> values = new ArrayList<>();
      for (List<String> row : data) {
        String v = row.get(c).trim();
        if (!config.nullTokens().contains(v)) {
          values.add(v);
        }
      }
      if (values.isEmpty() || cell.isEmpty()) {
        continue;
      }
      if (values.contains(cell)) {
        return new Decision(
            false,
            0.9,
            "no header: all columns are strings and first-record value '"
                + shorten(cell)
                + "' reappears in column "
                + (c + 1));
      }
      Set<String> shapes = new HashSet<>();
      double sum = 0;
      double sumSq = 0;
      Map<String, Integer> counts = new HashMap<>();
      for (String v : values) {
        shapes.add(shape(v));
        sum += v.length();
        sumSq += (double) v.length() * v.length();
        counts.merge(v, 1, Integer::sum);
      }
      if (!shapes.contains(shape(cell))) {
        evidence++;
        clues.add("column " + (c + 1) + " shape '" + shape(cell) + "' unlike the data");
      }
      double mean = sum / values.size();
      double sd = Math.sqrt(Math.max(0, sumSq / values.size() - mean * mean));
      if (Math.abs(cell.length() - mean) > 2 * Math.max(sd, 1)) {
        evidence++;
        clues.add(
            String.format(
                Locale.ROOT,
                "column %d length %d vs data %.1f±%.1f",
                c + 1,
                cell.length(),
                mean,
                sd));
      }
      long singletons = counts.values().stream().filter(n -> n == 1).count();
      if (values.size() >= 4 && singletons < 0.2 * values.size()) {
        evidence++;
        clues.add("column " + (c + 1) + " repeats its values but never '" + shorten(cell) + "'");
      }
    }
    int needed = Math.max(1, (width + 1) / 2);
    boolean header = evidence >= needed;
    double confidence = header ? Math.min(1.0, 0.6 + 0.1 * (evidence - needed + 1)) : 0.7;
    String reason =
        (header ? "header" : "no header")
            + ": all columns are strings; the first record's values never reappear; evidence "
            + evidence
            + " of "
            + needed
            + " needed"
            + (clues.isEmpty() ? "" : " (" + String.join("; ", clues) + ")");
    return new Decision(header, confidence, reason);
  }

  /**
   * Character classes with runs collapsed: {@code first_name} → {@code a_a}, {@code AB-12} → {@code
   * A-9}.
   */
  static String shape(String v) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < v.length(); i++) {
      char ch = v.charAt(i);
      char k;
      if (Character.isUpperCase(ch)) {
        k = 'A';
      } else if (Character.isLetter(ch)) {
        k = 'a';
      } else if (Character.isDigit(ch)) {
        k = '9';
      } else if (Character.isWhitespace(ch)) {
        k = ' ';
      } else {
        k = ch;
      }
      if (sb.length() == 0 || sb.charAt(sb.length() - 1) != k) {
        sb.append(k);
      }
    }
    return sb.toString();
  }

  private static String shorten(String s) {
    return s.length() <= 40 ? s : s.substring(0, 37) + "...";
  }
}
