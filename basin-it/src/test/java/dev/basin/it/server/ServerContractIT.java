package dev.basin.it.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.basin.it.BasinProcess;
import dev.basin.it.BasinProcess.Exit;
import dev.basin.it.Expect;
import dev.basin.it.KinesisClients;
import dev.basin.it.KinesisReads;
import dev.basin.server.auth.Credentials;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;

/**
 * The runtime contract of DESIGN.md as scripts and users see it: the ready line, {@code
 * server.json}, the credentials file and its environment override, {@code /health}, {@code
 * /metrics}, strict settings, the data-directory lock, graceful shutdown, and the {@code stream}
 * CLI end to end.
 */
@ExtendWith(BasinProcess.DumpLogsOnFailure.class)
class ServerContractIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration CLI_TIMEOUT = Duration.ofSeconds(60);

  @TempDir Path dir;

  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10))
          .build();

  @Test
  void sigtermShutsDownGracefullyWithExitCodeZero() throws Exception {
    Path data = dir.resolve("data");
    try (BasinProcess basin = BasinProcess.start(data)) {
      String seq;
      try (KinesisClient k = KinesisClients.client(basin.endpoint(), basin.credentials(), true)) {
        k.createStream(r -> r.streamName("graceful").shardCount(1));
        seq =
            k.putRecord(
                    r ->
                        r.streamName("graceful")
                            .partitionKey("p")
                            .data(SdkBytes.fromUtf8String("acked")))
                .sequenceNumber();
      }
      int code = basin.stop(); // Process.destroy(): SIGTERM
      assertThat(data.resolve("server.json"))
          .as("server.json after a graceful stop")
          .doesNotExist();
      assertThat(basin.readStderr()).contains("basin server stopped");
      basin.restart();
      try (KinesisClient k = KinesisClients.client(basin.endpoint(), basin.credentials(), true)) {
        assertThat(KinesisReads.readShard(k, "graceful", "shardId-000000000000", 10).records())
            .extracting(Record::sequenceNumber)
            .containsExactly(seq);
      }
      assertThat(code)
          .as(
              "exit code of `basin server` after SIGTERM (DESIGN: graceful shutdown exits 0)\n%s",
              basin.stderrTail(20))
          .isZero();
    }
  }

  @Test
  void serverJsonCredentialsAndRestart() throws Exception {
    Path data = dir.resolve("data");
    BasinProcess basin = BasinProcess.start(data);
    try (basin) {
      assertThat(basin.stdoutLines())
          .as("exactly one stdout line, the ready line")
          .containsExactly("basin ready http=" + basin.httpPort() + " pg=" + basin.pgPort());
      JsonNode serverJson = JSON.readTree(data.resolve("server.json").toFile());
      assertThat(serverJson.path("http").asInt()).isEqualTo(basin.httpPort());
      assertThat(serverJson.path("pg").asInt()).isEqualTo(basin.pgPort());
      assertThat(serverJson.path("pid").asLong()).isEqualTo(basin.pid());

      Path credentialsFile = data.resolve("credentials");
      String ini = Files.readString(credentialsFile);
      assertThat(ini).contains("[default]");
      Matcher id = Pattern.compile("(?m)^aws_access_key_id\\s*=\\s*(\\S+)\\s*$").matcher(ini);
      Matcher secret =
          Pattern.compile("(?m)^aws_secret_access_key\\s*=\\s*(\\S+)\\s*$").matcher(ini);
      assertThat(id.find()).as("aws_access_key_id in %s", ini).isTrue();
      assertThat(secret.find()).as("aws_secret_access_key").isTrue();
      assertThat(basin.credentials()).isEqualTo(new Credentials(id.group(1), secret.group(1)));
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(credentialsFile)))
          .as("the credentials file is private")
          .isEqualTo("rw-------");
      assertThat(basin.readStderr()).doesNotContain(secret.group(1));

      String iterator;
      String seq;
      try (KinesisClient k = KinesisClients.client(basin.endpoint(), basin.credentials(), true)) {
        k.createStream(r -> r.streamName("survivor").shardCount(1));
        seq =
            k.putRecord(
                    r ->
                        r.streamName("survivor")
                            .partitionKey("p")
                            .data(SdkBytes.fromUtf8String("before stop")))
                .sequenceNumber();
        iterator =
            k.getShardIterator(
                    r ->
                        r.streamName("survivor")
                            .shardId("shardId-000000000000")
                            .shardIteratorType(ShardIteratorType.TRIM_HORIZON))
                .shardIterator();
      }

      basin.stop();
      assertThat(data.resolve("server.json"))
          .as("server.json after a graceful stop")
          .doesNotExist();

      basin.restart();
      assertThat(Files.readString(credentialsFile))
          .as("credentials reused on restart")
          .isEqualTo(ini);
      assertThat(JSON.readTree(data.resolve("server.json").toFile()).path("pid").asLong())
          .isEqualTo(basin.pid());
      try (KinesisClient k = KinesisClients.client(basin.endpoint(), basin.credentials(), false)) {
        List<Record> records = k.getRecords(r -> r.shardIterator(iterator)).records();
        assertThat(records).as("an iterator issued before the restart still reads").hasSize(1);
        assertThat(records.get(0).sequenceNumber()).isEqualTo(seq);
        assertThat(records.get(0).data().asUtf8String()).isEqualTo("before stop");
      }
    }
  }

  @Test
  void environmentCredentialsOverrideTheFileAndAreNeverWritten() throws Exception {
    String envId = "AKIDFROMENVIRONMENT1";
    String envSecret = "env-secret-" + Long.toHexString(System.nanoTime()) + "-do-not-write";
    Path fresh = dir.resolve("fresh");
    try (BasinProcess basin =
        BasinProcess.builder(fresh)
            .env("BASIN_ACCESS_KEY_ID", envId)
            .env("BASIN_SECRET_ACCESS_KEY", envSecret)
            .start()) {
      assertThat(fresh.resolve("credentials"))
          .as("no credentials file when the env gives the pair")
          .doesNotExist();
      try (KinesisClient k =
          KinesisClients.client(basin.endpoint(), new Credentials(envId, envSecret), true)) {
        k.createStream(r -> r.streamName("env").shardCount(1));
        k.putRecord(r -> r.streamName("env").partitionKey("p").data(SdkBytes.fromUtf8String("x")));
      }
      assertThat(filesContaining(fresh, envSecret)).as("files holding the env secret").isEmpty();
      assertThat(basin.readStderr())
          .as("the log must not show the env secret")
          .doesNotContain(envSecret);
      basin.stop();
    }
    assertThat(filesContaining(fresh, envSecret))
        .as("files holding the env secret after stop")
        .isEmpty();

    // a data dir with a credentials file: the env pair wins, the file stays as it was
    Path withFile = dir.resolve("with-file");
    BasinProcess first = BasinProcess.start(withFile);
    Credentials fromFile = first.credentials();
    first.stop();
    String ini = Files.readString(withFile.resolve("credentials"));
    try (BasinProcess basin =
        BasinProcess.builder(withFile)
            .env("BASIN_ACCESS_KEY_ID", envId)
            .env("BASIN_SECRET_ACCESS_KEY", envSecret)
            .start()) {
      try (KinesisClient k =
          KinesisClients.client(basin.endpoint(), new Credentials(envId, envSecret), false)) {
        assertThat(k.listStreams().streamNames()).isEmpty();
      }
      try (KinesisClient k =
          KinesisClients.client(
              basin.endpoint(),
              fromFile,
              KinesisClients.Options.defaults(false).withoutRetries(),
              List.of())) {
        AwsServiceException e = Expect.thrown(AwsServiceException.class, k::listStreams);
        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("UnrecognizedClientException");
      }
      assertThat(Files.readString(withFile.resolve("credentials"))).isEqualTo(ini);
      assertThat(filesContaining(withFile, envSecret)).isEmpty();
    }

    // only half of the pair is a configuration error
    Exit half =
        BasinProcess.builder(dir.resolve("half"))
            .env("BASIN_ACCESS_KEY_ID", envId)
            .runExpectingExit();
    assertThat(half.code()).isNotZero();
    assertThat(half.stdout()).doesNotContain("basin ready");
    assertThat(half.stderr()).contains("BASIN_SECRET_ACCESS_KEY");
  }

  @Test
  void healthAndMetrics() throws Exception {
    try (BasinProcess basin = BasinProcess.start(dir.resolve("data"))) {
      HttpResponse<String> health = get(basin.endpoint().resolve("/health"), null);
      assertThat(health.statusCode()).isEqualTo(200);
      assertThat(health.headers().firstValue("Content-Type"))
          .hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
      assertThat(JSON.readTree(health.body()).path("status").asText()).isEqualTo("ok");

      URI metrics = basin.endpoint().resolve("/metrics");
      assertThat(get(metrics, null).statusCode()).as("/metrics without a token").isEqualTo(401);
      assertThat(
              get(metrics, "Bearer " + basin.credentials().accessKeyId() + ":wrong").statusCode())
          .isEqualTo(401);

      try (KinesisClient k = KinesisClients.client(basin.endpoint(), basin.credentials(), true)) {
        k.createStream(r -> r.streamName("metered").shardCount(2));
        for (int i = 0; i < 3; i++) {
          String pk = "p" + i;
          k.putRecord(
              r -> r.streamName("metered").partitionKey(pk).data(SdkBytes.fromUtf8String("m")));
        }
        k.putRecords(
            r ->
                r.streamName("metered")
                    .records(
                        b -> b.partitionKey("a").data(SdkBytes.fromUtf8String("1")),
                        b -> b.partitionKey("b").data(SdkBytes.fromUtf8String("2"))));
      }
      HttpResponse<String> scrape = get(metrics, basin.bearer());
      assertThat(scrape.statusCode()).isEqualTo(200);
      assertThat(scrape.headers().firstValue("Content-Type"))
          .hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
      Matcher m =
          Pattern.compile(
                  "(?m)^basin_stream_incoming_records_total\\{[^}]*stream=\"metered\"[^}]*\\}\\s+(\\S+)$")
              .matcher(scrape.body());
      assertThat(m.find())
          .as("basin_stream_incoming_records_total{stream=\"metered\"} in\n%s", scrape.body())
          .isTrue();
      assertThat(Double.parseDouble(m.group(1))).isEqualTo(5.0);
    }
  }

  @Test
  void unknownSettingsAndBadValuesStopTheServerWithTheKeyNamed() {
    Exit unknownFlag =
        BasinProcess.builder(dir.resolve("a")).args("--set", "foo=bar").runExpectingExit();
    assertThat(unknownFlag.code()).isNotZero();
    assertThat(unknownFlag.stdout()).doesNotContain("basin ready");
    assertThat(unknownFlag.stderr()).contains("foo");

    Exit unknownEnv =
        BasinProcess.builder(dir.resolve("b")).env("BASIN_FOO", "1").runExpectingExit();
    assertThat(unknownEnv.code()).isNotZero();
    assertThat(unknownEnv.stdout()).doesNotContain("basin ready");
    assertThat(unknownEnv.stderr()).contains("BASIN_FOO");

    Exit badValue =
        BasinProcess.builder(dir.resolve("c"))
            .args("--set", "streams.segment-bytes=banana")
            .runExpectingExit();
    assertThat(badValue.code()).isNotZero();
    assertThat(badValue.stderr()).contains("streams.segment-bytes").contains("banana");

    for (String d : List.of("a", "b", "c")) {
      assertThat(dir.resolve(d).resolve("server.json")).doesNotExist();
    }
  }

  @Test
  void aSecondServerOnTheSameDataDirectoryFailsClearly() throws Exception {
    Path data = dir.resolve("data");
    try (BasinProcess first = BasinProcess.start(data)) {
      String serverJson = Files.readString(data.resolve("server.json"));
      Exit second = BasinProcess.builder(data).runExpectingExit();
      assertThat(second.code()).isNotZero();
      assertThat(second.stdout()).doesNotContain("basin ready");
      assertThat(second.stderr()).contains("in use").contains(data.toAbsolutePath().toString());
      assertThat(Files.readString(data.resolve("server.json")))
          .as("server.json still names the first server")
          .isEqualTo(serverJson);
      assertThat(get(first.endpoint().resolve("/health"), null).statusCode()).isEqualTo(200);
      try (KinesisClient k = KinesisClients.client(first.endpoint(), first.credentials(), true)) {
        assertThat(k.listStreams().streamNames()).isEmpty();
      }
    }
  }

  @Test
  void cliManagesStreamsAndMovesRecords() throws Exception {
    Path data = dir.resolve("data");
    String dd = data.toString();
    try (BasinProcess basin = BasinProcess.start(data)) {
      Exit create = cli(null, "stream", "create", "orders", "--shards", "2", "--data-dir", dd);
      assertThat(create.stdout()).contains("created stream orders with 2 shard(s)");

      Exit list = cli(null, "stream", "list", "--data-dir", dd);
      List<String> lines = list.stdout().lines().toList();
      assertThat(lines.get(0)).startsWith("NAME");
      assertThat(lines)
          .anySatisfy(
              l -> assertThat(l).startsWith("orders ").contains("PROVISIONED").contains("24"));

      Exit describe = cli(null, "stream", "describe", "orders", "--data-dir", dd);
      assertThat(describe.stdout())
          .contains("stream orders")
          .contains("shardId-000000000000")
          .contains("shardId-000000000001")
          .contains("open");

      Exit put =
          cli(
              null,
              "stream",
              "put",
              "orders",
              "{\"id\":1}",
              "{\"id\":2}",
              "--partition-key-field",
              "id",
              "--data-dir",
              dd);
      assertThat(put.stdout()).contains("put 2 record(s), 0 failed");
      Exit stdin =
          cli(
              "{\"id\":3}\n{\"id\":4}\n\n{\"id\":5}\n",
              "stream",
              "put",
              "orders",
              "--data-dir",
              dd);
      assertThat(stdin.stdout()).contains("put 3 record(s), 0 failed");
      Path file = dir.resolve("more.ndjson");
      Files.writeString(file, "{\"id\":6}\n{\"id\":7}\n");
      Exit fromFile =
          cli(
              null,
              "stream",
              "put",
              "orders",
              "--file",
              file.toString(),
              "--partition-key",
              "k",
              "--data-dir",
              dd);
      assertThat(fromFile.stdout()).contains("put 2 record(s), 0 failed");

      Exit bad =
          BasinProcess.runMain(
              Map.of(),
              null,
              CLI_TIMEOUT,
              "stream",
              "put",
              "orders",
              "{\"id\":8}",
              "not json",
              "--data-dir",
              dd);
      assertThat(bad.code()).as("put of a malformed line\n%s", bad).isNotZero();
      assertThat(bad.stderr() + bad.stdout()).contains("line 2");

      Exit get = cli(null, "stream", "get", "orders", "--data-dir", dd);
      Set<String> got = new HashSet<>(get.stdout().lines().toList());
      assertThat(get.stdout().lines().toList()).hasSize(7);
      Set<String> want = new HashSet<>();
      for (int i = 1; i <= 7; i++) {
        want.add("{\"id\":" + i + "}");
      }
      assertThat(got).isEqualTo(want);

      Exit json = cli(null, "stream", "get", "orders", "--json", "--limit", "2", "--data-dir", dd);
      List<String> jsonLines = json.stdout().lines().toList();
      assertThat(jsonLines).hasSize(2);
      for (String l : jsonLines) {
        JsonNode n = JSON.readTree(l);
        assertThat(n.path("sequenceNumber").asText()).matches("\\d+");
        assertThat(n.path("partitionKey").asText()).isNotEmpty();
        assertThat(n.path("data").asText()).startsWith("{\"id\":");
      }

      // the same records through the Kinesis API
      try (KinesisClient k = KinesisClients.client(basin.endpoint(), basin.credentials(), true)) {
        List<String> viaSdk = new ArrayList<>();
        for (var read : KinesisReads.readStreamByLineage(k, "orders", 100)) {
          read.records().forEach(r -> viaSdk.add(r.data().asUtf8String()));
        }
        assertThat(new HashSet<>(viaSdk)).isEqualTo(want);
        assertThat(viaSdk).hasSize(7);
      }

      Exit missing =
          BasinProcess.runMain(
              Map.of(), null, CLI_TIMEOUT, "stream", "describe", "nope", "--data-dir", dd);
      assertThat(missing.code()).isNotZero();
      assertThat(missing.stderr()).contains("nope");

      Exit delete = cli(null, "stream", "delete", "orders", "--data-dir", dd);
      assertThat(delete.stdout()).contains("deleted stream orders");
      assertThat(cli(null, "stream", "list", "--data-dir", dd).stdout()).doesNotContain("orders");
      basin.stop();
    }
    Exit noServer =
        BasinProcess.runMain(Map.of(), null, CLI_TIMEOUT, "stream", "list", "--data-dir", dd);
    assertThat(noServer.code()).isNotZero();
    assertThat(noServer.stderr()).contains("no running server");
  }

  // ---------------------------------------------------------------- helpers

  private static Exit cli(String stdin, String... args) {
    Exit e = BasinProcess.runMain(Map.of(), stdin, CLI_TIMEOUT, args);
    assertThat(e.code())
        .as("`basin %s`\nstdout: %s\nstderr: %s", String.join(" ", args), e.stdout(), e.stderr())
        .isZero();
    return e;
  }

  private HttpResponse<String> get(URI uri, String authorization)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET();
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static List<Path> filesContaining(Path root, String text) throws IOException {
    byte[] needle = text.getBytes(StandardCharsets.UTF_8);
    List<Path> out = new ArrayList<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path p : files.filter(Files::isRegularFile).toList()) {
        byte[] content = Files.readAllBytes(p);
        if (indexOf(content, needle) >= 0) {
          out.add(p);
        }
      }
    }
    return out;
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
