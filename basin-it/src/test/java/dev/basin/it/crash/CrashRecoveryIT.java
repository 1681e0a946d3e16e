package dev.basin.it.crash;

import static org.assertj.core.api.Assertions.assertThat;

import dev.basin.it.BasinProcess;
import dev.basin.it.KinesisClients;
import dev.basin.it.KinesisReads;
import dev.basin.it.KinesisReads.ShardRead;
import dev.basin.it.Poll;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResultEntry;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.ScalingType;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.ShardFilterType;

/**
 * Kills a real Basin server with SIGKILL at random points while producers put records (and, in some
 * cycles, while the stream is being resharded), restarts it on the same data directory and checks
 * after every restart that every acknowledged record is there exactly once, at the sequence number
 * it was acknowledged with, in order, and that nothing once readable disappears.
 *
 * <p>{@code -Dcrash.cycles=N} (default 20) runs more cycles; {@code -Dcrash.seed=S} replays a run
 * (the seed is printed). The kill timing depends on the machine's speed, so a seed replays the
 * choices (kill thresholds, batch sizes, keys, reshards), not the exact interleaving.
 */
@ExtendWith(BasinProcess.DumpLogsOnFailure.class)
class CrashRecoveryIT {
  private static final String STREAM = "crash";
  private static final int PRODUCERS = 4;

  @TempDir Path dir;

  /** One put attempt of one record: who sent it and what it carried. */
  private record Attempt(int producer, long counter, String partitionKey, byte[] data) {}

  /** An acknowledgement: where the server said it stored the record. */
  private record Ack(String shardId, String sequenceNumber) {}

  private final Map<Long, Attempt> attempted = new ConcurrentHashMap<>();
  private final Map<Long, Ack> acked = new ConcurrentHashMap<>();

  /** Every record ever read after a restart, with its sequence number: it must never vanish. */
  private final Map<Long, Ack> everRead = new HashMap<>();

  private final Map<String, BigInteger> maxSeqByShard = new HashMap<>();

  /** Records found stored although their put was not acknowledged (in flight at a kill). */
  private final java.util.Set<Long> unackedFound = new java.util.HashSet<>();

  private final AtomicLong[] counters = new AtomicLong[PRODUCERS];

