package dev.basin.server.kinesis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.basin.server.auth.Principal;
import dev.basin.server.aws.AwsErrorException;
import dev.basin.server.aws.AwsInput;
import dev.basin.server.aws.WireFormat;
import dev.basin.stream.StreamListener;
import dev.basin.stream.StreamMode;
import dev.basin.stream.StreamService;
import dev.basin.stream.StreamsConfig;
import dev.basin.stream.log.LocalStreamLog;
import dev.basin.stream.log.LocalStreamLogConfig;
import dev.basin.testing.ManualClock;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pagination tokens of the Kinesis adapter: they page correctly, expire, and cannot be forged. */
class KinesisApiTest {
  private static final Principal CALLER = new Principal("test", "us-east-1", "kinesis");

  @TempDir Path dir;
  private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
  private LocalStreamLog log;
  private StreamService streams;
  private KinesisApi api;

  @BeforeEach
  void open() {
    log = new LocalStreamLog(LocalStreamLogConfig.defaults(dir), clock);
    streams =
        new StreamService(
            log,
            dir,
            "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8),
            StreamsConfig.defaults(),
            clock,
            StreamListener.NONE,
            "000000000000");
    api = new KinesisApi(streams, "000000000000", clock);
    for (String name : new String[] {"a", "b", "c"}) {
      streams.createStream(name, 3, StreamMode.PROVISIONED, null);
    }
  }

  @AfterEach
  void close() {
    streams.close();
    log.close();
  }

  private JsonNode call(String op, ObjectNode input) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator gen = WireFormat.JSON.mapper().getFactory().createGenerator(out)) {
      gen.writeStartObject();
      api.handle(op, new AwsInput(input, WireFormat.JSON), CALLER, gen);
      gen.writeEndObject();
    }
    return WireFormat.JSON.mapper().readTree(out.toByteArray());
  }

  private static ObjectNode object() {
    return WireFormat.JSON.mapper().createObjectNode();
  }

  @Test
  void listShardsPagesWithNextTokenUntilItExpires() throws Exception {
    JsonNode first = call("ListShards", object().put("StreamName", "b").put("MaxResults", 2));
    assertThat(first.path("Shards")).hasSize(2);
    String token = first.path("NextToken").asText();
    JsonNode second = call("ListShards", object().put("NextToken", token));
    assertThat(second.path("Shards")).hasSize(1);
    assertThat(second.path("Shards").get(0).path("ShardId").asText())
        .isEqualTo("shardId-000000000002");
    assertThat(second.has("NextToken")).isFalse();

    clock.advance(Duration.ofSeconds(301));
    assertThatThrownBy(() -> call("ListShards", object().put("NextToken", token)))
        .isInstanceOf(AwsErrorException.class)
        .hasMessageContaining("expired")
        .extracting(e -> ((AwsErrorException) e).code())
        .isEqualTo("ExpiredNextTokenException");
  }

  @Test
  void listStreamsPagesAndRefusesForgedOrMisusedTokens() throws Exception {
    JsonNode first = call("ListStreams", object().put("Limit", 2));
    assertThat(first.path("StreamNames").toString()).isEqualTo("[\"a\",\"b\"]");
    assertThat(first.path("HasMoreStreams").asBoolean()).isTrue();
    JsonNode rest =
        call("ListStreams", object().put("NextToken", first.path("NextToken").asText()));
    assertThat(rest.path("StreamNames").toString()).isEqualTo("[\"c\"]");

    assertThatThrownBy(() -> call("ListStreams", object().put("NextToken", "not-a-token")))
        .extracting(e -> ((AwsErrorException) e).code())
        .isEqualTo("InvalidArgumentException");
    String listShardsToken =
        call("ListShards", object().put("StreamName", "a").put("MaxResults", 1))
            .path("NextToken")
            .asText();
    assertThatThrownBy(() -> call("ListStreams", object().put("NextToken", listShardsToken)))
        .hasMessageContaining("NextToken is invalid");
    assertThatThrownBy(
            () ->
                call(
                    "ListShards",
                    object().put("NextToken", listShardsToken).put("StreamName", "a")))
        .hasMessageContaining("cannot be provided together");
  }
}
