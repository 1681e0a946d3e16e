package dev.basin.server.s3;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The S3 addressing of a path-style request: bucket and key from the raw (still percent-encoded)
 * path, and the decoded query parameters. A {@code +} in a path is a plus sign; so is one in a
 * query, as SigV4 clients encode a space as {@code %20}.
 */
record S3Request(String bucket, String key, Map<String, String> query) {
  /**
   * @throws S3Exception {@code InvalidURI} if the path is not valid percent-encoded UTF-8
   */
  static S3Request parse(String rawPath, String rawQuery) {
    String path = rawPath == null || rawPath.isEmpty() ? "/" : rawPath;
    if (path.charAt(0) == '/') {
      path = path.substring(1);
    }
    String bucket;
    String key;
    int slash = path.indexOf('/');
    if (slash < 0) {
      bucket = decode(path);
      key = null;
    } else {
      bucket = decode(path.substring(0, slash));
      String rest = path.substring(slash + 1);
      key = rest.isEmpty() ? null : decode(rest);
    }
    return new S3Request(bucket.isEmpty() ? null : bucket, key, parseQuery(rawQuery));
  }

  static Map<String, String> parseQuery(String rawQuery) {
    Map<String, String> out = new LinkedHashMap<>();
    if (rawQuery == null || rawQuery.isEmpty()) {
      return out;
    }
    for (String part : rawQuery.split("&")) {
      if (part.isEmpty()) {
        continue;
      }
      int eq = part.indexOf('=');
      String name = decode(eq < 0 ? part : part.substring(0, eq));
      String value = eq < 0 ? "" : decode(part.substring(eq + 1));
      out.putIfAbsent(name, value);
    }
    return out;
  }

  boolean has(String param) {
    return query.containsKey(param);
  }

  String param(String name) {
    return query.get(name);
  }

  /** The value, with an empty value treated as absent. */
  String nonEmpty(String name) {
    String v = query.get(name);
    return v == null || v.isEmpty() ? null : v;
  }

  /** Percent-decodes UTF-8. */
  static String decode(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); ) {
      char c = s.charAt(i);
      if (c == '%') {
        int hi = i + 2 < s.length() ? Character.digit(s.charAt(i + 1), 16) : -1;
        int lo = i + 2 < s.length() ? Character.digit(s.charAt(i + 2), 16) : -1;
        if (hi < 0 || lo < 0) {
          throw invalidUri(s);
        }
        bytes.write((hi << 4) | lo);
        i += 3;
      } else {
        int next = s.indexOf('%', i);
        int end = next < 0 ? s.length() : next;
        bytes.writeBytes(s.substring(i, end).getBytes(StandardCharsets.UTF_8));
        i = end;
      }
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes.toByteArray()))
          .toString();
    } catch (CharacterCodingException e) {
      throw invalidUri(s);
    }
  }

  private static S3Exception invalidUri(String s) {
    return new S3Exception(
        "InvalidURI",
        400,
        "Couldn't parse the specified URI: it is not valid percent-encoded UTF-8");
  }
}
