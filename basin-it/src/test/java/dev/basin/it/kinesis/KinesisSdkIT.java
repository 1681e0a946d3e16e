package dev.basin.it.kinesis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.basin.it.BasinProcess;
import dev.basin.it.Expect;
import dev.basin.it.KinesisClients;
import dev.basin.it.KinesisReads;
import dev.basin.it.KinesisReads.ShardRead;
import dev.basin.it.Poll;
import dev.basin.server.auth.Credentials;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.waiters.WaiterResponse;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.DescribeStreamResponse;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.ListShardsResponse;
import software.amazon.awssdk.services.kinesis.model.ListStreamsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResultEntry;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.ResourceNotFoundException;
import software.amazon.awssdk.services.kinesis.model.ScalingType;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.ShardFilterType;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;
import software.amazon.awssdk.services.kinesis.model.StreamDescription;
import software.amazon.awssdk.services.kinesis.model.StreamDescriptionSummary;
import software.amazon.awssdk.services.kinesis.model.StreamStatus;
import software.amazon.awssdk.services.kinesis.model.Tag;

/**
 * The AWS SDK for Java v2 against a real Basin server process, once in CBOR (the SDK default) and
 * once in JSON ({@code aws.cborEnabled=false}): control plane, every iterator type, resharding with
 * lineage-ordered reads, retention, tags, deletion and authentication failures. Every test checks
 * that its requests really travelled in the encoding it is about.
 */
@ExtendWith(BasinProcess.DumpLogsOnFailure.class)
class KinesisSdkIT {
  private static final BigInteger MAX_HASH = BigInteger.ONE.shiftLeft(128).subtract(BigInteger.ONE);
  private static final Duration CLOSE_TO_NOW = Duration.ofMinutes(5);

  @TempDir static Path dir;
  static BasinProcess basin;

  @BeforeAll
  static void startServer() {
    // 64 KiB segments: reads, seeks by sequence number and by timestamp cross segment files, and
    // 1 MiB records are larger than a segment
    basin =
        BasinProcess.builder(dir.resolve("data"))
            .args("--set", "streams.segment-bytes=65536")
            .start();
  }

  @AfterAll
  static void stopServer() {
    if (basin != null) {
      basin.close();
    }
  }

  private static final class Session implements AutoCloseable {
    final boolean cbor;
    final KinesisClients.ContentTypes contentTypes = new KinesisClients.ContentTypes();
    final KinesisClient k;

    Session(boolean cbor) {
      this.cbor = cbor;
      this.k =
          KinesisClients.client(
              basin.endpoint(),
              basin.credentials(),
              KinesisClients.Options.defaults(cbor),
              List.of(contentTypes));
    }

    String name(String base) {
      return base + (cbor ? "-cbor" : "-json");
    }

    /** Every request of this session went out in the encoding under test. */
    void assertEncoding() {
      assertThat(contentTypes.seen())
          .as("Content-Type of every request")
          .containsExactly(cbor ? "application/x-amz-cbor-1.1" : "application/x-amz-json-1.1");
    }

    @Override
    public void close() {
      k.close();
    }
  }

  // ---------------------------------------------------------------- control plane

