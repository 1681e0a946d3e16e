package dev.basin.common.config;

import java.util.LinkedHashMap;
import java.util.Map;

/** Resolved, validated settings. Immutable and thread-safe. */
public final class Config {
  private final Map<ConfigKey<?>, Object> values;

  Config(Map<ConfigKey<?>, Object> values) {
    this.values = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(values));
  }

  /** The value of {@code key}; the key must belong to the {@link ConfigDef} that made this. */
  @SuppressWarnings("unchecked")
  public <T> T get(ConfigKey<T> key) {
    if (!values.containsKey(key)) {
      throw new IllegalArgumentException("setting not defined: " + key.name());
    }
    return (T) values.get(key);
  }

  /** Every setting and its value as text, with secrets masked; safe to log. */
  public Map<String, String> describe() {
    Map<String, String> out = new LinkedHashMap<>();
    values.keySet().stream()
        .sorted((a, b) -> a.name().compareTo(b.name()))
        .forEach(
            k -> {
              Object v = values.get(k);
              out.put(k.name(), k.secret() && v != null ? "****" : display(v));
            });
    return out;
  }

  private static String display(Object v) {
    if (v == null) {
      return "";
    }
    if (v instanceof Enum<?> e) {
      return Enums.display(e);
    }
    return v.toString();
  }
}
