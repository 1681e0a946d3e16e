package dev.basin.server.pgwire;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Answers the system-catalog queries PostgreSQL clients send about databases, schemas, tables,
 * columns and types: psql's {@code \l}, {@code \dn}, {@code \dt}, {@code \d table} and friends,
 * pgjdbc's {@code DatabaseMetaData} and its type lookups, and BI tools that use the same queries.
 * DuckDB's {@code pg_catalog} is too far from PostgreSQL's for these (other OIDs, no {@code
 * OPERATOR(pg_catalog.~)}, views instead of tables), so Basin evaluates them itself over a {@link
 * PgCatalog} built from the engine's {@code information_schema}.
 *
 * <p>The evaluation is deliberately shallow: it finds the relation the query lists ({@code
 * pg_class}, {@code pg_attribute} …), the name/OID/kind filters on it (LIKE, =, regular
 * expressions, literals or parameters), and fills each select-list item from the row by the column
 * it names or the well-known function it calls ({@code format_type}, {@code pg_get_userbyid} …).
 * Relations Basin has nothing in (indexes, constraints, inheritance, policies, publications …) give
 * empty results. Queries it does not recognise go to the engine unchanged.
 */
final class PgCatalogQueries {

  /** Where the catalog comes from; one per connection. */
  interface Source {
    /** The connected user (owner of everything). */
    String user();

    /** The Basin database unqualified names resolve in, or null. */
    String currentSchema();

    /** Reads the catalog now. */
    PgCatalog load();
  }

  private enum Grain {
    DATABASE,
    NAMESPACE,
    CLASS,
    ATTRIBUTE,
    TYPE,
    ROLE,
    EMPTY
  }

  /** Relations Basin has no rows in: a query that joins one of them returns nothing. */
  private static final Set<String> EMPTY_RELATIONS =
      Set.of(
          "pg_index",
          "pg_constraint",
          "pg_inherits",
          "pg_policy",
          "pg_trigger",
          "pg_rewrite",
          "pg_statistic",
          "pg_statistic_ext",
          "pg_statistic_ext_data",
          "pg_publication",
          "pg_publication_rel",
          "pg_publication_namespace",
          "pg_partitioned_table",
          "pg_foreign_table",
          "pg_foreign_server",
          "pg_foreign_data_wrapper",
          "pg_user_mapping",
          "pg_user_mappings",
          "pg_sequence",
          "pg_depend",
          "pg_shdepend",
          "pg_event_trigger",
          "pg_extension",
          "pg_proc",
          "pg_aggregate",
          "pg_operator",
          "pg_opclass",
          "pg_opfamily",
          "pg_amop",
          "pg_amproc",
          "pg_cast",
          "pg_conversion",
          "pg_language",
          "pg_largeobject_metadata",
          "pg_subscription",
          "pg_ts_config",
          "pg_ts_dict",
          "pg_ts_parser",
          "pg_ts_template",
          "pg_enum",
          "pg_range",
          "pg_init_privs",
          "pg_seclabel",
          "pg_shseclabel",
          "pg_auth_members",
          "pg_default_acl",
          "pg_transform",
          "pg_matviews",
          "pg_am",
          "pg_attrdef",
          "pg_description",
          "pg_shdescription",
          "pg_collation",
          "pg_tablespace");

  /** Relations that may be joined to the listed one without changing its rows. */
  private static final Set<String> DECORATIONS =
      Set.of(
          "pg_am",
          "pg_attrdef",
          "pg_description",
          "pg_shdescription",
          "pg_collation",
          "pg_tablespace");

