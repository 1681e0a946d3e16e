package dev.basin.sql.plan;

import dev.basin.spi.sql.SqlException;
import dev.basin.spi.sql.SqlState;
import dev.basin.sql.plan.SqlLexer.Kind;
import dev.basin.sql.plan.SqlLexer.Token;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Recognises Basin's statements by their leading keywords and parses their clauses; the queries
 * inside them are left as text for DuckDB. One statement per call.
 */
public final class StatementParser {

  /** Catalog names Athena and Basin users put in front of {@code database.table}. */
  static final Set<String> CATALOG_NAMES = Set.of("basin", "awsdatacatalog");

  private final String sql;
  private final List<Token> tokens;
  private int pos;

  private StatementParser(String sql) {
    this.sql = sql;
    List<Token> all = SqlLexer.tokenize(sql);
    while (!all.isEmpty() && all.get(all.size() - 1).isSymbol(";")) {
      all = all.subList(0, all.size() - 1);
    }
    this.tokens = all;
  }

  /**
   * Parses one statement.
   *
   * @throws SqlException {@link SqlState#SYNTAX_ERROR} with a position when the statement is empty,
   *     holds more than one statement, or a Basin statement's clauses do not parse
   */
  public static Statement parse(String sql) {
    return new StatementParser(sql).statement();
  }

  private Statement statement() {
    if (tokens.isEmpty()) {
      throw new SqlException(
          SqlState.SYNTAX_ERROR, "the statement is empty; write a SQL statement");
    }
    for (Token t : tokens) {
      if (t.isSymbol(";")) {
        throw error(
            "only one statement may be run at a time; split the script at ';' and run each", t);
      }
    }
    Token first = peek();
    if (first.isSymbol("(")
        || first.is("select")
        || first.is("with")
        || first.is("values")
        || first.is("from")
        || first.is("table")) {
      return new Statement.Query(rest(0));
    }
    if (first.kind() != Kind.WORD) {
      throw error("a statement starts with a keyword such as SELECT", first);
    }
    String keyword = first.text().toLowerCase(Locale.ROOT);
    return switch (keyword) {
      case "explain" -> explain();
      case "show" -> show();
      case "describe", "desc" -> {
        next();
        accept("table");
        yield new Statement.Describe(name());
      }
      case "use" -> {
        next();
        Statement.Name n = name();
        yield new Statement.Use(n.database() == null ? n.name() : n.name());
      }
      case "create" -> create();
      case "drop" -> drop();
      case "insert" -> insert();
      case "alter" -> alter();
      case "refresh" -> refresh();
      case "copy" -> copy();
      case "begin", "start", "commit", "rollback", "end", "abort" -> transaction(keyword);
      case "set" -> set();
      case "reset" -> {
        next();
        yield new Statement.SetVariable(restText(), null);
      }
      case "delete", "update", "merge", "truncate" ->
          new Statement.Unsupported(
              keyword.toUpperCase(Locale.ROOT)
                  + " is not supported yet: Basin's SQL tables are append-only for now. Rewrite"
                  + " the table with CREATE TABLE … AS SELECT (keeping the rows you want), or use"
                  + " Spark through the Iceberg REST catalog for row-level changes");
      case "pivot", "unpivot" ->
          new Statement.Unsupported(
              "the "
                  + keyword.toUpperCase(Locale.ROOT)
                  + " statement needs a pre-pass Basin does"
                  + " not run; write it inside a query with the values listed, e.g. SELECT *"
                  + " FROM db.t PIVOT (sum(amount) FOR region IN ('eu', 'us'))");
      case "summarize" -> {
        String target = rest(1);
        boolean query =
            tokens.size() > 1
                && (tokens.get(1).is("select")
                    || tokens.get(1).is("from")
                    || tokens.get(1).isSymbol("(")
                    || tokens.get(1).is("with"));
        yield new Statement.Query(
            "SELECT * FROM (SUMMARIZE " + (query ? target : "SELECT * FROM " + target) + ")");
      }
      default ->
          throw error(
              "unknown statement '"
                  + first.text()
                  + "'; Basin runs SELECT, EXPLAIN, SHOW, DESCRIBE, USE, CREATE/DROP"
                  + " DATABASE|TABLE|VIEW|MATERIALIZED VIEW, INSERT INTO, COPY, ALTER TABLE and"
                  + " REFRESH MATERIALIZED VIEW",
              first);
    };
  }

