package dev.basin.server.api;

import static dev.basin.server.api.ApiResponses.guarded;
import static dev.basin.server.api.ApiResponses.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.basin.common.error.BasinException;
import dev.basin.common.json.Json;
import dev.basin.delivery.DeliveryEngine;
import dev.basin.delivery.DeliveryMetrics;
import dev.basin.delivery.DeliveryStreamConfigParser;
import dev.basin.delivery.FailureKind;
import dev.basin.server.api.ApiResponses.BadRequest;
import dev.basin.server.http.RequestBodies;
import io.javalin.http.Context;
import io.javalin.router.JavalinDefaultRoutingApi;
import java.io.IOException;
import java.time.Instant;

/**
 * Basin's native REST API for delivery streams under {@code /api/v1/delivery-streams}, used by the
 * CLI. The bearer token is checked by the {@code /api/v1/*} filter. Routes:
 *
 * <ul>
 *   <li>{@code POST /api/v1/delivery-streams} with a delivery stream in {@link
 *       DeliveryStreamConfigParser}'s JSON form, e.g. {@code {"name": "to-lake", "source": {"type":
 *       "stream", "stream": "events"}, "destination": {"type": "iceberg", "database": "lake",
 *       "table": "events", "errorBucket": "raw", "errorPrefix": "errors/"}, "buffering":
 *       {"sizeMiB": 5, "intervalSeconds": 1}}} → 201 and the description;
 *   <li>{@code GET /api/v1/delivery-streams} → {@code {"deliveryStreams": [description, …]}};
 *   <li>{@code GET /api/v1/delivery-streams/{name}} → the description: {@code {"name", "status"
 *       (ACTIVE|CREATING|CREATING_FAILED|DELETING), "createdAt", "failure"?, "config": {…},
 *       "metrics": {"recordsDelivered", "bytesDelivered", "commits", "lastCommitAt"?, "lagMillis",
 *       "failures": {"processing-failed": n, …}}}};
 *   <li>{@code DELETE /api/v1/delivery-streams/{name}} → 204.
 * </ul>
 *
 * Errors are {@code {"error": {"code", "message"}}}: 400 INVALID_CONFIG, 404 DELIVERY_NOT_FOUND,
 * 409 DELIVERY_EXISTS or DELIVERY_LIMIT_EXCEEDED.
 */
public final class DeliveryRestApi {
  private static final String BASE = "/api/v1/delivery-streams";

  private final DeliveryEngine engine;
  private final long maxBodyBytes;

  public DeliveryRestApi(DeliveryEngine engine, long maxBodyBytes) {
    this.engine = engine;
    this.maxBodyBytes = maxBodyBytes;
  }

  /** Registers the routes (authentication is the {@code /api/v1/*} filter's). */
  public void register(JavalinDefaultRoutingApi routes) {
    routes.get(BASE, guarded(this::list));
    routes.post(BASE, guarded(this::create));
    routes.get(BASE + "/{name}", guarded(this::describe));
    routes.delete(BASE + "/{name}", guarded(this::delete));
  }

  private void list(Context ctx) {
    ObjectNode body = Json.mapper().createObjectNode();
    ArrayNode arr = body.putArray("deliveryStreams");
    for (String name : engine.list()) {
      try {
        arr.add(describe(engine.describe(name)));
      } catch (BasinException e) {
        // deleted while listing
      }
    }
    json(ctx, 200, body);
  }

  private void create(Context ctx) {
    JsonNode in;
    try {
      in = Json.mapper().readTree(RequestBodies.read(ctx, maxBodyBytes));
    } catch (IOException e) {
      throw new BadRequest("body is not valid JSON: " + e.getMessage());
    }
    json(ctx, 201, describe(engine.create(DeliveryStreamConfigParser.fromJson(in))));
  }

  private void describe(Context ctx) {
    json(ctx, 200, describe(engine.describe(ctx.pathParam("name"))));
  }

  private void delete(Context ctx) {
    engine.delete(ctx.pathParam("name"));
    ctx.status(204);
  }

  static ObjectNode describe(DeliveryEngine.Description d) {
    ObjectNode o = Json.mapper().createObjectNode();
    o.put("name", d.config().name());
    o.put("status", d.status().name());
    o.put("createdAt", Instant.ofEpochMilli(d.createdMillis()).toString());
    if (d.failure() != null) {
      o.put("failure", d.failure());
    }
    o.set("config", DeliveryStreamConfigParser.toJson(d.config()));
    DeliveryMetrics.Snapshot m = d.metrics();
    ObjectNode mo = o.putObject("metrics");
    mo.put("recordsDelivered", m.recordsDelivered());
    mo.put("bytesDelivered", m.bytesDelivered());
    mo.put("commits", m.commits());
    if (m.lastCommitMillis() >= 0) {
      mo.put("lastCommitAt", Instant.ofEpochMilli(m.lastCommitMillis()).toString());
    }
    mo.put("lagMillis", m.lagMillis());
    mo.put("recordsDropped", m.recordsDropped());
    ObjectNode f = mo.putObject("failures");
    for (FailureKind k : FailureKind.values()) {
      f.put(k.outputType(), m.failures(k));
    }
    return o;
  }
}