  @ParameterizedTest(name = "cbor={0}")
  @ValueSource(booleans = {true, false})
  void createDescribeListStreamsAndShards(boolean cbor) {
    try (Session s = new Session(cbor)) {
      KinesisClient k = s.k;
      String name = s.name("control");
      long before = System.currentTimeMillis();
      k.createStream(r -> r.streamName(name).shardCount(3));
      WaiterResponse<DescribeStreamResponse> waited =
          k.waiter().waitUntilStreamExists(r -> r.streamName(name));
      assertThat(waited.matched().response()).isPresent();

      StreamDescription d = k.describeStream(r -> r.streamName(name)).streamDescription();
      assertThat(d.streamName()).isEqualTo(name);
      assertThat(d.streamARN()).isEqualTo("arn:aws:kinesis:us-east-1:000000000000:stream/" + name);
      assertThat(d.streamStatus()).isEqualTo(StreamStatus.ACTIVE);
      assertThat(d.retentionPeriodHours()).isEqualTo(24);
      assertThat(d.hasMoreShards()).isFalse();
      assertCloseToNow(d.streamCreationTimestamp());
      assertThat(d.streamCreationTimestamp().toEpochMilli()).isGreaterThanOrEqualTo(before - 1000);
      assertThat(d.shards()).extracting(Shard::shardId).containsExactly(ids(0, 1, 2));
      assertContiguousFullRange(d.shards());
      for (Shard sh : d.shards()) {
        assertThat(sh.parentShardId()).isNull();
        assertThat(sh.sequenceNumberRange().startingSequenceNumber()).isNotNull();
        assertThat(sh.sequenceNumberRange().endingSequenceNumber()).isNull();
      }
      // DescribeStream pagination by Limit + ExclusiveStartShardId
      StreamDescription page1 =
          k.describeStream(r -> r.streamName(name).limit(2)).streamDescription();
      assertThat(page1.shards()).extracting(Shard::shardId).containsExactly(ids(0, 1));
      assertThat(page1.hasMoreShards()).isTrue();
      StreamDescription page2 =
          k.describeStream(r -> r.streamName(name).limit(2).exclusiveStartShardId(ids(1)[0]))
              .streamDescription();
      assertThat(page2.shards()).extracting(Shard::shardId).containsExactly(ids(2));
      assertThat(page2.hasMoreShards()).isFalse();

      StreamDescriptionSummary sum =
          k.describeStreamSummary(r -> r.streamName(name)).streamDescriptionSummary();
      assertThat(sum.openShardCount()).isEqualTo(3);
      assertThat(sum.retentionPeriodHours()).isEqualTo(24);
      assertThat(sum.streamStatus()).isEqualTo(StreamStatus.ACTIVE);
      assertThat(sum.streamModeDetails().streamModeAsString()).isEqualTo("PROVISIONED");
      assertThat(sum.streamARN()).isEqualTo(d.streamARN());
      assertCloseToNow(sum.streamCreationTimestamp());

      // ListStreams, one name per page
      k.createStream(r -> r.streamName(name + "-b").shardCount(1));
      k.createStream(r -> r.streamName(name + "-c").shardCount(1));
      List<String> listed = new ArrayList<>();
      ListStreamsResponse lp = k.listStreams(r -> r.limit(1));
      int pages = 1;
      listed.addAll(lp.streamNames());
      assertThat(lp.streamSummaries()).extracting(x -> x.streamName()).isEqualTo(lp.streamNames());
      while (lp.hasMoreStreams()) {
        assertThat(lp.nextToken()).as("NextToken when HasMoreStreams").isNotNull();
        String token = lp.nextToken();
        lp = k.listStreams(r -> r.limit(1).nextToken(token));
        assertThat(lp.streamNames()).hasSizeLessThanOrEqualTo(1);
        listed.addAll(lp.streamNames());
        assertThat(pages++).isLessThan(1000);
      }
      assertThat(listed).doesNotHaveDuplicates().isSorted();
      assertThat(listed).contains(name, name + "-b", name + "-c");
      assertThat(k.listStreams(r -> r.exclusiveStartStreamName(name)).streamNames())
          .startsWith(name + "-b", name + "-c")
          .doesNotContain(name);

      // ListShards: MaxResults + NextToken
      List<String> paged = new ArrayList<>();
      ListShardsResponse sp = k.listShards(r -> r.streamName(name).maxResults(1));
      paged.addAll(sp.shards().stream().map(Shard::shardId).toList());
      while (sp.nextToken() != null) {
        String token = sp.nextToken();
        sp = k.listShards(r -> r.nextToken(token).maxResults(1));
        paged.addAll(sp.shards().stream().map(Shard::shardId).toList());
        assertThat(paged.size()).isLessThan(100);
      }
      assertThat(paged).containsExactly(ids(0, 1, 2));
      assertThat(shardIds(k.listShards(r -> r.streamName(name).exclusiveStartShardId(ids(0)[0]))))
          .containsExactly(ids(1, 2));

      // ShardFilter before any reshard
      assertThat(filtered(k, name, ShardFilterType.AT_LATEST, null, null))
          .containsExactly(ids(0, 1, 2));
      assertThat(filtered(k, name, ShardFilterType.AT_TRIM_HORIZON, null, null))
          .containsExactly(ids(0, 1, 2));
      assertThat(filtered(k, name, ShardFilterType.FROM_TRIM_HORIZON, null, null))
          .containsExactly(ids(0, 1, 2));
      assertThat(filtered(k, name, ShardFilterType.AFTER_SHARD_ID, ids(0)[0], null))
          .containsExactly(ids(1, 2));

      // split shard 0, then filter by time on both sides of the split
      Instant beforeSplit = Instant.ofEpochMilli(System.currentTimeMillis());
      Poll.clockPast(beforeSplit.toEpochMilli() + 2);
      BigInteger mid =
          new BigInteger(d.shards().get(0).hashKeyRange().endingHashKey()).shiftRight(1);
      k.splitShard(
          r -> r.streamName(name).shardToSplit(ids(0)[0]).newStartingHashKey(mid.toString()));
      // strictly after the parent closed (it closed before the SplitShard answer arrived)
      Instant afterSplit = Instant.ofEpochMilli(System.currentTimeMillis() + 1);
      Poll.clockPast(afterSplit.toEpochMilli() + 1);
      assertThat(filtered(k, name, ShardFilterType.AT_LATEST, null, null))
          .containsExactly(ids(1, 2, 3, 4));
      assertThat(filtered(k, name, ShardFilterType.FROM_TRIM_HORIZON, null, null))
          .containsExactly(ids(0, 1, 2, 3, 4));
      assertThat(filtered(k, name, ShardFilterType.AT_TRIM_HORIZON, null, null))
          .containsExactly(ids(0, 1, 2));
      assertThat(filtered(k, name, ShardFilterType.AT_TIMESTAMP, null, beforeSplit))
          .as(
              "shards open at a time before the split (timestamp travels as %s)",
              s.cbor ? "CBOR epoch millis" : "JSON epoch seconds")
          .containsExactly(ids(0, 1, 2));
      assertThat(filtered(k, name, ShardFilterType.AT_TIMESTAMP, null, afterSplit))
          .containsExactly(ids(1, 2, 3, 4));
      assertThat(filtered(k, name, ShardFilterType.FROM_TIMESTAMP, null, beforeSplit))
          .containsExactly(ids(0, 1, 2, 3, 4));
      assertThat(filtered(k, name, ShardFilterType.FROM_TIMESTAMP, null, afterSplit))
          .containsExactly(ids(1, 2, 3, 4));
      // a filter carried across pages by the NextToken
      List<String> filteredPaged = new ArrayList<>();
      ListShardsResponse fp =
          k.listShards(
              r ->
                  r.streamName(name)
                      .maxResults(1)
                      .shardFilter(f -> f.type(ShardFilterType.AT_LATEST)));
      filteredPaged.addAll(shardIds(fp));
      while (fp.nextToken() != null) {
        String token = fp.nextToken();
        fp = k.listShards(r -> r.nextToken(token).maxResults(1));
        filteredPaged.addAll(shardIds(fp));
        assertThat(filteredPaged.size()).isLessThan(100);
      }
      assertThat(filteredPaged).containsExactly(ids(1, 2, 3, 4));
      List<Shard> all = KinesisReads.listAllShards(k, name);
      Shard parent = all.get(0);
      assertThat(parent.sequenceNumberRange().endingSequenceNumber())
          .as("a closed shard has an EndingSequenceNumber")
          .isNotNull();
      assertThat(all.get(3).parentShardId()).isEqualTo(ids(0)[0]);
      assertThat(all.get(4).parentShardId()).isEqualTo(ids(0)[0]);
      assertThat(all.get(3).hashKeyRange().endingHashKey())
          .isEqualTo(mid.subtract(BigInteger.ONE).toString());
      assertThat(all.get(4).hashKeyRange().startingHashKey()).isEqualTo(mid.toString());
      assertContiguousFullRange(
          all.stream()
              .filter(x -> x.sequenceNumberRange().endingSequenceNumber() == null)
              .toList());

      k.deleteStream(r -> r.streamName(name + "-b"));
      k.deleteStream(r -> r.streamName(name + "-c"));
      s.assertEncoding();
    }
  }

