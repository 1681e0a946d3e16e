package dev.basin.it.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.basin.it.BasinProcess;
import dev.basin.it.NativeApi;
import dev.basin.it.Poll;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.firehose.FirehoseClient;
import software.amazon.awssdk.services.firehose.model.DeliveryStreamDescription;
import software.amazon.awssdk.services.firehose.model.DeliveryStreamType;
import software.amazon.awssdk.services.firehose.model.InvalidArgumentException;
import software.amazon.awssdk.services.firehose.model.PutRecordBatchResponse;
import software.amazon.awssdk.services.firehose.model.Record;
import software.amazon.awssdk.services.firehose.model.ResourceNotFoundException;

/**
 * The AWS SDK v2 {@code FirehoseClient} against Basin: a direct-put delivery stream into an Iceberg
 * table created, described, listed, fed with PutRecord and PutRecordBatch, and deleted; every
 * record lands in the table exactly once; bad input gets the SDK's typed exceptions.
 */
@ExtendWith(BasinProcess.DumpLogsOnFailure.class)
class FirehoseSdkIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void firehoseClientDeliversDirectPutsIntoAnIcebergTableExactlyOnce() throws Exception {
    try (BasinProcess server = BasinProcess.start(dir.resolve("data"));
        FirehoseClient firehose =
            FirehoseClient.builder()
                .endpointOverride(server.endpoint())
                .region(Region.US_EAST_1)
                .httpClient(ApacheHttpClient.builder().build())
                .credentialsProvider(
                    StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(
                            server.credentials().accessKeyId(),
                            server.credentials().secretAccessKey())))
                .build()) {
      api(server, "POST", "/api/v1/catalog/databases", "{\"name\":\"lake\"}", 201);
      api(
          server,
          "POST",
          "/api/v1/catalog/databases/lake/tables",
          "{\"name\":\"orders\",\"columns\":[{\"name\":\"id\",\"type\":\"bigint\"},"
              + "{\"name\":\"total\",\"type\":\"double\"}]}",
          201);

      String arn =
          firehose
              .createDeliveryStream(
                  b ->
                      b.deliveryStreamName("orders")
                          .deliveryStreamType(DeliveryStreamType.DIRECT_PUT)
                          .icebergDestinationConfiguration(
                              i ->
                                  i.roleARN("arn:aws:iam::000000000000:role/basin")
                                      .catalogConfiguration(
                                          c ->
                                              c.catalogARN(
                                                  "arn:aws:glue:us-east-1:000000000000:catalog"))
                                      .destinationTableConfigurationList(
                                          t ->
                                              t.destinationDatabaseName("lake")
                                                  .destinationTableName("orders"))
                                      .bufferingHints(h -> h.sizeInMBs(1).intervalInSeconds(1))
                                      .s3Configuration(
                                          s ->
                                              s.bucketARN("arn:aws:s3:::raw")
                                                  .roleARN(
                                                      "arn:aws:iam::000000000000:role/basin"))))
              .deliveryStreamARN();
      assertThat(arn).endsWith(":deliverystream/orders");

      DeliveryStreamDescription d =
          firehose
              .describeDeliveryStream(b -> b.deliveryStreamName("orders"))
              .deliveryStreamDescription();
      assertThat(d.deliveryStreamStatusAsString()).isEqualTo("ACTIVE");
      assertThat(d.deliveryStreamType()).isEqualTo(DeliveryStreamType.DIRECT_PUT);
      assertThat(firehose.listDeliveryStreams(b -> b.limit(10)).deliveryStreamNames())
          .containsExactly("orders");

      String first =
          firehose
              .putRecord(
                  b ->
                      b.deliveryStreamName("orders")
                          .record(r -> r.data(bytes("{\"id\": 0, \"total\": 1.5}"))))
              .recordId();
      assertThat(first).isNotEmpty();
      int total = 1;
      for (int batch = 0; batch < 4; batch++) {
        List<Record> records = new ArrayList<>();
        for (int i = 0; i < 250; i++) {
          int id = total + i;
          records.add(Record.builder().data(bytes("{\"id\": " + id + ", \"total\": 2}")).build());
        }
        PutRecordBatchResponse r =
            firehose.putRecordBatch(b -> b.deliveryStreamName("orders").records(records));
        assertThat(r.failedPutCount()).isZero();
        assertThat(r.requestResponses()).hasSize(250).allMatch(e -> e.recordId() != null);
        total += 250;
      }
      int expected = total;
      Poll.until(
          Duration.ofSeconds(60),
          expected + " rows in lake.orders",
          () -> totalRecords(server) == expected);
      Thread.sleep(2_500); // more than two buffering intervals: nothing arrives twice
      assertThat(totalRecords(server)).isEqualTo(expected);

      List<Record> tooMany = new ArrayList<>();
      for (int i = 0; i < 501; i++) {
        tooMany.add(Record.builder().data(bytes("{}")).build());
      }
      assertThatThrownBy(
              () -> firehose.putRecordBatch(b -> b.deliveryStreamName("orders").records(tooMany)))
          .isInstanceOf(InvalidArgumentException.class)
          .hasMessageContaining("500");
      assertThatThrownBy(() -> firehose.describeDeliveryStream(b -> b.deliveryStreamName("nope")))
          .isInstanceOf(ResourceNotFoundException.class);

      firehose.deleteDeliveryStream(b -> b.deliveryStreamName("orders"));
      assertThat(firehose.listDeliveryStreams(b -> b.limit(10)).deliveryStreamNames()).isEmpty();
      assertThat(totalRecords(server)).isEqualTo(expected);
    }
  }

  private static SdkBytes bytes(String s) {
    return SdkBytes.fromString(s, StandardCharsets.UTF_8);
  }

  private long totalRecords(BasinProcess server) {
    try {
      JsonNode t = api(server, "GET", "/api/v1/catalog/databases/lake/tables/orders", null, 200);
      return t.at("/currentSnapshot/summary/total-records").asLong(0);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private JsonNode api(BasinProcess server, String method, String path, String body, int status) {
    return NativeApi.call(server, method, path, body, status);
  }
}
