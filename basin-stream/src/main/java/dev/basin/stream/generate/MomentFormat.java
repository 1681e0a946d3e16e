package dev.basin.stream.generate;

import java.time.DayOfWeek;
import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.time.temporal.IsoFields;
import java.time.temporal.WeekFields;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A moment.js display format (the one KDG's {@code date.now("…")} takes) compiled once into a list
 * of Java field printers, with moment's English-locale output.
 *
 * <p>Supported tokens: {@code YYYY YY Y Q Qo M Mo MM MMM MMMM D Do DD DDD DDDo DDDD d do dd ddd
 * dddd e E w wo ww W Wo WW gg gggg GG GGGG H HH h hh k kk m mm s ss S…SSSSSSSSS A a Z ZZ x X z zz}
 * and the localized shortcuts {@code LT LTS L LL LLL LLLL l ll lll llll}; text in {@code
 * [brackets]} and characters after a backslash are literal, as is every other character. Immutable
 * and thread-safe.
 */
final class MomentFormat {

  private interface Printer {
    void print(StringBuilder out, ZonedDateTime t, long epochMillis);
  }

  private static final String[] MONTHS = names(true, TextStyle.FULL);
  private static final String[] MONTHS_SHORT = names(true, TextStyle.SHORT);
  private static final String[] DAYS = names(false, TextStyle.FULL);
  private static final String[] DAYS_SHORT = names(false, TextStyle.SHORT);
  private static final WeekFields LOCALE_WEEKS = WeekFields.of(DayOfWeek.SUNDAY, 1);

  private static final Map<String, String> LOCALIZED =
      Map.of(
          "LTS", "h:mm:ss A",
          "LT", "h:mm A",
          "LLLL", "dddd, MMMM D, YYYY h:mm A",
          "LLL", "MMMM D, YYYY h:mm A",
          "LL", "MMMM D, YYYY",
          "L", "MM/DD/YYYY",
          "llll", "ddd, MMM D, YYYY h:mm A",
          "lll", "MMM D, YYYY h:mm A",
          "ll", "MMM D, YYYY",
          "l", "M/D/YYYY");

  private static final Map<String, Printer> TOKENS = tokens();
  private static final List<String> TOKEN_NAMES = tokenNamesLongestFirst();

  /** moment's default {@code format()} in local time: {@code 2014-09-08T08:02:17-05:00}. */
  static final MomentFormat LOCAL_DEFAULT = compile("YYYY-MM-DDTHH:mm:ssZ");

  /** moment's default {@code format()} in UTC mode: {@code 2014-09-08T13:02:17Z}. */
  static final MomentFormat UTC_DEFAULT = compile("YYYY-MM-DDTHH:mm:ss[Z]");

  private final String pattern;
  private final Printer[] printers;

  private MomentFormat(String pattern, List<Printer> printers) {
    this.pattern = pattern;
    this.printers = printers.toArray(new Printer[0]);
  }

  /** Compiles a moment.js format. Never fails: unknown letters print as themselves, like moment. */
  static MomentFormat compile(String pattern) {
    List<Printer> out = new ArrayList<>();
    compileInto(pattern, out);
    return new MomentFormat(pattern, mergeLiterals(out));
  }

  String pattern() {
    return pattern;
  }

  void format(StringBuilder out, ZonedDateTime t) {
    long epochMillis = t.toInstant().toEpochMilli();
    for (Printer p : printers) {
      p.print(out, t, epochMillis);
    }
  }

  String format(ZonedDateTime t) {
    StringBuilder sb = new StringBuilder(32);
    format(sb, t);
    return sb.toString();
  }

  private static void compileInto(String pattern, List<Printer> out) {
    int i = 0;
    while (i < pattern.length()) {
      char c = pattern.charAt(i);
      if (c == '[') {
        int close = pattern.indexOf(']', i + 1);
        if (close > 0) {
          out.add(literal(pattern.substring(i + 1, close)));
          i = close + 1;
          continue;
        }
      }
      if (c == '\\' && i + 1 < pattern.length()) {
        out.add(literal(String.valueOf(pattern.charAt(i + 1))));
        i += 2;
        continue;
      }
      String localized = matchLocalized(pattern, i);
      if (localized != null) {
        compileInto(LOCALIZED.get(localized), out);
        i += localized.length();
        continue;
      }
      String token = matchToken(pattern, i);
      if (token != null) {
        out.add(TOKENS.get(token));
        i += token.length();
        continue;
      }
      out.add(literal(String.valueOf(c)));
      i++;
    }
  }

  private static String matchLocalized(String pattern, int i) {
    for (String key : List.of("LTS", "LT", "LLLL", "LLL", "LL", "L", "llll", "lll", "ll", "l")) {
      if (pattern.startsWith(key, i)) {
        return key;
      }
    }
    return null;
  }

  private static String matchToken(String pattern, int i) {
    for (String token : TOKEN_NAMES) {
      if (pattern.startsWith(token, i)) {
        return token;
      }
    }
    return null;
  }

  private static Printer literal(String text) {
    return new Literal(text);
  }

  private static final class Literal implements Printer {
    final String text;

    Literal(String text) {
      this.text = text;
    }

    @Override
    public void print(StringBuilder out, ZonedDateTime t, long epochMillis) {
      out.append(text);
    }
  }

  private static List<Printer> mergeLiterals(List<Printer> printers) {
    List<Printer> merged = new ArrayList<>();
    StringBuilder pending = new StringBuilder();
    for (Printer p : printers) {
      if (p instanceof Literal) {
        pending.append(((Literal) p).text);
      } else {
        if (pending.length() > 0) {
          merged.add(literal(pending.toString()));
          pending.setLength(0);
        }
        merged.add(p);
      }
    }
    if (pending.length() > 0) {
      merged.add(literal(pending.toString()));
    }
    return merged;
  }

  private static Map<String, Printer> tokens() {
    Map<String, Printer> m = new java.util.HashMap<>();
    m.put("YYYY", (o, t, e) -> pad(o, t.getYear(), 4));
    m.put("YY", (o, t, e) -> pad(o, Math.floorMod(t.getYear(), 100), 2));
    m.put("Y", (o, t, e) -> o.append(t.getYear()));
    m.put("Q", (o, t, e) -> o.append(t.get(IsoFields.QUARTER_OF_YEAR)));
    m.put("Qo", (o, t, e) -> ordinal(o, t.get(IsoFields.QUARTER_OF_YEAR)));
    m.put("M", (o, t, e) -> o.append(t.getMonthValue()));
    m.put("Mo", (o, t, e) -> ordinal(o, t.getMonthValue()));
    m.put("MM", (o, t, e) -> pad(o, t.getMonthValue(), 2));
    m.put("MMM", (o, t, e) -> o.append(MONTHS_SHORT[t.getMonthValue() - 1]));
    m.put("MMMM", (o, t, e) -> o.append(MONTHS[t.getMonthValue() - 1]));
    m.put("D", (o, t, e) -> o.append(t.getDayOfMonth()));
    m.put("Do", (o, t, e) -> ordinal(o, t.getDayOfMonth()));
    m.put("DD", (o, t, e) -> pad(o, t.getDayOfMonth(), 2));
    m.put("DDD", (o, t, e) -> o.append(t.getDayOfYear()));
    m.put("DDDo", (o, t, e) -> ordinal(o, t.getDayOfYear()));
    m.put("DDDD", (o, t, e) -> pad(o, t.getDayOfYear(), 3));
    m.put("d", (o, t, e) -> o.append(sundayBased(t)));
    m.put("do", (o, t, e) -> ordinal(o, sundayBased(t)));
    m.put("dd", (o, t, e) -> o.append(DAYS_SHORT[sundayBased(t)], 0, 2));
    m.put("ddd", (o, t, e) -> o.append(DAYS_SHORT[sundayBased(t)]));
    m.put("dddd", (o, t, e) -> o.append(DAYS[sundayBased(t)]));
    m.put("e", (o, t, e) -> o.append(sundayBased(t)));
    m.put("E", (o, t, e) -> o.append(t.getDayOfWeek().getValue()));
    m.put("w", (o, t, e) -> o.append(t.get(LOCALE_WEEKS.weekOfWeekBasedYear())));
    m.put("wo", (o, t, e) -> ordinal(o, t.get(LOCALE_WEEKS.weekOfWeekBasedYear())));
    m.put("ww", (o, t, e) -> pad(o, t.get(LOCALE_WEEKS.weekOfWeekBasedYear()), 2));
    m.put("W", (o, t, e) -> o.append(t.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR)));
    m.put("Wo", (o, t, e) -> ordinal(o, t.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR)));
    m.put("WW", (o, t, e) -> pad(o, t.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR), 2));
    m.put("gg", (o, t, e) -> pad(o, Math.floorMod(t.get(LOCALE_WEEKS.weekBasedYear()), 100), 2));
    m.put("gggg", (o, t, e) -> pad(o, t.get(LOCALE_WEEKS.weekBasedYear()), 4));
    m.put("GG", (o, t, e) -> pad(o, Math.floorMod(t.get(IsoFields.WEEK_BASED_YEAR), 100), 2));
    m.put("GGGG", (o, t, e) -> pad(o, t.get(IsoFields.WEEK_BASED_YEAR), 4));
    m.put("H", (o, t, e) -> o.append(t.getHour()));
    m.put("HH", (o, t, e) -> pad(o, t.getHour(), 2));
    m.put("h", (o, t, e) -> o.append(hour12(t)));
    m.put("hh", (o, t, e) -> pad(o, hour12(t), 2));
    m.put("k", (o, t, e) -> o.append(t.getHour() == 0 ? 24 : t.getHour()));
    m.put("kk", (o, t, e) -> pad(o, t.getHour() == 0 ? 24 : t.getHour(), 2));
    m.put("m", (o, t, e) -> o.append(t.getMinute()));
    m.put("mm", (o, t, e) -> pad(o, t.getMinute(), 2));
    m.put("s", (o, t, e) -> o.append(t.getSecond()));
    m.put("ss", (o, t, e) -> pad(o, t.getSecond(), 2));
    String nines = "SSSSSSSSS";
    for (int n = 1; n <= 9; n++) {
      int digits = n;
      m.put(nines.substring(0, n), (o, t, e) -> fraction(o, t.getNano(), digits));
    }
    m.put("A", (o, t, e) -> o.append(t.getHour() < 12 ? "AM" : "PM"));
    m.put("a", (o, t, e) -> o.append(t.getHour() < 12 ? "am" : "pm"));
    m.put("Z", (o, t, e) -> offset(o, t.getOffset().getTotalSeconds(), true));
    m.put("ZZ", (o, t, e) -> offset(o, t.getOffset().getTotalSeconds(), false));
    m.put("x", (o, t, e) -> o.append(e));
    m.put("X", (o, t, e) -> o.append(Math.floorDiv(e, 1000L)));
    m.put("z", (o, t, e) -> o.append(t.getZone().getDisplayName(TextStyle.SHORT, Locale.ENGLISH)));
    m.put("zz", (o, t, e) -> o.append(t.getZone().getDisplayName(TextStyle.SHORT, Locale.ENGLISH)));
    return Map.copyOf(m);
  }

  private static List<String> tokenNamesLongestFirst() {
    List<String> names = new ArrayList<>(TOKENS.keySet());
    names.sort(Comparator.comparingInt(String::length).reversed().thenComparing(s -> s));
    return List.copyOf(names);
  }

  private static String[] names(boolean months, TextStyle style) {
    if (months) {
      String[] out = new String[12];
      for (int i = 0; i < 12; i++) {
        out[i] = java.time.Month.of(i + 1).getDisplayName(style, Locale.ENGLISH);
      }
      return out;
    }
    String[] out = new String[7];
    for (int i = 0; i < 7; i++) {
      // index 0 is Sunday, as in moment
      out[i] = DayOfWeek.of(i == 0 ? 7 : i).getDisplayName(style, Locale.ENGLISH);
    }
    return out;
  }

  private static int sundayBased(ZonedDateTime t) {
    return t.getDayOfWeek().getValue() % 7;
  }

  private static int hour12(ZonedDateTime t) {
    int h = t.getHour() % 12;
    return h == 0 ? 12 : h;
  }

  static void pad(StringBuilder out, long value, int width) {
    if (value < 0) {
      out.append('-');
      value = -value;
    }
    String digits = Long.toString(value);
    for (int i = digits.length(); i < width; i++) {
      out.append('0');
    }
    out.append(digits);
  }

  private static void fraction(StringBuilder out, int nanos, int digits) {
    String nine = Integer.toString(nanos + 1_000_000_000).substring(1);
    out.append(nine, 0, digits);
  }

  private static void offset(StringBuilder out, int totalSeconds, boolean colon) {
    out.append(totalSeconds < 0 ? '-' : '+');
    int abs = Math.abs(totalSeconds);
    pad(out, abs / 3600, 2);
    if (colon) {
      out.append(':');
    }
    pad(out, (abs / 60) % 60, 2);
  }

  static void ordinal(StringBuilder out, int n) {
    out.append(n);
    int mod100 = n % 100;
    if (mod100 >= 11 && mod100 <= 13) {
      out.append("th");
      return;
    }
    switch (n % 10) {
      case 1:
        out.append("st");
        break;
      case 2:
        out.append("nd");
        break;
      case 3:
        out.append("rd");
        break;
      default:
        out.append("th");
    }
  }

  @Override
  public String toString() {
    return pattern;
  }
}
