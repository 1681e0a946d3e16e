package dev.basin.catalog.crawler;

import dev.basin.catalog.Column;
import dev.basin.catalog.HiveType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Merges two schemas (a table's and a newly classified folder's, say) without failing: the column
 * union in first-seen order, and where a column's types differ the wider type along {@link
 * TypeAccumulator}'s lattice (bigint &lt; decimal &lt; double, date &lt; timestamp, structs by
 * field union, arrays by element, anything else → string). Equal types are kept as they are ({@code
 * int} stays {@code int}). Because only types are known here, bigint + decimal(p,s) keeps room for
 * any bigint: decimal(max(p-s,19)+s, s). The first schema's comment wins. Stateless.
 */
public final class SchemaMerger {

  private SchemaMerger() {}

  public static List<Column> merge(List<Column> first, List<Column> second) {
    Map<String, Column> out = new LinkedHashMap<>();
    for (Column c : first) {
      out.merge(key(c), c, SchemaMerger::mergeColumn);
    }
    for (Column c : second) {
      out.merge(key(c), c, SchemaMerger::mergeColumn);
    }
    return new ArrayList<>(out.values());
  }

  /** The wider of two Glue type strings. */
  public static String widen(String a, String b) {
    HiveType ta = HiveType.parse(a);
    HiveType tb = HiveType.parse(b);
    if (ta.equals(tb)) {
      return ta.toString();
    }
    TypeAccumulator acc = new TypeAccumulator(ClassifierConfig.DEFAULT_MAX_DECIMAL_SCALE);
    acc.addType(ta);
    acc.addType(tb);
    return acc.result().toString();
  }

  private static String key(Column c) {
    return c.name().toLowerCase(Locale.ROOT);
  }

  private static Column mergeColumn(Column a, Column b) {
    return new Column(
        a.name(), widen(a.type(), b.type()), a.comment() != null ? a.comment() : b.comment());
  }
}
