package dev.basin.etl.job;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.basin.common.config.Durations;
import dev.basin.etl.quality.DqdlException;
import dev.basin.etl.quality.DqdlParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads and writes job definitions. The YAML (or JSON) shape is documented in {@code
 * package-info.java}. Parsing checks everything that does not need the data: required and unknown
 * fields, enum values, node id syntax and uniqueness, input counts, expression syntax ({@code ;}),
 * DQDL syntax, and the DAG (unknown inputs, cycles, every path ending in a target). Column checks
 * need the sources and happen in {@link JobCompiler}.
 *
 * <p>Stateless and thread-safe.
 */
public final class JobParser {
  /** Node ids: also SQL relation names. */
  static final Pattern ID = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,254}");
  private static final Pattern ARGUMENT = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]{0,127}");
  private static final Pattern QUERY_START =
      Pattern.compile("(?is)\\s*(\\(|select\\b|with\\b|from\\b|values\\b|table\\b).*");

  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory()).enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private static final Map<String, String> NODE_TYPES = new LinkedHashMap<>();

  static {
    NODE_TYPES.put("source", SourceNode.TYPE);
    NODE_TYPES.put("target", TargetNode.TYPE);
    NODE_TYPES.put("dataquality", QualityNode.TYPE);
    for (String t : Transform.TYPE_NAMES) {
      NODE_TYPES.put(t.toLowerCase(Locale.ROOT), t);
    }
  }

  private static final Map<String, String> TYPE_ALIASES =
      Map.of(
          "changeschema", "ApplyMapping",
          "sparksql", "Sql",
          "sqlquery", "Sql",
          "changetype", "Cast",
          "evaluatedataquality", QualityNode.TYPE);

  private JobParser() {}

  /**
   * Parses a job from YAML, or JSON when the text starts with <code>{</code>.
   *
   * @throws JobValidationException for any invalid job, with the line:column when known
   */
  public static JobDefinition parse(String text) {
    if (text == null) {
      throw new IllegalArgumentException("job text must not be null");
    }
    boolean json = text.strip().startsWith("{");
    ObjectMapper mapper = json ? JSON : YAML;
    JsonNode tree;
    Map<String, int[]> locations;
    try {
      tree = mapper.readTree(text);
      locations = locations(mapper.getFactory(), text);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      throw new JobValidationException(
          JobErrorCode.INVALID_JOB,
          null,
          at == null ? 0 : at.getLineNr(),
          at == null ? 0 : at.getColumnNr(),
          "job: not valid " + (json ? "JSON" : "YAML") + ": " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return read(tree, locations);
  }

  /**
   * Parses a job from a JSON tree (the API's request body); same checks as {@link #parse}, without
   * positions.
   *
   * @throws JobValidationException for any invalid job
   */
  public static JobDefinition parseJson(JsonNode json) {
    return read(json, null);
  }

  // ---- reading

  private static JobDefinition read(JsonNode tree, Map<String, int[]> locations) {
    if (tree == null || !tree.isObject()) {
      throw new JobValidationException(
          JobErrorCode.INVALID_JOB,
          null,
          0,
          0,
          "job: expected a mapping with fields name, nodes (and optionally description, settings,"
              + " arguments)");
    }
    Fields job = new Fields(tree, "", "", "job", null, locations);
    String name = job.string("name");
    if (!NAME.matcher(name).matches()) {
      throw job.error(
          "name",
          "'"
              + name
              + "' is not a valid job name: use letters, digits, '_', '.', '-' (start with a letter"
              + " or digit, at most 255 characters)");
    }
    String description = job.optString("description", "");
    JobSettings settings = settings(job.optObject("settings"));
    Map<String, String> arguments = job.stringMap("arguments");
    for (String a : arguments.keySet()) {
      if (!ARGUMENT.matcher(a).matches()) {
        throw job.error(
            "arguments/" + a,
            "arguments." + a,
            "is not a valid argument name: use letters, digits, '_', '.', '-'");
      }
    }
    JsonNode rawNodes = job.raw("nodes");
    job.done();
    if (rawNodes == null) {
      throw job.missing("nodes");
    }
    if (!rawNodes.isArray() || rawNodes.isEmpty()) {
      throw job.error("nodes", "must be a non-empty list of nodes");
    }
    List<JobNode> nodes = new ArrayList<>();
    Map<String, String> pointers = new HashMap<>();
    for (int i = 0; i < rawNodes.size(); i++) {
      JsonNode raw = rawNodes.get(i);
      String pointer = "/nodes/" + i;
      if (!raw.isObject()) {
        throw job.error("nodes/" + i, "nodes[" + i + "]", "must be a mapping with id and type");
      }
      JobNode node = node(raw, pointer, i, locations);
      if (pointers.containsKey(node.id())) {
        int[] at = locations == null ? null : locations.get(pointer + "/id");
        throw new JobValidationException(
            JobErrorCode.INVALID_JOB,
            node.id(),
            at == null ? 0 : at[0],
            at == null ? 0 : at[1],
            "node '"
                + node.id()
                + "' ("
                + node.type()
                + "): duplicate node id '"
                + node.id()
                + "'; node ids must be unique");
      }
      pointers.put(node.id(), pointer);
      nodes.add(node);
    }
    JobDefinition def = new JobDefinition(name, description, settings, arguments, nodes);
    Locator locator =
        locations == null
            ? Locator.NONE
            : (id, field) -> {
              String p = pointers.get(id);
              if (p == null) {
                return null;
              }
              int[] at = locations.get(field == null ? p : p + "/" + field);
              // a single input may be written as input: instead of inputs:
              return at == null && "inputs".equals(field) ? locations.get(p + "/input") : at;
            };
    JobGraph.check(def, locator);
    return def;
  }

  private static JobSettings settings(Fields f) {
    if (f == null) {
      return JobSettings.defaults();
    }
    Duration timeout = JobSettings.DEFAULT_TIMEOUT;
    JsonNode t = f.raw("timeout");
    if (t != null) {
      try {
        // a bare number is minutes, as Glue's Timeout
        timeout =
            t.isIntegralNumber()
                ? Duration.ofMinutes(t.longValue())
                : Durations.parse(f.optString("timeout", null));
      } catch (IllegalArgumentException e) {
        throw f.error("timeout", e.getMessage());
      }
      if (timeout.isZero() || timeout.isNegative()) {
        throw f.error("timeout", "must be positive, not " + t.asText());
      }
    }
    int maxRetries = f.integer("maxRetries", 0, 0);
    BookmarkOption bookmarks =
        f.enumValue("bookmarks", BookmarkOption.class, BookmarkOption.DISABLE);
    int maxConcurrentRuns = f.integer("maxConcurrentRuns", 1, 1);
    boolean rowCounts = f.bool("rowCounts", true);
    f.done();
    return new JobSettings(timeout, maxRetries, bookmarks, maxConcurrentRuns, rowCounts);
  }

  private static JobNode node(JsonNode raw, String pointer, int index, Map<String, int[]> locs) {
    JsonNode idNode = raw.get("id");
    JsonNode typeNode = raw.get("type");
    String rawId = idNode != null && idNode.isValueNode() ? idNode.asText() : null;
    String rawType = typeNode != null && typeNode.isValueNode() ? typeNode.asText() : null;
    String type = rawType == null ? null : resolveType(rawType);
    String owner =
        (rawId == null ? "node #" + (index + 1) : "node '" + rawId + "'")
            + (type == null ? "" : " (" + type + ")");
    Fields f = new Fields(raw, pointer, "", owner, rawId, locs);
    String id = f.string("id");
    if (!ID.matcher(id).matches()) {
      throw f.error(
          "id",
          "'"
              + id
              + "' is not a valid node id: use lower-case letters, digits and '_', starting with a"
              + " letter or '_', at most 63 characters (the id is also the SQL relation name)");
    }
    String typeText = f.string("type");
    if (type == null) {
      throw f.error(
          "type",
          "'"
              + typeText
              + "' is not a node type"
              + JobGraph.suggestion(typeText, NODE_TYPES.values())
              + "; valid types: "
              + String.join(", ", NODE_TYPES.values()));
    }
    JobNode node;
    if (type.equals(SourceNode.TYPE)) {
      node = source(id, f);
    } else if (type.equals(TargetNode.TYPE)) {
      node = target(id, f);
    } else if (type.equals(QualityNode.TYPE)) {
      node = quality(id, f);
    } else {
      node = transform(id, type, f);
    }
    f.done();
    return node;
  }

  private static String resolveType(String text) {
    String key = text.trim().toLowerCase(Locale.ROOT);
    String t = NODE_TYPES.get(key);
    return t != null ? t : TYPE_ALIASES.get(key);
  }

  private static SourceNode source(String id, Fields f) {
    Fields catalog = f.optObject("catalog");
    Fields prefix = f.optObject("prefix");
    if ((catalog == null) == (prefix == null)) {
      throw f.error(
          catalog == null ? "catalog" : "prefix",
          "give exactly one of 'catalog: {database, table}' or 'prefix: {uri, format, options}'");
    }
    if (catalog != null) {
      CatalogSource s = new CatalogSource(catalog.string("database"), catalog.string("table"));
      catalog.done();
      return new SourceNode(id, s);
    }
    String uri = s3(prefix, "uri", false);
    String format = prefix.choice("format", List.of("csv", "json", "parquet"), null);
    if (format == null) {
      throw prefix.missing("format");
    }
    Map<String, String> options = prefix.stringMap("options");
    prefix.done();
    return new SourceNode(id, new PrefixSource(uri, format, options));
  }

  private static TargetNode target(String id, Fields f) {
    String input = f.string("input");
    Fields iceberg = f.optObject("iceberg");
    Fields prefix = f.optObject("prefix");
    if ((iceberg == null) == (prefix == null)) {
      throw f.error(
          iceberg == null ? "iceberg" : "prefix",
          "give exactly one of 'iceberg: {database, table, mode}' or 'prefix: {uri, format}'");
    }
    if (iceberg != null) {
      String database = iceberg.string("database");
      String table = iceberg.string("table");
      WriteMode mode = iceberg.enumValue("mode", WriteMode.class, WriteMode.APPEND);
      List<String> keys = iceberg.optStrings("keys");
      if (mode == WriteMode.MERGE && keys.isEmpty()) {
        throw iceberg.error(
            "mode", "merge needs 'keys': list the columns that identify a row, e.g. keys: [id]");
      }
      if (mode != WriteMode.MERGE && !keys.isEmpty()) {
        throw iceberg.error(
            "keys",
            "only applies to mode merge (mode is " + mode.name().toLowerCase(Locale.ROOT) + ")");
      }
      List<String> partitionBy = iceberg.optStrings("partitionBy");
      for (int i = 0; i < partitionBy.size(); i++) {
        if (PartitionTransforms.column(partitionBy.get(i)) == null) {
          throw iceberg.error(
              "partitionBy/" + i,
              "partitionBy[" + i + "]",
              "'"
                  + partitionBy.get(i)
                  + "' is not a partition transform: use a column, identity(c), year(c), month(c),"
                  + " day(c), hour(c), bucket(N, c) or truncate(N, c)");
        }
      }
      boolean create = iceberg.bool("createIfMissing", true);
      iceberg.done();
      return new TargetNode(
          id, input, new IcebergTarget(database, table, mode, keys, partitionBy, create));
    }
    String uri = s3(prefix, "uri", true);
    String format = prefix.choice("format", List.of("parquet", "csv", "json"), "parquet");
    List<String> codecs =
        format.equals("parquet")
            ? List.of("zstd", "snappy", "gzip", "none")
            : List.of("none", "gzip", "zstd");
    String compression =
        prefix.choice("compression", codecs, format.equals("parquet") ? "snappy" : "none");
    List<String> partitionKeys = prefix.optStrings("partitionKeys");
    Fields reg = prefix.optObject("register");
    CatalogRegistration register = null;
    if (reg != null) {
      register = new CatalogRegistration(reg.string("database"), reg.string("table"));
      reg.done();
    }
    prefix.done();
    return new TargetNode(
        id, input, new PrefixTarget(uri, format, compression, partitionKeys, register));
  }

  private static QualityNode quality(String id, Fields f) {
    String input = f.string("input");
    String rules = f.string("rules");
    try {
      DqdlParser.parse(rules);
    } catch (DqdlException e) {
      throw f.error(
          JobErrorCode.INVALID_RULES,
          "rules",
          "rules",
          "is not valid DQDL: "
              + e.getMessage()
              + (e.line() > 0 ? " (line " + e.line() + " of the rules)" : ""));
    }
    QualityAction action = f.enumValue("action", QualityAction.class, QualityAction.FAIL);
    String quarantine = f.has("quarantine") ? s3(f, "quarantine", true) : null;
    if (action == QualityAction.QUARANTINE && quarantine == null) {
      throw f.error(
          "action",
          "quarantine needs 'quarantine: s3://bucket/prefix/' where failing rows are written");
    }
    if (action != QualityAction.QUARANTINE && quarantine != null) {
      throw f.error(
          "quarantine",
          "only applies to action quarantine (action is "
              + action.name().toLowerCase(Locale.ROOT)
              + ")");
    }
    Map<String, String> references = f.stringMap("references");
    return new QualityNode(id, input, rules, action, quarantine, references);
  }

  private static String s3(Fields f, String field, boolean prefixOnly) {
    String uri = f.string(field);
    if (!uri.startsWith("s3://") || uri.length() <= "s3://".length() || uri.startsWith("s3:///")) {
      throw f.error(field, "'" + uri + "' must be an s3://bucket/prefix/ URI");
    }
    if (prefixOnly && !uri.endsWith("/")) {
      throw f.error(field, "'" + uri + "' must be a prefix ending in '/'");
    }
    return uri;
  }

  private static List<String> inputs(Fields f, String type, int min, int max) {
    boolean many = f.has("inputs");
    boolean one = f.has("input");
    if (many && one) {
      throw f.error("input", "give either 'input: id' or 'inputs: [ids]', not both");
    }
    List<String> in = one ? List.of(f.string("input")) : f.optStrings("inputs");
    if (in.isEmpty()) {
      throw f.missing(max == 1 ? "input" : "inputs");
    }
    String field = one ? "input" : "inputs";
    if (in.size() < min || in.size() > max) {
      String expected =
          min == max
              ? "exactly " + min
              : max == Integer.MAX_VALUE ? min + " or more" : min + " to " + max;
      throw f.error(
          field,
          "lists "
              + in.size()
              + " input(s); "
              + type
              + " takes "
              + expected
              + (type.equals("Join") ? " ([left, right])" : ""));
    }
    return in;
  }

  private static String expression(Fields f, String field) {
    String e = f.string(field);
    String problem = SqlText.problem(e);
    if (problem != null) {
      throw f.error(
          JobErrorCode.INVALID_EXPRESSION,
          field,
          field,
          "is not a single SQL " + (field.equals("sql") ? "query" : "expression") + ": " + problem);
    }
    return e;
  }

  private static String column(Fields f, String field) {
    String c = f.string(field);
    if (c.isBlank()) {
      throw f.error(field, "must name a column");
    }
    return c;
  }

  private static TransformNode transform(String id, String type, Fields f) {
    Transform t;
    List<String> in;
    switch (type) {
      case "Join":
        in = inputs(f, type, 2, 2);
        t = join(f);
        break;
      case "Union":
        in = inputs(f, type, 2, Integer.MAX_VALUE);
        t = new Transform.Union(f.bool("byName", true), f.bool("distinct", false));
        break;
      case "Sql":
        in = inputs(f, type, 1, Integer.MAX_VALUE);
        String sql = expression(f, "sql");
        if (!QUERY_START.matcher(sql).matches()) {
          throw f.error(
              JobErrorCode.INVALID_EXPRESSION,
              "sql",
              "sql",
              "must be a query starting with SELECT, WITH, FROM or VALUES");
        }
        t = new Transform.Sql(sql);
        break;
      default:
        in = inputs(f, type, 1, 1);
        t = singleInput(type, f);
        break;
    }
    return new TransformNode(id, type, in, t);
  }

  private static Transform singleInput(String type, Fields f) {
    switch (type) {
      case "ApplyMapping":
        {
          List<Transform.FieldMapping> mappings = new ArrayList<>();
          for (Fields m : f.objects("mappings")) {
            String from = column(m, "from");
            String to = m.optString("to", from);
            String castTo = m.has("type") ? typeName(m, "type") : null;
            m.done();
            mappings.add(new Transform.FieldMapping(from, to, castTo));
          }
          if (mappings.isEmpty()) {
            throw f.missing("mappings");
          }
          return new Transform.ApplyMapping(mappings);
        }
      case "RenameField":
        return new Transform.RenameField(column(f, "from"), column(f, "to"));
      case "Cast":
        {
          Map<String, String> columns = f.stringMap("columns");
          if (columns.isEmpty()) {
            throw f.missing("columns");
          }
          for (Map.Entry<String, String> e : columns.entrySet()) {
            String problem = SqlText.problem(e.getValue());
            if (problem != null) {
              throw f.error(
                  JobErrorCode.INVALID_EXPRESSION,
                  "columns/" + e.getKey(),
                  "columns." + e.getKey(),
                  "is not a type: " + problem);
            }
          }
          return new Transform.Cast(columns);
        }
      case "SelectFields":
        return new Transform.SelectFields(f.strings("columns"));
      case "DropFields":
        return new Transform.DropFields(f.strings("columns"));
      case "Filter":
        return filter(f);
      case "DropDuplicates":
        {
          List<String> keys = f.optStrings("keys");
          Transform.Keep keep = f.enumValue("keep", Transform.Keep.class, Transform.Keep.FIRST);
          List<String> orderBy = f.optStrings("orderBy");
          if (keys.isEmpty() && !orderBy.isEmpty()) {
            throw f.error(
                "orderBy",
                "needs 'keys': without keys only rows equal in every column are dropped");
          }
          return new Transform.DropDuplicates(keys, keep, orderBy);
        }
      case "Aggregate":
        return aggregate(f);
      case "DerivedColumn":
        return new Transform.DerivedColumn(column(f, "name"), expression(f, "expression"));
      case "FillMissingValues":
        {
          List<Transform.Fill> fills = new ArrayList<>();
          for (Fields m : f.objects("fills")) {
            String col = column(m, "column");
            String value = m.optString("value", null);
            Transform.FillStrategy strategy =
                m.enumValue(
                    "strategy",
                    Transform.FillStrategy.class,
                    value != null ? Transform.FillStrategy.CONSTANT : null);
            if (strategy == null) {
              throw m.missing("strategy");
            }
            if (strategy == Transform.FillStrategy.CONSTANT && value == null) {
              throw m.missing("value");
            }
            if (strategy != Transform.FillStrategy.CONSTANT && value != null) {
              throw m.error("value", "only applies to strategy constant");
            }
            m.done();
            fills.add(new Transform.Fill(col, strategy, value));
          }
          if (fills.isEmpty()) {
            throw f.missing("fills");
          }
          return new Transform.FillMissingValues(fills);
        }
      case "Pivot":
        {
          List<String> groupBy = f.optStrings("groupBy");
          String pivotColumn = column(f, "pivotColumn");
          String valueColumn = column(f, "valueColumn");
          Transform.AggFunction agg =
              f.enumValue("aggregation", Transform.AggFunction.class, Transform.AggFunction.SUM);
          List<Object> values = f.literals("values");
          return new Transform.Pivot(groupBy, pivotColumn, valueColumn, agg, values);
        }
      case "Unpivot":
        return new Transform.Unpivot(
            f.strings("columns"),
            f.optString("nameColumn", "name"),
            f.optString("valueColumn", "value"),
            f.bool("dropNulls", false));
      default:
        throw new IllegalStateException("unhandled transform type " + type);
    }
  }

  private static String typeName(Fields f, String field) {
    String type = f.string(field);
    String problem = SqlText.problem(type);
    if (problem != null) {
      throw f.error(JobErrorCode.INVALID_EXPRESSION, field, field, "is not a type: " + problem);
    }
    return type;
  }

  private static Transform filter(Fields f) {
    boolean hasCondition = f.has("condition");
    boolean hasConditions = f.has("conditions");
    if (hasCondition == hasConditions) {
      throw f.error(
          "condition",
          "give exactly one of 'condition: <SQL boolean expression>' or 'conditions: [{column, op,"
              + " value}]'");
    }
    if (hasCondition) {
      String condition = expression(f, "condition");
      return new Transform.Filter(condition, List.of(), Transform.Logic.AND);
    }
    List<Transform.FilterCondition> conditions = new ArrayList<>();
    for (Fields c : f.objects("conditions")) {
      String col = column(c, "column");
      String opText = c.string("op");
      Transform.FilterOp op = Transform.FilterOp.of(opText);
      if (op == null) {
        List<String> symbols = new ArrayList<>();
        for (Transform.FilterOp o : Transform.FilterOp.values()) {
          symbols.add(o.symbol());
        }
        throw c.error("op", "'" + opText + "' is not one of " + String.join(", ", symbols));
      }
      Object value = c.literal("value");
      boolean nullTest = op == Transform.FilterOp.IS_NULL || op == Transform.FilterOp.IS_NOT_NULL;
      boolean listTest = op == Transform.FilterOp.IN || op == Transform.FilterOp.NOT_IN;
      if (nullTest && value != null) {
        throw c.error("value", "must be absent for op '" + op.symbol() + "'");
      }
      if (!nullTest && value == null) {
        throw c.missing("value");
      }
      if (listTest && !(value instanceof List<?> l && !l.isEmpty())) {
        throw c.error("value", "must be a non-empty list for op '" + op.symbol() + "'");
      }
      if (!listTest && value instanceof List<?>) {
        throw c.error("value", "must be a single value for op '" + op.symbol() + "'");
      }
      c.done();
      conditions.add(new Transform.FilterCondition(col, op, value));
    }
    if (conditions.isEmpty()) {
      throw f.error("conditions", "must list at least one condition");
    }
    Transform.Logic logic = f.enumValue("logic", Transform.Logic.class, Transform.Logic.AND);
    return new Transform.Filter(null, conditions, logic);
  }

  private static Transform join(Fields f) {
    String jt = f.optString("joinType", "inner");
    Transform.JoinType type = joinType(jt);
    if (type == null) {
      throw f.error(
          "joinType", "'" + jt + "' is not one of inner, left, right, full (outer), semi, anti");
    }
    List<Transform.JoinKey> on = new ArrayList<>();
    for (Fields k : f.objects("on")) {
      String left = column(k, "left");
      String right = k.optString("right", left);
      k.done();
      on.add(new Transform.JoinKey(left, right));
    }
    if (on.isEmpty()) {
      throw f.missing("on");
    }
    return new Transform.Join(type, on, f.bool("dropDuplicateColumns", false));
  }

  private static Transform.JoinType joinType(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT).replace('-', '_').replace(' ', '_');
    switch (t) {
      case "inner":
        return Transform.JoinType.INNER;
      case "left":
      case "left_outer":
        return Transform.JoinType.LEFT;
      case "right":
      case "right_outer":
        return Transform.JoinType.RIGHT;
      case "full":
      case "outer":
      case "full_outer":
        return Transform.JoinType.FULL;
      case "semi":
      case "left_semi":
      case "leftsemi":
        return Transform.JoinType.SEMI;
      case "anti":
      case "left_anti":
      case "leftanti":
        return Transform.JoinType.ANTI;
      default:
        return null;
    }
  }

  private static Transform aggregate(Fields f) {
    List<String> groupBy = f.optStrings("groupBy");
    List<Transform.Aggregation> aggs = new ArrayList<>();
    for (Fields a : f.objects("aggregations")) {
      String column = a.optString("column", null);
      Transform.AggFunction fn = a.enumValue("function", Transform.AggFunction.class, null);
      if (fn == null) {
        throw a.missing("function");
      }
      if (column == null && fn != Transform.AggFunction.COUNT) {
        throw a.missing("column");
      }
      String dflt = fn.name().toLowerCase(Locale.ROOT) + (column == null ? "" : "_" + column);
      String as = a.optString("as", dflt);
      a.done();
      aggs.add(new Transform.Aggregation(column, fn, as));
    }
    if (aggs.isEmpty()) {
      throw f.missing("aggregations");
    }
    return new Transform.Aggregate(groupBy, aggs);
  }

  // ---- positions

  private static final class Frame {
    final String path;
    final boolean array;
    int index = -1;
    String field;

    Frame(String path, boolean array) {
      this.path = path;
      this.array = array;
    }
  }

  /** JSON pointer → {line, column} of every field name and array element in the text. */
  private static Map<String, int[]> locations(JsonFactory factory, String text) throws IOException {
    Map<String, int[]> out = new HashMap<>();
    try (JsonParser p = factory.createParser(text)) {
      Deque<Frame> stack = new ArrayDeque<>();
      JsonToken t;
      while ((t = p.nextToken()) != null) {
        JsonLocation loc = p.currentTokenLocation();
        int[] lc = {loc.getLineNr(), loc.getColumnNr()};
        if (t == JsonToken.FIELD_NAME) {
          Frame top = stack.peek();
          top.field = p.currentName();
          out.putIfAbsent(top.path + "/" + top.field, lc);
          continue;
        }
        if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
          stack.pop();
          continue;
        }
        Frame top = stack.peek();
        String path;
        if (top == null) {
          path = "";
          out.putIfAbsent("", lc);
        } else if (top.array) {
          top.index++;
          path = top.path + "/" + top.index;
          out.putIfAbsent(path, lc);
        } else {
          path = top.path + "/" + top.field;
        }
        if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
          stack.push(new Frame(path, t == JsonToken.START_ARRAY));
        }
      }
    }
    return out;
  }

  // ---- writing

  /** The job as the JSON tree {@link #parseJson} reads back into an equal definition. */
  public static JsonNode toJson(JobDefinition job) {
    ObjectNode o = NODES.objectNode();
    o.put("name", job.name());
    if (!job.description().isEmpty()) {
      o.put("description", job.description());
    }
    JobSettings s = job.settings();
    ObjectNode settings = o.putObject("settings");
    settings.put("timeout", duration(s.timeout()));
    settings.put("maxRetries", s.maxRetries());
    settings.put("bookmarks", lower(s.bookmarks()));
    settings.put("maxConcurrentRuns", s.maxConcurrentRuns());
    settings.put("rowCounts", s.rowCounts());
    if (!job.defaultArguments().isEmpty()) {
      ObjectNode args = o.putObject("arguments");
      job.defaultArguments().forEach(args::put);
    }
    ArrayNode nodes = o.putArray("nodes");
    for (JobNode n : job.nodes()) {
      nodes.add(node(n));
    }
    return o;
  }

  private static ObjectNode node(JobNode n) {
    ObjectNode o = NODES.objectNode();
    o.put("id", n.id());
    o.put("type", n.type());
    if (n instanceof SourceNode s) {
      if (s.source() instanceof CatalogSource c) {
        ObjectNode cat = o.putObject("catalog");
        cat.put("database", c.database());
        cat.put("table", c.table());
      } else {
        PrefixSource p = (PrefixSource) s.source();
        ObjectNode pre = o.putObject("prefix");
        pre.put("uri", p.uri());
        pre.put("format", p.format());
        if (!p.options().isEmpty()) {
          ObjectNode opts = pre.putObject("options");
          new java.util.TreeMap<>(p.options()).forEach(opts::put);
        }
      }
    } else if (n instanceof TargetNode t) {
      o.put("input", t.input());
      if (t.target() instanceof IcebergTarget i) {
        ObjectNode ice = o.putObject("iceberg");
        ice.put("database", i.database());
        ice.put("table", i.table());
        ice.put("mode", lower(i.mode()));
        strings(ice, "keys", i.keys());
        strings(ice, "partitionBy", i.partitionBy());
        ice.put("createIfMissing", i.createIfMissing());
      } else {
        PrefixTarget p = (PrefixTarget) t.target();
        ObjectNode pre = o.putObject("prefix");
        pre.put("uri", p.uri());
        pre.put("format", p.format());
        pre.put("compression", p.compression());
        strings(pre, "partitionKeys", p.partitionKeys());
        if (p.register() != null) {
          ObjectNode reg = pre.putObject("register");
          reg.put("database", p.register().database());
          reg.put("table", p.register().table());
        }
      }
    } else if (n instanceof QualityNode q) {
      o.put("input", q.input());
      o.put("rules", q.rules());
      o.put("action", lower(q.action()));
      if (q.quarantineUri() != null) {
        o.put("quarantine", q.quarantineUri());
      }
      if (!q.references().isEmpty()) {
        ObjectNode refs = o.putObject("references");
        q.references().forEach(refs::put);
      }
    } else {
      TransformNode t = (TransformNode) n;
      strings(o, "inputs", t.inputs());
      transform(o, t.transform());
    }
    return o;
  }

  private static void transform(ObjectNode o, Transform t) {
    if (t instanceof Transform.ApplyMapping m) {
      ArrayNode a = o.putArray("mappings");
      for (Transform.FieldMapping fm : m.mappings()) {
        ObjectNode e = a.addObject();
        e.put("from", fm.from());
        e.put("to", fm.to());
        if (fm.type() != null) {
          e.put("type", fm.type());
        }
      }
    } else if (t instanceof Transform.RenameField r) {
      o.put("from", r.from());
      o.put("to", r.to());
    } else if (t instanceof Transform.Cast c) {
      ObjectNode cols = o.putObject("columns");
      c.columns().forEach(cols::put);
    } else if (t instanceof Transform.SelectFields s) {
      strings(o, "columns", s.columns());
    } else if (t instanceof Transform.DropFields d) {
      strings(o, "columns", d.columns());
    } else if (t instanceof Transform.Filter f) {
      if (f.condition() != null) {
        o.put("condition", f.condition());
      } else {
        ArrayNode a = o.putArray("conditions");
        for (Transform.FilterCondition c : f.conditions()) {
          ObjectNode e = a.addObject();
          e.put("column", c.column());
          e.put("op", c.op().symbol());
          if (c.value() != null) {
            e.set("value", literal(c.value()));
          }
        }
        o.put("logic", lower(f.logic()));
      }
    } else if (t instanceof Transform.Join j) {
      o.put("joinType", lower(j.joinType()));
      ArrayNode a = o.putArray("on");
      for (Transform.JoinKey k : j.on()) {
        a.addObject().put("left", k.left()).put("right", k.right());
      }
      o.put("dropDuplicateColumns", j.dropDuplicateColumns());
    } else if (t instanceof Transform.DropDuplicates d) {
      strings(o, "keys", d.keys());
      o.put("keep", lower(d.keep()));
      strings(o, "orderBy", d.orderBy());
    } else if (t instanceof Transform.Aggregate a) {
      strings(o, "groupBy", a.groupBy());
      ArrayNode arr = o.putArray("aggregations");
      for (Transform.Aggregation g : a.aggregations()) {
        ObjectNode e = arr.addObject();
        if (g.column() != null) {
          e.put("column", g.column());
        }
        e.put("function", lower(g.function()));
        e.put("as", g.as());
      }
    } else if (t instanceof Transform.Union u) {
      o.put("byName", u.byName());
      o.put("distinct", u.distinct());
    } else if (t instanceof Transform.DerivedColumn d) {
      o.put("name", d.name());
      o.put("expression", d.expression());
    } else if (t instanceof Transform.FillMissingValues fm) {
      ArrayNode a = o.putArray("fills");
      for (Transform.Fill fill : fm.fills()) {
        ObjectNode e = a.addObject();
        e.put("column", fill.column());
        e.put("strategy", lower(fill.strategy()));
        if (fill.value() != null) {
          e.put("value", fill.value());
        }
      }
    } else if (t instanceof Transform.Pivot p) {
      strings(o, "groupBy", p.groupBy());
      o.put("pivotColumn", p.pivotColumn());
      o.put("valueColumn", p.valueColumn());
      o.put("aggregation", lower(p.aggregation()));
      o.set("values", literal(p.values()));
    } else if (t instanceof Transform.Unpivot u) {
      strings(o, "columns", u.columns());
      o.put("nameColumn", u.nameColumn());
      o.put("valueColumn", u.valueColumn());
      o.put("dropNulls", u.dropNulls());
    } else {
      o.put("sql", ((Transform.Sql) t).sql());
    }
  }

  private static JsonNode literal(Object v) {
    if (v == null) {
      return NODES.nullNode();
    }
    if (v instanceof BigDecimal d) {
      return NODES.numberNode(d);
    }
    if (v instanceof Boolean b) {
      return NODES.booleanNode(b);
    }
    if (v instanceof List<?> l) {
      ArrayNode a = NODES.arrayNode();
      for (Object e : l) {
        a.add(literal(e));
      }
      return a;
    }
    return NODES.textNode(v.toString());
  }

  private static void strings(ObjectNode o, String field, List<String> values) {
    if (!values.isEmpty()) {
      ArrayNode a = o.putArray(field);
      values.forEach(a::add);
    }
  }

  private static String lower(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }

  private static String duration(Duration d) {
    long ms = d.toMillis();
    if (ms % 3_600_000 == 0) {
      return (ms / 3_600_000) + "h";
    }
    if (ms % 60_000 == 0) {
      return (ms / 60_000) + "m";
    }
    if (ms % 1000 == 0) {
      return (ms / 1000) + "s";
    }
    return ms + "ms";
  }
}
