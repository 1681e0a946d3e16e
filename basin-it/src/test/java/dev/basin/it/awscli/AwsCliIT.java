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
    List<String> cmd = new ArrayList<>(List.of("kinesis"));
    cmd.addAll(List.of(args));
    cmd.addAll(List.of("--endpoint-url", basin.endpoint().toString(), "--output", "json"));
    return run(cmd);
  }

  /** {@code aws s3 --endpoint-url URL ARGS…}, as the README shows it. */
  private static Result awsS3(String... args) throws Exception {
    List<String> cmd =
        new ArrayList<>(List.of("s3", "--endpoint-url", basin.endpoint().toString()));
    cmd.addAll(List.of(args));
    return run(cmd);
  }

  private static Result run(List<String> awsArgs) throws Exception {
    return run(awsArgs, dir.resolve("no-config"));
  }

  private static Result run(List<String> awsArgs, Path configFile) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(AWS);
    cmd.addAll(awsArgs);
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment()
        .put("AWS_SHARED_CREDENTIALS_FILE", basin.dataDir().resolve("credentials").toString());
    pb.environment().put("AWS_CONFIG_FILE", configFile.toString());
    pb.environment().put("AWS_REGION", "eu-west-1");
    pb.environment().put("AWS_PAGER", "");
    pb.environment().remove("AWS_ACCESS_KEY_ID");
    pb.environment().remove("AWS_SECRET_ACCESS_KEY");
    pb.environment().remove("AWS_PROFILE");
    Path out = Files.createTempFile(dir, "out", ".txt");
    Path err = Files.createTempFile(dir, "err", ".txt");
    pb.redirectOutput(out.toFile()).redirectError(err.toFile());
    Process p = pb.start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("aws %s finished", awsArgs).isTrue();
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

  @Test
  void s3CommandsWorkEndToEnd() throws Exception {
    Path small = dir.resolve("file");
    Files.write(small, "hello from the aws cli\n".getBytes(StandardCharsets.UTF_8));
    Result cp = awsS3("cp", small.toString(), "s3://raw/x");
    assertThat(cp.code()).as(cp.err()).isZero();
    Result ls = awsS3("ls", "s3://raw/");
    assertThat(ls.code()).as(ls.err()).isZero();
    assertThat(ls.out()).contains(" x");
    Path back = dir.resolve("file.back");
    Result get = awsS3("cp", "s3://raw/x", back.toString());
    assertThat(get.code()).as(get.err()).isZero();
    assertThat(Files.readAllBytes(back)).isEqualTo(Files.readAllBytes(small));

    Path big = dir.resolve("big.bin");
    byte[] chunk = new byte[1 << 20];
    java.util.Random random = new java.util.Random(20);
    try (var out = Files.newOutputStream(big)) {
      for (int i = 0; i < 20; i++) {
        random.nextBytes(chunk);
        out.write(chunk);
      }
    }
    Result up = awsS3("cp", big.toString(), "s3://raw/big.bin");
    assertThat(up.code()).as(up.err()).isZero();
    JsonNode head =
        JSON.readTree(
            run(List.of(
                    "s3api",
                    "head-object",
                    "--bucket",
                    "raw",
                    "--key",
                    "big.bin",
                    "--endpoint-url",
                    basin.endpoint().toString(),
                    "--output",
                    "json"))
                .out());
    assertThat(head.path("ETag").asText()).matches("\"[0-9a-f]{32}-\\d+\"");
    Path bigBack = dir.resolve("big.back");
    Result down = awsS3("cp", "s3://raw/big.bin", bigBack.toString());
    assertThat(down.code()).as(down.err()).isZero();
    assertThat(Files.mismatch(big, bigBack)).isEqualTo(-1L);

    Path folder = Files.createDirectories(dir.resolve("folder/sub"));
    Files.writeString(dir.resolve("folder/a.txt"), "a");
    Files.writeString(folder.resolve("b.txt"), "b");
    Result sync = awsS3("sync", dir.resolve("folder").toString(), "s3://raw/synced/");
    assertThat(sync.code()).as(sync.err()).isZero();
    Result listed = awsS3("ls", "--recursive", "s3://raw/synced/");
    assertThat(listed.out()).contains("synced/a.txt").contains("synced/sub/b.txt");
    Result again = awsS3("sync", dir.resolve("folder").toString(), "s3://raw/synced/");
    assertThat(again.out()).doesNotContain("upload:");

    Result rm = awsS3("rm", "s3://raw/x");
    assertThat(rm.code()).as(rm.err()).isZero();
    assertThat(awsS3("ls", "s3://raw/").out()).doesNotContain(" x\n");

    JsonNode versions =
        JSON.readTree(
            run(List.of(
                    "s3api",
                    "list-object-versions",
                    "--bucket",
                    "raw",
                    "--prefix",
                    "synced/",
                    "--endpoint-url",
                    basin.endpoint().toString(),
                    "--output",
                    "json"))
                .out());
    assertThat(versions.path("Versions")).hasSize(2);
    assertThat(versions.path("Versions").get(0).path("VersionId").asText()).isEqualTo("null");
  }

  @Test
  void presignedUrlsFromTheCliWorkWithSigV4AndSigV2UrlsAreRefusedClearly() throws Exception {
    Path file = dir.resolve("presign.txt");
    Files.writeString(file, "presigned content\n");
    assertThat(awsS3("cp", file.toString(), "s3://raw/presign.txt").code()).isZero();
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();

    // AWS CLI 2.9 presigns with Signature Version 2 in us-east-1 unless configured for s3v4; such
    // a URL carries AWSAccessKeyId/Signature/Expires (the signature is not checked: V2 is refused).
    String v2url =
        basin.endpoint()
            + "/raw/presign.txt?AWSAccessKeyId="
            + basin.credentials().accessKeyId()
            + "&Signature=taG8i4%2Bxyz%3D&Expires=1795264206";
    java.net.http.HttpResponse<String> refused =
        http.send(
            java.net.http.HttpRequest.newBuilder(java.net.URI.create(v2url)).build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(refused.body()).contains("InvalidRequest").contains("signature_version s3v4");

    Path config = dir.resolve("s3v4-config");
    Files.writeString(config, "[default]\ns3 =\n    signature_version = s3v4\n");
    Result v4 =
        run(
            List.of(
                "s3",
                "presign",
                "s3://raw/presign.txt",
                "--expires-in",
                "300",
                "--endpoint-url",
                basin.endpoint().toString()),
            config);
    assertThat(v4.code()).as(v4.err()).isZero();
    assertThat(v4.out()).contains("X-Amz-Algorithm=AWS4-HMAC-SHA256");
    java.net.http.HttpResponse<String> ok =
        http.send(
            java.net.http.HttpRequest.newBuilder(java.net.URI.create(v4.out().trim())).build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
    assertThat(ok.body()).isEqualTo("presigned content\n");
  }
}
