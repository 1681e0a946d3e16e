package dev.basin.stream.generate;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a helper's argument list: JSON literals, leniently. Besides JSON it accepts strings in
 * single quotes, unquoted object keys ({@code {min: 1}}), trailing commas and line breaks anywhere
 * (KDG strips line breaks from the template before parsing, so a string split over lines is
 * joined).
 *
 * <p>Values become {@link String}, {@link Long} (integers that fit), {@link Double}, {@link
 * Boolean}, {@code null}, {@link List} and {@link Map} (insertion-ordered). Not thread-safe; one
 * reader per parse.
 */
final class ArgReader {

  /** A syntax error at a position of the template. */
  static final class SyntaxError extends RuntimeException {
    final int index;

    SyntaxError(int index, String message) {
      super(message, null, false, false);
      this.index = index;
    }
  }

  private final SourceText src;
  private int pos;

  ArgReader(SourceText src, int pos) {
    this.src = src;
    this.pos = pos;
  }

  int position() {
    return pos;
  }

  /**
   * Reads comma-separated values up to the closing parenthesis; {@link #position()} is then just
   * after it. The opening parenthesis must already be consumed.
   */
  List<Object> readArguments() {
    List<Object> args = new ArrayList<>();
    skipSpace();
    if (peek() == ')') {
      pos++;
      return args;
    }
    while (true) {
      args.add(readValue());
      skipSpace();
      char c = peek();
      if (c == ',') {
        pos++;
        skipSpace();
        if (peek() == ')') {
          pos++;
          return args;
        }
      } else if (c == ')') {
        pos++;
        return args;
      } else {
        throw unexpected("',' or ')'");
      }
    }
  }

  private Object readValue() {
    skipSpace();
    char c = peek();
    switch (c) {
      case '"':
      case '\'':
        return readString(c);
      case '[':
        return readArray();
      case '{':
        return readObject();
      default:
        if (c == '-' || c == '+' || c == '.' || (c >= '0' && c <= '9')) {
          return readNumber();
        }
        if (isIdentifierStart(c)) {
          int start = pos;
          String word = readIdentifier();
          switch (word) {
            case "true":
              return Boolean.TRUE;
            case "false":
              return Boolean.FALSE;
            case "null":
            case "undefined":
              return null;
            default:
              throw new SyntaxError(
                  start,
                  "unexpected '" + word + "'; put text arguments in quotes: \"" + word + "\"");
          }
        }
        throw unexpected("a value (number, \"string\", [array] or {object})");
    }
  }

  private String readString(char quote) {
    int start = pos;
    pos++;
    StringBuilder sb = new StringBuilder();
    while (true) {
      if (pos >= src.length()) {
        throw new SyntaxError(start, "unterminated string");
      }
      char c = src.charAt(pos++);
      if (c == quote) {
        return sb.toString();
      }
      if (c == '\n' || c == '\r') {
        continue;
      }
      if (c != '\\') {
        sb.append(c);
        continue;
      }
      if (pos >= src.length()) {
        throw new SyntaxError(start, "unterminated string");
      }
      char e = src.charAt(pos++);
      switch (e) {
        case 'n':
          sb.append('\n');
          break;
        case 't':
          sb.append('\t');
          break;
        case 'r':
          sb.append('\r');
          break;
        case 'b':
          sb.append('\b');
          break;
        case 'f':
          sb.append('\f');
          break;
        case 'u':
          if (pos + 4 > src.length()) {
            throw new SyntaxError(pos - 2, "bad \\u escape");
          }
          try {
            sb.append((char) Integer.parseInt(src.text().substring(pos, pos + 4), 16));
          } catch (NumberFormatException ex) {
            throw new SyntaxError(pos - 2, "bad \\u escape");
          }
          pos += 4;
          break;
        default:
          sb.append(e);
      }
    }
  }

  private List<Object> readArray() {
    pos++;
    List<Object> list = new ArrayList<>();
    skipSpace();
    if (peek() == ']') {
      pos++;
      return Collections.unmodifiableList(list);
    }
    while (true) {
      list.add(readValue());
      skipSpace();
      char c = peek();
      if (c == ',') {
        pos++;
        skipSpace();
        if (peek() == ']') {
          pos++;
          break;
        }
      } else if (c == ']') {
        pos++;
        break;
      } else {
        throw unexpected("',' or ']'");
      }
    }
    return Collections.unmodifiableList(list);
  }

  private Map<String, Object> readObject() {
    pos++;
    Map<String, Object> map = new LinkedHashMap<>();
    skipSpace();
    if (peek() == '}') {
      pos++;
      return Collections.unmodifiableMap(map);
    }
    while (true) {
      skipSpace();
      char c = peek();
      String key;
      if (c == '"' || c == '\'') {
        key = readString(c);
      } else if (isIdentifierStart(c)) {
        key = readIdentifier();
      } else {
        throw unexpected("an object key");
      }
      skipSpace();
      if (peek() != ':') {
        throw unexpected("':' after key '" + key + "'");
      }
      pos++;
      map.put(key, readValue());
      skipSpace();
      c = peek();
      if (c == ',') {
        pos++;
        skipSpace();
        if (peek() == '}') {
          pos++;
          break;
        }
      } else if (c == '}') {
        pos++;
        break;
      } else {
        throw unexpected("',' or '}'");
      }
    }
    return Collections.unmodifiableMap(map);
  }

  private Object readNumber() {
    int start = pos;
    if (peek() == '-' || peek() == '+') {
      pos++;
    }
    boolean fractional = false;
    while (pos < src.length()) {
      char c = src.charAt(pos);
      if (c >= '0' && c <= '9') {
        pos++;
      } else if (c == '.' || c == 'e' || c == 'E') {
        fractional = true;
        pos++;
        if ((c == 'e' || c == 'E') && (peek() == '-' || peek() == '+')) {
          pos++;
        }
      } else {
        break;
      }
    }
    String text = src.text().substring(start, pos);
    try {
      if (!fractional) {
        return Long.parseLong(text.startsWith("+") ? text.substring(1) : text);
      }
      double d = Double.parseDouble(text);
      if (Double.isInfinite(d)) {
        throw new NumberFormatException();
      }
      return d;
    } catch (NumberFormatException e) {
      try {
        double d = Double.parseDouble(text);
        if (!Double.isInfinite(d)) {
          return d;
        }
      } catch (NumberFormatException ignored) {
        // reported below
      }
      throw new SyntaxError(start, "invalid number '" + text + "'");
    }
  }

  private String readIdentifier() {
    int start = pos;
    while (pos < src.length() && isIdentifierPart(src.charAt(pos))) {
      pos++;
    }
    return src.text().substring(start, pos);
  }

  static boolean isIdentifierStart(char c) {
    return Character.isLetter(c) || c == '_' || c == '$';
  }

  static boolean isIdentifierPart(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == '$';
  }

  private void skipSpace() {
    while (pos < src.length() && Character.isWhitespace(src.charAt(pos))) {
      pos++;
    }
  }

  private char peek() {
    return pos < src.length() ? src.charAt(pos) : '\0';
  }

  private SyntaxError unexpected(String expected) {
    if (pos >= src.length()) {
      return new SyntaxError(pos, "expected " + expected + " but the template ended");
    }
    char c = src.charAt(pos);
    if (c == '}' && pos + 1 < src.length() && src.charAt(pos + 1) == '}') {
      return new SyntaxError(pos, "expected " + expected + " but found '}}'");
    }
    return new SyntaxError(pos, "expected " + expected + " but found '" + c + "'");
  }
}
