package dev.basin.server.api;

import static dev.basin.server.api.ApiResponses.guarded;
import static dev.basin.server.api.ApiResponses.json;
import static dev.basin.server.api.ApiResponses.jsonBody;
import static dev.basin.server.api.ApiResponses.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.basin.catalog.crawler.CrawlRun;
import dev.basin.catalog.crawler.CrawlerDefinition;
import dev.basin.catalog.crawler.Crawlers;
import dev.basin.common.json.Json;
import dev.basin.server.api.ApiResponses.BadRequest;
import io.javalin.http.Context;
import io.javalin.router.JavalinDefaultRoutingApi;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Crawlers under {@code /api/v1/crawlers}: definitions (create, list, get, replace, delete), runs
 * (start, optionally as a dry run; list; get), applying a dry run's plan and rolling a run back.
 * The CLI's {@code basin crawler} commands use it. Bearer auth and error shape as every {@code
 * /api/v1} resource.
 *
 * <p>A crawler is JSON with the fields of {@link CrawlerDefinition}: {@code name}, {@code targets}
 * (strings {@code "s3://bucket/prefix/"} or objects {@code {"path", "exclusions": [globs]}}),
 * {@code database}, {@code tablePrefix}, {@code sampleRows}, {@code filesPerFolder}, {@code
 * tableLevel}, {@code combineCompatibleSchemas}, {@code tableThreshold}, {@code updateBehavior},
 * {@code deleteBehavior}, {@code addOrUpdateBehavior}, {@code recrawlBehavior}, {@code schedule},
 * {@code description}. Runs are answered whole, with their plan.
 */
public final class CrawlersRestApi {
  private static final String BASE = "/api/v1/crawlers";

  private final Crawlers crawlers;
  private final long maxBodyBytes;

  public CrawlersRestApi(Crawlers crawlers, long maxBodyBytes) {
    this.crawlers = crawlers;
    this.maxBodyBytes = maxBodyBytes;
  }

  /** Registers the routes; the bearer check is the {@code /api/v1/*} filter already in place. */
  public void register(JavalinDefaultRoutingApi routes) {
    routes.get(BASE, guarded(this::list));
    routes.post(BASE, guarded(this::create));
    routes.get(BASE + "/{name}", guarded(this::get));
    routes.put(BASE + "/{name}", guarded(this::update));
    routes.delete(BASE + "/{name}", guarded(this::delete));
    routes.post(BASE + "/{name}/runs", guarded(this::run));
    routes.get(BASE + "/{name}/runs", guarded(this::runs));
    routes.get(BASE + "/{name}/runs/{id}", guarded(this::getRun));
    routes.post(BASE + "/{name}/runs/{id}/apply", guarded(this::apply));
    routes.post(BASE + "/{name}/runs/{id}/rollback", guarded(this::rollback));
    routes.post(BASE + "/{name}/runs/{id}/cancel", guarded(this::cancel));
  }

  private void list(Context ctx) {
    ObjectNode body = Json.mapper().createObjectNode();
    ArrayNode arr = body.putArray("crawlers");
    for (Crawlers.Info i : crawlers.list()) {
      arr.add(info(i));
    }
    json(ctx, 200, body);
  }

  private void create(Context ctx) {
    JsonNode in = jsonBody(ctx, maxBodyBytes);
    json(ctx, 201, info(crawlers.create(definition(in, text(in, "name", true)))));
  }

  private void get(Context ctx) {
    json(ctx, 200, info(crawlers.get(ctx.pathParam("name"))));
  }

  private void update(Context ctx) {
    JsonNode in = jsonBody(ctx, maxBodyBytes);
    String name = ctx.pathParam("name");
    String inBody = text(in, "name", false);
    if (inBody != null && !inBody.equals(name)) {
      throw new BadRequest(
          "the body names crawler '"
              + inBody
              + "' but the path '"
              + name
              + "'; crawlers cannot"
              + " be renamed");
    }
    json(ctx, 200, info(crawlers.update(definition(in, name))));
  }

  private void delete(Context ctx) {
    crawlers.delete(ctx.pathParam("name"));
    ctx.status(204);
  }

  private void run(Context ctx) {
    boolean dryRun = false;
    JsonNode in = optionalBody(ctx);
    if (in != null) {
      JsonNode d = in.get("dryRun");
      if (d != null && !d.isNull()) {
        if (!d.isBoolean()) {
          throw new BadRequest("\"dryRun\" must be true or false, was " + d);
        }
        dryRun = d.booleanValue();
      }
    }
    json(ctx, 200, run(crawlers.run(ctx.pathParam("name"), dryRun)));
  }

  private void runs(Context ctx) {
    ObjectNode body = Json.mapper().createObjectNode();
    ArrayNode arr = body.putArray("runs");
    for (CrawlRun r : crawlers.runs(ctx.pathParam("name"))) {
      ObjectNode o = run(r);
      o.remove("plan"); // the list stays small; GET …/runs/{id} has the plan
      arr.add(o);
    }
    json(ctx, 200, body);
  }

