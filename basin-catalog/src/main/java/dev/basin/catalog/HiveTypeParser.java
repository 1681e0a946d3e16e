package dev.basin.catalog;

import dev.basin.common.error.BasinException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** A recursive-descent parser over the type string. */
final class HiveTypeParser {
  private final String input;
  private int pos;

  HiveTypeParser(String input) {
    this.input = input;
  }

  HiveType type() {
    skipSpaces();
    int start = pos;
    String word = word();
    if (word.isEmpty()) {
      throw error(atEnd() ? "a type is missing at the end" : "expected a type name");
    }
    String name = word.toLowerCase(Locale.ROOT);
    switch (name) {
      case "integer":
        return new HiveType.Primitive("int");
      case "decimal":
      case "numeric":
        return decimal();
      case "char":
      case "varchar":
        {
          expect('(');
          int length = number();
          expect(')');
          int max = name.equals("char") ? 255 : 65535;
          if (length < 1 || length > max) {
            throw error(name + " length must be between 1 and " + max + ", was " + length);
          }
          return new HiveType.Text(name, length);
        }
      case "array":
        {
          expect('<');
          HiveType element = type();
          expect('>');
          return new HiveType.Array(element);
        }
      case "map":
        {
          expect('<');
          int keyAt = pos;
          HiveType key = type();
          if (!(key instanceof HiveType.Primitive
              || key instanceof HiveType.Decimal
              || key instanceof HiveType.Text)) {
            pos = keyAt;
            skipSpaces();
            throw error("a map key must be a primitive type, not " + key);
          }
          expect(',');
          HiveType value = type();
          expect('>');
          return new HiveType.MapType(key, value);
        }
      case "struct":
        return struct();
      default:
        if (HiveType.PRIMITIVES.contains(name)) {
          return new HiveType.Primitive(name);
        }
        pos = start;
        throw error(
            "unknown type '"
                + word
                + "'; expected one of "
                + String.join(", ", HiveType.PRIMITIVES)
                + ", decimal(p,s), char(n), varchar(n), array<…>, map<…,…>, struct<…>");
    }
  }

  private HiveType decimal() {
    skipSpaces();
    if (!peek('(')) {
      return new HiveType.Decimal(10, 0);
    }
    expect('(');
    int precision = number();
    int scale = 0;
    skipSpaces();
    if (peek(',')) {
      expect(',');
      scale = number();
    }
    expect(')');
    if (precision < 1 || precision > 38) {
      throw error("decimal precision must be between 1 and 38, was " + precision);
    }
    if (scale < 0 || scale > precision) {
      throw error(
          "decimal scale must be between 0 and the precision " + precision + ", was " + scale);
    }
    return new HiveType.Decimal(precision, scale);
  }

  private HiveType struct() {
    expect('<');
    List<HiveType.Field> fields = new ArrayList<>();
    Set<String> names = new HashSet<>();
    skipSpaces();
    if (peek('>')) {
      throw error("a struct needs at least one field");
    }
    while (true) {
      skipSpaces();
      int fieldAt = pos;
      String field = fieldName();
      if (field.isEmpty()) {
        throw error("expected a struct field name");
      }
      if (!names.add(field.toLowerCase(Locale.ROOT))) {
        pos = fieldAt;
        throw error("duplicate struct field '" + field + "'");
      }
      expect(':');
      fields.add(new HiveType.Field(field, type()));
      skipSpaces();
      if (peek(',')) {
        pos++;
        continue;
      }
      expect('>');
      return new HiveType.Struct(fields);
    }
  }

  private String fieldName() {
    if (peek('`')) {
      int end = input.indexOf('`', pos + 1);
      if (end < 0) {
        throw error("unterminated `quoted` field name");
      }
      String name = input.substring(pos + 1, end);
      pos = end + 1;
      return name;
    }
    return word();
  }

  private String word() {
    int start = pos;
    while (pos < input.length()
        && (Character.isLetterOrDigit(input.charAt(pos)) || input.charAt(pos) == '_')) {
      pos++;
    }
    return input.substring(start, pos);
  }

  private int number() {
    skipSpaces();
    int start = pos;
    while (pos < input.length() && Character.isDigit(input.charAt(pos))) {
      pos++;
    }
    if (start == pos) {
      throw error("expected a number");
    }
    try {
      return Integer.parseInt(input.substring(start, pos));
    } catch (NumberFormatException e) {
      pos = start;
      throw error("number too large");
    }
  }

  private void expect(char ch) {
    skipSpaces();
    if (!peek(ch)) {
      throw error(
          "expected '" + ch + "' but " + (atEnd() ? "the type ended" : "found '" + rest() + "'"));
    }
    pos++;
  }

  private boolean peek(char ch) {
    return pos < input.length() && input.charAt(pos) == ch;
  }

  void skipSpaces() {
    while (pos < input.length() && Character.isWhitespace(input.charAt(pos))) {
      pos++;
    }
  }

  boolean atEnd() {
    return pos >= input.length();
  }

  String rest() {
    String rest = input.substring(pos);
    return rest.length() > 20 ? rest.substring(0, 20) + "…" : rest;
  }

  BasinException error(String why) {
    return new BasinException(
        CatalogErrorCode.INVALID_TYPE,
        "invalid type '" + input + "' at position " + (pos + 1) + ": " + why);
  }
}
