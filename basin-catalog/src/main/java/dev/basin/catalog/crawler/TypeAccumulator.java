package dev.basin.catalog.crawler;

import com.fasterxml.jackson.databind.JsonNode;
import dev.basin.catalog.HiveType;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Collects the votes of a column's values (or of a nested field's) and turns them into one Glue
 * type. Values never fail inference: disagreeing votes widen along this lattice —
 *
 * <ul>
 *   <li>bigint &lt; decimal(p,s) &lt; double, where decimal gets enough integer digits for every
 *       value seen and the largest scale seen (beyond precision 38 it becomes double);
 *   <li>date &lt; timestamp;
 *   <li>struct + struct = struct with the union of the fields (first-seen order), each widened;
 *       array + array = array of the widened elements;
 *   <li>any other mix (boolean with numbers, numbers with dates, a struct with a scalar …) and any
 *       string = string. An array of mixed scalars therefore becomes {@code array<string>}.
 * </ul>
 *
 * Missing values (configured null tokens, JSON null) do not vote; a column with no votes is {@code
 * string}. Not thread-safe.
 */
final class TypeAccumulator {

  private static final Pattern INTEGER = Pattern.compile("[+-]?(\\d+)");
  private static final Pattern FIXED = Pattern.compile("[+-]?(\\d*)\\.(\\d+)");
  private static final Pattern FLOATING =
      Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?|[+-]?(NaN|Infinity|inf)");
  private static final Pattern DATE = Pattern.compile("(\\d{4})-(\\d{2})-(\\d{2})");
  private static final Pattern TIMESTAMP =
      Pattern.compile(
          "(\\d{4})-(\\d{2})-(\\d{2})[ T](\\d{2}):(\\d{2})(?::(\\d{2})(?:[.,](\\d{1,9}))?)?"
              + "(Z|[+-]\\d{2}:?\\d{2})?");

  private final int maxDecimalScale;

  private long votes;
  private boolean bool;
  private boolean integer;
  private boolean fixed;
  private boolean floating;
  private boolean date;
  private boolean timestamp;
  private boolean string;
  private int intDigits;
  private int scale;
  private LinkedHashMap<String, TypeAccumulator> fields;
  private TypeAccumulator element;
  private HiveType other;

  TypeAccumulator(int maxDecimalScale) {
    this.maxDecimalScale = maxDecimalScale;
  }

  long votes() {
    return votes;
  }

  /** Votes with a text value from a delimited file (not a null token: the caller filters them). */
  void addText(String value) {
    votes++;
    String v = value.trim();
    if (v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false")) {
      bool = true;
      return;
    }
    Matcher m = INTEGER.matcher(v);
    if (m.matches()) {
      String digits = m.group(1);
      // A leading zero (zip codes, account numbers) is information a number would lose.
      if (digits.length() > 1 && digits.charAt(0) == '0') {
        string = true;
      } else if (digits.length() > 38) {
        string = true;
      } else {
        addInteger(digits.length(), fitsLong(v));
      }
      return;
    }
    m = FIXED.matcher(v);
    if (m.matches()) {
      addFixed(significantDigits(m.group(1)), m.group(2).length());
      return;
    }
    if (FLOATING.matcher(v).matches()) {
      floating = true;
      return;
    }
    addTemporalOrString(v);
  }

