package dev.basin.stream.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.basin.common.error.BasinException;
import dev.basin.common.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GeneratorTest {
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2024-03-05T14:07:09Z"), ZoneOffset.UTC);
  private static final Template SMALL =
      Template.parse("{\"userId\": {{random.number(99)}}, \"v\": \"{{random.alphaNumeric(8)}}\"}");

  private final FakeTicker ticker = new FakeTicker();
  private final ExecutorService executor = Executors.newFixedThreadPool(4);

  @AfterEach
  void shutdown() throws InterruptedException {
    executor.shutdownNow();
    executor.awaitTermination(5, TimeUnit.SECONDS);
  }

  /** Acknowledges everything at once and keeps what it received. */
  static final class CollectingSink implements RecordSink {
    final List<List<GeneratedRecord>> batches = Collections.synchronizedList(new ArrayList<>());
    final List<Long> sendTimes = Collections.synchronizedList(new ArrayList<>());
    private final Ticker ticker;

    CollectingSink(Ticker ticker) {
      this.ticker = ticker;
    }

    @Override
    public CompletableFuture<BatchOutcome> send(List<GeneratedRecord> batch) {
      batches.add(batch);
      sendTimes.add(ticker.read());
      return CompletableFuture.completedFuture(BatchOutcome.acknowledgedAll(batch.size()));
    }

    List<GeneratedRecord> records() {
      List<GeneratedRecord> all = new ArrayList<>();
      synchronized (batches) {
        batches.forEach(all::addAll);
      }
      return all;
    }
  }

  private Generator.Builder builder(RecordSink sink, RatePlan plan) {
    return Generator.builder(SMALL, sink)
        .ratePlan(plan)
        .renderContext(RenderContext.seeded(1, CLOCK))
        .ticker(ticker);
  }

  @Test
  void sendsExactlyTheCountAtUnlimitedRateInFullBatches() {
    CollectingSink sink = new CollectingSink(ticker);
    GeneratorReport report = builder(sink, RatePlan.unlimited().withMaxRecords(1234)).build().run();

    assertThat(report.rendered()).isEqualTo(1234);
    assertThat(report.sent()).isEqualTo(1234);
    assertThat(report.acknowledged()).isEqualTo(1234);
    assertThat(report.failed()).isZero();
    assertThat(report.stopReason()).isEqualTo(StopReason.MAX_RECORDS);
    assertThat(report.balanced()).isTrue();
    assertThat(sink.batches).extracting(List::size).containsExactly(500, 500, 234);
    assertThat(sink.records()).hasSize(1234);
  }

  @Test
  void recordsAreJsonLinesWithUuidPartitionKeys() throws IOException {
    CollectingSink sink = new CollectingSink(ticker);
    builder(sink, RatePlan.unlimited().withMaxRecords(50)).build().run();
    for (GeneratedRecord r : sink.records()) {
      String text = new String(r.data(), StandardCharsets.UTF_8);
      assertThat(text).endsWith("}\n");
      assertThat(Json.mapper().readTree(text).get("userId").asInt()).isBetween(0, 99);
      assertThat(r.partitionKey())
          .matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
    }
  }

  @Test
  void sameSeedSendsTheSameRecords() {
    CollectingSink a = new CollectingSink(ticker);
    CollectingSink b = new CollectingSink(new FakeTicker());
    builder(a, RatePlan.unlimited().withMaxRecords(700)).build().run();
    Generator.builder(SMALL, b)
        .ratePlan(RatePlan.unlimited().withMaxRecords(700))
        .renderContext(RenderContext.seeded(1, CLOCK))
        .ticker(new FakeTicker())
        .build()
        .run();
    assertThat(b.records()).isEqualTo(a.records());
  }

  @Test
  void pacesConstantRateByElapsedTime() {
    CollectingSink sink = new CollectingSink(ticker);
    long start = ticker.read();
    GeneratorReport report =
        builder(sink, RatePlan.constant(10).withDuration(Duration.ofSeconds(2)))
            .maxBatchRecords(1)
            .build()
            .run();

    assertThat(report.sent()).isEqualTo(20);
    assertThat(report.stopReason()).isEqualTo(StopReason.DURATION);
    assertThat(report.elapsed()).isEqualTo(Duration.ofSeconds(2));
    List<Long> offsets = new ArrayList<>();
    sink.sendTimes.forEach(t -> offsets.add((t - start) / 1_000_000));
    List<Long> expected = new ArrayList<>();
    for (long k = 0; k < 20; k++) {
      expected.add(k * 100);
    }
    assertThat(offsets).isEqualTo(expected);
  }

  @Test
  void pacesRampAccordingToThePlan() {
    CollectingSink sink = new CollectingSink(ticker);
    long start = ticker.read();
    RatePlan plan =
        RatePlan.ramp(0, 100, Duration.ofSeconds(10)).withDuration(Duration.ofSeconds(10));
    GeneratorReport report = builder(sink, plan).maxBatchRecords(1).build().run();

    assertThat(report.sent()).isEqualTo(500);
    for (int k = 1; k <= 500; k++) {
      assertThat(sink.sendTimes.get(k - 1) - start)
          .as("record %d", k)
          .isEqualTo(plan.timeOf(k).orElseThrow().toNanos());
    }
  }

  @Test
  void partialBatchesWaitAtMostTheBatchDelay() {
    CollectingSink sink = new CollectingSink(ticker);
    long start = ticker.read();
    builder(sink, RatePlan.constant(100).withDuration(Duration.ofSeconds(1)))
        .maxBatchDelay(Duration.ofMillis(250))
        .build()
        .run();
    // records every 10 ms; a batch opened at t goes out with the record due at t + 250 ms
    assertThat(sink.batches).extracting(List::size).containsExactly(26, 26, 26, 22);
    assertThat(sink.sendTimes.get(0) - start).isEqualTo(Duration.ofMillis(250).toNanos());
  }

  @Test
  void batchesRespectTheByteLimitCountingPartitionKeys() {
    CollectingSink sink = new CollectingSink(ticker);
    builder(sink, RatePlan.unlimited().withMaxRecords(300))
        .maxBatchBytes(2000)
        .maxRecordBytes(1000)
        .build()
        .run();
    assertThat(sink.batches).hasSizeGreaterThan(1);
    for (List<GeneratedRecord> batch : sink.batches) {
      long bytes = 0;
      for (GeneratedRecord r : batch) {
        bytes += r.data().length + r.partitionKey().length();
      }
      assertThat(bytes).isLessThanOrEqualTo(2000);
    }
    assertThat(sink.records()).hasSize(300);
  }

  @Test
  void countsPerRecordFailuresExactly() {
    AtomicLong sinkAcked = new AtomicLong();
    AtomicInteger position = new AtomicInteger();
    RecordSink sink =
        batch -> {
          int ack = 0;
          List<String> reasons = new ArrayList<>();
          for (int i = 0; i < batch.size(); i++) {
            if (position.incrementAndGet() % 3 == 0) {
              reasons.add("ProvisionedThroughputExceededException: Rate exceeded for shard 0");
            } else {
              ack++;
            }
          }
          sinkAcked.addAndGet(ack);
          return CompletableFuture.completedFuture(
              new BatchOutcome(ack, batch.size() - ack, reasons));
        };
    GeneratorReport report = builder(sink, RatePlan.unlimited().withMaxRecords(1000)).build().run();

    assertThat(report.sent()).isEqualTo(1000);
    assertThat(report.acknowledged()).isEqualTo(sinkAcked.get()).isEqualTo(667);
    assertThat(report.failed()).isEqualTo(333);
    assertThat(report.sent()).isEqualTo(report.acknowledged() + report.failed());
    assertThat(report.failureReasons())
        .containsExactly("ProvisionedThroughputExceededException: Rate exceeded for shard 0");
  }

  @Test
  void wholeBatchFailuresCountEveryRecordAsFailed() {
    AtomicLong sinkAcked = new AtomicLong();
    AtomicInteger calls = new AtomicInteger();
    RecordSink sink =
        batch -> {
          int call = calls.incrementAndGet();
          if (call % 2 == 0) {
            return CompletableFuture.supplyAsync(
                () -> {
                  throw new IllegalStateException("connection reset");
                },
                executor);
          }
          if (call == 3) {
            throw new IllegalArgumentException("stream closed");
          }
          return CompletableFuture.supplyAsync(
              () -> {
                sinkAcked.addAndGet(batch.size());
                return BatchOutcome.acknowledgedAll(batch.size());
              },
              executor);
        };
    GeneratorReport report =
        builder(sink, RatePlan.unlimited().withMaxRecords(1000)).maxBatchRecords(100).build().run();

    // calls 2, 3, 4, 6, 8, 10 fail: 600 records
    assertThat(report.sent()).isEqualTo(1000);
    assertThat(report.acknowledged()).isEqualTo(sinkAcked.get()).isEqualTo(400);
    assertThat(report.failed()).isEqualTo(600);
    assertThat(report.balanced()).isTrue();
    assertThat(report.failureReasons())
        .containsExactlyInAnyOrder(
            "IllegalStateException: connection reset", "IllegalArgumentException: stream closed");
  }

  @Test
  void neverCountsMoreAcknowledgedThanTheBatchHeld() {
    RecordSink liar =
        batch ->
            CompletableFuture.completedFuture(new BatchOutcome(batch.size() + 5, 0, List.of()));
    GeneratorReport report = builder(liar, RatePlan.unlimited().withMaxRecords(10)).build().run();
    assertThat(report.acknowledged()).isEqualTo(10);
    assertThat(report.failed()).isZero();

    RecordSink terse =
        batch ->
            CompletableFuture.completedFuture(new BatchOutcome(batch.size() - 4, 1, List.of("x")));
    GeneratorReport short_ = builder(terse, RatePlan.unlimited().withMaxRecords(10)).build().run();
    assertThat(short_.acknowledged()).isEqualTo(6);
    assertThat(short_.failed()).isEqualTo(4);
    assertThat(short_.failureReasons())
        .contains(
            "x",
            "the sink answered for fewer records than the batch held; the rest count as failed");

    RecordSink empty = batch -> CompletableFuture.completedFuture(null);
    GeneratorReport none = builder(empty, RatePlan.unlimited().withMaxRecords(10)).build().run();
    assertThat(none.acknowledged()).isZero();
    assertThat(none.failed()).isEqualTo(10);
  }

  @Test
  void oversizedRecordsAreCountedAsFailedAndNotSent() {
    String big = "x".repeat(2000);
    Template t = Template.parse("{{random.arrayElement([\"small\", \"" + big + "\"])}}");
    CollectingSink sink = new CollectingSink(ticker);
    GeneratorReport report =
        Generator.builder(t, sink)
            .ratePlan(RatePlan.unlimited().withMaxRecords(400))
            .renderContext(RenderContext.seeded(3, CLOCK))
            .ticker(ticker)
            .maxRecordBytes(1000)
            .build()
            .run();

    assertThat(report.rendered()).isEqualTo(400);
    assertThat(report.rejected()).isGreaterThan(150).isLessThan(250);
    assertThat(report.sent()).isEqualTo(400 - report.rejected());
    assertThat(sink.records()).hasSize((int) report.sent());
    assertThat(sink.records()).allSatisfy(r -> assertThat(r.data()).hasSize(6));
    assertThat(report.acknowledged()).isEqualTo(report.sent());
    assertThat(report.failed()).isEqualTo(report.rejected());
    assertThat(report.balanced()).isTrue();
    assertThat(report.failureReasons())
        .containsExactly("record larger than 1000 bytes (data plus partition key) was not sent");
  }

  @Test
  void defaultRecordLimitIsOneMebibyte() {
    Template t = Template.parse("x".repeat(1024 * 1024));
    CollectingSink sink = new CollectingSink(ticker);
    GeneratorReport report =
        Generator.builder(t, sink)
            .ratePlan(RatePlan.unlimited().withMaxRecords(3))
            .ticker(ticker)
            .build()
            .run();
    // 1 MiB of data plus the newline plus a 36-character key is over the limit
    assertThat(report.rejected()).isEqualTo(3);
    assertThat(report.sent()).isZero();
    assertThat(sink.batches).isEmpty();
  }

  @Test
  void partitionKeyFromAJsonField() {
    CollectingSink sink = new CollectingSink(ticker);
    builder(sink, RatePlan.unlimited().withMaxRecords(100))
        .partitionKeys(PartitionKeyStrategy.jsonField("userId"))
        .build()
        .run();
    assertThat(sink.records())
        .allSatisfy(
            r -> {
              String text = new String(r.data(), StandardCharsets.UTF_8);
              assertThat(text).startsWith("{\"userId\": " + r.partitionKey() + ",");
            });

    Template nested =
        Template.parse("{\"user\": {\"name\": \"x\", \"id\": \"u-{{random.number(9)}}\"}}");
    assertThat(
            PartitionKeyStrategy.jsonField("user.id")
                .partitionKey(nested.render(RenderContext.seeded(1)), null))
        .matches("u-\\d");
  }

  @Test
  void recordsWithoutTheKeyFieldAreRejectedWithTheReason() {
    CollectingSink sink = new CollectingSink(ticker);
    GeneratorReport report =
        builder(sink, RatePlan.unlimited().withMaxRecords(20))
            .partitionKeys(PartitionKeyStrategy.jsonField("accountId"))
            .build()
            .run();
    assertThat(report.rejected()).isEqualTo(20);
    assertThat(report.failed()).isEqualTo(20);
    assertThat(report.sent()).isZero();
    assertThat(report.failureReasons())
        .containsExactly(
            "no partition key from field 'accountId': the record has no field 'accountId'");
  }

  @Test
  void partitionKeyFromATemplate() {
    CollectingSink sink = new CollectingSink(ticker);
    builder(sink, RatePlan.unlimited().withMaxRecords(100))
        .partitionKeys(PartitionKeyStrategy.template(Template.parse("shard-{{random.number(3)}}")))
        .build()
        .run();
    assertThat(sink.records())
        .extracting(GeneratedRecord::partitionKey)
        .allMatch(k -> k.matches("shard-[0-3]"));
  }

  @Test
  void stopEndsTheRunAndDrains() {
    AtomicReference<Generator> self = new AtomicReference<>();
    AtomicLong sinkAcked = new AtomicLong();
    RecordSink sink =
        batch -> {
          if (sinkAcked.addAndGet(batch.size()) >= 5000) {
            self.get().stop();
          }
          return CompletableFuture.completedFuture(BatchOutcome.acknowledgedAll(batch.size()));
        };
    Generator g = builder(sink, RatePlan.unlimited()).build();
    self.set(g);
    GeneratorReport report = g.run();

    assertThat(report.stopReason()).isEqualTo(StopReason.STOPPED);
    assertThat(report.acknowledged()).isEqualTo(sinkAcked.get()).isGreaterThanOrEqualTo(5000);
    assertThat(report.balanced()).isTrue();
    assertThat(report.sent()).isEqualTo(report.rendered());
  }

  @Test
  void stopFromAnotherThreadWhileWaitingForTheNextRecord() throws Exception {
    CollectingSink sink = new CollectingSink(Ticker.system());
    Generator g =
        Generator.builder(SMALL, sink)
            .ratePlan(RatePlan.constant(0.001))
            .renderContext(RenderContext.seeded(1))
            .build();
    CompletableFuture<GeneratorReport> run = CompletableFuture.supplyAsync(g::run, executor);
    while (g.progress().sent() < 1) {
      Thread.sleep(5);
    }
    g.stop();
    GeneratorReport report = run.get(30, TimeUnit.SECONDS);
    assertThat(report.stopReason()).isEqualTo(StopReason.STOPPED);
    assertThat(report.sent()).isEqualTo(1);
    assertThat(report.acknowledged()).isEqualTo(1);
  }

  @Test
  void stopBeforeRunSendsNothing() {
    CollectingSink sink = new CollectingSink(ticker);
    Generator g = builder(sink, RatePlan.constant(100)).build();
    g.stop();
    GeneratorReport report = g.run();
    assertThat(report.rendered()).isZero();
    assertThat(report.stopReason()).isEqualTo(StopReason.STOPPED);
    assertThatThrownBy(g::run).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void keepsAtMostTheConfiguredBatchesInFlight() {
    AtomicInteger outstanding = new AtomicInteger();
    AtomicInteger maxOutstanding = new AtomicInteger();
    RecordSink sink =
        batch -> {
          maxOutstanding.accumulateAndGet(outstanding.incrementAndGet(), Math::max);
          return CompletableFuture.supplyAsync(
              () -> {
                try {
                  Thread.sleep(2);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
                outstanding.decrementAndGet();
                return BatchOutcome.acknowledgedAll(batch.size());
              },
              executor);
        };
    GeneratorReport report =
        builder(sink, RatePlan.unlimited().withMaxRecords(2000))
            .maxBatchRecords(50)
            .maxInFlightBatches(2)
            .build()
            .run();
    assertThat(report.acknowledged()).isEqualTo(2000);
    assertThat(maxOutstanding.get()).isBetween(1, 2);
  }

  @Test
  void unansweredBatchesCountAsFailedAfterTheDrainTimeoutAndLateAnswersAreIgnored() {
    List<CompletableFuture<BatchOutcome>> futures = Collections.synchronizedList(new ArrayList<>());
    RecordSink silent =
        batch -> {
          CompletableFuture<BatchOutcome> f = new CompletableFuture<>();
          futures.add(f);
          return f;
        };
    Generator g =
        builder(silent, RatePlan.unlimited().withMaxRecords(30))
            .maxBatchRecords(10)
            .drainTimeout(Duration.ofMillis(50))
            .build();
    GeneratorReport report = g.run();

    assertThat(report.sent()).isEqualTo(30);
    assertThat(report.acknowledged()).isZero();
    assertThat(report.failed()).isEqualTo(30);
    assertThat(report.failureReasons())
        .containsExactly(
            "outcome unknown: the sink did not answer within the drain timeout of PT0.05S");
    futures.forEach(f -> f.complete(BatchOutcome.acknowledgedAll(10)));
    assertThat(g.progress().acknowledged()).isZero();
    assertThat(g.progress().failed()).isEqualTo(30);
  }

  @Test
  void reportsProgressEverySecondOfTickerTime() {
    List<GeneratorProgress> progress = new ArrayList<>();
    CollectingSink sink = new CollectingSink(ticker);
    GeneratorReport report =
        builder(sink, RatePlan.constant(100).withDuration(Duration.ofSeconds(3)))
            .onProgress(progress::add)
            .build()
            .run();
    assertThat(progress).hasSizeGreaterThanOrEqualTo(3);
    assertThat(progress.get(0).elapsed()).isEqualTo(Duration.ofSeconds(1));
    // taken before the record due at exactly 1 s is rendered
    assertThat(progress.get(0).rendered()).isEqualTo(100);
    assertThat(progress.get(0).targetRate()).isEqualTo(100.0);
    GeneratorProgress last = progress.get(progress.size() - 1);
    assertThat(last.acknowledged()).isEqualTo(report.acknowledged()).isEqualTo(300);
    assertThat(last.inFlightBatches()).isZero();
  }

  @Test
  void aFailingProgressCallbackDoesNotStopTheRun() {
    CollectingSink sink = new CollectingSink(ticker);
    GeneratorReport report =
        builder(sink, RatePlan.constant(10).withDuration(Duration.ofSeconds(3)))
            .onProgress(
                p -> {
                  throw new IllegalStateException("terminal closed");
                })
            .build()
            .run();
    assertThat(report.acknowledged()).isEqualTo(30);
  }

  @Test
  void renderFailuresSurfaceAfterDrainingWhatWasRendered() {
    CollectingSink sink = new CollectingSink(ticker);
    AtomicInteger n = new AtomicInteger();
    PartitionKeyStrategy broken =
        (record, ctx) -> {
          if (n.incrementAndGet() == 42) {
            throw new IllegalStateException("bug");
          }
          return "k";
        };
    assertThatThrownBy(
            () ->
                builder(sink, RatePlan.unlimited().withMaxRecords(100))
                    .partitionKeys(broken)
                    .build()
                    .run())
        .isInstanceOf(BasinException.class)
        .hasMessageContaining("generating records failed after 42 records")
        .hasMessageContaining("41 acknowledged");
    assertThat(sink.records()).hasSize(41);
  }

  @Test
  void invalidSettingsAreRejected() {
    CollectingSink sink = new CollectingSink(ticker);
    assertThatThrownBy(() -> Generator.builder(SMALL, sink).build())
        .hasMessage("a rate plan is required, e.g. RatePlan.constant(500)");
    assertThatThrownBy(() -> Generator.builder(SMALL, sink).maxBatchRecords(0))
        .hasMessage("max batch records must be positive, got 0");
    assertThatThrownBy(
            () ->
                Generator.builder(SMALL, sink)
                    .ratePlan(RatePlan.constant(1))
                    .maxBatchBytes(100)
                    .build())
        .hasMessage("max record bytes (1048576) must not exceed max batch bytes (100)");
  }
}
