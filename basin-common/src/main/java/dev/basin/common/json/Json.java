package dev.basin.common.json;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.basin.common.error.BasinException;
import dev.basin.common.error.CommonErrorCode;
import dev.basin.common.io.DurableFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** Shared Jackson configuration and durable JSON file helpers. */
public final class Json {
  private static final ObjectMapper MAPPER =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private Json() {}

  /** The shared mapper. Thread-safe; do not reconfigure it. */
  public static ObjectMapper mapper() {
    return MAPPER;
  }

  /** Serializes {@code value} to a JSON string. */
  public static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (IOException e) {
      throw new BasinException(CommonErrorCode.INTERNAL, "cannot serialize " + value, e);
    }
  }

  /** Parses {@code json} as {@code type}. */
  public static <T> T read(String json, Class<T> type) {
    try {
      return MAPPER.readValue(json, type);
    } catch (IOException e) {
      throw new BasinException(
          CommonErrorCode.INVALID_ARGUMENT, "invalid JSON for " + type.getSimpleName() + ": " + e);
    }
  }

  /**
   * Writes {@code value} as JSON to {@code file} durably and atomically: a temporary file is
   * written and fsynced, renamed over the target, and the directory is fsynced. When this returns,
   * a crash leaves either the old or the new content, never a torn file.
   */
  public static void writeAtomically(Path file, Object value) {
    try {
      byte[] bytes = MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(value);
      DurableFiles.writeAtomically(file, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
