package dev.basin.server.api;

import static dev.basin.server.api.ApiResponses.guarded;
import static dev.basin.server.api.ApiResponses.json;
import static dev.basin.server.api.ApiResponses.jsonBody;
import static dev.basin.server.api.ApiResponses.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.basin.common.error.BasinException;
import dev.basin.common.json.Json;
import dev.basin.server.api.ApiResponses.BadRequest;
import dev.basin.server.auth.Role;
import dev.basin.server.http.Authenticator;
import dev.basin.spi.sql.SqlException;
import dev.basin.spi.sql.SqlState;
import dev.basin.spi.sql.StatementKind;
import dev.basin.spi.sql.TableScan;
import dev.basin.spi.storage.ObjectContent;
import dev.basin.sql.service.DryRun;
import dev.basin.sql.service.NamedQuery;
import dev.basin.sql.service.Page;
import dev.basin.sql.service.QueryError;
import dev.basin.sql.service.QueryErrorCode;
import dev.basin.sql.service.QueryExecution;
import dev.basin.sql.service.QueryRequest;
import dev.basin.sql.service.QueryService;
import dev.basin.sql.service.QueryState;
import dev.basin.sql.service.ResultColumn;
import dev.basin.sql.service.ResultPage;
import dev.basin.sql.service.WorkGroup;
import io.javalin.http.Context;
import io.javalin.router.JavalinDefaultRoutingApi;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Basin's native REST API for SQL queries, used by {@code basin sql}. The bearer token is checked
 * by the {@code /api/v1/*} filter; its access key id is the user recorded in the history. Routes:
 *
 * <ul>
 *   <li>{@code POST /api/v1/queries} with {@code {"sql", "database"?, "workgroup"?, "parameters"?:
 *       [values], "wait"?: true, "waitSeconds"?: 30, "timeoutSeconds"?, "clientRequestToken"?,
 *       "outputLocation"?, "reuseResults"?, "includeResults"?, "maxResults"?}} → 202 and the
 *       execution, or 200 once it has ended when {@code wait} is true and it ended within {@code
 *       waitSeconds} (≤ 300); with {@code includeResults} a query that SUCCEEDED also carries its
 *       first page under {@code "results"} (as {@code GET …/results} would answer). Parameters are
 *       JSON strings, numbers, booleans or null, bound to the statement's {@code ?} in order.
 *   <li>{@code GET /api/v1/queries?workgroup=&state=&limit=&nextToken=} → {@code {"queries": […],
 *       "nextToken"?}}, newest first;
 *   <li>{@code GET /api/v1/queries/{id}?waitSeconds=N} → the execution, after waiting up to N (≤
 *       60) seconds for it to end;
 *   <li>{@code GET /api/v1/queries/{id}/results?nextToken=&maxResults=} (≤ 1000) → {@code
 *       {"columns": [{"name", "type", "precision", "scale", "nullable"}], "rows": [[…]],
 *       "nextToken"?, "updateCount"?}}, values as JSON numbers, booleans, strings or null;
 *   <li>{@code GET /api/v1/queries/{id}/results.csv} → the result file (Athena's CSV);
 *   <li>{@code DELETE /api/v1/queries/{id}} → cancels it; the execution;
 *   <li>{@code POST /api/v1/queries/dry-run} with {@code {"sql", "database"?, "workgroup"?}} →
 *       {@code {"statementType", "columns", "tables": [{"table", "version", "filesPlanned",
 *       "filesTotal", "bytesPlanned", "bytesTotal"}], "filesPlanned", "bytesPlanned",
 *       "bytesScannedCutoffPerQuery"?, "exceedsCutoff"}};
 *   <li>{@code GET|POST /api/v1/named-queries} ({@code ?workgroup=}), {@code GET|PUT|DELETE
 *       /api/v1/named-queries/{id}};
 *   <li>{@code GET|POST /api/v1/workgroups}, {@code GET|PUT|DELETE /api/v1/workgroups/{name}}
 *       ({@code ?recursive=true} deletes its named queries and history too).
 * </ul>
 *
 * <p>Admins (the key pair, admin users, everyone when authentication is off) may run any statement
 * and see every execution. Other roles allowed here (authors) may only run statements the engine
 * plans as {@link StatementKind#QUERY} (SELECT, SHOW, DESCRIBE, EXPLAIN): the statement is planned
 * on the server before it is submitted, and anything else is refused with 403 FORBIDDEN; a
 * statement that does not plan is answered like a dry run (400 SYNTAX_ERROR, UNDEFINED_TABLE …). A
 * query that reads anything but catalog tables, views and its own CTEs (files by path, table
 * functions such as {@code read_text} or {@code glob}, {@code current_setting}) is 403 FORBIDDEN
 * too. They list, wait for, read the results of and cancel only their own executions; another
 * user's execution is 404 QUERY_NOT_FOUND to them.
 *
 * <p>Errors are {@code {"error": {"code", "message"}}}: 400 INVALID_REQUEST (and SYNTAX_ERROR,
 * UNDEFINED_TABLE … for a dry run), 403 FORBIDDEN, 404 QUERY_NOT_FOUND / WORKGROUP_NOT_FOUND /
 * NAMED_QUERY_NOT_FOUND, 409 WORKGROUP_EXISTS / WORKGROUP_IN_USE, 429 TOO_MANY_QUERIES.
 */
public final class QueriesRestApi {
  private static final String QUERIES = "/api/v1/queries";
  private static final String NAMED = "/api/v1/named-queries";
  private static final String WORKGROUPS = "/api/v1/workgroups";
  private static final int MAX_POST_WAIT_SECONDS = 300;
  private static final int MAX_GET_WAIT_SECONDS = 60;
  // How many history pages a non-admin's listing reads to find one with their own executions.
  private static final int MAX_PAGES_PER_LIST = 20;

  /** The message of a non-admin's refused statement. */
  static final String READ_ONLY_MESSAGE =
      "authors may run SELECT queries only; ask an admin to run DDL or writes";

  /** The message of a non-admin's statement that reads files rather than catalog tables. */
  static String fileAccessMessage(List<String> fileAccess) {
    return "authors may query catalog tables only, not files: "
        + String.join(", ", fileAccess)
        + "; ask an admin";
  }

  private final QueryService queries;
  private final long maxBodyBytes;
  private final Clock clock;

  public QueriesRestApi(QueryService queries, long maxBodyBytes, Clock clock) {
    this.queries = queries;
    this.maxBodyBytes = maxBodyBytes;
    this.clock = clock;
  }

  /** Registers the routes (authentication is the {@code /api/v1/*} filter's). */
  public void register(JavalinDefaultRoutingApi routes) {
    routes.post(QUERIES, guarded(this::submit));
    routes.get(QUERIES, guarded(this::list));
    routes.post(QUERIES + "/dry-run", guarded(this::dryRun));
    routes.get(QUERIES + "/{id}", guarded(this::get));
    routes.delete(QUERIES + "/{id}", guarded(this::cancel));
    routes.get(QUERIES + "/{id}/results", guarded(this::results));
    routes.get(QUERIES + "/{id}/results.csv", guarded(this::resultsCsv));
    routes.get(NAMED, guarded(this::listNamed));
    routes.post(NAMED, guarded(this::createNamed));
    routes.get(NAMED + "/{id}", guarded(ctx -> json(ctx, 200, named(queries.namedQuery(id(ctx))))));
    routes.put(NAMED + "/{id}", guarded(this::updateNamed));
    routes.delete(NAMED + "/{id}", guarded(this::deleteNamed));
    routes.get(WORKGROUPS, guarded(this::listWorkGroups));
    routes.post(WORKGROUPS, guarded(this::createWorkGroup));
    routes.get(
        WORKGROUPS + "/{name}",
        guarded(ctx -> json(ctx, 200, workGroup(queries.workGroup(ctx.pathParam("name"))))));
    routes.put(WORKGROUPS + "/{name}", guarded(this::updateWorkGroup));
    routes.delete(WORKGROUPS + "/{name}", guarded(this::deleteWorkGroup));
  }

  // ------------------------------------------------------------------ executions

  private void submit(Context ctx) {
    JsonNode body = jsonBody(ctx, maxBodyBytes);
    String sql = text(body, "sql", true);
    List<String> parameters = new ArrayList<>();
    JsonNode params = body.get("parameters");
    if (params != null && !params.isNull()) {
      if (!params.isArray()) {
        throw new BadRequest("parameters must be an array of values");
      }
      int i = 1;
      for (JsonNode p : params) {
        parameters.add(literal(p, i++));
      }
    }
    Duration timeout = null;
    JsonNode t = body.get("timeoutSeconds");
    if (t != null && !t.isNull()) {
      if (!t.canConvertToLong() || t.asLong() < 1) {
        throw new BadRequest("timeoutSeconds must be a positive number of seconds");
      }
      timeout = Duration.ofSeconds(t.asLong());
    }
    Boolean reuse = null;
    JsonNode r = body.get("reuseResults");
    if (r != null && !r.isNull()) {
      if (!r.isBoolean()) {
        throw new BadRequest("reuseResults must be true or false");
      }
      reuse = r.booleanValue();
    }
    if (!isAdmin(ctx)) {
      // Planned here, on the server, from the parsed statement: the kind is a property of the
      // statement's text, so the execution that follows runs a statement of the same kind.
      if (!fileAccessAllowed(ctx, sql, text(body, "database", false))) {
        return;
      }
      DryRun plan;
      try {
        plan =
            queries.dryRun(
                sql, text(body, "database", false), text(body, "workgroup", false), user(ctx));
      } catch (SqlException e) {
        int status = e.state() == SqlState.INTERNAL_ERROR ? 500 : 400;
        ApiResponses.error(ctx, status, e.state().name(), e.getMessage());
        return;
      }
      if (plan.kind() != StatementKind.QUERY || !plan.fileAccess().isEmpty()) {
        ApiResponses.error(
            ctx,
            403,
            "FORBIDDEN",
            plan.kind() != StatementKind.QUERY
                ? READ_ONLY_MESSAGE
                : fileAccessMessage(plan.fileAccess()));
        return;
      }
    }
    QueryRequest request =
        new QueryRequest(
            sql,
            text(body, "database", false),
            text(body, "workgroup", false),
            user(ctx),
            parameters,
            text(body, "clientRequestToken", false),
            text(body, "outputLocation", false),
            reuse,
            timeout);
    boolean wait = body.path("wait").asBoolean(false);
    QueryExecution e;
    if (wait) {
      int seconds = seconds(body.get("waitSeconds"), 30, MAX_POST_WAIT_SECONDS, "waitSeconds");
      e = queries.submitAndWait(request, Duration.ofSeconds(seconds));
    } else {
      e = queries.submit(request);
    }
    if (!isAdmin(ctx) && !e.user().equals(user(ctx))) {
      // The client request token names another user's execution: do not hand it over.
      throw new BasinException(
          QueryErrorCode.IDEMPOTENCY_MISMATCH,
          "clientRequestToken is already used by another execution; send a new token");
    }
    ObjectNode out = execution(e);
    // One round trip for dashboards and scripts: a finished query can carry its first page.
    if (wait && body.path("includeResults").asBoolean(false) && e.state() == QueryState.SUCCEEDED) {
      int max =
          body.path("maxResults").canConvertToInt()
              ? Math.max(1, Math.min(body.path("maxResults").asInt(), QueryService.MAX_PAGE_ROWS))
              : QueryService.MAX_PAGE_ROWS;
      out.set("results", page(queries.results(e.id(), null, max)));
    }
    json(ctx, e.state().isFinal() ? 200 : 202, out);
  }

  private void list(Context ctx) {
    QueryState state = null;
    String s = ctx.queryParam("state");
    if (s != null && !s.isEmpty()) {
      try {
        state = QueryState.valueOf(s.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new BadRequest(
            "state must be QUEUED, RUNNING, SUCCEEDED, FAILED or CANCELLED, got '" + s + "'");
      }
    }
    String workgroup = emptyToNull(ctx.queryParam("workgroup"));
    int limit = intParam(ctx, "limit", 50, 1000);
    Page<QueryExecution> page =
        queries.list(workgroup, state, limit, emptyToNull(ctx.queryParam("nextToken")));
    List<QueryExecution> visible = page.items();
    if (!isAdmin(ctx)) {
      // Only the caller's own executions; a page may hold fewer than limit, and its token
      // continues after the last execution read, so paging still visits everything once.
      String me = user(ctx);
      visible = page.items().stream().filter(e -> e.user().equals(me)).toList();
      for (int pages = 1;
          visible.isEmpty() && page.nextToken() != null && pages < MAX_PAGES_PER_LIST;
          pages++) {
        page = queries.list(workgroup, state, limit, page.nextToken());
        visible = page.items().stream().filter(e -> e.user().equals(me)).toList();
      }
    }
    ObjectNode out = Json.mapper().createObjectNode();
    ArrayNode items = out.putArray("queries");
    for (QueryExecution e : visible) {
      items.add(execution(e));
    }
    if (page.nextToken() != null) {
      out.put("nextToken", page.nextToken());
    }
    json(ctx, 200, out);
  }

  private void get(Context ctx) {
    checkOwner(ctx, id(ctx));
    String wait = ctx.queryParam("waitSeconds");
    QueryExecution e;
    if (wait != null && !wait.isEmpty()) {
      int seconds = intParam(ctx, "waitSeconds", 0, MAX_GET_WAIT_SECONDS);
      e = queries.await(id(ctx), Duration.ofSeconds(seconds));
    } else {
      e = queries.get(id(ctx));
    }
    json(ctx, 200, execution(e));
  }

  private void cancel(Context ctx) {
    checkOwner(ctx, id(ctx));
    json(ctx, 200, execution(queries.cancel(id(ctx))));
  }

  private void results(Context ctx) {
    checkOwner(ctx, id(ctx));
    ResultPage page =
        queries.results(
            id(ctx),
            emptyToNull(ctx.queryParam("nextToken")),
            intParam(ctx, "maxResults", QueryService.MAX_PAGE_ROWS, QueryService.MAX_PAGE_ROWS));
    json(ctx, 200, page(page));
  }

  private ObjectNode page(ResultPage page) {
    ObjectNode out = Json.mapper().createObjectNode();
    out.set("columns", columns(page.columns()));
    ArrayNode rows = out.putArray("rows");
    for (List<String> row : page.rows()) {
      ArrayNode r = rows.addArray();
      for (int i = 0; i < row.size(); i++) {
        addValue(r, page.columns().get(i).type(), row.get(i));
      }
    }
    if (page.nextToken() != null) {
      out.put("nextToken", page.nextToken());
    }
    if (page.updateCount() >= 0) {
      out.put("updateCount", page.updateCount());
    }
    return out;
  }

  private void resultsCsv(Context ctx) throws IOException {
    String id = id(ctx);
    checkOwner(ctx, id);
    try (ObjectContent content = queries.openResults(id);
        InputStream in = content.stream()) {
      ctx.status(200)
          .contentType("text/csv; charset=utf-8")
          .header("Content-Disposition", "attachment; filename=\"" + id + ".csv\"")
          .header("Content-Length", Long.toString(content.length()));
      OutputStream out = ctx.outputStream();
      in.transferTo(out);
      out.flush();
    }
  }

  private void dryRun(Context ctx) {
    JsonNode body = jsonBody(ctx, maxBodyBytes);
    if (!isAdmin(ctx)
        && !fileAccessAllowed(ctx, text(body, "sql", true), text(body, "database", false))) {
      return;
    }
    DryRun d;
    try {
      d =
          queries.dryRun(
              text(body, "sql", true),
              text(body, "database", false),
              text(body, "workgroup", false),
              user(ctx));
    } catch (SqlException e) {
      int status = e.state() == SqlState.INTERNAL_ERROR ? 500 : 400;
      ApiResponses.error(ctx, status, e.state().name(), e.getMessage());
      return;
    }
    ObjectNode out = Json.mapper().createObjectNode();
    out.put("kind", d.kind().name());
    out.put("statementType", d.statementType());
    out.set("columns", columns(d.columns()));
    ArrayNode tables = out.putArray("tables");
    for (TableScan s : d.tables()) {
      tables
          .addObject()
          .put("table", s.table())
          .put("version", s.version())
          .put("filesPlanned", s.filesPlanned())
          .put("filesTotal", s.filesTotal())
          .put("bytesPlanned", s.bytesPlanned())
          .put("bytesTotal", s.bytesTotal());
    }
    out.put("filesPlanned", d.filesPlanned());
    out.put("bytesPlanned", d.bytesPlanned());
    if (d.bytesScannedCutoffPerQuery() != null) {
      out.put("bytesScannedCutoffPerQuery", d.bytesScannedCutoffPerQuery());
    }
    out.put("exceedsCutoff", d.exceedsCutoff());
    json(ctx, 200, out);
  }

  // ------------------------------------------------------------------ named queries

  private void listNamed(Context ctx) {
    Page<NamedQuery> page =
        queries.listNamedQueries(
            emptyToNull(ctx.queryParam("workgroup")),
            intParam(ctx, "limit", 50, 1000),
            emptyToNull(ctx.queryParam("nextToken")));
    ObjectNode out = Json.mapper().createObjectNode();
    ArrayNode items = out.putArray("namedQueries");
    for (NamedQuery q : page.items()) {
      items.add(named(q));
    }
    if (page.nextToken() != null) {
      out.put("nextToken", page.nextToken());
    }
    json(ctx, 200, out);
  }

  private void createNamed(Context ctx) {
    JsonNode body = jsonBody(ctx, maxBodyBytes);
    NamedQuery q =
        queries.createNamedQuery(
            new NamedQuery.Input(
                text(body, "name", true),
                text(body, "description", false),
                text(body, "database", true),
                text(body, "sql", true),
                text(body, "workgroup", false),
                text(body, "clientRequestToken", false)));
    json(ctx, 201, named(q));
  }

  private void updateNamed(Context ctx) {
    JsonNode body = jsonBody(ctx, maxBodyBytes);
    NamedQuery q = queries.namedQuery(id(ctx));
    NamedQuery updated =
        queries.updateNamedQuery(
            q.id(),
            body.has("name") ? text(body, "name", true) : q.name(),
            body.has("description") ? text(body, "description", false) : q.description(),
            body.has("sql") ? text(body, "sql", true) : q.queryString());
    json(ctx, 200, named(updated));
  }

  private void deleteNamed(Context ctx) {
    queries.deleteNamedQuery(id(ctx));
    ctx.status(204);
  }

  // ------------------------------------------------------------------ workgroups

  private void listWorkGroups(Context ctx) {
    Page<WorkGroup> page =
        queries.listWorkGroups(
            intParam(ctx, "limit", 50, 1000), emptyToNull(ctx.queryParam("nextToken")));
    ObjectNode out = Json.mapper().createObjectNode();
    ArrayNode items = out.putArray("workgroups");
    for (WorkGroup w : page.items()) {
      items.add(workGroup(w));
    }
    if (page.nextToken() != null) {
      out.put("nextToken", page.nextToken());
    }
    json(ctx, 200, out);
  }

  private void createWorkGroup(Context ctx) {
    JsonNode body = jsonBody(ctx, maxBodyBytes);
    WorkGroup spec =
        new WorkGroup(
            text(body, "name", true),
            text(body, "description", false),
            !"DISABLED".equalsIgnoreCase(body.path("state").asText("ENABLED")),
            text(body, "outputLocation", false),
            longValue(body, "bytesScannedCutoffPerQuery"),
            body.path("enforceConfiguration").asBoolean(false),
            null);
    json(ctx, 201, workGroup(queries.createWorkGroup(spec)));
  }

  private void updateWorkGroup(Context ctx) {
    JsonNode body = jsonBody(ctx, maxBodyBytes);
    Boolean enabled = null;
    if (body.hasNonNull("state")) {
      String s = body.get("state").asText();
      if (!s.equalsIgnoreCase("ENABLED") && !s.equalsIgnoreCase("DISABLED")) {
        throw new BadRequest("state must be ENABLED or DISABLED, got '" + s + "'");
      }
      enabled = s.equalsIgnoreCase("ENABLED");
    }
    boolean removeOutput = body.has("outputLocation") && body.get("outputLocation").isNull();
    boolean removeCutoff =
        body.has("bytesScannedCutoffPerQuery") && body.get("bytesScannedCutoffPerQuery").isNull();
    WorkGroup w =
        queries.updateWorkGroup(
            ctx.pathParam("name"),
            new WorkGroup.Update(
                text(body, "description", false),
                enabled,
                text(body, "outputLocation", false),
                removeOutput,
                longValue(body, "bytesScannedCutoffPerQuery"),
                removeCutoff,
                body.hasNonNull("enforceConfiguration")
                    ? body.get("enforceConfiguration").asBoolean()
                    : null));
    json(ctx, 200, workGroup(w));
  }

  private void deleteWorkGroup(Context ctx) {
    queries.deleteWorkGroup(
        ctx.pathParam("name"), "true".equalsIgnoreCase(ctx.queryParam("recursive")));
    ctx.status(204);
  }

  // ------------------------------------------------------------------ JSON shapes

  private ObjectNode execution(QueryExecution e) {
    Instant now = clock.instant();
    ObjectNode o = Json.mapper().createObjectNode();
    o.put("id", e.id());
    o.put("state", e.state().name());
    if (e.stateChangeReason() != null) {
      o.put("stateChangeReason", e.stateChangeReason());
    }
    QueryError err = e.error();
    if (err != null) {
      o.putObject("error")
          .put("category", err.category())
          .put("type", err.type())
          .put("sqlState", err.sqlState())
          .put("message", err.message())
          .put("retryable", err.retryable());
    }
    o.put("query", e.query());
    o.put("statementType", e.statementType());
    o.put("workgroup", e.workgroup());
    if (e.database() != null) {
      o.put("database", e.database());
    }
    o.put("user", e.user());
    ArrayNode params = o.putArray("parameters");
    e.parameters().forEach(params::add);
    o.put("submittedAt", e.submittedAt().toString());
    if (e.startedAt() != null) {
      o.put("startedAt", e.startedAt().toString());
    }
    if (e.completedAt() != null) {
      o.put("completedAt", e.completedAt().toString());
    }
    o.putObject("statistics")
        .put("queueMillis", e.queueMillis(now))
        .put("planningMillis", e.planningMillis())
        .put("engineMillis", e.engineMillis())
        .put("totalMillis", e.totalMillis(now))
        .put("bytesScanned", e.bytesScanned())
        .put("rows", e.rows())
        .put("updateCount", e.updateCount());
    if (e.outputLocation() != null) {
      o.put("outputLocation", e.outputLocation());
    }
    o.put("reusedPreviousResult", e.reusedPreviousResult());
    if (e.reusedFrom() != null) {
      o.put("reusedFrom", e.reusedFrom());
    }
    return o;
  }

  private static ArrayNode columns(List<ResultColumn> columns) {
    ArrayNode a = Json.mapper().createArrayNode();
    for (ResultColumn c : columns) {
      a.addObject()
          .put("name", c.name())
          .put("type", c.displayType())
          .put("precision", c.precision())
          .put("scale", c.scale())
          .put("nullable", c.nullable());
    }
    return a;
  }

  /** Adds a result value as the JSON type its column suggests; text when it does not parse. */
  static void addValue(ArrayNode row, String type, String v) {
    if (v == null) {
      row.addNull();
      return;
    }
    try {
      switch (type) {
        case "tinyint":
        case "smallint":
        case "integer":
        case "bigint":
          row.add(Long.parseLong(v));
          return;
        case "decimal":
        case "double":
        case "float":
          row.add(new BigDecimal(v));
          return;
        case "boolean":
          if (v.equals("true") || v.equals("false")) {
            row.add(Boolean.parseBoolean(v));
            return;
          }
          break;
        default:
          break;
      }
    } catch (NumberFormatException e) {
      // NaN, Infinity or a huge integer: keep the text
    }
    row.add(v);
  }

  private static ObjectNode named(NamedQuery q) {
    ObjectNode o = Json.mapper().createObjectNode();
    o.put("id", q.id());
    o.put("name", q.name());
    if (q.description() != null) {
      o.put("description", q.description());
    }
    o.put("database", q.database());
    o.put("sql", q.queryString());
    o.put("workgroup", q.workgroup());
    o.put("createdAt", q.createdAt().toString());
    return o;
  }

  private static ObjectNode workGroup(WorkGroup w) {
    ObjectNode o = Json.mapper().createObjectNode();
    o.put("name", w.name());
    o.put("state", w.enabled() ? "ENABLED" : "DISABLED");
    if (w.description() != null) {
      o.put("description", w.description());
    }
    if (w.outputLocation() != null) {
      o.put("outputLocation", w.outputLocation());
    }
    if (w.bytesScannedCutoffPerQuery() != null) {
      o.put("bytesScannedCutoffPerQuery", w.bytesScannedCutoffPerQuery());
    }
    o.put("enforceConfiguration", w.enforceConfiguration());
    o.put("createdAt", w.createdAt().toString());
    return o;
  }

  // ------------------------------------------------------------------ request helpers

  /**
   * The access key id of the bearer token or console session (the user recorded in the history).
   */
  private static String user(Context ctx) {
    // Set by the /api/v1/* filter from the verified bearer token or console session.
    String user = ctx.attribute(dev.basin.server.http.Authenticator.USER_ATTRIBUTE);
    return user != null ? user : "anonymous";
  }

  /**
   * Whether a non-admin's statement reads catalog tables, views and its CTEs only. Files, file
   * table functions and settings would bypass row-level security and the per-user ownership of
   * results (other users' result files are in the lake too). Checked before the statement is
   * planned in the engine, which would open the files it names. Answers 403 FORBIDDEN, or 400 like
   * a dry run when the statement does not parse.
   */
  private boolean fileAccessAllowed(Context ctx, String sql, String database) {
    List<String> access;
    try {
      access = queries.fileAccess(sql, database, user(ctx));
    } catch (SqlException e) {
      int status = e.state() == SqlState.INTERNAL_ERROR ? 500 : 400;
      ApiResponses.error(ctx, status, e.state().name(), e.getMessage());
      return false;
    }
    if (access.isEmpty()) {
      return true;
    }
    ApiResponses.error(ctx, 403, "FORBIDDEN", fileAccessMessage(access));
    return false;
  }

  /**
   * Whether the request may run any statement and see every execution: the key pair, admin users,
   * and everyone when authentication is off. A request without a role (no authenticator ran) is not
   * an admin.
   */
  private static boolean isAdmin(Context ctx) {
    return ctx.attribute(Authenticator.ROLE_ATTRIBUTE) == Role.ADMIN;
  }

  /**
   * Lets a non-admin reach only their own executions.
   *
   * @throws BasinException {@link QueryErrorCode#QUERY_NOT_FOUND} for an execution that does not
   *     exist or, to a non-admin, is another user's (the same answer, so ids cannot be probed)
   */
  private void checkOwner(Context ctx, String id) {
    QueryExecution e = queries.get(id);
    if (!isAdmin(ctx) && !e.user().equals(user(ctx))) {
      throw new BasinException(
          QueryErrorCode.QUERY_NOT_FOUND,
          "QueryExecution " + id + " was not found; list executions to find its id");
    }
  }

  /** A JSON parameter value written as the SQL literal the service binds. */
  private static String literal(JsonNode p, int index) {
    if (p.isNull()) {
      return "NULL";
    }
    if (p.isTextual()) {
      return "'" + p.asText().replace("'", "''") + "'";
    }
    if (p.isNumber()) {
      return p.numberValue() instanceof BigDecimal d ? d.toPlainString() : p.asText();
    }
    if (p.isBoolean()) {
      return p.asText();
    }
    throw new BadRequest(
        "parameter "
            + index
            + " must be a string, number, boolean or null, got "
            + p.getNodeType());
  }

  private static Long longValue(JsonNode in, String field) {
    JsonNode v = in.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isIntegralNumber() || !v.canConvertToLong()) {
      throw new BadRequest("\"" + field + "\" must be a whole number");
    }
    return v.asLong();
  }

  private static int seconds(JsonNode v, int dflt, int max, String name) {
    if (v == null || v.isNull()) {
      return dflt;
    }
    if (!v.canConvertToInt() || v.asInt() < 0 || v.asInt() > max) {
      throw new BadRequest(name + " must be 0.." + max);
    }
    return v.asInt();
  }

  private static int intParam(Context ctx, String name, int dflt, int max) {
    String s = ctx.queryParam(name);
    if (s == null || s.isEmpty()) {
      return dflt;
    }
    try {
      int n = Integer.parseInt(s);
      if (n < 0 || n > max) {
        throw new BadRequest(name + " must be 0.." + max + ", got " + s);
      }
      return n;
    } catch (NumberFormatException e) {
      throw new BadRequest(name + " must be a number, got '" + s + "'");
    }
  }

  private static String id(Context ctx) {
    return ctx.pathParam("id");
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }
}
