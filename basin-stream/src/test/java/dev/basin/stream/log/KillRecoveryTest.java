package dev.basin.stream.log;

import static dev.basin.stream.log.LogTestSupport.SHARD;
import static dev.basin.stream.log.LogTestSupport.STREAM;
import static dev.basin.stream.log.LogTestSupport.readAll;
import static org.assertj.core.api.Assertions.assertThat;

import dev.basin.spi.stream.ShardLog;
import dev.basin.spi.stream.StoredRecord;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Kills a process that is appending (SIGKILL, no shutdown hooks) and checks that every batch it
 * acknowledged is in the log after recovery, intact and at the offsets it was given.
 */
class KillRecoveryTest {
  private static final int ACKS_BEFORE_KILL = 400;

  @TempDir Path root;

  @ParameterizedTest
  @EnumSource(LocalStreamLogConfig.FsyncMode.class)
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void everyAcknowledgedBatchSurvivesAKill(LocalStreamLogConfig.FsyncMode mode) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                CrashingAppender.class.getName(),
                root.toString(),
                mode.name())
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    List<long[]> acks = new ArrayList<>();
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while (acks.size() < ACKS_BEFORE_KILL && (line = out.readLine()) != null) {
        String[] f = line.split(" ");
        acks.add(
            new long[] {
              Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]), Long.parseLong(f[4])
            });
      }
      child.destroyForcibly();
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    } finally {
      child.destroyForcibly();
    }
    assertThat(acks).as("acknowledgements before the kill").hasSize(ACKS_BEFORE_KILL);

    try (LocalStreamLog streams = new LocalStreamLog(LocalStreamLogConfig.defaults(root))) {
      ShardLog log = streams.open(STREAM, SHARD);
      List<StoredRecord> records = readAll(log);
      assertThat(records).hasSize((int) log.endOffset());
      for (int i = 0; i < records.size(); i++) {
        StoredRecord r = records.get(i);
        assertThat(r.offset()).isEqualTo(i);
        assertThat(r.data()).isEqualTo(CrashingAppender.payload(r.key()));
      }
      for (long[] ack : acks) {
        var expected = CrashingAppender.batch((int) ack[2], (int) ack[3]);
        assertThat(ack[1]).isEqualTo(expected.size());
        for (int i = 0; i < expected.size(); i++) {
          assertThat(ack[0] + i).isLessThan(records.size());
          assertThat(records.get((int) (ack[0] + i)).key()).isEqualTo(expected.get(i).key());
        }
      }
      long next = log.endOffset();
      assertThat(log.append(CrashingAppender.batch(9, 0)).get().firstOffset()).isEqualTo(next);
    }
  }
}
