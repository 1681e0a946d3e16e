package dev.basin.common.config;

import dev.basin.common.error.BasinException;
import dev.basin.common.error.CommonErrorCode;
import dev.basin.common.text.EditDistance;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The set of settings a program accepts, and the strict resolver that turns raw sources into a
 * {@link Config}. Sources in increasing precedence: defaults, the config file, environment
 * variables, command-line overrides. An unknown key in the file or the overrides, an unknown {@code
 * BASIN_*} environment variable, or a value that does not parse is an error naming the key.
 */
public final class ConfigDef {
  private final Map<String, ConfigKey<?>> keys = new LinkedHashMap<>();
  private final Set<String> ignoredEnv;

  /**
   * @param ignoredEnv {@code BASIN_*} environment variables that belong to the launcher rather than
   *     the program and are therefore not treated as unknown settings
   */
  public ConfigDef(Set<String> ignoredEnv) {
    this.ignoredEnv = Set.copyOf(ignoredEnv);
  }

  public ConfigDef define(ConfigKey<?> key) {
    if (keys.putIfAbsent(key.name(), key) != null) {
      throw new IllegalArgumentException("config key defined twice: " + key.name());
    }
    return this;
  }

  public Collection<ConfigKey<?>> keys() {
    return Collections.unmodifiableCollection(keys.values());
  }

  /**
   * Resolves the settings.
   *
   * @param file flattened (dotted) keys from the config file; may be empty
   * @param env the process environment
   * @param overrides dotted keys from command-line flags
   * @throws BasinException with {@link CommonErrorCode#INVALID_CONFIG} listing every problem found
   */
  public Config resolve(
      Map<String, String> file, Map<String, String> env, Map<String, String> overrides) {
    List<String> problems = new ArrayList<>();
    Map<String, String> raw = new LinkedHashMap<>();
    Map<String, String> origin = new LinkedHashMap<>();
    collect(file, "config file", raw, origin, problems);
    Map<String, String> byEnv = new LinkedHashMap<>();
    for (ConfigKey<?> k : keys.values()) {
      byEnv.put(k.envName(), k.name());
    }
    for (Map.Entry<String, String> e : env.entrySet()) {
      String name = byEnv.get(e.getKey());
      if (name != null) {
        raw.put(name, e.getValue());
        origin.put(name, "environment variable " + e.getKey());
      } else if (e.getKey().startsWith("BASIN_") && !ignoredEnv.contains(e.getKey())) {
        problems.add(
            "unknown environment variable "
                + e.getKey()
                + " (known: "
                + String.join(", ", byEnv.keySet())
                + ")");
      }
    }
    collect(overrides, "command line", raw, origin, problems);

    Map<ConfigKey<?>, Object> values = new LinkedHashMap<>();
    for (ConfigKey<?> k : keys.values()) {
      String r = raw.get(k.name());
      if (r == null) {
        values.put(k, k.defaultValue());
        continue;
      }
      try {
        values.put(k, k.parse(r));
      } catch (RuntimeException ex) {
        problems.add(
            "invalid value "
                + (k.secret() ? "****" : "'" + r + "'")
                + " for "
                + k.name()
                + " (from "
                + origin.get(k.name())
                + "): "
                + ex.getMessage()
                + "; expected "
                + k.type());
      }
    }
    if (!problems.isEmpty()) {
      throw new BasinException(
          CommonErrorCode.INVALID_CONFIG, "invalid configuration: " + String.join("; ", problems));
    }
    return new Config(values);
  }

  private void collect(
      Map<String, String> source,
      String where,
      Map<String, String> raw,
      Map<String, String> origin,
      List<String> problems) {
    for (Map.Entry<String, String> e : source.entrySet()) {
      if (!keys.containsKey(e.getKey())) {
        problems.add("unknown setting '" + e.getKey() + "' in " + where + suggest(e.getKey()));
      } else {
        raw.put(e.getKey(), e.getValue());
        origin.put(e.getKey(), where);
      }
    }
  }

  private String suggest(String unknown) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String k : keys.keySet()) {
      int d = EditDistance.between(unknown, k);
      if (d < bestDistance) {
        bestDistance = d;
        best = k;
      }
    }
    return best != null && bestDistance <= 3 ? " (did you mean '" + best + "'?)" : "";
  }
}