  private Statement explain() {
    next();
    boolean io = false;
    boolean analyze = false;
    if (accept("analyze")) {
      analyze = true;
    } else if (peekSymbol("(")) {
      next();
      while (!peekSymbol(")")) {
        Token option = expectWord();
        if (option.is("type")) {
          Token type = expectWord();
          if (type.is("io")) {
            io = true;
          } else if (!type.is("logical") && !type.is("distributed")) {
            throw error("EXPLAIN (TYPE …) takes LOGICAL, DISTRIBUTED or IO", type);
          }
        } else if (option.is("format")) {
          expectWord();
        } else if (option.is("analyze")) {
          analyze = true;
        } else {
          throw error("unknown EXPLAIN option " + option.text(), option);
        }
        if (!peekSymbol(")")) {
          expectSymbol(",");
        }
      }
      next();
    }
    if (atEnd()) {
      throw new SqlException(SqlState.SYNTAX_ERROR, "EXPLAIN needs a query after it");
    }
    return new Statement.Explain(rest(pos), io, analyze);
  }

  private Statement show() {
    next();
    Token what = expectWord();
    if (what.is("databases") || what.is("schemas")) {
      return new Statement.ShowDatabases(like());
    }
    if (what.is("tables") || what.is("views")) {
      String database = null;
      if (accept("in") || accept("from")) {
        database = name().name();
      }
      return new Statement.ShowTables(database, like());
    }
    if (what.is("columns")) {
      if (!accept("from")) {
        expectKeyword("in");
      }
      return new Statement.Describe(name());
    }
    if (what.is("create")) {
      expectKeyword("table");
      return new Statement.ShowCreateTable(name());
    }
    if (what.is("transaction") || what.is("search_path") || what.isName()) {
      return new Statement.Query("SELECT current_setting(" + quote(restFrom(what)) + ") AS value");
    }
    throw error("SHOW takes DATABASES, TABLES, COLUMNS or CREATE TABLE", what);
  }

  private static String quote(String s) {
    return "'" + s.replace("'", "''") + "'";
  }

  private String restFrom(Token t) {
    return sql.substring(t.start()).strip();
  }

  private String like() {
    if (accept("like")) {
      Token pattern = next();
      if (pattern.kind() != Kind.STRING) {
        throw error("LIKE takes a quoted pattern such as 'sales%'", pattern);
      }
      return pattern.text();
    }
    if (!atEnd() && peek().kind() == Kind.STRING) {
      return next().text();
    }
    expectEnd();
    return null;
  }

