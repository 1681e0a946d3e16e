package dev.basin.server.firehose;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.basin.catalog.CatalogConfig;
import dev.basin.catalog.DatabaseInput;
import dev.basin.catalog.LakeCatalog;
import dev.basin.common.error.BasinException;
import dev.basin.common.json.Json;
import dev.basin.delivery.DeliveryEngine;
import dev.basin.server.auth.Principal;
import dev.basin.server.aws.AwsErrorException;
import dev.basin.server.aws.AwsInput;
import dev.basin.server.aws.WireFormat;
import dev.basin.storage.LocalObjectStore;
import dev.basin.storage.LocalObjectStoreConfig;
import dev.basin.stream.StreamListener;
import dev.basin.stream.StreamMode;
import dev.basin.stream.StreamService;
import dev.basin.stream.StreamsConfig;
import dev.basin.stream.log.LocalStreamLog;
import dev.basin.stream.log.LocalStreamLogConfig;
import dev.basin.testing.ManualClock;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Firehose operations over a real {@link DeliveryEngine}, without HTTP. */
class FirehoseApiTest {
  private static final Principal ME = new Principal("AKID", "eu-west-1", "firehose");

  @TempDir Path dir;
  private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
  private LocalStreamLog log;
  private StreamService streams;
  private LocalObjectStore store;
  private LakeCatalog catalog;
  private DeliveryEngine engine;
  private FirehoseApi api;

  @BeforeEach
  void open() {
    log = new LocalStreamLog(LocalStreamLogConfig.defaults(dir.resolve("streams")), clock);
    streams =
        new StreamService(
            log,
            dir.resolve("streams"),
            "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8),
            StreamsConfig.defaults(),
            clock,
            StreamListener.NONE,
            "000000000000");
    store = LocalObjectStore.open(LocalObjectStoreConfig.defaults(dir.resolve("objects")));
    store.createBucket("raw");
    catalog = LakeCatalog.open(CatalogConfig.sqlite(dir), store, clock);
    catalog.databases().create(DatabaseInput.named("lake"));
    catalog
        .iceberg()
        .createTable(
            TableIdentifier.of("lake", "events"),
            new Schema(Types.NestedField.required(1, "id", Types.LongType.get())));
    streams.createStream("events", 1, StreamMode.PROVISIONED, null);
    engine =
        DeliveryEngine.open(
            dir.resolve("delivery"), streams, store, catalog, clock, Duration.ofMillis(10), 10);
    api = new FirehoseApi(engine, "000000000000");
  }

  @AfterEach
  void close() {
    engine.close();
    catalog.close();
    store.close();
    streams.close();
    log.close();
  }

  private JsonNode call(String op, String json) throws Exception {
    StringWriter w = new StringWriter();
    try (JsonGenerator g = Json.mapper().getFactory().createGenerator(w)) {
      g.writeStartObject();
      try {
        api.handle(op, new AwsInput(Json.mapper().readTree(json), WireFormat.JSON), ME, g);
      } catch (BasinException e) {
        throw api.translate(e);
      }
      g.writeEndObject();
    }
    return Json.mapper().readTree(w.toString());
  }

