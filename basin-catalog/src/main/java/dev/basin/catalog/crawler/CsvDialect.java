package dev.basin.catalog.crawler;

/**
 * How a delimited file is written.
 *
 * @param delimiter one of {@code , \t | ;} or Ctrl-A
 * @param quote the quote character ({@code "})
 * @param escape the escape character, or 0 when none was seen
 * @param quotedFields whether any sampled field was quoted (then Glue's OpenCSVSerde is needed)
 * @param header whether the first line is a header
 */
public record CsvDialect(
    char delimiter, char quote, char escape, boolean quotedFields, boolean header) {

  /** The delimiter as Glue's {@code delimiter} parameter shows it ({@code \t} for a tab). */
  public String delimiterName() {
    switch (delimiter) {
      case '\t':
        return "\\t";
      case '\u0001':
        return "\\u0001";
      default:
        return String.valueOf(delimiter);
    }
  }
}