  private Statement create() {
    next();
    boolean orReplace = false;
    if (accept("or")) {
      expectKeyword("replace");
      orReplace = true;
    }
    if (accept("database") || accept("schema")) {
      boolean ifNotExists = ifNotExists();
      String name = name().name();
      String comment = null;
      if (accept("comment")) {
        comment = expectString();
      }
      expectEnd();
      return new Statement.CreateDatabase(name, ifNotExists, comment);
    }
    if (accept("materialized")) {
      expectKeyword("view");
      boolean ifNotExists = ifNotExists();
      Statement.Name name = name();
      boolean auto = false;
      Duration every = null;
      while (!peek().is("as")) {
        if (accept("auto")) {
          expectKeyword("refresh");
          Token v = expectWord();
          auto = v.is("yes") || v.is("true");
          if (!auto && !v.is("no") && !v.is("false")) {
            throw error("AUTO REFRESH takes YES or NO", v);
          }
        } else if (accept("refresh")) {
          expectKeyword("every");
          every = duration();
        } else {
          throw error("expected AS, AUTO REFRESH YES|NO or REFRESH EVERY <n> <unit>", peek());
        }
      }
      expectKeyword("as");
      return new Statement.CreateMaterializedView(name, ifNotExists, auto, every, query());
    }
    if (accept("view")) {
      Statement.Name name = name();
      expectKeyword("as");
      return new Statement.CreateView(name, orReplace, query());
    }
    accept("external");
    if (!accept("table")) {
      throw error(
          "CREATE takes DATABASE, TABLE, VIEW or MATERIALIZED VIEW", atEnd() ? null : peek());
    }
    boolean ifNotExists = ifNotExists();
    Statement.Name name = name();
    if (peekSymbol("(")) {
      List<Statement.ColumnDef> columns = columnDefs();
      List<String> partitioning = new ArrayList<>();
      Map<String, Object> properties = new LinkedHashMap<>();
      while (!atEnd()) {
        if (accept("partitioned")) {
          expectKeyword("by");
          partitioning.addAll(parenthesizedTerms());
        } else if (accept("with") || accept("tblproperties")) {
          properties.putAll(properties());
        } else {
          throw error("expected PARTITIONED BY (…) or WITH (…)", peek());
        }
      }
      return new Statement.CreateTable(name, ifNotExists, columns, partitioning, properties);
    }
    Map<String, Object> properties = new LinkedHashMap<>();
    if (accept("with")) {
      properties.putAll(properties());
    }
    if (!accept("as")) {
      throw error(
          "expected AS SELECT … or a column list after the table name", atEnd() ? null : peek());
    }
    String query = query();
    boolean withData = true;
    List<Token> tail = tokens.subList(Math.max(0, tokens.size() - 3), tokens.size());
    if (tail.size() == 3 && tail.get(0).is("with") && tail.get(2).is("data")) {
      withData = !tail.get(1).is("no");
      query = sql.substring(tokens.get(queryStart).start(), tail.get(0).start()).strip();
      if (query.startsWith("(") && query.endsWith(")")) {
        query = query.substring(1, query.length() - 1);
      }
    }
    return new Statement.CreateTableAs(name, ifNotExists, properties, query, withData);
  }

  private int queryStart;

  private String query() {
    if (atEnd()) {
      throw new SqlException(SqlState.SYNTAX_ERROR, "expected a query (SELECT …) at the end");
    }
    queryStart = pos;
    String q = rest(pos);
    pos = tokens.size();
    return q;
  }

  private Duration duration() {
    Token n = next();
    if (n.kind() != Kind.NUMBER) {
      throw error("expected a number such as REFRESH EVERY 5 MINUTES", n);
    }
    long amount = Long.parseLong(n.text());
    Token unit = expectWord();
    String u = unit.text().toLowerCase(Locale.ROOT);
    Duration d =
        switch (u) {
          case "second", "seconds" -> Duration.ofSeconds(amount);
          case "minute", "minutes" -> Duration.ofMinutes(amount);
          case "hour", "hours" -> Duration.ofHours(amount);
          case "day", "days" -> Duration.ofDays(amount);
          default -> throw error("unit must be SECONDS, MINUTES, HOURS or DAYS", unit);
        };
    if (d.isZero() || d.isNegative()) {
      throw error("the refresh period must be positive", n);
    }
    return d;
  }

  private List<Statement.ColumnDef> columnDefs() {
    expectSymbol("(");
    List<Statement.ColumnDef> columns = new ArrayList<>();
    while (true) {
      Token name = next();
      if (!name.isName()) {
        throw error("expected a column name", name);
      }
      int typeStart = pos;
      int depth = 0;
      while (!atEnd()) {
        Token t = peek();
        if (depth == 0 && (t.isSymbol(",") || t.isSymbol(")") || t.is("comment"))) {
          break;
        }
        if (t.isSymbol("(") || t.isSymbol("<")) {
          depth++;
        } else if (t.isSymbol(")") || t.isSymbol(">")) {
          depth--;
        }
        next();
      }
      if (pos == typeStart) {
        throw error("column '" + name.name() + "' needs a type", atEnd() ? name : peek());
      }
      String type = sql.substring(tokens.get(typeStart).start(), tokens.get(pos - 1).end()).strip();
      String comment = null;
      if (accept("comment")) {
        comment = expectString();
      }
      columns.add(new Statement.ColumnDef(name.name(), type, comment));
      if (accept(",")) {
        continue;
      }
      expectSymbol(")");
      return columns;
    }
  }

