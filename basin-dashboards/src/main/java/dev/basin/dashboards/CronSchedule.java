package dev.basin.dashboards;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;

/**
 * A cron schedule in UTC for extract refreshes: 5 fields (minute hour day-of-month month
 * day-of-week) or 6 with a trailing year, optionally wrapped in {@code cron(…)} — the text the
 * crawler schedules accept, minus EventBridge's {@code L}, {@code W} and {@code #}. Items are
 * {@code *}, {@code ?} (day fields), numbers, {@code JAN}-{@code DEC}, {@code SUN}-{@code SAT} (0
 * and 7 are Sunday), ranges, lists and steps. When both day fields are restricted a day matches
 * either, as in Vixie cron.
 *
 * <p>The crawler's {@code CronText} only checks text; a refresher needs the next fire time, so the
 * expression is parsed into sets of allowed values here.
 *
 * <p>Immutable and thread-safe.
 */
final class CronSchedule {

  private record Field(String name, int min, int max, List<String> names, int nameBase) {}

  private static final List<Field> FIELDS =
      List.of(
          new Field("minute", 0, 59, List.of(), 0),
          new Field("hour", 0, 23, List.of(), 0),
          new Field("day-of-month", 1, 31, List.of(), 0),
          new Field(
              "month",
              1,
              12,
              List.of(
                  "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV",
                  "DEC"),
              1),
          new Field(
              "day-of-week", 0, 7, List.of("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"), 0),
          new Field("year", 1970, 2199, List.of(), 0));

  private final String text;
  private final boolean[][] allowed = new boolean[6][];
  private final boolean anyDayOfMonth;
  private final boolean anyDayOfWeek;

  private CronSchedule(String text, String[] parts) {
    this.text = text;
    for (int i = 0; i < FIELDS.size(); i++) {
      Field f = FIELDS.get(i);
      allowed[i] = new boolean[f.max() + 1];
      String part = i < parts.length ? parts[i] : "*";
      for (String item : part.split(",", -1)) {
        add(f, allowed[i], item.toUpperCase(Locale.ROOT));
      }
    }
    if (allowed[4][7]) {
      allowed[4][0] = true;
    }
    anyDayOfMonth = parts[2].equals("*") || parts[2].equals("?");
    anyDayOfWeek = parts[4].equals("*") || parts[4].equals("?");
  }

  /**
   * Parses cron text.
   *
   * @throws IllegalArgumentException saying what is wrong (the field, the item and why)
   */
  static CronSchedule parse(String text) {
    String t = text.trim();
    if (t.startsWith("cron(") && t.endsWith(")")) {
      t = t.substring(5, t.length() - 1).trim();
    }
    String[] parts = t.isEmpty() ? new String[0] : t.split("\\s+");
    if (parts.length != 5 && parts.length != 6) {
      throw new IllegalArgumentException(
          "it has "
              + parts.length
              + " fields; use 5 (minute hour day-of-month month day-of-week) or 6 with a year,"
              + " e.g. '0 3 * * *'");
    }
    return new CronSchedule(text, parts);
  }

  /** The text this schedule was parsed from. */
  String text() {
    return text;
  }

  /**
   * The first minute strictly after {@code after} (UTC) that the schedule matches, or null if it
   * never fires again (a year list in the past, or a day that never exists such as 31 February).
   */
  Instant next(Instant after) {
    LocalDateTime t =
        LocalDateTime.ofInstant(after, ZoneOffset.UTC)
            .truncatedTo(ChronoUnit.MINUTES)
            .plusMinutes(1);
    while (t.getYear() <= 2199) {
      if (!allowed[5][t.getYear()]) {
        t = LocalDateTime.of(t.getYear() + 1, 1, 1, 0, 0);
      } else if (!allowed[3][t.getMonthValue()]) {
        t = t.toLocalDate().withDayOfMonth(1).plusMonths(1).atStartOfDay();
      } else if (!dayMatches(t.toLocalDate())) {
        t = t.toLocalDate().plusDays(1).atStartOfDay();
      } else if (!allowed[1][t.getHour()]) {
        t = t.truncatedTo(ChronoUnit.HOURS).plusHours(1);
      } else if (!allowed[0][t.getMinute()]) {
        t = t.plusMinutes(1);
      } else {
        return t.toInstant(ZoneOffset.UTC);
      }
    }
    return null;
  }

  private boolean dayMatches(LocalDate d) {
    boolean dom = allowed[2][d.getDayOfMonth()];
    boolean dow = allowed[4][d.getDayOfWeek().getValue() % 7];
    if (anyDayOfMonth && anyDayOfWeek) {
      return true;
    }
    if (anyDayOfMonth) {
      return dow;
    }
    if (anyDayOfWeek) {
      return dom;
    }
    return dom || dow;
  }

  private static void add(Field f, boolean[] into, String item) {
    String where = "field " + (FIELDS.indexOf(f) + 1) + " (" + f.name() + ") item '" + item + "'";
    if (item.isEmpty()) {
      throw new IllegalArgumentException(where + ": an empty list item");
    }
    if (item.equals("?")) {
      if (!f.name().startsWith("day-of")) {
        throw new IllegalArgumentException(
            where + ": '?' is only allowed for day-of-month and day-of-week");
      }
      item = "*";
    }
    if (item.contains("L") && f.names().stream().noneMatch(item::contains)
        || item.contains("W") && f.names().stream().noneMatch(item::contains)
        || item.contains("#")) {
      throw new IllegalArgumentException(
          where
              + ": 'L', 'W' and '#' are not supported for extract schedules; use numbers, names,"
              + " ranges (1-5), lists (1,15) and steps (*/15)");
    }
    int step = 1;
    String range = item;
    int slash = item.indexOf('/');
    if (slash >= 0) {
      step = number(f, item.substring(slash + 1), 1, f.max(), "a step", where);
      range = item.substring(0, slash);
    }
    int from;
    int to;
    if (range.equals("*")) {
      from = f.min();
      to = f.max();
    } else {
      int dash = range.indexOf('-');
      if (dash > 0) {
        from = value(f, range.substring(0, dash), where);
        to = value(f, range.substring(dash + 1), where);
        if (to < from) {
          throw new IllegalArgumentException(
              where + ": the range runs backwards; write the smaller value first");
        }
      } else {
        from = value(f, range, where);
        to = slash >= 0 ? f.max() : from;
      }
    }
    for (int v = from; v <= to; v += step) {
      into[v] = true;
    }
  }

  private static int value(Field f, String v, String where) {
    int named = f.names().indexOf(v);
    if (named >= 0) {
      return named + f.nameBase();
    }
    return number(f, v, f.min(), f.max(), "a " + f.name(), where);
  }

  private static int number(Field f, String v, int min, int max, String what, String where) {
    int n;
    try {
      n = Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          where
              + ": '"
              + v
              + "' is not "
              + what
              + " (a number from "
              + min
              + " to "
              + max
              + (f.names().isEmpty() || !what.startsWith("a " + f.name())
                  ? ""
                  : " or a name like " + f.names().get(0))
              + ")");
    }
    if (n < min || n > max) {
      throw new IllegalArgumentException(
          where + ": '" + v + "' is out of range " + min + "-" + max);
    }
    return n;
  }

  @Override
  public String toString() {
    return text;
  }
}