  private static final Pattern SEGMENT_SPLIT =
      Pattern.compile(
          "(?i),|\\b(?:(left|right|full)\\s+(?:outer\\s+)?|inner\\s+|cross\\s+)?join\\b");
  private static final Pattern RELATION =
      Pattern.compile(
          "(?i)^\\s*((?:[a-z_][a-z0-9_]*\\s*\\.\\s*)?[a-z_][a-z0-9_]*)(\\s*\\()?"
              + "(?:\\s+(?:as\\s+)?([a-z_][a-z0-9_]*))?");
  private static final Set<String> NOT_ALIASES =
      Set.of("on", "using", "where", "left", "right", "join", "inner", "cross", "full", "natural");
  private static final Pattern FILTER =
      Pattern.compile(
          "(?i)(?<![\\w.])(?:([a-z_][a-z0-9_]*)\\.)?(nspname|relname|attname|datname|typname|rolname"
              + "|usename|oid|attrelid)\\s*(=|<>|!=|!~\\*|~\\*|!~|~|not\\s+like|not\\s+ilike|like"
              + "|ilike)\\s*(E?'(?:[^']|'')*'|\\$\\d+|\\d+)");
  private static final Pattern RELKIND =
      Pattern.compile("(?i)relkind\\s*(?:=\\s*'(\\w)'|in\\s*\\(([^)]*)\\))");
  private static final Pattern LIMIT = Pattern.compile("(?i)\\blimit\\s+(\\d+)");
  private static final Pattern COLUMN_REF =
      Pattern.compile("(?i)(?<![\\w.$'])([a-z_][a-z0-9_]*)(?:\\.([a-z_][a-z0-9_]*))?(?![\\w(])");
  private static final Set<String> KEYWORDS =
      Set.of(
          "case",
          "when",
          "then",
          "else",
          "end",
          "and",
          "or",
          "not",
          "null",
          "true",
          "false",
          "select",
          "from",
          "where",
          "as",
          "is",
          "any",
          "all",
          "in",
          "like",
          "ilike",
          "between",
          "distinct",
          "on",
          "join",
          "left",
          "pg_catalog",
          "e",
          "text",
          "regclass",
          "regproc",
          "regtype",
          "int2",
          "int4",
          "int8",
          "oid",
          "name",
          "char",
          "varchar",
          "bool",
          "array",
          "information_schema");

  private static final Map<String, PgType> KEY_TYPES = new HashMap<>();

  static {
    for (String k :
        List.of(
            "oid",
            "relnamespace",
            "nspowner",
            "datdba",
            "reltablespace",
            "atttypid",
            "attrelid",
            "typnamespace",
            "typbasetype",
            "typelem",
            "typarray",
            "typrelid",
            "relowner",
            "relam",
            "reloftype",
            "reltype",
            "attcollation",
            "typcollation",
            "dattablespace",
            "typowner")) {
      KEY_TYPES.put(k, PgType.OID);
    }
    for (String k : List.of("attnum", "attlen", "typlen", "relchecks", "relnatts", "attndims")) {
      KEY_TYPES.put(k, PgType.INT2);
    }
    for (String k :
        List.of(
            "atttypmod",
            "typtypmod",
            "rolconnlimit",
            "datconnlimit",
            "encoding",
            "attstattarget")) {
      KEY_TYPES.put(k, PgType.INT4);
    }
    KEY_TYPES.put("reltuples", PgType.FLOAT4);
    KEY_TYPES.put("relpages", PgType.INT4);
    for (String k :
        List.of(
            "attnotnull",
            "atthasdef",
            "attisdropped",
            "attislocal",
            "relhasindex",
            "relhasrules",
            "relhastriggers",
            "relrowsecurity",
            "relforcerowsecurity",
            "relhasoids",
            "relispartition",
            "relhassubclass",
            "relispopulated",
            "datallowconn",
            "datistemplate",
            "typnotnull",
            "typisdefined",
            "typbyval",
            "rolsuper",
            "rolinherit",
            "rolcreaterole",
            "rolcreatedb",
            "rolcanlogin",
            "rolreplication",
            "rolbypassrls",
            "usesuper",
            "usecreatedb",
            "is_array")) {
      KEY_TYPES.put(k, PgType.BOOL);
    }
  }

  private PgCatalogQueries() {}

  /** A compiled select-list item. */
  private record Output(PgColumn column, Function<Map<String, Object>, Object> value) {}

  /** A condition on a name or OID of the listed relation. */
  private record Filter(String key, String op, String literal, int parameter) {}

