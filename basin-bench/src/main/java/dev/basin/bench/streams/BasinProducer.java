package dev.basin.bench.streams;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.basin.server.auth.Credentials;
import dev.basin.server.client.KinesisHttpClient;
import dev.basin.server.client.KinesisHttpClient.GetRecordsResult;
import dev.basin.server.client.KinesisHttpClient.PutEntry;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The producer workload against Basin's Kinesis API, in its own process: creates a stream, sends
 * PutRecords batches with a bounded number of records in flight for the warm-up plus the window,
 * reads every shard with GetRecords in the same process to time put-to-get, and prints one {@link
 * DriverResult} line.
 *
 * <p>A PutRecords entry counts as acknowledged when the response gives it a sequence number; Basin
 * sends that response only after the record is fsynced.
 */
public final class BasinProducer {
  private BasinProducer() {}

  public static void main(String[] argv) throws Exception {
    Args args = Args.parse(argv, Set.of());
    URI endpoint = URI.create(args.required("endpoint"));
    Path credentialsFile = Path.of(args.required("credentials"));
    String stream = args.required("stream");
    boolean cbor = Boolean.parseBoolean(args.string("cbor", "true"));
    int idlePollMillis = args.integer("idle-poll-ms", 1);
    int senders = args.integer("senders", 1);
    Workload workload = Workload.from(args);
    args.rejectUnknown();

    Credentials credentials = Credentials.readFile(credentialsFile, "default");
    String note = "";
    try (KinesisHttpClient client = new KinesisHttpClient(endpoint, credentials, cbor)) {
      client.createStream(stream, workload.shards());
      List<String> shardIds = client.listShardIds(stream);
      LoadWindow window = new LoadWindow(workload);
      window.printMarkers(System.out);

      List<ShardReader> readers = new ArrayList<>();
      for (String shardId : shardIds) {
        ShardReader r = new ShardReader(client, stream, shardId, window, idlePollMillis);
        readers.add(r);
        r.start();
      }
      List<Thread> senderThreads = new ArrayList<>();
      SharedSequence sequence = new SharedSequence();
      for (int i = 0; i < senders; i++) {
        Thread t =
            new Thread(() -> send(client, stream, workload, window, sequence), "put-records-" + i);
        senderThreads.add(t);
        t.start();
      }
      for (Thread t : senderThreads) {
        t.join();
      }
      if (!window.awaitAcks(30)) {
        note = "records still unacknowledged 30 s after the window closed";
      }
      if (!window.awaitConsumed(30)) {
        note =
            (note.isEmpty() ? "" : note + "; ")
                + "GetRecords did not return every acknowledged record within 30 s";
      }
      for (ShardReader r : readers) {
        r.stop();
      }
      try {
        client.deleteStream(stream); // frees the disk for the next trial
      } catch (RuntimeException e) {
        note = (note.isEmpty() ? "" : note + "; ") + "DeleteStream failed: " + e.getMessage();
      }
      DriverResult result = window.result("basin", note);
      System.out.println(LoadWindow.RESULT_PREFIX + new ObjectMapper().writeValueAsString(result));
      System.out.flush();
    }
    System.exit(0);
  }

  private static void send(
      KinesisHttpClient client,
      String stream,
      Workload w,
      LoadWindow window,
      SharedSequence sequence) {
    Payload payload = new Payload(w.recordSize());
    int n = w.batchRecords();
    try {
      while (window.acquire(n)) {
        long first = sequence.take(n);
        long sendNanos = System.nanoTime();
        List<PutEntry> entries = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          long seq = first + i;
          entries.add(new PutEntry(Keys.of(seq), payload.make(sendNanos, seq)));
        }
        try {
          client
              .putRecords(stream, entries)
              .whenComplete(
                  (result, error) -> {
                    if (error != null) {
                      window.requestFailed(n, error);
                    } else {
                      int failed = result.failedRecordCount();
                      window.acked(sendNanos, System.nanoTime(), n - failed, failed);
                    }
                  });
        } catch (RuntimeException e) {
          window.requestFailed(n, e);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Sequence numbers handed out to sender threads in whole batches. */
  private static final class SharedSequence {
    private long next;

    synchronized long take(int n) {
      long first = next;
      next += n;
      return first;
    }
  }

  /** Polls one shard from TRIM_HORIZON, as a Kinesis consumer without enhanced fan-out would. */
  private static final class ShardReader {
    private final Thread thread;
    private volatile boolean running = true;

    ShardReader(
        KinesisHttpClient client,
        String stream,
        String shardId,
        LoadWindow window,
        int idlePollMillis) {
      thread =
          new Thread(
              () -> {
                String iterator = null;
                while (running) {
                  try {
                    if (iterator == null) {
                      iterator = client.getShardIterator(stream, shardId, "TRIM_HORIZON", null);
                    }
                    GetRecordsResult r = client.getRecords(iterator, 10_000);
                    long now = System.nanoTime();
                    for (KinesisHttpClient.Record record : r.records()) {
                      window.received(Payload.sendNanos(record.data()), now);
                    }
                    iterator = r.nextShardIterator();
                    if (iterator == null) {
                      return; // shard closed
                    }
                    if (r.records().isEmpty() && idlePollMillis > 0) {
                      Thread.sleep(idlePollMillis);
                    }
                  } catch (InterruptedException e) {
                    return;
                  } catch (RuntimeException e) {
                    window.consumerError(e);
                    try {
                      Thread.sleep(10);
                    } catch (InterruptedException ie) {
                      return;
                    }
                  }
                }
              },
              "get-records-" + shardId);
    }

    void start() {
      thread.start();
    }

    void stop() throws InterruptedException {
      running = false;
      thread.join(10_000);
    }
  }
}
