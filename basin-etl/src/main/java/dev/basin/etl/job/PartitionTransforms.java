package dev.basin.etl.job;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads Iceberg partition transform text such as {@code day(ts)} or {@code bucket(16, id)}. */
final class PartitionTransforms {
  private static final Pattern COLUMN = Pattern.compile("\\s*([^()\\s,][^(),]*?)\\s*");
  private static final Pattern UNARY =
      Pattern.compile(
          "(?i)\\s*(identity|year|years|month|months|day|days|hour|hours|void)\\s*\\((.*)\\)\\s*");
  private static final Pattern WIDTH =
      Pattern.compile("(?i)\\s*(bucket|truncate)\\s*\\(\\s*(\\d+)\\s*,(.*)\\)\\s*");

  private PartitionTransforms() {}

  /** The source column of a partition transform, or null when the text is not one. */
  static String column(String text) {
    Matcher m = UNARY.matcher(text);
    if (m.matches()) {
      return plain(m.group(2));
    }
    m = WIDTH.matcher(text);
    if (m.matches()) {
      return plain(m.group(3));
    }
    return plain(text);
  }

  private static String plain(String s) {
    Matcher m = COLUMN.matcher(s);
    return m.matches() ? m.group(1) : null;
  }
}
