package dev.basin.catalog;

import dev.basin.common.error.BasinException;
import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * A filter on partition values in the subset of Glue's {@code Expression} syntax that compares keys
 * with constants: {@code year = '2024' AND (month >= '06' OR month = '01')}. Operators {@code =},
 * {@code !=}, {@code <>}, {@code <}, {@code <=}, {@code >}, {@code >=}; {@code AND}, {@code OR},
 * parentheses. Keys of numeric types compare as numbers, others as strings.
 */
final class PartitionFilter {
  private final String input;
  private final List<Column> keys;
  private int pos;

  private PartitionFilter(String input, List<Column> keys) {
    this.input = input;
    this.keys = keys;
  }

  /**
   * Parses {@code expression} against the table's partition keys.
   *
   * @throws BasinException {@code INVALID_INPUT} naming the position and problem
   */
  static Predicate<List<String>> parse(String expression, List<Column> keys) {
    if (expression == null || expression.isBlank()) {
      return values -> true;
    }
    PartitionFilter p = new PartitionFilter(expression, keys);
    Predicate<List<String>> result = p.or();
    p.skipSpaces();
    if (p.pos < p.input.length()) {
      throw p.error("unexpected '" + p.input.substring(p.pos) + "'");
    }
    return result;
  }

  private Predicate<List<String>> or() {
    Predicate<List<String>> left = and();
    while (keyword("or")) {
      left = left.or(and());
    }
    return left;
  }

  private Predicate<List<String>> and() {
    Predicate<List<String>> left = term();
    while (keyword("and")) {
      left = left.and(term());
    }
    return left;
  }

  private Predicate<List<String>> term() {
    skipSpaces();
    if (peek('(')) {
      pos++;
      Predicate<List<String>> inner = or();
      skipSpaces();
      if (!peek(')')) {
        throw error("expected ')'");
      }
      pos++;
      return inner;
    }
    int keyAt = pos;
    String key = identifier();
    int index = -1;
    for (int i = 0; i < keys.size(); i++) {
      if (keys.get(i).name().equalsIgnoreCase(key)) {
        index = i;
      }
    }
    if (index < 0) {
      pos = keyAt;
      throw error(
          "'"
              + key
              + "' is not a partition key; the keys are "
              + keys.stream().map(Column::name).toList());
    }
    String op = operator();
    String literal = literal();
    boolean numeric = isNumeric(keys.get(index).type());
    if (numeric) {
      try {
        new BigDecimal(literal);
      } catch (NumberFormatException e) {
        throw error("key '" + key + "' is numeric but '" + literal + "' is not a number");
      }
    }
    int i = index;
    return values -> {
      String value = values.get(i);
      if (value == null) {
        return false;
      }
      int cmp;
      if (numeric) {
        try {
          cmp = new BigDecimal(value).compareTo(new BigDecimal(literal));
        } catch (NumberFormatException e) {
          return false;
        }
      } else {
        cmp = value.compareTo(literal);
      }
      return switch (op) {
        case "=" -> cmp == 0;
        case "!=", "<>" -> cmp != 0;
        case "<" -> cmp < 0;
        case "<=" -> cmp <= 0;
        case ">" -> cmp > 0;
        default -> cmp >= 0;
      };
    };
  }

  private static boolean isNumeric(String type) {
    String t = type.toLowerCase(Locale.ROOT);
    return t.equals("tinyint")
        || t.equals("smallint")
        || t.equals("int")
        || t.equals("bigint")
        || t.equals("float")
        || t.equals("double")
        || t.startsWith("decimal");
  }

  private String identifier() {
    skipSpaces();
    if (peek('`')) {
      int end = input.indexOf('`', pos + 1);
      if (end < 0) {
        throw error("unterminated `quoted` key");
      }
      String id = input.substring(pos + 1, end);
      pos = end + 1;
      return id;
    }
    int start = pos;
    while (pos < input.length()
        && (Character.isLetterOrDigit(input.charAt(pos)) || input.charAt(pos) == '_')) {
      pos++;
    }
    if (start == pos) {
      throw error("expected a partition key");
    }
    return input.substring(start, pos);
  }

  private String operator() {
    skipSpaces();
    for (String op : List.of("<=", ">=", "!=", "<>", "=", "<", ">")) {
      if (input.startsWith(op, pos)) {
        pos += op.length();
        return op;
      }
    }
    throw error("expected one of =, !=, <>, <, <=, >, >=");
  }

  private String literal() {
    skipSpaces();
    if (peek('\'')) {
      StringBuilder sb = new StringBuilder();
      pos++;
      while (pos < input.length()) {
        char ch = input.charAt(pos++);
        if (ch == '\'') {
          if (peek('\'')) {
            sb.append('\'');
            pos++;
            continue;
          }
          return sb.toString();
        }
        sb.append(ch);
      }
      throw error("unterminated string literal");
    }
    int start = pos;
    while (pos < input.length()
        && (Character.isDigit(input.charAt(pos)) || "+-.eE".indexOf(input.charAt(pos)) >= 0)) {
      pos++;
    }
    if (start == pos) {
      throw error("expected a 'quoted string' or a number");
    }
    return input.substring(start, pos);
  }

  private boolean keyword(String word) {
    skipSpaces();
    int end = pos + word.length();
    if (end <= input.length()
        && input.substring(pos, end).equalsIgnoreCase(word)
        && (end == input.length() || !Character.isLetterOrDigit(input.charAt(end)))) {
      pos = end;
      return true;
    }
    return false;
  }

  private boolean peek(char ch) {
    return pos < input.length() && input.charAt(pos) == ch;
  }

  private void skipSpaces() {
    while (pos < input.length() && Character.isWhitespace(input.charAt(pos))) {
      pos++;
    }
  }

  private BasinException error(String why) {
    return new BasinException(
        CatalogErrorCode.INVALID_INPUT,
        "invalid partition filter '" + input + "' at position " + (pos + 1) + ": " + why);
  }
}
