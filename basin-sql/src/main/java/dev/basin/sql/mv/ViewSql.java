package dev.basin.sql.mv;

import dev.basin.sql.DuckDbTypes;
import dev.basin.sql.Sql;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Types;

/**
 * The SQL a refresh has DuckDB write into a view's table: always the table's columns in order, cast
 * to their exact types (what {@code IcebergTableWriter.writeFiles} requires).
 */
final class ViewSql {

  private ViewSql() {}

  /** The query's columns (by position) cast to the view table's types and names. */
  static String projection(Schema schema, String sql) {
    List<String> aliases = new ArrayList<>();
    List<String> projections = new ArrayList<>();
    List<Types.NestedField> fields = schema.columns();
    for (int i = 0; i < fields.size(); i++) {
      aliases.add("__c" + i);
      projections.add(cast("__c" + i, fields.get(i)));
    }
    return "SELECT "
        + String.join(", ", projections)
        + " FROM ("
        + sql
        + ") AS __src("
        + String.join(", ", aliases)
        + ")";
  }

  /**
   * The view's new rows: the stored rows ({@code oldRows}, every column of the table) full-outer
   * joined on the group keys (NULL-safe) with the partial aggregates of the new input rows ({@code
   * newState}, the state query's columns in the same order), each aggregate merged by its kind and
   * each AVG recomputed from its merged hidden sum and count.
   */
  static String merge(
      Schema schema, List<AggregateQuery.Role> visible, String oldRows, String newState) {
    List<Types.NestedField> fields = schema.columns();
    int n = fields.size();
    List<AggregateQuery.Role> roles = new ArrayList<>(visible);
    while (roles.size() < n) {
      roles.add(AggregateQuery.Role.SUM);
      roles.add(AggregateQuery.Role.COUNT);
    }
    List<String> aliases = new ArrayList<>();
    List<String> typedNew = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      aliases.add("__c" + i);
      typedNew.add(
          "CAST(__c" + i + " AS " + DuckDbTypes.duckType(fields.get(i).type()) + ") AS __c" + i);
    }
    String columnList = "(" + String.join(", ", aliases) + ")";
    List<String> merged = new ArrayList<>();
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String o = "__o.__c" + i;
      String w = "__n.__c" + i;
      String e =
          switch (roles.get(i)) {
            case KEY -> {
              keys.add(o + " IS NOT DISTINCT FROM " + w);
              yield "coalesce(" + o + ", " + w + ")";
            }
            case SUM -> nullAware(o, w, o + " + " + w);
            case COUNT -> "coalesce(" + o + ", 0) + coalesce(" + w + ", 0)";
            case MIN -> nullAware(o, w, "least(" + o + ", " + w + ")");
            case MAX -> nullAware(o, w, "greatest(" + o + ", " + w + ")");
            case AVG -> "NULL";
          };
      merged.add(e + " AS __m" + i);
    }
    List<String> out = new ArrayList<>();
    int avg = 0;
    for (int i = 0; i < n; i++) {
      String value = "__m" + i;
      if (roles.get(i) == AggregateQuery.Role.AVG && i < visible.size()) {
        int sum = visible.size() + 2 * avg;
        int count = sum + 1;
        avg++;
        value =
            "CASE WHEN __m"
                + count
                + " = 0 THEN NULL ELSE CAST(__m"
                + sum
                + " AS DOUBLE) / __m"
                + count
                + " END";
      }
      out.add(cast(value, fields.get(i)));
    }
    return "SELECT "
        + String.join(", ", out)
        + " FROM (SELECT "
        + String.join(", ", merged)
        + " FROM "
        + oldRows
        + " AS __o"
        + columnList
        + " FULL OUTER JOIN (SELECT "
        + String.join(", ", typedNew)
        + " FROM ("
        + newState
        + ") AS __s"
        + columnList
        + ") AS __n ON "
        + (keys.isEmpty() ? "TRUE" : String.join(" AND ", keys))
        + ") AS __m";
  }

  private static String nullAware(String o, String n, String both) {
    return "CASE WHEN "
        + o
        + " IS NULL THEN "
        + n
        + " WHEN "
        + n
        + " IS NULL THEN "
        + o
        + " ELSE "
        + both
        + " END";
  }

  private static String cast(String value, Types.NestedField field) {
    return "CAST("
        + value
        + " AS "
        + DuckDbTypes.duckType(field.type())
        + ") AS "
        + Sql.quoteIdent(field.name());
  }
}
