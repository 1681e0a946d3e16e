package dev.basin.server.api;

import static dev.basin.server.api.ApiResponses.error;
import static dev.basin.server.api.ApiResponses.guarded;
import static dev.basin.server.api.ApiResponses.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.basin.common.error.BasinException;
import dev.basin.common.json.Json;
import dev.basin.server.api.ApiResponses.BadRequest;
import dev.basin.server.http.Authenticator;
import dev.basin.server.http.RequestBodies;
import dev.basin.server.metrics.StreamMetrics;
import dev.basin.stream.GetRecordsResult;
import dev.basin.stream.IteratorType;
import dev.basin.stream.PutEntry;
import dev.basin.stream.PutOutcome;
import dev.basin.stream.ShardDescriptor;
import dev.basin.stream.StreamMetadata;
import dev.basin.stream.StreamMode;
import dev.basin.stream.StreamRecord;
import dev.basin.stream.StreamService;
import io.javalin.http.Context;
import io.javalin.router.JavalinDefaultRoutingApi;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Basin's native REST API for streams under {@code /api/v1/streams}, used by the CLI and by simple
 * producers that would rather post newline-delimited JSON than speak the Kinesis protocol. Every
 * route requires the bearer token. Errors are {@code {"error": {"code", "message"}}} with an HTTP
 * status chosen by the error's kind.
 */
public final class StreamsRestApi {
  private static final int BATCH = 500;

  private final StreamService streams;
  private final StreamMetrics traffic;
  private final long maxBodyBytes;

  /**
   * @param traffic the counters whose totals a stream's description includes ({@code "traffic"});
   *     clients turn two readings into rates
   */
  public StreamsRestApi(StreamService streams, StreamMetrics traffic, long maxBodyBytes) {
    this.streams = streams;
    this.traffic = traffic;
    this.maxBodyBytes = maxBodyBytes;
  }

  /**
   * Registers the routes and the check that every {@code /api/v1/*} request carries the bearer
   * token or a web console session.
   */
  public void register(JavalinDefaultRoutingApi routes, Authenticator auth) {
    routes.before(
        "/api/v1/*",
        ctx -> {
          if (!auth.nativeRequestValid(ctx)) {
            unauthorized(ctx);
            ctx.skipRemainingHandlers();
          }
        });
    routes.get("/api/v1/streams", guarded(this::list));
    routes.post("/api/v1/streams", guarded(this::create));
    routes.get("/api/v1/streams/{name}", guarded(this::describe));
    routes.delete("/api/v1/streams/{name}", guarded(this::delete));
    routes.post("/api/v1/streams/{name}/records", guarded(this::put));
    routes.get("/api/v1/streams/{name}/records", guarded(this::get));
  }

  /**
   * Answers 401 with the native error shape, or the authenticator's own refusal (e.g. 403 {@code
   * CROSS_SITE_REFUSED}) when it recorded one.
   */
  public static void unauthorized(Context ctx) {
    Authenticator.Refusal refusal = ctx.attribute(Authenticator.REFUSAL_ATTRIBUTE);
    if (refusal != null) {
      error(ctx, refusal.status(), refusal.code(), refusal.message());
      return;
    }
    ctx.header("WWW-Authenticate", "Bearer realm=\"basin\"");
    error(
        ctx,
        401,
        "UNAUTHENTICATED",
        "missing or wrong bearer token; send 'Authorization: Bearer <access key id>:<secret access"
            + " key>' with the pair from DATA_DIR/credentials");
  }

  private void list(Context ctx) {
    ObjectNode body = Json.mapper().createObjectNode();
    ArrayNode arr = body.putArray("streams");
    for (String name : streams.listStreams()) {
      try {
        arr.add(summary(streams.describe(name)));
      } catch (BasinException e) {
        // deleted while listing
      }
    }
    json(ctx, 200, body);
  }

  private static ObjectNode summary(StreamMetadata meta) {
    ObjectNode o = Json.mapper().createObjectNode();
    o.put("name", meta.name());
    o.put("status", "ACTIVE");
    o.put("mode", meta.mode().name());
    o.put("openShards", meta.openShards().size());
    o.put("retentionHours", meta.retentionHours());
    o.put("createdAt", Instant.ofEpochMilli(meta.createdAt()).toString());
    return o;
  }

