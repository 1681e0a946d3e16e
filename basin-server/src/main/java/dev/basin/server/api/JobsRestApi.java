package dev.basin.server.api;

import static dev.basin.server.api.ApiResponses.guarded;
import static dev.basin.server.api.ApiResponses.json;
import static dev.basin.server.api.ApiResponses.jsonBody;
import static dev.basin.server.api.ApiResponses.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.basin.common.json.Json;
import dev.basin.etl.job.JobParser;
import dev.basin.etl.run.JobRun;
import dev.basin.etl.run.JobService;
import dev.basin.etl.run.RunLogEntry;
import dev.basin.server.api.ApiResponses.BadRequest;
import io.javalin.http.Context;
import io.javalin.router.JavalinDefaultRoutingApi;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Basin's REST API for ETL jobs, used by {@code basin job}. Routes:
 *
 * <ul>
 *   <li>{@code POST /api/v1/jobs} with the job as JSON, or as YAML text (any body whose
 *       Content-Type is not JSON, or a JSON object {@code {"yaml": "…"}}) → 201 and the job;
 *   <li>{@code GET /api/v1/jobs} → {@code {"jobs": [{name, description, nodes, created,
 *       updated}]}};
 *   <li>{@code GET|PUT|DELETE /api/v1/jobs/{name}} → the job ({@code definition} as JSON and the
 *       {@code source} text it was created from);
 *   <li>{@code POST /api/v1/jobs/{name}/runs} with {@code {"arguments"?: {k: v}, "wait"?: bool,
 *       "waitSeconds"?: N ≤ 3600}} → 202 and the run, or 200 once it ended when waiting;
 *   <li>{@code GET /api/v1/jobs/{name}/runs?limit=} → {@code {"runs": […]}}, newest first;
 *   <li>{@code GET /api/v1/jobs/{name}/runs/{id}?waitSeconds=N} (≤ 60) → the run;
 *   <li>{@code POST /api/v1/jobs/{name}/runs/{id}/stop} → the run;
 *   <li>{@code GET /api/v1/jobs/{name}/runs/{id}/logs?after=&limit=} → {@code {"logs": [{seq, time,
 *       level, message}]}};
 *   <li>{@code GET /api/v1/jobs/{name}/bookmark}, {@code POST …/bookmark/reset}, {@code POST
 *       …/bookmark/rewind} with {@code {"runId"}} → the bookmark.
 * </ul>
 *
 * Errors are {@code {"error": {"code", "message"}}}: 400 INVALID_JOB (the message names the node
 * and field) / INVALID_REQUEST, 404 JOB_NOT_FOUND / RUN_NOT_FOUND, 409 JOB_EXISTS / INVALID_STATE /
 * CONCURRENT_RUNS_EXCEEDED.
 */
public final class JobsRestApi {
  private static final String BASE = "/api/v1/jobs";
  private static final int MAX_POST_WAIT_SECONDS = 3600;
  private static final int MAX_GET_WAIT_SECONDS = 60;

  private final JobService jobs;
  private final long maxBodyBytes;
  private final Clock clock;

  public JobsRestApi(JobService jobs, long maxBodyBytes, Clock clock) {
    this.jobs = jobs;
    this.maxBodyBytes = maxBodyBytes;
    this.clock = clock;
  }

