package dev.basin.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.basin.common.error.BasinException;
import dev.basin.common.error.CommonErrorCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigDefTest {
  enum Mode {
    GROUP,
    INTERVAL_SYNC
  }

  static final ConfigKey<Integer> PORT = ConfigKey.integer("http-port", 4580, 0, 65535, "port");
  static final ConfigKey<Long> SIZE = ConfigKey.size("streams.segment-bytes", 1024, 512, "size");
  static final ConfigKey<Duration> EVERY =
      ConfigKey.duration("streams.interval", Duration.ofSeconds(1), "interval");
  static final ConfigKey<Mode> MODE =
      ConfigKey.oneOf("streams.mode", Mode.class, Mode.GROUP, "mode");
  static final ConfigKey<String> SECRET =
      ConfigKey.string("auth.secret", null, "secret").withEnv("BASIN_SECRET").asSecret();
  static final ConfigKey<Boolean> FLAG = ConfigKey.bool("auth.enabled", true, "flag");

  private static ConfigDef def() {
    return new ConfigDef(Set.of("BASIN_JAVA_OPTS"))
        .define(PORT)
        .define(SIZE)
        .define(EVERY)
        .define(MODE)
        .define(SECRET)
        .define(FLAG);
  }

  @Test
  void defaultsApplyWhenNothingIsSet() {
    Config c = def().resolve(Map.of(), Map.of(), Map.of());
    assertThat(c.get(PORT)).isEqualTo(4580);
    assertThat(c.get(SIZE)).isEqualTo(1024);
    assertThat(c.get(MODE)).isEqualTo(Mode.GROUP);
    assertThat(c.get(SECRET)).isNull();
  }

  @Test
  void flagsBeatEnvironmentWhichBeatsTheFile() {
    Config c =
        def()
            .resolve(
                Map.of("http-port", "1", "streams.segment-bytes", "64KiB", "streams.mode", "group"),
                Map.of(
                    "BASIN_HTTP_PORT", "2", "BASIN_STREAMS_MODE", "interval-sync", "PATH", "/bin"),
                Map.of("http-port", "3"));
    assertThat(c.get(PORT)).isEqualTo(3);
    assertThat(c.get(SIZE)).isEqualTo(64 * 1024);
    assertThat(c.get(MODE)).isEqualTo(Mode.INTERVAL_SYNC);
  }

  @Test
  void unknownKeysAndBadValuesAreErrorsNamingTheKey() {
    assertThatThrownBy(() -> def().resolve(Map.of("http-prot", "1"), Map.of(), Map.of()))
        .isInstanceOf(BasinException.class)
        .hasMessageContaining("unknown setting 'http-prot' in config file")
        .hasMessageContaining("did you mean 'http-port'?")
        .extracting(e -> ((BasinException) e).code())
        .isEqualTo(CommonErrorCode.INVALID_CONFIG);
    assertThatThrownBy(() -> def().resolve(Map.of(), Map.of("BASIN_HTTP_PROT", "1"), Map.of()))
        .hasMessageContaining("unknown environment variable BASIN_HTTP_PROT");
    assertThatThrownBy(() -> def().resolve(Map.of(), Map.of(), Map.of("http-port", "70000")))
        .hasMessageContaining("http-port")
        .hasMessageContaining("between 0 and 65535");
    assertThatThrownBy(() -> def().resolve(Map.of(), Map.of(), Map.of("streams.mode", "fast")))
        .hasMessageContaining("group|interval-sync");
    assertThatThrownBy(() -> def().resolve(Map.of(), Map.of(), Map.of("streams.interval", "soon")))
        .hasMessageContaining("not a duration");
    assertThatThrownBy(() -> def().resolve(Map.of(), Map.of(), Map.of("auth.enabled", "maybe")))
        .hasMessageContaining("true or false");
    assertThat(def().resolve(Map.of(), Map.of("BASIN_JAVA_OPTS", "-Xmx1g"), Map.of()).get(PORT))
        .isEqualTo(4580);
  }

  @Test
  void secretsAreMaskedInDescriptionsAndErrors() {
    Config c = def().resolve(Map.of(), Map.of("BASIN_SECRET", "hunter2"), Map.of());
    assertThat(c.get(SECRET)).isEqualTo("hunter2");
    assertThat(c.describe()).containsEntry("auth.secret", "****");
    assertThat(c.describe().toString()).doesNotContain("hunter2");
  }

  @Test
  void yamlFilesFlattenToDottedKeys(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("basin.yml");
    Files.writeString(
        file, "http-port: 9000\nstreams:\n  segment-bytes: 2MiB\n  interval: 250ms\n");
    Config c = def().resolve(ConfigFiles.load(file), Map.of(), Map.of());
    assertThat(c.get(PORT)).isEqualTo(9000);
    assertThat(c.get(SIZE)).isEqualTo(2 * 1024 * 1024);
    assertThat(c.get(EVERY)).isEqualTo(Duration.ofMillis(250));
    Files.writeString(file, "streams: [1, 2]\n");
    assertThatThrownBy(() -> ConfigFiles.load(file)).hasMessageContaining("must be a single value");
    assertThatThrownBy(() -> ConfigFiles.load(dir.resolve("missing.yml")))
        .hasMessageContaining("does not exist");
  }
}