  /**
   * A plan that answers {@code sql} from the catalog, or null when it is not a catalog query Basin
   * answers (the engine gets it).
   */
  static PgPlan plan(String sql, Source source) {
    if (!sql.toLowerCase(Locale.ROOT).contains("pg_")) {
      return null;
    }
    String norm = PgSql.normalize(sql);
    PgSql.Select outer = PgSql.select(norm);
    if (outer == null || outer.from().isBlank()) {
      return null;
    }
    List<PgSql.Select> levels = new ArrayList<>();
    levels.add(outer);
    PgSql.Select core = outer;
    while (core.derivedTable() != null) {
      core = PgSql.select(core.derivedTable());
      if (core == null) {
        return null;
      }
      levels.add(core);
    }
    Map<String, String> inner = new LinkedHashMap<>(); // relation -> alias
    if (!relations(core, inner)) {
      return null;
    }
    Grain grain = grain(inner.keySet());
    if (grain == null) {
      return null;
    }
    String mainAlias = mainAlias(grain, inner);
    String list = null;
    for (PgSql.Select level : levels) {
      if (!level.list().trim().equals("*")) {
        list = level.list();
        break;
      }
    }
    List<Output> outputs = new ArrayList<>();
    if (list == null) {
      for (String key : defaultColumns(grain)) {
        outputs.add(compile(new PgSql.Item(key, null), grain, source));
      }
    } else {
      for (String text : PgSql.items(list)) {
        outputs.add(compile(PgSql.item(text), grain, source));
      }
    }
    List<Filter> filters = new ArrayList<>();
    for (PgSql.Select level : levels) {
      filters.addAll(filters(level.maskedWhere(), mainAlias, grain));
    }
    Set<Character> kinds = relkinds(norm);
    boolean visibleOnly =
        core.maskedWhere().toLowerCase(Locale.ROOT).contains("pg_table_is_visible");
    boolean arrayElement =
        grain == Grain.TYPE
            && norm.toLowerCase(Locale.ROOT).matches("(?s).*\\btypelem\\s*=\\s*e\\.oid.*");
    Matcher limit = LIMIT.matcher(PgSql.mask(outer.tail()));
    int max = limit.find() ? Integer.parseInt(limit.group(1)) : Integer.MAX_VALUE;
    List<PgColumn> columns = new ArrayList<>();
    for (Output o : outputs) {
      columns.add(o.column());
    }
    List<PgColumn> cols = List.copyOf(columns);
    return PgPlan.local(
        cols,
        params -> {
          List<Map<String, Object>> rows =
              grain == Grain.EMPTY ? List.of() : rows(grain, source, arrayElement);
          List<Object[]> out = new ArrayList<>();
          String visible = source.currentSchema();
          for (Map<String, Object> row : rows) {
            if (out.size() >= max) {
              break;
            }
            if (!kinds.isEmpty()
                && row.containsKey("relkind")
                && !kinds.contains(((String) row.get("relkind")).charAt(0))) {
              continue;
            }
            if (visibleOnly && (visible == null || !visible.equals(row.get("nspname")))) {
              continue;
            }
            if (!matches(row, filters, params)) {
              continue;
            }
            Object[] values = new Object[outputs.size()];
            for (int i = 0; i < values.length; i++) {
              values[i] = outputs.get(i).value().apply(row);
            }
            out.add(values);
          }
          return PgRows.of(cols, out, null);
        });
  }

  // ------------------------------------------------------------------ structure