  private AwsErrorException error(String op, String json) {
    try {
      call(op, json);
    } catch (AwsErrorException e) {
      return e;
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("no error for " + op + " " + json);
  }

  private static String data(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  private static String directPutToIceberg(String name, String processing) {
    return "{\"DeliveryStreamName\":\""
        + name
        + "\",\"DeliveryStreamType\":\"DirectPut\",\"IcebergDestinationConfiguration\":{"
        + "\"DestinationTableConfigurationList\":[{\"DestinationDatabaseName\":\"lake\","
        + "\"DestinationTableName\":\"events\"}],"
        + "\"BufferingHints\":{\"SizeInMBs\":1,\"IntervalInSeconds\":0},"
        + processing
        + "\"S3Configuration\":{\"BucketARN\":\"arn:aws:s3:::raw\","
        + "\"ErrorOutputPrefix\":\"errors/\"}}}";
  }

  private long totalRecords() {
    Snapshot s =
        catalog.iceberg().loadTable(TableIdentifier.of("lake", "events")).currentSnapshot();
    return s == null ? 0 : Long.parseLong(s.summary().getOrDefault("total-records", "0"));
  }

  private List<Long> ids() throws Exception {
    List<Long> ids = new ArrayList<>();
    try (CloseableIterable<Record> rows =
        IcebergGenerics.read(catalog.iceberg().loadTable(TableIdentifier.of("lake", "events")))
            .build()) {
      rows.forEach(r -> ids.add((Long) r.getField("id")));
    }
    ids.sort(null);
    return ids;
  }

  private void await(long records) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (totalRecords() != records) {
      assertThat(System.nanoTime()).as("waiting for " + records + " rows").isLessThan(deadline);
      Thread.sleep(10);
    }
  }

  @Test
  void putRecordAndPutRecordBatchDeliverExactlyOnce() throws Exception {
    call("CreateDeliveryStream", directPutToIceberg("puts", ""));

    JsonNode one =
        call(
            "PutRecord",
            "{\"DeliveryStreamName\":\"puts\",\"Record\":{\"Data\":\""
                + data("{\"id\":0}")
                + "\"}}");
    assertThat(one.path("RecordId").asText()).isNotBlank();
    assertThat(one.path("Encrypted").asBoolean(true)).isFalse();

    StringBuilder records = new StringBuilder();
    for (int i = 1; i <= 3; i++) {
      records.append(i > 1 ? "," : "").append("{\"Data\":\"").append(data("{\"id\":" + i + "}"));
      records.append("\"}");
    }
    JsonNode batch =
        call("PutRecordBatch", "{\"DeliveryStreamName\":\"puts\",\"Records\":[" + records + "]}");
    assertThat(batch.path("FailedPutCount").asInt()).isZero();
    assertThat(batch.path("Encrypted").asBoolean(true)).isFalse();
    assertThat(batch.path("RequestResponses")).hasSize(3);
    batch.path("RequestResponses").forEach(r -> assertThat(r.has("RecordId")).isTrue());

    await(4);
    Thread.sleep(100);
    assertThat(ids()).containsExactly(0L, 1L, 2L, 3L);
  }

  @Test
  void putsBreakingLimitsOrIntoAKinesisSourcedStreamAreInvalidArguments() throws Exception {
    call("CreateDeliveryStream", directPutToIceberg("puts", ""));
    StringBuilder many = new StringBuilder();
    for (int i = 0; i < 501; i++) {
      many.append(i > 0 ? "," : "").append("{\"Data\":\"").append(data("{}")).append("\"}");
    }
    AwsErrorException tooMany =
        error("PutRecordBatch", "{\"DeliveryStreamName\":\"puts\",\"Records\":[" + many + "]}");
    assertThat(tooMany.code()).isEqualTo("InvalidArgumentException");
    assertThat(tooMany.getMessage()).contains("1 to 500 records, had 501");

    String big = Base64.getEncoder().encodeToString(new byte[1000 * 1024 + 1]);
    AwsErrorException tooBig =
        error(
            "PutRecord", "{\"DeliveryStreamName\":\"puts\",\"Record\":{\"Data\":\"" + big + "\"}}");
    assertThat(tooBig.code()).isEqualTo("InvalidArgumentException");
    assertThat(tooBig.getMessage()).contains("1,000 KiB");
    assertThat(error("PutRecord", "{\"DeliveryStreamName\":\"puts\",\"Record\":{}}").getMessage())
        .contains("record.data");
    Thread.sleep(100);
    assertThat(totalRecords()).isZero();

    call(
        "CreateDeliveryStream",
        "{\"DeliveryStreamName\":\"from-kinesis\",\"DeliveryStreamType\":\"KinesisStreamAsSource\","
            + "\"KinesisStreamSourceConfiguration\":{\"KinesisStreamARN\":"
            + "\"arn:aws:kinesis:eu-west-1:000000000000:stream/events\"},"
            + "\"ExtendedS3DestinationConfiguration\":{\"BucketARN\":\"arn:aws:s3:::raw\"}}");
    AwsErrorException kinesis =
        error(
            "PutRecord",
            "{\"DeliveryStreamName\":\"from-kinesis\",\"Record\":{\"Data\":\""
                + data("{}")
                + "\"}}");
    assertThat(kinesis.code()).isEqualTo("InvalidArgumentException");
    assertThat(kinesis.getMessage())
        .contains("KinesisStreamAsSource; put the records into the Kinesis stream 'events'");
    assertThat(error("PutRecordBatch", "{\"DeliveryStreamName\":\"nope\",\"Records\":[]}").code())
        .isEqualTo("ResourceNotFoundException");
  }

  @Test
  void deAggregationFromProcessingConfigurationIsAppliedAndDescribed() throws Exception {
    call(
        "CreateDeliveryStream",
        directPutToIceberg(
            "agg",
            "\"ProcessingConfiguration\":{\"Enabled\":true,\"Processors\":[{\"Type\":"
                + "\"RecordDeAggregation\",\"Parameters\":[{\"ParameterName\":\"SubRecordType\","
                + "\"ParameterValue\":\"DELIMITED\"},{\"ParameterName\":\"Delimiter\","
                + "\"ParameterValue\":\"IyMjIw==\"}]},{\"Type\":\"AppendDelimiterToRecord\"}]},"));
    call(
        "PutRecord",
        "{\"DeliveryStreamName\":\"agg\",\"Record\":{\"Data\":\""
            + data("{\"id\":7}####{\"id\":8}")
            + "\"}}");
    await(2);
    assertThat(ids()).containsExactly(7L, 8L);
    JsonNode d = call("DescribeDeliveryStream", "{\"DeliveryStreamName\":\"agg\"}");
    JsonNode p =
        d.at(
            "/DeliveryStreamDescription/Destinations/0/IcebergDestinationDescription"
                + "/ProcessingConfiguration");
    assertThat(p.path("Enabled").asBoolean()).isTrue();
    assertThat(p.at("/Processors/0/Type").asText()).isEqualTo("RecordDeAggregation");
    assertThat(p.at("/Processors/0/Parameters/1/ParameterValue").asText()).isEqualTo("IyMjIw==");

    // the delivery and its internal stream go together
    call("DeleteDeliveryStream", "{\"DeliveryStreamName\":\"agg\"}");
    assertThat(streams.listStreams()).containsExactly("events");
  }

  @Test
  void aLambdaProcessorNeedsBasinsJarExtension() {
    AwsErrorException e =
        error(
            "CreateDeliveryStream",
            directPutToIceberg(
                "l",
                "\"ProcessingConfiguration\":{\"Enabled\":true,\"Processors\":[{\"Type\":"
                    + "\"Lambda\",\"Parameters\":[{\"ParameterName\":\"LambdaArn\","
                    + "\"ParameterValue\":\"arn:aws:lambda:eu-west-1:0:function:f\"}]}]},"));
    assertThat(e.code()).isEqualTo("InvalidArgumentException");
    assertThat(e.getMessage())
        .contains("'arn:aws:lambda:eu-west-1:0:function:f' is not supported")
        .contains("basin:jar:/path/to/transform.jar");
    AwsErrorException missingJar =
        error(
            "CreateDeliveryStream",
            directPutToIceberg(
                "l",
                "\"ProcessingConfiguration\":{\"Enabled\":true,\"Processors\":[{\"Type\":"
                    + "\"Lambda\",\"Parameters\":[{\"ParameterName\":\"LambdaArn\","
                    + "\"ParameterValue\":\"basin:jar:/no/such.jar\"},{\"ParameterName\":"
                    + "\"NumberOfRetries\",\"ParameterValue\":\"3\"}]}]},"));
    assertThat(missingJar.code()).isEqualTo("InvalidArgumentException");
    assertThat(missingJar.getMessage()).contains("/no/such.jar");
    assertThat(engine.list()).isEmpty();
    assertThat(streams.listStreams()).containsExactly("events");
  }
}
