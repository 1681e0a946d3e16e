package dev.basin.catalog.crawler;

import java.util.List;
import java.util.Locale;

/**
 * Checks cron text for crawler schedules: 5 fields (minute hour day-of-month month day-of-week) or
 * 6 with a trailing year as in Glue and EventBridge ({@code cron(15 12 * * ? *)}); the {@code
 * cron(…)} wrapper is optional. Items are {@code *}, {@code ?}, numbers or names, ranges, lists and
 * steps; {@code L}, {@code W} and {@code #} are accepted where EventBridge accepts them. Only the
 * text is checked here; the scheduler interprets it.
 */
final class CronText {
  private record Field(String name, int min, int max, List<String> names) {}

  private static final List<String> MONTHS =
      List.of("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC");
  private static final List<String> DAYS = List.of("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT");
  private static final List<Field> FIELDS =
      List.of(
          new Field("minute", 0, 59, List.of()),
          new Field("hour", 0, 23, List.of()),
          new Field("day-of-month", 1, 31, List.of()),
          new Field("month", 1, 12, MONTHS),
          new Field("day-of-week", 0, 7, DAYS),
          new Field("year", 1970, 2199, List.of()));

  private CronText() {}

  /**
   * @return null when valid, else what is wrong
   */
  static String problem(String text) {
    String t = text.trim();
    if (t.startsWith("cron(") && t.endsWith(")")) {
      t = t.substring(5, t.length() - 1).trim();
    }
    String[] parts = t.split("\\s+");
    if (parts.length != 5 && parts.length != 6) {
      return "it has "
          + parts.length
          + " fields; use 5 (minute hour day-of-month month day-of-week) or 6 with a year,"
          + " e.g. '0 3 * * *'";
    }
    for (int i = 0; i < parts.length; i++) {
      Field f = FIELDS.get(i);
      for (String item : parts[i].split(",", -1)) {
        String why = item(f, item.toUpperCase(Locale.ROOT));
        if (why != null) {
          return "field " + (i + 1) + " (" + f.name() + ") '" + parts[i] + "': " + why;
        }
      }
    }
    return null;
  }

  private static String item(Field f, String item) {
    if (item.isEmpty()) {
      return "an empty list item";
    }
    if (item.equals("*")) {
      return null;
    }
    if (item.equals("?")) {
      return f.name().equals("day-of-month") || f.name().equals("day-of-week")
          ? null
          : "'?' is only allowed for day-of-month and day-of-week";
    }
    if (f.name().equals("day-of-month") && (item.equals("L") || item.equals("LW"))) {
      return null;
    }
    if (f.name().equals("day-of-month") && item.endsWith("W")) {
      return value(f, item.substring(0, item.length() - 1));
    }
    if (f.name().equals("day-of-week") && item.contains("#")) {
      String[] p = item.split("#", -1);
      String why = value(f, p[0]);
      return why != null ? why : number(p[1], 1, 5, "the week of the month");
    }
    if (f.name().equals("day-of-week") && item.endsWith("L") && item.length() > 1) {
      return value(f, item.substring(0, item.length() - 1));
    }
    String range = item;
    int slash = item.indexOf('/');
    if (slash >= 0) {
      String why = number(item.substring(slash + 1), 1, f.max(), "a step");
      if (why != null) {
        return why;
      }
      range = item.substring(0, slash);
      if (range.equals("*")) {
        return null;
      }
    }
    int dash = range.indexOf('-');
    if (dash > 0) {
      String why = value(f, range.substring(0, dash));
      return why != null ? why : value(f, range.substring(dash + 1));
    }
    return value(f, range);
  }

  private static String value(Field f, String v) {
    int named = f.names().indexOf(v);
    if (named >= 0) {
      return null;
    }
    return number(v, f.min(), f.max(), "a " + f.name());
  }

  private static String number(String v, int min, int max, String what) {
    int n;
    try {
      n = Integer.parseInt(v);
    } catch (NumberFormatException e) {
      return "'" + v + "' is not " + what + " (a number from " + min + " to " + max + ")";
    }
    if (n < min || n > max) {
      return "'" + v + "' is out of range " + min + "-" + max;
    }
    return null;
  }
}
