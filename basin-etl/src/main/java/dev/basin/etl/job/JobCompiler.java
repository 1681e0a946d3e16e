package dev.basin.etl.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.basin.etl.quality.DqdlException;
import dev.basin.etl.quality.DqdlParser;
import dev.basin.etl.quality.Rule;
import dev.basin.etl.quality.RuleSql;
import dev.basin.etl.quality.RuleType;
import dev.basin.etl.quality.Ruleset;
import dev.basin.spi.sql.SqlColumn;
import dev.basin.spi.sql.SqlException;
import dev.basin.spi.sql.SqlType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Compiles a job to DuckDB SQL, one {@link Step} per node, checking it against its arguments,
 * sources and targets.
 *
 * <p><b>Arguments.</b> Every <code>${name}</code> in a node's string fields is replaced by the run
 * argument {@code name}, else the job's default argument; <code>$${</code> writes a literal <code>
 * ${</code>. A placeholder without a value is an error naming the node, field and argument. Run
 * arguments the job does not use are ignored (as Glue does). The substituted job is parsed again,
 * so an argument cannot smuggle a {@code ;} into an expression.
 *
 * <p><b>Columns.</b> Sources take their columns from {@link JobEnvironment#bind}; every transform's
 * columns come from {@link JobEnvironment#describe} of its SELECT over typed, empty stand-ins of
 * its inputs (so nothing needs to exist yet). Before that, every column a node names is looked up
 * in its input (case-insensitively, as DuckDB does); a miss is a {@link
 * JobErrorCode#UNKNOWN_COLUMN} error that names the node, the column, the input and its columns. A
 * SQL error in an expression is an {@link JobErrorCode#INVALID_EXPRESSION} error with DuckDB's
 * message.
 *
 * <p><b>Iceberg targets.</b> When the table exists, every input column must be a table column
 * (case-insensitively) of a compatible type: the same type family, or a widening (integers to
 * larger integers, decimals or floating point; FLOAT to DOUBLE; DATE to TIMESTAMP). Table columns
 * the input lacks are written as NULL. When it does not exist, {@code createIfMissing} must be
 * true. MERGE keys and {@code partitionBy} columns must be input columns.
 *
 * <p><b>Materialization.</b> A step is materialized (TEMP TABLE) when its relation is read more
 * than once (fan-out &gt; 1, counting a DataQuality reference as a read), when a DataQuality node
 * reads it (rules run several queries over it), for a QUARANTINE node (its rows are the passing
 * subset); and, when {@code countRows} is requested, also for sources and every transform that
 * changes the row count (Filter, Join, DropDuplicates, Aggregate, Union, Pivot, Unpivot, Sql).
 * Every other step is a TEMP VIEW. {@code rowsSameAs} is the direct input for 1:1 projections
 * (ApplyMapping, RenameField, Cast, SelectFields, DropFields, DerivedColumn, FillMissingValues),
 * for FAIL and WARN DataQuality nodes and for targets; follow the chain to a materialized step to
 * count rows.
 *
 * <p>Stateless and thread-safe; the environment is called from the calling thread only.
 */
public final class JobCompiler {
  private static final Set<String> ROW_PRESERVING =
      Set.of(
          "ApplyMapping",
          "RenameField",
          "Cast",
          "SelectFields",
          "DropFields",
          "DerivedColumn",
          "FillMissingValues");

  /** The field a SQL error in a transform's SELECT is most likely about. */
  private static final Map<String, String> MAIN_FIELD =
      Map.of(
          "Filter", "condition",
          "DerivedColumn", "expression",
          "ApplyMapping", "mappings",
          "Cast", "columns",
          "Join", "on",
          "Aggregate", "aggregations",
          "Pivot", "values",
          "Sql", "sql");

  private final JobDefinition job;
  private final JobEnvironment env;
  private final boolean countRows;
  private final Map<String, List<SqlColumn>> columns = new HashMap<>();
  private final Map<String, List<SqlColumn>> described = new HashMap<>();

  private JobCompiler(JobDefinition job, JobEnvironment env, boolean countRows) {
    this.job = job;
    this.env = env;
    this.countRows = countRows;
  }

  /**
   * Compiles a job without per-node row counting (see the class comment).
   *
   * @param job a parsed job
   * @param arguments run arguments; they override the job's default arguments
   * @param env the runner's bindings
   * @throws JobValidationException when the job does not fit its arguments, sources or targets
   */
  public static CompiledJob compile(
      JobDefinition job, Map<String, String> arguments, JobEnvironment env) {
    return compile(job, arguments, env, false);
  }

  /**
   * Compiles a job.
   *
   * @param countRows also materialize sources and row-count-changing transforms, so that the runner
   *     can report an exact row count for every node
   * @throws JobValidationException when the job does not fit its arguments, sources or targets
   */
  public static CompiledJob compile(
      JobDefinition job, Map<String, String> arguments, JobEnvironment env, boolean countRows) {
    java.util.Objects.requireNonNull(env, "env");
    JobDefinition resolved = substitute(job, arguments == null ? Map.of() : arguments);
    return new JobCompiler(resolved, env, countRows).steps();
  }

  // ---- arguments

  private static JobDefinition substitute(JobDefinition job, Map<String, String> arguments) {
    Map<String, String> values = new LinkedHashMap<>(job.defaultArguments());
    values.putAll(arguments);
    ObjectNode tree = (ObjectNode) JobParser.toJson(job);
    ArrayNode nodes = (ArrayNode) tree.get("nodes");
    for (int i = 0; i < nodes.size(); i++) {
      substitute(nodes.get(i), "", job.nodes().get(i), values);
    }
    // parsed again even when nothing changed: a job built in code gets the parser's checks too
    return JobParser.parseJson(tree);
  }

  /** Replaces placeholders in the string values under {@code json}. */
  private static void substitute(
      JsonNode json, String path, JobNode node, Map<String, String> values) {
    if (json.isObject()) {
      ObjectNode o = (ObjectNode) json;
      List<String> names = new ArrayList<>();
      o.fieldNames().forEachRemaining(names::add);
      for (String name : names) {
        JsonNode v = o.get(name);
        String p = path.isEmpty() ? name : path + "." + name;
        if (v.isTextual()) {
          o.set(name, TextNode.valueOf(replace(v.textValue(), p, node, values)));
        } else {
          substitute(v, p, node, values);
        }
      }
    } else if (json.isArray()) {
      ArrayNode a = (ArrayNode) json;
      for (int i = 0; i < a.size(); i++) {
        JsonNode v = a.get(i);
        String p = path + "[" + i + "]";
        if (v.isTextual()) {
          a.set(i, TextNode.valueOf(replace(v.textValue(), p, node, values)));
        } else {
          substitute(v, p, node, values);
        }
      }
    }
  }

  private static String replace(
      String text, String field, JobNode node, Map<String, String> values) {
    if (text.indexOf('$') < 0) {
      return text;
    }
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == '$' && text.startsWith("$${", i)) {
        out.append("${");
        i += 3;
      } else if (c == '$' && text.startsWith("${", i)) {
        int end = text.indexOf('}', i + 2);
        if (end < 0) {
          throw nodeError(
              node,
              JobErrorCode.UNKNOWN_ARGUMENT,
              "field '" + field + "': '${' without a closing '}' (write $${ for a literal ${)");
        }
        String name = text.substring(i + 2, end).trim();
        String value = values.get(name);
        if (value == null) {
          throw nodeError(
              node,
              JobErrorCode.UNKNOWN_ARGUMENT,
              "field '"
                  + field
                  + "': argument '"
                  + name
                  + "' has no value"
                  + JobGraph.suggestion(name, values.keySet())
                  + "; pass it as a run argument or add it to the job's arguments (known: "
                  + (values.isEmpty() ? "none" : String.join(", ", values.keySet()))
                  + ")");
        }
        out.append(value);
        i = end + 1;
      } else {
        out.append(c);
        i++;
      }
    }
    return out.toString();
  }

  // ---- steps

  private CompiledJob steps() {
    List<JobNode> order = JobGraph.check(job, Locator.NONE);
    Map<String, Integer> fanOut = JobGraph.fanOut(job.nodes());
    Set<String> readByQuality = new HashSet<>();
    for (JobNode n : job.nodes()) {
      if (n instanceof QualityNode) {
        readByQuality.addAll(n.inputs());
      }
    }
    List<Step> steps = new ArrayList<>();
    for (JobNode node : order) {
      boolean shared = fanOut.getOrDefault(node.id(), 0) > 1 || readByQuality.contains(node.id());
      Step step;
      if (node instanceof SourceNode s) {
        BoundSource bound = env.bind(s);
        step =
            new Step(
                node,
                node.id(),
                "SELECT * FROM " + bound.relationSql(),
                shared || countRows,
                null,
                bound.columns());
        checkDistinctNames(node, bound.columns());
      } else if (node instanceof TransformNode t) {
        String select = transform(t);
        List<SqlColumn> cols = describe(t, select, t.inputs(), MAIN_FIELD.get(t.type()));
        checkDistinctNames(node, cols);
        boolean preserving = ROW_PRESERVING.contains(t.type());
        step =
            new Step(
                node,
                node.id(),
                select,
                shared || (countRows && !preserving),
                preserving ? t.inputs().get(0) : null,
                cols);
      } else if (node instanceof QualityNode q) {
        quality(q);
        boolean quarantine = q.action() == QualityAction.QUARANTINE;
        step =
            new Step(
                node,
                node.id(),
                null,
                shared || quarantine,
                quarantine ? null : q.input(),
                columns.get(q.input()));
      } else {
        TargetNode t = (TargetNode) node;
        target(t);
        step = new Step(node, node.id(), null, false, t.input(), columns.get(t.input()));
      }
      columns.put(node.id(), step.columns());
      steps.add(step);
    }
    return new CompiledJob(job, steps);
  }

  // ---- transforms

  private String transform(TransformNode node) {
    Transform t = node.transform();
    String in = node.inputs().get(0);
    List<SqlColumn> cols = columns.get(in);
    String from = " FROM " + SqlText.ident(in);
    if (t instanceof Transform.ApplyMapping m) {
      List<String> items = new ArrayList<>();
      Set<String> seen = new HashSet<>();
      for (int i = 0; i < m.mappings().size(); i++) {
        Transform.FieldMapping fm = m.mappings().get(i);
        SqlColumn c = column(node, "mappings[" + i + "].from", fm.from(), in);
        if (!seen.add(lower(fm.to()))) {
          throw nodeError(
              node,
              JobErrorCode.INVALID_JOB,
              "mappings[" + i + "].to: column '" + fm.to() + "' is produced twice");
        }
        String expr =
            fm.type() == null
                ? SqlText.ident(c.name())
                : "CAST(" + SqlText.ident(c.name()) + " AS " + fm.type() + ")";
        items.add(expr + " AS " + SqlText.ident(fm.to()));
      }
      return "SELECT " + String.join(", ", items) + from;
    }
    if (t instanceof Transform.RenameField r) {
      SqlColumn c = column(node, "from", r.from(), in);
      for (SqlColumn other : cols) {
        if (other != c && lower(other.name()).equals(lower(r.to()))) {
          throw nodeError(
              node,
              JobErrorCode.INVALID_JOB,
              "to: input '"
                  + in
                  + "' already has a column '"
                  + other.name()
                  + "'; drop it first or choose another name");
        }
      }
      List<String> items = new ArrayList<>();
      for (SqlColumn other : cols) {
        items.add(
            other == c
                ? SqlText.ident(c.name()) + " AS " + SqlText.ident(r.to())
                : SqlText.ident(other.name()));
      }
      return "SELECT " + String.join(", ", items) + from;
    }
    if (t instanceof Transform.Cast cast) {
      Map<SqlColumn, String> types = new HashMap<>();
      for (Map.Entry<String, String> e : cast.columns().entrySet()) {
        types.put(column(node, "columns", e.getKey(), in), e.getValue());
      }
      List<String> items = new ArrayList<>();
      for (SqlColumn c : cols) {
        String type = types.get(c);
        String id = SqlText.ident(c.name());
        items.add(type == null ? id : "CAST(" + id + " AS " + type + ") AS " + id);
      }
      return "SELECT " + String.join(", ", items) + from;
    }
    if (t instanceof Transform.SelectFields s) {
      List<String> items = new ArrayList<>();
      Set<String> seen = new HashSet<>();
      for (String name : s.columns()) {
        SqlColumn c = column(node, "columns", name, in);
        if (!seen.add(lower(c.name()))) {
          throw nodeError(
              node, JobErrorCode.INVALID_JOB, "columns: column '" + name + "' is listed twice");
        }
        items.add(SqlText.ident(c.name()));
      }
      return "SELECT " + String.join(", ", items) + from;
    }
    if (t instanceof Transform.DropFields d) {
      Set<SqlColumn> drop = new HashSet<>();
      for (String name : d.columns()) {
        drop.add(column(node, "columns", name, in));
      }
      List<String> items = new ArrayList<>();
      for (SqlColumn c : cols) {
        if (!drop.contains(c)) {
          items.add(SqlText.ident(c.name()));
        }
      }
      if (items.isEmpty()) {
        throw nodeError(
            node,
            JobErrorCode.INVALID_JOB,
            "columns: dropping every column of input '" + in + "' leaves nothing to write");
      }
      return "SELECT " + String.join(", ", items) + from;
    }
    if (t instanceof Transform.Filter f) {
      return "SELECT *" + from + " WHERE " + filterPredicate(node, f, in);
    }
    if (t instanceof Transform.Join j) {
      return join(node, j);
    }
    if (t instanceof Transform.DropDuplicates d) {
      return dropDuplicates(node, d, in);
    }
    if (t instanceof Transform.Aggregate a) {
      return aggregate(node, a, in);
    }
    if (t instanceof Transform.Union u) {
      return union(node, u);
    }
    if (t instanceof Transform.DerivedColumn d) {
      String expr = "(" + d.expression() + "\n)";
      List<String> items = new ArrayList<>();
      boolean replaced = false;
      for (SqlColumn c : cols) {
        if (lower(c.name()).equals(lower(d.name()))) {
          items.add(expr + " AS " + SqlText.ident(c.name()));
          replaced = true;
        } else {
          items.add(SqlText.ident(c.name()));
        }
      }
      if (!replaced) {
        items.add(expr + " AS " + SqlText.ident(d.name()));
      }
      String select = "SELECT " + String.join(", ", items) + from;
      describe(node, select, node.inputs(), "expression");
      return select;
    }
    if (t instanceof Transform.FillMissingValues fm) {
      Map<SqlColumn, Transform.Fill> fills = new HashMap<>();
      for (int i = 0; i < fm.fills().size(); i++) {
        Transform.Fill fill = fm.fills().get(i);
        SqlColumn c = column(node, "fills[" + i + "].column", fill.column(), in);
        if (fills.put(c, fill) != null) {
          throw nodeError(
              node,
              JobErrorCode.INVALID_JOB,
              "fills[" + i + "].column: column '" + fill.column() + "' is filled twice");
        }
      }
      List<String> items = new ArrayList<>();
      for (SqlColumn c : cols) {
        Transform.Fill fill = fills.get(c);
        String id = SqlText.ident(c.name());
        if (fill == null) {
          items.add(id);
          continue;
        }
        String value;
        switch (fill.strategy()) {
          case CONSTANT:
            value = SqlText.string(fill.value());
            break;
          case MEAN:
            value = "(SELECT avg(" + id + ")" + from + ")";
            break;
          case MEDIAN:
            value = "(SELECT median(" + id + ")" + from + ")";
            break;
          default:
            value = "(SELECT mode(" + id + ")" + from + ")";
            break;
        }
        items.add("coalesce(" + id + ", CAST(" + value + " AS " + c.type().name() + ")) AS " + id);
      }
      String select = "SELECT " + String.join(", ", items) + from;
      describe(node, select, node.inputs(), "fills");
      return select;
    }
    if (t instanceof Transform.Pivot p) {
      return pivot(node, p, in);
    }
    if (t instanceof Transform.Unpivot u) {
      return unpivot(node, u, in);
    }
    String sql = ((Transform.Sql) t).sql();
    String select = "SELECT * FROM (\n" + sql + "\n) AS " + SqlText.ident(node.id());
    describe(node, select, node.inputs(), "sql");
    return select;
  }

  private String filterPredicate(TransformNode node, Transform.Filter f, String in) {
    if (f.condition() != null) {
      String cond = "(" + f.condition() + "\n)";
      List<SqlColumn> type =
          describe(
              node,
              "SELECT " + cond + " AS basin_condition FROM " + SqlText.ident(in),
              node.inputs(),
              "condition");
      SqlType.Kind kind = type.get(0).type().kind();
      if (kind != SqlType.Kind.BOOLEAN && kind != SqlType.Kind.UNKNOWN) {
        throw nodeError(
            node,
            JobErrorCode.INVALID_EXPRESSION,
            "condition: must be a boolean expression, but '"
                + f.condition()
                + "' is "
                + type.get(0).type().name()
                + "; compare it, e.g. "
                + f.condition()
                + " > 0");
      }
      return cond;
    }
    List<String> parts = new ArrayList<>();
    for (int i = 0; i < f.conditions().size(); i++) {
      Transform.FilterCondition c = f.conditions().get(i);
      SqlColumn col = column(node, "conditions[" + i + "].column", c.column(), in);
      String id = SqlText.ident(col.name());
      String typed = col.type().name();
      String pred;
      switch (c.op()) {
        case IS_NULL:
          pred = id + " IS NULL";
          break;
        case IS_NOT_NULL:
          pred = id + " IS NOT NULL";
          break;
        case IN:
        case NOT_IN:
          pred =
              id
                  + (c.op() == Transform.FilterOp.IN ? " IN " : " NOT IN ")
                  + ((List<?>) c.value())
                      .stream()
                          .map(v -> cast(v, typed))
                          .collect(Collectors.joining(", ", "(", ")"));
          break;
        case LIKE:
          pred = "CAST(" + id + " AS VARCHAR) LIKE " + SqlText.string(SqlText.text(c.value()));
          break;
        case NOT_LIKE:
          pred = "CAST(" + id + " AS VARCHAR) NOT LIKE " + SqlText.string(SqlText.text(c.value()));
          break;
        default:
          pred = id + " " + sqlOperator(c.op()) + " " + cast(c.value(), typed);
          break;
      }
      parts.add("(" + pred + ")");
    }
    String joined = String.join(f.logic() == Transform.Logic.AND ? " AND " : " OR ", parts);
    describe(
        node,
        "SELECT * FROM " + SqlText.ident(in) + " WHERE " + joined,
        node.inputs(),
        "conditions");
    return "(" + joined + ")";
  }

  private static String sqlOperator(Transform.FilterOp op) {
    return op == Transform.FilterOp.NE ? "<>" : op.symbol();
  }

  private static String cast(Object value, String type) {
    return value == null ? "NULL" : "CAST(" + SqlText.literal(value) + " AS " + type + ")";
  }

  private String join(TransformNode node, Transform.Join j) {
    String left = node.inputs().get(0);
    String right = node.inputs().get(1);
    List<SqlColumn> lcols = columns.get(left);
    List<SqlColumn> rcols = columns.get(right);
    List<String> conds = new ArrayList<>();
    Map<SqlColumn, SqlColumn> sameNameKeys = new HashMap<>(); // right key -> left key
    for (int i = 0; i < j.on().size(); i++) {
      Transform.JoinKey k = j.on().get(i);
      SqlColumn lc = column(node, "on[" + i + "].left", k.left(), left);
      SqlColumn rc = column(node, "on[" + i + "].right", k.right(), right);
      conds.add("l." + SqlText.ident(lc.name()) + " = r." + SqlText.ident(rc.name()));
      if (lower(lc.name()).equals(lower(rc.name()))) {
        sameNameKeys.put(rc, lc);
      }
    }
    String cond = String.join(" AND ", conds);
    boolean semi =
        j.joinType() == Transform.JoinType.SEMI || j.joinType() == Transform.JoinType.ANTI;
    boolean rightRowsKept =
        j.joinType() == Transform.JoinType.RIGHT || j.joinType() == Transform.JoinType.FULL;
    Set<String> names = new HashSet<>();
    List<String> items = new ArrayList<>();
    Set<SqlColumn> coalesced = new HashSet<>();
    if (j.dropDuplicateColumns() && rightRowsKept && !semi) {
      coalesced.addAll(sameNameKeys.values());
    }
    for (SqlColumn lc : lcols) {
      names.add(lower(lc.name()));
      String id = SqlText.ident(lc.name());
      if (coalesced.contains(lc)) {
        SqlColumn rc = null;
        for (Map.Entry<SqlColumn, SqlColumn> e : sameNameKeys.entrySet()) {
          if (e.getValue() == lc) {
            rc = e.getKey();
          }
        }
        items.add("coalesce(l." + id + ", r." + SqlText.ident(rc.name()) + ") AS " + id);
      } else {
        items.add("l." + id);
      }
    }
    if (semi) {
      return "SELECT "
          + String.join(", ", items)
          + " FROM "
          + SqlText.ident(left)
          + " AS l WHERE "
          + (j.joinType() == Transform.JoinType.ANTI ? "NOT " : "")
          + "EXISTS (SELECT 1 FROM "
          + SqlText.ident(right)
          + " AS r WHERE "
          + cond
          + ")";
    }
    Set<String> leftNames = new HashSet<>(names);
    for (SqlColumn rc : rcols) {
      String id = SqlText.ident(rc.name());
      if (!leftNames.contains(lower(rc.name()))) {
        if (!names.add(lower(rc.name()))) {
          throw nodeError(
              node, JobErrorCode.INVALID_JOB, "the join produces column '" + rc.name() + "' twice");
        }
        items.add("r." + id);
        continue;
      }
      if (j.dropDuplicateColumns() && sameNameKeys.containsKey(rc)) {
        continue;
      }
      String renamed = right + "_" + rc.name();
      if (!names.add(lower(renamed))) {
        throw nodeError(
            node,
            JobErrorCode.INVALID_JOB,
            "column '"
                + rc.name()
                + "' of input '"
                + right
                + "' is also in input '"
                + left
                + "', and its prefixed name '"
                + renamed
                + "' is taken too; rename one of them before the join (RenameField or"
                + " ApplyMapping)");
      }
      items.add("r." + id + " AS " + SqlText.ident(renamed));
    }
    String kind;
    switch (j.joinType()) {
      case LEFT:
        kind = "LEFT JOIN";
        break;
      case RIGHT:
        kind = "RIGHT JOIN";
        break;
      case FULL:
        kind = "FULL OUTER JOIN";
        break;
      default:
        kind = "INNER JOIN";
        break;
    }
    return "SELECT "
        + String.join(", ", items)
        + " FROM "
        + SqlText.ident(left)
        + " AS l "
        + kind
        + " "
        + SqlText.ident(right)
        + " AS r ON "
        + cond;
  }

  private String dropDuplicates(TransformNode node, Transform.DropDuplicates d, String in) {
    List<SqlColumn> cols = columns.get(in);
    if (d.keys().isEmpty()) {
      return "SELECT DISTINCT *" + " FROM " + SqlText.ident(in);
    }
    List<String> keys = new ArrayList<>();
    for (String k : d.keys()) {
      keys.add(SqlText.ident(column(node, "keys", k, in).name()));
    }
    if (d.orderBy().isEmpty()) {
      // Any row per key: DuckDB's DISTINCT ON is a hash aggregate, far cheaper than a window.
      return "SELECT DISTINCT ON (" + String.join(", ", keys) + ") * FROM " + SqlText.ident(in);
    }
    String dir = d.keep() == Transform.Keep.FIRST ? " ASC" : " DESC";
    List<String> order = new ArrayList<>();
    for (String o : d.orderBy()) {
      order.add(SqlText.ident(column(node, "orderBy", o, in).name()) + dir);
    }
    String rn = freshName("basin_row", cols);
    String list = cols.stream().map(c -> SqlText.ident(c.name())).collect(Collectors.joining(", "));
    return "SELECT "
        + list
        + " FROM (SELECT *, row_number() OVER (PARTITION BY "
        + String.join(", ", keys)
        + (order.isEmpty() ? "" : " ORDER BY " + String.join(", ", order))
        + ") AS "
        + SqlText.ident(rn)
        + " FROM "
        + SqlText.ident(in)
        + ") AS basin_dedup WHERE "
        + SqlText.ident(rn)
        + " = 1";
  }

  private String aggregate(TransformNode node, Transform.Aggregate a, String in) {
    List<String> groups = new ArrayList<>();
    List<String> items = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (String g : a.groupBy()) {
      SqlColumn c = column(node, "groupBy", g, in);
      if (!names.add(lower(c.name()))) {
        throw nodeError(
            node, JobErrorCode.INVALID_JOB, "groupBy: column '" + g + "' is listed twice");
      }
      groups.add(SqlText.ident(c.name()));
      items.add(SqlText.ident(c.name()));
    }
    for (int i = 0; i < a.aggregations().size(); i++) {
      Transform.Aggregation agg = a.aggregations().get(i);
      String field = "aggregations[" + i + "]";
      String arg =
          agg.column() == null
              ? null
              : SqlText.ident(column(node, field + ".column", agg.column(), in).name());
      if (!names.add(lower(agg.as()))) {
        throw nodeError(
            node,
            JobErrorCode.INVALID_JOB,
            field
                + ".as: output column '"
                + agg.as()
                + "' is produced twice; give it another 'as'");
      }
      items.add(aggregateExpr(agg.function(), arg) + " AS " + SqlText.ident(agg.as()));
    }
    String select = "SELECT " + String.join(", ", items) + " FROM " + SqlText.ident(in);
    return groups.isEmpty() ? select : select + " GROUP BY " + String.join(", ", groups);
  }

  private static String aggregateExpr(Transform.AggFunction fn, String arg) {
    switch (fn) {
      case COUNT:
        return arg == null ? "count(*)" : "count(" + arg + ")";
      case COUNT_DISTINCT:
        return "count(DISTINCT " + arg + ")";
      case STDDEV:
        return "stddev_samp(" + arg + ")";
      default:
        return fn.name().toLowerCase(Locale.ROOT) + "(" + arg + ")";
    }
  }

  private String union(TransformNode node, Transform.Union u) {
    List<String> branches = new ArrayList<>();
    if (u.byName()) {
      Map<String, SqlColumn> all = new LinkedHashMap<>();
      for (String in : node.inputs()) {
        for (SqlColumn c : columns.get(in)) {
          all.putIfAbsent(lower(c.name()), c);
        }
      }
      for (String in : node.inputs()) {
        Map<String, SqlColumn> mine = new HashMap<>();
        for (SqlColumn c : columns.get(in)) {
          mine.put(lower(c.name()), c);
        }
        List<String> items = new ArrayList<>();
        for (Map.Entry<String, SqlColumn> e : all.entrySet()) {
          SqlColumn c = mine.get(e.getKey());
          String name = SqlText.ident(e.getValue().name());
          items.add(
              c == null
                  ? "CAST(NULL AS " + e.getValue().type().name() + ") AS " + name
                  : SqlText.ident(c.name()) + " AS " + name);
        }
        branches.add("SELECT " + String.join(", ", items) + " FROM " + SqlText.ident(in));
      }
    } else {
      String first = node.inputs().get(0);
      int n = columns.get(first).size();
      for (String in : node.inputs()) {
        List<SqlColumn> cols = columns.get(in);
        if (cols.size() != n) {
          throw nodeError(
              node,
              JobErrorCode.INVALID_JOB,
              "input '"
                  + in
                  + "' has "
                  + cols.size()
                  + " columns but '"
                  + first
                  + "' has "
                  + n
                  + " (byName: false matches columns by position); set byName: true or select the"
                  + " same columns");
        }
        branches.add("SELECT * FROM " + SqlText.ident(in));
      }
    }
    String select = String.join(u.distinct() ? " UNION " : " UNION ALL ", branches);
    describe(node, select, node.inputs(), "inputs");
    return select;
  }

  private String pivot(TransformNode node, Transform.Pivot p, String in) {
    List<String> groups = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (String g : p.groupBy()) {
      SqlColumn c = column(node, "groupBy", g, in);
      names.add(lower(c.name()));
      groups.add(SqlText.ident(c.name()));
    }
    SqlColumn pivot = column(node, "pivotColumn", p.pivotColumn(), in);
    SqlColumn value = column(node, "valueColumn", p.valueColumn(), in);
    List<String> items = new ArrayList<>(groups);
    for (Object v : p.values()) {
      String name = SqlText.text(v);
      if (!names.add(lower(name))) {
        throw nodeError(
            node,
            JobErrorCode.INVALID_JOB,
            "values: column '"
                + name
                + "' would be produced twice (a repeated value or a groupBy"
                + " column of that name)");
      }
      String when =
          "CASE WHEN "
              + SqlText.ident(pivot.name())
              + " = "
              + cast(v, pivot.type().name())
              + " THEN "
              + SqlText.ident(value.name())
              + " END";
      items.add(aggregateExpr(p.aggregation(), when) + " AS " + SqlText.ident(name));
    }
    String select = "SELECT " + String.join(", ", items) + " FROM " + SqlText.ident(in);
    return groups.isEmpty() ? select : select + " GROUP BY " + String.join(", ", groups);
  }

  private String unpivot(TransformNode node, Transform.Unpivot u, String in) {
    List<SqlColumn> cols = columns.get(in);
    Set<SqlColumn> unpivoted = new LinkedHashSet<>();
    for (String name : u.columns()) {
      unpivoted.add(column(node, "columns", name, in));
    }
    List<String> kept = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (SqlColumn c : cols) {
      if (!unpivoted.contains(c)) {
        kept.add(SqlText.ident(c.name()));
        names.add(lower(c.name()));
      }
    }
    for (String out : List.of(u.nameColumn(), u.valueColumn())) {
      if (!names.add(lower(out))) {
        throw nodeError(
            node,
            JobErrorCode.INVALID_JOB,
            "column '"
                + out
                + "' (nameColumn/valueColumn) is already a kept column of input '"
                + in
                + "'; choose another nameColumn/valueColumn");
      }
    }
    List<String> branches = new ArrayList<>();
    for (SqlColumn c : unpivoted) {
      List<String> items = new ArrayList<>(kept);
      items.add(SqlText.string(c.name()) + " AS " + SqlText.ident(u.nameColumn()));
      items.add(SqlText.ident(c.name()) + " AS " + SqlText.ident(u.valueColumn()));
      branches.add(
          "SELECT "
              + String.join(", ", items)
              + " FROM "
              + SqlText.ident(in)
              + (u.dropNulls() ? " WHERE " + SqlText.ident(c.name()) + " IS NOT NULL" : ""));
    }
    String select = String.join(" UNION ALL ", branches);
    describe(node, select, node.inputs(), "columns");
    return select;
  }

  // ---- quality and targets

  private void quality(QualityNode q) {
    List<SqlColumn> cols = columns.get(q.input());
    Ruleset ruleset;
    try {
      ruleset = DqdlParser.parse(q.rules());
    } catch (DqdlException e) {
      throw nodeError(q, JobErrorCode.INVALID_RULES, "rules: not valid DQDL: " + e.getMessage());
    }
    Map<String, String> refs = new LinkedHashMap<>();
    q.references().forEach((alias, id) -> refs.put(alias, SqlText.ident(id)));
    RuleSql sql;
    try {
      sql =
          RuleSql.compile(
              ruleset,
              SqlText.ident(q.input()),
              cols.stream().map(SqlColumn::name).collect(Collectors.toList()),
              refs);
    } catch (DqdlException e) {
      throw nodeError(
          q,
          JobErrorCode.INVALID_RULES,
          "rules: " + e.getMessage() + "; map each reference name to a node id under 'references'");
    }
    for (Rule rule : ruleset.rules()) {
      checkRuleColumns(q, rule);
    }
    // the rules' queries must compile over the input (types of values, CustomSql statements)
    List<String> queries = new ArrayList<>();
    queries.add(sql.aggregateQuery());
    for (RuleSql.Query extra : sql.extraQueries()) {
      queries.add(extra.sql());
    }
    sql.quarantineQuery().ifPresent(queries::add);
    for (String query : queries) {
      describe(q, query, q.inputs(), "rules");
    }
  }

  private void checkRuleColumns(QualityNode q, Rule rule) {
    if (rule instanceof Rule.Composite c) {
      for (Rule r : c.operands()) {
        checkRuleColumns(q, r);
      }
      return;
    }
    Rule.Check check = (Rule.Check) rule;
    RuleType type = check.type();
    List<String> cols = new ArrayList<>();
    if (type == RuleType.IS_PRIMARY_KEY) {
      cols.addAll(check.arguments());
    } else if (type != RuleType.ROW_COUNT
        && type != RuleType.CUSTOM_SQL
        && type != RuleType.COLUMN_EXISTS) {
      cols.add(check.column());
    }
    for (String c : cols) {
      column(q, "rule '" + check.dqdl() + "'", c, q.input());
    }
    if (type == RuleType.REFERENTIAL_INTEGRITY) {
      String ref = check.arguments().get(1);
      int dot = ref.indexOf('.');
      String node = q.references().get(ref.substring(0, dot));
      column(q, "rule '" + check.dqdl() + "'", ref.substring(dot + 1), node);
    }
  }

  private void target(TargetNode t) {
    String in = t.input();
    List<SqlColumn> cols = columns.get(in);
    if (t.target() instanceof PrefixTarget p) {
      Set<SqlColumn> keys = new HashSet<>();
      for (String k : p.partitionKeys()) {
        keys.add(column(t, "prefix.partitionKeys", k, in));
      }
      if (!keys.isEmpty() && keys.size() == cols.size()) {
        throw nodeError(
            t,
            JobErrorCode.INVALID_TARGET,
            "prefix.partitionKeys: partitioning by every column leaves no data columns to write");
      }
      return;
    }
    IcebergTarget ice = (IcebergTarget) t.target();
    for (String k : ice.keys()) {
      column(t, "iceberg.keys", k, in);
    }
    for (String spec : ice.partitionBy()) {
      column(t, "iceberg.partitionBy", PartitionTransforms.column(spec), in);
    }
    Optional<List<SqlColumn>> table = env.tableColumns(ice.database(), ice.table());
    String name = ice.database() + "." + ice.table();
    if (table.isEmpty()) {
      if (!ice.createIfMissing()) {
        throw nodeError(
            t,
            JobErrorCode.INVALID_TARGET,
            "iceberg: table "
                + name
                + " does not exist and createIfMissing is false; create the table or set"
                + " createIfMissing: true");
      }
      return;
    }
    Map<String, SqlColumn> tableCols = new LinkedHashMap<>();
    for (SqlColumn c : table.get()) {
      tableCols.put(lower(c.name()), c);
    }
    for (SqlColumn c : cols) {
      SqlColumn tc = tableCols.get(lower(c.name()));
      if (tc == null) {
        throw nodeError(
            t,
            JobErrorCode.INVALID_TARGET,
            "column '"
                + c.name()
                + "' of input '"
                + in
                + "' is not in table "
                + name
                + JobGraph.suggestion(c.name(), names(table.get()))
                + " (columns: "
                + String.join(", ", names(table.get()))
                + "); drop it with DropFields, rename it with ApplyMapping, or add the column to"
                + " the table");
      }
      if (!compatible(c.type(), tc.type())) {
        throw nodeError(
            t,
            JobErrorCode.INVALID_TARGET,
            "column '"
                + c.name()
                + "' of input '"
                + in
                + "' is "
                + c.type().name()
                + " but table "
                + name
                + " has "
                + tc.type().name()
                + "; cast it with Cast or ApplyMapping (type: "
                + tc.type().name()
                + ")");
      }
    }
  }

  /** Whether a value of type {@code from} can be written to a column of type {@code to}. */
  static boolean compatible(SqlType from, SqlType to) {
    SqlType.Kind f = from.kind();
    SqlType.Kind t = to.kind();
    if (f == t || f == SqlType.Kind.UNKNOWN || t == SqlType.Kind.UNKNOWN) {
      return f != SqlType.Kind.DECIMAL
          || t != SqlType.Kind.DECIMAL
          || (to.scale() >= from.scale()
              && to.precision() - to.scale() >= from.precision() - from.scale());
    }
    int fr = integerRank(f);
    int tr = integerRank(t);
    if (fr > 0) {
      return (tr > 0 && tr >= fr)
          || t == SqlType.Kind.DECIMAL
          || t == SqlType.Kind.FLOAT
          || t == SqlType.Kind.DOUBLE;
    }
    if (f == SqlType.Kind.FLOAT || f == SqlType.Kind.DECIMAL) {
      return t == SqlType.Kind.DOUBLE;
    }
    if (f == SqlType.Kind.DATE) {
      return t == SqlType.Kind.TIMESTAMP || t == SqlType.Kind.TIMESTAMP_TZ;
    }
    if (f == SqlType.Kind.JSON) {
      return t == SqlType.Kind.VARCHAR;
    }
    return false;
  }

  private static int integerRank(SqlType.Kind k) {
    switch (k) {
      case TINYINT:
        return 1;
      case SMALLINT:
        return 2;
      case INTEGER:
        return 3;
      case BIGINT:
        return 4;
      case HUGEINT:
        return 5;
      default:
        return 0;
    }
  }

  // ---- helpers

  /** The input column a node names, matched exactly, else case-insensitively. */
  private SqlColumn column(JobNode node, String field, String name, String input) {
    List<SqlColumn> cols = columns.get(input);
    for (SqlColumn c : cols) {
      if (c.name().equals(name)) {
        return c;
      }
    }
    for (SqlColumn c : cols) {
      if (c.name().equalsIgnoreCase(name)) {
        return c;
      }
    }
    List<String> names = names(cols);
    throw nodeError(
        node,
        JobErrorCode.UNKNOWN_COLUMN,
        field
            + ": column '"
            + name
            + "' is not in input '"
            + input
            + "'"
            + JobGraph.suggestion(name, names)
            + " (columns: "
            + String.join(", ", names)
            + "); check the spelling or add a rename before "
            + (node.type().equals("Join") ? "the join" : "this node"));
  }

  /**
   * The columns of a SELECT over the given inputs, described over typed empty stand-ins of them.
   */
  private List<SqlColumn> describe(JobNode node, String select, List<String> inputs, String field) {
    List<String> ctes = new ArrayList<>();
    for (String in : new LinkedHashSet<>(inputs)) {
      String stub =
          columns.get(in).stream()
              .map(c -> "CAST(NULL AS " + stubType(c.type()) + ") AS " + SqlText.ident(c.name()))
              .collect(Collectors.joining(", "));
      ctes.add(SqlText.ident(in) + " AS (SELECT " + stub + " LIMIT 0)");
    }
    String sql =
        "WITH " + String.join(", ", ctes) + " SELECT * FROM (\n" + select + "\n) AS basin_q";
    List<SqlColumn> known = described.get(sql);
    if (known != null) {
      return known;
    }
    try {
      List<SqlColumn> cols = env.describe(sql);
      described.put(sql, cols);
      return cols;
    } catch (SqlException e) {
      String what = field == null ? "the generated SQL" : field;
      String hint =
          node.type().equals("Sql")
              ? "; a Sql node reads only its inputs, by node id: "
                  + String.join(", ", new LinkedHashSet<>(inputs))
              : "";
      throw new JobValidationException(
          JobErrorCode.INVALID_EXPRESSION,
          node.id(),
          "node '"
              + node.id()
              + "' ("
              + node.type()
              + "): "
              + what
              + ": does not compile: "
              + e.getMessage()
              + hint,
          e);
    }
  }

  /** A type to cast a stand-in NULL to; DuckDB's own NULL type cannot be named. */
  private static String stubType(SqlType type) {
    return type.name().equalsIgnoreCase("NULL") ? "INTEGER" : type.name();
  }

  private static void checkDistinctNames(JobNode node, List<SqlColumn> cols) {
    Set<String> seen = new HashSet<>();
    for (SqlColumn c : cols) {
      if (!seen.add(lower(c.name()))) {
        throw nodeError(
            node,
            JobErrorCode.INVALID_JOB,
            "produces column '"
                + c.name()
                + "' twice (names are case-insensitive); give one of them another name");
      }
    }
  }

  private static String freshName(String base, List<SqlColumn> cols) {
    Set<String> taken = new HashSet<>();
    for (SqlColumn c : cols) {
      taken.add(lower(c.name()));
    }
    String name = base;
    for (int i = 1; taken.contains(name); i++) {
      name = base + "_" + i;
    }
    return name;
  }

  private static List<String> names(List<SqlColumn> cols) {
    return cols.stream().map(SqlColumn::name).collect(Collectors.toList());
  }

  private static String lower(String s) {
    return s.toLowerCase(Locale.ROOT);
  }

  private static JobValidationException nodeError(JobNode node, JobErrorCode code, String msg) {
    return new JobValidationException(
        code, node.id(), 0, 0, "node '" + node.id() + "' (" + node.type() + "): " + msg);
  }
}
