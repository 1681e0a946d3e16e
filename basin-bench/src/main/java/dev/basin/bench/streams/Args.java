package dev.basin.bench.streams;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Minimal {@code --key value} / {@code --flag} command-line parser for the benchmark mains. Every
 * option a main reads must be declared; an option nobody reads is reported by {@link
 * #rejectUnknown()}.
 */
final class Args {
  private final Map<String, String> values = new HashMap<>();
  private final Set<String> read = new LinkedHashSet<>();

  private Args() {}

  static Args parse(String[] argv, Set<String> flags) {
    Args args = new Args();
    for (int i = 0; i < argv.length; i++) {
      String a = argv[i];
      if (!a.startsWith("--")) {
        throw new IllegalArgumentException("expected an option starting with --, got '" + a + "'");
      }
      String key = a.substring(2);
      int eq = key.indexOf('=');
      if (eq >= 0) {
        args.values.put(key.substring(0, eq), key.substring(eq + 1));
      } else if (flags.contains(key)) {
        args.values.put(key, "true");
      } else if (i + 1 < argv.length) {
        args.values.put(key, argv[++i]);
      } else {
        throw new IllegalArgumentException("option --" + key + " needs a value");
      }
    }
    return args;
  }

  String string(String key, String def) {
    read.add(key);
    return values.getOrDefault(key, def);
  }

  String required(String key) {
    read.add(key);
    String v = values.get(key);
    if (v == null) {
      throw new IllegalArgumentException("missing required option --" + key);
    }
    return v;
  }

  int integer(String key, int def) {
    String v = string(key, null);
    try {
      return v == null ? def : Integer.parseInt(v.replace("_", ""));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + key + " must be an integer, got '" + v + "'", e);
    }
  }

  double decimal(String key, double def) {
    String v = string(key, null);
    try {
      return v == null ? def : Double.parseDouble(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + key + " must be a number, got '" + v + "'", e);
    }
  }

  boolean flag(String key) {
    return Boolean.parseBoolean(string(key, "false"));
  }

  List<Integer> integers(String key, String def) {
    List<Integer> out = new ArrayList<>();
    for (String part : string(key, def).split(",")) {
      try {
        out.add(Integer.parseInt(part.trim()));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "--" + key + " must be a comma-separated list of integers, got '" + part + "'", e);
      }
    }
    return out;
  }

  List<String> strings(String key, String def) {
    List<String> out = new ArrayList<>();
    for (String part : string(key, def).split(",")) {
      if (!part.isBlank()) {
        out.add(part.trim());
      }
    }
    return out;
  }

  /**
   * @throws IllegalArgumentException naming the first option that no getter asked for
   */
  void rejectUnknown() {
    for (String key : values.keySet()) {
      if (!read.contains(key)) {
        throw new IllegalArgumentException("unknown option --" + key);
      }
    }
  }
}
