package dev.basin.stream.log;

import dev.basin.spi.stream.LogRecord;
import dev.basin.spi.stream.ReadResult;
import dev.basin.spi.stream.ShardLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A quick throughput check of the local log, run by hand (not a test; tests never assert on time):
 *
 * <pre>
 * java -cp &lt;test classpath&gt; dev.basin.stream.log.LocalStreamLogThroughput \
 *     [recordBytes=1024] [recordsPerBatch=100] [threads=16] [seconds=5] [GROUP|INTERVAL] [shards=1]
 * </pre>
 *
 * Each thread appends batches to one shard and waits for each acknowledgement, as a request handler
 * does; then one reader reads everything back.
 */
final class LocalStreamLogThroughput {
  private LocalStreamLogThroughput() {}

  public static void main(String[] args) throws Exception {
    int recordBytes = args.length > 0 ? Integer.parseInt(args[0]) : 1024;
    int perBatch = args.length > 1 ? Integer.parseInt(args[1]) : 100;
    int threads = args.length > 2 ? Integer.parseInt(args[2]) : 16;
    int seconds = args.length > 3 ? Integer.parseInt(args[3]) : 5;
    LocalStreamLogConfig.FsyncMode mode =
        LocalStreamLogConfig.FsyncMode.valueOf(args.length > 4 ? args[4] : "GROUP");
    int shards = args.length > 5 ? Integer.parseInt(args[5]) : 1;
    Path root = Files.createTempDirectory("basin-log-throughput");
    LocalStreamLogConfig config = LocalStreamLogConfig.defaults(root).withFsyncMode(mode);
    try (LocalStreamLog streams = new LocalStreamLog(config)) {
      List<ShardLog> logs = new ArrayList<>();
      for (int s = 0; s < shards; s++) {
        logs.add(streams.open("bench", "shard-" + s));
      }
      List<LogRecord> batch = new ArrayList<>();
      for (int i = 0; i < perBatch; i++) {
        batch.add(new LogRecord("partition-key-" + i, new byte[recordBytes]));
      }
      AtomicLong appended = new AtomicLong();
      long deadline = System.nanoTime() + seconds * 1_000_000_000L;
      List<Thread> workers = new ArrayList<>();
      long start = System.nanoTime();
      for (int t = 0; t < threads; t++) {
        ShardLog log = logs.get(t % shards);
        Thread w =
            new Thread(
                () -> {
                  while (System.nanoTime() < deadline) {
                    appended.addAndGet(log.append(batch).join().count());
                  }
                });
        w.start();
        workers.add(w);
      }
      for (Thread w : workers) {
        w.join();
      }
      double secs = (System.nanoTime() - start) / 1e9;
      System.out.printf(
          "append: %d records of %d B, %d per batch, %d threads, %d shard(s), %s: %.0f records/s,"
              + " %.1f MiB/s%n",
          appended.get(),
          recordBytes,
          perBatch,
          threads,
          shards,
          mode,
          appended.get() / secs,
          appended.get() * (double) recordBytes / secs / (1 << 20));
      long readStart = System.nanoTime();
      long read = 0;
      for (ShardLog log : logs) {
        long next = log.startOffset();
        while (true) {
          ReadResult r = log.read(next, 10_000, 10L << 20);
          if (r.records().isEmpty()) {
            break;
          }
          read += r.records().size();
          next = r.nextOffset();
        }
      }
      double readSecs = (System.nanoTime() - readStart) / 1e9;
      System.out.printf("read: %d records, %.0f records/s%n", read, read / readSecs);
    } finally {
      dev.basin.common.io.DurableFiles.deleteRecursively(root);
    }
  }
}
