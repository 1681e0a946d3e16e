package dev.basin.sql.service;

import dev.basin.common.error.BasinException;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Execution parameters written as SQL literals (Athena's {@code ExecutionParameters}) turned into
 * the Java values the engine binds. Only literals are accepted, so a parameter can never add SQL to
 * the statement.
 */
final class Literals {
  private static final Pattern INTEGER = Pattern.compile("[+-]?\\d+");
  private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+\\.\\d*|\\.\\d+)");
  private static final Pattern FLOAT = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)[eE][+-]?\\d+");
  private static final DateTimeFormatter TIMESTAMP =
      new DateTimeFormatterBuilder()
          .append(DateTimeFormatter.ISO_LOCAL_DATE)
          .appendLiteral(' ')
          .append(DateTimeFormatter.ofPattern("HH:mm"))
          .optionalStart()
          .appendLiteral(':')
          .appendValue(ChronoField.SECOND_OF_MINUTE, 2)
          .optionalStart()
          .appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true)
          .toFormatter(Locale.ROOT);

  private Literals() {}

  /**
   * The values of {@code literals}, in order.
   *
   * @throws BasinException {@link QueryErrorCode#INVALID_REQUEST} naming the first parameter that
   *     is not a literal
   */
  static List<Object> parse(List<String> literals) {
    List<Object> values = new ArrayList<>(literals.size());
    for (int i = 0; i < literals.size(); i++) {
      values.add(parse(i + 1, literals.get(i)));
    }
    return values;
  }

  private static Object parse(int index, String text) {
    if (text == null) {
      throw invalid(index, "null", "a parameter must be a SQL literal; write NULL for a null");
    }
    String t = text.strip();
    if (t.isEmpty()) {
      throw invalid(index, text, "it is empty; write '' for an empty string");
    }
    String upper = t.toUpperCase(Locale.ROOT);
    if (upper.equals("NULL")) {
      return null;
    }
    if (upper.equals("TRUE") || upper.equals("FALSE")) {
      return Boolean.valueOf(upper.equals("TRUE"));
    }
    if (t.charAt(0) == '\'') {
      return string(index, text, t);
    }
    if (upper.startsWith("DATE") && t.length() > 4 && t.substring(4).strip().startsWith("'")) {
      String s = string(index, text, t.substring(4).strip());
      try {
        return LocalDate.parse(s);
      } catch (DateTimeParseException e) {
        throw invalid(index, text, "'" + s + "' is not a date like DATE '2024-01-31'");
      }
    }
    if (upper.startsWith("TIMESTAMP") && t.length() > 9 && t.substring(9).strip().startsWith("'")) {
      String s = string(index, text, t.substring(9).strip());
      try {
        return LocalDateTime.parse(s, TIMESTAMP);
      } catch (DateTimeParseException e) {
        throw invalid(
            index, text, "'" + s + "' is not a timestamp like TIMESTAMP '2024-01-31 12:00:00'");
      }
    }
    if (INTEGER.matcher(t).matches()) {
      BigDecimal d = new BigDecimal(t);
      try {
        return d.longValueExact();
      } catch (ArithmeticException e) {
        return d;
      }
    }
    if (DECIMAL.matcher(t).matches()) {
      return new BigDecimal(t);
    }
    if (FLOAT.matcher(t).matches()) {
      return Double.valueOf(t);
    }
    throw invalid(
        index,
        text,
        "it is not a literal; write strings in single quotes ('abc'), numbers (42, 1.5), true,"
            + " false, NULL, DATE '2024-01-31' or TIMESTAMP '2024-01-31 12:00:00'");
  }

  private static String string(int index, String original, String quoted) {
    if (quoted.length() < 2 || quoted.charAt(quoted.length() - 1) != '\'') {
      throw invalid(index, original, "the string is not closed with a single quote");
    }
    String body = quoted.substring(1, quoted.length() - 1);
    StringBuilder out = new StringBuilder(body.length());
    for (int i = 0; i < body.length(); i++) {
      char c = body.charAt(i);
      if (c == '\'') {
        if (i + 1 < body.length() && body.charAt(i + 1) == '\'') {
          out.append('\'');
          i++;
          continue;
        }
        throw invalid(
            index, original, "a quote inside a string must be doubled ('it''s'), at " + (i + 2));
      }
      out.append(c);
    }
    return out.toString();
  }

  private static BasinException invalid(int index, String text, String why) {
    String shown =
        text == null ? "null" : text.length() > 80 ? text.substring(0, 77) + "..." : text;
    return new BasinException(
        QueryErrorCode.INVALID_REQUEST,
        "execution parameter " + index + " (" + shown + ") is invalid: " + why);
  }
}