  /** Collects the relations joined in (not LEFT JOINed); false if one is not a system catalog. */
  private static boolean relations(PgSql.Select core, Map<String, String> inner) {
    String masked = core.maskedFrom();
    String raw = core.from();
    Matcher split = SEGMENT_SPLIT.matcher(masked);
    int start = 0;
    boolean optional = false;
    List<int[]> segments = new ArrayList<>();
    List<Boolean> optionals = new ArrayList<>();
    while (split.find()) {
      segments.add(new int[] {start, split.start()});
      optionals.add(optional);
      optional = split.group(1) != null;
      start = split.end();
    }
    segments.add(new int[] {start, masked.length()});
    optionals.add(optional);
    for (int i = 0; i < segments.size(); i++) {
      String segment = masked.substring(segments.get(i)[0], segments.get(i)[1]);
      if (segment.isBlank()) {
        continue;
      }
      boolean isOptional = optionals.get(i);
      if (segment.trim().startsWith("(")) {
        if (isOptional) {
          continue;
        }
        return false;
      }
      Matcher m = RELATION.matcher(segment);
      if (!m.find()) {
        return false;
      }
      String name = m.group(1).replaceAll("\\s+", "").toLowerCase(Locale.ROOT);
      if (name.startsWith("pg_catalog.")) {
        name = name.substring("pg_catalog.".length());
      }
      if (m.group(2) != null || !name.startsWith("pg_") || name.contains(".")) {
        if (isOptional) {
          continue;
        }
        return false;
      }
      String alias = m.group(3);
      if (alias == null || NOT_ALIASES.contains(alias.toLowerCase(Locale.ROOT))) {
        alias = name;
      }
      if (!isOptional) {
        inner.putIfAbsent(name, alias.toLowerCase(Locale.ROOT));
      }
    }
    return !inner.isEmpty() && raw != null;
  }

  private static Grain grain(Set<String> relations) {
    boolean known = true;
    for (String r : relations) {
      if (EMPTY_RELATIONS.contains(r) && !DECORATIONS.contains(r)) {
        return Grain.EMPTY;
      }
      known &= EMPTY_RELATIONS.contains(r) || grainOf(r) != null;
    }
    if (!known) {
      return null;
    }
    for (Grain g :
        List.of(
            Grain.ATTRIBUTE,
            Grain.CLASS,
            Grain.TYPE,
            Grain.NAMESPACE,
            Grain.DATABASE,
            Grain.ROLE)) {
      for (String r : relations) {
        if (grainOf(r) == g) {
          return g;
        }
      }
    }
    return Grain.EMPTY;
  }

  private static Grain grainOf(String relation) {
    return switch (relation) {
      case "pg_attribute" -> Grain.ATTRIBUTE;
      case "pg_class" -> Grain.CLASS;
      case "pg_type" -> Grain.TYPE;
      case "pg_namespace" -> Grain.NAMESPACE;
      case "pg_database" -> Grain.DATABASE;
      case "pg_roles", "pg_user", "pg_authid", "pg_shadow" -> Grain.ROLE;
      default -> null;
    };
  }

  private static String mainAlias(Grain grain, Map<String, String> inner) {
    String relation =
        switch (grain) {
          case ATTRIBUTE -> "pg_attribute";
          case CLASS -> "pg_class";
          case TYPE -> "pg_type";
          case NAMESPACE -> "pg_namespace";
          case DATABASE -> "pg_database";
          default -> null;
        };
    return relation == null ? null : inner.get(relation);
  }

  private static List<String> defaultColumns(Grain grain) {
    return switch (grain) {
      case DATABASE -> List.of("oid", "datname", "datdba", "encoding", "datcollate", "datctype");
      case NAMESPACE -> List.of("oid", "nspname", "nspowner", "nspacl");
      case CLASS -> List.of("oid", "relname", "relnamespace", "relowner", "relkind", "relnatts");
      case ATTRIBUTE ->
          List.of("attrelid", "attname", "atttypid", "attlen", "attnum", "atttypmod", "attnotnull");
      case TYPE ->
          List.of(
              "oid",
              "typname",
              "typnamespace",
              "typlen",
              "typtype",
              "typcategory",
              "typelem",
              "typarray");
      case ROLE -> List.of("oid", "rolname", "rolsuper", "rolcanlogin");
      case EMPTY -> List.of();
    };
  }

