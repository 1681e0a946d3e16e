package dev.basin.server.client;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
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
    long estimate = 128;
    for (PutEntry e : entries) {
      estimate +=
          e.data().length * (format == WireFormat.JSON ? 4L : 3L) / 3
              + e.partitionKey().length()
              + 40;
    }
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
            },
            (int) Math.min(Integer.MAX_VALUE - 8, estimate));
    return sendRaw("PutRecords", body)
        .thenApply(
            bytes ->
                decode(
                    bytes,
                    p -> {
                      List<PutResultEntry> out = new ArrayList<>(entries.size());
                      int[] failed = {0};
                      members(
                          p,
                          (name, v) -> {
                            if (name.equals("FailedRecordCount")) {
                              failed[0] = v.getValueAsInt();
                            } else if (name.equals("Records") && v.isExpectedStartArrayToken()) {
                              while (v.nextToken() == JsonToken.START_OBJECT) {
                                String[] f = new String[4];
                                while (v.nextToken() == JsonToken.FIELD_NAME) {
                                  String n = v.currentName();
                                  v.nextToken();
                                  int i = PUT_RESULT_FIELDS.indexOf(n);
                                  if (i >= 0) {
                                    f[i] = textValue(v);
                                  } else {
                                    v.skipChildren();
                                  }
                                }
                                out.add(new PutResultEntry(f[0], f[1], f[2], f[3]));
                              }
                            } else {
                              v.skipChildren();
                            }
                          });
                      return new PutRecordsResult(failed[0], out);
                    }));
  }

  private static final List<String> PUT_RESULT_FIELDS =
      List.of("SequenceNumber", "ShardId", "ErrorCode", "ErrorMessage");

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
    byte[] request =
        encode(
            g -> {
              g.writeStringField("ShardIterator", shardIterator);
              g.writeNumberField("Limit", limit);
            });
    byte[] response = join(sendRaw("GetRecords", request));
    return decode(
        response,
        p -> {
          List<Record> records = new ArrayList<>();
          String[] next = {null};
          long[] behind = {0};
          members(
              p,
              (name, v) -> {
                switch (name) {
                  case "Records":
                    while (v.nextToken() == JsonToken.START_OBJECT) {
                      records.add(record(v));
                    }
                    break;
                  case "NextShardIterator":
                    next[0] = textValue(v);
                    break;
                  case "MillisBehindLatest":
                    behind[0] = v.getValueAsLong();
                    break;
                  default:
                    v.skipChildren();
                }
              });
          return new GetRecordsResult(records, next[0], behind[0]);
        });
  }

  private Record record(JsonParser v) throws IOException {
    String seq = null;
    String key = null;
    byte[] data = null;
    long millis = 0;
    while (v.nextToken() == JsonToken.FIELD_NAME) {
      String n = v.currentName();
      v.nextToken();
      switch (n) {
        case "SequenceNumber":
          seq = v.getText();
          break;
        case "PartitionKey":
          key = v.getText();
          break;
        case "Data":
          data = v.getBinaryValue();
          break;
        case "ApproximateArrivalTimestamp":
          millis =
              format == WireFormat.CBOR
                  ? v.getValueAsLong()
                  : Math.round(v.getValueAsDouble() * 1000);
          break;
        default:
          v.skipChildren();
      }
    }
    return new Record(seq, key, data, Instant.ofEpochMilli(millis));
  }

  private static <T> T join(CompletableFuture<T> f) {
    try {
      return f.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw e;
    }
  }

  private JsonNode call(String operation, Body body) {
    return join(send(operation, encode(body)));
  }

  private byte[] encode(Body body) {
    return encode(body, 256);
  }

  /** Encodes a request object; {@code sizeHint} presizes the buffer (big PutRecords bodies). */
  private byte[] encode(Body body, int sizeHint) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(sizeHint);
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
    return sendRaw(operation, body).thenApply(bytes -> decode(bytes, this::tree));
  }

  /** Sends a call; completes with the 200 response body, or fails with {@link KinesisException}. */
  private CompletableFuture<byte[]> sendRaw(String operation, byte[] body) {
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
              if (resp.statusCode() != 200) {
                JsonNode node = decode(resp.body(), this::tree);
                throw new KinesisException(
                    text(node, "__type") == null
                        ? "HTTP" + resp.statusCode()
                        : text(node, "__type"),
                    String.valueOf(text(node, "message")),
                    resp.statusCode());
              }
              return resp.body();
            });
  }

  private interface Decoder<T> {
    T decode(JsonParser parser) throws IOException;
  }

  private <T> T decode(byte[] bytes, Decoder<T> decoder) {
    try (JsonParser p = format.mapper().getFactory().createParser(bytes)) {
      return decoder.decode(p);
    } catch (IOException e) {
      throw new KinesisException("MalformedResponse", "cannot decode response: " + e, 200);
    }
  }

  private JsonNode tree(JsonParser p) throws IOException {
    JsonNode node = format.mapper().readTree(p);
    return node == null ? format.mapper().createObjectNode() : node;
  }

  /** Streams over the members of the response object, calling {@code member} for each. */
  private interface MemberReader {
    void read(String name, JsonParser p) throws IOException;
  }

  private static void members(JsonParser p, MemberReader member) throws IOException {
    if (p.nextToken() != JsonToken.START_OBJECT) {
      return;
    }
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      p.nextToken();
      member.read(name, p);
    }
  }

  private static String textValue(JsonParser p) throws IOException {
    if (p.currentToken() == JsonToken.VALUE_NULL) {
      return null;
    }
    String v = p.getValueAsString();
    p.skipChildren();
    return v;
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
