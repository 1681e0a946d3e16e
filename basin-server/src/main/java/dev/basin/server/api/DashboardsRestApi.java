package dev.basin.server.api;

import static dev.basin.server.api.ApiResponses.guarded;
import static dev.basin.server.api.ApiResponses.json;
import static dev.basin.server.api.ApiResponses.jsonBody;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.basin.common.error.BasinException;
import dev.basin.common.error.ErrorKind;
import dev.basin.common.json.Json;
import dev.basin.dashboards.Dashboard;
import dev.basin.dashboards.DashboardService;
import dev.basin.dashboards.Dataset;
import dev.basin.dashboards.VisualData;
import dev.basin.server.api.ApiResponses.BadRequest;
import dev.basin.server.auth.Role;
import dev.basin.server.http.Authenticator;
import io.javalin.http.Context;
import io.javalin.router.JavalinDefaultRoutingApi;
import java.util.List;
import java.util.Objects;

/**
 * Basin's REST API for datasets, dashboards and visual data (the web console's back end). Routes:
 *
 * <ul>
 *   <li>{@code GET /api/v1/datasets} → {@code {"datasets": [dataset]}}; {@code POST} with a dataset
 *       definition → 201 and the dataset with its described {@code columns};
 *   <li>{@code GET|PUT|DELETE /api/v1/datasets/{name}}; {@code POST …/{name}/refresh} queues a
 *       rebuild of the dataset's extract → 202 and its state {@code {"status", "rows", …}};
 *   <li>{@code GET /api/v1/dashboards} → {@code {"dashboards": [{id, name, version, savedAt,
 *       savedBy}]}}; {@code POST} with a dashboard document → 201 and version 1 (409
 *       DASHBOARD_EXISTS when the id is taken: PUT saves new versions);
 *   <li>{@code GET|DELETE /api/v1/dashboards/{id}}; {@code PUT} saves a new version ({@code
 *       ?expectedVersion=N} rejects the save with 409 if someone saved since);
 *   <li>{@code GET /api/v1/dashboards/{id}/versions} → {@code {"versions": […]}} newest first;
 *       {@code GET …/versions/{n}} → that version;
 *   <li>{@code GET /api/v1/dashboards/{id}/export} → {@code {"format", "dashboard", "datasets"}};
 *       {@code POST /api/v1/dashboards/import} with that body → 201 and the saved dashboard;
 *   <li>{@code POST /api/v1/dashboards/{id}/visuals/{visualId}/data} with {@code {"filters"?,
 *       "parameters"?, "drill"?}} → the visual's data ({@link VisualData#toJson()});
 *   <li>{@code GET …/visuals/{visualId}/data.csv?state=<the same JSON, URL-encoded>} → CSV;
 *   <li>{@code POST /api/v1/visuals/preview} with {@code {"visual": spec, "filters"?,
 *       "parameters"?, "drill"?}} → the data of an unsaved visual;
 *   <li>{@code POST …/visuals/{visualId}/insights} with {@code {"filters"?, "parameters"?,
 *       "horizon"?: periods (default 6)}} and {@code POST /api/v1/visuals/insights} with {@code
 *       {"visual", …}} → anomalies, forecast band and narrative ({@code Insights#toJson()}).
 * </ul>
 *
 * Queries run as the signed-in user (the bearer token's access key id or the console session's), so
 * row-level security applies. Only admins may set, change or remove a dataset's {@code
 * rowLevelSecurity} (on create, update or import): authors can query the tables in SQL, so the
 * rules restrict readers, and an author's attempt is 403 FORBIDDEN. Nor may authors save a dataset
 * whose query or calculated fields read anything but catalog tables, views and CTEs (files, table
 * functions such as {@code read_csv} or {@code glob}): 403 FORBIDDEN. Errors are {@code {"error":
 * {"code", "message"}}}: 400 INVALID_DATASET / INVALID_VISUAL / INVALID_DASHBOARD (the message
 * names the path) / INVALID_REQUEST / QUERY_FAILED, 404 DATASET_NOT_FOUND / DASHBOARD_NOT_FOUND /
 * VISUAL_NOT_FOUND, 409 DATASET_EXISTS / DATASET_IN_USE / DASHBOARD_EXISTS / VERSION_CONFLICT.
 */