  private static List<Filter> filters(String maskedWhere, String mainAlias, Grain grain) {
    List<Filter> out = new ArrayList<>();
    Matcher m = FILTER.matcher(maskedWhere);
    while (m.find()) {
      String qualifier = m.group(1) == null ? null : m.group(1).toLowerCase(Locale.ROOT);
      String key = m.group(2).toLowerCase(Locale.ROOT);
      if (key.equals("oid")) {
        boolean main =
            qualifier == null
                || qualifier.equals(mainAlias)
                || qualifier.equals(relationName(grain));
        if (!main) {
          continue;
        }
      }
      if (key.equals("attrelid")) {
        key = "oid";
      }
      String op = m.group(3).toLowerCase(Locale.ROOT).replaceAll("\\s+", " ");
      String value = m.group(4);
      if (value.startsWith("$")) {
        out.add(new Filter(key, op, null, Integer.parseInt(value.substring(1))));
      } else {
        String literal = PgSql.stringLiteral(value);
        out.add(new Filter(key, op, literal == null ? value : literal, 0));
      }
    }
    return out;
  }

  private static String relationName(Grain grain) {
    return switch (grain) {
      case CLASS, ATTRIBUTE -> "pg_class";
      case TYPE -> "pg_type";
      case NAMESPACE -> "pg_namespace";
      case DATABASE -> "pg_database";
      default -> "";
    };
  }

  private static Set<Character> relkinds(String sql) {
    Set<Character> kinds = new java.util.HashSet<>();
    Matcher m = RELKIND.matcher(sql);
    while (m.find()) {
      if (m.group(1) != null) {
        kinds.add(m.group(1).charAt(0));
      } else {
        for (String part : m.group(2).split(",")) {
          String lit = PgSql.stringLiteral(part);
          if (lit != null && lit.length() == 1) {
            kinds.add(lit.charAt(0));
          }
        }
      }
    }
    return kinds;
  }

