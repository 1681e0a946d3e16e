package dev.basin.it.kinesis;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BinaryNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.basin.it.BasinProcess;
import dev.basin.it.Expect;
import dev.basin.it.KinesisClients;
import dev.basin.it.KinesisReads;
import dev.basin.it.RawAws;
import dev.basin.it.RawAws.Format;
import dev.basin.it.RawAws.Response;
import dev.basin.server.auth.Credentials;
import dev.basin.server.auth.SigV4Signer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;

/**
 * Bad input of every kind, sent raw (signed with Basin's SigV4 signer, in JSON and in CBOR) and
 * through the AWS SDK where the SDK can send it. Each case checks the HTTP status, the error's
 * {@code __type}, that the message names the offending thing, that the error comes back in the
 * request's encoding — and, at the end, that the server still serves and that nothing acknowledged
 * before the barrage was lost and nothing refused was stored.
 */
@ExtendWith(BasinProcess.DumpLogsOnFailure.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BadInputIT {
  private static final String VICTIM = "victim";
  private static final int MIB = 1024 * 1024;

  @TempDir static Path dir;
  static BasinProcess basin;
  static RawAws raw;

  /** What the victim stream must hold at the end, by sequence number. */
  static final Map<String, Expected> expected = Collections.synchronizedMap(new LinkedHashMap<>());

  record Expected(String partitionKey, byte[] data) {}

  @BeforeAll
  static void startAndFill() {
    basin = BasinProcess.start(dir.resolve("data"));
    raw = new RawAws(basin.endpoint(), basin.credentials());
    try (KinesisClient k = sdk(true)) {
      k.createStream(r -> r.streamName(VICTIM).shardCount(2));
      k.waiter().waitUntilStreamExists(r -> r.streamName(VICTIM));
      List<PutRecordsRequestEntry> entries = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        entries.add(
            PutRecordsRequestEntry.builder()
                .partitionKey("canary-" + i)
                .data(SdkBytes.fromUtf8String("canary " + i))
                .build());
      }
      var r = k.putRecords(b -> b.streamName(VICTIM).records(entries));
      assertThat(r.failedRecordCount()).isZero();
      for (int i = 0; i < entries.size(); i++) {
        expected.put(
            r.records().get(i).sequenceNumber(),
            new Expected(entries.get(i).partitionKey(), entries.get(i).data().asByteArray()));
      }
    }
  }

  @AfterAll
  static void stop() {
    if (basin != null) {
      basin.close();
    }
  }

  private static KinesisClient sdk(boolean cbor) {
    return KinesisClients.client(
        basin.endpoint(),
        basin.credentials(),
        KinesisClients.Options.defaults(cbor).withoutRetries(),
        List.of());
  }

  // ---------------------------------------------------------------- encoding-level garbage

  @ParameterizedTest
  @EnumSource(Format.class)
  @Order(1)
  void malformedBodyIsASerializationException(Format f) {
    byte[] body =
        f == Format.JSON
            ? "{\"StreamName\": \"victim\", \"PartitionKey\": ".getBytes(StandardCharsets.UTF_8)
            // a map of one entry whose key claims 10 bytes of text but has 3
            : new byte[] {(byte) 0xA1, 0x6A, 'S', 't', 'r'};
    Response r = raw.send(f.contentType, "Kinesis_20131202.PutRecord", body);
    assertError(r, f, 400, "SerializationException", f.name());

    // bytes of the other encoding under this Content-Type
    Format other = f == Format.JSON ? Format.CBOR : Format.JSON;
    byte[] wrong = other.encode(putRecord(VICTIM, "pk", new byte[] {1, 2, 3}));
    Response r2 = raw.send(f.contentType, "Kinesis_20131202.PutRecord", wrong);
    assertThat(r2.status()).as("%s body sent as %s: %s", other, f, r2).isEqualTo(400);
    assertThat(r2.type()).isIn("SerializationException");
  }

  @ParameterizedTest
  @EnumSource(Format.class)
  @Order(1)
  void bodyThatIsNotAnObjectIsASerializationException(Format f) {
    ArrayNode array = f.mapper.createArrayNode();
    array.add(putRecord(VICTIM, "pk", new byte[] {1}));
    Response r = raw.send(f.contentType, "Kinesis_20131202.PutRecord", f.encode(array));
    assertError(r, f, 400, "SerializationException", "structure");
    Response scalar =
        raw.send(
            f.contentType,
            "Kinesis_20131202.PutRecord",
            f.encode(f.mapper.getNodeFactory().numberNode(42)));
    assertError(scalar, f, 400, "SerializationException", "structure");
  }

  @ParameterizedTest
  @EnumSource(Format.class)
  @Order(1)
  void deeplyNestedBodyIsRefusedNotACrash(Format f) {
    int depth = 100_000;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    if (f == Format.JSON) {
      out.writeBytes("{\"StreamName\":".getBytes(StandardCharsets.UTF_8));
      out.writeBytes("[".repeat(depth).getBytes(StandardCharsets.UTF_8));
      out.writeBytes("]".repeat(depth).getBytes(StandardCharsets.UTF_8));
      out.writeBytes("}".getBytes(StandardCharsets.UTF_8));
    } else {
      out.write(0xA1);
      out.write(0x6A);
      out.writeBytes("StreamName".getBytes(StandardCharsets.UTF_8));
      for (int i = 0; i < depth; i++) {
        out.write(0x81); // array of one element
      }
      out.write(0x01);
    }
    Response r = raw.send(f.contentType, "Kinesis_20131202.DescribeStream", out.toByteArray());
    assertThat(r.status()).as("nesting %s deep: %s", depth, r).isEqualTo(400);
    assertThat(r.type()).isEqualTo("SerializationException");
  }

  @ParameterizedTest
  @EnumSource(Format.class)
  @Order(1)
  void unknownOperationOrMissingTarget(Format f) {
    byte[] body = f.encode(RawAws.object().put("StreamName", VICTIM));
    assertError(
        raw.send(f.contentType, "Kinesis_20131202.DescribeEverything", body),
        f,
        400,
        "UnknownOperationException",
        "DescribeEverything");
    assertError(
        raw.send(f.contentType, "NoSuchService_20200101.ListThings", body),
        f,
        400,
        "UnknownOperationException",
        "NoSuchService_20200101.ListThings");
    assertError(
        raw.send(f.contentType, null, body), f, 400, "UnknownOperationException", "X-Amz-Target");
    assertError(
        raw.send(f.contentType, "Kinesis_20131202", body),
        f,
        400,
        "UnknownOperationException",
        "X-Amz-Target");
  }

  // ---------------------------------------------------------------- members

  @ParameterizedTest
  @EnumSource(Format.class)
  @Order(1)
  void missingRequiredMembersAreValidationExceptions(Format f) {
    ObjectNode noKey = RawAws.object().put("StreamName", VICTIM);
    noKey.set("Data", new BinaryNode(new byte[] {1}));
    assertError(raw.call(f, "PutRecord", noKey), f, 400, "ValidationException", "partitionKey");

    ObjectNode noData = RawAws.object().put("StreamName", VICTIM).put("PartitionKey", "pk");
    assertError(raw.call(f, "PutRecord", noData), f, 400, "ValidationException", "data");

    ObjectNode noStream = RawAws.object().put("PartitionKey", "pk");
    noStream.set("Data", new BinaryNode(new byte[] {1}));
    assertError(raw.call(f, "PutRecord", noStream), f, 400, "ValidationException", "streamName");

    assertError(
        raw.call(
            f,
            "GetShardIterator",
            RawAws.object().put("StreamName", VICTIM).put("ShardId", "shardId-000000000000")),
        f,
        400,
        "ValidationException",
        "shardIteratorType");
    assertError(
        raw.call(f, "GetRecords", RawAws.object()), f, 400, "ValidationException", "shardIterator");
    assertError(
        raw.call(f, "PutRecords", RawAws.object().put("StreamName", VICTIM)),
        f,
        400,
        "ValidationException",
        "records");
    assertError(
        raw.call(f, "CreateStream", RawAws.object().put("ShardCount", 1)),
        f,
        400,
        "ValidationException",
        "streamName");
    assertError(
        raw.call(
            f,
            "UpdateShardCount",
            RawAws.object().put("StreamName", VICTIM).put("ScalingType", "UNIFORM_SCALING")),
        f,
        400,
        "ValidationException",
        "targetShardCount");

    // the second of three entries lacks its key: the whole request is refused
    ObjectNode batch = RawAws.object().put("StreamName", VICTIM);
    ArrayNode records = batch.putArray("Records");
    records.add(entry("ok-1", new byte[] {1}));
    records.add(RawAws.object().set("Data", new BinaryNode(new byte[] {2})));
    records.add(entry("ok-3", new byte[] {3}));
    assertError(
        raw.call(f, "PutRecords", batch),
        f,
        400,
        "ValidationException",
        "records.2.member.partitionKey");
  }

  @ParameterizedTest
  @EnumSource(Format.class)
  @Order(1)
  void wrongMemberTypesAreSerializationExceptions(Format f) {
    ObjectNode numericName = RawAws.object().put("StreamName", 123).put("PartitionKey", "pk");
    numericName.set("Data", new BinaryNode(new byte[] {1}));
    assertError(
        raw.call(f, "PutRecord", numericName), f, 400, "SerializationException", "streamName");

    assertError(
        raw.call(
            f, "CreateStream", RawAws.object().put("StreamName", "typed").put("ShardCount", "two")),
        f,
        400,
        "SerializationException",
        "shardCount");
    assertError(
        raw.call(
            f, "CreateStream", RawAws.object().put("StreamName", "typed").put("ShardCount", 2.5)),
        f,
        400,
        "SerializationException",
        "shardCount");
    assertError(
        raw.call(
            f,
            "CreateStream",
            RawAws.object().put("StreamName", "typed").put("ShardCount", 1L << 40)),
        f,
        400,
        "SerializationException",
        "shardCount");
    ObjectNode recordsObject = RawAws.object().put("StreamName", VICTIM);
    recordsObject.putObject("Records");
    assertError(
        raw.call(f, "PutRecords", recordsObject), f, 400, "SerializationException", "records");
    ObjectNode recordsOfStrings = RawAws.object().put("StreamName", VICTIM);
    recordsOfStrings.putArray("Records").add("x");
    assertError(
        raw.call(f, "PutRecords", recordsOfStrings), f, 400, "SerializationException", "records");
    ObjectNode numericData =
        RawAws.object().put("StreamName", VICTIM).put("PartitionKey", "pk").put("Data", 123);
    assertError(raw.call(f, "PutRecord", numericData), f, 400, "SerializationException", "data");
    assertError(
        raw.call(f, "GetRecords", RawAws.object().put("ShardIterator", "x").put("Limit", "ten")),
        f,
        400,
        "SerializationException",
        "limit");
    ObjectNode tagList = RawAws.object().put("StreamName", VICTIM);
    tagList.putArray("Tags").add("a");
    assertError(raw.call(f, "AddTagsToStream", tagList), f, 400, "SerializationException", "tags");
    if (f == Format.JSON) {
      ObjectNode badBase64 =
          RawAws.object()
              .put("StreamName", VICTIM)
              .put("PartitionKey", "pk")
              .put("Data", "!!not base64!!");
      assertError(raw.call(f, "PutRecord", badBase64), f, 400, "SerializationException", "data");
    }
    assertThat(streamExists("typed")).as("no stream created by a refused CreateStream").isFalse();
  }

  @ParameterizedTest
  @EnumSource(Format.class)
  @Order(1)
  void outOfRangeValues(Format f) {
    String it = iterator(f, VICTIM, "shardId-000000000000", "TRIM_HORIZON");
    assertError(
        raw.call(f, "GetRecords", RawAws.object().put("ShardIterator", it).put("Limit", 0)),
        f,
        400,
        "ValidationException",
        "limit");
    assertError(
        raw.call(f, "GetRecords", RawAws.object().put("ShardIterator", it).put("Limit", 10_001)),
        f,
        400,
        "ValidationException",
        "limit");
    assertError(
        raw.call(f, "CreateStream", RawAws.object().put("StreamName", "zero").put("ShardCount", 0)),
        f,
        400,
        "ValidationException",
        "shardCount");
    assertThat(streamExists("zero")).isFalse();

    ObjectNode badHash = putRecord(VICTIM, "pk", new byte[] {1}).put("ExplicitHashKey", "abc");
    assertError(
        raw.call(f, "PutRecord", badHash), f, 400, "ValidationException", "explicitHashKey");
    ObjectNode hugeHash =
        putRecord(VICTIM, "pk", new byte[] {1})
            .put("ExplicitHashKey", BigInteger.ONE.shiftLeft(128).toString());
    Response huge = raw.call(f, "PutRecord", hugeHash);
    assertThat(huge.status()).as("%s", huge).isEqualTo(400);
    assertThat(huge.type()).isIn("ValidationException", "InvalidArgumentException");
    assertThat(huge.message()).containsIgnoringCase("ExplicitHashKey");
    ObjectNode badOrdering =
        putRecord(VICTIM, "pk", new byte[] {1}).put("SequenceNumberForOrdering", "12ab");
    assertError(
        raw.call(f, "PutRecord", badOrdering),
        f,
        400,
        "ValidationException",
        "sequenceNumberForOrdering");
    assertError(
        raw.call(f, "PutRecord", putRecord(VICTIM, "k".repeat(257), new byte[] {1})),
        f,
        400,
        "ValidationException",
        "partitionKey");
    assertError(
        raw.call(f, "PutRecord", putRecord(VICTIM, "", new byte[] {1})),
        f,
        400,
        "ValidationException",
        "partitionKey");

    assertError(
        raw.call(
            f,
            "GetShardIterator",
            RawAws.object()
                .put("StreamName", VICTIM)
                .put("ShardId", "shardId-000000000000")
                .put("ShardIteratorType", "AT_TIMESTAMP")),
        f,
        400,
        "InvalidArgumentException",
        "timestamp");
    String seqOfShard1 =
        expected.keySet().stream()
            .filter(s -> new BigInteger(s).shiftRight(64).intValue() == 2)
            .findFirst()
            .orElseThrow();
    assertError(
        raw.call(
            f,
            "GetShardIterator",
            RawAws.object()
                .put("StreamName", VICTIM)
                .put("ShardId", "shardId-000000000000")
                .put("ShardIteratorType", "AT_SEQUENCE_NUMBER")
                .put("StartingSequenceNumber", seqOfShard1)),
        f,
        400,
        "InvalidArgumentException",
        seqOfShard1);
    assertError(
        raw.call(f, "DescribeStream", RawAws.object().put("StreamARN", "arn:aws:s3:::bucket")),
        f,
        400,
        "InvalidArgumentException",
        "arn:aws:s3:::bucket");
    assertError(
        raw.call(
            f,
            "DescribeStream",
            RawAws.object()
                .put("StreamName", "other")
                .put("StreamARN", "arn:aws:kinesis:us-east-1:000000000000:stream/" + VICTIM)),
        f,
        400,
        "InvalidArgumentException",
        "other");
    assertError(
        raw.call(f, "DescribeStream", RawAws.object().put("StreamName", "no-such-stream")),
        f,
        400,
        "ResourceNotFoundException",
        "no-such-stream");
    assertError(
        raw.call(
            f,
            "GetShardIterator",
            RawAws.object()
                .put("StreamName", VICTIM)
                .put("ShardId", "shardId-000000000777")
                .put("ShardIteratorType", "LATEST")),
        f,
        400,
        "ResourceNotFoundException",
        "shardId-000000000777");
    assertError(
        raw.call(f, "CreateStream", RawAws.object().put("StreamName", VICTIM).put("ShardCount", 1)),
        f,
        400,
        "ResourceInUseException",
        VICTIM);
  }

  @ParameterizedTest
  @EnumSource(Format.class)
  @Order(1)
  void invalidStreamNames(Format f) {
    assertError(
        raw.call(f, "PutRecord", putRecord("bad name!", "pk", new byte[] {1})),
        f,
        400,
        "ValidationException",
        "bad name!");
    String longName = "n".repeat(129);
    assertError(
        raw.call(
            f, "CreateStream", RawAws.object().put("StreamName", longName).put("ShardCount", 1)),
        f,
        400,
        "ValidationException",
        "streamName");
    assertError(
        raw.call(f, "CreateStream", RawAws.object().put("StreamName", "a/b").put("ShardCount", 1)),
        f,
        400,
        "ValidationException",
        "a/b");
    assertError(
        raw.call(f, "CreateStream", RawAws.object().put("StreamName", "").put("ShardCount", 1)),
        f,
        400,
        "ValidationException",
        "streamName");
    try (KinesisClient k = sdk(f == Format.CBOR)) {
      AwsServiceException e =
          Expect.thrown(
              AwsServiceException.class,
              () -> k.createStream(r -> r.streamName("spaces are bad").shardCount(1)));
      assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ValidationException");
      assertThat(e.awsErrorDetails().errorMessage()).contains("spaces are bad");
    }
    assertThat(streamExists("a/b")).isFalse();
  }

  /**
   * "." and ".." match Kinesis's stream-name pattern [a-zA-Z0-9_.-]+. Basin may refuse them or
   * support them, but a stream it accepts must work, and its files must stay inside the streams
   * folder.
   */
  @ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {".", ".."})
  @Order(1)
  void dotStreamNamesAreRefusedOrWork(String name) {
    Format f = Format.JSON;
    Response create =
        raw.call(f, "CreateStream", RawAws.object().put("StreamName", name).put("ShardCount", 1));
    if (create.status() == 400) {
      assertError(create, f, 400, "ValidationException", "streamName");
      assertThat(streamExists(name)).isFalse();
      return;
    }
    assertThat(create.status()).as("CreateStream '%s': %s", name, create).isEqualTo(200);
    Path data = basin.dataDir();
    assertThat(data.resolve("stream.json"))
        .as("CreateStream '%s' must not write metadata outside DATA_DIR/streams", name)
        .doesNotExist();
    assertThat(data.resolve("streams").resolve("stream.json"))
        .as("CreateStream '%s' must not write metadata into DATA_DIR/streams itself", name)
        .doesNotExist();
    Response put =
        raw.call(f, "PutRecord", putRecord(name, "pk", "dot".getBytes(StandardCharsets.UTF_8)));
    assertThat(put.status())
        .as("PutRecord to stream '%s', which CreateStream accepted: %s", name, put)
        .isEqualTo(200);
    String it = iterator(f, name, "shardId-000000000000", "TRIM_HORIZON");
    Response get = raw.call(f, "GetRecords", RawAws.object().put("ShardIterator", it));
    assertThat(get.json().path("Records")).hasSize(1);
    Response delete = raw.call(f, "DeleteStream", RawAws.object().put("StreamName", name));
    assertThat(delete.status()).as("DeleteStream '%s': %s", name, delete).isEqualTo(200);
  }

  @ParameterizedTest
  @EnumSource(Format.class)
  @Order(1)
  void invalidShardIteratorType(Format f) {
    assertError(
        raw.call(
            f,
            "GetShardIterator",
            RawAws.object()
                .put("StreamName", VICTIM)
                .put("ShardId", "shardId-000000000000")
                .put("ShardIteratorType", "SOMETIMES")),
        f,
        400,
        "ValidationException",
        "SOMETIMES");
    try (KinesisClient k = sdk(f == Format.CBOR)) {
      AwsServiceException e =
          Expect.thrown(
              AwsServiceException.class,
              () ->
                  k.getShardIterator(
                      r ->
                          r.streamName(VICTIM)
                              .shardId("shardId-000000000000")
                              .shardIteratorType("at_sequence_number")));
      assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ValidationException");
      assertThat(e.awsErrorDetails().errorMessage())
          .contains("at_sequence_number")
          .contains("shardIteratorType");
    }
  }

  // ---------------------------------------------------------------- sizes

  @ParameterizedTest
  @EnumSource(Format.class)
  @Order(1)
  void oversizedRecordIsAValidationExceptionAndTheLimitItselfIsFine(Format f) {
    byte[] tooBig = new byte[MIB];
    assertError(
        raw.call(f, "PutRecord", putRecord(VICTIM, "k", tooBig)),
        f,
        400,
        "ValidationException",
        "data");

    ObjectNode batch = RawAws.object().put("StreamName", VICTIM);
    ArrayNode records = batch.putArray("Records");
    records.add(entry("small", new byte[] {1}));
    records.add(entry("k", tooBig));
    assertError(
        raw.call(f, "PutRecords", batch), f, 400, "ValidationException", "records.2.member.data");

    try (KinesisClient k = sdk(f == Format.CBOR)) {
      AwsServiceException e =
          Expect.thrown(
              AwsServiceException.class,
              () ->
                  k.putRecord(
                      r ->
                          r.streamName(VICTIM)
                              .partitionKey("k")
                              .data(SdkBytes.fromByteArray(tooBig))));
      assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ValidationException");
      assertThat(e.statusCode()).isEqualTo(400);

      // exactly 1 MiB of data plus partition key is accepted
      byte[] atLimit = new byte[MIB - 1];
      Arrays.fill(atLimit, (byte) 7);
      var ok =
          k.putRecord(
              r -> r.streamName(VICTIM).partitionKey("k").data(SdkBytes.fromByteArray(atLimit)));
      expected.put(ok.sequenceNumber(), new Expected("k", atLimit));
    }
  }

  @ParameterizedTest
  @EnumSource(Format.class)
  @Order(1)
  void requestOverFiveMibOfRecordsIsAnInvalidArgumentException(Format f) {
    try (KinesisClient k = sdk(f == Format.CBOR)) {
      List<PutRecordsRequestEntry> entries = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        entries.add(
            PutRecordsRequestEntry.builder()
                .partitionKey("big-" + i)
                .data(SdkBytes.fromByteArray(new byte[1_000_000]))
                .build());
      }
      AwsServiceException e =
          Expect.thrown(
              AwsServiceException.class,
              () -> k.putRecords(r -> r.streamName(VICTIM).records(entries)));
      assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidArgumentException");
      assertThat(e.statusCode()).isEqualTo(400);
      assertThat(e.awsErrorDetails().errorMessage()).contains("5 MB");
    }
  }

  @ParameterizedTest
  @EnumSource(Format.class)
  @Order(1)
  void bodyOverSixteenMibIsRefusedWith413WhenTheClientAsksFirst(Format f) {
    byte[] body = oversizedBody();
    // a client that asks first (Expect: 100-continue) is told before it sends the body
    Response asked = raw.postExpectingContinue(signedHeaders(f, body), body);
    assertThat(asked.status()).as("%s", asked).isEqualTo(413);
    assertThat(asked.type()).isEqualTo("RequestEntityTooLargeException");
    assertThat(asked.contentType()).isEqualTo(f.contentType);
    assertThat(asked.message()).contains("http.max-request-bytes");
  }

  @ParameterizedTest
  @EnumSource(Format.class)
  @Order(1)
  void chunkedBodyOverSixteenMibIsRefusedWith413(Format f) {
    // no Content-Length: the server finds out while reading
    byte[] body = oversizedBody();
    Response chunked = raw.postChunked(signedHeaders(f, body), body);
    assertThat(chunked.status()).as("chunked body over the limit: %s", chunked).isEqualTo(413);
    assertThat(chunked.type()).isEqualTo("RequestEntityTooLargeException");
    assertThat(chunked.contentType()).isEqualTo(f.contentType);
  }

  @ParameterizedTest
  @EnumSource(Format.class)
  @Order(1)
  void bodyOverSixteenMibThroughTheSdkGetsA413(Format f) {
    // the AWS SDK just sends the body (no Expect for Kinesis), then reads the answer: it must get
    // the 413 as a service error, not a broken connection
    try (KinesisClient k = sdk(f == Format.CBOR)) {
      List<PutRecordsRequestEntry> entries = new ArrayList<>();
      for (int i = 0; i < 17; i++) {
        entries.add(
            PutRecordsRequestEntry.builder()
                .partitionKey("huge-" + i)
                .data(SdkBytes.fromByteArray(new byte[1_000_000]))
                .build());
      }
      Throwable t =
          org.assertj.core.api.Assertions.catchThrowable(
              () -> k.putRecords(r -> r.streamName(VICTIM).records(entries)));
      assertThat(t)
          .as("PutRecords with a 17 MB body through the SDK: expected a 413 service error")
          .isInstanceOf(AwsServiceException.class);
      AwsServiceException e = (AwsServiceException) t;
      assertThat(e.statusCode()).isEqualTo(413);
      assertThat(e.awsErrorDetails().errorCode()).isEqualTo("RequestEntityTooLargeException");
    }
  }

  private static byte[] oversizedBody() {
    byte[] body = new byte[16 * MIB + 1024];
    Arrays.fill(body, (byte) ' ');
    body[0] = '{';
    body[body.length - 1] = '}';
    return body;
  }

  private static Map<String, String> signedHeaders(Format f, byte[] body) {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", f.contentType);
    headers.put("X-Amz-Target", "Kinesis_20131202.PutRecord");
    headers.putAll(
        new SigV4Signer(basin.credentials(), "us-east-1", "kinesis")
            .sign("POST", basin.endpoint().resolve("/"), headers, body, Instant.now()));
    return headers;
  }

  @ParameterizedTest
  @EnumSource(Format.class)
  @Order(1)
  void tooManyOrNoRecords(Format f) {
    ObjectNode batch = RawAws.object().put("StreamName", VICTIM);
    ArrayNode records = batch.putArray("Records");
    for (int i = 0; i < 501; i++) {
      records.add(entry("many-" + i, new byte[] {(byte) i}));
    }
    assertError(raw.call(f, "PutRecords", batch), f, 400, "ValidationException", "500");
    ObjectNode none = RawAws.object().put("StreamName", VICTIM);
    none.putArray("Records");
    assertError(raw.call(f, "PutRecords", none), f, 400, "ValidationException", "records");
  }

  // ---------------------------------------------------------------- iterators

  @ParameterizedTest
  @EnumSource(Format.class)
  @Order(1)
  void tamperedIteratorsAreRefused(Format f) {
    // iterators live 5 minutes and the TTL is not configurable per server, so expiry is not tested
    // end to end; forged and altered iterators take the same validation path.
    String it = iterator(f, VICTIM, "shardId-000000000000", "TRIM_HORIZON");
    for (int pos : new int[] {0, 5, it.length() / 2, it.length() - 3}) {
      char[] c = it.toCharArray();
      c[pos] = c[pos] == 'A' ? 'B' : 'A';
      String tampered = new String(c);
      assertError(
          raw.call(f, "GetRecords", RawAws.object().put("ShardIterator", tampered)),
          f,
          400,
          "InvalidArgumentException",
          "ShardIterator");
    }
    assertError(
        raw.call(f, "GetRecords", RawAws.object().put("ShardIterator", "not-an-iterator")),
        f,
        400,
        "InvalidArgumentException",
        "ShardIterator");
    assertError(
        raw.call(f, "GetRecords", RawAws.object().put("ShardIterator", it + it)),
        f,
        400,
        "InvalidArgumentException",
        "ShardIterator");
    assertError(
        raw.call(f, "GetRecords", RawAws.object().put("ShardIterator", "")),
        f,
        400,
        "ValidationException",
        "shardIterator");
    assertError(
        raw.call(f, "GetRecords", RawAws.object().put("ShardIterator", "x".repeat(513))),
        f,
        400,
        "ValidationException",
        "shardIterator");
    // the untouched iterator still works
    Response ok =
        raw.call(f, "GetRecords", RawAws.object().put("ShardIterator", it).put("Limit", 1));
    assertThat(ok.status()).as("%s", ok).isEqualTo(200);
    assertThat(ok.json().path("Records")).hasSize(1);
    try (KinesisClient k = sdk(f == Format.CBOR)) {
      char[] c = it.toCharArray();
      c[10] = c[10] == 'x' ? 'y' : 'x';
      AwsServiceException e =
          Expect.thrown(
              AwsServiceException.class, () -> k.getRecords(r -> r.shardIterator(new String(c))));
      assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidArgumentException");
    }
  }

  @ParameterizedTest
  @EnumSource(Format.class)
  @Order(1)
  void iteratorOfADeletedAndRecreatedStreamIsResourceNotFound(Format f) {
    String name = "phoenix-" + f.name().toLowerCase();
    try (KinesisClient k = sdk(f == Format.CBOR)) {
      k.createStream(r -> r.streamName(name).shardCount(1));
      k.putRecord(
          r -> r.streamName(name).partitionKey("old").data(SdkBytes.fromUtf8String("old life")));
      String old =
          k.getShardIterator(
                  r ->
                      r.streamName(name)
                          .shardId("shardId-000000000000")
                          .shardIteratorType(ShardIteratorType.TRIM_HORIZON))
              .shardIterator();
      k.deleteStream(r -> r.streamName(name));
      AwsServiceException deleted =
          Expect.thrown(AwsServiceException.class, () -> k.getRecords(r -> r.shardIterator(old)));
      assertThat(deleted.awsErrorDetails().errorCode()).isEqualTo("ResourceNotFoundException");
      assertThat(deleted.awsErrorDetails().errorMessage()).contains(name);

      k.createStream(r -> r.streamName(name).shardCount(1));
      k.putRecord(
          r -> r.streamName(name).partitionKey("new").data(SdkBytes.fromUtf8String("new life")));
      AwsServiceException recreated =
          Expect.thrown(AwsServiceException.class, () -> k.getRecords(r -> r.shardIterator(old)));
      assertThat(recreated.awsErrorDetails().errorCode()).isEqualTo("ResourceNotFoundException");
      assertThat(recreated.awsErrorDetails().errorMessage()).contains(name);
      // and the new stream holds only its own record
      List<Record> now = KinesisReads.readShard(k, name, "shardId-000000000000", 100).records();
      assertThat(now).extracting(x -> x.data().asUtf8String()).containsExactly("new life");
      k.deleteStream(r -> r.streamName(name));
    }
  }

  // ---------------------------------------------------------------- authentication

  @ParameterizedTest
  @EnumSource(Format.class)
  @Order(1)
  void authenticationFailures(Format f) {
    String target = "Kinesis_20131202.PutRecord";
    byte[] body =
        f.encode(putRecord(VICTIM, "auth", "must not be stored".getBytes(StandardCharsets.UTF_8)));
    Credentials good = basin.credentials();

    Response missing = raw.send(f.contentType, target, body, null, Map.of());
    assertError(missing, f, 400, "MissingAuthenticationTokenException", "Authentication Token");

    Response incomplete =
        raw.send(
            f.contentType,
            target,
            body,
            null,
            Map.of("Authorization", "AWS4-HMAC-SHA256 Credential=" + good.accessKeyId()));
    assertError(incomplete, f, 400, "IncompleteSignatureException", "");
    Response otherScheme =
        raw.send(
            f.contentType,
            target,
            body,
            null,
            Map.of("Authorization", "Bearer " + good.accessKeyId() + ":" + good.secretAccessKey()));
    assertError(otherScheme, f, 400, "IncompleteSignatureException", "Bearer");
    assertThat(otherScheme.message()).doesNotContain(good.secretAccessKey());

    Response unknown =
        raw.send(
            f.contentType,
            target,
            body,
            new Credentials("AKIDUNKNOWNUNKNOWN01", "secret"),
            Map.of());
    assertError(unknown, f, 400, "UnrecognizedClientException", "security token");

    Response wrongSecret =
        raw.send(
            f.contentType,
            target,
            body,
            new Credentials(good.accessKeyId(), "wrong-secret"),
            Map.of());
    assertError(wrongSecret, f, 400, "InvalidSignatureException", "signature");

    // a correctly signed request changed afterwards: other target, other body
    Response retargeted =
        raw.send(
            f.contentType,
            target,
            body,
            good,
            Map.of("X-Amz-Target", "Kinesis_20131202.DeleteStream"));
    assertError(retargeted, f, 400, "InvalidSignatureException", "signature");
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", f.contentType);
    headers.put("X-Amz-Target", target);
    headers.putAll(
        new SigV4Signer(good, "us-east-1", "kinesis")
            .sign("POST", basin.endpoint().resolve("/"), headers, body, Instant.now()));
    byte[] altered =
        f.encode(
            putRecord(VICTIM, "auth", "altered after signing".getBytes(StandardCharsets.UTF_8)));
    assertError(raw.post(headers, altered), f, 400, "InvalidSignatureException", "signature");

    // signed an hour ago
    Map<String, String> old = new LinkedHashMap<>();
    old.put("Content-Type", f.contentType);
    old.put("X-Amz-Target", target);
    old.putAll(
        new SigV4Signer(good, "us-east-1", "kinesis")
            .sign(
                "POST",
                basin.endpoint().resolve("/"),
                old,
                body,
                Instant.now().minus(Duration.ofHours(1))));
    assertError(raw.post(old, body), f, 400, "InvalidSignatureException", "Signature expired");

    // a properly signed request is fine: the only one of these that stores a record
    byte[] okData = ("signed properly " + f).getBytes(StandardCharsets.UTF_8);
    Response ok =
        raw.send(
            f.contentType, target, f.encode(putRecord(VICTIM, "auth", okData)), good, Map.of());
    assertThat(ok.status()).as("%s", ok).isEqualTo(200);
    expected.put(ok.json().path("SequenceNumber").asText(), new Expected("auth", okData));
  }

  // ---------------------------------------------------------------- native API

  @Test
  @Order(1)
  void nativeApiNeedsTheBearerTokenAndRefusesMalformedNdjsonWhole() throws Exception {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    URI streams = basin.endpoint().resolve("/api/v1/streams");
    HttpResponse<String> none =
        http.send(
            HttpRequest.newBuilder(streams).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertNativeError(none, 401, "UNAUTHENTICATED", "Bearer");
    assertThat(none.headers().firstValue("WWW-Authenticate"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
    HttpResponse<String> wrong =
        http.send(
            HttpRequest.newBuilder(streams)
                .header("Authorization", "Bearer " + basin.credentials().accessKeyId() + ":nope")
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertNativeError(wrong, 401, "UNAUTHENTICATED", "Bearer");
    assertThat(wrong.body()).doesNotContain(basin.credentials().secretAccessKey());
    HttpResponse<String> unauthPut =
        http.send(
            HttpRequest.newBuilder(streams.resolve("/api/v1/streams/" + VICTIM + "/records"))
                .header("Content-Type", "application/x-ndjson")
                .POST(HttpRequest.BodyPublishers.ofString("{\"a\":1}\n"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertNativeError(unauthPut, 401, "UNAUTHENTICATED", "Bearer");

    String bearer = basin.bearer();
    String ndjson = "{\"id\":1}\n{\"id\":2}\n{\"id\": 3,,}\n{\"id\":4}\n";
    HttpResponse<String> bad =
        http.send(
            HttpRequest.newBuilder(streams.resolve("/api/v1/streams/" + VICTIM + "/records"))
                .header("Authorization", bearer)
                .header("Content-Type", "application/x-ndjson")
                .POST(HttpRequest.BodyPublishers.ofString(ndjson))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertNativeError(bad, 400, "INVALID_ARGUMENT", "line 3");
    HttpResponse<String> noKeyField =
        http.send(
            HttpRequest.newBuilder(
                    streams.resolve("/api/v1/streams/" + VICTIM + "/records?partitionKeyField=id"))
                .header("Authorization", bearer)
                .POST(HttpRequest.BodyPublishers.ofString("{\"id\":1}\n{\"other\":2}\n"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertNativeError(noKeyField, 400, "INVALID_ARGUMENT", "'id'");
    HttpResponse<String> empty =
        http.send(
            HttpRequest.newBuilder(streams.resolve("/api/v1/streams/" + VICTIM + "/records"))
                .header("Authorization", bearer)
                .POST(HttpRequest.BodyPublishers.ofString("\n\n"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertNativeError(empty, 400, "INVALID_ARGUMENT", "no records");
    HttpResponse<String> badCreate =
        http.send(
            HttpRequest.newBuilder(streams)
                .header("Authorization", bearer)
                .POST(HttpRequest.BodyPublishers.ofString("[1,2]"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertNativeError(badCreate, 400, "INVALID_ARGUMENT", "object");
    HttpResponse<String> missingStream =
        http.send(
            HttpRequest.newBuilder(streams.resolve("/api/v1/streams/nope"))
                .header("Authorization", bearer)
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertNativeError(missingStream, 404, "STREAM_NOT_FOUND", "nope");
  }

  @Test
  @Order(1)
  void nativeApiStoresNothingWhenALaterLineBreaksARecordLimit() throws Exception {
    String stream = "ndjson-all-or-nothing";
    assertThat(
            nativeCall("POST", "/api/v1/streams", "{\"name\":\"" + stream + "\",\"shards\":1}")
                .statusCode())
        .isEqualTo(201);
    StringBuilder body = new StringBuilder();
    for (int i = 1; i <= 500; i++) {
      body.append("{\"i\":").append(i).append("}\n");
    }
    body.append("{\"big\":\"").append("x".repeat(1_100_000)).append("\"}\n"); // line 501: > 1 MiB
    HttpResponse<String> r =
        nativeCall("POST", "/api/v1/streams/" + stream + "/records", body.toString());
    int stored;
    try (KinesisClient k = sdk(true)) {
      stored = KinesisReads.readShard(k, stream, "shardId-000000000000", 1000).records().size();
    }
    assertThat(r.statusCode()).as("%s", abbreviate(r.body())).isEqualTo(400);
    assertThat(stored)
        .as("records stored by an NDJSON request refused with 400 (the API promises: nothing)")
        .isZero();
    assertThat(r.body()).as("the error names line 501").contains("line 501");
  }

  @Test
  @Order(1)
  void nativeApiNeverAltersRecordBytes() throws Exception {
    String stream = "ndjson-bytes";
    assertThat(
            nativeCall("POST", "/api/v1/streams", "{\"name\":\"" + stream + "\",\"shards\":1}")
                .statusCode())
        .isEqualTo(201);
    // valid JSON syntax, but the string holds a byte that is not UTF-8
    byte[] line = {'{', '"', 'a', '"', ':', '"', (byte) 0xFF, '"', '}', '\n'};
    HttpResponse<String> r =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .build()
            .send(
                HttpRequest.newBuilder(
                        basin.endpoint().resolve("/api/v1/streams/" + stream + "/records"))
                    .header("Authorization", basin.bearer())
                    .POST(HttpRequest.BodyPublishers.ofByteArray(line))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    try (KinesisClient k = sdk(true)) {
      List<Record> stored =
          KinesisReads.readShard(k, stream, "shardId-000000000000", 100).records();
      if (r.statusCode() == 400) {
        assertThat(stored).isEmpty();
      } else {
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(stored).hasSize(1);
        assertThat(stored.get(0).data().asByteArray())
            .as(
                "stored bytes of a line that is not valid UTF-8 (expected: refused with 400, or stored as sent)")
            .isEqualTo(Arrays.copyOf(line, line.length - 1));
      }
    }
  }

  @Test
  @Order(1)
  void nativeApiCreateRefusesMalformedFieldsWith400() throws Exception {
    Map<String, String> cases = new LinkedHashMap<>();
    cases.put("{\"name\":\"tags-list\",\"tags\":[1,2]}", "tags");
    cases.put("{\"name\":\"tags-number\",\"tags\":{\"team\":1}}", "tags");
    cases.put("{\"name\":\"shards-text\",\"shards\":\"abc\"}", "abc");
    cases.put("{\"name\":\"shards-fraction\",\"shards\":2.5}", "2.5");
    cases.put("{\"name\":\"shards-huge\",\"shards\":99999999999}", "99999999999");
    List<String> problems = new ArrayList<>();
    for (var c : cases.entrySet()) {
      HttpResponse<String> r = nativeCall("POST", "/api/v1/streams", c.getKey());
      String contentType = r.headers().firstValue("Content-Type").orElse("");
      if (r.statusCode() != 400
          || !contentType.startsWith("application/json")
          || !r.body().contains(c.getValue())) {
        problems.add(
            c.getKey()
                + " -> HTTP "
                + r.statusCode()
                + " "
                + contentType
                + " "
                + abbreviate(r.body()));
      }
    }
    for (String name :
        List.of("tags-list", "tags-number", "shards-text", "shards-fraction", "shards-huge")) {
      if (streamExists(name)) {
        problems.add("stream " + name + " was created");
      }
    }
    assertThat(problems)
        .as(
            "each malformed create must get a 400 JSON error naming the bad value, and create nothing")
        .isEmpty();
  }

  private static HttpResponse<String> nativeCall(String method, String path, String body)
      throws Exception {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .build()
        .send(
            HttpRequest.newBuilder(basin.endpoint().resolve(path))
                .header("Authorization", basin.bearer())
                .method(
                    method,
                    body == null
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body))
                .timeout(Duration.ofSeconds(60))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  private static String abbreviate(String s) {
    return s.length() <= 300 ? s : s.substring(0, 300) + "…";
  }

  // ---------------------------------------------------------------- afterwards

  @Test
  @Order(Integer.MAX_VALUE)
  void afterTheBarrageTheServerServesAndNothingWasLostOrAdded() {
    assertThat(basin.isAlive()).isTrue();
    for (boolean cbor : new boolean[] {true, false}) {
      try (KinesisClient k = sdk(cbor)) {
        var put =
            k.putRecord(
                r ->
                    r.streamName(VICTIM)
                        .partitionKey("after")
                        .data(SdkBytes.fromUtf8String("after " + cbor)));
        expected.put(
            put.sequenceNumber(),
            new Expected("after", ("after " + cbor).getBytes(StandardCharsets.UTF_8)));
        Record got =
            k.getRecords(
                    r ->
                        r.shardIterator(
                                k.getShardIterator(
                                        g ->
                                            g.streamName(VICTIM)
                                                .shardId(put.shardId())
                                                .shardIteratorType(
                                                    ShardIteratorType.AT_SEQUENCE_NUMBER)
                                                .startingSequenceNumber(put.sequenceNumber()))
                                    .shardIterator())
                            .limit(1))
                .records()
                .get(0);
        assertThat(got.data().asUtf8String()).isEqualTo("after " + cbor);
      }
    }
    try (KinesisClient k = sdk(true)) {
      Map<String, Expected> actual = new LinkedHashMap<>();
      for (var read : KinesisReads.readStreamByLineage(k, VICTIM, 1000)) {
        for (Record r : read.records()) {
          actual.put(r.sequenceNumber(), new Expected(r.partitionKey(), r.data().asByteArray()));
        }
      }
      assertThat(actual.keySet())
          .as("sequence numbers in the victim stream")
          .containsExactlyInAnyOrderElementsOf(expected.keySet());
      for (var e : expected.entrySet()) {
        Expected a = actual.get(e.getKey());
        assertThat(a.partitionKey()).isEqualTo(e.getValue().partitionKey());
        assertThat(Arrays.equals(a.data(), e.getValue().data()))
            .as("data of %s", e.getKey())
            .isTrue();
      }
    }
  }

  // ---------------------------------------------------------------- helpers

  private static void assertError(
      Response r, Format f, int status, String type, String messagePart) {
    assertThat(r.status()).as("status of %s", r).isEqualTo(status);
    assertThat(r.contentType()).as("error encoding of %s", r).isEqualTo(f.contentType);
    assertThat(r.json()).as("decodable error body: %s", r).isNotNull();
    assertThat(r.type()).as("__type of %s", r).isEqualTo(type);
    assertThat(r.message()).as("message of %s", r).isNotBlank().contains(messagePart);
    assertThat(r.headers().get("x-amzn-errortype")).as("x-amzn-ErrorType").isEqualTo(type);
  }

  private static void assertNativeError(
      HttpResponse<String> r, int status, String code, String messagePart) throws IOException {
    assertThat(r.statusCode()).as("%s %s", r.request().uri(), r.body()).isEqualTo(status);
    assertThat(r.headers().firstValue("Content-Type"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
    JsonNode body = Format.JSON.mapper.readTree(r.body());
    assertThat(body.path("error").path("code").asText()).isEqualTo(code);
    assertThat(body.path("error").path("message").asText()).contains(messagePart);
  }

  private static ObjectNode putRecord(String stream, String key, byte[] data) {
    ObjectNode o = RawAws.object().put("StreamName", stream).put("PartitionKey", key);
    o.set("Data", new BinaryNode(data));
    return o;
  }

  private static ObjectNode entry(String key, byte[] data) {
    ObjectNode o = RawAws.object().put("PartitionKey", key);
    o.set("Data", new BinaryNode(data));
    return o;
  }

  private static String iterator(Format f, String stream, String shard, String type) {
    Response r =
        raw.call(
            f,
            "GetShardIterator",
            RawAws.object()
                .put("StreamName", stream)
                .put("ShardId", shard)
                .put("ShardIteratorType", type));
    assertThat(r.status()).as("%s", r).isEqualTo(200);
    return r.json().path("ShardIterator").asText();
  }

  private static boolean streamExists(String name) {
    Response r = raw.call(Format.JSON, "ListStreams", RawAws.object());
    for (JsonNode n : r.json().path("StreamNames")) {
      if (n.asText().equals(name)) {
        return true;
      }
    }
    return false;
  }
}
