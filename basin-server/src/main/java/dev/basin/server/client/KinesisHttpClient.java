package dev.basin.server.client;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.basin.server.auth.Credentials;
import dev.basin.server.auth.SigV4Signer;
import dev.basin.server.aws.WireFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A lean Kinesis client over {@code java.net.http}, signed with SigV4, in JSON or CBOR. Basin's
 * data generator, CLI and benchmark producers use it; it is not a replacement for the AWS SDK (no
 * retries, no waiters beyond {@link #createStream}).
 *
 * <p>Thread-safe.
 */
public final class KinesisHttpClient implements AutoCloseable {
  private final URI endpoint;
  private final SigV4Signer signer;
  private final WireFormat format;
  private final HttpClient http;

  public KinesisHttpClient(URI endpoint, Credentials credentials, boolean cbor) {
    this.endpoint = endpoint.resolve("/");
    this.signer = new SigV4Signer(credentials, "us-east-1", "kinesis");
    this.format = cbor ? WireFormat.CBOR : WireFormat.JSON;
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
  }

  /** An error answered by the server, with its AWS error name. */
  public static final class KinesisException extends RuntimeException {
    private final String code;
    private final int status;

    KinesisException(String code, String message, int status) {
      super(code + ": " + message);
      this.code = code;
      this.status = status;
    }

    public String code() {
      return code;
    }

    public int status() {
      return status;
    }
  }

  public record PutEntry(String partitionKey, byte[] data) {}

  public record PutRecordsResult(int failedRecordCount, List<PutResultEntry> entries) {}

  public record PutResultEntry(
      String sequenceNumber, String shardId, String errorCode, String errorMessage) {}

  public record GetRecordsResult(
      List<Record> records, String nextShardIterator, long millisBehindLatest) {}

  public record Record(
      String sequenceNumber,
      String partitionKey,
      byte[] data,
      Instant approximateArrivalTimestamp) {}

  private interface Body {
    void write(JsonGenerator g) throws IOException;
  }

  /** Creates a stream with {@code shardCount} shards (Basin streams are ACTIVE on return). */
  public void createStream(String stream, int shardCount) {
    call(
        "CreateStream",
        g -> {
          g.writeStringField("StreamName", stream);
          g.writeNumberField("ShardCount", shardCount);
        });
  }

  /** Names of all streams. */
  public List<String> listStreamNames() {
    List<String> names = new ArrayList<>();
    String token = null;
    do {
      String t = token;
      JsonNode r =
          call(
              "ListStreams",
              g -> {
                if (t != null) {
                  g.writeStringField("NextToken", t);
                }
              });
      r.path("StreamNames").forEach(n -> names.add(n.asText()));
      token = r.path("HasMoreStreams").asBoolean() ? text(r, "NextToken") : null;
    } while (token != null);
    return names;
  }

  public void deleteStream(String stream) {
    call("DeleteStream", g -> g.writeStringField("StreamName", stream));
  }

  /** Ids of every shard of the stream, open or closed. */
  public List<String> listShardIds(String stream) {
    List<String> ids = new ArrayList<>();
    String token = null;
    do {
      String t = token;
      JsonNode r =
          call(
              "ListShards",
              g -> {
                if (t == null) {
                  g.writeStringField("StreamName", stream);
                } else {
                  g.writeStringField("NextToken", t);
                }
              });
      for (JsonNode s : r.path("Shards")) {
        ids.add(s.get("ShardId").asText());
      }
      token = r.hasNonNull("NextToken") ? r.get("NextToken").asText() : null;
    } while (token != null);
    return ids;
  }

  /**
   * Sends one PutRecords call. The future fails with {@link KinesisException} when the whole call
   * is rejected; per-record failures are in the result.
   */
  public CompletableFuture<PutRecordsResult> putRecords(String stream, List<PutEntry> entries) {
    byte[] body =
        encode(
            g -> {
              g.writeStringField("StreamName", stream);
              g.writeArrayFieldStart("Records");
              for (PutEntry e : entries) {
                g.writeStartObject();
                g.writeFieldName("Data");
                g.writeBinary(e.data());
                g.writeStringField("PartitionKey", e.partitionKey());
                g.writeEndObject();
              }
              g.writeEndArray();
            });
    return send("PutRecords", body)
        .thenApply(
            r -> {
              List<PutResultEntry> out = new ArrayList<>(entries.size());
              for (JsonNode e : r.path("Records")) {
                out.add(
                    new PutResultEntry(
                        text(e, "SequenceNumber"),
                        text(e, "ShardId"),
                        text(e, "ErrorCode"),
                        text(e, "ErrorMessage")));
              }
              return new PutRecordsResult(r.path("FailedRecordCount").asInt(), out);
            });
  }

  public String getShardIterator(
      String stream, String shardId, String iteratorType, String startingSequenceNumber) {
    JsonNode r =
        call(
            "GetShardIterator",
            g -> {
              g.writeStringField("StreamName", stream);
              g.writeStringField("ShardId", shardId);
              g.writeStringField("ShardIteratorType", iteratorType);
              if (startingSequenceNumber != null) {
                g.writeStringField("StartingSequenceNumber", startingSequenceNumber);
              }
            });
    return r.get("ShardIterator").asText();
  }

  public GetRecordsResult getRecords(String shardIterator, int limit) {
    JsonNode r =
        call(
            "GetRecords",
            g -> {
              g.writeStringField("ShardIterator", shardIterator);
              g.writeNumberField("Limit", limit);
            });
    List<Record> records = new ArrayList<>();
    for (JsonNode rec : r.path("Records")) {
      JsonNode ts = rec.get("ApproximateArrivalTimestamp");
      long millis = format == WireFormat.CBOR ? ts.asLong() : Math.round(ts.asDouble() * 1000);
      try {
        records.add(
            new Record(
                rec.get("SequenceNumber").asText(),
                rec.get("PartitionKey").asText(),
                rec.get("Data").binaryValue(),
                Instant.ofEpochMilli(millis)));
      } catch (IOException e) {
        throw new UncheckedIOException("malformed record data", e);
      }
    }
    return new GetRecordsResult(
        records, text(r, "NextShardIterator"), r.path("MillisBehindLatest").asLong());
  }

  private JsonNode call(String operation, Body body) {
    try {
      return send(operation, encode(body)).join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw e;
    }
  }

  private byte[] encode(Body body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator g = format.mapper().getFactory().createGenerator(out)) {
      g.writeStartObject();
      body.write(g);
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private CompletableFuture<JsonNode> send(String operation, byte[] body) {
    Map<String, String> headers =
        Map.of(
            "Content-Type", format.contentType(), "X-Amz-Target", "Kinesis_20131202." + operation);
    Map<String, String> auth = signer.sign("POST", endpoint, headers, body, Instant.now());
    HttpRequest.Builder req =
        HttpRequest.newBuilder(endpoint)
            .timeout(Duration.ofSeconds(60))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    headers.forEach(req::header);
    auth.forEach(
        (k, v) -> {
          if (!k.equalsIgnoreCase("host")) {
            req.header(k, v);
          }
        });
    return http.sendAsync(req.build(), HttpResponse.BodyHandlers.ofByteArray())
        .thenApply(
            resp -> {
              JsonNode node;
              try {
                node =
                    resp.body().length == 0
                        ? format.mapper().createObjectNode()
                        : format.mapper().readTree(resp.body());
              } catch (IOException e) {
                throw new KinesisException(
                    "MalformedResponse",
                    "cannot decode response: " + e.getMessage(),
                    resp.statusCode());
              }
              if (resp.statusCode() != 200) {
                throw new KinesisException(
                    text(node, "__type") == null
                        ? "HTTP" + resp.statusCode()
                        : text(node, "__type"),
                    String.valueOf(text(node, "message")),
                    resp.statusCode());
              }
              return node;
            });
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  @Override
  public void close() {
    // java.net.http.HttpClient has no close() before Java 21; its threads are daemons.
  }
}
