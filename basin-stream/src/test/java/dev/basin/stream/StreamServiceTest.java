package dev.basin.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.basin.common.error.BasinException;
import dev.basin.stream.log.LocalStreamLog;
import dev.basin.stream.log.LocalStreamLogConfig;
import dev.basin.testing.ManualClock;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StreamServiceTest {
  private static final byte[] KEY =
      "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);

  @TempDir Path dir;
  private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
  private LocalStreamLog log;
  private StreamService service;

  @BeforeEach
  void open() {
    open(StreamsConfig.defaults());
  }

  private void open(StreamsConfig config) {
    log = new LocalStreamLog(LocalStreamLogConfig.defaults(dir.resolve("streams")), clock);
    service =
        new StreamService(
            log, dir.resolve("streams"), KEY, config, clock, StreamListener.NONE, "000000000000");
  }

  @AfterEach
  void close() {
    service.close();
    log.close();
  }

  private void reopen() {
    close();
    open();
  }

  private static PutEntry entry(String key, String data) {
    return new PutEntry(key, null, data.getBytes(StandardCharsets.UTF_8));
  }

  private static String text(StreamRecord r) {
    return new String(r.data(), StandardCharsets.UTF_8);
  }

  @Test
  void createsDescribesAndListsStreams() {
    service.createStream("b", 3, StreamMode.PROVISIONED, Map.of("team", "data"));
    service.createStream("a", null, StreamMode.ON_DEMAND, null);

    assertThat(service.listStreams()).containsExactly("a", "b");
    StreamMetadata b = service.describe("b");
    assertThat(b.openShards()).hasSize(3);
    assertThat(b.retentionHours()).isEqualTo(24);
    assertThat(b.tags()).containsEntry("team", "data");
    assertThat(service.describe("a").openShards()).hasSize(4);
    assertThat(b.shards().get(0).startHashKey()).isEqualTo(BigInteger.ZERO);
    assertThat(b.shards().get(2).endHashKey()).isEqualTo(HashKeyRange.MAX);
    for (int i = 0; i < 2; i++) {
      assertThat(b.shards().get(i).range().precedes(b.shards().get(i + 1).range())).isTrue();
    }
  }

  @Test
  void rejectsDuplicateAndInvalidStreams() {
    service.createStream("orders", 1, StreamMode.PROVISIONED, null);
    assertThatThrownBy(() -> service.createStream("orders", 1, StreamMode.PROVISIONED, null))
        .isInstanceOf(BasinException.class)
        .hasMessageContaining("orders")
        .hasMessageContaining("already exists")
        .extracting(e -> ((BasinException) e).code())
        .isEqualTo(StreamErrorCode.STREAM_EXISTS);
    assertThatThrownBy(() -> service.createStream("bad name!", 1, StreamMode.PROVISIONED, null))
        .hasMessageContaining("bad name!")
        .extracting(e -> ((BasinException) e).code())
        .isEqualTo(StreamErrorCode.VALIDATION);
    assertThatThrownBy(() -> service.createStream("x", null, StreamMode.PROVISIONED, null))
        .hasMessageContaining("ShardCount is required");
    assertThatThrownBy(() -> service.createStream("x", 0, StreamMode.PROVISIONED, null))
        .extracting(e -> ((BasinException) e).code())
        .isEqualTo(StreamErrorCode.VALIDATION);
    assertThatThrownBy(() -> service.describe("missing"))
        .hasMessage("Stream missing under account 000000000000 not found.");
  }

  @Test
  void routesByMd5OfPartitionKeyAndExplicitHashKey() {
    service.createStream("s", 4, StreamMode.PROVISIONED, null);
    List<ShardDescriptor> shards = service.describe("s").openShards();
    List<PutEntry> entries = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      entries.add(entry("key-" + i, "v" + i));
    }
    List<PutOutcome> outcomes = service.putRecords("s", entries);
    for (int i = 0; i < entries.size(); i++) {
      BigInteger hash = HashKeyRange.hashOf("key-" + i);
      String expected =
          shards.stream().filter(s -> s.range().contains(hash)).findFirst().orElseThrow().shardId();
      assertThat(outcomes.get(i).shardId()).isEqualTo(expected);
    }
    PutOutcome explicit =
        service.putRecord("s", new PutEntry("any", HashKeyRange.MAX.toString(), new byte[] {1}));
    assertThat(explicit.shardId()).isEqualTo(shards.get(3).shardId());
    assertThatThrownBy(() -> service.putRecord("s", new PutEntry("k", "-5", new byte[] {1})))
        .extracting(e -> ((BasinException) e).code())
        .isEqualTo(StreamErrorCode.VALIDATION);
    assertThatThrownBy(
            () ->
                service.putRecord(
                    "s",
                    new PutEntry(
                        "k", HashKeyRange.MAX.add(BigInteger.ONE).toString(), new byte[] {1})))
        .hasMessageContaining("larger than the largest hash key");
  }

  @Test
  void sequenceNumbersIncreasePerShardAndEncodeTheShard() {
    service.createStream("s", 2, StreamMode.PROVISIONED, null);
    Map<String, BigInteger> last = new HashMap<>();
    for (int i = 0; i < 50; i++) {
      PutOutcome o = service.putRecord("s", entry("k" + i, "x"));
      BigInteger seq = new BigInteger(o.sequenceNumber());
      BigInteger prev = last.put(o.shardId(), seq);
      if (prev != null) {
        assertThat(seq).isGreaterThan(prev);
      }
      assertThat(SequenceNumbers.parse(o.sequenceNumber()).shardIndex())
          .isEqualTo(ShardDescriptor.indexOf(o.shardId()));
    }
  }

  @Test
  void readsWithEveryIteratorType() {
    service.createStream("s", 1, StreamMode.PROVISIONED, null);
    String shard = ShardDescriptor.shardId(0);
    String latest = service.getShardIterator("s", shard, IteratorType.LATEST, null, null);
    PutOutcome first = service.putRecord("s", entry("a", "one"));
    clock.advance(Duration.ofSeconds(10));
    Instant between = clock.instant().minusSeconds(5);
    PutOutcome second = service.putRecord("s", entry("b", "two"));
    service.putRecord("s", entry("c", "three"));

    assertThat(read(latest)).containsExactly("one", "two", "three");
    assertThat(read(service.getShardIterator("s", shard, IteratorType.TRIM_HORIZON, null, null)))
        .containsExactly("one", "two", "three");
    assertThat(
            read(
                service.getShardIterator(
                    "s", shard, IteratorType.AT_SEQUENCE_NUMBER, second.sequenceNumber(), null)))
        .containsExactly("two", "three");
    assertThat(
            read(
                service.getShardIterator(
                    "s", shard, IteratorType.AFTER_SEQUENCE_NUMBER, first.sequenceNumber(), null)))
        .containsExactly("two", "three");
    assertThat(read(service.getShardIterator("s", shard, IteratorType.AT_TIMESTAMP, null, between)))
        .containsExactly("two", "three");
    assertThat(read(service.getShardIterator("s", shard, IteratorType.LATEST, null, null)))
        .isEmpty();
  }

  private List<String> read(String iterator) {
    GetRecordsResult r = service.getRecords(iterator, 10_000);
    List<String> out = new ArrayList<>();
    r.records().forEach(rec -> out.add(text(rec)));
    return out;
  }

  @Test
  void getRecordsHonoursLimitAndReportsLag() {
    service.createStream("s", 1, StreamMode.PROVISIONED, null);
    for (int i = 0; i < 10; i++) {
      service.putRecord("s", entry("k", "r" + i));
    }
    clock.advance(Duration.ofSeconds(3));
    String it =
        service.getShardIterator(
            "s", ShardDescriptor.shardId(0), IteratorType.TRIM_HORIZON, null, null);
    GetRecordsResult page = service.getRecords(it, 4);
    assertThat(page.records()).hasSize(4);
    assertThat(page.millisBehindLatest()).isEqualTo(3000);
    GetRecordsResult rest = service.getRecords(page.nextShardIterator(), 100);
    assertThat(rest.records()).extracting(StreamServiceTest::text).startsWith("r4").endsWith("r9");
    assertThat(rest.millisBehindLatest()).isZero();
    assertThat(rest.nextShardIterator()).isNotNull();
  }

  @Test
  void iteratorsExpireAndCannotBeForged() {
    service.createStream("s", 1, StreamMode.PROVISIONED, null);
    String it =
        service.getShardIterator(
            "s", ShardDescriptor.shardId(0), IteratorType.TRIM_HORIZON, null, null);
    char[] chars = it.toCharArray();
    chars[5] = chars[5] == 'A' ? 'B' : 'A';
    assertThatThrownBy(() -> service.getRecords(new String(chars), 10))
        .hasMessageContaining("Invalid ShardIterator")
        .extracting(e -> ((BasinException) e).code())
        .isEqualTo(StreamErrorCode.INVALID_ARGUMENT);
    clock.advance(Duration.ofMinutes(5).plusMillis(1));
    assertThatThrownBy(() -> service.getRecords(it, 10))
        .hasMessageContaining("Iterator expired")
        .extracting(e -> ((BasinException) e).code())
        .isEqualTo(StreamErrorCode.ITERATOR_EXPIRED);
  }

  @Test
  void iteratorOfADeletedStreamDoesNotReadARecreatedOne() {
    service.createStream("s", 1, StreamMode.PROVISIONED, null);
    service.putRecord("s", entry("k", "old"));
    String it =
        service.getShardIterator(
            "s", ShardDescriptor.shardId(0), IteratorType.TRIM_HORIZON, null, null);
    service.deleteStream("s");
    clock.advance(Duration.ofMillis(1));
    service.createStream("s", 1, StreamMode.PROVISIONED, null);
    assertThatThrownBy(() -> service.getRecords(it, 10))
        .extracting(e -> ((BasinException) e).code())
        .isEqualTo(StreamErrorCode.STREAM_NOT_FOUND);
    assertThat(
            read(
                service.getShardIterator(
                    "s", ShardDescriptor.shardId(0), IteratorType.TRIM_HORIZON, null, null)))
        .isEmpty();
  }

  @Test
  void sequenceNumberFromAnotherShardIsRejected() {
    service.createStream("s", 2, StreamMode.PROVISIONED, null);
    String foreign = SequenceNumbers.of(1, 0);
    assertThatThrownBy(
            () ->
                service.getShardIterator(
                    "s",
                    ShardDescriptor.shardId(0),
                    IteratorType.AT_SEQUENCE_NUMBER,
                    foreign,
                    null))
        .hasMessageContaining("did not come from this stream/shard");
    assertThatThrownBy(
            () ->
                service.getShardIterator(
                    "s", "shardId-000000000009", IteratorType.TRIM_HORIZON, null, null))
        .extracting(e -> ((BasinException) e).code())
        .isEqualTo(StreamErrorCode.SHARD_NOT_FOUND);
  }

  @Test
  void splitAndMergeKeepLineageAndOrderPerKey() {
    service.createStream("s", 1, StreamMode.PROVISIONED, null);
    service.putRecord("s", entry("k", "before"));
    String mid = BigInteger.ONE.shiftLeft(127).toString();
    service.splitShard("s", ShardDescriptor.shardId(0), mid);
    StreamMetadata split = service.describe("s");
    assertThat(split.openShards()).hasSize(2);
    ShardDescriptor parent = split.shard(0).orElseThrow();
    assertThat(parent.open()).isFalse();
    assertThat(StreamService.endingSequenceNumber(parent)).isEqualTo(SequenceNumbers.of(0, 0));
    assertThat(split.openShards()).allMatch(s -> s.parentIndex() == 0);

    PutOutcome after = service.putRecord("s", entry("k", "after"));
    assertThat(after.shardId()).isNotEqualTo(parent.shardId());

    GetRecordsResult fromParent =
        service.getRecords(
            service.getShardIterator("s", parent.shardId(), IteratorType.TRIM_HORIZON, null, null),
            100);
    assertThat(fromParent.records()).extracting(StreamServiceTest::text).containsExactly("before");
    assertThat(fromParent.nextShardIterator()).isNull();
    assertThat(fromParent.childShards())
        .extracting(ChildShard::shardId)
        .containsExactly(ShardDescriptor.shardId(1), ShardDescriptor.shardId(2));

    service.mergeShards("s", ShardDescriptor.shardId(1), ShardDescriptor.shardId(2));
    StreamMetadata merged = service.describe("s");
    ShardDescriptor child = merged.openShards().get(0);
    assertThat(child.parentIndex()).isEqualTo(1);
    assertThat(child.adjacentParentIndex()).isEqualTo(2);
    assertThat(child.range()).isEqualTo(new HashKeyRange(BigInteger.ZERO, HashKeyRange.MAX));
    assertThatThrownBy(
            () -> service.mergeShards("s", ShardDescriptor.shardId(1), ShardDescriptor.shardId(2)))
        .hasMessageContaining("already been merged or split");
  }

  @Test
  void splitOutsideTheRangeAndMergeOfNonAdjacentShardsAreRefused() {
    service.createStream("s", 3, StreamMode.PROVISIONED, null);
    assertThatThrownBy(() -> service.splitShard("s", ShardDescriptor.shardId(1), "0"))
        .hasMessageContaining("NewStartingHashKey");
    assertThatThrownBy(
            () -> service.mergeShards("s", ShardDescriptor.shardId(0), ShardDescriptor.shardId(2)))
        .hasMessageContaining("not an adjacent pair");
  }

  @Test
  void updateShardCountRescalesUniformlyWithAtMostTwoParents() {
    service.createStream("s", 1, StreamMode.PROVISIONED, null);
    for (int target : new int[] {2, 4, 3, 5, 7, 4, 2}) {
      service.updateShardCount("s", target);
      StreamMetadata meta = service.describe("s");
      List<ShardDescriptor> open = new ArrayList<>(meta.openShards());
      open.sort((a, b) -> a.startHashKey().compareTo(b.startHashKey()));
      assertThat(open).hasSize(target);
      assertThat(open).extracting(ShardDescriptor::range).isEqualTo(HashKeyRange.uniform(target));
    }
    assertThatThrownBy(() -> service.updateShardCount("s", 5))
        .hasMessageContaining("cannot scale up over double");
    assertThatThrownBy(() -> service.updateShardCount("s", 0))
        .extracting(e -> ((BasinException) e).code())
        .isEqualTo(StreamErrorCode.VALIDATION);
  }

  @Test
  void retentionChangesAreValidated() {
    service.createStream("s", 1, StreamMode.PROVISIONED, null);
    assertThat(service.increaseRetention("s", 48).retentionHours()).isEqualTo(48);
    assertThatThrownBy(() -> service.increaseRetention("s", 30))
        .hasMessageContaining("can not be shorter");
    assertThatThrownBy(() -> service.decreaseRetention("s", 72))
        .hasMessageContaining("can not be longer");
    assertThatThrownBy(() -> service.increaseRetention("s", 9000))
        .hasMessageContaining("Maximum allowed retention period is 8760 hours");
    assertThat(service.decreaseRetention("s", 24).retentionHours()).isEqualTo(24);
  }

  @Test
  void throttlingRefusesRecordsOverTheShardLimit() {
    close();
    open(
        StreamsConfig.defaults()
            .withThrottling(new StreamsConfig.ShardLimits(1_000_000, 10, 2_000_000, 5)));
    service.createStream("s", 1, StreamMode.PROVISIONED, null);
    List<PutEntry> entries = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      entries.add(entry("k", "r" + i));
    }
    List<PutOutcome> outcomes = service.putRecords("s", entries);
    assertThat(outcomes.stream().filter(PutOutcome::succeeded).count()).isLessThanOrEqualTo(11);
    assertThat(outcomes)
        .filteredOn(o -> !o.succeeded())
        .allMatch(o -> o.error() == StreamErrorCode.THROUGHPUT_EXCEEDED)
        .isNotEmpty();
    String it =
        service.getShardIterator(
            "s", ShardDescriptor.shardId(0), IteratorType.TRIM_HORIZON, null, null);
    assertThat(service.getRecords(it, 100).records())
        .hasSize((int) outcomes.stream().filter(PutOutcome::succeeded).count());
  }

  @Test
  void metadataAndRecordsSurviveReopen() {
    service.createStream("s", 2, StreamMode.PROVISIONED, Map.of("k", "v"));
    service.splitShard("s", ShardDescriptor.shardId(0), BigInteger.ONE.shiftLeft(125).toString());
    PutOutcome o = service.putRecord("s", entry("k", "kept"));
    reopen();
    StreamMetadata meta = service.describe("s");
    assertThat(meta.shards()).hasSize(4);
    assertThat(meta.tags()).containsEntry("k", "v");
    assertThat(
            read(
                service.getShardIterator(
                    "s", o.shardId(), IteratorType.AT_SEQUENCE_NUMBER, o.sequenceNumber(), null)))
        .containsExactly("kept");
  }

  @Test
  void retentionForgetsExpiredClosedShards() {
    service.createStream("s", 1, StreamMode.PROVISIONED, null);
    service.updateShardCount("s", 2);
    assertThat(service.describe("s").shards()).hasSize(3);
    clock.advance(Duration.ofHours(25));
    service.enforceRetention();
    assertThat(service.describe("s").shards()).hasSize(2).allMatch(ShardDescriptor::open);
  }

  @Test
  void listShardsFilters() {
    service.createStream("s", 2, StreamMode.PROVISIONED, null);
    clock.advance(Duration.ofHours(1));
    service.updateShardCount("s", 4);
    long reshardAt = clock.millis();
    assertThat(service.listShards("s", null)).hasSize(2 + 4);
    assertThat(service.listShards("s", new ShardFilter(ShardFilter.Type.AT_LATEST, null, null)))
        .hasSize(4);
    assertThat(
            service.listShards("s", new ShardFilter(ShardFilter.Type.AT_TRIM_HORIZON, null, null)))
        .extracting(ShardDescriptor::index)
        .containsExactly(0, 1);
    assertThat(
            service.listShards(
                "s",
                new ShardFilter(ShardFilter.Type.AFTER_SHARD_ID, ShardDescriptor.shardId(3), null)))
        .extracting(ShardDescriptor::index)
        .containsExactly(4, 5);
    assertThat(
            service.listShards(
                "s", new ShardFilter(ShardFilter.Type.AT_TIMESTAMP, null, reshardAt - 1)))
        .extracting(ShardDescriptor::index)
        .containsExactly(0, 1);
  }

  @Test
  void recordsOverTheSizeLimitsAreRejectedWholesale() {
    service.createStream("s", 1, StreamMode.PROVISIONED, null);
    byte[] big = new byte[1024 * 1024];
    assertThatThrownBy(() -> service.putRecord("s", new PutEntry("k", null, big)))
        .hasMessageContaining("less than or equal to 1048576");
    List<PutEntry> many = new ArrayList<>();
    for (int i = 0; i < 501; i++) {
      many.add(entry("k", "x"));
    }
    assertThatThrownBy(() -> service.putRecords("s", many))
        .hasMessageContaining("less than or equal to 500");
    List<PutEntry> heavy = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      heavy.add(new PutEntry("k", null, new byte[1000 * 1000]));
    }
    assertThatThrownBy(() -> service.putRecords("s", heavy)).hasMessageContaining("5 MB limit");
    String it =
        service.getShardIterator(
            "s", ShardDescriptor.shardId(0), IteratorType.TRIM_HORIZON, null, null);
    assertThat(service.getRecords(it, 10).records()).isEmpty();
  }
}