  private void getRun(Context ctx) {
    json(ctx, 200, run(crawlers.getRun(ctx.pathParam("name"), runId(ctx))));
  }

  private void apply(Context ctx) {
    json(ctx, 200, run(crawlers.apply(ctx.pathParam("name"), runId(ctx))));
  }

  private void rollback(Context ctx) {
    boolean force = "true".equals(ctx.queryParam("force"));
    JsonNode in = optionalBody(ctx);
    if (in != null) {
      JsonNode f = in.get("force");
      if (f != null && f.isBoolean()) {
        force |= f.booleanValue();
      }
    }
    json(ctx, 200, run(crawlers.rollback(ctx.pathParam("name"), runId(ctx), force)));
  }

  private void cancel(Context ctx) {
    json(ctx, 200, run(crawlers.cancel(ctx.pathParam("name"), runId(ctx))));
  }

  /** The body as a JSON object, or null when there is none. */
  private JsonNode optionalBody(Context ctx) {
    byte[] raw = dev.basin.server.http.RequestBodies.read(ctx, maxBodyBytes);
    if (raw.length == 0 || new String(raw, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
      return null;
    }
    try {
      JsonNode node = Json.mapper().readTree(raw);
      if (node == null || !node.isObject()) {
        throw new BadRequest("the body must be a JSON object");
      }
      return node;
    } catch (java.io.IOException e) {
      throw new BadRequest("the body is not valid JSON: " + e.getMessage());
    }
  }

  private static long runId(Context ctx) {
    String id = ctx.pathParam("id");
    try {
      return Long.parseLong(id);
    } catch (NumberFormatException e) {
      throw new BadRequest("a run id is a number (1, 2, …), was '" + id + "'");
    }
  }

  private static ObjectNode info(Crawlers.Info i) {
    ObjectNode o = Json.mapper().valueToTree(i.definition());
    o.put("createTime", i.createTime().toString());
    o.put("updateTime", i.updateTime().toString());
    return o;
  }

  private static ObjectNode run(CrawlRun r) {
    return Json.mapper().valueToTree(r);
  }

  /** Reads a crawler definition, with clear messages for wrongly typed fields. */
  static CrawlerDefinition definition(JsonNode in, String name) {
    List<CrawlerDefinition.Target> targets = new ArrayList<>();
    JsonNode t = in.get("targets");
    if (t != null && !t.isNull()) {
      if (!t.isArray()) {
        throw new BadRequest("\"targets\" must be an array of \"s3://bucket/prefix/\" strings");
      }
      for (JsonNode x : t) {
        if (x.isTextual()) {
          targets.add(new CrawlerDefinition.Target(x.textValue(), List.of()));
        } else if (x.isObject()) {
          List<String> excl = new ArrayList<>();
          JsonNode e = x.get("exclusions");
          if (e != null && e.isArray()) {
            e.forEach(g -> excl.add(g.asText()));
          } else if (e != null && !e.isNull()) {
            throw new BadRequest("\"exclusions\" of a target must be an array of globs");
          }
          targets.add(new CrawlerDefinition.Target(text(x, "path", true), excl));
        } else {
          throw new BadRequest("a target must be a string or {\"path\", \"exclusions\"}, was " + x);
        }
      }
    }
    return new CrawlerDefinition(
        name,
        text(in, "description", false),
        targets,
        text(in, "database", false),
        text(in, "tablePrefix", false),
        integer(in, "sampleRows"),
        integer(in, "filesPerFolder"),
        integer(in, "tableLevel"),
        bool(in, "combineCompatibleSchemas"),
        integer(in, "tableThreshold"),
        enumValue(in, "updateBehavior", CrawlerDefinition.UpdateBehavior.class),
        enumValue(in, "deleteBehavior", CrawlerDefinition.DeleteBehavior.class),
        enumValue(in, "addOrUpdateBehavior", CrawlerDefinition.AddOrUpdateBehavior.class),
        enumValue(in, "recrawlBehavior", CrawlerDefinition.RecrawlBehavior.class),
        text(in, "schedule", false));
  }

  private static Integer integer(JsonNode in, String field) {
    JsonNode v = in.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.canConvertToInt() || !v.isIntegralNumber()) {
      throw new BadRequest("\"" + field + "\" must be a whole number, was " + v);
    }
    return v.intValue();
  }

  private static boolean bool(JsonNode in, String field) {
    JsonNode v = in.get(field);
    if (v == null || v.isNull()) {
      return false;
    }
    if (!v.isBoolean()) {
      throw new BadRequest("\"" + field + "\" must be true or false, was " + v);
    }
    return v.booleanValue();
  }

  private static <E extends Enum<E>> E enumValue(JsonNode in, String field, Class<E> type) {
    String v = text(in, field, false);
    if (v == null || v.isBlank()) {
      return null;
    }
    try {
      return Enum.valueOf(type, v.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException e) {
      throw new BadRequest(
          "\""
              + field
              + "\" must be one of "
              + Arrays.toString(type.getEnumConstants())
              + ", was '"
              + v
              + "'");
    }
  }
}
