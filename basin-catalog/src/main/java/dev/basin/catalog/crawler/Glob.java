package dev.basin.catalog.crawler;

import java.util.regex.Pattern;

/**
 * Glue's exclude patterns: matched against an object key relative to the include path. {@code *}
 * matches any characters within one folder name, {@code **} any characters across folders, {@code
 * ?} one character, {@code [abc]} / {@code [!abc]} a character class, {@code {a,b}} alternatives,
 * {@code \} escapes the next character. A pattern that ends in {@code /} excludes everything under
 * the folder.
 */
final class Glob {
  private final String text;
  private final Pattern pattern;

  private Glob(String text, Pattern pattern) {
    this.text = text;
    this.pattern = pattern;
  }

  /**
   * @throws IllegalArgumentException with what is wrong, for an unbalanced bracket or brace
   */
  static Glob compile(String glob) {
    if (glob == null || glob.isEmpty()) {
      throw new IllegalArgumentException("an exclude pattern must not be empty");
    }
    String g = glob.startsWith("/") ? glob.substring(1) : glob;
    if (g.endsWith("/")) {
      g = g + "**";
    }
    StringBuilder re = new StringBuilder();
    int braces = 0;
    for (int i = 0; i < g.length(); i++) {
      char ch = g.charAt(i);
      switch (ch) {
        case '*':
          if (i + 1 < g.length() && g.charAt(i + 1) == '*') {
            i++;
            if (i + 1 < g.length() && g.charAt(i + 1) == '/') {
              i++;
              re.append("(?:.*/)?");
            } else {
              re.append(".*");
            }
          } else {
            re.append("[^/]*");
          }
          break;
        case '?':
          re.append("[^/]");
          break;
        case '[':
          int close = g.indexOf(']', i + 2);
          if (close < 0) {
            throw new IllegalArgumentException(
                "'[' at position " + (i + 1) + " of '" + glob + "' has no closing ']'");
          }
          String cls = g.substring(i + 1, close);
          re.append('[');
          if (cls.startsWith("!")) {
            re.append('^');
            cls = cls.substring(1);
          }
          re.append(cls.replace("\\", "\\\\").replace("[", "\\[")).append(']');
          i = close;
          break;
        case '{':
          braces++;
          re.append("(?:");
          break;
        case '}':
          if (braces == 0) {
            throw new IllegalArgumentException(
                "'}' at position " + (i + 1) + " of '" + glob + "' has no opening '{'");
          }
          braces--;
          re.append(')');
          break;
        case ',':
          re.append(braces > 0 ? "|" : ",");
          break;
        case '\\':
          if (i + 1 < g.length()) {
            i++;
            re.append(Pattern.quote(String.valueOf(g.charAt(i))));
          } else {
            re.append("\\\\");
          }
          break;
        default:
          re.append(Pattern.quote(String.valueOf(ch)));
      }
    }
    if (braces > 0) {
      throw new IllegalArgumentException("'" + glob + "' has a '{' without a closing '}'");
    }
    return new Glob(glob, Pattern.compile(re.toString()));
  }

  boolean matches(String relativeKey) {
    return pattern.matcher(relativeKey).matches();
  }

  @Override
  public String toString() {
    return text;
  }
}
