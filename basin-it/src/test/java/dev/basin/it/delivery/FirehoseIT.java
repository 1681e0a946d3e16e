package dev.basin.it.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.basin.it.BasinProcess;
import dev.basin.it.BasinProcess.Exit;
import dev.basin.it.KinesisClients;
import dev.basin.it.NativeApi;
import dev.basin.it.Poll;
import dev.basin.it.RawAws;
import dev.basin.it.s3.S3Clients;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;

/**
 * The Firehose API ({@code Firehose_20150804.*}) end to end against a server process: a Kinesis
 * stream (AWS SDK v2) delivered into an Iceberg table of the catalog, exact counts, Describe, List,
 * Delete, the AWS error names for bad input, the native API and the {@code basin delivery} CLI, and
 * a restart.
 *
 * <p>The Firehose calls are SigV4-signed AWS JSON 1.1 requests made with {@link RawAws}, byte for
 * byte what an SDK sends: the {@code software.amazon.awssdk:firehose} artifact does not resolve
 * from this project's Maven repository, and the Debian AWS CLI (2.9) predates the Iceberg
 * destination.
 */
@ExtendWith(BasinProcess.DumpLogsOnFailure.class)
class FirehoseIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String FIREHOSE = "Firehose_20150804.";
  private static final String STREAM_ARN = "arn:aws:kinesis:us-east-1:000000000000:stream/events";
  private static final int N = 1_000;

  @TempDir Path dir;

  @Test
  void deliversAKinesisStreamIntoAnIcebergTableExactlyOnce() throws Exception {
    Path dataDir = dir.resolve("data");
    try (BasinProcess server = BasinProcess.start(dataDir)) {
      RawAws aws = new RawAws(server.endpoint(), server.credentials());
      try (KinesisClient kinesis =
          KinesisClients.client(server.endpoint(), server.credentials(), false)) {
        kinesis.createStream(b -> b.streamName("events").shardCount(2));
        kinesis.waiter().waitUntilStreamExists(b -> b.streamName("events"));
        api(server, "POST", "/api/v1/catalog/databases", "{\"name\":\"lake\"}", 201);
        api(
            server,
            "POST",
            "/api/v1/catalog/databases/lake/tables",
            "{\"name\":\"events\",\"columns\":[{\"name\":\"id\",\"type\":\"bigint\"},"
                + "{\"name\":\"user\",\"type\":\"string\"}]}",
            201);

        RawAws.Response created = firehose(aws, "CreateDeliveryStream", icebergRequest("to-lake"));
        assertThat(created.status()).as(created.toString()).isEqualTo(200);
        assertThat(created.json().path("DeliveryStreamARN").asText())
            .isEqualTo("arn:aws:firehose:us-east-1:000000000000:deliverystream/to-lake");

        putRecords(kinesis, 0, N / 2);
        putRecords(kinesis, N / 2, N / 2);
        Poll.until(
            Duration.ofSeconds(60), N + " records in lake.events", () -> totalRecords(server) == N);
        Thread.sleep(2_500); // more than two buffering intervals: nothing is delivered twice
        assertThat(totalRecords(server)).isEqualTo(N);

        JsonNode d =
            firehose(aws, "DescribeDeliveryStream", "{\"DeliveryStreamName\":\"to-lake\"}")
                .json()
                .path("DeliveryStreamDescription");
        assertThat(d.path("DeliveryStreamStatus").asText()).isEqualTo("ACTIVE");
        assertThat(d.path("DeliveryStreamType").asText()).isEqualTo("KinesisStreamAsSource");
        assertThat(d.at("/Source/KinesisStreamSourceDescription/KinesisStreamARN").asText())
            .isEqualTo(STREAM_ARN);
        JsonNode ice = d.at("/Destinations/0/IcebergDestinationDescription");
        assertThat(ice.at("/DestinationTableConfigurationList/0/DestinationTableName").asText())
            .isEqualTo("events");
        assertThat(ice.at("/BufferingHints/IntervalInSeconds").asInt()).isEqualTo(1);

        JsonNode native1 = api(server, "GET", "/api/v1/delivery-streams/to-lake", null, 200);
        assertThat(native1.at("/metrics/recordsDelivered").asLong()).isEqualTo(N);
        assertThat(native1.at("/config/destination/table").asText()).isEqualTo("events");
        String dd = dataDir.toString();
        assertThat(cli(dd, "delivery", "list")).contains("to-lake").contains("iceberg lake.events");
        assertThat(cli(dd, "delivery", "describe", "to-lake"))
            .contains("status=ACTIVE")
            .contains("delivered " + N + " record(s)");

        // bad input, each with AWS's error name and nothing created
        assertError(
            firehose(aws, "CreateDeliveryStream", icebergRequest("to-lake")),
            "ResourceInUseException",
            "already exists");
        assertError(
            firehose(
                aws,
                "CreateDeliveryStream",
                icebergRequest("x").replace("\"events\"}]", "\"nope\"}]")),
            "InvalidArgumentException",
            "lake.nope, which is not an Iceberg table");
        assertError(
            firehose(aws, "CreateDeliveryStream", icebergRequest("x").replace("/events", "/nope")),
            "InvalidArgumentException",
            "stream 'nope', which does not exist");
        assertError(
            firehose(aws, "CreateDeliveryStream", s3Request("x", "no-such-bucket", 5, 60)),
            "InvalidArgumentException",
            "bucket 'no-such-bucket', which does not exist");
        assertError(
            firehose(aws, "CreateDeliveryStream", s3Request("x", "raw", 0, 60)),
            "InvalidArgumentException",
            "SizeInMBs must be between 1 and 128, was 0");
        assertError(
            firehose(aws, "CreateDeliveryStream", s3Request("x", "raw", 5, 901)),
            "InvalidArgumentException",
            "IntervalInSeconds must be between 0 and 900, was 901");
        // Direct put: PutRecordBatch is acknowledged once the records are durable, then delivered.
        RawAws.Response direct =
            firehose(
                aws,
                "CreateDeliveryStream",
                "{\"DeliveryStreamName\":\"direct\",\"DeliveryStreamType\":\"DirectPut\","
                    + "\"ExtendedS3DestinationConfiguration\":{\"BucketARN\":\"arn:aws:s3:::raw\","
                    + "\"Prefix\":\"direct/\",\"BufferingHints\":{\"SizeInMBs\":1,"
                    + "\"IntervalInSeconds\":1}}}");
        assertThat(direct.status()).as(direct.toString()).isEqualTo(200);
        StringBuilder batch = new StringBuilder("{\"DeliveryStreamName\":\"direct\",\"Records\":[");
        for (int i = 0; i < 10; i++) {
          String data =
              java.util.Base64.getEncoder()
                  .encodeToString(
                      ("{\"n\":" + i + "}\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
          batch.append(i == 0 ? "" : ",").append("{\"Data\":\"").append(data).append("\"}");
        }
        JsonNode put = firehose(aws, "PutRecordBatch", batch.append("]}").toString()).json();
        assertThat(put.path("FailedPutCount").asInt()).as(put.toString()).isZero();
        assertThat(put.path("RequestResponses")).hasSize(10);
        assertThat(put.path("RequestResponses").get(0).path("RecordId").asText()).isNotEmpty();
        Poll.until(
            Duration.ofSeconds(30),
            "10 direct-put records delivered",
            () -> {
              try {
                return api(server, "GET", "/api/v1/delivery-streams/direct", null, 200)
                        .at("/metrics/recordsDelivered")
                        .asLong()
                    == 10;
              } catch (Exception e) {
                throw new AssertionError(e);
              }
            });
        assertThat(
                firehose(aws, "DeleteDeliveryStream", "{\"DeliveryStreamName\":\"direct\"}")
                    .status())
            .isEqualTo(200);
        assertError(
            firehose(
                aws,
                "PutRecord",
                "{\"DeliveryStreamName\":\"to-lake\",\"Record\":{\"Data\":\"e30=\"}}"),
            "InvalidArgumentException",
            "put the records into the Kinesis stream 'events'");
        assertError(
            firehose(aws, "DescribeDeliveryStream", "{\"DeliveryStreamName\":\"nope\"}"),
            "ResourceNotFoundException",
            "'nope' not found");

        RawAws.Response s3 =
            firehose(aws, "CreateDeliveryStream", s3Request("raw-copy", "raw", 5, 60));
        assertThat(s3.status()).as(s3.toString()).isEqualTo(200);
        JsonNode list = firehose(aws, "ListDeliveryStreams", "{}").json();
        assertThat(list.path("DeliveryStreamNames").toString())
            .isEqualTo("[\"raw-copy\",\"to-lake\"]");
        assertThat(list.path("HasMoreDeliveryStreams").asBoolean()).isFalse();
        JsonNode page = firehose(aws, "ListDeliveryStreams", "{\"Limit\":1}").json();
        assertThat(page.path("DeliveryStreamNames").toString()).isEqualTo("[\"raw-copy\"]");
        assertThat(page.path("HasMoreDeliveryStreams").asBoolean()).isTrue();
        assertThat(
                firehose(aws, "DeleteDeliveryStream", "{\"DeliveryStreamName\":\"raw-copy\"}")
                    .status())
            .isEqualTo(200);
        assertError(
            firehose(aws, "DeleteDeliveryStream", "{\"DeliveryStreamName\":\"raw-copy\"}"),
            "ResourceNotFoundException",
            "not found");
      }

      // the delivery stream survives a restart and goes on delivering, still exactly once
      assertThat(server.stop()).isZero();
      server.restart();
      try (KinesisClient kinesis =
          KinesisClients.client(server.endpoint(), server.credentials(), false)) {
        putRecords(kinesis, N, 100);
        Poll.until(
            Duration.ofSeconds(60),
            (N + 100) + " records after the restart",
            () -> totalRecords(server) == N + 100);
        Thread.sleep(2_500);
        assertThat(totalRecords(server)).isEqualTo(N + 100);
        RawAws after = new RawAws(server.endpoint(), server.credentials());
        assertThat(
                firehose(after, "DeleteDeliveryStream", "{\"DeliveryStreamName\":\"to-lake\"}")
                    .status())
            .isEqualTo(200);
        assertThat(firehose(after, "ListDeliveryStreams", "{}").json().path("DeliveryStreamNames"))
            .isEmpty();
      }
      assertThat(server.stop()).isZero();
    }
  }

  private static String icebergRequest(String name) {
    return "{\"DeliveryStreamName\":\""
        + name
        + "\",\"DeliveryStreamType\":\"KinesisStreamAsSource\","
        + "\"KinesisStreamSourceConfiguration\":{\"KinesisStreamARN\":\""
        + STREAM_ARN
        + "\",\"RoleARN\":\"arn:aws:iam::000000000000:role/firehose\"},"
        + "\"IcebergDestinationConfiguration\":{\"RoleARN\":\"arn:aws:iam::000000000000:role/f\","
        + "\"DestinationTableConfigurationList\":[{\"DestinationDatabaseName\":\"lake\","
        + "\"DestinationTableName\":\"events\"}],"
        + "\"BufferingHints\":{\"SizeInMBs\":1,\"IntervalInSeconds\":1},"
        + "\"CatalogConfiguration\":{\"CatalogARN\":\"arn:aws:glue:us-east-1:000000000000:catalog\"},"
        + "\"S3Configuration\":{\"RoleARN\":\"arn:aws:iam::000000000000:role/f\","
        + "\"BucketARN\":\"arn:aws:s3:::raw\",\"ErrorOutputPrefix\":\"errors/\"}}}";
  }

  /**
   * The seed pipeline with raw objects: {@code basin generate} puts records into a stream, a
   * Firehose delivery with dynamic partitioning writes gzip JSON lines into the lake, and every
   * generated record is read back exactly once from the object under its own partition prefix.
   */
  @Test
  void generatorToStreamToGzipJsonWithDynamicPartitioningExactlyOnce() throws Exception {
    Path dataDir = dir.resolve("raw-data");
    try (BasinProcess server = BasinProcess.start(dataDir)) {
      RawAws aws = new RawAws(server.endpoint(), server.credentials());
      String dd = dataDir.toString();
      cli(dd, "stream", "create", "events", "--shards", "2");
      String request =
          "{\"DeliveryStreamName\":\"to-raw\",\"DeliveryStreamType\":\"KinesisStreamAsSource\","
              + "\"KinesisStreamSourceConfiguration\":{\"KinesisStreamARN\":\""
              + STREAM_ARN
              + "\"},\"ExtendedS3DestinationConfiguration\":{\"BucketARN\":\"arn:aws:s3:::raw\","
              + "\"Prefix\":\"clicks/device=!{partitionKeyFromQuery:device}/\","
              + "\"ErrorOutputPrefix\":\"clicks-errors/!{firehose:error-output-type}/\","
              + "\"CompressionFormat\":\"GZIP\","
              + "\"BufferingHints\":{\"SizeInMBs\":1,\"IntervalInSeconds\":1},"
              + "\"DynamicPartitioningConfiguration\":{\"Enabled\":true},"
              + "\"ProcessingConfiguration\":{\"Enabled\":true,\"Processors\":[{\"Type\":"
              + "\"MetadataExtraction\",\"Parameters\":[{\"ParameterName\":\"MetadataExtractionQuery\","
              + "\"ParameterValue\":\"{device: .device}\"},{\"ParameterName\":"
              + "\"JsonParsingEngine\",\"ParameterValue\":\"JQ-1.6\"}]}]}}}";
      RawAws.Response created = firehose(aws, "CreateDeliveryStream", request);
      assertThat(created.status()).as(created.toString()).isEqualTo(200);

      int n = 600;
      Exit generated =
          BasinProcess.runMain(
              Map.of(),
              null,
              Duration.ofSeconds(120),
              "generate",
              "--stream",
              "events",
              "--template-text",
              "{\"id\": \"{{random.uuid}}\", \"device\": \"{{random.arrayElement([\"phone\",\"tablet\",\"tv\"])}}\"}",
              "--rate",
              "300",
              "--duration",
              "2s",
              "--data-dir",
              dd);
      assertThat(generated.code()).as(generated.stdout() + generated.stderr()).isZero();
      assertThat(generated.stdout()).contains(n + " acknowledged");

      java.util.Map<String, String> seen = new java.util.HashMap<>();
      List<String> duplicates = new java.util.ArrayList<>();
      try (software.amazon.awssdk.services.s3.S3Client s3 = S3Clients.client(server)) {
        Poll.until(
            Duration.ofSeconds(60),
            n + " records delivered to raw/clicks/",
            () -> {
              try {
                return api(server, "GET", "/api/v1/delivery-streams/to-raw", null, 200)
                        .at("/metrics/recordsDelivered")
                        .asLong()
                    == n;
              } catch (Exception e) {
                throw new AssertionError(e);
              }
            });
        for (var o : s3.listObjectsV2Paginator(b -> b.bucket("raw").prefix("clicks/")).contents()) {
          assertThat(o.key()).endsWith(".gz");
          String device = o.key().substring("clicks/device=".length(), o.key().indexOf('/', 14));
          byte[] gz = s3.getObjectAsBytes(b -> b.bucket("raw").key(o.key())).asByteArray();
          String text;
          try (var in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(gz))) {
            text = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
          }
          for (String line : text.split("\n")) {
            if (line.isBlank()) {
              continue;
            }
            JsonNode record = JSON.readTree(line);
            assertThat(record.path("device").asText()).as(o.key()).isEqualTo(device);
            if (seen.put(record.path("id").asText(), device) != null) {
              duplicates.add(line);
            }
          }
        }
        assertThat(s3.listObjectsV2(b -> b.bucket("raw").prefix("clicks-errors/")).keyCount())
            .isZero();
      }
      assertThat(duplicates).isEmpty();
      assertThat(seen).hasSize(n);
      assertThat(new java.util.HashSet<>(seen.values()))
          .containsExactlyInAnyOrder("phone", "tablet", "tv");
    }
  }

  private static String s3Request(String name, String bucket, int mib, int seconds) {
    return "{\"DeliveryStreamName\":\""
        + name
        + "\",\"DeliveryStreamType\":\"KinesisStreamAsSource\","
        + "\"KinesisStreamSourceConfiguration\":{\"KinesisStreamARN\":\""
        + STREAM_ARN
        + "\"},\"ExtendedS3DestinationConfiguration\":{\"BucketARN\":\"arn:aws:s3:::"
        + bucket
        + "\",\"Prefix\":\"events/\",\"CompressionFormat\":\"GZIP\","
        + "\"BufferingHints\":{\"SizeInMBs\":"
        + mib
        + ",\"IntervalInSeconds\":"
        + seconds
        + "}}}";
  }

  private static RawAws.Response firehose(RawAws aws, String op, String body) {
    return aws.send(
        "application/x-amz-json-1.1", FIREHOSE + op, body.getBytes(StandardCharsets.UTF_8));
  }

  private static void assertError(RawAws.Response r, String type, String message) {
    assertThat(r.status()).as(r.toString()).isEqualTo(400);
    assertThat(r.type()).as(r.toString()).isEqualTo(type);
    assertThat(r.message()).contains(message);
  }

  private static void putRecords(KinesisClient kinesis, int from, int count) {
    List<PutRecordsRequestEntry> entries = new ArrayList<>();
    for (int i = from; i < from + count; i++) {
      entries.add(
          PutRecordsRequestEntry.builder()
              .partitionKey("user-" + (i % 13))
              .data(
                  SdkBytes.fromUtf8String("{\"id\":" + i + ",\"user\":\"user-" + (i % 13) + "\"}"))
              .build());
      if (entries.size() == 500 || i == from + count - 1) {
        PutRecordsResponse r = kinesis.putRecords(b -> b.streamName("events").records(entries));
        assertThat(r.failedRecordCount()).isZero();
        entries.clear();
      }
    }
  }

  private long totalRecords(BasinProcess server) {
    try {
      JsonNode t = api(server, "GET", "/api/v1/catalog/databases/lake/tables/events", null, 200);
      return t.at("/currentSnapshot/summary/total-records").asLong(0);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private JsonNode api(BasinProcess server, String method, String path, String body, int status) {
    return NativeApi.call(server, method, path, body, status);
  }

  private static String cli(String dataDir, String... args) {
    String[] full = new String[args.length + 2];
    System.arraycopy(args, 0, full, 0, args.length);
    full[args.length] = "--data-dir";
    full[args.length + 1] = dataDir;
    Exit exit = BasinProcess.runMain(Map.of(), null, Duration.ofSeconds(60), full);
    assertThat(exit.code())
        .as(
            "basin %s\nstdout: %s\nstderr: %s",
            String.join(" ", args), exit.stdout(), exit.stderr())
        .isZero();
    return exit.stdout();
  }
}