  private List<String> parenthesizedTerms() {
    expectSymbol("(");
    List<String> terms = new ArrayList<>();
    int start = pos;
    int depth = 0;
    while (true) {
      Token t = next();
      if (t.isSymbol("(")) {
        depth++;
      } else if (t.isSymbol(")") && depth > 0) {
        depth--;
      } else if (depth == 0 && (t.isSymbol(",") || t.isSymbol(")"))) {
        terms.add(termText(start, pos - 1));
        if (t.isSymbol(")")) {
          return terms;
        }
        start = pos;
      }
    }
  }

  private String termText(int from, int toExclusive) {
    if (from >= toExclusive) {
      throw error("empty partition term", tokens.get(Math.min(from, tokens.size() - 1)));
    }
    StringBuilder b = new StringBuilder();
    for (int i = from; i < toExclusive; i++) {
      Token t = tokens.get(i);
      b.append(t.kind() == Kind.WORD ? t.text().toLowerCase(Locale.ROOT) : t.text());
    }
    return b.toString();
  }

  private Map<String, Object> properties() {
    expectSymbol("(");
    Map<String, Object> props = new LinkedHashMap<>();
    if (accept(")")) {
      return props;
    }
    while (true) {
      Token key = next();
      if (!key.isName() && key.kind() != Kind.STRING) {
        throw error("expected a property name", key);
      }
      String k = key.kind() == Kind.WORD ? key.text().toLowerCase(Locale.ROOT) : key.text();
      if (!accept("=")) {
        // COPY-style options may omit '='
      }
      props.put(k, value());
      if (accept(",")) {
        continue;
      }
      expectSymbol(")");
      return props;
    }
  }

  private Object value() {
    Token t = next();
    if (t.kind() == Kind.STRING) {
      return t.text();
    }
    if (t.kind() == Kind.NUMBER) {
      return t.text().contains(".") ? (Object) Double.valueOf(t.text()) : Long.valueOf(t.text());
    }
    if (t.is("array") || t.isSymbol("[") || t.isSymbol("(")) {
      if (t.is("array")) {
        Token open = next();
        if (!open.isSymbol("[")) {
          throw error("expected ARRAY[…]", open);
        }
      }
      String close = t.isSymbol("(") ? ")" : "]";
      List<Object> values = new ArrayList<>();
      if (accept(close)) {
        return values;
      }
      while (true) {
        values.add(value());
        if (accept(",")) {
          continue;
        }
        expectSymbol(close);
        return values;
      }
    }
    if (t.is("true") || t.is("false")) {
      return Boolean.valueOf(t.text().toLowerCase(Locale.ROOT));
    }
    if (t.isName()) {
      return t.text();
    }
    throw error("expected a value: a quoted string, a number, TRUE/FALSE or ARRAY[…]", t);
  }

  private Statement drop() {
    next();
    String what;
    if (accept("materialized")) {
      expectKeyword("view");
      what = "MATERIALIZED VIEW";
    } else if (accept("database") || accept("schema")) {
      boolean ifExists = ifExists();
      String name = name().name();
      boolean cascade = accept("cascade");
      if (!cascade) {
        accept("restrict");
      }
      expectEnd();
      return new Statement.DropDatabase(name, ifExists, cascade);
    } else if (accept("view")) {
      what = "VIEW";
    } else {
      accept("external");
      expectKeyword("table");
      what = "TABLE";
    }
    boolean ifExists = ifExists();
    Statement.Name name = name();
    accept("purge");
    expectEnd();
    return new Statement.Drop(what, name, ifExists);
  }

  private Statement insert() {
    next();
    expectKeyword("into");
    Statement.Name name = name();
    List<String> columns = List.of();
    if (peekSymbol("(") && !isQueryStart(pos + 1)) {
      next();
      List<String> cols = new ArrayList<>();
      while (true) {
        Token c = next();
        if (!c.isName()) {
          throw error("expected a column name", c);
        }
        cols.add(c.name());
        if (accept(",")) {
          continue;
        }
        expectSymbol(")");
        break;
      }
      columns = cols;
    }
    return new Statement.InsertInto(name, columns, query());
  }