  private void create(Context ctx) {
    JsonNode req = parseObject(RequestBodies.read(ctx, maxBodyBytes));
    JsonNode nameNode = req.get("name");
    if (nameNode == null || !nameNode.isTextual()) {
      throw new BadRequest(
          "body must name the stream as a string: {\"name\": \"orders\", \"shards\": 2}");
    }
    String name = nameNode.asText();
    Integer shards = null;
    JsonNode shardsNode = req.get("shards");
    if (shardsNode != null && !shardsNode.isNull()) {
      if (!shardsNode.isIntegralNumber() || !shardsNode.canConvertToInt()) {
        throw new BadRequest(
            "shards must be a whole number of shards, was " + shardsNode.toString());
      }
      shards = shardsNode.intValue();
    }
    StreamMode mode = StreamMode.PROVISIONED;
    String modeText = text(req, "mode");
    if (modeText != null) {
      try {
        mode = StreamMode.valueOf(modeText.toUpperCase().replace('-', '_'));
      } catch (IllegalArgumentException e) {
        throw new BadRequest("mode must be 'provisioned' or 'on-demand', was '" + modeText + "'");
      }
    } else if (shards == null) {
      shards = 1;
    }
    Map<String, String> tags = null;
    JsonNode tagsNode = req.get("tags");
    if (tagsNode != null && !tagsNode.isNull()) {
      if (!tagsNode.isObject()) {
        throw new BadRequest("tags must be an object of strings, was " + tagsNode);
      }
      tags = new java.util.LinkedHashMap<>();
      var it = tagsNode.fields();
      while (it.hasNext()) {
        var e = it.next();
        if (!e.getValue().isTextual()) {
          throw new BadRequest(
              "tags must be an object of strings; tag '" + e.getKey() + "' is " + e.getValue());
        }
        tags.put(e.getKey(), e.getValue().asText());
      }
    }
    StreamMetadata meta = streams.createStream(name, shards, mode, tags);
    json(ctx, 201, detail(meta));
  }

  private static ObjectNode detail(StreamMetadata meta) {
    ObjectNode o = summary(meta);
    o.set("tags", Json.mapper().valueToTree(meta.tags()));
    ArrayNode shards = o.putArray("shards");
    for (ShardDescriptor s : meta.shards()) {
      ObjectNode so = shards.addObject();
      so.put("shardId", s.shardId());
      so.put("open", s.open());
      if (s.parentIndex() >= 0) {
        so.put("parent", ShardDescriptor.shardId(s.parentIndex()));
      }
      if (s.adjacentParentIndex() >= 0) {
        so.put("adjacentParent", ShardDescriptor.shardId(s.adjacentParentIndex()));
      }
      so.put("startingHashKey", s.startHashKey().toString());
      so.put("endingHashKey", s.endHashKey().toString());
      so.put("startingSequenceNumber", StreamService.startingSequenceNumber(s));
      String end = StreamService.endingSequenceNumber(s);
      if (end != null) {
        so.put("endingSequenceNumber", end);
      }
    }
    return o;
  }

  private void describe(Context ctx) {
    StreamMetadata meta = streams.describe(ctx.pathParam("name"));
    ObjectNode body = detail(meta);
    StreamMetrics.Traffic t = traffic.traffic(meta.name());
    ObjectNode to = body.putObject("traffic");
    to.put("incomingRecords", t.incomingRecords());
    to.put("incomingBytes", t.incomingBytes());
    to.put("outgoingRecords", t.outgoingRecords());
    to.put("outgoingBytes", t.outgoingBytes());
    to.put("millisBehindLatest", t.iteratorAgeMillis());
    json(ctx, 200, body);
  }

  private void delete(Context ctx) {
    streams.deleteStream(ctx.pathParam("name"));
    ctx.status(204);
  }

  /**
   * Stores newline-delimited JSON: each non-blank line is one record. Every line is checked before
   * anything is stored, so a malformed line rejects the whole request and stores nothing.
   */
  private void put(Context ctx) {
    String name = ctx.pathParam("name");
    String keyField = ctx.queryParam("partitionKeyField");
    String fixedKey = ctx.queryParam("partitionKey");
    byte[] body;
    try {
      body = RequestBodies.read(ctx, maxBodyBytes);
    } catch (RequestBodies.TooLargeException e) {
      error(ctx, 413, "REQUEST_TOO_LARGE", e.getMessage() + "; send fewer records per request");
      return;
    }
    List<PutEntry> entries = new ArrayList<>();
    int lineNo = 0;
    int start = 0;
    while (start < body.length) {
      int end = start;
      while (end < body.length && body[end] != '\n') {
        end++;
      }
      lineNo++;
      byte[] line =
          java.util.Arrays.copyOfRange(
              body, start, end > start && body[end - 1] == '\r' ? end - 1 : end);
      start = end + 1;
      if (utf8(line) == null) {
        throw new BadRequest(
            "line " + lineNo + " is not valid UTF-8 (nothing was stored); JSON must be UTF-8");
      }
      if (isBlank(line)) {
        continue;
      }
      JsonNode node;
      try {
        node = Json.mapper().readTree(line);
      } catch (IOException e) {
        throw new BadRequest(
            "line " + lineNo + " is not valid JSON (nothing was stored): " + e.getMessage());
      }
      String key = fixedKey;
      if (keyField != null) {
        JsonNode k = node.get(keyField);
        if (k == null || k.isNull() || k.isContainerNode()) {
          throw new BadRequest(
              "line "
                  + lineNo
                  + " has no scalar field '"
                  + keyField
                  + "' to use as partition key (nothing was stored)");
        }
        key = k.asText();
      }
      if (key == null) {
        key = UUID.randomUUID().toString();
      }
      PutEntry entry = new PutEntry(key, null, line);
      try {
        streams.validateRecord(entry);
      } catch (BasinException e) {
        throw new BadRequest("line " + lineNo + ": " + e.getMessage() + " (nothing was stored)");
      }
      entries.add(entry);
    }
    if (entries.isEmpty()) {
      throw new BadRequest("the body holds no records; send one JSON document per line");
    }
    ObjectNode answer = Json.mapper().createObjectNode();
    ArrayNode results = answer.putArray("results");
    int failed = 0;
    long maxBatchBytes = streams.config().maxPutRecordsBytes();
    int from = 0;
    while (from < entries.size()) {
      int to = from;
      long bytes = 0;
      while (to < entries.size() && to - from < BATCH) {
        PutEntry e = entries.get(to);
        long size = e.partitionKey().length() + e.data().length;
        if (to > from && bytes + size > maxBatchBytes) {
          break;
        }
        bytes += size;
        to++;
      }
      for (PutOutcome o : streams.putRecords(name, entries.subList(from, to))) {
        ObjectNode r = results.addObject();
        if (o.succeeded()) {
          r.put("shardId", o.shardId());
          r.put("sequenceNumber", o.sequenceNumber());
        } else {
          failed++;
          r.put("error", o.error().name());
          r.put("message", o.errorMessage());
        }
      }
      from = to;
    }
    answer.put("records", entries.size());
    answer.put("failed", failed);
    json(ctx, 200, answer);
  }