  /** Registers the routes (authentication is the {@code /api/v1/*} filter's). */
  public void register(JavalinDefaultRoutingApi routes) {
    routes.post(BASE, guarded(ctx -> json(ctx, 201, job(jobs.create(definitionText(ctx))))));
    routes.get(BASE, guarded(this::list));
    routes.get(BASE + "/{name}", guarded(ctx -> json(ctx, 200, job(jobs.get(name(ctx))))));
    routes.put(
        BASE + "/{name}",
        guarded(ctx -> json(ctx, 200, job(jobs.update(name(ctx), definitionText(ctx))))));
    routes.delete(
        BASE + "/{name}",
        guarded(
            ctx -> {
              jobs.delete(name(ctx));
              ctx.status(204);
            }));
    routes.post(BASE + "/{name}/runs", guarded(this::start));
    routes.get(BASE + "/{name}/runs", guarded(this::runs));
    routes.get(BASE + "/{name}/runs/{id}", guarded(this::getRun));
    routes.post(
        BASE + "/{name}/runs/{id}/stop",
        guarded(
            ctx -> {
              jobs.run(name(ctx), ctx.pathParam("id"));
              json(ctx, 200, run(jobs.stop(ctx.pathParam("id"))));
            }));
    routes.get(BASE + "/{name}/runs/{id}/logs", guarded(this::logs));
    routes.get(
        BASE + "/{name}/bookmark",
        guarded(ctx -> json(ctx, 200, bookmark(jobs.bookmark(name(ctx))))));
    routes.post(
        BASE + "/{name}/bookmark/reset",
        guarded(ctx -> json(ctx, 200, bookmark(jobs.resetBookmark(name(ctx))))));
    routes.post(
        BASE + "/{name}/bookmark/rewind",
        guarded(
            ctx -> {
              JsonNode body = jsonBody(ctx, maxBodyBytes);
              json(ctx, 200, bookmark(jobs.rewindBookmark(name(ctx), text(body, "runId", true))));
            }));
  }

  private static String name(Context ctx) {
    return ctx.pathParam("name");
  }

  /** The job text: a YAML body, a JSON job, or {@code {"yaml": "…"}}. */
  private String definitionText(Context ctx) {
    String type =
        ctx.contentType() == null ? "" : ctx.contentType().toLowerCase(java.util.Locale.ROOT);
    if (!type.contains("json")) {
      byte[] body = dev.basin.server.http.RequestBodies.read(ctx, maxBodyBytes);
      if (body.length == 0) {
        throw new BadRequest("the request has no body; send the job as YAML or JSON");
      }
      return new String(body, StandardCharsets.UTF_8);
    }
    JsonNode body = jsonBody(ctx, maxBodyBytes);
    if (body.has("yaml")) {
      return text(body, "yaml", true);
    }
    return Json.write(body);
  }

  private void list(Context ctx) {
    ObjectNode out = Json.mapper().createObjectNode();
    ArrayNode arr = out.putArray("jobs");
    for (JobService.JobInfo j : jobs.list()) {
      ObjectNode n = arr.addObject();
      n.put("name", j.name());
      n.put("description", j.definition().description());
      n.put("nodes", j.definition().nodes().size());
      n.put("bookmarks", j.definition().settings().bookmarks().name());
      n.put("created", j.created().toString());
      n.put("updated", j.updated().toString());
    }
    json(ctx, 200, out);
  }

  private static ObjectNode job(JobService.JobInfo j) {
    ObjectNode n = Json.mapper().createObjectNode();
    n.put("name", j.name());
    n.put("created", j.created().toString());
    n.put("updated", j.updated().toString());
    n.set("definition", JobParser.toJson(j.definition()));
    n.put("source", j.sourceText());
    return n;
  }

  private void start(Context ctx) {
    byte[] raw = dev.basin.server.http.RequestBodies.read(ctx, maxBodyBytes);
    JsonNode in;
    try {
      in = raw.length == 0 ? Json.mapper().createObjectNode() : Json.mapper().readTree(raw);
    } catch (java.io.IOException e) {
      throw new BadRequest("the body is not valid JSON: " + e.getMessage());
    }
    if (in == null || !in.isObject()) {
      throw new BadRequest("the body must be a JSON object like {\"arguments\": {…}}");
    }
    Map<String, String> args = new LinkedHashMap<>();
    JsonNode a = in.get("arguments");
    if (a != null && !a.isNull()) {
      if (!a.isObject()) {
        throw new BadRequest("arguments must be an object of name: value strings");
      }
      a.fields()
          .forEachRemaining(
              e -> {
                if (!e.getValue().isValueNode() || e.getValue().isNull()) {
                  throw new BadRequest(
                      "argument '" + e.getKey() + "' must be a string, number or boolean");
                }
                args.put(e.getKey(), e.getValue().asText());
              });
    }
    boolean wait = in.path("wait").asBoolean(false);
    int waitSeconds = in.path("waitSeconds").asInt(MAX_POST_WAIT_SECONDS);
    if (waitSeconds < 0 || waitSeconds > MAX_POST_WAIT_SECONDS) {
      throw new BadRequest("waitSeconds must be between 0 and " + MAX_POST_WAIT_SECONDS);
    }
    String trigger = in.path("trigger").asText("manual");
    if (!trigger.matches("[a-z][a-z0-9_-]{0,31}") || trigger.equals("retry")) {
      throw new BadRequest(
          "trigger must be 1-32 lower-case letters, digits, '_' or '-' (e.g. manual, schedule);"
              + " 'retry' is reserved for the service's own retries");
    }
    JobRun r = jobs.start(name(ctx), args, trigger);
    if (wait) {
      r = await(r.id(), waitSeconds);
      json(ctx, r.state().terminal() ? 200 : 202, run(r));
    } else {
      json(ctx, 202, run(r));
    }
  }