public final class DashboardsRestApi {
  private static final String DATASETS = "/api/v1/datasets";
  private static final String DASHBOARDS = "/api/v1/dashboards";

  private final DashboardService service;
  private final long maxBodyBytes;

  public DashboardsRestApi(DashboardService service, long maxBodyBytes) {
    this.service = service;
    this.maxBodyBytes = maxBodyBytes;
  }

  /** Registers the routes (authentication is the {@code /api/v1/*} filter's). */
  public void register(JavalinDefaultRoutingApi routes) {
    routes.get(
        DATASETS,
        guarded(
            ctx -> {
              ObjectNode out = Json.mapper().createObjectNode();
              ArrayNode arr = out.putArray("datasets");
              for (Dataset d : service.datasets()) {
                arr.add(d.toJson());
              }
              json(ctx, 200, out);
            }));
    routes.post(
        DATASETS,
        guarded(
            ctx -> {
              JsonNode body = jsonBody(ctx, maxBodyBytes);
              if (!rlsChangeAllowed(ctx, body, null) || !fileAccessAllowed(ctx, body, null)) {
                return;
              }
              json(ctx, 201, service.createDataset(body, user(ctx)).toJson());
            }));
    routes.get(
        DATASETS + "/{name}",
        guarded(ctx -> json(ctx, 200, service.dataset(ctx.pathParam("name")).toJson())));
    routes.put(
        DATASETS + "/{name}",
        guarded(
            ctx -> {
              JsonNode body = jsonBody(ctx, maxBodyBytes);
              String name = ctx.pathParam("name");
              if (!rlsChangeAllowed(ctx, body, name) || !fileAccessAllowed(ctx, body, name)) {
                return;
              }
              json(
                  ctx, 200, service.updateDataset(ctx.pathParam("name"), body, user(ctx)).toJson());
            }));
    routes.delete(
        DATASETS + "/{name}",
        guarded(
            ctx -> {
              service.deleteDataset(ctx.pathParam("name"));
              ctx.status(204);
            }));
    routes.post(
        DATASETS + "/{name}/refresh",
        guarded(ctx -> json(ctx, 202, service.refreshExtract(ctx.pathParam("name")).toJson())));

    routes.get(DASHBOARDS, guarded(this::listDashboards));
    routes.post(
        DASHBOARDS,
        guarded(
            ctx ->
                json(
                    ctx,
                    201,
                    service.createDashboard(jsonBody(ctx, maxBodyBytes), user(ctx)).toJson())));
    routes.post(
        DASHBOARDS + "/import",
        guarded(
            ctx -> {
              JsonNode body = jsonBody(ctx, maxBodyBytes);
              // An import creates the datasets that do not exist yet (and leaves the others).
              for (JsonNode d : body.path("datasets")) {
                String name = d.path("name").asText("");
                if (existing(name) == null
                    && (!rlsChangeAllowed(ctx, d, null) || !fileAccessAllowed(ctx, d, null))) {
                  return;
                }
              }
              json(ctx, 201, service.importDashboard(body, user(ctx)).toJson());
            }));
    routes.get(
        DASHBOARDS + "/{id}",
        guarded(ctx -> json(ctx, 200, service.dashboard(ctx.pathParam("id")).toJson())));
    routes.put(
        DASHBOARDS + "/{id}",
        guarded(
            ctx ->
                json(
                    ctx,
                    200,
                    service
                        .saveDashboard(
                            ctx.pathParam("id"),
                            jsonBody(ctx, maxBodyBytes),
                            expectedVersion(ctx),
                            user(ctx))
                        .toJson())));
    routes.delete(
        DASHBOARDS + "/{id}",
        guarded(
            ctx -> {
              service.deleteDashboard(ctx.pathParam("id"));
              ctx.status(204);
            }));
    routes.get(DASHBOARDS + "/{id}/versions", guarded(this::versions));
    routes.get(
        DASHBOARDS + "/{id}/versions/{version}",
        guarded(
            ctx ->
                json(
                    ctx,
                    200,
                    service
                        .dashboard(
                            ctx.pathParam("id"), intParam(ctx.pathParam("version"), "version"))
                        .toJson())));
    routes.get(
        DASHBOARDS + "/{id}/export",
        guarded(ctx -> json(ctx, 200, service.exportDashboard(ctx.pathParam("id")))));
    routes.post(
        DASHBOARDS + "/{id}/visuals/{visualId}/data",
        guarded(
            ctx ->
                json(
                    ctx,
                    200,
                    service
                        .visualData(
                            ctx.pathParam("id"),
                            ctx.pathParam("visualId"),
                            optionalBody(ctx),
                            user(ctx))
                        .toJson())));
    routes.get(DASHBOARDS + "/{id}/visuals/{visualId}/data.csv", guarded(this::csv));
    routes.post(
        DASHBOARDS + "/{id}/visuals/{visualId}/insights",
        guarded(
            ctx -> {
              JsonNode body = optionalBody(ctx);
              json(
                  ctx,
                  200,
                  service
                      .insights(
                          ctx.pathParam("id"),
                          ctx.pathParam("visualId"),
                          body,
                          horizon(body),
                          user(ctx))
                      .toJson());
            }));
    routes.post(
        "/api/v1/visuals/insights",
        guarded(
            ctx -> {
              JsonNode body = jsonBody(ctx, maxBodyBytes);
              if (!body.path("visual").isObject()) {
                throw new BadRequest("\"visual\" is required: the time-series visual spec");
              }
              json(
                  ctx,
                  200,
                  service
                      .previewInsights(body.get("visual"), body, horizon(body), user(ctx))
                      .toJson());
            }));
    routes.post(
        "/api/v1/visuals/preview",
        guarded(
            ctx -> {
              JsonNode body = jsonBody(ctx, maxBodyBytes);
              if (!body.path("visual").isObject()) {
                throw new BadRequest(
                    "\"visual\" is required: the visual spec to run, e.g. {\"visual\": {\"id\":"
                        + " \"v1\", \"type\": \"bar\", \"dataset\": …}}");
              }
              json(ctx, 200, service.preview(body.get("visual"), body, user(ctx)).toJson());
            }));
  }