  /** Votes with a JSON value; structs and arrays recurse. */
  void addJson(JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return;
    }
    votes++;
    if (node.isBoolean()) {
      bool = true;
    } else if (node.isIntegralNumber()) {
      String digits = node.bigIntegerValue().abs().toString();
      if (digits.length() > 38) {
        floating = true;
      } else {
        addInteger(digits.length(), node.canConvertToLong());
      }
    } else if (node.isBigDecimal()) {
      BigDecimal d = node.decimalValue();
      if (d.scale() == 0) {
        addInteger(d.precision(), d.precision() <= 18);
      } else if (d.scale() > 0) {
        addFixed(Math.max(0, d.precision() - d.scale()), d.scale());
      } else {
        floating = true;
      }
    } else if (node.isNumber()) {
      floating = true;
    } else if (node.isTextual()) {
      addTemporalOrString(node.textValue());
    } else if (node.isObject()) {
      if (fields == null) {
        fields = new LinkedHashMap<>();
      }
      Iterator<Map.Entry<String, JsonNode>> it = node.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        String key = ColumnNames.sanitize(e.getKey(), "field");
        fields
            .computeIfAbsent(key, k -> new TypeAccumulator(maxDecimalScale))
            .addJson(e.getValue());
      }
    } else if (node.isArray()) {
      if (element == null) {
        element = new TypeAccumulator(maxDecimalScale);
      }
      for (JsonNode item : node) {
        element.addJson(item);
      }
    } else {
      string = true;
    }
  }

  /** Votes with a declared type (for merging stored schemas). */
  void addType(HiveType type) {
    votes++;
    if (type instanceof HiveType.Primitive) {
      String name = ((HiveType.Primitive) type).name();
      switch (name) {
        case "bigint":
          addInteger(19, true);
          break;
        case "int":
          addInteger(10, true);
          break;
        case "smallint":
          addInteger(5, true);
          break;
        case "tinyint":
          addInteger(3, true);
          break;
        case "float":
        case "double":
          floating = true;
          break;
        case "boolean":
          bool = true;
          break;
        case "date":
          date = true;
          break;
        case "timestamp":
          timestamp = true;
          break;
        case "string":
          string = true;
          break;
        default:
          addOther(type);
      }
    } else if (type instanceof HiveType.Decimal) {
      // A declared scale is kept even beyond maxDecimalScale: it is the table's, not a guess.
      HiveType.Decimal d = (HiveType.Decimal) type;
      fixed = true;
      intDigits = Math.max(intDigits, d.precision() - d.scale());
      scale = Math.max(scale, d.scale());
    } else if (type instanceof HiveType.Text) {
      string = true;
    } else if (type instanceof HiveType.Struct) {
      if (fields == null) {
        fields = new LinkedHashMap<>();
      }
      for (HiveType.Field f : ((HiveType.Struct) type).fields()) {
        fields
            .computeIfAbsent(
                f.name().toLowerCase(Locale.ROOT), k -> new TypeAccumulator(maxDecimalScale))
            .addType(f.type());
      }
    } else if (type instanceof HiveType.Array) {
      if (element == null) {
        element = new TypeAccumulator(maxDecimalScale);
      }
      element.addType(((HiveType.Array) type).element());
    } else {
      addOther(type);
    }
  }

  /** Adds another accumulator's votes (the same column in another file or another record). */
  void merge(TypeAccumulator o) {
    votes += o.votes;
    bool |= o.bool;
    integer |= o.integer;
    fixed |= o.fixed;
    floating |= o.floating;
    date |= o.date;
    timestamp |= o.timestamp;
    string |= o.string;
    intDigits = Math.max(intDigits, o.intDigits);
    scale = Math.max(scale, o.scale);
    if (o.fields != null) {
      if (fields == null) {
        fields = new LinkedHashMap<>();
      }
      for (Map.Entry<String, TypeAccumulator> e : o.fields.entrySet()) {
        fields
            .computeIfAbsent(e.getKey(), k -> new TypeAccumulator(maxDecimalScale))
            .merge(e.getValue());
      }
    }
    if (o.element != null) {
      if (element == null) {
        element = new TypeAccumulator(maxDecimalScale);
      }
      element.merge(o.element);
    }
    if (o.other != null) {
      addOther(o.other);
    }
  }

  /** The widened type; {@code string} when nothing voted. */
  HiveType result() {
    int kinds = 0;
    boolean numeric = integer || fixed || floating;
    boolean temporal = date || timestamp;
    for (boolean k :
        new boolean[] {
          bool, numeric, temporal, string, fields != null, element != null, other != null
        }) {
      if (k) {
        kinds++;
      }
    }
    if (kinds != 1 || string) {
      return new HiveType.Primitive("string");
    }
    if (bool) {
      return new HiveType.Primitive("boolean");
    }
    if (numeric) {
      if (floating) {
        return new HiveType.Primitive("double");
      }
      if (fixed) {
        int precision = Math.max(intDigits, 1) + scale;
        return precision > 38
            ? new HiveType.Primitive("double")
            : new HiveType.Decimal(precision, scale);
      }
      return new HiveType.Primitive("bigint");
    }
    if (temporal) {
      return new HiveType.Primitive(timestamp ? "timestamp" : "date");
    }
    if (fields != null) {
      List<HiveType.Field> out = new ArrayList<>();
      for (Map.Entry<String, TypeAccumulator> e : fields.entrySet()) {
        out.add(new HiveType.Field(e.getKey(), e.getValue().result()));
      }
      return out.isEmpty() ? new HiveType.Primitive("string") : new HiveType.Struct(out);
    }
    if (element != null) {
      return new HiveType.Array(element.result());
    }
    return other;
  }

  /** A short description of the votes, for explanations. */
  String votesSummary() {
    List<String> kinds = new ArrayList<>();
    if (bool) {
      kinds.add("boolean");
    }
    if (integer) {
      kinds.add("integer");
    }
    if (fixed) {
      kinds.add("fixed-point(scale " + scale + ")");
    }
    if (floating) {
      kinds.add("floating");
    }
    if (date) {
      kinds.add("date");
    }
    if (timestamp) {
      kinds.add("timestamp");
    }
    if (string) {
      kinds.add("string");
    }
    if (fields != null) {
      kinds.add("struct");
    }
    if (element != null) {
      kinds.add("array");
    }
    if (other != null) {
      kinds.add(other.toString());
    }
    return votes + " values: " + String.join("+", kinds);
  }

  private void addInteger(int digits, boolean fitsLong) {
    if (fitsLong) {
      integer = true;
    } else {
      fixed = true; // beyond bigint: decimal(p,0)
    }
    intDigits = Math.max(intDigits, digits);
  }

  private void addFixed(int integerDigits, int fractionDigits) {
    if (fractionDigits > maxDecimalScale) {
      floating = true;
      return;
    }
    fixed = true;
    intDigits = Math.max(intDigits, integerDigits);
    scale = Math.max(scale, fractionDigits);
  }

  private void addOther(HiveType type) {
    if (other == null) {
      other = type;
    } else if (!other.equals(type)) {
      string = true;
    }
  }

  private void addTemporalOrString(String v) {
    Matcher m = DATE.matcher(v);
    if (m.matches() && validDate(m)) {
      date = true;
      return;
    }
    m = TIMESTAMP.matcher(v);
    if (m.matches() && validDate(m) && validTime(m)) {
      timestamp = true;
      return;
    }
    string = true;
  }

  private static boolean validDate(Matcher m) {
    try {
      LocalDate.of(
          Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)));
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static boolean validTime(Matcher m) {
    try {
      LocalDateTime.of(
          2000,
          1,
          1,
          Integer.parseInt(m.group(4)),
          Integer.parseInt(m.group(5)),
          m.group(6) == null ? 0 : Integer.parseInt(m.group(6)));
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static int significantDigits(String integerPart) {
    int i = 0;
    while (i < integerPart.length() - 1 && integerPart.charAt(i) == '0') {
      i++;
    }
    return integerPart.isEmpty() ? 1 : integerPart.length() - i;
  }

  private static boolean fitsLong(String v) {
    try {
      Long.parseLong(v.startsWith("+") ? v.substring(1) : v);
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }
}