  /**
   * Reads one shard: {@code ?shard=shardId-…&from=trim-horizon|latest|at:<seq>|after:<seq>|
   * timestamp:<ISO-8601>&limit=N}, or continues with {@code ?iterator=…}.
   */
  private void get(Context ctx) {
    String name = ctx.pathParam("name");
    String iterator = ctx.queryParam("iterator");
    if (iterator == null) {
      String shard = ctx.queryParam("shard");
      if (shard == null) {
        throw new BadRequest("give ?shard=<shardId> (see GET /api/v1/streams/" + name + ")");
      }
      String from = ctx.queryParam("from") == null ? "trim-horizon" : ctx.queryParam("from");
      iterator = iterator(name, shard, from);
    }
    int limit = 1000;
    if (ctx.queryParam("limit") != null) {
      try {
        limit = Integer.parseInt(ctx.queryParam("limit"));
      } catch (NumberFormatException e) {
        throw new BadRequest("limit must be a number, was '" + ctx.queryParam("limit") + "'");
      }
    }
    GetRecordsResult r = streams.getRecords(iterator, limit);
    ObjectNode body = Json.mapper().createObjectNode();
    ArrayNode records = body.putArray("records");
    for (StreamRecord rec : r.records()) {
      ObjectNode o = records.addObject();
      o.put("sequenceNumber", rec.sequenceNumber());
      o.put("partitionKey", rec.partitionKey());
      o.put("arrival", Instant.ofEpochMilli(rec.arrivalMillis()).toString());
      String text = utf8(rec.data());
      if (text != null) {
        o.put("data", text);
      } else {
        o.put("dataBase64", Base64.getEncoder().encodeToString(rec.data()));
      }
    }
    if (r.nextShardIterator() != null) {
      body.put("nextIterator", r.nextShardIterator());
    }
    body.put("millisBehindLatest", r.millisBehindLatest());
    ArrayNode children = body.putArray("childShards");
    r.childShards().forEach(c -> children.add(c.shardId()));
    json(ctx, 200, body);
  }

  private String iterator(String name, String shard, String from) {
    String f = from.toLowerCase();
    if (f.equals("trim-horizon")) {
      return streams.getShardIterator(name, shard, IteratorType.TRIM_HORIZON, null, null);
    }
    if (f.equals("latest")) {
      return streams.getShardIterator(name, shard, IteratorType.LATEST, null, null);
    }
    if (f.startsWith("at:")) {
      return streams.getShardIterator(
          name, shard, IteratorType.AT_SEQUENCE_NUMBER, from.substring(3), null);
    }
    if (f.startsWith("after:")) {
      return streams.getShardIterator(
          name, shard, IteratorType.AFTER_SEQUENCE_NUMBER, from.substring(6), null);
    }
    if (f.startsWith("timestamp:")) {
      try {
        return streams.getShardIterator(
            name, shard, IteratorType.AT_TIMESTAMP, null, Instant.parse(from.substring(10)));
      } catch (DateTimeParseException e) {
        throw new BadRequest("timestamp must be ISO-8601, e.g. timestamp:2026-01-01T00:00:00Z");
      }
    }
    throw new BadRequest(
        "from must be trim-horizon, latest, at:<sequence number>, after:<sequence number> or"
            + " timestamp:<ISO-8601>, was '"
            + from
            + "'");
  }

  private static boolean isBlank(byte[] line) {
    for (byte b : line) {
      if (b != ' ' && b != '\t' && b != '\r') {
        return false;
      }
    }
    return true;
  }

  private static String utf8(byte[] data) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(data))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  private static JsonNode parseObject(byte[] body) {
    JsonNode node;
    try {
      node = Json.mapper().readTree(body);
    } catch (IOException e) {
      throw new BadRequest("request body is not valid JSON: " + e.getMessage());
    }
    if (node == null || !node.isObject()) {
      throw new BadRequest("request body must be a JSON object");
    }
    return node;
  }

  private static String text(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }
}