  private static boolean matches(
      Map<String, Object> row, List<Filter> filters, List<Object> params) {
    for (Filter f : filters) {
      if (!row.containsKey(f.key())) {
        continue;
      }
      Object actual = row.get(f.key());
      Object expected;
      if (f.parameter() > 0) {
        if (f.parameter() > params.size()) {
          throw new PgException(
              PgException.PROTOCOL_VIOLATION, "there is no parameter $" + f.parameter());
        }
        expected = params.get(f.parameter() - 1);
      } else {
        expected = f.literal();
      }
      if (expected == null) {
        return false;
      }
      String a = String.valueOf(actual);
      String e = String.valueOf(expected);
      boolean ok =
          switch (f.op()) {
            case "=" -> a.equals(e);
            case "<>", "!=" -> !a.equals(e);
            case "~" -> Pattern.compile(e).matcher(a).find();
            case "~*" -> Pattern.compile(e, Pattern.CASE_INSENSITIVE).matcher(a).find();
            case "!~" -> !Pattern.compile(e).matcher(a).find();
            case "!~*" -> !Pattern.compile(e, Pattern.CASE_INSENSITIVE).matcher(a).find();
            case "like" -> PgSql.like(e, false).matcher(a).matches();
            case "ilike" -> PgSql.like(e, true).matcher(a).matches();
            case "not like" -> !PgSql.like(e, false).matcher(a).matches();
            case "not ilike" -> !PgSql.like(e, true).matcher(a).matches();
            default -> true;
          };
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  // ------------------------------------------------------------------ select-list items

  private static Output compile(PgSql.Item item, Grain grain, Source source) {
    String expr = item.expression();
    String lower = expr.toLowerCase(Locale.ROOT);
    String masked = PgSql.mask(lower);
    String name = item.alias() != null ? item.alias() : defaultName(expr);
    String stripped = lower.replaceAll("(\\s*::\\s*[a-z_.\"]+(\\[\\])?)+$", "").trim();

    String literal = PgSql.stringLiteral(stripped);
    if (literal != null) {
      return constant(name, PgType.TEXT, literal);
    }
    if (stripped.equals("true") || stripped.equals("false")) {
      return constant(name, PgType.BOOL, Boolean.valueOf(stripped));
    }
    if (stripped.matches("-?\\d+")) {
      return constant(name, PgType.INT4, Integer.valueOf(stripped));
    }
    if (stripped.equals("null")) {
      return constant(name, PgType.TEXT, null);
    }
    if (masked.contains("format_type(")) {
      return new Output(new PgColumn(name, PgType.TEXT), row -> row.get("format_type"));
    }
    if (masked.contains("pg_get_userbyid(")) {
      return constant(name, PgType.TEXT, source.user());
    }
    if (masked.contains("pg_encoding_to_char(")) {
      return constant(name, PgType.TEXT, "UTF8");
    }
    if (lower.contains("current_schemas(") && masked.contains("=")) {
      return constant(name, PgType.BOOL, Boolean.TRUE);
    }
    if (masked.contains("current_database(") || masked.matches("(?s)\\s*current_catalog\\s*")) {
      return constant(name, PgType.TEXT, PgCatalog.DATABASE);
    }
    if (lower.contains("typinput") && lower.contains("array_in")) {
      return new Output(new PgColumn(name, PgType.BOOL), row -> row.get("is_array"));
    }
    if (masked.contains("row_number(")) {
      return new Output(new PgColumn(name, PgType.INT8), row -> toLong(row.get("attnum")));
    }
    if (masked.trim().startsWith("case")) {
      return caseExpression(name, expr, lower);
    }
    for (String fn :
        List.of(
            "nullif(",
            "col_description(",
            "obj_description(",
            "shobj_description(",
            "pg_get_expr(",
            "array_to_string(",
            "pg_size_pretty(",
            "pg_get_viewdef(",
            "pg_get_constraintdef(",
            "pg_get_indexdef(",
            "array(",
            "pg_relation_size(",
            "pg_table_size(",
            "pg_total_relation_size(")) {
      if (masked.contains(fn)) {
        return constant(name, PgType.TEXT, null);
      }
    }
    if (masked.trim().startsWith("(") && lower.contains("select")) {
      return constant(name, PgType.TEXT, null);
    }
    String key = firstColumn(lower);
    if (key != null) {
      String[] parts = key.split("\\.");
      String column = parts[parts.length - 1];
      PgType type = KEY_TYPES.getOrDefault(column, PgType.TEXT);
      return new Output(
          new PgColumn(name, type), row -> row.containsKey(key) ? row.get(key) : row.get(column));
    }
    String aliasKey = name.toLowerCase(Locale.ROOT);
    return new Output(
        new PgColumn(name, KEY_TYPES.getOrDefault(aliasKey, PgType.TEXT)),
        row -> row.get(aliasKey));
  }

  private static Output caseExpression(String name, String expr, String lower) {
    if (lower.contains("relkind")) {
      boolean jdbc = expr.contains("'TABLE'");
      return new Output(
          new PgColumn(name, PgType.TEXT),
          row -> {
            Object kind = row.get("relkind");
            if (kind == null) {
              return null;
            }
            boolean system = Boolean.TRUE.equals(row.get("system"));
            return switch (kind.toString()) {
              case "r" -> jdbc ? (system ? "SYSTEM TABLE" : "TABLE") : "table";
              case "v" -> jdbc ? (system ? "SYSTEM VIEW" : "VIEW") : "view";
              case "m" -> jdbc ? "MATERIALIZED VIEW" : "materialized view";
              default -> null;
            };
          });
    }
    if (lower.contains("datlocprovider")) {
      return constant(name, PgType.TEXT, "libc");
    }
    if (lower.contains("relpersistence")) {
      return constant(name, PgType.TEXT, "permanent");
    }
    if (lower.contains("reloftype")) {
      return constant(name, PgType.TEXT, "");
    }
    return constant(name, PgType.TEXT, null);
  }

  private static Output constant(String name, PgType type, Object value) {
    return new Output(new PgColumn(name, type), row -> value);
  }

  /** The first column reference of an expression ({@code a.attnotnull}, {@code typname}). */
  private static String firstColumn(String lower) {
    String masked = PgSql.mask(lower);
    // blank string literals so their words are not taken for columns
    StringBuilder noStrings = new StringBuilder(masked);
    boolean quoted = false;
    for (int i = 0; i < noStrings.length(); i++) {
      char c = noStrings.charAt(i);
      if (c == '\'') {
        quoted = !quoted;
        noStrings.setCharAt(i, ' ');
      } else if (quoted) {
        noStrings.setCharAt(i, ' ');
      }
    }
    Matcher m = COLUMN_REF.matcher(noStrings);
    while (m.find()) {
      String first = m.group(1);
      String second = m.group(2);
      if (second != null) {
        if (first.equals("pg_catalog") || first.equals("information_schema")) {
          continue;
        }
        return first + "." + second;
      }
      if (!KEYWORDS.contains(first)) {
        return first;
      }
    }
    return null;
  }

  private static String defaultName(String expr) {
    String e = expr.trim().replaceAll("(\\s*::\\s*[A-Za-z_.\"]+(\\[\\])?)+$", "");
    Matcher column = Pattern.compile("(?i)^(?:[a-z_][a-z0-9_]*\\.)?([a-z_][a-z0-9_]*)$").matcher(e);
    if (column.matches()) {
      return column.group(1).toLowerCase(Locale.ROOT);
    }
    Matcher call =
        Pattern.compile("(?i)^(?:[a-z_][a-z0-9_]*\\.)?([a-z_][a-z0-9_]*)\\s*\\(").matcher(e);
    if (call.find()) {
      return call.group(1).toLowerCase(Locale.ROOT);
    }
    if (e.toLowerCase(Locale.ROOT).startsWith("case")) {
      return "case";
    }
    return "?column?";
  }

  private static Long toLong(Object v) {
    return v == null ? null : ((Number) v).longValue();
  }

  // ------------------------------------------------------------------ rows

  private static List<Map<String, Object>> rows(Grain grain, Source source, boolean arrayElement) {
    return switch (grain) {
      case DATABASE -> List.of(databaseRow());
      case ROLE -> List.of(roleRow(source.user()));
      case TYPE -> typeRows(arrayElement);
      case NAMESPACE -> namespaceRows(source.load());
      case CLASS -> classRows(source.load());
      case ATTRIBUTE -> attributeRows(source.load());
      case EMPTY -> List.of();
    };
  }

  private static Map<String, Object> databaseRow() {
    Map<String, Object> r = new HashMap<>();
    r.put("oid", PgCatalog.DATABASE_OID);
    r.put("datname", PgCatalog.DATABASE);
    r.put("datdba", PgCatalog.OWNER_OID);
    r.put("encoding", 6);
    r.put("datcollate", "C");
    r.put("datctype", "C");
    r.put("datlocprovider", "c");
    r.put("datistemplate", false);
    r.put("datallowconn", true);
    r.put("datconnlimit", -1);
    r.put("dattablespace", 1663L);
    r.put("datacl", null);
    r.put("description", "Basin lake: catalog databases are schemas");
    return r;
  }

  private static Map<String, Object> roleRow(String user) {
    Map<String, Object> r = new HashMap<>();
    r.put("oid", PgCatalog.OWNER_OID);
    r.put("rolname", user);
    r.put("usename", user);
    r.put("usesysid", PgCatalog.OWNER_OID);
    r.put("rolsuper", false);
    r.put("usesuper", false);
    r.put("rolinherit", true);
    r.put("rolcreaterole", false);
    r.put("rolcreatedb", false);
    r.put("usecreatedb", false);
    r.put("rolcanlogin", true);
    r.put("rolreplication", false);
    r.put("rolbypassrls", false);
    r.put("rolconnlimit", -1);
    r.put("rolpassword", "********");
    r.put("rolvaliduntil", null);
    return r;
  }

  private static List<Map<String, Object>> typeRows(boolean arrayElement) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (PgCatalog.Type t : PgCatalog.TYPES) {
      if (arrayElement && !t.isArray()) {
        continue;
      }
      Map<String, Object> r = new HashMap<>();
      r.put("oid", t.oid());
      r.put("typname", t.name());
      r.put("typnamespace", PgCatalog.PG_CATALOG_OID);
      r.put("nspname", "pg_catalog");
      r.put("typowner", PgCatalog.OWNER_OID);
      r.put("typlen", (int) t.length());
      r.put("typbyval", t.length() > 0 && t.length() <= 8);
      r.put("typtype", t.oid() == PgType.UNKNOWN.oid() ? "p" : "b");
      r.put("typcategory", String.valueOf(t.category()));
      r.put("typisdefined", true);
      r.put("typdelim", ",");
      r.put("typrelid", 0L);
      r.put("typelem", t.element());
      r.put("typarray", t.array());
      r.put("typinput", t.isArray() ? "array_in" : t.name() + "in");
      r.put("typoutput", t.isArray() ? "array_out" : t.name() + "out");
      r.put("typbasetype", 0L);
      r.put("typtypmod", -1);
      r.put("typnotnull", false);
      r.put("typcollation", 0L);
      r.put("is_array", t.isArray());
      r.put("format_type", t.display());
      r.put("description", null);
      if (t.isArray()) {
        PgCatalog.Type e = PgCatalog.type(t.element());
        r.put("e.oid", t.element());
        r.put("e.typname", e == null ? null : e.name());
      }
      out.add(r);
    }
    return out;
  }

  private static List<Map<String, Object>> namespaceRows(PgCatalog catalog) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (PgCatalog.Schema s : catalog.schemas()) {
      Map<String, Object> r = new HashMap<>();
      r.put("oid", s.oid());
      r.put("nspname", s.name());
      r.put("nspowner", PgCatalog.OWNER_OID);
      r.put("nspacl", null);
      r.put("description", null);
      out.add(r);
    }
    out.sort((a, b) -> ((String) a.get("nspname")).compareTo((String) b.get("nspname")));
    return out;
  }