  private boolean isQueryStart(int index) {
    if (index >= tokens.size()) {
      return false;
    }
    Token t = tokens.get(index);
    return t.is("select") || t.is("with") || t.is("values") || t.is("from") || t.isSymbol("(");
  }

  private Statement alter() {
    next();
    expectKeyword("table");
    Statement.Name name = name();
    if (accept("add")) {
      accept("column");
      accept("columns");
      boolean paren = peekSymbol("(");
      Token col;
      String type;
      if (paren) {
        List<Statement.ColumnDef> defs = columnDefs();
        if (defs.size() != 1) {
          throw new SqlException(SqlState.FEATURE_NOT_SUPPORTED, "add one column per ALTER TABLE");
        }
        expectEnd();
        return new Statement.AlterTable(name, "ADD", defs.get(0), null);
      }
      col = next();
      if (!col.isName()) {
        throw error("expected a column name", col);
      }
      if (atEnd()) {
        throw new SqlException(SqlState.SYNTAX_ERROR, "ADD COLUMN needs a type");
      }
      type = sql.substring(peek().start()).strip();
      pos = tokens.size();
      return new Statement.AlterTable(
          name, "ADD", new Statement.ColumnDef(col.name(), type, null), null);
    }
    if (accept("rename")) {
      if (accept("to")) {
        Statement.Name to = name();
        expectEnd();
        return new Statement.AlterTable(name, "RENAME TABLE", null, to.toString());
      }
      accept("column");
      Token from = next();
      expectKeyword("to");
      Token to = next();
      if (!from.isName() || !to.isName()) {
        throw error("expected RENAME COLUMN old TO new", from);
      }
      expectEnd();
      return new Statement.AlterTable(
          name, "RENAME COLUMN", new Statement.ColumnDef(from.name(), null, null), to.name());
    }
    if (accept("drop")) {
      accept("column");
      Token col = next();
      expectEnd();
      return new Statement.AlterTable(
          name, "DROP COLUMN", new Statement.ColumnDef(col.name(), null, null), null);
    }
    throw error(
        "ALTER TABLE takes ADD COLUMN, RENAME COLUMN, RENAME TO or DROP COLUMN",
        atEnd() ? null : peek());
  }

  private Statement refresh() {
    next();
    expectKeyword("materialized");
    expectKeyword("view");
    Statement.Name name = name();
    boolean full = accept("full") || accept("complete");
    expectEnd();
    return new Statement.RefreshMaterializedView(name, full);
  }

  private Statement copy() {
    next();
    Statement.Name name = name();
    if (!accept("from")) {
      throw error(
          "COPY loads a table: COPY db.table FROM 's3://bucket/prefix/' (FORMAT csv)",
          atEnd() ? null : peek());
    }
    Token source = next();
    if (source.kind() != Kind.STRING) {
      throw error("COPY … FROM takes a quoted location such as 's3://raw/sales/'", source);
    }
    Map<String, Object> options = new LinkedHashMap<>();
    accept("with");
    if (peekSymbol("(")) {
      options.putAll(properties());
    }
    expectEnd();
    return new Statement.Copy(name, source.text(), options);
  }

  private Statement transaction(String keyword) {
    String tag =
        switch (keyword) {
          case "begin", "start" -> "BEGIN";
          case "commit", "end" -> "COMMIT";
          default -> "ROLLBACK";
        };
    return new Statement.Transaction(tag);
  }

  private Statement set() {
    next();
    accept("session");
    accept("local");
    if (atEnd()) {
      throw new SqlException(SqlState.SYNTAX_ERROR, "SET needs a name and a value");
    }
    Token name = next();
    StringBuilder full = new StringBuilder(name.name());
    while (accept(".")) {
      full.append('.').append(next().name());
    }
    if (!accept("=")) {
      accept("to");
    }
    String value = atEnd() ? "" : sql.substring(peek().start()).strip();
    if (value.length() >= 2 && value.startsWith("'") && value.endsWith("'")) {
      value = value.substring(1, value.length() - 1).replace("''", "'");
    }
    pos = tokens.size();
    return new Statement.SetVariable(full.toString().toLowerCase(Locale.ROOT), value);
  }

