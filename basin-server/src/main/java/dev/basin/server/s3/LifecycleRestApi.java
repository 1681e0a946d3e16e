package dev.basin.server.s3;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.basin.common.json.Json;
import dev.basin.server.api.StreamsRestApi;
import dev.basin.server.http.Authenticator;
import dev.basin.spi.storage.LifecycleAction;
import dev.basin.spi.storage.ObjectStore;
import dev.basin.spi.storage.ObjectStoreException;
import dev.basin.spi.storage.SupportsLifecycle;
import io.javalin.http.Context;
import io.javalin.router.JavalinDefaultRoutingApi;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

/**
 * The native API's lifecycle resource, used by {@code basin lifecycle}: {@code POST
 * /api/v1/lifecycle/run[?bucket=B]} applies every bucket's rules now and lists the actions taken
 * (only bucket B's when given); {@code GET /api/v1/lifecycle/history[?bucket=B][&limit=N]} lists
 * recorded actions, newest first. Both require the bearer token.
 */
public final class LifecycleRestApi {
  private static final int DEFAULT_HISTORY = 100;
  private static final int MAX_HISTORY = 10_000;

  private final ObjectStore store;
  private final Clock clock;

  public LifecycleRestApi(ObjectStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  /** Registers the routes; each checks the bearer token itself. */
  public void register(JavalinDefaultRoutingApi routes, Authenticator auth) {
    routes.post("/api/v1/lifecycle/run", ctx -> guarded(ctx, auth, this::run));
    routes.get("/api/v1/lifecycle/history", ctx -> guarded(ctx, auth, this::history));
  }

  private interface Action {
    void run(Context ctx);
  }

  private void guarded(Context ctx, Authenticator auth, Action action) {
    if (!auth.nativeRequestValid(ctx)) {
      StreamsRestApi.unauthorized(ctx);
      return;
    }
    if (!(store instanceof SupportsLifecycle)) {
      error(ctx, 501, "UNSUPPORTED", "the configured object store has no lifecycle rules");
      return;
    }
    try {
      action.run(ctx);
    } catch (ObjectStoreException e) {
      int status = e.reason() == ObjectStoreException.Reason.NO_SUCH_BUCKET ? 404 : 400;
      error(ctx, status, e.reason().name(), e.getMessage());
    } catch (IllegalArgumentException e) {
      error(ctx, 400, "INVALID_ARGUMENT", e.getMessage());
    }
  }

  private void run(Context ctx) {
    String bucket = bucketParam(ctx);
    Instant now = clock.instant();
    List<LifecycleAction> actions = ((SupportsLifecycle) store).runLifecycle(now);
    ObjectNode body = Json.mapper().createObjectNode();
    body.put("ranAt", now.toString());
    if (bucket != null) {
      body.put("bucket", bucket);
    }
    ArrayNode arr = body.putArray("actions");
    int total = 0;
    for (LifecycleAction a : actions) {
      total++;
      if (bucket == null || bucket.equals(a.bucket())) {
        arr.add(json(a));
      }
    }
    body.put("actionsAllBuckets", total);
    ctx.status(200).contentType("application/json").result(body.toString());
  }

  private void history(Context ctx) {
    String bucket = bucketParam(ctx);
    int limit = DEFAULT_HISTORY;
    String l = ctx.queryParam("limit");
    if (l != null) {
      try {
        limit = Integer.parseInt(l);
      } catch (NumberFormatException e) {
        limit = -1;
      }
      if (limit < 1 || limit > MAX_HISTORY) {
        throw new IllegalArgumentException(
            "limit must be an integer from 1 to " + MAX_HISTORY + ", was '" + l + "'");
      }
    }
    List<LifecycleAction> actions = ((SupportsLifecycle) store).lifecycleHistory(bucket, limit);
    ObjectNode body = Json.mapper().createObjectNode();
    ArrayNode arr = body.putArray("actions");
    for (LifecycleAction a : actions) {
      arr.add(json(a));
    }
    ctx.status(200).contentType("application/json").result(body.toString());
  }

  private String bucketParam(Context ctx) {
    String bucket = ctx.queryParam("bucket");
    if (bucket == null || bucket.isEmpty()) {
      return null;
    }
    if (store.bucket(bucket).isEmpty()) {
      throw new ObjectStoreException(
          ObjectStoreException.Reason.NO_SUCH_BUCKET,
          "bucket '" + bucket + "' does not exist; list buckets with `basin s3 ls`");
    }
    return bucket;
  }

  static ObjectNode json(LifecycleAction a) {
    ObjectNode o = Json.mapper().createObjectNode();
    o.put("at", a.at().toString());
    o.put("bucket", a.bucket());
    o.put("ruleId", a.ruleId());
    o.put("kind", a.kind().name());
    o.put("key", a.key());
    if (a.versionId() != null) {
      o.put("versionId", a.versionId());
    }
    o.put("bytes", a.bytes());
    if (a.detail() != null) {
      o.put("detail", a.detail());
    }
    return o;
  }

  private static void error(Context ctx, int status, String code, String message) {
    ObjectNode body = Json.mapper().createObjectNode();
    ObjectNode err = body.putObject("error");
    err.put("code", code);
    err.put("message", message);
    ctx.status(status).contentType("application/json").result(body.toString());
  }
}
