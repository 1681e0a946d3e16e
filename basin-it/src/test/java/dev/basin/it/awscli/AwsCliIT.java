package dev.basin.it.awscli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.basin.it.BasinProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The AWS CLI (botocore, which speaks JSON 1.1 rather than CBOR) against a Basin server, with the
 * generated credentials file as {@code AWS_SHARED_CREDENTIALS_FILE}. Runs when {@code /usr/bin/aws}
 * exists (the {@code aws-cli} Maven profile; {@code .ci/run} installs Debian's awscli).
 */
class AwsCliIT {
  private static final String AWS = System.getProperty("basin.it.aws", "/usr/bin/aws");
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  private static BasinProcess basin;

  @BeforeAll
  static void start() {
    basin = BasinProcess.start(dir.resolve("data"));
  }

  @AfterAll
  static void stop() {
    if (basin != null) {
      basin.close();
    }
  }

  private record Result(int code, String out, String err) {
    JsonNode json() throws IOException {
      return JSON.readTree(out);
    }
  }

  private static Result aws(String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(AWS);
    cmd.add("kinesis");
    cmd.addAll(List.of(args));
    cmd.addAll(List.of("--endpoint-url", basin.endpoint().toString(), "--output", "json"));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment()
        .put("AWS_SHARED_CREDENTIALS_FILE", basin.dataDir().resolve("credentials").toString());
    pb.environment().put("AWS_CONFIG_FILE", dir.resolve("no-config").toString());
    pb.environment().put("AWS_REGION", "eu-west-1");
    pb.environment().put("AWS_PAGER", "");
    pb.environment().remove("AWS_ACCESS_KEY_ID");
    pb.environment().remove("AWS_SECRET_ACCESS_KEY");
    pb.environment().remove("AWS_PROFILE");
    Path out = Files.createTempFile(dir, "out", ".txt");
    Path err = Files.createTempFile(dir, "err", ".txt");
    pb.redirectOutput(out.toFile()).redirectError(err.toFile());
    Process p = pb.start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("aws %s finished", args[0]).isTrue();
    return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  @Test
  void kinesisCommandsWorkEndToEnd() throws Exception {
    Result create = aws("create-stream", "--stream-name", "cli", "--shard-count", "2");
    assertThat(create.code()).as(create.err()).isZero();
    Result wait = aws("wait", "stream-exists", "--stream-name", "cli");
    assertThat(wait.code()).as(wait.err()).isZero();

    JsonNode list = aws("list-streams").json();
    assertThat(list.path("StreamNames").toString()).contains("\"cli\"");
    JsonNode summary = aws("describe-stream-summary", "--stream-name", "cli").json();
    assertThat(summary.at("/StreamDescriptionSummary/OpenShardCount").asInt()).isEqualTo(2);
    assertThat(summary.at("/StreamDescriptionSummary/StreamARN").asText())
        .isEqualTo("arn:aws:kinesis:eu-west-1:000000000000:stream/cli");

    String payload =
        Base64.getEncoder().encodeToString("hello cli".getBytes(StandardCharsets.UTF_8));
    JsonNode put =
        aws("put-record", "--stream-name", "cli", "--partition-key", "user-1", "--data", payload)
            .json();
    String shard = put.path("ShardId").asText();
    String seq = put.path("SequenceNumber").asText();
    assertThat(seq).matches("[1-9]\\d*");

    Path batch = dir.resolve("records.json");
    StringBuilder records = new StringBuilder("[");
    for (int i = 0; i < 50; i++) {
      records
          .append(i == 0 ? "" : ",")
          .append("{\"PartitionKey\":\"user-1\",\"Data\":\"")
          .append(Base64.getEncoder().encodeToString(("r" + i).getBytes(StandardCharsets.UTF_8)))
          .append("\"}");
    }
    Files.writeString(batch, records.append("]").toString());
    JsonNode putMany =
        aws("put-records", "--stream-name", "cli", "--records", "file://" + batch).json();
    assertThat(putMany.path("FailedRecordCount").asInt()).isZero();
    assertThat(putMany.path("Records")).hasSize(50);

    String iterator =
        aws(
                "get-shard-iterator",
                "--stream-name",
                "cli",
                "--shard-id",
                shard,
                "--shard-iterator-type",
                "AT_SEQUENCE_NUMBER",
                "--starting-sequence-number",
                seq)
            .json()
            .path("ShardIterator")
            .asText();
    JsonNode got = aws("get-records", "--shard-iterator", iterator, "--limit", "100").json();
    List<String> data = new ArrayList<>();
    for (JsonNode r : got.path("Records")) {
      data.add(
          new String(Base64.getDecoder().decode(r.path("Data").asText()), StandardCharsets.UTF_8));
      assertThat(r.path("PartitionKey").asText()).isEqualTo("user-1");
      // botocore parses JSON timestamps (fractional epoch seconds) into dates
      assertThat(r.path("ApproximateArrivalTimestamp").asText()).isNotEmpty();
    }
    assertThat(data).hasSize(51).startsWith("hello cli", "r0").endsWith("r49");
    assertThat(got.path("MillisBehindLatest").asLong()).isZero();

    JsonNode shards = aws("list-shards", "--stream-name", "cli", "--max-results", "1").json();
    assertThat(shards.path("Shards")).hasSize(1);
    assertThat(shards.path("NextToken").asText()).isNotEmpty();

    Result split =
        aws(
            "update-shard-count",
            "--stream-name",
            "cli",
            "--target-shard-count",
            "4",
            "--scaling-type",
            "UNIFORM_SCALING");
    assertThat(split.code()).as(split.err()).isZero();
    assertThat(aws("list-shards", "--stream-name", "cli").json().path("Shards")).hasSize(6);

    Result missing = aws("describe-stream", "--stream-name", "nope");
    assertThat(missing.code()).isNotZero();
    assertThat(missing.err()).contains("ResourceNotFoundException").contains("nope");

    Result delete = aws("delete-stream", "--stream-name", "cli");
    assertThat(delete.code()).as(delete.err()).isZero();
    assertThat(aws("list-streams").json().path("StreamNames")).isEmpty();
  }
}
