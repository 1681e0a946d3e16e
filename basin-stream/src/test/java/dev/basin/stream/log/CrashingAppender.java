package dev.basin.stream.log;

import dev.basin.spi.stream.AppendResult;
import dev.basin.spi.stream.LogRecord;
import dev.basin.spi.stream.ShardLog;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Child process of {@link KillRecoveryTest}: appends from several threads forever and prints one
 * {@code ACK <firstOffset> <count> <thread> <seq>} line per acknowledged batch, until it is killed.
 */
final class CrashingAppender {
  private CrashingAppender() {}

  static List<LogRecord> batch(int thread, int seq) {
    int n = 1 + (thread + seq) % 5;
    List<LogRecord> records = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      String key = "t" + thread + "-" + seq + "-" + i;
      records.add(new LogRecord(key, payload(key)));
    }
    return records;
  }

  static byte[] payload(String key) {
    return (key + "|" + key.hashCode() + "|" + "x".repeat(key.length() * 7))
        .getBytes(StandardCharsets.UTF_8);
  }

  public static void main(String[] args) throws Exception {
    LocalStreamLogConfig config =
        LocalStreamLogConfig.defaults(Path.of(args[0]))
            .withFsyncMode(LocalStreamLogConfig.FsyncMode.valueOf(args[1]))
            .withSegmentBytes(16 * 1024)
            .withIndexIntervalBytes(512);
    LocalStreamLog streams = new LocalStreamLog(config);
    ShardLog log = streams.open(LogTestSupport.STREAM, LogTestSupport.SHARD);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      int thread = t;
      Thread th =
          new Thread(
              () -> {
                for (int seq = 0; ; seq++) {
                  AppendResult r = log.append(batch(thread, seq)).join();
                  synchronized (System.out) {
                    System.out.println(
                        "ACK " + r.firstOffset() + " " + r.count() + " " + thread + " " + seq);
                    System.out.flush();
                  }
                }
              });
      th.start();
      threads.add(th);
    }
    for (Thread th : threads) {
      th.join();
    }
  }
}
