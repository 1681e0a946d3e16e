package dev.basin.common.config;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;

/**
 * One typed, documented configuration setting with a default. Keys are dotted, lower-case names
 * ({@code streams.fsync-mode}); each has an environment-variable name derived from it ({@code
 * BASIN_STREAMS_FSYNC_MODE}) unless one is given explicitly.
 *
 * @param <T> the value type
 */
public final class ConfigKey<T> {
  private final String name;
  private final String type;
  private final Function<String, T> parser;
  private final T defaultValue;
  private final String doc;
  private final boolean secret;
  private final String envName;

  private ConfigKey(
      String name,
      String type,
      Function<String, T> parser,
      T defaultValue,
      String doc,
      boolean secret,
      String envName) {
    if (!name.matches("[a-z][a-z0-9-]*(\\.[a-z][a-z0-9-]*)*")) {
      throw new IllegalArgumentException("invalid config key name: " + name);
    }
    this.name = name;
    this.type = type;
    this.parser = parser;
    this.defaultValue = defaultValue;
    this.doc = Objects.requireNonNull(doc, "doc");
    this.secret = secret;
    this.envName =
        envName != null
            ? envName
            : "BASIN_" + name.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  public static ConfigKey<String> string(String name, String defaultValue, String doc) {
    return new ConfigKey<>(name, "string", s -> s, defaultValue, doc, false, null);
  }

  public static ConfigKey<Boolean> bool(String name, boolean defaultValue, String doc) {
    return new ConfigKey<>(
        name, "boolean", ConfigKey::parseBoolean, defaultValue, doc, false, null);
  }

  /** An integer setting that must lie within [{@code min}, {@code max}]. */
  public static ConfigKey<Integer> integer(
      String name, int defaultValue, int min, int max, String doc) {
    return new ConfigKey<>(
        name,
        "integer in [" + min + ", " + max + "]",
        s -> {
          long v = Long.parseLong(s.trim());
          if (v < min || v > max) {
            throw new IllegalArgumentException("must be between " + min + " and " + max);
          }
          return (int) v;
        },
        defaultValue,
        doc,
        false,
        null);
  }

  /** A byte size such as {@code 64MiB}, {@code 512KiB} or {@code 1048576}, at least {@code min}. */
  public static ConfigKey<Long> size(String name, long defaultValue, long min, String doc) {
    return new ConfigKey<>(
        name,
        "size (e.g. 64MiB)",
        s -> {
          long v = Sizes.parse(s);
          if (v < min) {
            throw new IllegalArgumentException("must be at least " + min + " bytes");
          }
          return v;
        },
        defaultValue,
        doc,
        false,
        null);
  }

  /** A duration such as {@code 250ms}, {@code 5s}, {@code 10m}, {@code 24h} or ISO-8601. */
  public static ConfigKey<Duration> duration(String name, Duration defaultValue, String doc) {
    return new ConfigKey<>(
        name, "duration (e.g. 5s)", Durations::parse, defaultValue, doc, false, null);
  }

  /** One of an enum's constants, written in lower case with dashes. */
  public static <E extends Enum<E>> ConfigKey<E> oneOf(
      String name, Class<E> type, E defaultValue, String doc) {
    StringBuilder allowed = new StringBuilder();
    for (E e : type.getEnumConstants()) {
      allowed.append(allowed.length() == 0 ? "" : "|").append(Enums.display(e));
    }
    return new ConfigKey<>(
        name,
        allowed.toString(),
        s -> {
          for (E e : type.getEnumConstants()) {
            if (Enums.display(e).equalsIgnoreCase(s.trim())) {
              return e;
            }
          }
          throw new IllegalArgumentException("must be one of " + allowed);
        },
        defaultValue,
        doc,
        false,
        null);
  }

  /** A copy of this key whose value is masked in logs and descriptions. */
  public ConfigKey<T> asSecret() {
    return new ConfigKey<>(name, type, parser, defaultValue, doc, true, envName);
  }

  /** A copy of this key read from the given environment variable instead of the derived one. */
  public ConfigKey<T> withEnv(String env) {
    return new ConfigKey<>(name, type, parser, defaultValue, doc, secret, env);
  }

  public String name() {
    return name;
  }

  public String type() {
    return type;
  }

  public T defaultValue() {
    return defaultValue;
  }

  public String doc() {
    return doc;
  }

  public boolean secret() {
    return secret;
  }

  public String envName() {
    return envName;
  }

  T parse(String raw) {
    return parser.apply(raw);
  }

  private static boolean parseBoolean(String s) {
    switch (s.trim().toLowerCase(Locale.ROOT)) {
      case "true":
      case "yes":
      case "on":
      case "1":
        return true;
      case "false":
      case "no":
      case "off":
      case "0":
        return false;
      default:
        throw new IllegalArgumentException("must be true or false");
    }
  }

  @Override
  public String toString() {
    return name;
  }
}