  private static Map<String, Object> classRow(PgCatalog.Table t) {
    Map<String, Object> r = new HashMap<>();
    r.put("oid", t.oid());
    r.put("relname", t.name());
    r.put("relnamespace", t.schemaOid());
    r.put("nspname", t.schema());
    r.put("relkind", String.valueOf(t.kind()));
    r.put("relowner", PgCatalog.OWNER_OID);
    r.put("relam", 0L);
    r.put("amname", null);
    r.put("reltablespace", 0L);
    r.put("relchecks", 0);
    r.put("relnatts", t.columns().size());
    r.put("reltuples", -1f);
    r.put("relpages", 0);
    r.put("relhasindex", false);
    r.put("relhasrules", false);
    r.put("relhastriggers", false);
    r.put("relhassubclass", false);
    r.put("relrowsecurity", false);
    r.put("relforcerowsecurity", false);
    r.put("relhasoids", false);
    r.put("relispartition", false);
    r.put("relispopulated", true);
    r.put("relpersistence", "p");
    r.put("relreplident", "d");
    r.put("reloftype", 0L);
    r.put("reltype", 0L);
    r.put("reloptions", null);
    r.put("relacl", null);
    r.put("description", null);
    r.put("system", false);
    return r;
  }

  private static List<Map<String, Object>> classRows(PgCatalog catalog) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (PgCatalog.Table t : catalog.tables()) {
      out.add(classRow(t));
    }
    return out;
  }

  private static List<Map<String, Object>> attributeRows(PgCatalog catalog) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (PgCatalog.Table t : catalog.tables()) {
      for (PgCatalog.Column c : t.columns()) {
        Map<String, Object> r = classRow(t);
        PgTypes.CatalogType type = c.type();
        r.put("attrelid", t.oid());
        r.put("attname", c.name());
        r.put("atttypid", (long) type.type().oid());
        r.put("attnum", c.ordinal());
        r.put("attlen", (int) type.type().size());
        r.put("atttypmod", type.typmod());
        r.put("attnotnull", !c.nullable());
        r.put("atthasdef", false);
        r.put("attisdropped", false);
        r.put("attislocal", true);
        r.put("attidentity", "");
        r.put("attgenerated", "");
        r.put("attstorage", type.type().size() > 0 ? "p" : "x");
        r.put("attcompression", "");
        r.put("attcollation", 0L);
        r.put("attndims", 0);
        r.put("attstattarget", -1);
        r.put("typname", type.type().name());
        r.put("typtype", "b");
        r.put("typtypmod", -1);
        r.put("typbasetype", 0L);
        r.put("typnotnull", false);
        r.put("typlen", (int) type.type().size());
        r.put("format_type", type.display());
        r.put("adsrc", null);
        r.put("description", null);
        out.add(r);
      }
    }
    return out;
  }
}
