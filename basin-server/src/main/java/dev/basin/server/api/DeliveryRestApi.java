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
import dev.basin.delivery.DirectPutSource;
import dev.basin.delivery.FailureKind;
import dev.basin.server.api.ApiResponses.BadRequest;
import dev.basin.server.http.RequestBodies;
import io.javalin.http.Context;
import io.javalin.router.JavalinDefaultRoutingApi;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

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
 *   <li>{@code DELETE /api/v1/delivery-streams/{name}} → 204 (a direct-put delivery's internal
 *       stream is deleted with it);
 *   <li>{@code POST /api/v1/delivery-streams/{name}/records} with NDJSON (one record per non-blank
 *       line, sent as the line's bytes without its line break) into a direct-put delivery stream →
 *       200 {@code {"records": n, "failedPutCount": f, "results": [{"recordId"} or {"errorCode",
 *       "errorMessage"}, …]}}, one result per line in order. A record with a recordId is durable
 *       when the response is sent; a failed one (errorCode {@code ServiceUnavailableException} when
 *       throttled) was not stored and may be retried. Lines are put in batches of at most 500
 *       records / 4 MiB; a line over 1,000 KiB is a 400 and nothing of its batch is stored.
 * </ul>
 *
 * <p>The {@code processors} member of a delivery stream (optional, applied in order; {@code
 * decompress} and {@code deaggregate} first) holds Basin's built-in record processors and user
 * transforms:
 *
 * <pre>{@code
 * "processors": [
 *   {"type": "decompress", "format": "gzip"},
 *   {"type": "deaggregate"}                        concatenated JSON documents, or
 *   {"type": "deaggregate", "delimiter": "####"}   sub-records split on a delimiter,
 *   {"type": "add-arrival-timestamp", "field": "arrived_at"},   epoch millis
 *   {"type": "drop-fields", "fields": ["secret", "user.email"]},
 *   {"type": "rename-fields", "renames": {"uid": "user_id"}},
 *   {"type": "filter", "predicate": "kind == \"click\""},       also !=, exists, !exists
 *   {"type": "custom", "jar": "/opt/t.jar", "className": "com.example.T"}]   className optional
 * }</pre>
 *
 * Errors are {@code {"error": {"code", "message"}}}: 400 INVALID_CONFIG or INVALID_REQUEST, 404
 * DELIVERY_NOT_FOUND, 409 DELIVERY_EXISTS or DELIVERY_LIMIT_EXCEEDED.
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
    routes.post(BASE + "/{name}/records", guarded(this::putRecords));
  }

  private void putRecords(Context ctx) {
    String name = ctx.pathParam("name");
    byte[] body = RequestBodies.read(ctx, maxBodyBytes);
    List<byte[]> lines = lines(body);
    if (lines.isEmpty()) {
      throw new BadRequest("the body has no records: send NDJSON, one record per line");
    }
    ObjectNode out = Json.mapper().createObjectNode();
    ArrayNode results = Json.mapper().createArrayNode();
    int failed = 0;
    List<byte[]> batch = new ArrayList<>();
    long batchBytes = 0;
    for (int i = 0; i <= lines.size(); i++) {
      byte[] line = i < lines.size() ? lines.get(i) : null;
      if (!batch.isEmpty()
          && (line == null
              || batch.size() == DirectPutSource.MAX_BATCH_RECORDS
              || batchBytes + line.length > DirectPutSource.MAX_BATCH_BYTES)) {
        for (DirectPutSource.PutResult r : engine.put(name, batch)) {
          ObjectNode o = results.addObject();
          if (r.succeeded()) {
            o.put("recordId", r.recordId());
          } else {
            failed++;
            o.put("errorCode", r.errorCode());
            o.put("errorMessage", r.errorMessage());
          }
        }
        batch = new ArrayList<>();
        batchBytes = 0;
      }
      if (line != null) {
        batch.add(line);
        batchBytes += line.length;
      }
    }
    out.put("records", lines.size());
    out.put("failedPutCount", failed);
    out.set("results", results);
    json(ctx, 200, out);
  }

  /** The non-blank lines of an NDJSON body, without their line breaks. */
  static List<byte[]> lines(byte[] body) {
    List<byte[]> out = new ArrayList<>();
    int start = 0;
    for (int i = 0; i <= body.length; i++) {
      if (i == body.length || body[i] == '\n') {
        int end = i > start && body[i - 1] == '\r' ? i - 1 : i;
        if (!new String(body, start, end - start, StandardCharsets.UTF_8).isBlank()) {
          out.add(Arrays.copyOfRange(body, start, end));
        }
        start = i + 1;
      }
    }
    return out;
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