  // ---------------------------------------------------------------- data plane

  @ParameterizedTest(name = "cbor={0}")
  @ValueSource(booleans = {true, false})
  void putAndReadWithEveryIteratorType(boolean cbor) {
    try (Session s = new Session(cbor)) {
      KinesisClient k = s.k;
      String name = s.name("data");
      k.createStream(r -> r.streamName(name).shardCount(2));
      k.waiter().waitUntilStreamExists(r -> r.streamName(name));
      List<Shard> shards = k.describeStream(r -> r.streamName(name)).streamDescription().shards();
      Random random = new Random(42);

      // expected content per shard, in sequence order
      Map<String, List<Put>> byShard = new LinkedHashMap<>();
      shards.forEach(sh -> byShard.put(sh.shardId(), new ArrayList<>()));

      byte[] single = bytes(random, 100);
      PutRecordResponse p1 =
          k.putRecord(
              r ->
                  r.streamName(name).partitionKey("single-1").data(SdkBytes.fromByteArray(single)));
      assertThat(p1.shardId()).isEqualTo(owner(shards, "single-1"));
      record(byShard, new Put(p1.shardId(), p1.sequenceNumber(), "single-1", single));

      byte[] low = bytes(random, 10);
      PutRecordResponse p2 =
          k.putRecord(
              r ->
                  r.streamName(name)
                      .partitionKey("explicit-low")
                      .explicitHashKey("0")
                      .data(SdkBytes.fromByteArray(low)));
      assertThat(p2.shardId()).isEqualTo(ids(0)[0]);
      record(byShard, new Put(p2.shardId(), p2.sequenceNumber(), "explicit-low", low));

      byte[] high = bytes(random, 10);
      PutRecordResponse p3 =
          k.putRecord(
              r ->
                  r.streamName(name)
                      .partitionKey("explicit-high")
                      .explicitHashKey(MAX_HASH.toString())
                      .sequenceNumberForOrdering(p1.sequenceNumber())
                      .data(SdkBytes.fromByteArray(high)));
      assertThat(p3.shardId()).isEqualTo(ids(1)[0]);
      record(byShard, new Put(p3.shardId(), p3.sequenceNumber(), "explicit-high", high));

      // a 500-record batch; some records empty, some binary, some large
      List<PutRecordsRequestEntry> batch = new ArrayList<>();
      List<byte[]> batchData = new ArrayList<>();
      for (int i = 0; i < 500; i++) {
        byte[] data = i % 50 == 0 ? bytes(random, 20_000) : bytes(random, random.nextInt(300));
        batchData.add(data);
        String pk = "key-" + (i % 37);
        batch.add(
            PutRecordsRequestEntry.builder()
                .partitionKey(pk)
                .data(SdkBytes.fromByteArray(data))
                .build());
      }
      PutRecordsResponse pr = k.putRecords(r -> r.streamName(name).records(batch));
      assertThat(pr.failedRecordCount()).isZero();
      assertThat(pr.records()).hasSize(500);
      for (int i = 0; i < 500; i++) {
        PutRecordsResultEntry e = pr.records().get(i);
        String pk = batch.get(i).partitionKey();
        assertThat(e.errorCode()).isNull();
        assertThat(e.shardId()).as("shard of %s", pk).isEqualTo(owner(shards, pk));
        record(byShard, new Put(e.shardId(), e.sequenceNumber(), pk, batchData.get(i)));
      }

      // TRIM_HORIZON: everything, in order, byte for byte
      for (Shard sh : shards) {
        ShardRead read = KinesisReads.readShard(k, name, sh.shardId(), 97);
        assertThat(read.closed()).isFalse();
        assertRecordsEqual(read.records(), byShard.get(sh.shardId()));
        GetRecordsResponse tail =
            k.getRecords(
                r ->
                    r.shardIterator(
                        iterator(k, name, sh.shardId(), ShardIteratorType.LATEST, null, null)));
        assertThat(tail.millisBehindLatest()).as("MillisBehindLatest when caught up").isZero();
      }
      for (List<Put> puts : byShard.values()) {
        for (int i = 1; i < puts.size(); i++) {
          assertThat(new BigInteger(puts.get(i).seq))
              .as("sequence numbers increase along a shard in put order")
              .isGreaterThan(new BigInteger(puts.get(i - 1).seq));
        }
      }

      // LATEST, then new records
      String shard0 = ids(0)[0];
      String latest = iterator(k, name, shard0, ShardIteratorType.LATEST, null, null);
      GetRecordsResponse empty = k.getRecords(r -> r.shardIterator(latest));
      assertThat(empty.records()).isEmpty();
      assertThat(empty.millisBehindLatest()).isZero();
      assertThat(empty.nextShardIterator()).isNotNull();
      List<Put> fresh = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        byte[] data = ("fresh-" + i).getBytes(StandardCharsets.UTF_8);
        String pk = "fresh-" + i;
        PutRecordResponse p =
            k.putRecord(
                r ->
                    r.streamName(name)
                        .partitionKey(pk)
                        .explicitHashKey("1")
                        .data(SdkBytes.fromByteArray(data)));
        Put put = new Put(p.shardId(), p.sequenceNumber(), pk, data);
        fresh.add(put);
        record(byShard, put);
      }
      GetRecordsResponse afterLatest =
          k.getRecords(r -> r.shardIterator(empty.nextShardIterator()));
      assertRecordsEqual(afterLatest.records(), fresh);
      assertThat(afterLatest.millisBehindLatest()).isZero();

      // AT_SEQUENCE_NUMBER / AFTER_SEQUENCE_NUMBER
      List<Put> s0 = byShard.get(shard0);
      Put tenth = s0.get(9);
      GetRecordsResponse at =
          k.getRecords(
              r ->
                  r.shardIterator(
                          iterator(
                              k,
                              name,
                              shard0,
                              ShardIteratorType.AT_SEQUENCE_NUMBER,
                              tenth.seq,
                              null))
                      .limit(2));
      assertRecordsEqual(at.records(), s0.subList(9, 11));
      GetRecordsResponse after =
          k.getRecords(
              r ->
                  r.shardIterator(
                          iterator(
                              k,
                              name,
                              shard0,
                              ShardIteratorType.AFTER_SEQUENCE_NUMBER,
                              tenth.seq,
                              null))
                      .limit(2));
      assertRecordsEqual(after.records(), s0.subList(10, 12));
      Put last = s0.get(s0.size() - 1);
      GetRecordsResponse afterLast =
          k.getRecords(
              r ->
                  r.shardIterator(
                      iterator(
                          k,
                          name,
                          shard0,
                          ShardIteratorType.AFTER_SEQUENCE_NUMBER,
                          last.seq,
                          null)));
      assertThat(afterLast.records()).isEmpty();

      // AT_TIMESTAMP between two puts (CBOR carries epoch millis, JSON epoch seconds)
      // x must not share its millisecond with the records before it
      Poll.clockPast(System.currentTimeMillis() + 1);
      byte[] xData = "before-the-mark".getBytes(StandardCharsets.UTF_8);
      PutRecordResponse x =
          k.putRecord(
              r ->
                  r.streamName(name)
                      .partitionKey("ts")
                      .explicitHashKey("2")
                      .data(SdkBytes.fromByteArray(xData)));
      record(byShard, new Put(x.shardId(), x.sequenceNumber(), "ts", xData));
      Record xRead =
          k.getRecords(
                  r ->
                      r.shardIterator(
                              iterator(
                                  k,
                                  name,
                                  shard0,
                                  ShardIteratorType.AT_SEQUENCE_NUMBER,
                                  x.sequenceNumber(),
                                  null))
                          .limit(1))
              .records()
              .get(0);
      Instant mark = xRead.approximateArrivalTimestamp().plusMillis(1);
      Poll.clockPast(mark.toEpochMilli() + 1);
      byte[] yData = "after-the-mark".getBytes(StandardCharsets.UTF_8);
      PutRecordResponse y =
          k.putRecord(
              r ->
                  r.streamName(name)
                      .partitionKey("ts")
                      .explicitHashKey("2")
                      .data(SdkBytes.fromByteArray(yData)));
      Put yPut = new Put(y.shardId(), y.sequenceNumber(), "ts", yData);
      record(byShard, yPut);
      GetRecordsResponse atTs =
          k.getRecords(
              r ->
                  r.shardIterator(
                      iterator(k, name, shard0, ShardIteratorType.AT_TIMESTAMP, null, mark)));
      assertThat(atTs.records())
          .as(
              "AT_TIMESTAMP %s (x arrived %s) starts with the record put after the mark",
              mark, xRead.approximateArrivalTimestamp())
          .isNotEmpty();
      assertRecordsEqual(atTs.records(), List.of(yPut));
      GetRecordsResponse atXTs =
          k.getRecords(
              r ->
                  r.shardIterator(
                      iterator(
                          k,
                          name,
                          shard0,
                          ShardIteratorType.AT_TIMESTAMP,
                          null,
                          xRead.approximateArrivalTimestamp())));
      assertThat(atXTs.records())
          .extracting(Record::sequenceNumber)
          .first()
          .isEqualTo(x.sequenceNumber());
      GetRecordsResponse atEpoch =
          k.getRecords(
              r ->
                  r.shardIterator(
                          iterator(
                              k,
                              name,
                              shard0,
                              ShardIteratorType.AT_TIMESTAMP,
                              null,
                              Instant.ofEpochSecond(1)))
                      .limit(1));
      assertRecordsEqual(atEpoch.records(), s0.subList(0, 1));
      GetRecordsResponse atFuture =
          k.getRecords(
              r ->
                  r.shardIterator(
                      iterator(
                          k,
                          name,
                          shard0,
                          ShardIteratorType.AT_TIMESTAMP,
                          null,
                          Instant.now().plusSeconds(3600))));
      assertThat(atFuture.records()).isEmpty();

      // a final full read still matches everything put
      for (Shard sh : shards) {
        assertRecordsEqual(
            KinesisReads.readShard(k, name, sh.shardId(), 10_000).records(),
            byShard.get(sh.shardId()));
      }
      k.deleteStream(r -> r.streamName(name));
      s.assertEncoding();
    }
  }

  @ParameterizedTest(name = "cbor={0}")
  @ValueSource(booleans = {true, false})
  void largeRecordsComeBackWhole(boolean cbor) {
    try (Session s = new Session(cbor)) {
      KinesisClient k = s.k;
      String name = s.name("large");
      k.createStream(r -> r.streamName(name).shardCount(1));
      List<byte[]> sent = new ArrayList<>();
      Random random = new Random(7);
      for (int call = 0; call < 3; call++) {
        List<PutRecordsRequestEntry> entries = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
          byte[] data = bytes(random, 1024 * 1024 - 1); // plus the 1-byte key: exactly 1 MiB
          sent.add(data);
          entries.add(
              PutRecordsRequestEntry.builder()
                  .partitionKey("k")
                  .data(SdkBytes.fromByteArray(data))
                  .build());
        }
        PutRecordsResponse r = k.putRecords(b -> b.streamName(name).records(entries));
        assertThat(r.failedRecordCount()).isZero();
      }
      String it = iterator(k, name, ids(0)[0], ShardIteratorType.TRIM_HORIZON, null, null);
      List<byte[]> read = new ArrayList<>();
      for (int call = 0; call < 100 && read.size() < sent.size(); call++) {
        String current = it;
        GetRecordsResponse r = k.getRecords(b -> b.shardIterator(current));
        long bytes = r.records().stream().mapToLong(x -> x.data().asByteArray().length + 1).sum();
        assertThat(bytes)
            .as("one GetRecords answer carries at most 10 MiB")
            .isLessThanOrEqualTo(10L * 1024 * 1024);
        assertThat(r.records()).as("GetRecords makes progress while records remain").isNotEmpty();
        r.records().forEach(x -> read.add(x.data().asByteArray()));
        it = r.nextShardIterator();
      }
      assertThat(read).hasSameSizeAs(sent);
      for (int i = 0; i < sent.size(); i++) {
        assertThat(Arrays.equals(read.get(i), sent.get(i))).as("record %s", i).isTrue();
      }
      k.deleteStream(r -> r.streamName(name));
      s.assertEncoding();
    }
  }

  @ParameterizedTest(name = "cbor={0}")
  @ValueSource(booleans = {true, false})
  void aReaderOfASplitShardReadsToItsEndAndIsSentToTheChildren(boolean cbor) {
    try (Session s = new Session(cbor)) {
      KinesisClient k = s.k;
      String name = s.name("split-read");
      k.createStream(r -> r.streamName(name).shardCount(1));
      List<String> before = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        String pk = "before-" + i;
        before.add(
            k.putRecord(r -> r.streamName(name).partitionKey(pk).data(SdkBytes.fromUtf8String(pk)))
                .sequenceNumber());
      }
      String parent = ids(0)[0];
      String latestBefore = iterator(k, name, parent, ShardIteratorType.LATEST, null, null);
      GetRecordsResponse first =
          k.getRecords(
              r ->
                  r.shardIterator(
                          iterator(k, name, parent, ShardIteratorType.TRIM_HORIZON, null, null))
                      .limit(2));
      assertThat(first.records())
          .extracting(Record::sequenceNumber)
          .containsExactlyElementsOf(before.subList(0, 2));
      assertThat(first.millisBehindLatest())
          .as("MillisBehindLatest while records remain")
          .isNotNull();

      BigInteger mid = MAX_HASH.shiftRight(1);
      k.splitShard(r -> r.streamName(name).shardToSplit(parent).newStartingHashKey(mid.toString()));
      List<String> after = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        String pk = "after-" + i;
        after.add(
            k.putRecord(r -> r.streamName(name).partitionKey(pk).data(SdkBytes.fromUtf8String(pk)))
                .sequenceNumber());
      }

      // the iterator issued before the split reads the rest of the parent, then ends
      GetRecordsResponse rest =
          k.getRecords(r -> r.shardIterator(first.nextShardIterator()).limit(100));
      assertThat(rest.records())
          .extracting(Record::sequenceNumber)
          .containsExactlyElementsOf(before.subList(2, 5));
      assertThat(rest.nextShardIterator())
          .as("NextShardIterator at the end of a closed shard")
          .isNull();
      assertThat(rest.childShards())
          .extracting(c -> c.shardId())
          .containsExactlyInAnyOrder(ids(1, 2));
      for (var child : rest.childShards()) {
        assertThat(child.parentShards()).containsExactly(parent);
      }
      assertThat(rest.childShards())
          .extracting(c -> c.hashKeyRange().startingHashKey())
          .containsExactlyInAnyOrder("0", mid.toString());

      GetRecordsResponse latest = k.getRecords(r -> r.shardIterator(latestBefore));
      assertThat(latest.records()).as("LATEST issued before the split").isEmpty();
      assertThat(latest.nextShardIterator()).isNull();
      assertThat(latest.childShards()).hasSize(2);

      String ending =
          KinesisReads.listAllShards(k, name).get(0).sequenceNumberRange().endingSequenceNumber();
      assertThat(ending).isEqualTo(before.get(4));
      GetRecordsResponse atEnd =
          k.getRecords(
              r ->
                  r.shardIterator(
                      iterator(
                          k, name, parent, ShardIteratorType.AT_SEQUENCE_NUMBER, ending, null)));
      assertThat(atEnd.records()).extracting(Record::sequenceNumber).containsExactly(ending);
      assertThat(atEnd.nextShardIterator()).isNull();
      GetRecordsResponse afterEnd =
          k.getRecords(
              r ->
                  r.shardIterator(
                      iterator(
                          k, name, parent, ShardIteratorType.AFTER_SEQUENCE_NUMBER, ending, null)));
      assertThat(afterEnd.records()).isEmpty();
      assertThat(afterEnd.nextShardIterator()).isNull();
      assertThat(afterEnd.childShards()).hasSize(2);
      GetRecordsResponse latestNow =
          k.getRecords(
              r ->
                  r.shardIterator(iterator(k, name, parent, ShardIteratorType.LATEST, null, null)));
      assertThat(latestNow.records()).isEmpty();
      assertThat(latestNow.nextShardIterator()).isNull();

      List<String> inChildren = new ArrayList<>();
      for (String child : ids(1, 2)) {
        ShardRead read = KinesisReads.readShard(k, name, child, 100);
        read.records().forEach(r -> inChildren.add(r.sequenceNumber()));
        for (Record r : read.records()) {
          assertThat(new BigInteger(r.sequenceNumber()))
              .as("child sequence numbers exceed the parent's")
              .isGreaterThan(new BigInteger(ending));
        }
      }
      assertThat(inChildren).containsExactlyInAnyOrderElementsOf(after);
      k.deleteStream(r -> r.streamName(name));
      s.assertEncoding();
    }
  }

  @ParameterizedTest(name = "cbor={0}")
  @ValueSource(booleans = {true, false})
  void onDemandModeAndLimits(boolean cbor) {
    try (Session s = new Session(cbor)) {
      KinesisClient k = s.k;
      String name = s.name("on-demand");
      k.createStream(r -> r.streamName(name).streamModeDetails(m -> m.streamMode("ON_DEMAND")));
      StreamDescriptionSummary sum = summary(k, name);
      assertThat(sum.streamModeDetails().streamModeAsString()).isEqualTo("ON_DEMAND");
      assertThat(sum.openShardCount()).isEqualTo(4);
      AwsServiceException e =
          Expect.thrown(
              AwsServiceException.class,
              () ->
                  k.updateShardCount(
                      r ->
                          r.streamName(name)
                              .targetShardCount(2)
                              .scalingType(ScalingType.UNIFORM_SCALING)));
      assertThat(e.awsErrorDetails().errorCode())
          .isIn("InvalidArgumentException", "ValidationException");
      k.updateStreamMode(
          r -> r.streamARN(sum.streamARN()).streamModeDetails(m -> m.streamMode("PROVISIONED")));
      assertThat(summary(k, name).streamModeDetails().streamModeAsString())
          .isEqualTo("PROVISIONED");
      k.updateShardCount(
          r -> r.streamName(name).targetShardCount(2).scalingType(ScalingType.UNIFORM_SCALING));
      assertThat(summary(k, name).openShardCount()).isEqualTo(2);
      var limits = k.describeLimits();
      assertThat(limits.openShardCount()).isGreaterThanOrEqualTo(2);
      assertThat(limits.shardLimit()).isPositive();
      // by ARN instead of name
      assertThat(
              k.describeStreamSummary(r -> r.streamARN(sum.streamARN()))
                  .streamDescriptionSummary()
                  .streamName())
          .isEqualTo(name);
      k.deleteStream(r -> r.streamARN(sum.streamARN()));
      assertThat(k.listStreams().streamNames()).doesNotContain(name);
      s.assertEncoding();
    }
  }

  // ---------------------------------------------------------------- resharding

  @ParameterizedTest(name = "cbor={0}")
  @ValueSource(booleans = {true, false})
  void reshardWhileWritingKeepsPerKeyOrderAcrossLineage(boolean cbor) throws Exception {
    try (Session s = new Session(cbor)) {
      KinesisClient k = s.k;
      String name = s.name("reshard");
      k.createStream(r -> r.streamName(name).shardCount(2));
      k.waiter().waitUntilStreamExists(r -> r.streamName(name));
      int keys = 20;
      Map<String, List<Integer>> acked = new ConcurrentHashMap<>();
      for (int i = 0; i < keys; i++) {
        acked.put(key(i), new CopyOnWriteArrayList<>());
      }
      AtomicBoolean stop = new AtomicBoolean();
      AtomicInteger total = new AtomicInteger();
      AtomicReference<Throwable> writerError = new AtomicReference<>();
      Thread writer =
          new Thread(
              () -> {
                int[] counters = new int[keys];
                int round = 0;
                try {
                  while (!stop.get()) {
                    if (round % 2 == 0) {
                      List<PutRecordsRequestEntry> entries = new ArrayList<>();
                      for (int i = 0; i < keys; i++) {
                        entries.add(
                            PutRecordsRequestEntry.builder()
                                .partitionKey(key(i))
                                .data(SdkBytes.fromUtf8String(key(i) + ":" + (counters[i] + 0)))
                                .build());
                      }
                      PutRecordsResponse r = k.putRecords(b -> b.streamName(name).records(entries));
                      if (r.failedRecordCount() != 0) {
                        throw new AssertionError("PutRecords failed records: " + r.records());
                      }
                      for (int i = 0; i < keys; i++) {
                        acked.get(key(i)).add(counters[i]++);
                      }
                      total.addAndGet(keys);
                    } else {
                      for (int i = 0; i < keys; i++) {
                        String pk = key(i);
                        String payload = pk + ":" + counters[i];
                        k.putRecord(
                            b ->
                                b.streamName(name)
                                    .partitionKey(pk)
                                    .data(SdkBytes.fromUtf8String(payload)));
                        acked.get(pk).add(counters[i]++);
                        total.incrementAndGet();
                      }
                    }
                    round++;
                  }
                } catch (Throwable t) {
                  writerError.set(t);
                }
              },
              "reshard-writer");
      writer.start();
      try {
        waitForMore(total, 100, writerError);
        List<Shard> open = openShards(k, name);
        Shard first = open.get(0);
        BigInteger splitAt =
            new BigInteger(first.hashKeyRange().startingHashKey())
                .add(new BigInteger(first.hashKeyRange().endingHashKey()))
                .shiftRight(1);
        k.splitShard(
            r ->
                r.streamName(name)
                    .shardToSplit(first.shardId())
                    .newStartingHashKey(splitAt.toString()));
        assertThat(openShards(k, name)).hasSize(3);
        waitForMore(total, 100, writerError);

        List<Shard> afterSplit = openShards(k, name);
        Shard a = afterSplit.get(0);
        Shard b = afterSplit.get(1);
        assertThat(new BigInteger(a.hashKeyRange().endingHashKey()).add(BigInteger.ONE))
            .isEqualTo(new BigInteger(b.hashKeyRange().startingHashKey()));
        k.mergeShards(
            r -> r.streamName(name).shardToMerge(a.shardId()).adjacentShardToMerge(b.shardId()));
        assertThat(openShards(k, name)).hasSize(2);
        waitForMore(total, 100, writerError);

        var up =
            k.updateShardCount(
                r ->
                    r.streamName(name)
                        .targetShardCount(4)
                        .scalingType(ScalingType.UNIFORM_SCALING));
        assertThat(up.currentShardCount()).isEqualTo(2);
        assertThat(up.targetShardCount()).isEqualTo(4);
        assertThat(openShards(k, name)).hasSize(4);
        waitForMore(total, 100, writerError);

        k.updateShardCount(
            r -> r.streamName(name).targetShardCount(2).scalingType(ScalingType.UNIFORM_SCALING));
        assertThat(openShards(k, name)).hasSize(2);
        waitForMore(total, 100, writerError);

        k.updateShardCount(
            r -> r.streamName(name).targetShardCount(3).scalingType(ScalingType.UNIFORM_SCALING));
        assertThat(openShards(k, name)).hasSize(3);
        assertContiguousFullRange(openShards(k, name));
        waitForMore(total, 100, writerError);
      } finally {
        stop.set(true);
        writer.join(Duration.ofSeconds(60).toMillis());
      }
      assertThat(writer.isAlive()).as("writer stopped").isFalse();
      if (writerError.get() != null) {
        throw new AssertionError("writer failed", writerError.get());
      }

      List<Shard> shards = KinesisReads.listAllShards(k, name);
      Map<String, Shard> byId = new HashMap<>();
      shards.forEach(x -> byId.put(x.shardId(), x));
      List<ShardRead> reads = KinesisReads.readStreamByLineage(k, name, 1000);
      Map<String, List<Integer>> seen = new HashMap<>();
      for (ShardRead read : reads) {
        Shard shard = byId.get(read.shardId());
        boolean closed = shard.sequenceNumberRange().endingSequenceNumber() != null;
        assertThat(read.closed()).as("%s closed", read.shardId()).isEqualTo(closed);
        if (closed) {
          assertThat(read.childShards())
              .as("ChildShards of closed %s", read.shardId())
              .isNotEmpty();
          for (var child : read.childShards()) {
            assertThat(child.parentShards()).contains(read.shardId());
            Shard c = byId.get(child.shardId());
            assertThat(c).as("child %s is listed", child.shardId()).isNotNull();
            assertThat(
                    List.of(
                        String.valueOf(c.parentShardId()),
                        String.valueOf(c.adjacentParentShardId())))
                .contains(read.shardId());
          }
          if (!read.records().isEmpty()) {
            assertThat(read.records().get(read.records().size() - 1).sequenceNumber())
                .as("EndingSequenceNumber of %s is its last record", read.shardId())
                .isEqualTo(shard.sequenceNumberRange().endingSequenceNumber());
          }
        }
        BigInteger prev = BigInteger.valueOf(-1);
        for (Record r : read.records()) {
          BigInteger seq = new BigInteger(r.sequenceNumber());
          assertThat(seq).isGreaterThan(prev);
          prev = seq;
          assertThat(KinesisReads.owns(shard, KinesisReads.hashKey(r.partitionKey())))
              .as("record of %s stored in %s", r.partitionKey(), shard.shardId())
              .isTrue();
          String[] parts = r.data().asUtf8String().split(":");
          assertThat(parts[0]).isEqualTo(r.partitionKey());
          seen.computeIfAbsent(parts[0], x -> new ArrayList<>()).add(Integer.parseInt(parts[1]));
        }
      }
      assertThat(total.get()).isGreaterThanOrEqualTo(600);
      for (int i = 0; i < keys; i++) {
        assertThat(seen.get(key(i)))
            .as("records of %s read by lineage: in order, none lost, none repeated", key(i))
            .isEqualTo(List.copyOf(acked.get(key(i))));
      }
      k.deleteStream(r -> r.streamName(name));
      s.assertEncoding();
    }
  }

  // ---------------------------------------------------------------- retention, tags, delete

  @ParameterizedTest(name = "cbor={0}")
  @ValueSource(booleans = {true, false})
  void retentionTagsAndDelete(boolean cbor) {
    try (Session s = new Session(cbor)) {
      KinesisClient k = s.k;
      String name = s.name("lifecycle");
      k.createStream(r -> r.streamName(name).shardCount(1));
      k.waiter().waitUntilStreamExists(r -> r.streamName(name));

      k.increaseStreamRetentionPeriod(r -> r.streamName(name).retentionPeriodHours(72));
      assertThat(summary(k, name).retentionPeriodHours()).isEqualTo(72);
      k.decreaseStreamRetentionPeriod(r -> r.streamName(name).retentionPeriodHours(48));
      assertThat(summary(k, name).retentionPeriodHours()).isEqualTo(48);
      AwsServiceException shorter =
          Expect.thrown(
              AwsServiceException.class,
              () ->
                  k.increaseStreamRetentionPeriod(
                      r -> r.streamName(name).retentionPeriodHours(24)));
      assertThat(shorter.awsErrorDetails().errorCode()).isEqualTo("InvalidArgumentException");
      assertThat(summary(k, name).retentionPeriodHours()).isEqualTo(48);

      k.addTagsToStream(
          r -> r.streamName(name).tags(Map.of("team", "data", "env", "test", "cost", "")));
      assertThat(k.listTagsForStream(r -> r.streamName(name)).tags())
          .extracting(Tag::key, Tag::value)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple("cost", ""),
              org.assertj.core.groups.Tuple.tuple("env", "test"),
              org.assertj.core.groups.Tuple.tuple("team", "data"));
      var firstPage = k.listTagsForStream(r -> r.streamName(name).limit(2));
      assertThat(firstPage.tags()).extracting(Tag::key).containsExactly("cost", "env");
      assertThat(firstPage.hasMoreTags()).isTrue();
      assertThat(k.listTagsForStream(r -> r.streamName(name).exclusiveStartTagKey("env")).tags())
          .extracting(Tag::key)
          .containsExactly("team");
      k.addTagsToStream(r -> r.streamName(name).tags(Map.of("env", "prod")));
      k.removeTagsFromStream(r -> r.streamName(name).tagKeys("cost", "absent"));
      assertThat(k.listTagsForStream(r -> r.streamName(name)).tags())
          .extracting(Tag::key, Tag::value)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple("env", "prod"),
              org.assertj.core.groups.Tuple.tuple("team", "data"));

      k.putRecord(r -> r.streamName(name).partitionKey("p").data(SdkBytes.fromUtf8String("x")));
      k.deleteStream(r -> r.streamName(name));
      k.waiter().waitUntilStreamNotExists(r -> r.streamName(name));
      ResourceNotFoundException gone =
          Expect.thrown(
              ResourceNotFoundException.class, () -> k.describeStream(r -> r.streamName(name)));
      assertThat(gone).as("DescribeStream after DeleteStream").isNotNull();
      assertThat(gone.awsErrorDetails().errorCode()).isEqualTo("ResourceNotFoundException");
      assertThat(gone.getMessage()).contains(name);
      assertThatThrownBy(
              () ->
                  k.putRecord(
                      r -> r.streamName(name).partitionKey("p").data(SdkBytes.fromUtf8String("x"))))
          .isInstanceOf(ResourceNotFoundException.class);
      assertThatThrownBy(() -> k.deleteStream(r -> r.streamName(name)))
          .isInstanceOf(ResourceNotFoundException.class);
      assertThat(k.listStreams().streamNames()).doesNotContain(name);
      // a new stream of the same name starts empty
      k.createStream(r -> r.streamName(name).shardCount(1));
      assertThat(KinesisReads.readShard(k, name, ids(0)[0], 100).records()).isEmpty();
      assertThat(k.listTagsForStream(r -> r.streamName(name)).tags()).isEmpty();
      k.deleteStream(r -> r.streamName(name));
      s.assertEncoding();
    }
  }

  // ---------------------------------------------------------------- authentication

  @ParameterizedTest(name = "cbor={0}")
  @ValueSource(booleans = {true, false})
  void wrongCredentialsAreRejectedWithAwsErrorCodes(boolean cbor) {
    Credentials good = basin.credentials();
    KinesisClients.ContentTypes types = new KinesisClients.ContentTypes();
    KinesisClients.Options opts = KinesisClients.Options.defaults(cbor).withoutRetries();
    try (KinesisClient unknownKey =
            KinesisClients.client(
                basin.endpoint(),
                new Credentials("AKIDNOTKNOWNTOBASIN1", good.secretAccessKey()),
                opts,
                List.of(types));
        KinesisClient wrongSecret =
            KinesisClients.client(
                basin.endpoint(),
                new Credentials(good.accessKeyId(), good.secretAccessKey() + "x"),
                opts,
                List.of(types))) {
      AwsServiceException e1 =
          Expect.thrown(AwsServiceException.class, () -> unknownKey.listStreams());
      assertThat(e1).as("unknown access key id").isNotNull();
      assertThat(e1.awsErrorDetails().errorCode()).isEqualTo("UnrecognizedClientException");
      assertThat(e1.statusCode()).isEqualTo(400);
      AwsServiceException e2 =
          Expect.thrown(
              AwsServiceException.class,
              () ->
                  wrongSecret.putRecord(
                      r ->
                          r.streamName("any")
                              .partitionKey("p")
                              .data(SdkBytes.fromUtf8String("x"))));
      assertThat(e2).as("wrong secret").isNotNull();
      assertThat(e2.awsErrorDetails().errorCode()).isEqualTo("InvalidSignatureException");
      assertThat(e2.statusCode()).isEqualTo(400);
      assertThat(e2.awsErrorDetails().errorMessage()).contains("signature");
    }
    assertThat(types.seen())
        .containsExactly(cbor ? "application/x-amz-cbor-1.1" : "application/x-amz-json-1.1");
  }

  // ---------------------------------------------------------------- helpers

  private record Put(String shardId, String seq, String partitionKey, byte[] data) {}

  private static void record(Map<String, List<Put>> byShard, Put p) {
    byShard.get(p.shardId).add(p);
  }

  private static void assertRecordsEqual(List<Record> actual, List<Put> expected) {
    assertThat(actual)
        .extracting(Record::sequenceNumber)
        .containsExactlyElementsOf(expected.stream().map(Put::seq).toList());
    for (int i = 0; i < actual.size(); i++) {
      Record r = actual.get(i);
      Put p = expected.get(i);
      assertThat(r.partitionKey()).isEqualTo(p.partitionKey);
      assertThat(Arrays.equals(r.data().asByteArray(), p.data))
          .as(
              "data of record %s (%s bytes expected, %s read)",
              p.seq, p.data.length, r.data().asByteArray().length)
          .isTrue();
      assertCloseToNow(r.approximateArrivalTimestamp());
    }
  }

  private static void assertCloseToNow(Instant t) {
    assertThat(t).isNotNull();
    assertThat(Duration.between(t, Instant.now()).abs())
        .as("timestamp %s should be close to now (not, e.g., seconds read as milliseconds)", t)
        .isLessThan(CLOSE_TO_NOW);
  }

  private static void assertContiguousFullRange(List<Shard> shards) {
    List<Shard> sorted =
        shards.stream()
            .sorted(
                (x, y) ->
                    new BigInteger(x.hashKeyRange().startingHashKey())
                        .compareTo(new BigInteger(y.hashKeyRange().startingHashKey())))
            .toList();
    BigInteger next = BigInteger.ZERO;
    for (Shard s : sorted) {
      assertThat(new BigInteger(s.hashKeyRange().startingHashKey()))
          .as("start of %s", s.shardId())
          .isEqualTo(next);
      next = new BigInteger(s.hashKeyRange().endingHashKey()).add(BigInteger.ONE);
    }
    assertThat(next.subtract(BigInteger.ONE)).as("end of the last shard").isEqualTo(MAX_HASH);
  }

  private static String owner(List<Shard> shards, String partitionKey) {
    BigInteger h = KinesisReads.hashKey(partitionKey);
    return shards.stream().filter(s -> KinesisReads.owns(s, h)).findFirst().orElseThrow().shardId();
  }

  private static String iterator(
      KinesisClient k,
      String stream,
      String shardId,
      ShardIteratorType type,
      String seq,
      Instant ts) {
    return k.getShardIterator(
            r ->
                r.streamName(stream)
                    .shardId(shardId)
                    .shardIteratorType(type)
                    .startingSequenceNumber(seq)
                    .timestamp(ts))
        .shardIterator();
  }

  private static List<String> filtered(
      KinesisClient k, String stream, ShardFilterType type, String shardId, Instant ts) {
    return shardIds(
        k.listShards(
            r ->
                r.streamName(stream)
                    .shardFilter(f -> f.type(type).shardId(shardId).timestamp(ts))));
  }

  private static List<String> shardIds(ListShardsResponse r) {
    return r.shards().stream().map(Shard::shardId).toList();
  }

  private static List<Shard> openShards(KinesisClient k, String stream) {
    return k
        .listShards(r -> r.streamName(stream).shardFilter(f -> f.type(ShardFilterType.AT_LATEST)))
        .shards()
        .stream()
        .sorted(
            (x, y) ->
                new BigInteger(x.hashKeyRange().startingHashKey())
                    .compareTo(new BigInteger(y.hashKeyRange().startingHashKey())))
        .toList();
  }

  private static StreamDescriptionSummary summary(KinesisClient k, String stream) {
    return k.describeStreamSummary(r -> r.streamName(stream)).streamDescriptionSummary();
  }

  private static String[] ids(int... indexes) {
    return Arrays.stream(indexes)
        .mapToObj(i -> String.format("shardId-%012d", i))
        .toArray(String[]::new);
  }

  private static String key(int i) {
    return String.format("key-%02d", i);
  }

  private static byte[] bytes(Random random, int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  private static void waitForMore(AtomicInteger total, int more, AtomicReference<Throwable> error) {
    int target = total.get() + more;
    Poll.until(
        Duration.ofSeconds(60),
        "the writer to put " + more + " more records",
        () -> total.get() >= target || error.get() != null);
    if (error.get() != null) {
      throw new AssertionError("writer failed", error.get());
    }
  }
}
