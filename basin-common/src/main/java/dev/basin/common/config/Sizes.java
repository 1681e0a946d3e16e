package dev.basin.common.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses byte sizes written as {@code 1048576}, {@code 512KiB}, {@code 64MiB}, {@code 1GB}. */
public final class Sizes {
  private static final Pattern SIZE =
      Pattern.compile("(\\d+)\\s*(b|k|kb|kib|m|mb|mib|g|gb|gib)?", Pattern.CASE_INSENSITIVE);

  private Sizes() {}

  public static long parse(String s) {
    Matcher m = SIZE.matcher(s.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "not a size: '" + s + "' (use e.g. 1048576, 512KiB, 64MiB)");
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
    switch (unit) {
      case "b":
        return n;
      case "k":
      case "kib":
        return n * 1024;
      case "kb":
        return n * 1000;
      case "m":
      case "mib":
        return n * 1024 * 1024;
      case "mb":
        return n * 1000 * 1000;
      case "g":
      case "gib":
        return n * 1024 * 1024 * 1024;
      default:
        return n * 1000 * 1000 * 1000;
    }
  }
}
