package dev.basin.catalog.crawler;

import java.util.ArrayList;
import java.util.List;

/**
 * A lenient RFC 4180 reader for sniffing: quoted fields may hold delimiters, doubled quotes and
 * newlines; an optional escape character escapes the next character. It never throws: a stray quote
 * inside an unquoted field is kept as text, and an unterminated quoted field at the end is reported
 * through {@link Result#unterminated()}.
 */
final class CsvReader {

  /** Parsed records and what was seen while parsing. */
  record Result(
      List<List<String>> records, int quotedFields, boolean unterminated, boolean sawEscape) {}

  private CsvReader() {}

  /**
   * Reads at most {@code maxRecords} records; blank lines are skipped.
   *
   * @param escape the escape character, or 0 for none
   */
  static Result read(String text, char delimiter, char quote, char escape, int maxRecords) {
    List<List<String>> records = new ArrayList<>();
    List<String> record = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    int quotedFields = 0;
    boolean sawEscape = false;
    boolean inQuotes = false;
    boolean fieldStarted = false;
    int i = 0;
    int n = text.length();
    while (i < n && records.size() < maxRecords) {
      char ch = text.charAt(i);
      if (escape != 0 && ch == escape && i + 1 < n) {
        field.append(text.charAt(i + 1));
        sawEscape = true;
        fieldStarted = true;
        i += 2;
        continue;
      }
      if (inQuotes) {
        if (ch == quote) {
          if (i + 1 < n && text.charAt(i + 1) == quote) {
            field.append(quote);
            i += 2;
            continue;
          }
          inQuotes = false;
        } else {
          field.append(ch);
        }
        i++;
        continue;
      }
      if (ch == quote && !fieldStarted) {
        inQuotes = true;
        fieldStarted = true;
        quotedFields++;
      } else if (ch == delimiter) {
        record.add(field.toString());
        field.setLength(0);
        fieldStarted = false;
      } else if (ch == '\n' || ch == '\r') {
        if (ch == '\r' && i + 1 < n && text.charAt(i + 1) == '\n') {
          i++;
        }
        if (!record.isEmpty() || fieldStarted || field.length() > 0) {
          record.add(field.toString());
          records.add(record);
        }
        record = new ArrayList<>();
        field.setLength(0);
        fieldStarted = false;
      } else {
        field.append(ch);
        fieldStarted = true;
      }
      i++;
    }
    boolean unterminated = inQuotes;
    if (records.size() < maxRecords && (!record.isEmpty() || fieldStarted || field.length() > 0)) {
      record.add(field.toString());
      records.add(record);
    }
    return new Result(records, quotedFields, unterminated, sawEscape);
  }
}