  private void listDashboards(Context ctx) {
    ObjectNode out = Json.mapper().createObjectNode();
    ArrayNode arr = out.putArray("dashboards");
    for (Dashboard d : service.dashboards()) {
      arr.add(summary(d));
    }
    json(ctx, 200, out);
  }

  private void versions(Context ctx) {
    ObjectNode out = Json.mapper().createObjectNode();
    ArrayNode arr = out.putArray("versions");
    for (Dashboard d : service.versions(ctx.pathParam("id"))) {
      arr.add(summary(d));
    }
    json(ctx, 200, out);
  }

  private static ObjectNode summary(Dashboard d) {
    ObjectNode n = Json.mapper().createObjectNode();
    n.put("id", d.id());
    n.put("name", d.name());
    n.put("version", d.version());
    n.put("savedAt", d.savedAt().toString());
    n.put("savedBy", d.savedBy());
    return n;
  }

  private void csv(Context ctx) {
    String state = ctx.queryParam("state");
    JsonNode request = null;
    if (state != null && !state.isBlank()) {
      try {
        request = Json.mapper().readTree(state);
      } catch (java.io.IOException e) {
        throw new BadRequest("state is not valid JSON: " + e.getMessage());
      }
      if (request == null || !request.isObject()) {
        throw new BadRequest("state must be a JSON object like {\"filters\": […]}");
      }
    }
    String visualId = ctx.pathParam("visualId");
    VisualData d = service.visualData(ctx.pathParam("id"), visualId, request, user(ctx));
    ctx.header("Content-Disposition", "attachment; filename=\"" + visualId + ".csv\"");
    if (d.truncated()) {
      ctx.header("X-Basin-Truncated", "true");
    }
    ctx.header("X-Basin-Server-Millis", Long.toString(d.serverMillis()));
    ctx.status(200).contentType("text/csv; charset=utf-8").result(d.toCsv());
  }

