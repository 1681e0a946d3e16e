package dev.basin.common.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.basin.common.error.BasinException;
import dev.basin.common.error.CommonErrorCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads a YAML config file into flattened dotted keys ({@code streams: {fsync-mode: group}}). */
public final class ConfigFiles {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private ConfigFiles() {}

  public static Map<String, String> load(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new BasinException(
          CommonErrorCode.INVALID_CONFIG, "config file " + file + " does not exist");
    }
    JsonNode root;
    try {
      root = YAML.readTree(file.toFile());
    } catch (IOException e) {
      throw new BasinException(
          CommonErrorCode.INVALID_CONFIG,
          "config file " + file + " is not valid YAML: " + e.getMessage());
    }
    Map<String, String> out = new LinkedHashMap<>();
    if (root == null || root.isMissingNode() || root.isNull()) {
      return out;
    }
    if (!root.isObject()) {
      throw new BasinException(
          CommonErrorCode.INVALID_CONFIG, "config file " + file + " must hold a YAML mapping");
    }
    flatten("", root, out, file);
    return out;
  }

  private static void flatten(String prefix, JsonNode node, Map<String, String> out, Path file) {
    Iterator<Map.Entry<String, JsonNode>> it = node.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      String key = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
      JsonNode v = e.getValue();
      if (v.isObject()) {
        flatten(key, v, out, file);
      } else if (v.isArray()) {
        throw new BasinException(
            CommonErrorCode.INVALID_CONFIG,
            "config file " + file + ": setting '" + key + "' must be a single value, not a list");
      } else {
        out.put(key, v.isNull() ? "" : v.asText());
      }
    }
  }
}