  @Test
  void acknowledgedRecordsSurviveKillDashNine() throws Exception {
    long seed = Long.getLong("crash.seed", System.nanoTime());
    int cycles = Integer.getInteger("crash.cycles", 20);
    System.out.println(
        "CrashRecoveryIT: seed="
            + seed
            + " cycles="
            + cycles
            + " (replay with -Dcrash.seed="
            + seed
            + ")");
    Random random = new Random(seed);
    for (int p = 0; p < PRODUCERS; p++) {
      counters[p] = new AtomicLong();
    }

    // small segments, so that recovery also has to deal with many segment files and rolls
    try (BasinProcess basin =
        BasinProcess.builder(dir.resolve("data"))
            .args("--set", "streams.segment-bytes=65536")
            .start()) {
      try (KinesisClient k = KinesisClients.client(basin.endpoint(), basin.credentials(), true)) {
        k.createStream(r -> r.streamName(STREAM).shardCount(4));
        k.waiter().waitUntilStreamExists(r -> r.streamName(STREAM));
      }
      int reshards = 0;
      int gracefulStops = 0;
      int startupKills = 0;
      for (int cycle = 1; cycle <= cycles; cycle++) {
        int killAfter = random.nextInt(8) == 0 ? 0 : 1 + random.nextInt(400);
        boolean reshard = random.nextInt(4) == 0;
        long cycleSeed = random.nextLong();
        boolean graceful = random.nextInt(6) == 0;
        boolean crashDuringStartup = random.nextInt(5) == 0;
        long startupKillMillis = random.nextInt(700);
        CycleOutcome out = runCycle(basin, cycle, cycleSeed, killAfter, reshard, graceful);
        reshards += out.reshardStarted ? 1 : 0;
        gracefulStops += graceful ? 1 : 0;
        if (crashDuringStartup) {
          startupKills += basin.killDuringStartup(Duration.ofMillis(startupKillMillis)) ? 0 : 1;
        }
        basin.restart();
        verify(
            basin,
            "after kill "
                + cycle
                + " (killAfter="
                + killAfter
                + ", reshard="
                + reshard
                + ", sigterm="
                + graceful
                + ", crash during startup="
                + crashDuringStartup
                + ")");
        verifyChurn(basin, "after kill " + cycle);
        assertThat(out.unexpected)
            .as("errors while the server was alive in cycle %s", cycle)
            .isEmpty();
      }
      System.out.println(
          "CrashRecoveryIT: "
              + cycles
              + " kills, "
              + acked.size()
              + " acknowledged of "
              + attempted.size()
              + " attempted records ("
              + unackedFound.size()
              + " unacknowledged ones were found stored), "
              + reshards
              + " reshards raced with a kill, "
              + churnOps
              + " control-plane churn operations, "
              + gracefulStops
              + " of the kills were SIGTERMs under load, "
              + startupKills
              + " extra kills during startup");
      assertThat(acked.size()).as("the producers got records acknowledged").isGreaterThan(cycles);

      // new puts after the last restart continue above everything before, per shard
      try (KinesisClient k = KinesisClients.client(basin.endpoint(), basin.credentials(), true)) {
        List<PutRecordsRequestEntry> entries = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
          Attempt a = newAttempt(0, "final-" + i, new Random(i));
          attempted.put(key(a), a);
          entries.add(entry(a));
        }
        PutRecordsResponse r = k.putRecords(b -> b.streamName(STREAM).records(entries));
        assertThat(r.failedRecordCount()).isZero();
        for (int i = 0; i < entries.size(); i++) {
          PutRecordsResultEntry e = r.records().get(i);
          BigInteger seq = new BigInteger(e.sequenceNumber());
          BigInteger before = maxSeqByShard.get(e.shardId());
          if (before != null) {
            assertThat(seq)
                .as("sequence number of a new record in %s after the last restart", e.shardId())
                .isGreaterThan(before);
          }
          acked.put(keyOf(entries.get(i)), new Ack(e.shardId(), e.sequenceNumber()));
        }
      }
      verify(basin, "after the final puts");
      basin.stop();
    }
  }

  private record CycleOutcome(List<String> unexpected, boolean reshardStarted) {}

  private CycleOutcome runCycle(
      BasinProcess basin, int cycle, long seed, int killAfter, boolean reshard, boolean graceful)
      throws Exception {
    AtomicBoolean killed = new AtomicBoolean();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger ackedThisCycle = new AtomicInteger();
    List<String> unexpected = new CopyOnWriteArrayList<>();
    Random cycleRandom = new Random(seed);
    KinesisClient k =
        KinesisClients.client(
            basin.endpoint(),
            basin.credentials(),
            KinesisClients.Options.defaults(cycleRandom.nextBoolean())
                .withoutRetries()
                .withCallTimeout(Duration.ofSeconds(20)),
            List.of());
    List<Thread> threads = new ArrayList<>();
    for (int p = 0; p < PRODUCERS; p++) {
      int producer = p;
      long producerSeed = cycleRandom.nextLong();
      Thread t =
          new Thread(
              () ->
                  produce(
                      k,
                      producer,
                      new Random(producerSeed),
                      stop,
                      killed,
                      ackedThisCycle,
                      unexpected),
              "producer-" + p + "-cycle-" + cycle);
      t.setDaemon(true);
      threads.add(t);
    }
    Thread churner = new Thread(() -> churn(k, stop, killed, unexpected), "churn-" + cycle);
    churner.setDaemon(true);
    threads.add(churner);
    threads.forEach(Thread::start);
    boolean reshardStarted = false;
    Thread resharder = null;
    try {
      if (reshard) {
        int at = killAfter == 0 ? 0 : cycleRandom.nextInt(killAfter);
        Poll.until(
            Duration.ofSeconds(60),
            at + " acknowledged records before resharding",
            () -> ackedThisCycle.get() >= at || !unexpected.isEmpty());
        int pick = cycleRandom.nextInt(1000);
        resharder =
            new Thread(
                () -> {
                  try {
                    int open =
                        k.listShards(
                                r ->
                                    r.streamName(STREAM)
                                        .shardFilter(f -> f.type(ShardFilterType.AT_LATEST)))
                            .shards()
                            .size();
                    List<Integer> targets = new ArrayList<>();
                    for (int t = Math.max(2, (open + 1) / 2); t <= Math.min(6, open * 2); t++) {
                      if (t != open) {
                        targets.add(t);
                      }
                    }
                    int target = targets.get(pick % targets.size());
                    int t = target;
                    k.updateShardCount(
                        r ->
                            r.streamName(STREAM)
                                .targetShardCount(t)
                                .scalingType(ScalingType.UNIFORM_SCALING));
                  } catch (SdkException e) {
                    if (!killed.get()) {
                      unexpected.add("UpdateShardCount failed while the server was up: " + e);
                    }
                  }
                },
                "resharder-" + cycle);
        resharder.setDaemon(true);
        resharder.start();
        reshardStarted = true;
      }
      Poll.until(
          Duration.ofSeconds(60),
          killAfter + " acknowledged records in cycle " + cycle,
          () -> ackedThisCycle.get() >= killAfter || !unexpected.isEmpty());
    } finally {
      killed.set(true);
      if (graceful) {
        basin.stop(); // SIGTERM while producers are busy: in-flight puts finish or fail
      } else {
        basin.kill();
      }
      stop.set(true);
      for (Thread t : threads) {
        t.join(Duration.ofSeconds(60).toMillis());
        assertThat(t.isAlive()).as("%s stopped", t.getName()).isFalse();
      }
      if (resharder != null) {
        resharder.join(Duration.ofSeconds(60).toMillis());
      }
      k.close();
    }
    return new CycleOutcome(List.copyOf(unexpected), reshardStarted);
  }

  // ---------------------------------------------------------------- control-plane churn

  /** What the test knows about one churned stream: its last acknowledged state. */
  private static final class ChurnStream {
    final String name;
    boolean exists;
    int generation;
    final List<String> ackedPayloads = new ArrayList<>();

    /** The operation in flight when the server was killed ("create", "put:<payload>", "delete"). */
    String inFlight;

    ChurnStream(String name) {
      this.name = name;
    }
  }

  private final List<ChurnStream> churned =
      List.of(new ChurnStream("churn-0"), new ChurnStream("churn-1"), new ChurnStream("churn-2"));
  private int churnTurn;
  private int churnOps;

  /**
   * Creates, writes to and deletes small streams in turn, so kills also land in the middle of
   * control-plane changes. Runs on one thread; at most one operation is in flight at a kill.
   */
  private void churn(
      KinesisClient k, AtomicBoolean stop, AtomicBoolean killed, List<String> unexpected) {
    while (!stop.get() && !killed.get()) {
      ChurnStream s = churned.get(churnTurn++ % churned.size());
      try {
        if (!s.exists) {
          s.inFlight = "create";
          k.createStream(r -> r.streamName(s.name).shardCount(1));
          s.exists = true;
          s.generation++;
          s.ackedPayloads.clear();
        } else if (s.ackedPayloads.size() < 3) {
          String payload = "gen=" + s.generation + " n=" + s.ackedPayloads.size();
          s.inFlight = "put:" + payload;
          k.putRecord(
              r -> r.streamName(s.name).partitionKey("p").data(SdkBytes.fromUtf8String(payload)));
          s.ackedPayloads.add(payload);
        } else {
          s.inFlight = "delete";
          k.deleteStream(r -> r.streamName(s.name));
          s.exists = false;
          s.ackedPayloads.clear();
        }
        s.inFlight = null;
        churnOps++;
      } catch (SdkException e) {
        if (!killed.get()) {
          unexpected.add(
              "churn on " + s.name + " (" + s.inFlight + ") failed while the server was up: " + e);
        }
        return;
      }
    }
  }

  /** After a restart: every churned stream is in its acknowledged state, or the in-flight one's. */
  private void verifyChurn(BasinProcess basin, String when) {
    try (KinesisClient k = KinesisClients.client(basin.endpoint(), basin.credentials(), true)) {
      List<String> names = k.listStreams(r -> r.limit(1000)).streamNames();
      for (ChurnStream s : churned) {
        boolean exists = names.contains(s.name);
        List<String> read = new ArrayList<>();
        if (exists) {
          KinesisReads.readShard(k, s.name, "shardId-000000000000", 100)
              .records()
              .forEach(r -> read.add(r.data().asUtf8String()));
        }
        String what = when + ": stream " + s.name + " (in flight: " + s.inFlight + ")";
        if (s.inFlight == null) {
          assertThat(exists).as("%s exists", what).isEqualTo(s.exists);
          if (exists) {
            assertThat(read).as("%s records", what).isEqualTo(s.ackedPayloads);
          }
        } else if (s.inFlight.equals("create")) {
          if (exists) {
            assertThat(read)
                .as("%s: a stream whose creation was in flight is empty", what)
                .isEmpty();
            s.exists = true;
            s.generation++;
            s.ackedPayloads.clear();
          }
        } else if (s.inFlight.startsWith("put:")) {
          assertThat(exists).as("%s exists", what).isTrue();
          List<String> withPut = new ArrayList<>(s.ackedPayloads);
          withPut.add(s.inFlight.substring(4));
          assertThat(read).as("%s records", what).isIn(s.ackedPayloads, withPut);
          s.ackedPayloads.clear();
          s.ackedPayloads.addAll(read);
        } else {
          if (exists) {
            assertThat(read).as("%s records", what).isEqualTo(s.ackedPayloads);
          } else {
            s.exists = false;
            s.ackedPayloads.clear();
          }
        }
        s.inFlight = null;
      }
    }
  }

  private void produce(
      KinesisClient k,
      int producer,
      Random random,
      AtomicBoolean stop,
      AtomicBoolean killed,
      AtomicInteger ackedThisCycle,
      List<String> unexpected) {
    while (!stop.get() && !killed.get()) {
      boolean batch = random.nextInt(5) != 0;
      int n = batch ? 1 + random.nextInt(25) : 1;
      List<Attempt> attempts = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        Attempt a = newAttempt(producer, "pk-" + random.nextInt(1000), random);
        attempts.add(a);
        attempted.put(key(a), a);
      }
      try {
        if (batch) {
          List<PutRecordsRequestEntry> entries =
              attempts.stream().map(CrashRecoveryIT::entry).toList();
          PutRecordsResponse r = k.putRecords(b -> b.streamName(STREAM).records(entries));
          for (int i = 0; i < n; i++) {
            PutRecordsResultEntry e = r.records().get(i);
            if (e.sequenceNumber() != null) {
              acked.put(key(attempts.get(i)), new Ack(e.shardId(), e.sequenceNumber()));
              ackedThisCycle.incrementAndGet();
            } else if (!killed.get()) {
              unexpected.add("PutRecords entry failed while the server was up: " + e);
            }
          }
        } else {
          Attempt a = attempts.get(0);
          PutRecordResponse r =
              k.putRecord(
                  b ->
                      b.streamName(STREAM)
                          .partitionKey(a.partitionKey())
                          .data(SdkBytes.fromByteArray(a.data())));
          acked.put(key(a), new Ack(r.shardId(), r.sequenceNumber()));
          ackedThisCycle.incrementAndGet();
        }
      } catch (SdkException e) {
        if (!killed.get()) {
          unexpected.add("put failed while the server was up: " + e);
          return;
        }
        // in flight at the kill, or sent after it: outcome unknown
      }
    }
  }

  private Attempt newAttempt(int producer, String partitionKey, Random random) {
    long counter = counters[producer].getAndIncrement();
    int filler = random.nextInt(300);
    return new Attempt(producer, counter, partitionKey, payload(producer, counter, filler));
  }

  /** {@code producer,counter,fillerLength,} followed by a filler derived from the three. */
  private static byte[] payload(int producer, long counter, int filler) {
    String head = producer + "," + counter + "," + filler + ",";
    StringBuilder sb = new StringBuilder(head);
    for (int i = 0; i < filler; i++) {
      sb.append((char) ('a' + (int) ((producer * 31 + counter * 7 + i) % 26)));
    }
    return sb.toString().getBytes(StandardCharsets.US_ASCII);
  }

  private static PutRecordsRequestEntry entry(Attempt a) {
    return PutRecordsRequestEntry.builder()
        .partitionKey(a.partitionKey())
        .data(SdkBytes.fromByteArray(a.data()))
        .build();
  }

  private static long key(Attempt a) {
    return key(a.producer(), a.counter());
  }

  private static long key(int producer, long counter) {
    return producer * 1_000_000_000L + counter;
  }

  private static long keyOf(PutRecordsRequestEntry e) {
    String[] head = e.data().asUtf8String().split(",", 4);
    return key(Integer.parseInt(head[0]), Long.parseLong(head[1]));
  }

  /** Reads the whole stream (parents before children) and checks every invariant. */
  private void verify(BasinProcess basin, String when) {
    try (KinesisClient k = KinesisClients.client(basin.endpoint(), basin.credentials(), true)) {
      List<ShardRead> reads = KinesisReads.readStreamByLineage(k, STREAM, 1000);
      Map<String, Shard> shards = new HashMap<>();
      KinesisReads.listAllShards(k, STREAM).forEach(s -> shards.put(s.shardId(), s));
      Map<Long, Ack> found = new HashMap<>();
      List<String> problems = new ArrayList<>();
      for (ShardRead read : reads) {
        BigInteger prevSeq = BigInteger.valueOf(-1);
        long[] lastCounter = new long[PRODUCERS];
        java.util.Arrays.fill(lastCounter, -1);
        for (Record r : read.records()) {
          BigInteger seq = new BigInteger(r.sequenceNumber());
          if (seq.compareTo(prevSeq) <= 0) {
            problems.add(read.shardId() + ": sequence number " + seq + " after " + prevSeq);
          }
          prevSeq = seq;
          byte[] data = r.data().asByteArray();
          String[] head = new String(data, StandardCharsets.US_ASCII).split(",", 4);
          int producer;
          long counter;
          int filler;
          try {
            producer = Integer.parseInt(head[0]);
            counter = Long.parseLong(head[1]);
            filler = Integer.parseInt(head[2]);
          } catch (RuntimeException e) {
            problems.add(
                read.shardId() + " seq " + seq + ": unparseable payload " + abbreviate(data));
            continue;
          }
          long key = key(producer, counter);
          Attempt a = attempted.get(key);
          if (a == null) {
            problems.add(
                read.shardId() + " seq " + seq + ": a record nobody sent: " + abbreviate(data));
            continue;
          }
          if (!java.util.Arrays.equals(data, payload(producer, counter, filler))
              || !java.util.Arrays.equals(data, a.data())) {
            problems.add(read.shardId() + " seq " + seq + ": corrupted data " + abbreviate(data));
          }
          if (!r.partitionKey().equals(a.partitionKey())) {
            problems.add(
                read.shardId()
                    + " seq "
                    + seq
                    + ": partition key "
                    + r.partitionKey()
                    + " != "
                    + a.partitionKey());
          }
          Ack prev = found.put(key, new Ack(read.shardId(), r.sequenceNumber()));
          if (prev != null) {
            problems.add(
                "record "
                    + producer
                    + "/"
                    + counter
                    + " stored twice: "
                    + prev
                    + " and "
                    + read.shardId()
                    + "/"
                    + seq);
          }
          if (counter <= lastCounter[producer]) {
            problems.add(
                read.shardId()
                    + ": producer "
                    + producer
                    + " counter "
                    + counter
                    + " after "
                    + lastCounter[producer]);
          }
          lastCounter[producer] = counter;
          maxSeqByShard.merge(read.shardId(), seq, BigInteger::max);
        }
      }
      int ackedChecked = 0;
      for (Map.Entry<Long, Ack> e : acked.entrySet()) {
        Ack got = found.get(e.getKey());
        ackedChecked++;
        if (got == null) {
          problems.add(
              "LOST: acknowledged record "
                  + describe(e.getKey())
                  + " at "
                  + e.getValue()
                  + " is missing");
        } else if (!got.equals(e.getValue())) {
          problems.add(
              "MOVED: acknowledged record "
                  + describe(e.getKey())
                  + " at "
                  + e.getValue()
                  + " read at "
                  + got);
        }
      }
      for (Map.Entry<Long, Ack> e : everRead.entrySet()) {
        Ack got = found.get(e.getKey());
        if (got == null) {
          problems.add(
              "VANISHED: record "
                  + describe(e.getKey())
                  + " read earlier at "
                  + e.getValue()
                  + " is gone");
        } else if (!got.equals(e.getValue())) {
          problems.add(
              "MOVED: record "
                  + describe(e.getKey())
                  + " read earlier at "
                  + e.getValue()
                  + " now at "
                  + got);
        }
      }
      everRead.putAll(found);
      found.keySet().stream().filter(key -> !acked.containsKey(key)).forEach(unackedFound::add);
      assertThat(problems.subList(0, Math.min(20, problems.size())))
          .as(
              "%s: %s records read, %s acknowledged checked, %s shards%s",
              when,
              found.size(),
              ackedChecked,
              shards.size(),
              problems.size() > 20 ? " (first 20 problems)" : "")
          .isEmpty();
      assertThat(basin.isAlive()).isTrue();
    }
  }

  private String describe(long key) {
    Attempt a = attempted.get(key);
    return a == null
        ? String.valueOf(key)
        : a.producer() + "/" + a.counter() + " (" + a.partitionKey() + ")";
  }

  private static String abbreviate(byte[] data) {
    String s = new String(data, StandardCharsets.ISO_8859_1);
    return s.length() <= 40 ? s : s.substring(0, 40) + "…";
  }
}