  private boolean ifNotExists() {
    if (accept("if")) {
      expectKeyword("not");
      expectKeyword("exists");
      return true;
    }
    return false;
  }

  private boolean ifExists() {
    if (accept("if")) {
      expectKeyword("exists");
      return true;
    }
    return false;
  }

  /** Parses {@code name}, {@code db.name} or {@code catalog.db.name}. */
  private Statement.Name name() {
    if (atEnd()) {
      throw new SqlException(SqlState.SYNTAX_ERROR, "expected a name at the end of the statement");
    }
    List<String> parts = new ArrayList<>();
    Token t = next();
    if (!t.isName()) {
      throw error("expected a name", t);
    }
    parts.add(t.name());
    while (peekSymbol(".")) {
      next();
      Token p = next();
      if (!p.isName()) {
        throw error("expected a name after '.'", p);
      }
      parts.add(p.name());
    }
    if (parts.size() == 3 && CATALOG_NAMES.contains(parts.get(0).toLowerCase(Locale.ROOT))) {
      parts = parts.subList(1, 3);
    }
    if (parts.size() > 2) {
      throw error("names have at most two parts: database.table", t);
    }
    return parts.size() == 1
        ? new Statement.Name(null, parts.get(0))
        : new Statement.Name(parts.get(0), parts.get(1));
  }

  private String rest(int from) {
    if (from >= tokens.size()) {
      return "";
    }
    return sql.substring(tokens.get(from).start(), tokens.get(tokens.size() - 1).end()).strip();
  }

  private String restText() {
    String r = rest(pos);
    pos = tokens.size();
    return r;
  }

  private boolean atEnd() {
    return pos >= tokens.size();
  }

  private Token peek() {
    return tokens.get(pos);
  }

  private boolean peekSymbol(String s) {
    return !atEnd() && peek().isSymbol(s);
  }

  private Token next() {
    if (atEnd()) {
      throw new SqlException(
          SqlState.SYNTAX_ERROR,
          "the statement ends too early at position " + (sql.length() + 1),
          sql.length() + 1,
          null);
    }
    return tokens.get(pos++);
  }

  private boolean accept(String keywordOrSymbol) {
    if (atEnd()) {
      return false;
    }
    Token t = peek();
    if (t.is(keywordOrSymbol) || t.isSymbol(keywordOrSymbol)) {
      pos++;
      return true;
    }
    return false;
  }

  private void expectKeyword(String keyword) {
    Token t = next();
    if (!t.is(keyword)) {
      throw error("expected " + keyword.toUpperCase(Locale.ROOT), t);
    }
  }

  private void expectSymbol(String symbol) {
    Token t = next();
    if (!t.isSymbol(symbol)) {
      throw error("expected '" + symbol + "'", t);
    }
  }

  private Token expectWord() {
    Token t = next();
    if (t.kind() != Kind.WORD) {
      throw error("expected a keyword", t);
    }
    return t;
  }

  private String expectString() {
    Token t = next();
    if (t.kind() != Kind.STRING) {
      throw error("expected a quoted string", t);
    }
    return t.text();
  }

  private void expectEnd() {
    if (!atEnd()) {
      throw error("unexpected '" + peek().text() + "'", peek());
    }
  }

  private SqlException error(String message, Token at) {
    int position = at == null ? sql.length() + 1 : at.start() + 1;
    String near = at == null ? "at the end" : "at or near '" + at.text() + "'";
    return new SqlException(
        SqlState.SYNTAX_ERROR,
        "line " + line(position) + ":" + column(position) + ": " + message + " (" + near + ")",
        position,
        null);
  }

  private int line(int position) {
    int line = 1;
    for (int i = 0; i < Math.min(position - 1, sql.length()); i++) {
      if (sql.charAt(i) == '\n') {
        line++;
      }
    }
    return line;
  }

  private int column(int position) {
    int lastNewline = sql.lastIndexOf('\n', Math.max(0, position - 2));
    return position - (lastNewline + 1);
  }
}