  private JsonNode optionalBody(Context ctx) {
    byte[] raw = dev.basin.server.http.RequestBodies.read(ctx, maxBodyBytes);
    if (raw.length == 0) {
      return null;
    }
    try {
      JsonNode n = Json.mapper().readTree(raw);
      if (n != null && !n.isNull() && !n.isObject()) {
        throw new BadRequest("the body must be a JSON object like {\"filters\": […]}");
      }
      return n;
    } catch (java.io.IOException e) {
      throw new BadRequest("the body is not valid JSON: " + e.getMessage());
    }
  }

  private static int horizon(JsonNode body) {
    JsonNode h = body == null ? null : body.get("horizon");
    if (h == null || h.isNull()) {
      return 6;
    }
    if (!h.canConvertToInt()) {
      throw new BadRequest("horizon must be a whole number of periods (0-366)");
    }
    return h.intValue();
  }

  private static Integer expectedVersion(Context ctx) {
    String v = ctx.queryParam("expectedVersion");
    return v == null || v.isBlank() ? null : intParam(v, "expectedVersion");
  }

  private static int intParam(String v, String name) {
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new BadRequest(name + " must be a whole number, was '" + v + "'");
    }
  }

  /**
   * Whether the request may save {@code definition} as far as row-level security goes: admins
   * always; anyone else only when the dataset's {@code rowLevelSecurity} stays as it is (absent on
   * a new dataset, equal to the stored one on an update). Answers 403 FORBIDDEN otherwise. A
   * definition that does not parse is left to the service to report.
   *
   * @param name the dataset being updated, or null for a new one
   */
  private boolean rlsChangeAllowed(Context ctx, JsonNode definition, String name) {
    Role role = ctx.attribute(Authenticator.ROLE_ATTRIBUTE);
    if (role == Role.ADMIN) {
      return true;
    }
    Dataset.RowLevelSecurity wanted;
    try {
      JsonNode d = definition;
      if (name != null && d.isObject() && !d.has("name")) {
        d = ((ObjectNode) d.deepCopy()).put("name", name);
      }
      wanted = Dataset.parse(d).rowLevelSecurity();
    } catch (RuntimeException e) {
      return true;
    }
    Dataset before = name == null ? null : existing(name);
    Dataset.RowLevelSecurity current = before == null ? null : before.rowLevelSecurity();
    if (Objects.equals(wanted, current)) {
      return true;
    }
    ApiResponses.error(
        ctx,
        403,
        "FORBIDDEN",
        "user '"
            + user(ctx)
            + "' ("
            + role
            + ") may not set, change or remove a dataset's rowLevelSecurity; ask an admin"
            + " (authors can query the tables in SQL, so row-level security restricts readers)");
    return false;
  }

  /**
   * Whether the request may save {@code definition} as far as file access goes: admins always;
   * anyone else only when the dataset's query, with its calculated fields, reads catalog tables,
   * views and its own CTEs only (files and table functions such as {@code read_csv} bypass
   * row-level security). Answers 403 FORBIDDEN otherwise. A definition that does not parse or plan
   * is left to the service to report.
   *
   * @param name the dataset being updated, or null for a new one
   */
  private boolean fileAccessAllowed(Context ctx, JsonNode definition, String name) {
    if (ctx.attribute(Authenticator.ROLE_ATTRIBUTE) == Role.ADMIN) {
      return true;
    }
    JsonNode d = definition;
    if (name != null && d != null && d.isObject() && !d.has("name")) {
      d = ((ObjectNode) d.deepCopy()).put("name", name);
    }
    List<String> access = service.datasetFileAccess(d, user(ctx));
    if (access.isEmpty()) {
      return true;
    }
    ApiResponses.error(ctx, 403, "FORBIDDEN", QueriesRestApi.fileAccessMessage(access));
    return false;
  }

  /** The stored dataset with this name, or null. */
  private Dataset existing(String name) {
    try {
      return service.dataset(name);
    } catch (BasinException e) {
      if (e.kind() == ErrorKind.NOT_FOUND) {
        return null;
      }
      throw e;
    }
  }

  /** The access key id of the bearer token or console session: RLS rules name it. */
  private static String user(Context ctx) {
    // Set by the /api/v1/* filter from the verified bearer token or console session.
    String user = ctx.attribute(dev.basin.server.http.Authenticator.USER_ATTRIBUTE);
    return user != null ? user : "anonymous";
  }
}