  private JobRun await(String id, int seconds) {
    try {
      return jobs.await(id, Duration.ofSeconds(seconds));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return jobs.run(id);
    }
  }

  private void runs(Context ctx) {
    int limit = intParam(ctx, "limit", 50, 1, 1000);
    ObjectNode out = Json.mapper().createObjectNode();
    ArrayNode arr = out.putArray("runs");
    for (JobRun r : jobs.runs(name(ctx), limit)) {
      arr.add(run(r));
    }
    json(ctx, 200, out);
  }

  private void getRun(Context ctx) {
    int wait = intParam(ctx, "waitSeconds", 0, 0, MAX_GET_WAIT_SECONDS);
    JobRun r = jobs.run(name(ctx), ctx.pathParam("id"));
    if (wait > 0 && !r.state().terminal()) {
      r = await(r.id(), wait);
    }
    json(ctx, 200, run(r));
  }

  private void logs(Context ctx) {
    jobs.run(name(ctx), ctx.pathParam("id"));
    long after = intParam(ctx, "after", 0, 0, Integer.MAX_VALUE);
    int limit = intParam(ctx, "limit", 1000, 1, 10_000);
    ObjectNode out = Json.mapper().createObjectNode();
    ArrayNode arr = out.putArray("logs");
    for (RunLogEntry e : jobs.logs(ctx.pathParam("id"), after, limit)) {
      ObjectNode n = arr.addObject();
      n.put("seq", e.seq());
      n.put("time", e.time().toString());
      n.put("level", e.level());
      n.put("message", e.message());
    }
    json(ctx, 200, out);
  }

  private static int intParam(Context ctx, String name, int def, int min, int max) {
    String v = ctx.queryParam(name);
    if (v == null || v.isBlank()) {
      return def;
    }
    try {
      int n = Integer.parseInt(v.strip());
      if (n < min || n > max) {
        throw new BadRequest(name + " must be between " + min + " and " + max + ", was " + n);
      }
      return n;
    } catch (NumberFormatException e) {
      throw new BadRequest(name + " must be a number, was '" + v + "'");
    }
  }

  private ObjectNode run(JobRun r) {
    ObjectNode n = Json.mapper().createObjectNode();
    n.put("id", r.id());
    n.put("job", r.job());
    n.put("state", r.state().name());
    n.put("attempt", r.attempt());
    if (r.previousRunId() != null) {
      n.put("previousRunId", r.previousRunId());
    }
    n.put("trigger", r.trigger());
    n.set("arguments", Json.mapper().valueToTree(r.arguments()));
    n.put("startedOn", r.startedOn().toString());
    if (r.completedOn() != null) {
      n.put("completedOn", r.completedOn().toString());
    }
    n.put("executionMillis", r.executionMillis(clock.instant()));
    if (r.error() != null) {
      n.put("error", r.error());
    }
    if (r.epoch() != null) {
      n.put("bookmarkEpoch", r.epoch());
    }
    n.put("stepsDone", r.stepsDone());
    n.put("stepsTotal", r.stepsTotal());
    n.set("nodes", Json.mapper().valueToTree(r.nodes()));
    n.set("quality", Json.mapper().valueToTree(r.quality()));
    return n;
  }

  private static ObjectNode bookmark(JobService.BookmarkState b) {
    return Json.mapper().valueToTree(b);
  }
}
