package dev.basin.stream.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.basin.spi.stream.LogRecord;
import dev.basin.spi.stream.ShardLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Stream-level operations of {@link LocalStreamLog} and validation of its configuration. */
class LocalStreamLogTest {
  @TempDir Path root;

  private static List<LogRecord> one(String key) {
    return List.of(new LogRecord(key, key.getBytes()));
  }

  @Test
  void openReturnsOneInstancePerShardAndCreatesItsDirectory() {
    try (LocalStreamLog streams = new LocalStreamLog(LocalStreamLogConfig.defaults(root))) {
      ShardLog a = streams.open("orders", "shardId-000000000000");
      assertThat(streams.open("orders", "shardId-000000000000")).isSameAs(a);
      assertThat(streams.open("orders", "shardId-000000000001")).isNotSameAs(a);
      assertThat(root.resolve("orders").resolve("shardId-000000000000")).isDirectory();
      assertThat(streams.shards("orders"))
          .containsExactly("shardId-000000000000", "shardId-000000000001");
      assertThat(streams.shards("unknown")).isEmpty();
    }
  }

  @Test
  void aShardLogClosedByItsUserIsReopenedOnTheNextOpen() throws Exception {
    try (LocalStreamLog streams = new LocalStreamLog(LocalStreamLogConfig.defaults(root))) {
      ShardLog a = streams.open("orders", "s1");
      a.append(one("x")).get();
      a.close();
      ShardLog b = streams.open("orders", "s1");
      assertThat(b).isNotSameAs(a);
      assertThat(b.endOffset()).isEqualTo(1);
    }
  }

  @Test
  void deleteClosesTheLogsAndRemovesTheStream() throws Exception {
    try (LocalStreamLog streams = new LocalStreamLog(LocalStreamLogConfig.defaults(root))) {
      ShardLog log = streams.open("orders", "s1");
      log.append(one("x")).get();
      streams.open("other", "s1").append(one("y")).get();
      streams.delete("orders");
      assertThat(root.resolve("orders")).doesNotExist();
      assertThat(streams.shards("orders")).isEmpty();
      assertThatThrownBy(() -> log.append(one("z"))).isInstanceOf(IllegalStateException.class);
      assertThat(streams.open("orders", "s1").endOffset()).isZero();
      assertThat(streams.open("other", "s1").endOffset()).isEqualTo(1);
      streams.delete("orders");
      streams.delete("orders");
      streams.delete("never-existed");
      try (var entries = Files.list(root)) {
        assertThat(entries.map(p -> p.getFileName().toString())).containsOnly("other");
      }
    }
  }

  @Test
  void leftoversOfAnInterruptedDeleteArePurgedOnStart() throws Exception {
    Path trash = root.resolve("orders~deleted~123").resolve("s1");
    Files.createDirectories(trash);
    Files.write(trash.resolve("00000000000000000000.log"), new byte[10]);
    new LocalStreamLog(LocalStreamLogConfig.defaults(root)).close();
    assertThat(root.resolve("orders~deleted~123")).doesNotExist();
  }

  @Test
  void invalidNamesAreRejectedWithTheName() {
    try (LocalStreamLog streams = new LocalStreamLog(LocalStreamLogConfig.defaults(root))) {
      for (String bad : new String[] {"", ".", "..", "a/b", "../x", "a b", "x".repeat(129)}) {
        assertThatThrownBy(() -> streams.open(bad, "s1"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("stream '" + bad + "'");
        assertThatThrownBy(() -> streams.open("orders", bad))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("shardId '" + bad + "'");
      }
      assertThatThrownBy(() -> streams.shards(null))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("null");
    }
  }

  @Test
  void openAfterCloseFails() {
    LocalStreamLog streams = new LocalStreamLog(LocalStreamLogConfig.defaults(root));
    ShardLog log = streams.open("orders", "s1");
    streams.close();
    streams.close();
    assertThatThrownBy(() -> streams.open("orders", "s1"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    assertThatThrownBy(() -> log.read(0, 1, 1)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void configDefaultsAndValidation() {
    LocalStreamLogConfig d = LocalStreamLogConfig.defaults(root);
    assertThat(d.segmentBytes()).isEqualTo(64L * 1024 * 1024);
    assertThat(d.segmentAge()).isEqualTo(Duration.ofHours(1));
    assertThat(d.fsyncMode()).isEqualTo(LocalStreamLogConfig.FsyncMode.GROUP);
    assertThat(d.fsyncInterval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(d.indexIntervalBytes()).isEqualTo(4096);
    assertThatThrownBy(() -> d.withSegmentBytes(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("segmentBytes")
        .hasMessageContaining("0");
    assertThatThrownBy(() -> d.withSegmentAge(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("segmentAge")
        .hasMessageContaining("PT-1S");
    assertThatThrownBy(() -> d.withFsyncInterval(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("fsyncInterval");
    assertThatThrownBy(() -> d.withIndexIntervalBytes(-3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-3");
    assertThatThrownBy(() -> LocalStreamLogConfig.defaults(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("root");
  }
}
